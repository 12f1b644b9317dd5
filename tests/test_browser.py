"""What a person sees, in a real headless Debian Chromium driven by Playwright.

The server is the real `datasette serve` on 127.0.0.1 with the Makefile's configuration.
Requests to other hosts (map tiles) are blocked: this machine has no internet and the
map must still show the plans.
"""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, free_port, serve_args  # noqa: F401  (older imports)

pytestmark = pytest.mark.browser


def test_plannen_table_shows_map_markers_facets_and_sample_banner(page, server):
    page.goto(server + "/woningbouwplannen/plannen", wait_until="domcontentloaded")
    page.wait_for_selector(".leaflet-container", timeout=20000)
    page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=20000)
    clusters = page.locator(".marker-cluster")
    assert clusters.count() + page.locator(".leaflet-marker-icon").count() > 0
    # cluster bubbles carry counts: together they hold the plans loaded so far
    shown = sum(int(t) for t in clusters.all_inner_texts() if t.strip().isdigit())
    assert shown >= 500
    banner = page.locator(".voorbeelddata-banner")
    assert banner.is_visible() and "Voorbeelddata" in banner.inner_text()
    assert page.locator(".facet-info").count() >= 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plannen-table.png"))
    assert page.js_errors == []


def test_map_shows_every_plan_without_clicking(page, server):
    page.goto(server + "/woningbouwplannen/plannen", wait_until="domcontentloaded")
    page.wait_for_selector(".marker-cluster", timeout=20000)
    total = page.evaluate(
        "fetch('/woningbouwplannen.json?sql=select+count(*)+from+plannen&_shape=arrayfirst').then(r => r.json())"
    )[0]
    assert total >= 3000
    page.wait_for_function(
        "n => [...document.querySelectorAll('.marker-cluster')].reduce((s, e) => s + (parseInt(e.innerText) || 0), 0)"
        " + document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length >= n",
        arg=total,
        timeout=60000,
    )
    details = page.locator("details.column-descriptions-details")
    assert details.count() == 1 and details.get_attribute("open") is None


@pytest.mark.parametrize("path", ["/woningbouwplannen/plannen", "/woningbouwplannen/woningen_per_provincie"])
def test_chart_tool_loads_when_asked_and_draws_a_chart(page, server, path):
    # datasette-vega (~300 KB compressed) is not part of the page: "Grafiek maken" loads it (static/grafiek.js)
    vega = []
    page.on("request", lambda r: vega.append(r.url) if "/datasette_vega/" in r.url else None)
    page.goto(server + path, wait_until="load")
    assert vega == []
    page.click("#grafiek-maken")
    page.wait_for_selector("form#graphForm.datasette-vega", timeout=20000)  # its form, opened at once
    assert page.locator("#grafiek-maken").count() == 0
    assert any(u.endswith(".js") for u in vega) and any(u.endswith(".css") for u in vega)
    page.check("form#graphForm input[name=mark][value=bar]")
    page.wait_for_selector(
        "form#graphForm ~ * canvas, form#graphForm ~ * svg, .vega-embed canvas, .vega-embed svg",
        state="attached",
        timeout=20000,
    )
    assert page.js_errors == []
