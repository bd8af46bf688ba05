// The playground's live picture: Play, Step and Reset, the epoch counter, the network (every neuron's
// output over the plane as a thumbnail, the weights as edges), the output over the plane with the data,
// and the loss curves. Frames are trained ahead on the server and arrive a second or less at a time;
// this plays them at a steady pace and asks for more before it runs out. Pause stops the picture at once
// and tells the server which frame is on screen, so the network lands on exactly those weights.
const memory = new Map();        // key -> the live state, kept across re-renders and re-mounts

function b64bytes(s) {
  const bin = atob(s), out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function rgb(hex) { return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16)); }

function makeLut(colors, opacity) {
  // TensorFlow Playground's scale: 0 orange, 128 neutral, 255 blue; blended over the paper
  const a = rgb(colors.negative), m = rgb(colors.neutral), b = rgb(colors.positive), p = rgb(colors.paper);
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    for (let c = 0; c < 3; c++) {
      const v = t < 0.5 ? a[c] + (m[c] - a[c]) * t * 2 : m[c] + (b[c] - m[c]) * (t - 0.5) * 2;
      lut[i * 3 + c] = p[c] + (v - p[c]) * opacity;
    }
  }
  return lut;
}

function decode(fr) {
  // one message's frames as objects whose arrays view the decoded buffers
  if (!fr || !fr.n) return [];
  const out = b64bytes(fr.out), thumbs = b64bytes(fr.thumbs);
  const w = new Float32Array(b64bytes(fr.w).buffer), g = fr.g ? new Float32Array(b64bytes(fr.g).buffer) : null;
  const no = out.length / fr.n, nt = thumbs.length / fr.n, nw = w.length / fr.n;
  const frames = [];
  for (let i = 0; i < fr.n; i++) {
    frames.push({step: fr.step[i], epoch: fr.epoch[i], loss: fr.loss[i], lim: fr.lim[i],
                 out: out.subarray(i * no, (i + 1) * no), thumbs: thumbs.subarray(i * nt, (i + 1) * nt),
                 w: w.subarray(i * nw, (i + 1) * nw), g: g ? g.subarray(i * nw, (i + 1) * nw) : null});
  }
  return frames;
}

function fmt(v, digits) { return v === null || v === undefined ? "–" : v.toFixed(digits); }

export default function (component) {
  const {data, parentElement, setTriggerValue} = component;
  let root = parentElement.querySelector(".ge-playground");
  const key = data.key || "playground";
  let st = memory.get(key);
  if (!root || !st || st.root !== root) {
    if (st && st.raf) cancelAnimationFrame(st.raf);
    root = root || parentElement.appendChild(document.createElement("div"));
    st = build(root, st);
    memory.set(key, st);
  }
  st.setTrigger = setTriggerValue;
  root.classList.toggle("ge-large", !!data.large);
  // the replay and the layer warps are Plotly charts: their code is fetched while no picture plays
  preloadPlotly(data.preload, () => [...memory.values()].some(m => m.playing && m.root.isConnected));
  st.receive(data);
}

function build(root, previous) {
  root.className = "ge-playground";
  root.innerHTML = `
    <div class="pg-bar">
      <button type="button" class="pg-btn pg-primary" data-do="play" title="Play / Pause (Space)">▶ Play</button>
      <button type="button" class="pg-btn" data-do="step" title="One mini-batch step">Step</button>
      <button type="button" class="pg-btn" data-do="reset" title="Start again from the first weights">Reset</button>
      <span class="pg-epoch" aria-live="off">Epoch 0</span>
      <span class="pg-stepno"></span>
    </div>
    <div class="pg-main">
      <div class="pg-left">
        <div class="pg-network"><canvas class="pg-net"></canvas><div class="pg-nodes"></div></div>
        <div class="pg-caption"></div>
        <div class="pg-readout"></div>
      </div>
      <div class="pg-plane"><canvas class="pg-heat"></canvas><canvas class="pg-dots"></canvas>
        <div class="pg-status"></div><div class="pg-tip" hidden></div>
        <div class="pg-restart" hidden>Starting again …</div></div>
    </div>
    <canvas class="pg-loss"></canvas>`;
  const $ = s => root.querySelector(s);
  const st = {root, gen: null, seq: -1, buffer: [], index: 0, playing: false, lastShownAt: 0, asked: 0,
              asking: false, events: 0, control: 0, drawn: 0, data: null, staticVersion: null, history: null,
              ...(previous ? {gen: previous.gen, buffer: previous.buffer, index: previous.index,
                              playing: previous.playing, events: previous.events, control: previous.control,
                              drawn: previous.drawn, static: previous.static,
                              staticVersion: previous.staticVersion} : {})};
  const play = $("[data-do=play]"), heat = $(".pg-heat"), dots = $(".pg-dots"), tip = $(".pg-tip");
  const lossCanvas = $(".pg-loss"), netCanvas = $(".pg-net"), nodesDiv = $(".pg-nodes");
  let lut = null, classLut = null, layout = null;

  function current() { return st.buffer[st.index]; }

  // How far ahead to keep frames: the last round trips' time (an average that forgets), with room to
  // spare, so the picture never waits on a request on a busy server, and no more than it needs.
  function lowWater() {
    const frame = 1000 / (st.data ? st.data.fps : 30);
    return Math.max(st.data ? st.data.ahead : 12, Math.min(45, Math.ceil(1.5 * (st.rtt || 300) / frame)));
  }
  function want() { return lowWater() + 12; }

  function send(what, extra) {
    const f = current();
    st.events += 1;
    const event = Object.assign({do: what, gen: st.gen, at: f ? f.step : null,
                                 have: st.buffer.length ? st.buffer[st.buffer.length - 1].step : -1,
                                 id: st.events, want: want(), sv: st.staticVersion}, extra || {});
    if (what !== "more" && what !== "add") st.control = st.events;
    st.setTrigger("event", event);
  }

  function label(on) {
    play.textContent = on ? "❚❚ Pause" : "▶ Play";
    root.dataset.playing = on ? "1" : "0";
  }
  function setPlaying(on) {
    st.playing = on;
    if (!on) $(".pg-status").textContent = "";
    label(on);
    if (on) { st.lastShownAt = performance.now(); loop(); }
  }
  label(st.playing);          // a picture mounted again while playing says Pause, as before

  function truncateAfterShown() { st.buffer = st.buffer.slice(0, st.index + 1); }

  play.addEventListener("click", () => {
    if (st.playing) { setPlaying(false); truncateAfterShown(); send("pause"); }
    else { setPlaying(true); truncateAfterShown(); st.asking = true; st.asked = performance.now(); send("play"); }
  });
  $("[data-do=step]").addEventListener("click", () => { setPlaying(false); truncateAfterShown(); send("step"); });
  $("[data-do=reset]").addEventListener("click", () => { setPlaying(false); send("reset"); });
  root.tabIndex = 0;
  root.addEventListener("keydown", e => { if (e.key === " ") { e.preventDefault(); play.click(); } });

  // ---- a control that starts the network again: said at once, before the server has answered ----------
  // The controls are Streamlit's, outside this component; a press on one of them (a select box's option,
  // a slider released, a pill, a number typed, Regenerate) shows "Starting again …" over the picture until
  // the new network arrives (or, when the value did not change after all, for 3 s).
  function restartKey(el) {
    const box = el && el.closest && el.closest('[class*="st-key-"]');
    if (!box || !st.data || !st.data.restart_keys) return null;
    const key = [...box.classList].find(c => c.startsWith("st-key-")).slice(7);
    return st.data.restart_keys.some(k => k === key || (k.endsWith("*") && key.startsWith(k.slice(0, -1)))) ? key : null;
  }
  function restarting() {
    const note = $(".pg-restart");
    note.hidden = false;
    root.dataset.restarting = "1";
    root.dispatchEvent(new CustomEvent("ge-restarting", {bubbles: true, composed: true}));
    clearTimeout(st.restartTimer);
    st.restartTimer = setTimeout(() => { note.hidden = true; root.dataset.restarting = "0"; }, 3000);
  }
  if (!window.__pgWatch) {                 // once per page: the listeners reach whichever picture is current
    window.__pgWatch = true;
    let armed = null;
    document.addEventListener("pointerdown", e => {
      const current = [...memory.values()].find(m => m.root.isConnected);
      if (!current) return;
      const key = current.restartKey(e.target);
      if (key && e.target.closest("button, [role=radio], [role=checkbox]")) current.restarting();
      else if (armed && e.target.closest("[role=option]")) current.restarting();
      armed = key;
    }, true);
    document.addEventListener("pointerup", e => {
      const current = [...memory.values()].find(m => m.root.isConnected);
      if (current && armed && document.querySelector(`.st-key-${armed} [role=slider]`)) current.restarting();
    }, true);
    document.addEventListener("change", e => {
      const current = [...memory.values()].find(m => m.root.isConnected);
      if (current && current.restartKey(e.target)) current.restarting();
    }, true);
    document.addEventListener("keydown", e => {
      const current = [...memory.values()].find(m => m.root.isConnected);
      if (current && e.key === "Enter" && (current.restartKey(e.target) || (armed && e.target.closest("[role=listbox], [role=combobox]")))) current.restarting();
    }, true);
  }
  st.restartKey = restartKey;
  st.restarting = restarting;

  // ---- the output over the plane ------------------------------------------------------------------
  let side = 0;
  function fitSize() {
    // the plane as large as the first screen allows, beside the network, the loss curves under both
    const top = root.getBoundingClientRect().top + window.scrollY;
    const room = window.innerHeight - top - 48 - 132 - 14;          // the bar above, the loss curves below
    const next = Math.round(Math.max(240, Math.min(560, root.clientWidth * 0.56, room)));
    if (next === side) return false;
    side = next;
    root.style.setProperty("--pg-side", side + "px");
    return true;
  }
  window.addEventListener("resize", () => { if (root.isConnected && st.data && fitSize()) { buildNetwork(); drawDots(); show(); } });
  function planeSide() { return dots.clientWidth || side || 360; }
  function toPlane(px, py) {
    const d = st.data.static.domain, s = planeSide();
    return [(px / s) * 2 * d - d, d - (py / s) * 2 * d];
  }
  function drawHeat(f) {
    const s = st.data.static, n = s.grid, flags = st.data.flags;
    const ctx = heat.getContext("2d"), img = ctx.createImageData(n, n);
    for (let r = 0; r < n; r++) {
      const src = (n - 1 - r) * n;                  // row 0 of the data is the bottom of the plane
      for (let c = 0; c < n; c++) {
        let v = f.out[src + c], o = (r * n + c) * 4, table = lut;
        if (s.outputs > 1 && s.kind === "classification") { table = classLut; }
        else if (flags.discretize && s.kind === "classification") { v = v >= 128 ? 255 : 0; }
        img.data[o] = table[v * 3]; img.data[o + 1] = table[v * 3 + 1]; img.data[o + 2] = table[v * 3 + 2];
        img.data[o + 3] = 255;
      }
    }
    ctx.putImageData(img, 0, 0);
  }
  function drawDots() {
    const s = st.data.static, side = planeSide(), ratio = window.devicePixelRatio || 1;
    dots.width = side * ratio; dots.height = side * ratio;
    const ctx = dots.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, side, side);
    const d = s.domain, px = x => (x + d) / (2 * d) * side, py = y => (d - y) / (2 * d) * side;
    const colors = st.data.colors;
    const color = label => s.kind === "regression" ? valueColor(label) : colors.classes[Math.round(label) % colors.classes.length];
    const sets = [[s.train, false]].concat(st.data.flags.show_test ? [[s.test, true]] : []);
    root.dataset.points = s.train.x.length;
    for (const [pts, open] of sets) {
      for (let i = 0; i < pts.x.length; i++) {
        ctx.beginPath();
        ctx.arc(px(pts.x[i]), py(pts.y[i]), open ? 4.5 : 4, 0, 2 * Math.PI);
        if (open) { ctx.lineWidth = 2; ctx.strokeStyle = color(pts.label[i]); ctx.stroke(); }
        else { ctx.fillStyle = color(pts.label[i]); ctx.fill(); ctx.lineWidth = 1; ctx.strokeStyle = colors.paper; ctx.stroke(); }
      }
    }
    // the plane's ticks: -6, 0, 6 on both axes
    ctx.fillStyle = "#374151"; ctx.font = "14px Helvetica, Arial, sans-serif";
    ctx.textBaseline = "bottom"; ctx.textAlign = "left"; ctx.fillText(`${-d}`, 3, side - 2);
    ctx.textAlign = "right"; ctx.fillText(`${d}`, side - 3, side - 2);
    ctx.textBaseline = "top"; ctx.textAlign = "left"; ctx.fillText(`${d}`, 3, 2);
  }
  function valueColor(v) {
    const lim = Math.max(1e-9, ...st.data.static.train.label.map(Math.abs));
    const i = Math.max(0, Math.min(255, Math.round((v / lim) * 127 + 128)));
    return `rgb(${lut[i * 3]},${lut[i * 3 + 1]},${lut[i * 3 + 2]})`;
  }
  dots.addEventListener("mousemove", e => {
    const f = current();
    if (!f || !st.data) return;
    const s = st.data.static, [x1, x2] = toPlane(e.offsetX, e.offsetY);
    const n = s.grid, c = Math.round((x1 + s.domain) / (2 * s.domain) * (n - 1)), r = Math.round((x2 + s.domain) / (2 * s.domain) * (n - 1));
    const v = f.out[Math.max(0, Math.min(n - 1, r)) * n + Math.max(0, Math.min(n - 1, c))];
    const what = s.kind === "regression" ? `output ${((v - 128) / 127 * f.lim).toFixed(3)}` :
      s.outputs > 1 ? `class ${v}` : `P(class 1) ${(v / 255).toFixed(3)}`;
    tip.textContent = `(${x1.toFixed(1)}, ${x2.toFixed(1)}) → ${what} · click: add a point`;
    tip.hidden = false;
  });
  dots.addEventListener("mouseleave", () => { tip.hidden = true; });
  dots.addEventListener("click", e => {
    if (!st.data || st.data.static.kind !== "classification") return;
    const [x1, x2] = toPlane(e.offsetX, e.offsetY);
    send("add", {x1: Math.round(x1 * 1000) / 1000, x2: Math.round(x2 * 1000) / 1000});
  });

  // ---- the network --------------------------------------------------------------------------------
  // One canvas draws the edges and the thumbnails each frame (a few small pictures and lines); the node
  // boxes and labels are static elements over it, so a frame changes no layout.
  function buildNetwork() {
    const s = st.data.static, height = planeSide() - 96;            // the caption and the losses under it
    const width = Math.max(180, root.clientWidth - planeSide() - 16);   // what the plane and the gap leave
    $(".pg-left").style.width = width + "px";
    const layers = s.layers, most = Math.max(...layers), L = layers.length, left = 34;   // room for X₁ labels
    const box = Math.floor(Math.max(20, Math.min(64, (height - 34) / most - 10, (width - left - 4) / (L + (L - 1) * 0.7))));
    const xs = layers.map((_, i) => left + i * (width - left - box - 4) / Math.max(1, L - 1));
    const pos = layers.map((n, i) => Array.from({length: n}, (_, j) => [xs[i], 6 + j * (box + 10) + ((most - n) * (box + 10)) / 2]));
    const ratio = window.devicePixelRatio || 1;
    netCanvas.width = width * ratio; netCanvas.height = height * ratio;
    netCanvas.style.width = width + "px"; netCanvas.style.height = height + "px";
    nodesDiv.innerHTML = "";
    nodesDiv.style.height = height + "px";
    const edges = [];
    for (let i = 0; i + 1 < layers.length; i++) {
      for (let a = 0; a < layers[i]; a++) for (let b = 0; b < layers[i + 1]; b++) {
        const [x0, y0] = pos[i][a], [x1, y1] = pos[i + 1][b];
        const from = [x0 + box, y0 + box / 2], to = [x1, y1 + box / 2], mx = (from[0] + to[0]) / 2;
        edges.push({from, to, mx, mid: [mx, (from[1] + to[1]) / 2], name: `layer ${i + 1}, ${a} → ${b}`});
      }
    }
    const nodes = [];
    pos.forEach((col, i) => col.forEach(([x, y], j) => {
      const node = document.createElement("div");
      node.className = "pg-node";
      node.style.left = x + "px"; node.style.top = y + "px"; node.style.width = node.style.height = box + "px";
      if (i === 0 || i === layers.length - 1) {
        const label = document.createElement("span");
        label.className = i === 0 ? "pg-in" : "pg-out";
        label.textContent = i === 0 ? s.labels[j] : (layers[i] > 1 ? `class ${j}` : "output");
        node.appendChild(label);
      }
      nodesDiv.appendChild(node);
      const picture = document.createElement("canvas");         // the thumbnail, drawn into the network
      picture.width = picture.height = s.thumb;
      nodes.push({x, y, layer: i, unit: j, picture});
    }));
    const inputs = b64bytes(s.inputs), tt = s.thumb * s.thumb;  // the inputs' pictures do not change
    nodes.filter(k => k.layer === 0).forEach(k => paintThumb(k.picture, inputs.subarray(k.unit * tt, (k.unit + 1) * tt)));
    layout = {edges, nodes, box, ratio, width, height, hidden: nodes.filter(k => k.layer > 0)};
  }
  function paintThumb(canvas, bytes) {
    const n = st.data.static.thumb, ctx = canvas.getContext("2d"), img = ctx.createImageData(n, n);
    for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) {
      const v = bytes[(n - 1 - r) * n + c], o = (r * n + c) * 4;
      img.data[o] = lut[v * 3]; img.data[o + 1] = lut[v * 3 + 1]; img.data[o + 2] = lut[v * 3 + 2]; img.data[o + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
  function drawNetwork(f) {
    const tt = st.data.static.thumb ** 2, L = layout;
    L.hidden.forEach((k, i) => paintThumb(k.picture, f.thumbs.subarray(i * tt, (i + 1) * tt)));
    const values = st.data.flags.gradients && f.g ? f.g : f.w;
    let most = 1e-12;
    for (let i = 0; i < values.length; i++) most = Math.max(most, Math.abs(values[i]));
    const colors = st.data.colors, ctx = netCanvas.getContext("2d");
    ctx.setTransform(L.ratio, 0, 0, L.ratio, 0, 0);
    ctx.clearRect(0, 0, L.width, L.height);
    ctx.lineCap = "round";
    ctx.globalAlpha = 0.85;
    L.edges.forEach((e, i) => {
      const v = values[i];
      e.value = v;
      ctx.strokeStyle = v > 0 ? colors.positive : colors.negative;
      ctx.lineWidth = 1 + 5 * Math.abs(v) / most;
      ctx.beginPath();
      ctx.moveTo(e.from[0], e.from[1]);
      ctx.bezierCurveTo(e.mx, e.from[1], e.mx, e.to[1], e.to[0], e.to[1]);
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    ctx.imageSmoothingEnabled = true;
    L.nodes.forEach(k => ctx.drawImage(k.picture, k.x, k.y, L.box, L.box));
    const caption = st.data.flags.gradients ? "d loss / d weight on the next batch: blue +, orange −"
                                            : "weights: blue +, orange −, width = size";
    if ($(".pg-caption").textContent !== caption) $(".pg-caption").textContent = caption;
  }
  netCanvas.addEventListener("mousemove", e => {
    if (!layout) return;
    // the edge whose middle is nearest the pointer, within 10 px: its value
    let best = null, far = 10;
    for (const edge of layout.edges) {
      const d = Math.hypot(edge.mid[0] - e.offsetX, edge.mid[1] - e.offsetY);
      if (d < far) { far = d; best = edge; }
    }
    const what = st.data.flags.gradients ? "∂loss/∂w" : "weight";
    netCanvas.title = best ? `${what} ${best.name}: ${best.value === undefined ? "–" : best.value.toPrecision(4)}` : "";
  });

  // ---- the loss curves ------------------------------------------------------------------------------
  function drawLoss(f, always) {
    // the curves change little from one frame to the next: redrawn five times a second while playing
    const now = performance.now();
    if (!always && st.playing && now - (st.lossAt || 0) < 200) return;
    st.lossAt = now;
    const width = lossCanvas.clientWidth || 600, height = 120, ratio = window.devicePixelRatio || 1;
    if (lossCanvas.width !== width * ratio) { lossCanvas.width = width * ratio; lossCanvas.height = height * ratio; }
    const ctx = lossCanvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const h = st.history || {epoch: [], train: [], test: [], step: []};
    const pts = [];
    for (let i = 0; i < h.step.length; i++) if (h.step[i] <= f.step) pts.push([h.epoch[i], h.train[i], h.test[i]]);
    const lastH = pts.length ? pts[pts.length - 1][0] : -1;
    for (let i = 0; i <= st.index; i++) {
      const b = st.buffer[i];
      if (b.epoch > lastH) pts.push([b.epoch, b.loss[0], b.loss[1]]);
    }
    if (pts.length < 1) return;
    const maxE = Math.max(1e-9, pts[pts.length - 1][0]);
    let maxL = 1e-9;
    for (const p of pts) maxL = Math.max(maxL, p[1] || 0, p[2] || 0);
    const left = 46, right = width - 8, top = 8, bottom = height - 22;
    const X = e => left + (e / maxE) * (right - left), Y = v => bottom - (Math.min(v, maxL) / maxL) * (bottom - top);
    ctx.strokeStyle = "#e5e5e5"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.moveTo(left, bottom); ctx.lineTo(right, bottom); ctx.moveTo(left, top); ctx.lineTo(left, bottom); ctx.stroke();
    ctx.fillStyle = "#374151"; ctx.font = "14px Helvetica, Arial, sans-serif";
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    ctx.fillText(maxL.toPrecision(2), left - 4, top + 4); ctx.fillText("0", left - 4, bottom);
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.fillText(`epoch ${maxE.toFixed(0)}`, right - 30, bottom + 4);
    ctx.textAlign = "left"; ctx.fillText("loss", 2, bottom + 4);
    const line = (k, color, dash) => {
      ctx.strokeStyle = color; ctx.lineWidth = 3; ctx.setLineDash(dash); ctx.beginPath();
      let first = true;
      for (const p of pts) { if (p[k] === null) continue; first ? ctx.moveTo(X(p[0]), Y(p[k])) : ctx.lineTo(X(p[0]), Y(p[k])); first = false; }
      ctx.stroke(); ctx.setLineDash([]);
    };
    line(1, st.data.colors.train_line, []);
    line(2, st.data.colors.test_line, [6, 5]);
  }

  // ---- one frame on screen ----------------------------------------------------------------------------
  function show() {
    const f = current();
    if (!f || !st.data || !layout) return;
    drawHeat(f);
    drawNetwork(f);
    drawLoss(f, !st.playing);
    const s = st.data.static;
    $(".pg-epoch").textContent = `Epoch ${f.epoch.toLocaleString("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1})}`;
    $(".pg-stepno").textContent = `step ${f.step.toLocaleString("en-US")}`;
    const readout = `<span>train loss <b>${fmt(f.loss[0], 3)}</b></span> <span>test loss <b>${fmt(f.loss[1], 3)}</b></span>` +
      (s.kind === "classification" ? ` <span>test accuracy <b>${f.loss[3] === null ? "–" : (100 * f.loss[3]).toFixed(1)} %</b></span>` : "");
    if (readout !== st.readout) { $(".pg-readout").innerHTML = readout; st.readout = readout; }
    root.dataset.step = f.step;
    root.dataset.epoch = f.epoch;
    st.drawn += 1;
    root.dataset.drawn = st.drawn;
    // for whoever watches the page (the browser tests and benchmarks): this root may be replaced by a
    // mount of its own, an event on the document is not
    root.dispatchEvent(new CustomEvent("ge-frame", {bubbles: true, composed: true, detail: {root}}));
  }

  function ask() {
    const ahead = st.buffer.length - 1 - st.index;
    const now = performance.now();
    // a request whose answer is overdue is made again: Streamlit can drop a fragment's rerun that comes
    // while the whole page is running (a setting just changed), and a picture must not wait on a lost one
    const overdue = Math.max(1000, 4 * (st.rtt || 250));
    if (st.playing && ahead < lowWater() && (!st.asking || now - st.asked > overdue)) {
      st.asking = true; st.asked = now;
      send("more");
    }
    $(".pg-status").textContent = st.playing && ahead <= 0 && st.asking && now - st.asked > 400 ? "training …" : "";
  }

  function loop() {
    cancelAnimationFrame(st.raf);
    st.raf = requestAnimationFrame(function tick(now) {
      if (!root.isConnected || !st.playing) return;
      const every = 1000 / st.data.fps, due = Math.floor((now - st.lastShownAt) / every);
      if (due >= 1 && st.index < st.buffer.length - 1) {
        st.index = Math.min(st.buffer.length - 1, st.index + due);   // keep the pace: skip rather than slow down
        st.lastShownAt = due > 3 ? now : st.lastShownAt + due * every;
        show();
      } else if (due >= 1 && st.index >= st.buffer.length - 1) {
        st.lastShownAt = now - every;                                 // starved: show the next frame as it comes
      }
      ask();
      st.raf = requestAnimationFrame(tick);
    });
  }

  st.receive = function (data) {
    const first = !st.data;
    st.data = data;
    if (first || data.colors.negative !== (st.colorsKey || "")) {
      lut = makeLut(data.colors, 0.75);
      classLut = new Uint8ClampedArray(256 * 3);
      data.colors.classes.forEach((hex, i) => {
        const c = rgb(hex), p = rgb(data.colors.paper);
        for (let k = 0; k < 3; k++) classLut[i * 3 + k] = p[k] + (c[k] - p[k]) * 0.45;
      });
      st.colorsKey = data.colors.negative;
      heat.width = heat.height = data.static.grid;
    }
    if (data.seq <= st.seq && data.gen === st.gen && !first) return;
    st.seq = data.seq;
    st.history = data.history;
    const genChanged = data.gen !== st.gen;
    // a message the server made before it saw the last Play, Pause, Step or Reset pressed here is out of date
    const current_ = genChanged || (data.ack || 0) >= st.control;
    const frames = current_ ? decode(data.frames) : [];
    if (genChanged) {
      st.gen = data.gen;
      clearTimeout(st.restartTimer);
      $(".pg-restart").hidden = true;
      root.dataset.restarting = "0";
      st.buffer = frames;
      st.index = 0;
    } else if (frames.length) {
      if (!st.playing) {                     // a Pause's or Step's answer: from the shown frame on
        const at = st.buffer.findIndex(f => f.step === frames[0].step);
        if (at >= 0) st.buffer.splice(at);
      }
      const last = st.buffer.length ? st.buffer[st.buffer.length - 1].step : -1;
      for (const f of frames) if (f.step > last) st.buffer.push(f);
    }
    if (st.buffer.length > 4000) { const drop = st.buffer.length - 3000; st.buffer.splice(0, drop); st.index = Math.max(0, st.index - drop); }
    if (st.asking) {
      const rtt = performance.now() - st.asked;
      st.rtt = st.rtt ? 0.7 * st.rtt + 0.3 * rtt : rtt;
    }
    st.asking = false;
    if (data.static) st.static = data.static;
    data.static = st.static;
    const staticChanged = data.static_version !== st.staticVersion;
    if (fitSize() || staticChanged || first || genChanged || !layout) {
      st.staticVersion = data.static_version;
      buildNetwork();
    }
    drawDots();
    if (current_ && data.playing !== st.playing) setPlaying(data.playing);
    if (!st.playing) st.index = st.buffer.length - 1;
    root.dataset.gen = data.gen;               // before the frame is drawn: what is drawn is this network
    show();
    if (st.playing) loop();
    root.dataset.ready = "1";
  };
  return st;
}
