// A plan's outline (or its point when no plan area is known) on the public plan page.
(function () {
  async function show(el) {
    const cfg = el.dataset;
    if (!window.L) await import(cfg.leafletJs);  // an ES module that sets window.L
    const map = L.map(el, { keyboard: true });
    if (cfg.tiles) L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    const lat = parseFloat(cfg.lat), lon = parseFloat(cfg.lon);
    const point = () => {
      if (!isNaN(lat) && !isNaN(lon)) {
        L.circleMarker([lat, lon], { radius: 8, color: "#01689b", weight: 3, fillOpacity: 0.6 }).addTo(map);
        map.setView([lat, lon], 14);
      } else {
        map.setView([52.2, 5.3], 7);
      }
      el.dataset.drawn = "point";
    };
    fetch(cfg.geometryUrl)
      .then((r) => r.json())
      .then((rows) => {
        const geometry = rows.length && rows[0].geometrie;
        if (!geometry) return point();
        const layer = L.geoJSON(JSON.parse(geometry), { style: { color: "#01689b", weight: 3, fillOpacity: 0.25 } }).addTo(map);
        map.fitBounds(layer.getBounds(), { maxZoom: 17 });
        el.dataset.drawn = "outline";
      })
      .catch(point);
  }
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll(".planvorm").forEach(show));
})();
