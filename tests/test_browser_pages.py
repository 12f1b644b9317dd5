"""The public pages as a person sees them, in headless Chromium: both languages, phone
width, keyboard only, axe-core accessibility checks, hostile data shown as text."""
from __future__ import annotations

import pytest

from conftest import ROOT
from test_browser import ARTIFACTS, browser, page, server  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {"home": "/", "kaart": "/kaart", "buurt": "/in-de-buurt?lat=52.09&lon=5.12", "gemeenten": "/gemeenten",
         "gemeente": "/gemeente/GM0344", "over": "/over", "journalisten": "/voor-journalisten",
         "ontwikkelaars": "/voor-ontwikkelaars", "zoeken": "/zoeken?q=Utrecht", "plan": None,
         "tabel": "/woningbouwplannen/plannen?provincie=Utrecht"}


def plan_path(page, server):
    pid = page.evaluate("fetch('/-/kaartdata.json?gemeentecode=GM0344').then(r => r.json()).then(d => d.rows[0][0])")
    return f"/plan/{pid}"


def axe_violations(page):
    assert AXE.exists(), "run `npm ci` (make test does) for axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_public_page_passes_axe_and_fits_a_phone(browser, server, lang):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    problems = {}
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="nl-NL")
        p = context.new_page()
        p.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
        for name, path in PAGES.items():
            if path is None:
                p.goto(server + "/")
                path = plan_path(p, server)
            p.goto(f"{server}/{lang}{path}", wait_until="networkidle")
            p.wait_for_timeout(300)
            assert p.locator("html").get_attribute("lang") == lang
            if width == 1280:
                found = axe_violations(p)
                if found:
                    problems[f"{name} {lang}"] = found
            else:
                overflow = p.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    problems[f"{name} {lang} 375px"] = f"{overflow}px wider than the screen"
            p.screenshot(path=str(ARTIFACTS / f"page-{name}-{lang}-{width}.png"), full_page=True)
        context.close()
    assert problems == {}


def test_home_map_draws_markers_without_tiles(page, server):  # noqa: F811
    page.goto(server + "/nl/")
    page.wait_for_function("document.querySelector('#homekaart') && +document.querySelector('#homekaart').dataset.loaded > 0", timeout=20000)
    total = page.evaluate("fetch('/-/kaartdata.json').then(r => r.json()).then(d => d.rows.length)")
    assert int(page.locator("#homekaart").get_attribute("data-loaded")) == total >= 3000
    assert page.locator("#homekaart .marker-cluster").count() > 0
    assert page.js_errors == []


def test_search_and_map_by_keyboard_alone(page, server):  # noqa: F811
    page.goto(server + "/nl/")
    for _ in range(40):  # Tab from the top of the page to the search box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("Utrecht")
    page.keyboard.press("Enter")
    page.wait_for_url("**/zoeken?q=Utrecht")
    assert page.locator("a[href$='/gemeente/GM0344']").count() == 1
    page.goto(server + "/nl/kaart")
    page.wait_for_function("+document.querySelector('#grotekaart').dataset.loaded > 0", timeout=20000)
    page.locator("#grotekaart").focus()
    zoom = page.evaluate("document.querySelector('#grotekaart').planMap.map.getZoom()")
    page.keyboard.press("+")
    page.wait_for_timeout(600)
    assert page.evaluate("document.querySelector('#grotekaart').planMap.map.getZoom()") == zoom + 1
    # filters by keyboard: choose a province and submit
    page.locator("#f-provincie").focus()
    page.keyboard.press("ArrowDown")
    page.locator("#kaartfilters button").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("location.search.includes('provincie=')")
    page.wait_for_function("+document.querySelector('#grotekaart').dataset.loaded > 0", timeout=20000)


def test_near_me_lists_nearest_first_offline(page, server):  # noqa: F811
    page.goto(server + "/nl/in-de-buurt?lat=52.0907&lon=5.1214")
    page.wait_for_selector("#buurt-lijst:not([hidden]) tbody tr", timeout=20000)
    distances = page.locator("#buurt-lijst tbody tr td:last-child").all_inner_texts()
    values = [float(d.replace(" km", "").replace(",", ".")) for d in distances]
    assert values == sorted(values) and values[-1] <= 5.0 and len(values) > 3
    # an offline address search falls back to municipality names
    page.fill("#buurt-q", "Hoeksche Waard")
    page.press("#buurt-q", "Enter")
    page.wait_for_function("document.getElementById('buurt-melding').textContent.includes('Hoeksche Waard')", timeout=20000)
