// datasette-vega on demand (templates/_grafiek_knop.html): about 300 KB compressed and most of a second of a
// phone's CPU that most visitors of a table never use. Its script sets up its chart form in a
// DOMContentLoaded listener; loaded later, that moment has passed, so the listener it registers while it
// runs is caught here and called once it has loaded.
(function () {
  const button = document.getElementById("grafiek-maken");
  if (!button) return;
  function load() {
    if (button.disabled) return;
    button.disabled = true;
    if (button.dataset.css) {
      const link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = button.dataset.css;
      document.head.appendChild(link);
    }
    const listeners = [];
    const addEventListener = document.addEventListener;
    document.addEventListener = function (type, listener, options) {
      if (type === "DOMContentLoaded") listeners.push(listener);
      else addEventListener.call(this, type, listener, options);
    };
    const script = document.createElement("script");
    script.src = button.dataset.js;
    script.onload = () => {
      document.addEventListener = addEventListener;
      const event = new Event("DOMContentLoaded");
      for (const listener of listeners) listener.call(document, event);
      button.closest(".grafiek-maken").remove();
      // the visitor asked for a chart: open datasette-vega's form at once, not behind its own second button
      const open = document.querySelector(".datasette-vega-inactive button");
      if (open) open.click();
    };
    script.onerror = () => {
      document.addEventListener = addEventListener;
      button.disabled = false;
    };
    document.head.appendChild(script);
  }
  button.addEventListener("click", load);
  // a link to a chart (datasette-vega keeps its settings in the fragment: #g.mark=...) opens with it
  if (location.hash.startsWith("#g.")) load();
})();
