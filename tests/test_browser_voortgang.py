"""The progress page (/voortgang) in a real headless Chromium: every chart draws, offline.

Served by the real `datasette serve` on 127.0.0.1 with the Makefile's configuration; every
request to another host is aborted, so Vega must come from our own /static/vendor.
"""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS

pytestmark = pytest.mark.browser

CHARTS = ("grafiek-startjaar", "grafiek-betaalbaar", "grafiek-hardheid", "grafiek-wijzigingen")


@pytest.fixture(scope="module", params=["sample_db", "export_db"])
def voortgang(request, browser):
    """Load the page once per sample (the releases, which give no start year; the exports, which do);
    return what the tests inspect."""
    db = request.getfixturevalue(request.param)
    server = request.getfixturevalue("server" if request.param == "sample_db" else "export_server")
    release = request.param == "sample_db"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors, blocked, failed = [], [], []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("requestfailed", lambda req: failed.append(req.url) if req.url.startswith(server) else None)

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    requested = []
    page.on("request", lambda req: requested.append(req.url))
    page.goto(server + "/voortgang", wait_until="load")
    # a chart's data is fetched and drawn when it comes near the screen (static/voortgang.js): the last
    # one, far below the first screen, not before the visitor scrolls to it
    lazy = not any("/wijzigingen_per_soort.json" in u for u in requested)
    for chart in CHARTS:
        page.locator(f"#{chart}").scroll_into_view_if_needed()
        if release and chart == "grafiek-startjaar":
            page.wait_for_selector(f"#{chart}.grafiek-leeg", timeout=20000)
            continue
        page.wait_for_selector(f"#{chart} svg .mark-rect path, #{chart} svg .mark-rect", timeout=20000)
    # Vega marks every drawn item with its kind (bar, tick, rule mark) for assistive technology
    marks = {chart: page.locator(f'#{chart} svg [aria-roledescription="bar"]').count() for chart in CHARTS}
    rules = page.locator('#grafiek-startjaar svg [aria-roledescription="rule mark"]').count()
    ticks = page.locator('#grafiek-betaalbaar svg [aria-roledescription="tick"]').count()
    captions = {chart: page.locator(f"figure:has(#{chart}) figcaption").inner_text() for chart in CHARTS}
    links = {
        chart: page.locator(f"figure:has(#{chart}) figcaption a").evaluate_all("els => els.map(e => e.href)")
        for chart in CHARTS
    }
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"voortgang-{request.param}.png"), full_page=True)
    text = page.locator("main, body").first.inner_text()
    empty = page.locator("#grafiek-startjaar").inner_text()
    context.close()
    return {
        "lazy": lazy,
        "db": db,
        "release": release,
        "empty": empty,
        "marks": marks,
        "rules": rules,
        "ticks": ticks,
        "errors": errors,
        "blocked": blocked,
        "failed": failed,
        "captions": captions,
        "links": links,
        "text": text,
    }


def count(db, sql):
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_every_chart_draws_its_marks(voortgang):
    m, sample_db = voortgang["marks"], voortgang["db"]
    years = count(
        sample_db,
        "select count(distinct start_bouw) from plannen where planstatus is not 'vervallen' and start_bouw is not null",
    )
    if voortgang["release"]:
        # no start year in the release: the chart says so in words instead of drawing empty axes
        assert years == 0 and m["grafiek-startjaar"] == 0 and voortgang["rules"] == 0
        assert "geeft geen startjaar" in voortgang["empty"]
    else:
        assert years > 0 and m["grafiek-startjaar"] >= years  # at least one bar segment per start year
        assert voortgang["rules"] == 1  # the 100,000 target line
    assert m["grafiek-betaalbaar"] == 2 * 13  # affordable + social for Nederland and 12 provinces
    assert voortgang["ticks"] == 2 * 13  # the target ticks
    assert 2 * 12 <= m["grafiek-hardheid"] <= 3 * 12  # hard, soft (and unknown) per province
    kinds = count(
        sample_db,
        "select count(distinct soort) from plan_wijzigingen "
        "where peildatum_nieuw = (select max(peildatum_nieuw) from plan_wijzigingen)",
    )
    assert m["grafiek-wijzigingen"] == kinds


def test_charts_below_the_first_screen_wait_until_scrolled_to(voortgang):
    assert voortgang["lazy"]


def test_no_js_errors_and_nothing_fetched_from_outside(voortgang):
    assert voortgang["errors"] == []
    assert voortgang["failed"] == []
    assert voortgang["blocked"] == []  # vega, vega-lite and vega-embed are served from /static/vendor


def test_every_chart_names_peildatum_source_query_and_csv(voortgang):
    queries = {
        "grafiek-startjaar": "woningen_per_startjaar",
        "grafiek-betaalbaar": "betaalbaar_per_gebied",
        "grafiek-hardheid": "woningen_per_provincie",
        "grafiek-wijzigingen": "wijzigingen_per_soort",
    }
    for chart, query in queries.items():
        caption, links = voortgang["captions"][chart], voortgang["links"][chart]
        assert "Peildatum" in caption and "Bron" in caption, chart
        assert "2025-10-01" in caption
        assert any(
            f"/woningbouwplannen/{query}" in link and ".csv" not in link and ".json" not in link for link in links
        )
        assert any(f"/woningbouwplannen/{query}.csv" in link for link in links), chart
    assert "2025-04-01 → 2025-10-01" in voortgang["captions"]["grafiek-wijzigingen"]
    assert "Kamerbrief" in voortgang["captions"]["grafiek-startjaar"]
    assert "77.600" in voortgang["text"] and "104.000" in voortgang["text"] and "Voortgang" in voortgang["text"]
