// The step-through in the browser: every step of a walkthrough arrives once (one SVG layout plus, per
// step, the looks that change); Next, Back, Play and the keys only swap attributes, with no rerun.
const memory = new Map();     // key -> {hash, k, playing, speed, quiz, solved}: survives a re-mount

export default function (component) {
  const {data, parentElement} = component;
  const root = parentElement.querySelector(".ge-stepper") || parentElement.appendChild(document.createElement("div"));
  root.className = "ge-stepper" + (data.large ? " ge-large" : "");
  root.innerHTML = `
    <div class="ge-controls">
      <button type="button" data-do="first" title="First step (Home)">« First</button>
      <button type="button" data-do="back" title="Back (← or PageUp)">◀ Back</button>
      <button type="button" data-do="play" class="ge-play" title="Play at the chosen pace">▶ Play</button>
      <button type="button" data-do="next" class="ge-primary" title="Next (→, PageDown or Space)">Next ▶</button>
      <button type="button" data-do="last" title="Last step (End)">Last »</button>
      <span class="ge-count" aria-live="polite"></span>
    </div>
    <input type="range" class="ge-slider" min="1" step="1" aria-label="Step">
    <div class="ge-body">
      <div class="ge-panel">
        <div class="ge-heading"></div>
        <div class="ge-text"></div>
        <div class="ge-formula"></div>
        <div class="ge-shapes"></div>
        <div class="ge-badge"></div>
        <div class="ge-ask"></div>
      </div>
      <div class="ge-graph"></div>
    </div>`;
  const $ = s => root.querySelector(s);
  const n = data.panels.length;
  const mem = memory.get(data.key);
  const same = mem && mem.hash === data.hash;
  const st = same ? mem : {hash: data.hash, k: Math.min(Math.max(data.start, 0), n - 1), playing: false,
                           speed: data.speed, quiz: data.quiz_on, solved: {}};
  st.playing = false;
  st.speed = data.speed;               // the page's Play speed and Quiz mode controls (they are in links)
  st.quiz = data.quiz_on;
  memory.set(data.key, st);

  // every step's full look, built once from the deltas
  const full = [];
  let acc = {};
  for (const d of data.deltas) { acc = Object.assign({}, acc, d); full.push(acc); }

  const viewer = makeViewer($(".ge-graph"), data.svg, {minPx: data.min_px, fontPt: 18, below: 8});
  const svg = viewer.svg;
  const els = {}, byId = {};
  svg.querySelectorAll("g[id]").forEach(g => { byId[g.id] = g; });
  for (const id of Object.keys(full[n - 1])) {
    const g = byId[id];
    if (!g) continue;
    const isEdge = g.classList.contains("edge");
    const shapes = [...g.querySelectorAll("path, polygon, ellipse")];
    const item = {g, isEdge, texts: [...g.querySelectorAll("text")]};
    if (isEdge) {
      item.path = g.querySelector("path");
      if (!item.path) continue;
      const heads = shapes.filter(s => s.tagName === "polygon");
      const start = item.path.getPointAtLength(0), len = item.path.getTotalLength(), end = item.path.getPointAtLength(len);
      const centre = p => { const b = p.getBBox(); return {x: b.x + b.width / 2, y: b.y + b.height / 2}; };
      const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
      item.tail = heads.find(h => dist(centre(h), start) <= dist(centre(h), end));   // at the input: backward
      item.head = heads.find(h => h !== item.tail);                                    // at the op: forward
    } else {
      item.shapes = shapes;
      item.fillShape = shapes.find(s => (s.getAttribute("fill") || "none") !== "none") || shapes[0];
    }
    els[id] = item;
  }
  const shown = {};
  function paint(id, look) {
    const it = els[id];
    if (!it || shown[id] === look) return;
    shown[id] = look;
    const dash = look.dash || null;
    if (it.isEdge) {
      it.path.setAttribute("stroke", look.stroke);
      it.path.setAttribute("stroke-width", look.width);
      dash ? it.path.setAttribute("stroke-dasharray", dash) : it.path.removeAttribute("stroke-dasharray");
      for (const [h, on] of [[it.tail, look.back], [it.head, !look.back]]) {
        if (!h) continue;
        h.setAttribute("fill", look.stroke); h.setAttribute("stroke", look.stroke);
        h.style.visibility = on ? "visible" : "hidden";
      }
    } else {
      if (it.fillShape) it.fillShape.setAttribute("fill", look.fill);   // a plain-text node has no shape
      for (const s of it.shapes) {
        s.setAttribute("stroke", look.stroke);
        s.setAttribute("stroke-width", look.width);
        dash ? s.setAttribute("stroke-dasharray", dash) : s.removeAttribute("stroke-dasharray");
      }
    }
    it.texts.forEach((t, i) => {
      const line = look.lines[i] === undefined ? "\u00a0" : look.lines[i];
      if (t.textContent !== line) t.textContent = line;
      t.setAttribute("fill", look.font || "black");
    });
  }

  const slider = $(".ge-slider");
  slider.max = String(n);
  slider.oninput = () => go(parseInt(slider.value, 10) - 1);

  function hiding(k) { return st.quiz && data.quiz[k] && !st.solved[k]; }
  function show(k) {
    const look = Object.assign({}, full[k], hiding(k) ? data.quiz[k] : {});
    for (const id in look) paint(id, look[id]);
    const p = data.panels[k];
    $(".ge-heading").textContent = p.heading;
    $(".ge-text").innerHTML = hiding(k) ? "" : p.text;
    $(".ge-formula").innerHTML = hiding(k) ? "" : p.formula;
    $(".ge-shapes").innerHTML = p.shapes ? "<b>Shapes:</b> " + p.shapes : "";
    $(".ge-badge").innerHTML = hiding(k) ? "" : p.badge;
    const ask = $(".ge-ask");
    ask.innerHTML = "";
    if (hiding(k)) {
      const q = p.quiz;
      ask.innerHTML = `<p>${q.question}</p><input type="number" step="any" class="ge-guess" aria-label="Your contribution">
        <button type="button" class="ge-check">Check</button><p class="ge-verdict"></p>`;
      const check = () => {
        const guess = parseFloat(ask.querySelector(".ge-guess").value);
        const ok = Number.isFinite(guess) && Math.abs(guess - q.answer) <= q.rtol * Math.max(Math.abs(q.answer), 1e-12) + q.rtol * 0.1;
        if (ok) { st.solved[k] = true; show(k); $(".ge-badge").insertAdjacentHTML("afterbegin", `<p class="ok">${q.right}</p>`); }
        else ask.querySelector(".ge-verdict").textContent = "Not quite: multiply the upstream gradient by the local derivative.";
      };
      ask.querySelector(".ge-check").onclick = check;
      ask.querySelector(".ge-guess").onkeydown = e => { if (e.key === "Enter") check(); };
    } else if (st.quiz && p.phase === "backward" && !p.quiz) {
      ask.innerHTML = "<p class='ge-note'>Quiz mode asks for single numbers; this step shows its answer.</p>";
    }
    $(".ge-count").textContent = `step ${k + 1} of ${n}`;
    slider.value = String(k + 1);
    root.querySelector('[data-do=first]').disabled = root.querySelector('[data-do=back]').disabled = k === 0;
    root.querySelector('[data-do=next]').disabled = root.querySelector('[data-do=last]').disabled = k === n - 1;
    centerFocus(k);
    const url = new URL(window.location.href);
    url.searchParams.set("step", String(k + 1));
    window.history.replaceState(window.history.state, "", url.toString());
    root.dataset.step = String(k + 1);
  }
  function centerFocus(k) {             // the node or edge the step is about stays in sight
    const focus = Object.keys(full[k]).find(id => full[k][id].width >= 5);
    if (focus && els[focus]) viewer.centerOn(els[focus].g);
  }
  function go(k) { st.k = Math.min(Math.max(k, 0), n - 1); show(st.k); }

  let timer = null, t0 = 0, ticks = 0;
  const playButton = root.querySelector("[data-do=play]");
  function stop() {
    st.playing = false; clearTimeout(timer); timer = null;
    playButton.textContent = "▶ Play"; playButton.setAttribute("aria-pressed", "false");
  }
  function tick() {
    if (!st.playing) return;
    go(st.k + 1);
    if (st.k >= n - 1) { stop(); return; }    // the last step: Play turns back into Play at once
    ticks += 1;
    // keep the stated pace: each tick is scheduled against the clock, not after the last one finished
    timer = setTimeout(tick, Math.max(0, t0 + (ticks + 1) * st.speed * 1000 - performance.now()));
  }
  function play() {
    go(st.k >= n - 1 ? 0 : st.k + 1);   // Play answers at once (from the last step: again from the first)
    if (st.k >= n - 1) return;
    st.playing = true; t0 = performance.now(); ticks = 0;
    playButton.textContent = "⏸ Pause"; playButton.setAttribute("aria-pressed", "true");
    timer = setTimeout(tick, st.speed * 1000);
  }
  const actions = {
    first: () => go(0), last: () => go(n - 1),
    back: () => go(st.k - 1), next: () => go(st.k + 1),
    play: () => (st.playing ? stop() : play()),
  };
  root.querySelectorAll("[data-do]").forEach(b => { b.onclick = () => actions[b.dataset.do](); });

  const KEYS = {ArrowRight: "next", PageDown: "next", " ": "next", ArrowLeft: "back", PageUp: "back",
                Home: "first", End: "last"};
  function onKey(e) {
    const action = KEYS[e.key];
    if (!action || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.composedPath()[0];
    const tag = (t && t.tagName) || "";
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(tag) || (t && t.isContentEditable)) return;
    if (t && t.closest && t.closest("[role=slider], [role=combobox], [role=listbox], [role=radiogroup], [role=tablist]")) return;
    if (e.key === " " && tag === "BUTTON") return;      // Space on a focused button clicks it
    if (!root.isConnected) return;
    e.preventDefault();
    actions[action]();
  }
  document.addEventListener("keydown", onKey);
  show(st.k);
  // the viewer sizes itself to the window once the page has laid out: keep the focus in sight after it
  requestAnimationFrame(() => requestAnimationFrame(() => centerFocus(st.k)));
  return () => { stop(); document.removeEventListener("keydown", onKey); viewer.destroy(); };
}
