"""Outline maps in a real headless Chromium, with every tile request refused (as offline).

Proves the outlines and points are drawn without a basemap, one map per page, and that
hostile plan names stay text.
"""

from __future__ import annotations

import base64
import csv
import io
import sqlite3

import geopandas as gpd
import pytest
from pyproj import Transformer
from shapely.geometry import box

from helpers import ARTIFACTS, GEMEENTEN, built_server

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.__xss=1">Plan'
# the outline stroke (#b0125b at 0.9 opacity) over the grey map background, as it lands in pixels
COUNT_STROKE_PIXELS = """async (b64) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], {type: "image/png"}));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0);
  const d = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] > 140 && d[i] < 215 && d[i + 1] < 90 && d[i + 2] > 60 && d[i + 2] < 140) n++;
  }
  return n;
}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(
        ["Plan-ID", "Plannaam", "Gemeentecode", "Planstatus", "Aantal woningen", "Doorbraaklocatie", "Omschrijving"]
    )
    w.writerow(["X-1", HOSTILE, "GM0363", "Vastgesteld", "80", "<script>window.__xss=2</script>", HOSTILE])
    (d / "plannen.csv").write_text(buf.getvalue(), encoding="utf-8")
    with open(GEMEENTEN, encoding="utf-8") as f:
        g = next(r for r in csv.DictReader(f) if r["gemeentecode"] == "GM0363")
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(
        float(g["longitude"]), float(g["latitude"])
    )
    gpd.GeoDataFrame({"plan_id": ["X-1"]}, geometry=[box(x - 100, y - 60, x + 100, y + 60)], crs="EPSG:28992").to_file(
        d / "g.gpkg", driver="GPKG", engine="pyogrio"
    )
    with built_server(
        d,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "g.gpkg"},
        ],
    ) as base:
        yield base


def new_page(browser, base):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.js_errors = []
    page.blocked = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("dialog", lambda d: (page.js_errors.append("dialog: " + d.message), d.dismiss()))

    def route(r):
        if r.request.url.startswith(base):
            r.continue_()
        else:
            page.blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    return page


@pytest.fixture
def page(browser, server):
    page = new_page(browser, server)
    yield page
    page.context.close()


def plan_with(sample_db, where):
    return (
        sqlite3.connect(sample_db)
        .execute(f"select plan_id, oppervlakte_ha from plannen where {where} order by oppervlakte_ha desc limit 1")
        .fetchone()
    )


def stroke_pixels(page, element) -> int:
    png = element.screenshot()
    return page.evaluate(COUNT_STROKE_PIXELS, base64.b64encode(png).decode())


def test_plan_page_shows_its_outline_without_tiles(page, server, sample_db):
    plan_id, ha = plan_with(
        sample_db, "punt_bron = 'plangebied' and gemeentecode = 'GM1963' and oppervlakte_ha between 2 and 20"
    )
    page.goto(f"{server}/woningbouwplannen/plannen/{plan_id}", wait_until="domcontentloaded")
    page.wait_for_selector("#portal-kaart[data-kaart-klaar] .leaflet-overlay-pane path", timeout=20000)
    outline = page.locator("#portal-kaart .leaflet-overlay-pane path").first
    bbox = outline.bounding_box()
    assert bbox["width"] > 100 and bbox["height"] > 60  # fitted: the outline fills the map, not a dot
    assert page.locator(".leaflet-container").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-row-outline.png"), full_page=True)
    assert stroke_pixels(page, page.locator("#portal-kaart")) > 300  # the outline is in the pixels
    assert any("pdok.nl" in u for u in page.blocked)  # tiles were asked for (the configured basemap) and refused
    assert "ha" in page.locator(".portal-kaart-uitleg").inner_text()
    assert page.js_errors == []


def test_plan_without_area_shows_its_point_and_says_so(page, server, sample_db):
    plan_id, _ = plan_with(sample_db, "punt_bron = 'export'")
    page.goto(f"{server}/woningbouwplannen/plannen/{plan_id}", wait_until="domcontentloaded")
    page.wait_for_selector("#portal-kaart[data-kaart-klaar] path.leaflet-interactive", timeout=20000)
    assert "Geen plangebied bekend" in page.locator(".portal-kaart-uitleg").inner_text()
    assert page.js_errors == []


def test_filtered_table_has_one_map_with_outlines_and_markers(page, server, sample_db):
    n = (
        sqlite3.connect(sample_db)
        .execute("select count(*) from plannen where gemeentecode = 'GM1963' and geometrie is not null")
        .fetchone()[0]
    )
    page.goto(f"{server}/woningbouwplannen/plannen?gemeentecode=GM1963", wait_until="domcontentloaded")
    page.wait_for_selector(".leaflet-container[data-omtrekken]", timeout=20000)
    page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=20000)
    assert page.locator(".leaflet-container").count() == 1
    assert int(page.locator(".leaflet-container").get_attribute("data-omtrekken")) == n > 0
    assert page.locator(".leaflet-overlay-pane path").count() == n
    page.screenshot(path=str(ARTIFACTS / "plannen-filtered-outlines.png"))
    assert page.js_errors == []


def test_doorbraaklocaties_map_has_outlines_and_labels(page, server):
    page.goto(f"{server}/woningbouwplannen/doorbraaklocaties", wait_until="domcontentloaded")
    page.wait_for_selector(".portal-kaart-label", timeout=20000)
    assert page.locator(".leaflet-container").count() == 1
    labels = set(page.locator(".portal-kaart-label").all_inner_texts())
    assert labels == {"Stougjeswijk", "Lisserbroek", "Cortelande", "Oosterwold", "Pampus"}
    assert page.locator(".leaflet-overlay-pane path").count() == 5
    page.screenshot(path=str(ARTIFACTS / "doorbraaklocaties-map.png"))
    assert page.js_errors == []


def test_doorbraaklocatie_page_shows_site_and_its_plans(page, server, sample_db):
    n = (
        sqlite3.connect(sample_db)
        .execute("select count(*) from plannen where doorbraaklocatie = 'Stougjeswijk' and geometrie is not null")
        .fetchone()[0]
    )
    page.goto(f"{server}/woningbouwplannen/doorbraaklocaties/Stougjeswijk", wait_until="domcontentloaded")
    page.wait_for_selector("#portal-kaart[data-kaart-klaar]", timeout=20000)
    assert page.locator("#portal-kaart .leaflet-overlay-pane path").count() == 1 + n
    assert page.locator("#portal-kaart .portal-kaart-label").inner_text() == "Stougjeswijk"
    assert "Indicatieve omtrek" in page.locator(".portal-kaart-uitleg").inner_text()
    page.screenshot(path=str(ARTIFACTS / "doorbraaklocatie-row.png"), full_page=True)
    assert page.js_errors == []


def test_hostile_plan_name_stays_text(browser, hostile_server):
    page = new_page(browser, hostile_server)
    try:
        for path in ("/woningbouwplannen/plannen/X-1", "/woningbouwplannen/plannen"):
            page.goto(hostile_server + path, wait_until="domcontentloaded")
            page.wait_for_selector(".leaflet-overlay-pane path", timeout=20000)
            if path.endswith("plannen"):
                page.locator(".leaflet-marker-icon").first.click()
                page.wait_for_selector(".leaflet-popup-content")
                assert HOSTILE in page.locator(".leaflet-popup-content").inner_text()
            assert page.evaluate("window.__xss") is None
            assert page.locator("img[src='x']").count() == 0
        assert page.js_errors == []
    finally:
        page.context.close()
