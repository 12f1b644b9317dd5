"""The public pages as a person sees them, in headless Chromium: both languages, phone
width, keyboard only, axe-core accessibility checks, hostile data shown as text."""

from __future__ import annotations

import math

import pytest

from helpers import ARTIFACTS, ROOT, query

pytestmark = pytest.mark.browser

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "/",
    "kaart": "/kaart",
    "buurt": "/in-de-buurt?lat=52.09&lon=5.12",
    "gemeenten": "/gemeenten",
    "gemeente": "/gemeente/GM0344",
    "over": "/over",
    "journalisten": "/voor-journalisten",
    "ontwikkelaars": "/voor-ontwikkelaars",
    "zoeken": "/zoeken?q=Utrecht",
    "plan": None,
    "tabel": "/woningbouwplannen/plannen?provincie=Utrecht",
    "voortgang": "/voortgang",
    "doorbraak": "/doorbraaklocaties",
    "api": "/api",
    "toegankelijkheid": "/toegankelijkheid",
    "privacy": "/privacy",
}


def plan_path(page, server):
    pid = page.evaluate("fetch('/-/kaartdata.json?gemeentecode=GM0344').then(r => r.json()).then(d => d.rows[0][0])")
    return f"/plan/{pid}"


def axe_violations(page):
    assert AXE.exists(), "run `npm ci` (make test does) for axe-core"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], len(v["nodes"])) for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_public_page_passes_axe_and_fits_a_phone(browser, server, lang):
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


def test_home_map_draws_markers_without_tiles(page, server):
    page.goto(server + "/nl/")
    page.wait_for_function(
        "document.querySelector('#homekaart') && +document.querySelector('#homekaart').dataset.loaded > 0",
        timeout=60000,
    )
    total = page.evaluate("fetch('/-/kaartdata.json').then(r => r.json()).then(d => d.rows.length)")
    assert int(page.locator("#homekaart").get_attribute("data-loaded")) == total >= 3000
    assert page.locator("#homekaart .marker-cluster").count() > 0
    assert page.js_errors == []


def test_search_and_map_by_keyboard_alone(page, server):
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
    page.wait_for_function("+document.querySelector('#grotekaart').dataset.loaded > 0", timeout=60000)
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
    page.wait_for_function("+document.querySelector('#grotekaart').dataset.loaded > 0", timeout=60000)


def km_between(a, b) -> float:
    rad = math.pi / 180
    h = (
        math.sin((b[0] - a[0]) * rad / 2) ** 2
        + math.cos(a[0] * rad) * math.cos(b[0] * rad) * math.sin((b[1] - a[1]) * rad / 2) ** 2
    )
    return 12742 * math.asin(math.sqrt(h))


def test_near_me_lists_nearest_first_offline(page, server, sample_db):
    centre = (52.0907, 5.1214)
    want = sum(
        km_between(centre, (r["latitude"], r["longitude"])) <= 5.0
        for r in query(sample_db, "select latitude, longitude from plannen where latitude is not null")
    )
    page.goto(server + "/nl/in-de-buurt?lat=52.0907&lon=5.1214")
    page.wait_for_selector("#buurt-lijst:not([hidden]) tbody tr", timeout=60000)
    distances = page.locator("#buurt-lijst tbody tr td:last-child").all_inner_texts()
    values = [float(d.replace(" km", "").replace(",", ".")) for d in distances]
    # every plan within 5 km (the box asked of the map data holds the whole circle), nearest first
    assert values == sorted(values) and values[-1] <= 5.0 and len(values) == min(want, 500) > 3
    assert page.locator("#buurtkaart").get_attribute("data-results") == str(want)
    # an offline address search falls back to municipality names
    page.fill("#buurt-q", "Hoeksche Waard")
    page.press("#buurt-q", "Enter")
    page.wait_for_function(
        "document.getElementById('buurt-melding').textContent.includes('Hoeksche Waard')", timeout=60000
    )
    # ... and then to plan names (full-text search of the plannen table)
    plan = query(sample_db, "select naam from plannen where latitude is not null order by woningen desc limit 1")[0]
    page.fill("#buurt-q", plan["naam"])
    page.press("#buurt-q", "Enter")
    page.wait_for_function(
        "n => document.getElementById('buurt-melding').textContent.startsWith(n + ':')", arg=plan["naam"], timeout=60000
    )


HOSTILE = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    '"><svg onload="window.__xss=3">',
    "W" * 300,
]


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    import csv

    from helpers import built_server

    d = tmp_path_factory.mktemp("hostile-pages")
    with open(d / "h.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(
            [
                "Plan-ID",
                "Plannaam",
                "Gemeentecode",
                "Aantal woningen",
                "Planstatus",
                "Omschrijving",
                "Latitude",
                "Longitude",
            ]
        )
        for i, name in enumerate(HOSTILE):
            w.writerow([f"H-{i}", name, "GM0363", 10 + i, "Ontwerp", name, f"52.37{i}", f"4.89{i}"])
    with built_server(d, [{"kind": "plannen", "path": "h.csv", "peildatum": "2025-10-01"}]) as base:
        yield base


def test_hostile_names_stay_text_in_the_browser(browser, hostile_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    p = context.new_page()
    dialogs = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.route("**/*", lambda r: r.continue_() if r.request.url.startswith(hostile_server) else r.abort())
    for path in [
        "/",
        "/kaart",
        "/gemeente/GM0363",
        "/zoeken?q=window",
        "/in-de-buurt?lat=52.37&lon=4.89",
        *[f"/plan/H-{i}" for i in range(len(HOSTILE))],
        "/en/plan/H-0",
        "/woningbouwplannen/plannen",
    ]:
        p.goto(hostile_server + path, wait_until="networkidle")
        if path in ("/", "/kaart"):
            # open every marker popup: names go in as text
            p.evaluate("""() => { const el = document.querySelector('.plankaart'); const m = el.planMap.map;
                m.setZoom(18); }""")
            p.wait_for_timeout(300)
            for marker in p.locator(".plan-marker").all()[:4]:
                marker.click(force=True)
                p.wait_for_timeout(100)
        assert p.evaluate("window.__xss") is None, path
        assert p.locator("img[src='x'], svg[onload]").count() == 0, path
    assert dialogs == []
    p.goto(hostile_server + "/plan/H-0")
    assert HOSTILE[0] in p.locator("h1").inner_text()
    context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_api_reference_lists_operations_and_tries_one_by_keyboard(browser, server, lang):
    """/api lists every operation of /openapi.json at once; Swagger UI (vendored) loads when one is opened, and
    its Try it out / Execute get this server's answer, by keyboard alone, passing axe, nothing fetched elsewhere."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    p = context.new_page()
    errors, outside = [], []
    p.on("pageerror", lambda exc: errors.append(str(exc)))
    p.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(server)
            else (outside.append(route.request.url), route.abort())
        ),
    )
    p.goto(f"{server}/{lang}/api", wait_until="networkidle")
    spec = p.evaluate("fetch('/openapi.json').then(r => r.json())")
    listed = p.locator("#api-lijst button.api-operatie")
    want = sum(1 for item in spec["paths"].values() for m in item if m in ("get", "post", "put", "delete", "patch"))
    assert listed.count() == want > 40
    assert p.evaluate("typeof window.SwaggerUIBundle") == "undefined"  # not loaded before it is asked for
    plannen = p.locator("#api-lijst button.api-operatie[data-path='/woningbouwplannen/plannen.json']")
    assert "GET" in plannen.inner_text()
    plannen.focus()
    p.keyboard.press("Enter")
    block = p.locator("#api-swagger .opblock:has(.opblock-summary-path[data-path='/woningbouwplannen/plannen.json'])")
    block.locator(".try-out__btn").wait_for(timeout=30000)
    assert p.locator("#api-lijst").is_hidden() and p.locator("#api-swagger .opblock").count() == want
    assert p.evaluate("document.activeElement.closest('.opblock') !== null")  # the focus went to the operation
    block.locator(".try-out__btn").focus()
    p.keyboard.press("Enter")
    block.locator("tr[data-param-name='provincie'] input").fill("Utrecht")
    block.locator("button.execute").focus()
    p.keyboard.press("Enter")
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for(timeout=30000)
    assert status.inner_text().strip() == "200"
    assert "Utrecht" in block.locator(".live-responses-table tbody .response-col_description").first.inner_text()
    asked = block.locator(".request-url").inner_text()
    assert f"{server}/woningbouwplannen/plannen.json?" in asked and "provincie=Utrecht" in asked  # this server
    assert axe_violations(p) == []
    assert p.evaluate("localStorage.length + sessionStorage.length") == 0  # /privacy: nothing kept in the browser
    assert errors == [] and outside == []
    context.close()
