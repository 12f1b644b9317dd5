// Outline maps for plans and doorbraaklocaties (plugins/portal_geo.py includes this file).
// Row pages get their own map in #portal-kaart; table pages get outlines drawn onto the
// one map on the page: the plannen table's plan map (static/kaart.js) or else the one
// datasette-cluster-map makes. Data only ever reaches the DOM as text (textContent),
// never as HTML: plan names come from suppliers.
const cfg = window.PORTAL_KAART || {};
const PLAN_STYLE = { color: "#b0125b", weight: 2, opacity: 0.9, fillColor: "#b0125b", fillOpacity: 0.18 };
const OUTLINE_ZOOM = 11;  // about 40 km across: from here the plannen table's map draws the view's plan areas
const SITE_STYLE = { color: "#0b4f9c", weight: 3, opacity: 0.9, fillColor: "#0b4f9c", fillOpacity: 0.08, dashArray: "8 5" };

function loadLeaflet() {
  const css = window.datasette.leaflet.CSS_URL;
  if (![...document.querySelectorAll("link[rel=stylesheet]")].some((l) => l.getAttribute("href") === css)) {
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = css;
    document.head.appendChild(link);
  }
  return import(window.datasette.leaflet.JAVASCRIPT_URL).then(() => window.L);
}

function textLabel(text) {
  const el = document.createElement("span");
  el.textContent = text == null ? "" : String(text);
  return el;
}

function geojsonUrl(path, params) {
  const url = new URL(path + ".geojson", location.origin);
  for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, v);
  return url;
}

async function fetchGeojson(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error("GeoJSON " + response.status);
  return response.json();
}

const isArea = (f) => f.geometry && /Polygon$/.test(f.geometry.type);

function outlines(L, data, style, labelOf) {
  return L.geoJSON(data, {
    filter: isArea,
    style: () => style,
    interactive: false,
    onEachFeature: (feature, layer) => {
      if (labelOf) {
        layer.bindTooltip(textLabel(labelOf(feature)), { permanent: true, direction: "center", className: "portal-kaart-label" });
      }
    },
  });
}

function baseMap(L, element) {
  const map = L.map(element, { portalKaart: true, scrollWheelZoom: false });
  if (cfg.tile_layer) L.tileLayer(cfg.tile_layer, cfg.tile_layer_options).addTo(map);
  return map;
}

async function rowMap(L, element) {
  const map = baseMap(L, element);
  const data = await fetchGeojson(geojsonUrl(location.pathname));
  const site = cfg.table === "doorbraaklocaties";
  const layers = L.featureGroup().addTo(map);
  outlines(L, data, site ? SITE_STYLE : PLAN_STYLE, site ? (f) => f.properties.naam : null).addTo(layers);
  for (const f of data.features) {
    const p = f.properties;
    if (p.latitude != null && p.longitude != null && !(site && isArea(f))) {
      L.circleMarker([p.latitude, p.longitude], { radius: 7, color: "#b0125b", weight: 3, fillOpacity: 0.6 }).addTo(layers);
    }
  }
  if (site && data.features.length) {
    const name = data.features[0].properties.naam;
    const plans = await fetchGeojson(geojsonUrl(`/${cfg.database}/plannen`, { doorbraaklocatie: name, _size: "max" }));
    outlines(L, plans, PLAN_STYLE).addTo(layers);
  }
  const bounds = layers.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] });
  else map.setView([52.2, 5.3], 7);
  element.dataset.kaartKlaar = String(layers.getLayers().length);
}

async function tableOutlines(L, map) {
  const params = Object.fromEntries(new URLSearchParams(location.search));
  delete params._next;
  const data = await fetchGeojson(geojsonUrl(location.pathname, { ...params, _size: "max" }));
  const site = cfg.table === "doorbraaklocaties";
  const layer = outlines(L, data, site ? SITE_STYLE : PLAN_STYLE, site ? (f) => f.properties.naam : null).addTo(map);
  layer.bringToBack();
  map.getContainer().dataset.omtrekken = String(layer.getLayers().length);
}

const box = document.getElementById("portal-kaart");
if (box) {
  loadLeaflet().then((L) => rowMap(L, box)).catch((e) => { box.dataset.fout = String(e); });
} else if (document.body.classList.contains("table")) {
  const drawOutlines = (L, map) => tableOutlines(L, map).catch((e) => { map.getContainer().dataset.fout = String(e); });
  const planMap = document.querySelector(".plankaart[data-replaces-cluster-map]");
  if (planMap) {
    // the plannen table's own map (static/kaart.js): outlines once every plan is on it, so that
    // drawing up to 1,000 areas does not hold the markers up
    const shown = "loaded" in planMap.dataset ? Promise.resolve()
      : new Promise((resolve) => planMap.addEventListener("plankaart:loaded", resolve, { once: true }));
    // Only once zoomed in to OUTLINE_ZOOM: further out up to 1,000 areas are specks of a pixel, and
    // fetching and drawing them cost a phone about 150 KB and a second of its CPU on every table visit.
    Promise.all([loadLeaflet(), shown]).then(([L]) => {
      const map = planMap.planMap.map;
      const whenZoomedIn = () => {
        if (map.getZoom() < OUTLINE_ZOOM) return;
        map.off("zoomend", whenZoomedIn);
        drawOutlines(L, map);
      };
      map.on("zoomend", whenZoomedIn);
      whenZoomedIn();
    });
  } else {
    // Register before datasette-cluster-map creates its map (it first loads markercluster too).
    loadLeaflet().then((L) => {
      L.Map.addInitHook(function () {
        if (!this.options.portalKaart) drawOutlines(L, this);
      });
    });
  }
}
