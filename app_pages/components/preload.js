// Streamlit loads its Plotly chart code (a 4.7 MB chunk) the first time a page draws a Plotly chart, and
// the browser then spends a second or more compiling it. A picture that is not Plotly calls this with the
// chunk's file name: once the page has been idle two seconds, the chunk is imported ahead of time, so the
// first chart that needs it (a loop's charts, a replay, another tab) does not wait for it. `busy()`, if
// given, says the picture is moving (the playground playing): compiling the chunk would freeze it for most
// of a second, so the import waits until it is still.
let plotlyPreloading = false;
function preloadPlotly(name, busy) {
  if (!name || plotlyPreloading) return;
  const index = [...document.querySelectorAll("script[src]")].find(s => /\/static\/js\/index\.[^/]+\.js/.test(s.src));
  if (!index) return;
  plotlyPreloading = true;
  const url = index.src.replace(/index\.[^/]+\.js.*$/, name);
  const later = () => setTimeout(attempt, 1000);
  const attempt = () => busy && busy() ? later() :
    (window.requestIdleCallback || setTimeout)(() => busy && busy() ? later() : import(url).catch(() => {}), {timeout: 3000});
  setTimeout(attempt, 2000);
}
