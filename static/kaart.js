// Public plan maps: every plan from /-/kaartdata.json, clustered in the browser.
// Configuration comes from data- attributes on each .plankaart element, so the same
// script serves the home page, the map page, municipality pages and the plannen table.
// Supercluster indexes every point once (about 0.2 s for 30,000 plans; Leaflet.markercluster
// needed 0.7 s and more) and only the clusters and plans in view become Leaflet markers.
// The script comes right after its map element (templates/_plankaart.html) and starts the map
// at once, while the rest of the page still loads; the data was preloaded by the template.
// When more plans match than the server sends one by one, /-/kaartdata.json answers with counts
// per grid cell ("cellen"); from DETAIL_ZOOM on, the map asks for the plans of its view (bbox).
// From OUTLINE_ZOOM on it also draws the plan areas of its view under the markers, simplified for
// the zoom level by /-/plangebieden.json (plugins/map_data.py); zoomed out again, they go.
// Data is only ever put into the page as text (textContent), never as HTML: plan names may
// be hostile.
(function () {
  const NUMBER_LOCALE = () => (document.documentElement.lang === "en" ? "en-GB" : "nl-NL");
  const MAX_ZOOM = 19;
  const LIST_LIMIT = 100;  // plans listed in the popup of a cluster that no zoom level splits
  const DETAIL_ZOOM = 11;  // about 40 km across: from here a map of counts asks for the plans in view
  const OUTLINE_ZOOM = 14;  // about 7 km across 1,280 pixels: from here outlines are readable and the map draws them
  // the plan area's colours of the row and table maps (static/portal-maps.js PLAN_STYLE)
  const OUTLINE_STYLE = { color: "#b0125b", weight: 2, opacity: 0.9, fillColor: "#b0125b", fillOpacity: 0.18,
                          className: "plan-omtrek" };

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error("could not load " + src));
      document.head.appendChild(script);
    });
  }

  // Leaflet (datasette-leaflet) ships as an ES module that sets window.L; Supercluster is a UMD script.
  function librariesReady(cfg) {
    return Promise.all([
      window.L ? null : import(cfg.leafletJs),
      window.Supercluster ? null : loadScript(cfg.superclusterJs),
    ]);
  }

  function fetchPlans(url) {
    return fetch(url).then((r) => {
      if (!r.ok) throw new Error("kaartdata " + r.status);
      return r.json();
    });
  }

  // Datasette's row URLs tilde-encode the key (datasette.utils.tilde_encode): a "." would read as a format
  const TILDE_SAFE = /^[A-Za-z0-9_-]$/;
  function tildeEncode(text) {
    return Array.from(new TextEncoder().encode(text), (b) => {
      const c = String.fromCharCode(b);
      return TILDE_SAFE.test(c) ? c : b === 32 ? "+" : "~" + b.toString(16).toUpperCase().padStart(2, "0");
    }).join("");
  }

  function planLink(plan, linkPrefix, tilde) {
    const a = document.createElement("a");
    a.href = linkPrefix + (tilde ? tildeEncode(plan.plan_id) : encodeURIComponent(plan.plan_id));
    a.textContent = plan.naam;
    return a;
  }

  function popupContent(plan, linkPrefix, tilde, labels) {
    const div = document.createElement("div");
    const strong = document.createElement("strong");
    strong.appendChild(planLink(plan, linkPrefix, tilde));
    const p = document.createElement("p");
    p.textContent = `${plan.gemeente || "–"} · ${plan.netto} ${labels.woningen} · ${plan.planstatus}`;
    div.append(strong, p);
    return div;
  }

  // Plans on (nearly) the same spot stay one cluster at every zoom level: list them instead.
  function listContent(plans, total, linkPrefix, tilde) {
    const ul = document.createElement("ul");
    ul.className = "kaart-lijst";
    for (const plan of plans) {
      const li = document.createElement("li");
      li.appendChild(planLink(plan, linkPrefix, tilde));
      ul.appendChild(li);
    }
    if (total > plans.length) {
      const li = document.createElement("li");
      li.textContent = `… (+${total - plans.length})`;
      ul.appendChild(li);
    }
    return ul;
  }

  function clusterIcon(count) {
    // Leaflet.markercluster's classes and markup, so its stylesheet draws the bubbles
    const size = count < 10 ? "small" : count < 100 ? "medium" : "large";
    const span = document.createElement("span");
    span.textContent = String(count);
    const div = document.createElement("div");
    div.appendChild(span);
    return L.divIcon({ html: div, className: `marker-cluster marker-cluster-${size}`, iconSize: [40, 40] });
  }

  async function initMap(el) {
    const cfg = el.dataset;
    const labels = {
      woningen: cfg.labelWoningen || "woningen", plannen: cfg.labelPlannen || "plannen",
      zonderPunt: cfg.labelZonderPunt || "zonder bekende ligging, niet op de kaart",
      cluster: cfg.labelCluster || "plannen, inzoomen",
      cellen: cfg.labelCellen || "geteld per gebied; zoom in voor de afzonderlijke plannen",
    };
    const status = document.getElementById(cfg.statusId || "") || null;
    const tilde = cfg.linkEncoding === "tilde";
    const url = (query) => cfg.src + (query ? "?" + query : "");
    const withBbox = (query, bbox) => (query ? query + "&" : "") + "bbox=" + bbox;
    // next to the map data (same prefix); the plannen table's map has its outlines from the table (portal-maps.js)
    const outlineSrc = "replacesClusterMap" in cfg ? null : new URL("plangebieden.json", new URL(cfg.src, location.href)).href;
    // the data and the libraries load side by side
    const first = fetchPlans(url(cfg.query || ""));
    first.catch(() => {});  // handled in load()
    await librariesReady(cfg);

    const map = L.map(el, { keyboard: true, maxZoom: MAX_ZOOM }).setView([52.2, 5.3], 7);
    if (cfg.tiles) {
      // Tiles are decoration: markers render whether or not they load.
      L.tileLayer(cfg.tiles, { maxZoom: MAX_ZOOM, attribution: cfg.attribution || "" }).addTo(map);
    }
    const layer = L.layerGroup().addTo(map);
    const icon = L.divIcon({ className: "plan-marker", iconSize: [12, 12] });
    // kept clear of the zoom buttons (top left) when the map pans to show it
    const popup = L.popup({ maxHeight: 260, autoPanPaddingTopLeft: L.point(60, 24), autoPanPaddingBottomRight: L.point(16, 16) });
    let base = null;     // the answer for the filters: plans, or counts per cell
    let detail = null;   // when base holds counts: the answer for the view, once zoomed in
    let pending = null;  // the bbox of a view's answer on its way
    let query = cfg.query || "";
    let datasets = 0;
    let shown = new Map();  // key -> marker, so markers in view survive a pan (and keep focus)
    let generation = 0;
    let outlineLayer = null;    // the plan areas drawn, with the view and zoom they were asked for
    let outlineFor = null;
    let outlinePending = null;  // the request on its way: an answer for another one is stale

    // One answer with its Supercluster index; a feature counts n plans (a cell: its count)
    function dataset(data, bounds) {
      const cells = data.cellen ? data.cellen.rows : null;
      const features = cells
        ? cells.map((c, j) => ({ type: "Feature", properties: { c: j, n: c[2] }, geometry: { type: "Point", coordinates: [c[1], c[0]] } }))
        : data.rows.map((row, i) => ({ type: "Feature", properties: { i, n: 1 }, geometry: { type: "Point", coordinates: [row[3], row[2]] } }));
      // extent 256: the radius is in Leaflet screen pixels (256-pixel tiles), as markercluster's was
      const index = new Supercluster({
        radius: 50, extent: 256, maxZoom: MAX_ZOOM, map: (p) => ({ n: p.n }), reduce: (a, p) => { a.n += p.n; },
      }).load(features);
      const total = typeof data.plannen === "number" ? data.plannen : data.rows.length;
      return { id: ++datasets, plans: data.rows, cells, index, total, bounds, zoom: map.getZoom(),
               unplaced: data.zonder_punt || 0 };
    }

    function plan(set, i) {
      const row = set.plans[i];
      return { plan_id: row[0], naam: row[1], latitude: row[2], longitude: row[3], netto: row[4],
               planstatus: row[5], gemeente: row[6] };
    }

    function openPopup(latlng, content, byKeyboard) {
      popup.setLatLng(latlng).setContent(content).openOn(map);
      // from the keyboard, go on in the popup (its links come after every marker in tab order)
      if (byKeyboard) popup.getElement().querySelector("a")?.focus();
    }

    function zoomTo(latlng, zoom, byKeyboard) {
      // the focused bubble goes away with the zoom: Tab goes on from the map, to the new markers
      if (byKeyboard) map.once("moveend", () => el.focus({ preventScroll: true }));
      map.setView(latlng, zoom);
    }

    function openCluster(set, feature, latlng, byKeyboard) {
      const id = feature.properties.cluster_id;
      const zoom = set.index.getClusterExpansionZoom(id);
      if (set.cells) {  // counts: zoom in, to the plans themselves at the latest
        zoomTo(latlng, Math.max(Math.min(zoom, DETAIL_ZOOM), map.getZoom() + 1), byKeyboard);
        return;
      }
      if (zoom <= MAX_ZOOM) {
        zoomTo(latlng, zoom, byKeyboard);
        return;
      }
      const leaves = set.index.getLeaves(id, LIST_LIMIT).map((f) => plan(set, f.properties.i));
      openPopup(latlng, listContent(leaves, feature.properties.point_count, cfg.linkPrefix, tilde), byKeyboard);
    }

    // Leaflet 1.7 fires "keypress" on a focused marker (Enter opens it), "click" for the mouse
    function onActivate(m, action) {
      m.on("click keypress", (e) => {
        if (e.type === "keypress" && e.originalEvent.key !== "Enter") return;
        action(e.type === "keypress");
      });
      return m;
    }

    function marker(set, feature) {
      const [lon, lat] = feature.geometry.coordinates;
      const latlng = L.latLng(lat, lon);
      if (feature.properties.cluster || set.cells) {
        const count = feature.properties.n;
        const title = `${count.toLocaleString(NUMBER_LOCALE())} ${labels.cluster}`;
        const open = feature.properties.cluster
          ? (byKeyboard) => openCluster(set, feature, latlng, byKeyboard)
          : (byKeyboard) => zoomTo(latlng, Math.max(map.getZoom() + 2, DETAIL_ZOOM), byKeyboard);
        return onActivate(L.marker(latlng, { icon: clusterIcon(count), title: title }), open);
      }
      const p = plan(set, feature.properties.i);
      return onActivate(L.marker(latlng, { icon: icon, title: p.naam, alt: p.naam }),
                        (byKeyboard) => openPopup(latlng, popupContent(p, cfg.linkPrefix, tilde, labels), byKeyboard));
    }

    function clamp(b) {
      return [Math.max(b.getWest(), -180), Math.max(b.getSouth(), -85), Math.min(b.getEast(), 180), Math.min(b.getNorth(), 85)];
    }

    // The plans of the view (and around it), when the answer for the filters holds counts
    function requestDetail() {
      const bbox = clamp(map.getBounds().pad(0.5)).map((v) => v.toFixed(4)).join(",");
      if (pending === bbox) return;
      pending = bbox;
      const mine = generation;
      fetchPlans(url(withBbox(query, bbox))).then((data) => {
        if (mine !== generation || pending !== bbox) return;
        const [w, s, e, n] = bbox.split(",").map(Number);
        detail = dataset(data, L.latLngBounds([s, w], [n, e]));
        pending = null;
        render();
      }).catch(() => {
        if (mine === generation && pending === bbox) pending = null;
      });
    }

    function clearOutlines() {
      if (outlineLayer) map.removeLayer(outlineLayer);
      outlineLayer = null;
      outlineFor = null;
      outlinePending = null;
      delete el.dataset.omtrekken;
      delete el.dataset.omtrekkenAfgekapt;
    }

    // The plan areas of the view (and around it), once zoomed in far enough to read them
    function updateOutlines() {
      if (!outlineSrc || !base) return;
      const zoom = map.getZoom();
      if (zoom < OUTLINE_ZOOM) {
        if (outlineLayer || outlinePending) clearOutlines();
        return;
      }
      // outlines as fine as this zoom or finer, for an area holding the view: nothing to ask
      if (outlineFor && outlineFor.zoom >= zoom && outlineFor.bounds.contains(map.getBounds())) return;
      const bbox = clamp(map.getBounds().pad(0.25)).map((v) => v.toFixed(4)).join(",");
      const key = bbox + "/" + zoom;
      if (outlinePending === key) return;
      outlinePending = key;
      const mine = generation;
      fetchPlans(outlineSrc + "?" + withBbox(query, bbox) + "&zoom=" + zoom).then((data) => {
        if (mine !== generation || outlinePending !== key) return;  // other filters, another view, zoomed out
        outlinePending = null;
        const [w, s, e, n] = bbox.split(",").map(Number);
        const layer = L.geoJSON(data, { style: () => OUTLINE_STYLE, interactive: false });
        if (outlineLayer) map.removeLayer(outlineLayer);
        outlineLayer = layer.addTo(map);  // the overlay pane: under the markers
        outlineFor = { bounds: L.latLngBounds([s, w], [n, e]), zoom: zoom };
        el.dataset.omtrekken = String(data.features.length);
        if (data.afgekapt) el.dataset.omtrekkenAfgekapt = String(data.plangebieden);
        else delete el.dataset.omtrekkenAfgekapt;
      }).catch(() => {
        if (mine === generation && outlinePending === key) outlinePending = null;
      });
    }

    function current() {
      if (!base || !base.cells || map.getZoom() < DETAIL_ZOOM) return base;
      const fresh = detail && detail.bounds.contains(map.getBounds())
        && !(detail.cells && map.getZoom() >= detail.zoom + 2);  // counts again: finer ones further in
      if (!fresh) requestDetail();
      return fresh ? detail : base;  // counts until the plans of the view arrive
    }

    function render() {
      const set = current();
      if (!set) return;
      updateOutlines();
      const next = new Map();
      for (const feature of set.index.getClusters(clamp(map.getBounds().pad(0.2)), map.getZoom())) {
        const p = feature.properties;
        const key = set.id + (p.cluster ? "c" + p.cluster_id : set.cells ? "g" + p.c : "p" + p.i);
        next.set(key, shown.get(key) || marker(set, feature));
      }
      for (const [key, m] of shown) if (!next.has(key)) layer.removeLayer(m);
      for (const [key, m] of next) if (!shown.has(key)) layer.addLayer(m);
      shown = next;
    }
    map.on("moveend", render);

    function show(data) {
      base = dataset(data, null);
      layer.clearLayers();
      shown = new Map();
      // a cell row starts with latitude, longitude; a plan row has them third and fourth
      const [spots, at] = base.cells ? [base.cells, 0] : [base.plans, 2];
      if (spots.length) {
        let [south, west, north, east] = [90, 180, -90, -180];
        for (const spot of spots) {
          south = Math.min(south, spot[at]); north = Math.max(north, spot[at]);
          west = Math.min(west, spot[at + 1]); east = Math.max(east, spot[at + 1]);
        }
        map.fitBounds([[south, west], [north, east]], { maxZoom: 14, animate: false });
      }
      render();  // fitBounds fires no moveend when the view does not change
      el.dataset.loaded = String(base.total);
      el.dispatchEvent(new CustomEvent("plankaart:loaded"));
      if (status) {
        status.textContent = `${base.total.toLocaleString(NUMBER_LOCALE())} ${labels.plannen}`
          + (base.cells ? ` (${labels.cellen})` : "")
          + (base.unplaced ? `; ${base.unplaced.toLocaleString(NUMBER_LOCALE())} ${labels.zonderPunt}` : "");
      }
    }

    function load(newQuery, first) {
      const mine = ++generation;
      query = newQuery;
      base = null;
      detail = null;
      pending = null;
      map.closePopup();
      layer.clearLayers();
      clearOutlines();
      shown = new Map();
      delete el.dataset.loaded;
      if (status) status.textContent = cfg.labelLoading || "Laden…";
      return (first || fetchPlans(url(query)))
        .then((data) => {
          if (mine !== generation) return;  // a newer filter choice is loading
          if (data.columns[0] !== "plan_id" || data.columns[2] !== "latitude" || data.columns[3] !== "longitude") {
            throw new Error("unexpected kaartdata columns");
          }
          show(data);
        })
        .catch(() => {
          if (mine === generation && status) status.textContent = cfg.labelError || "Kaartgegevens konden niet geladen worden.";
        });
    }
    el.planMap = { map: map, load: load, outlineZoom: outlineSrc ? OUTLINE_ZOOM : null };
    load(cfg.query || "", first);
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

  function start() {
    for (const el of document.querySelectorAll(".plankaart[data-src]:not([data-started])")) {
      el.dataset.started = "";
      initMap(el).catch((e) => {
        el.dataset.error = String(e);
        const status = document.getElementById(el.dataset.statusId || "");
        if (status) status.textContent = el.dataset.labelError || "Kaartgegevens konden niet geladen worden.";
      });
    }
  }
  start();  // the map element(s) parsed so far: this script comes right after its map
  document.addEventListener("DOMContentLoaded", () => {
    // On the plannen table this map replaces datasette-cluster-map, which would page the JSON
    // API 1,000 wide rows at a time. Its DOMContentLoaded handler is registered later (by a
    // module script), so it runs after this one and then finds no latitude column.
    if (document.querySelector(".plankaart[data-replaces-cluster-map]")) window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN = " ";
    start();
  });
})();
