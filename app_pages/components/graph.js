// A graph on the Graph page: the SVG laid out on the server, shown by the projector-sized viewer.
export default function (component) {
  const {data, parentElement} = component;
  const host = parentElement.querySelector(".ge-graphview") || parentElement.appendChild(document.createElement("div"));
  host.className = "ge-graphview";
  const viewer = makeViewer(host, data.svg, {minPx: data.min_px, fontPt: 18, below: data.below || 24,
                                             height: data.height || 0});
  host.dataset.ready = "1";
  preloadPlotly(data.preload);          // a loop's charts and the Plotly views come later
  return () => viewer.destroy();
}
