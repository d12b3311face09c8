// The dashboard's live updates (issue 10 §3), loaded as a file: the Content-Security-Policy
// allows no inline script. The page's body names the feed in data-live; each change of the
// partner (a run started anywhere, a status, an API change) fires one "omnia-changed" event
// on the body, debounced, and every live region (hx-trigger="omnia-changed from:body")
// reloads itself through htmx.
(() => {
  const feed = document.body.dataset.live;
  if (!feed || typeof EventSource === "undefined") return;
  let timer = null;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => document.body.dispatchEvent(new CustomEvent("omnia-changed")), 150);
  };
  const source = new EventSource(feed);
  source.addEventListener("change", changed);
  document.body.dataset.liveState = "connecting";
  source.addEventListener("open", () => {
    document.body.dataset.liveState = "open";
  });
  source.addEventListener("error", () => {
    document.body.dataset.liveState = "retrying";
  });
  // The button's answer is announced by its own role=status; a reloaded region says nothing.
  window.addEventListener("pagehide", () => source.close());
})();
