// A graph picture that reads on a projector: the SVG is shown at the largest size that fits, but never
// so small that its label text is under MIN_PX tall on screen; past that the picture pans (drag, wheel)
// and zooms (buttons, Ctrl+wheel, pinch). Shared by the Graph page and the step-through.
function makeViewer(host, svgText, opts) {
  const minPx = opts.minPx || 16, fontPt = opts.fontPt || 18, maxScale = opts.maxScale || 1.6;
  host.innerHTML = "";
  const bar = document.createElement("div");
  bar.className = "ge-zoombar";
  const view = document.createElement("div");
  view.className = "ge-view";
  const layer = document.createElement("div");
  layer.className = "ge-layer";
  layer.innerHTML = svgText;
  view.appendChild(layer);
  view.appendChild(bar);                   // the zoom buttons float over the picture's top-right corner
  host.appendChild(view);
  const svg = layer.querySelector("svg");
  const vb = svg.viewBox.baseVal;
  const W = vb && vb.width ? vb.width : svg.width.baseVal.value, H = vb && vb.height ? vb.height : svg.height.baseVal.value;
  svg.setAttribute("width", W);            // one SVG unit = one CSS pixel at scale 1: text is fontPt px tall
  svg.setAttribute("height", H);
  const floor = minPx / fontPt;            // the smallest scale at which text stays minPx tall
  let scale = 1, x = 0, y = 0;

  function size() {                       // down to the bottom of the window: the picture is never below the fold
    const top = view.getBoundingClientRect().top + window.scrollY;
    const room = opts.height || (window.innerHeight - top - (opts.below || 8));
    view.style.height = Math.max(opts.minHeight || 280, Math.floor(room)) + "px";
  }
  function apply() {
    layer.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    label.textContent = Math.round(scale * fontPt) + " px text";
  }
  function fit() {
    size();
    const vw = view.clientWidth, vh = view.clientHeight;
    const whole = Math.min(vw / W, vh / H);
    scale = Math.min(maxScale, Math.max(floor, whole));
    x = Math.max(0, (vw - W * scale) / 2);
    y = Math.max(0, (vh - H * scale) / 2);
    if (W * scale > vw && opts.anchor) {   // too wide even at the floor: start at the anchor (the step's node)
      x = 0;
    }
    apply();
  }
  function zoom(f, cx, cy) {
    const next = Math.min(4, Math.max(0.05, scale * f));
    if (cx === undefined) { cx = view.clientWidth / 2; cy = view.clientHeight / 2; }
    x = cx - (cx - x) * next / scale;
    y = cy - (cy - y) * next / scale;
    scale = next;
    apply();
  }
  function centerOn(el) {               // keep an element in sight (the step-through's focus)
    if (!el) return;
    const vr = view.getBoundingClientRect(), r = el.getBoundingClientRect();
    const margin = 40;
    if (r.left < vr.left + margin || r.right > vr.right - margin) x += (vr.left + vr.width / 2) - (r.left + r.width / 2);
    if (r.top < vr.top + margin || r.bottom > vr.bottom - margin) y += (vr.top + vr.height / 2) - (r.top + r.height / 2);
    apply();
  }
  const button = (text, title, fn) => {
    const b = document.createElement("button");
    b.type = "button"; b.textContent = text; b.title = title; b.onclick = fn;
    bar.appendChild(b);
    return b;
  };
  button("−", "Zoom out", () => zoom(1 / 1.25));
  button("Fit", "Fit the graph (text never under " + minPx + " px)", fit);
  button("+", "Zoom in", () => zoom(1.25));
  const label = document.createElement("span");
  label.className = "ge-scale";
  bar.appendChild(label);
  bar.title = "Drag to pan, Ctrl+wheel (or pinch) to zoom";

  let drag = null;
  view.addEventListener("pointerdown", e => { if (e.target.closest && e.target.closest(".ge-zoombar")) return; drag = {px: e.clientX, py: e.clientY, x, y}; view.setPointerCapture(e.pointerId); });
  view.addEventListener("pointermove", e => { if (drag) { x = drag.x + e.clientX - drag.px; y = drag.y + e.clientY - drag.py; apply(); } });
  view.addEventListener("pointerup", () => { drag = null; });
  view.addEventListener("wheel", e => {
    const r = view.getBoundingClientRect();
    if (e.ctrlKey || e.metaKey) { e.preventDefault(); zoom(Math.exp(-e.deltaY / 300), e.clientX - r.left, e.clientY - r.top); return; }
    const fits = W * scale <= view.clientWidth && H * scale <= view.clientHeight;
    if (fits) return;                    // nothing to pan: let the page scroll
    e.preventDefault(); x -= e.deltaX; y -= e.deltaY; apply();
  }, {passive: false});
  const onResize = () => fit();
  window.addEventListener("resize", onResize);
  fit();
  requestAnimationFrame(() => { const before = view.style.height; size(); if (view.style.height !== before) fit(); });
  return {svg, fit, centerOn, destroy: () => window.removeEventListener("resize", onResize)};
}
