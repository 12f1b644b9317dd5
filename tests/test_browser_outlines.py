"""Plan areas on the national map (static/kaart.js, /-/plangebieden.json) in headless Chromium, offline: zoomed
in on a plan with an area, /kaart draws the outlines of its view under the markers (the answer's areas, that
plan's among them); zoomed out again they are gone."""

from __future__ import annotations

import pytest

from helpers import query

pytestmark = pytest.mark.browser

OUTLINES = "#grotekaart .leaflet-overlay-pane path.plan-omtrek"


def console_errors(page) -> list[str]:
    errors: list[str] = []
    # the tiles are refused (offline): a failed resource is the test's doing, not the page's
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None,
    )
    return errors


def test_kaart_draws_the_plan_areas_of_the_view_when_zoomed_in_and_drops_them_zoomed_out(page, server, sample_db):
    # a running plan (what /kaart shows) with an area: the spot with the most of them, so the view holds several
    plan = query(
        sample_db,
        "select g.plan_id, g.latitude, g.longitude from plangebieden g join plannen p using (plan_id) "
        "where p.lopend = 1 order by g.oppervlakte_ha desc, g.plan_id limit 1",
    )[0]
    errors = console_errors(page)
    page.goto(server + "/nl/kaart", wait_until="domcontentloaded")
    page.wait_for_selector("#grotekaart[data-loaded]", state="attached", timeout=20000)
    assert page.locator(OUTLINES).count() == 0  # the whole country: no outlines
    with page.expect_response(lambda r: "/-/plangebieden.json?" in r.url, timeout=20000) as answer:
        page.evaluate(
            "p => document.querySelector('#grotekaart').planMap.map.setView([p.latitude, p.longitude], 16)", plan
        )
    data = answer.value.json()
    assert "lopend=1" in answer.value.url and "zoom=16" in answer.value.url  # the map's filters, its zoom
    page.wait_for_selector("#grotekaart[data-omtrekken]", state="attached", timeout=20000)
    drawn = int(page.locator("#grotekaart").get_attribute("data-omtrekken"))
    assert plan["plan_id"] in {f["id"] for f in data["features"]} and drawn == len(data["features"]) > 0
    # one path per area (a MultiPolygon is one path too), under the markers
    assert page.locator(OUTLINES).count() == drawn
    assert page.locator("#grotekaart .leaflet-marker-pane .leaflet-marker-icon").count() > 0
    page.evaluate("document.querySelector('#grotekaart').planMap.map.setZoom(11)")
    page.wait_for_function("() => !('omtrekken' in document.querySelector('#grotekaart').dataset)", timeout=20000)
    assert page.locator(OUTLINES).count() == 0
    assert page.js_errors == [] and errors == []
