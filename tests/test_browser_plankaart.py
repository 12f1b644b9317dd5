"""The plan maps (static/kaart.js) in headless Chromium, offline: every plan is on the map on
/kaart and on the plannen table, where the compact /-/kaartdata.json replaces
datasette-cluster-map's paging of the JSON API for the filters it understands (the cluster map
stays for the others); by keyboard down to a plan; plans that share one spot stay reachable;
above the map data's limit, counts per area that turn into plans when zoomed in."""

from __future__ import annotations

import csv

import pytest
import yaml
from test_browser_maps import new_page

from helpers import ARTIFACTS, GEMEENTEN, built_server, portal_metadata, query, start_server

pytestmark = pytest.mark.browser

# Plans a person sees: a cluster bubble counts the plans it holds, a single marker is one plan
# (the same sum as bench/measure.py's browser_map).
SHOWN = """(root) => [...document.querySelectorAll(root + ' .leaflet-marker-pane .leaflet-marker-icon')].reduce(
  (n, el) => n + (el.classList.contains('marker-cluster') ? (parseInt(el.textContent.replace(/\\D/g, ''), 10) || 0) : 1), 0)"""


def plans_with_point(db, where="1") -> int:
    return query(db, f"select count(*) as n from plannen where latitude is not null and {where}")[0]["n"]


def requests_of(page) -> list[str]:
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url))
    return urls


def test_kaart_sets_data_loaded_with_every_plan_and_filters(page, server, sample_db):
    total = plans_with_point(sample_db, "lopend = 1")  # /kaart shows the running plans unless asked otherwise
    page.goto(server + "/nl/kaart", wait_until="domcontentloaded")
    page.wait_for_selector("#grotekaart[data-loaded]", state="attached", timeout=20000)
    assert int(page.locator("#grotekaart").get_attribute("data-loaded")) == total > 3000
    assert page.evaluate(SHOWN, "#grotekaart") == total  # every plan in a bubble or as a marker, all in view
    assert page.locator("#grotekaart-status").inner_text() == f"{total:,} lopende plannen op de kaart".replace(",", ".")
    utrecht = plans_with_point(sample_db, "provincie = 'Utrecht' and lopend = 1")
    page.select_option("#f-provincie", "Utrecht")
    page.click("#kaartfilters button")
    page.wait_for_function("n => document.querySelector('#grotekaart').dataset.loaded === String(n)", arg=utrecht)
    assert page.evaluate(SHOWN, "#grotekaart") == utrecht and "provincie=Utrecht" in page.url
    page.goto(server + "/en/kaart", wait_until="domcontentloaded")
    page.wait_for_selector("#grotekaart[data-loaded]", state="attached", timeout=20000)
    assert page.locator("#grotekaart-status").inner_text() == f"{total:,} current plans on the map"
    assert page.js_errors == []


def test_table_map_shows_every_plan_of_a_filtered_view_from_compact_data(page, server, sample_db):
    want = plans_with_point(sample_db, "provincie = 'Utrecht' and hardheid = 'hard'")
    urls = requests_of(page)
    page.goto(
        server + "/woningbouwplannen/plannen?provincie=Utrecht&hardheid=hard&_sort=naam", wait_until="domcontentloaded"
    )
    page.wait_for_selector("#tabelkaart[data-loaded]", state="attached", timeout=20000)
    assert int(page.locator("#tabelkaart").get_attribute("data-loaded")) == want > 0
    assert page.evaluate(SHOWN, "#tabelkaart") == want
    assert page.locator(".leaflet-container").count() == 1  # it replaced the cluster map, not joined it
    assert any(u.endswith("/-/kaartdata.json?hardheid=hard&provincie=Utrecht") for u in urls)
    # no paging of the JSON API (datasette-vega's one page of rows for its charts is another matter)
    assert not any("/woningbouwplannen/plannen.json" in u and "_size=max" in u for u in urls)
    # plan outlines (portal-maps.js) only once zoomed in: at the province's zoom they would be specks
    assert page.evaluate("() => document.querySelector('#tabelkaart').planMap.map.getZoom()") < 11
    assert "omtrekken" not in page.evaluate("() => ({...document.querySelector('#tabelkaart').dataset})")
    assert not any("/woningbouwplannen/plannen.geojson" in u for u in urls)
    # a plan's popup links to its row page
    plan = query(
        sample_db,
        "select plan_id, naam, latitude, longitude from plannen where provincie = 'Utrecht' "
        "and hardheid = 'hard' order by woningen desc limit 1",
    )[0]
    page.evaluate("p => document.querySelector('#tabelkaart').planMap.map.setView([p.latitude, p.longitude], 19)", plan)
    page.wait_for_selector("#tabelkaart[data-omtrekken]", state="attached", timeout=20000)
    page.locator(f".plan-marker[title='{plan['naam']}']").click()
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == plan["naam"]
    assert link.get_attribute("href") == f"/woningbouwplannen/plannen/{plan['plan_id']}"
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#tabelkaart").screenshot(path=str(ARTIFACTS / "tabelkaart-popup.png"))
    assert page.js_errors == []


def test_table_map_falls_back_to_the_cluster_map_for_other_filters(page, server, sample_db):
    want = plans_with_point(sample_db, "provincie = 'Utrecht' and woningen > 100")
    urls = requests_of(page)
    page.goto(server + "/woningbouwplannen/plannen?provincie=Utrecht&woningen__gt=100", wait_until="domcontentloaded")
    page.wait_for_function(f"({SHOWN})('') === {want}", timeout=20000)
    assert page.locator("#tabelkaart").count() == 0 and page.locator(".leaflet-container").count() == 1
    assert any("/woningbouwplannen/plannen.json?" in u and "_size=max" in u for u in urls)
    assert page.js_errors == []


def test_keyboard_alone_reaches_a_plan_through_the_clusters(page, server):
    page.goto(server + "/nl/kaart", wait_until="domcontentloaded")
    page.wait_for_selector("#grotekaart[data-loaded]", state="attached", timeout=20000)
    page.locator("#grotekaart").focus()
    for _ in range(12):  # Tab to the first marker; Enter on a bubble zooms in and hands focus back to the map
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.className")
        assert "leaflet-marker-icon" in focused
        page.keyboard.press("Enter")
        if "plan-marker" in focused:
            break
        page.wait_for_function("document.activeElement.id === 'grotekaart'", timeout=5000)
    link = page.locator(".leaflet-popup-content a")
    assert page.evaluate("document.activeElement.closest('.leaflet-popup-content') !== null")
    assert link.get_attribute("href").startswith("/nl/plan/")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plan/**")
    assert page.js_errors == []


@pytest.fixture(scope="module")
def same_spot_server(tmp_path_factory):
    """Three plans on one point (e.g. a municipality's centre when no area is known)."""
    d = tmp_path_factory.mktemp("same-spot")
    with open(GEMEENTEN, encoding="utf-8") as f:
        g = next(r for r in csv.DictReader(f) if r["gemeentecode"] == "GM0363")
    with open(d / "p.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen", "Planstatus", "Latitude", "Longitude"])
        for i in range(3):
            w.writerow([f"S-{i}", f"Plan op één plek {i}", "GM0363", 10 + i, "Ontwerp", g["latitude"], g["longitude"]])
    with built_server(d, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}]) as base:
        yield base


def test_plans_on_one_spot_are_listed_instead_of_never_splitting(browser, same_spot_server):
    page = new_page(browser, same_spot_server)
    try:
        page.goto(same_spot_server + "/nl/kaart", wait_until="domcontentloaded")
        page.wait_for_selector("#grotekaart[data-loaded='3']", state="attached", timeout=20000)
        page.evaluate("document.querySelector('#grotekaart').planMap.map.setZoom(19)")
        page.wait_for_timeout(400)
        bubble = page.locator("#grotekaart .marker-cluster")
        assert bubble.count() == 1 and bubble.inner_text() == "3"  # no zoom level splits them
        bubble.click()
        links = page.locator(".leaflet-popup-content .kaart-lijst a")
        assert links.count() == 3
        assert sorted(links.evaluate_all("as => as.map(a => a.getAttribute('href'))")) == [
            "/nl/plan/S-0",
            "/nl/plan/S-1",
            "/nl/plan/S-2",
        ]
        assert page.js_errors == []
    finally:
        page.context.close()


@pytest.fixture(scope="module")
def counts_server(sample_db, tmp_path_factory):
    """The sample served with a map-data limit of 200 plans, so its maps start from counts per cell."""
    d = tmp_path_factory.mktemp("counts")
    metadata = d / "metadata.yml"
    metadata.write_text(
        yaml.safe_dump(portal_metadata({"woningbouwplannen-kaartdata": {"punten_max": 200}})), encoding="utf-8"
    )
    proc, base = start_server(sample_db, metadata=metadata)
    yield base
    proc.terminate()
    proc.wait(10)


def test_counts_per_area_add_up_and_zooming_in_shows_the_plans(browser, counts_server, sample_db):
    total = plans_with_point(sample_db, "lopend = 1")
    page = new_page(browser, counts_server)
    try:
        urls = requests_of(page)
        page.goto(counts_server + "/nl/kaart", wait_until="domcontentloaded")
        page.wait_for_selector("#grotekaart[data-loaded]", state="attached", timeout=20000)
        assert int(page.locator("#grotekaart").get_attribute("data-loaded")) == total > 200
        assert page.evaluate(SHOWN, "#grotekaart") == total  # the bubbles count every plan
        assert page.locator("#grotekaart .plan-marker").count() == 0  # counts only, no plan markers yet
        assert "geteld per gebied" in page.locator("#grotekaart-status").inner_text()
        # zoomed in on a plan, the map asks for the plans of its view and shows them as markers
        plan = query(
            sample_db,
            "select naam, latitude, longitude from plannen where latitude is not null order by woningen desc limit 1",
        )[0]
        page.evaluate(
            "p => document.querySelector('#grotekaart').planMap.map.setView([p.latitude, p.longitude], 18)", plan
        )
        marker = page.locator(f"#grotekaart .plan-marker[title='{plan['naam']}']")
        marker.wait_for(timeout=20000)
        assert any("/-/kaartdata.json?" in u and "bbox=" in u for u in urls)
        marker.click()
        assert page.locator(".leaflet-popup-content a").inner_text() == plan["naam"]
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator("#grotekaart").screenshot(path=str(ARTIFACTS / "kaart-detail-na-tellingen.png"))
        # back out: counts again, still adding up to every plan
        page.evaluate("document.querySelector('#grotekaart').planMap.map.setZoom(7)")
        page.wait_for_function(f"({SHOWN})('#grotekaart') === {total}", timeout=20000)
        assert page.js_errors == []
    finally:
        page.context.close()


def test_near_me_says_so_when_too_many_plans_to_list(browser, counts_server):
    page = new_page(browser, counts_server)
    try:
        page.goto(counts_server + "/nl/in-de-buurt?lat=52.0907&lon=5.1214")
        page.wait_for_selector("#buurt-lijst:not([hidden]) tbody tr", timeout=20000)  # 5 km: fewer than 200
        page.select_option("#buurt-km", "25")
        page.wait_for_function(
            "document.getElementById('buurt-melding').textContent.includes('Te veel plannen')", timeout=20000
        )
        assert page.locator("#buurt-lijst").is_hidden()
        assert page.js_errors == []
    finally:
        page.context.close()
