// Public plan maps: every plan from /-/kaartdata.json as clustered markers.
// Configuration comes from data- attributes on each .plankaart element, so the same
// script serves the home page, the map page and municipality pages. Data is only ever
// put into the page as text (textContent), never as HTML: plan names may be hostile.
(function () {
  // Leaflet (datasette-leaflet) ships as an ES module that sets window.L.
  async function leafletReady(cfg) {
    if (!window.L) await import(cfg.leafletJs);
    if (cfg.clusterJs && !window.L.markerClusterGroup) await import(cfg.clusterJs);
  }

  function popupContent(plan, linkPrefix, labels) {
    const div = document.createElement("div");
    const a = document.createElement("a");
    a.href = linkPrefix + encodeURIComponent(plan.plan_id);
    a.textContent = plan.naam;
    const strong = document.createElement("strong");
    strong.appendChild(a);
    const p = document.createElement("p");
    p.textContent = `${plan.gemeente} · ${plan.woningen} ${labels.woningen} · ${plan.planstatus}`;
    div.append(strong, p);
    return div;
  }

  async function initMap(el) {
    const cfg = el.dataset;
    await leafletReady(cfg);
    const labels = { woningen: cfg.labelWoningen || "woningen", plannen: cfg.labelPlannen || "plannen" };
    const map = L.map(el, { keyboard: true, preferCanvas: true }).setView([52.2, 5.3], 7);
    if (cfg.tiles) {
      // Tiles are decoration: markers render whether or not they load.
      L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
    }
    const cluster = L.markerClusterGroup({ chunkedLoading: true, maxClusterRadius: 50 });
    map.addLayer(cluster);
    const status = document.getElementById(cfg.statusId || "") || null;
    const icon = L.divIcon({ className: "plan-marker", iconSize: [12, 12] });

    function load(query) {
      cluster.clearLayers();
      if (status) status.textContent = cfg.labelLoading || "Laden…";
      return fetch(cfg.src + (query ? "?" + query : ""))
        .then((r) => r.json())
        .then((data) => {
          const cols = data.columns;
          const markers = data.rows.map((row) => {
            const plan = Object.fromEntries(cols.map((c, i) => [c, row[i]]));
            const marker = L.marker([plan.latitude, plan.longitude], { icon: icon, title: plan.naam, alt: plan.naam });
            marker.bindPopup(() => popupContent(plan, cfg.linkPrefix, labels));
            return marker;
          });
          cluster.addLayers(markers);
          if (markers.length) map.fitBounds(cluster.getBounds(), { maxZoom: 14 });
          el.dataset.loaded = String(markers.length);
          if (status) status.textContent = `${markers.length.toLocaleString(document.documentElement.lang === "en" ? "en-GB" : "nl-NL")} ${labels.plannen}`;
        })
        .catch(() => {
          if (status) status.textContent = cfg.labelError || "Kaartgegevens konden niet geladen worden.";
        });
    }
    el.planMap = { map: map, load: load };
    load(cfg.query || "");
    const form = cfg.formId && document.getElementById(cfg.formId);
    if (form) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const params = new URLSearchParams();
        for (const [k, v] of new FormData(form)) if (v) params.append(k, v);
        load(params.toString());
        history.replaceState(null, "", "?" + params.toString());
      });
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".plankaart").forEach(initMap);
  });
})();
