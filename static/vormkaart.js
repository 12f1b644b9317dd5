// Outline maps on public pages: a plan's area (or point) and the doorbraaklocaties.
// Reads GeoJSON from data-geojson-url; labels come from data-label-field and are set as
// text (Leaflet tooltips built from DOM nodes), never as HTML.
(function () {
  const STYLE = { color: "#01689b", weight: 3, fillOpacity: 0.2 };

  function label(text) {
    const span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span;
  }

  async function show(el) {
    const cfg = el.dataset;
    if (!window.L) await import(cfg.leafletJs); // an ES module that sets window.L
    const map = L.map(el, { keyboard: true }).setView([52.2, 5.3], 7);
    if (cfg.tiles) L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    try {
      const data = await (await fetch(cfg.geojsonUrl)).json();
      let outlines = 0;
      const layer = L.geoJSON(data, {
        style: () => STYLE,
        pointToLayer: (feature, latlng) => L.circleMarker(latlng, { radius: 8, ...STYLE, fillOpacity: 0.6 }),
        onEachFeature: (feature, lyr) => {
          if (/Polygon$/.test(feature.geometry?.type || "")) outlines += 1;
          const text = cfg.labelField && feature.properties?.[cfg.labelField];
          if (text) lyr.bindTooltip(label(text), { permanent: true, direction: "center", className: "vorm-label" });
        },
      }).addTo(map);
      if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { maxZoom: 16, padding: [20, 20] });
      el.dataset.drawn = outlines ? "outline" : layer.getLayers().length ? "point" : "none";
      el.dataset.outlines = String(outlines);
    } catch (e) {
      el.dataset.drawn = "error";
    }
  }
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".vormkaart").forEach(show));
})();
