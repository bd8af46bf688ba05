// The optimizers race on the Gradient descent page, drawn and animated in the browser: the surface as a
// picture, every optimizer's path, its current point, the direction of steepest descent and (momentum
// methods) the velocity. Play, Pause and the step slider swap a few attributes; no Plotly, no rerun.
// A click on the surface sends its (x, y) to the page as the new start. Data: explorer/descent_picture.py.
const memory = new Map();     // key -> {scene, k, hidden}: what a re-mount with a new race keeps
const SVGNS = "http://www.w3.org/2000/svg";

const STYLE = `
.gd-race { font-family: "Source Sans", "Source Sans Pro", "Source Sans 3", Helvetica, Arial, sans-serif; color: var(--gd-ink);
  font-size: var(--gd-px); user-select: none; }
.gd-title { font-weight: 600; line-height: 1.25; margin: 0 0 4px; overflow-wrap: anywhere; }
.gd-body { display: flex; gap: 10px; align-items: flex-start; }
.gd-plot { flex: 1 1 auto; display: block; cursor: crosshair; }
.gd-plot text { fill: var(--gd-ink); font-size: var(--gd-px); font-family: inherit; }
.gd-legend { flex: 0 0 auto; width: var(--gd-legend); line-height: 1.2; padding-top: 4px; }
.gd-entry { display: grid; grid-template-columns: 26px 1fr; column-gap: 6px; margin-bottom: 8px; cursor: pointer; }
.gd-entry.off { opacity: 0.35; }
.gd-swatch { height: 4px; margin-top: 0.55em; border-radius: 2px; }
.gd-entry b { font-weight: 700; }
.gd-entry i { grid-column: 2; }
.gd-race .ge-controls { margin-top: 6px; flex-wrap: nowrap; }
.gd-race .ge-controls button { font-size: var(--gd-px); }
.gd-race .ge-slider { flex: 1 1 auto; margin: 0 4px; }
.gd-race .ge-count { font-size: var(--gd-px); margin-left: 0; min-width: 8.5em; text-align: right; }
`;

function el(name, attrs, parent) {
  const e = document.createElementNS(SVGNS, name);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
}

// Plotly's bundle (4.7 MB, which the page's other views draw with), fetched and compiled while the class
// looks at the race, so that opening the 3-D view, the loss curves or another tab does not wait for it.
// `name` is Streamlit's own chunk beside its index script: the module the page would import later.
function niceTicks(lo, hi, count) {       // about `count` round numbers between lo and hi
  const raw = (hi - lo) / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map(m => m * mag).find(s => s >= raw) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

function label(v) {                        // −0.5 with a real minus sign, no float noise
  const s = String(parseFloat(v.toPrecision(6)));
  return s.startsWith("-") ? "\u2212" + s.slice(1) : s;
}

export default function (component) {
  const {data, parentElement, setTriggerValue} = component;
  const px = data.min_px || 16;
  const n = data.steps;
  const paths = data.paths;
  const mem = memory.get(data.key);
  const st = mem && mem.scene === data.scene ? mem : {scene: data.scene, k: 0, hidden: mem ? mem.hidden : {}};
  st.k = Math.min(st.k, n);
  memory.set(data.key, st);

  let root = parentElement.querySelector(".gd-race");
  if (!root) {
    const style = document.createElement("style");
    style.textContent = STYLE;
    parentElement.appendChild(style);
    root = parentElement.appendChild(document.createElement("div"));
  }
  root.className = "gd-race" + (data.large ? " ge-large" : "");
  const c = data.colors;
  root.style.setProperty("--gd-ink", c.ink);
  root.style.setProperty("--gd-px", px + "px");
  root.style.setProperty("--gd-legend", Math.round(px * 10.5) + "px");
  root.innerHTML = `
    <div class="gd-title"></div>
    <div class="gd-body"><svg class="gd-plot" role="img" aria-label="the race on the surface"></svg><div class="gd-legend"></div></div>
    <div class="ge-controls">
      <button type="button" class="ge-play" data-do="play" title="Play the race (every step)">\u25b6 Play</button>
      <input type="range" class="ge-slider" min="0" step="1" aria-label="Step">
      <span class="ge-count" aria-live="polite"></span>
    </div>`;
  const $ = s => root.querySelector(s);
  $(".gd-title").textContent = data.title;
  const svg = $(".gd-plot");
  const legend = $(".gd-legend");
  const slider = $(".ge-slider");
  slider.max = String(n);
  const playButton = $(".ge-play");

  // the legend: each optimizer and what happened to it; a click hides or shows its path
  const entries = paths.map((p, i) => {
    const e = document.createElement("div");
    e.className = "gd-entry";
    e.title = p.label + " \u2014 click to hide or show";
    e.innerHTML = `<span class="gd-swatch"></span><b></b><i></i>`;
    e.querySelector(".gd-swatch").style.background = p.color;
    e.querySelector("b").textContent = p.name;
    e.querySelector("i").textContent = p.note;
    e.onclick = () => { st.hidden[p.name] = !st.hidden[p.name]; visibility(); };
    legend.appendChild(e);
    return e;
  });

  let geo = null, moving = [];
  const host = parentElement.host || parentElement;

  function room() {                        // the picture reaches down to the bottom of the window, no further
    const scroller = host.closest ? host.closest("[data-testid=stMain]") : null;
    const top = root.getBoundingClientRect().top + (scroller ? scroller.scrollTop : window.scrollY);
    return Math.max(340, Math.floor(window.innerHeight - top - 10));
  }

  function layout() {
    const total = room();
    const fixed = $(".gd-title").offsetHeight + 4 + $(".ge-controls").offsetHeight + 6;
    const width = Math.max(200, svg.parentElement.clientWidth - legend.offsetWidth - 10);
    const height = Math.max(220, total - fixed);
    const yTicks = niceTicks(data.y[0], data.y[1], Math.max(3, Math.floor(height / (px * 3.2))));
    const chars = Math.max(...yTicks.map(v => label(v).length));
    const m = {l: Math.ceil(chars * px * 0.55) + px + 14, r: 8, t: 6, b: 2 * px + 14};
    geo = {width, height, m, W: width - m.l - m.r, H: height - m.t - m.b, yTicks};
    geo.sx = x => m.l + (x - data.x[0]) / (data.x[1] - data.x[0]) * geo.W;
    geo.sy = y => m.t + (data.y[1] - y) / (data.y[1] - data.y[0]) * geo.H;
    geo.arrow = Math.max(30, 0.08 * Math.max(geo.W, geo.H));
    draw();
  }

  function point(p, j) {                   // screen position of step j of a lane, or null (not finite)
    const x = p.xy[2 * j], y = p.xy[2 * j + 1];
    if (x === null || y === null) return null;
    const clamp = v => Math.max(-1e5, Math.min(1e5, v));
    return [clamp(geo.sx(x)), clamp(geo.sy(y))];
  }

  function line(p, from, to) {             // an SVG path through steps from..to, broken where not finite
    let d = "", pen = false;
    for (let j = from; j <= to; j++) {
      const q = point(p, j);
      if (!q) { pen = false; continue; }
      d += (pen ? "L" : "M") + q[0].toFixed(1) + " " + q[1].toFixed(1);
      pen = true;
    }
    return d || "M0 0";
  }

  function direction(deg) {                // a data-space direction, as a unit vector on the stretched screen
    const r = deg * Math.PI / 180;
    const dx = Math.cos(r) * geo.W / (data.x[1] - data.x[0]), dy = -Math.sin(r) * geo.H / (data.y[1] - data.y[0]);
    const len = Math.hypot(dx, dy) || 1;
    return [dx / len, dy / len];
  }

  function draw() {
    const {width, height, m, W, H} = geo;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.innerHTML = "";
    const defs = el("defs", {}, svg);
    const clip = el("clipPath", {id: `gd-clip-${data.key}`}, defs);
    el("rect", {x: m.l, y: m.t, width: W, height: H}, clip);
    const head = (id, color) => {
      const mk = el("marker", {id, viewBox: "0 0 10 10", refX: 8, refY: 5, markerWidth: 5, markerHeight: 5,
                               orient: "auto-start-reverse", markerUnits: "strokeWidth"}, defs);
      el("path", {d: "M0 0 L10 5 L0 10 z", fill: color}, mk);
    };
    paths.forEach((p, i) => head(`gd-head-${data.key}-${i}`, p.color));
    head(`gd-head-${data.key}-v`, c.black);
    el("image", {href: data.image, x: m.l, y: m.t, width: W, height: H, preserveAspectRatio: "none"}, svg);
    el("rect", {x: m.l, y: m.t, width: W, height: H, fill: "none", stroke: c.frame, "stroke-width": 1}, svg);
    const axes = el("g", {class: "gd-axes"}, svg);
    for (const v of niceTicks(data.x[0], data.x[1], Math.max(3, Math.floor(W / (px * 4.5))))) {
      const x = geo.sx(v);
      el("line", {x1: x, x2: x, y1: m.t + H, y2: m.t + H + 5, stroke: c.frame}, axes);
      el("text", {x, y: m.t + H + 6 + px * 0.9, "text-anchor": "middle"}, axes).textContent = label(v);
    }
    for (const v of geo.yTicks) {
      const y = geo.sy(v);
      el("line", {x1: m.l - 5, x2: m.l, y1: y, y2: y, stroke: c.frame}, axes);
      el("text", {x: m.l - 8, y: y + px * 0.35, "text-anchor": "end"}, axes).textContent = label(v);
    }
    el("text", {x: m.l + W / 2, y: height - 4, "text-anchor": "middle", "font-style": "italic"}, axes).textContent = "x";
    el("text", {x: px * 0.5, y: m.t + H / 2, "text-anchor": "middle", "font-style": "italic"}, axes).textContent = "y";
    const inside = el("g", {"clip-path": `url(#gd-clip-${data.key})`}, svg);
    moving = paths.map((p, i) => {
      const g = el("g", {class: "gd-lane"}, inside);
      el("path", {d: line(p, 0, p.xy.length / 2 - 1), fill: "none", stroke: p.color, "stroke-width": 2,
                  opacity: 0.75, "stroke-linejoin": "round"}, g);
      const trail = el("path", {fill: "none", stroke: p.color, "stroke-width": 4, "stroke-linejoin": "round",
                                "stroke-linecap": "round"}, g);
      const down = data.arrows ? el("line", {stroke: p.color, "stroke-width": 2.5, "stroke-dasharray": "4 3",
                                              "marker-end": `url(#gd-head-${data.key}-${i})`}, g) : null;
      const vel = p.velocity ? el("line", {stroke: c.black, "stroke-width": 2.5,
                                           "marker-end": `url(#gd-head-${data.key}-v)`}, g) : null;
      const dot = el("circle", {r: 7, fill: p.color, stroke: c.black, "stroke-width": 1.5}, g);
      const tip = el("title", {}, dot);
      return {g, trail, down, vel, dot, tip};
    });
    for (const [x, y] of data.minima) {    // a star at each known minimum
      const cx = geo.sx(x), cy = geo.sy(y), pts = [];
      for (let a = 0; a < 10; a++) {
        const r = a % 2 ? 4.5 : 11, t = Math.PI / 2 + a * Math.PI / 5;
        pts.push((cx + r * Math.cos(t)).toFixed(1) + "," + (cy - r * Math.sin(t)).toFixed(1));
      }
      const star = el("polygon", {points: pts.join(" "), fill: c.paper, stroke: c.black, "stroke-width": 1.5}, inside);
      el("title", {}, star).textContent = `minimum (${x}, ${y})`;
    }
    visibility();
    show(st.k);
  }

  function visibility() {
    paths.forEach((p, i) => {
      const off = !!st.hidden[p.name];          // by name: kept while its settings change
      entries[i].classList.toggle("off", off);
      if (moving[i]) moving[i].g.style.display = off ? "none" : "";
    });
  }

  function show(k) {
    st.k = Math.max(0, Math.min(n, Math.round(k)));
    paths.forEach((p, i) => {
      const mv = moving[i];
      if (!mv) return;
      const last = p.xy.length / 2 - 1, j = Math.min(st.k, last);
      mv.trail.setAttribute("d", line(p, Math.max(0, j - 30), j));
      const q = point(p, j);
      mv.dot.style.display = q ? "" : "none";
      if (!q) { if (mv.down) mv.down.style.display = "none"; if (mv.vel) mv.vel.style.display = "none"; return; }
      mv.dot.setAttribute("cx", q[0]); mv.dot.setAttribute("cy", q[1]);
      mv.tip.textContent = `${p.label}\nstep ${j}: (${p.xy[2 * j]}, ${p.xy[2 * j + 1]})` +
        (p.diverged_at !== null && j >= p.diverged_at ? `\ndiverged at step ${p.diverged_at}` : "");
      const arrow = (node, deg, length) => {
        if (!node) return;
        if (deg === null || deg === undefined || !(length > 0.5)) { node.style.display = "none"; return; }
        const [ux, uy] = direction(deg);
        node.style.display = "";
        node.setAttribute("x1", q[0]); node.setAttribute("y1", q[1]);
        node.setAttribute("x2", q[0] + ux * length); node.setAttribute("y2", q[1] + uy * length);
      };
      if (mv.down) arrow(mv.down, p.down[j], geo.arrow);
      if (mv.vel) arrow(mv.vel, p.velocity[2 * j], (p.velocity[2 * j + 1] || 0) / 100 * 2 * geo.arrow);
    });
    slider.value = String(st.k);
    $(".ge-count").textContent = `step ${st.k} of ${n}`;
    root.dataset.step = String(st.k);
  }

  // Play: every step in turn, the whole race in 2.5 to 6 seconds whatever its length
  let frame = null;
  const duration = Math.min(6000, Math.max(2500, n * 40));
  function stop() {
    if (frame) cancelAnimationFrame(frame);
    frame = null;
    playButton.textContent = "\u25b6 Play"; playButton.setAttribute("aria-pressed", "false");
    root.dataset.playing = "0";
  }
  function play() {
    if (st.k >= n) show(0);
    const k0 = st.k, t0 = performance.now();
    playButton.textContent = "\u275a\u275a Pause"; playButton.setAttribute("aria-pressed", "true");
    root.dataset.playing = "1";
    const tick = now => {
      const k = k0 + (now - t0) / duration * n;
      show(Math.min(n, k));
      frame = k >= n ? null : requestAnimationFrame(tick);
      if (!frame) stop();
    };
    frame = requestAnimationFrame(tick);
  }
  playButton.onclick = () => (frame ? stop() : play());
  slider.oninput = () => { stop(); show(parseInt(slider.value, 10)); };

  // a click (not a drag) on the surface: start there
  let down = null;
  svg.addEventListener("pointerdown", e => { down = [e.clientX, e.clientY]; });
  svg.addEventListener("click", e => {
    if (!geo || !down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
    const r = svg.getBoundingClientRect();
    const sx = e.clientX - r.left, sy = e.clientY - r.top, {m, W, H} = geo;
    if (sx < m.l || sx > m.l + W || sy < m.t || sy > m.t + H) return;
    const x = data.x[0] + (sx - m.l) / W * (data.x[1] - data.x[0]);
    const y = data.y[1] - (sy - m.t) / H * (data.y[1] - data.y[0]);
    el("circle", {cx: sx, cy: sy, r: 9, fill: "none", stroke: c.mark, "stroke-width": 3, class: "gd-picked"}, svg);
    setTriggerValue("picked", {x: Math.round(x * 1000) / 1000, y: Math.round(y * 1000) / 1000});
  });

  stop();
  layout();
  const watcher = new ResizeObserver(() => {
    const w = svg.parentElement.clientWidth;
    if (geo && Math.abs(w - legend.offsetWidth - 10 - geo.width) > 1) layout();
  });
  watcher.observe(root);
  const onResize = () => layout();              // a taller or shorter window: the picture follows
  window.addEventListener("resize", onResize);
  root.dataset.ready = "1";
  preloadPlotly(data.preload);
  return () => { stop(); watcher.disconnect(); window.removeEventListener("resize", onResize); };
}
