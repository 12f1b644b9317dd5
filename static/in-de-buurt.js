// "Near me": plans within a chosen distance of a point, nearest first. The plans of the box
// around the circle come from /-/kaartdata.json?bbox=, distances are computed in the browser, so it
// works without internet; address search uses PDOK's Locatieserver when reachable, else our
// municipalities and plans.
(async function () {
  const el = document.getElementById("buurtkaart");
  if (!el) return;
  const cfg = el.dataset;
  if (!window.L) await import(cfg.leafletJs);  // an ES module that sets window.L
  const form = document.getElementById("buurt-form");
  const message = document.getElementById("buurt-melding");
  const table = document.getElementById("buurt-lijst");
  const map = L.map(el, { keyboard: true }).setView([52.2, 5.3], 7);
  if (cfg.tiles) L.tileLayer(cfg.tiles, { maxZoom: 19, attribution: cfg.attribution || "" }).addTo(map);
  const layer = L.layerGroup().addTo(map);
  let centre = null;

  // The plans in the box around the circle, or null when more lie there than the map data
  // sends one by one (it then answers with counts per area)
  async function plansAround(point, radius) {
    const dLat = radius / 111.2, dLon = radius / (111.2 * Math.max(0.2, Math.cos(point[0] * Math.PI / 180)));
    const bbox = [point[1] - dLon, point[0] - dLat, point[1] + dLon, point[0] + dLat]
      .map((v, i) => Math.min(Math.max(v, i % 2 ? -90 : -180), i % 2 ? 90 : 180).toFixed(5)).join(",");
    const data = await fetch(cfg.src + "?bbox=" + bbox).then((r) => r.json());
    if (data.cellen) return null;
    return data.rows.map((row) => Object.fromEntries(data.columns.map((c, i) => [c, row[i]])));
  }

  function km(a, b) {
    const rad = Math.PI / 180, dLat = (b[0] - a[0]) * rad, dLon = (b[1] - a[1]) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) ** 2;
    return 12742 * Math.asin(Math.sqrt(h));
  }

  function number(value) {
    return value == null ? "–" : value.toLocaleString(cfg.lang === "nl" ? "nl-NL" : "en-GB");
  }

  // the choice is kept in the URL: a result can be shared, bookmarked and found again with Back
  function remember(point) {
    const params = new URLSearchParams({ lat: point[0].toFixed(5), lon: point[1].toFixed(5), km: form.km.value });
    if (form.q.value.trim()) params.set("q", form.q.value.trim());
    history.replaceState(null, "", location.pathname + "?" + params);
  }

  function cell(text, cls) {
    const td = document.createElement("td");
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  async function show(point, label) {
    centre = point;
    remember(point);
    const radius = parseFloat(form.km.value);
    const plans = await plansAround(point, radius);
    if (centre !== point) return;  // another point was chosen meanwhile
    if (plans === null) {
      message.textContent = cfg.msgTeVeel;
      table.hidden = true;
      return;
    }
    const near = plans
      .map((p) => ({ p, d: km(point, [p.latitude, p.longitude]) }))
      .filter((x) => x.d <= radius)
      .sort((a, b) => a.d - b.d);
    layer.clearLayers();
    L.circle(point, { radius: radius * 1000, color: "#01689b", fillOpacity: 0.05 }).addTo(layer);
    L.circleMarker(point, { radius: 6, color: "#d52b1e" }).addTo(layer);
    const tbody = table.querySelector("tbody");
    tbody.replaceChildren();
    for (const { p, d } of near.slice(0, 500)) {
      const tr = document.createElement("tr");
      const a = document.createElement("a");
      a.href = cfg.linkPrefix + encodeURIComponent(p.plan_id);
      a.textContent = p.naam;
      const first = document.createElement("td");
      first.appendChild(a);
      const status = cell(cfg["status_" + String(p.planstatus).replace(/[ /]/g, "_")] || p.planstatus);
      if (!p.lopend) {  // lapsed or delivered: listed, but not one of the plans the figures count
        tr.className = "niet-lopend";
        const note = document.createElement("small");
        note.textContent = " (" + cfg.msgNietMeegeteld + ")";
        status.appendChild(note);
      }
      tr.append(first, cell(p.gemeente || "–"), cell(number(p.netto), "getal"), cell(number(p.sociale_huur), "getal"),
                cell(p.start_bouw == null ? "–" : String(p.start_bouw)), status,
                cell(d.toFixed(1).replace(".", cfg.lang === "nl" ? "," : ".") + " km", "getal"));
      tbody.appendChild(tr);
      L.circleMarker([p.latitude, p.longitude], { radius: 5, color: "#275937" }).bindTooltip(p.naam).addTo(layer);
    }
    table.hidden = near.length === 0;
    message.textContent = near.length
      ? `${label ? label + ": " : ""}${near.length} ${cfg.msgAantal} ${radius} km`
      : cfg.msgGeen;
    map.fitBounds(L.latLng(point).toBounds(radius * 2000));
    el.dataset.results = String(near.length);
  }

  async function geocode(q) {
    // PDOK Locatieserver first (addresses, postcodes, places) with a short timeout
    try {
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), 3000);
      const url = "https://api.pdok.nl/bzk/locatieserver/search/v3_1/free?rows=1&fl=weergavenaam,centroide_ll&q=" + encodeURIComponent(q);
      const r = await fetch(url, { signal: ctrl.signal });
      clearTimeout(timer);
      const doc = (await r.json()).response.docs[0];
      const m = doc && /POINT\(([-\d.]+) ([-\d.]+)\)/.exec(doc.centroide_ll);
      if (m) return { point: [parseFloat(m[2]), parseFloat(m[1])], label: doc.weergavenaam };
    } catch (e) {
      message.textContent = cfg.msgOffline;
    }
    // offline: our municipalities, then plan names
    const needle = q.trim().toLowerCase();
    const g = await fetch(cfg.databaseUrl + "/gemeenten.json?_shape=array&gemeentenaam__contains=" + encodeURIComponent(q.trim()))
      .then((r) => r.json()).catch(() => []);
    const exact = g.find((x) => x.gemeentenaam.toLowerCase() === needle) || g[0];
    if (exact) return { point: [exact.latitude, exact.longitude], label: exact.gemeentenaam };
    const found = await fetch(cfg.databaseUrl + "/plannen.json?_shape=array&_size=5&_col=naam&_col=latitude&_col=longitude"
                              + "&latitude__notblank=1&_search=" + encodeURIComponent(q.trim()))
      .then((r) => r.json()).catch(() => []);
    const plan = found.find((p) => p.naam.toLowerCase().includes(needle)) || found[0];
    if (plan) return { point: [plan.latitude, plan.longitude], label: plan.naam };
    return null;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const q = form.q.value.trim();
    if (!q) return centre && show(centre);
    const hit = await geocode(q);
    if (hit) show(hit.point, hit.label);
    else message.textContent = cfg.msgNietGevonden;
  });
  form.km.addEventListener("change", () => centre && show(centre));
  map.on("click", (e) => show([e.latlng.lat, e.latlng.lng], cfg.msgGekozen));
  document.getElementById("buurt-gps").addEventListener("click", () => {
    if (!navigator.geolocation) { message.textContent = cfg.msgGeenLocatie; return; }
    navigator.geolocation.getCurrentPosition(
      (pos) => show([pos.coords.latitude, pos.coords.longitude]),
      () => { message.textContent = cfg.msgGeenLocatie; },
      { timeout: 10000 }
    );
  });
  // ?lat=..&lon=.. (or the keyboard-free path of a shared link) opens a point directly
  const params = new URLSearchParams(location.search);
  if (params.get("km") && [...form.km.options].some((o) => o.value === params.get("km"))) form.km.value = params.get("km");
  if (params.get("q")) form.q.value = params.get("q");
  const lat = parseFloat(params.get("lat")), lon = parseFloat(params.get("lon"));
  if (Number.isFinite(lat) && Number.isFinite(lon)) show([lat, lon], params.get("q") || undefined);
})();
