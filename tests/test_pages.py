"""Public pages through the real Datasette app: both languages, language choice, escaping."""

import csv
import re
import sqlite3
import subprocess
import sys

import pytest
from babel.messages.pofile import read_po

from ingest import site
from ingest.build import build

from helpers import ROOT, make_datasette, query, write_manifest

PAGES = [
    "/",
    "/kaart",
    "/in-de-buurt",
    "/gemeenten",
    "/gemeente/GM0363",
    "/over",
    "/voor-journalisten",
    "/voor-ontwikkelaars",
    "/zoeken?q=Utrecht",
    "/voortgang",
    "/doorbraaklocaties",
]


async def first_plan(app):
    r = await app.client.get(
        "/woningbouwplannen.json?sql=select+plan_id,+naam+from+plannen+order+by+woningen+desc+limit+1&_shape=array"
    )
    return r.json()[0]


@pytest.mark.parametrize("path", PAGES)
async def test_page_in_dutch_and_english(sample_app, path):
    nl = await sample_app.client.get("/nl" + path)
    en = await sample_app.client.get("/en" + path)
    assert nl.status_code == en.status_code == 200, path
    assert '<html lang="nl">' in nl.text and '<html lang="en">' in en.text
    assert "Voorbeelddata" in nl.text and "Sample data" in en.text
    assert "Peildatum" in nl.text and "Reference date" in en.text
    assert nl.headers["content-language"] == "nl" and en.headers["content-language"] == "en"
    assert "taal=en" in en.headers["set-cookie"]


async def test_plan_page_both_languages(sample_app):
    plan = await first_plan(sample_app)
    for prefix, word in (("/nl", "Bruto woningen per prijsklasse in"), ("/en", "Gross homes per price class in")):
        r = await sample_app.client.get(f"{prefix}/plan/{plan['plan_id']}")
        assert r.status_code == 200 and word in r.text and plan["naam"] in r.text
        assert f"/woningbouwplannen/plannen/{plan['plan_id']}.json" in r.text


async def test_plan_page_shows_absent_price_class_as_unknown_not_zero(sample_db, tmp_path):
    """A class the source left empty is "–" (not given), a class it gave as 0 is 0: never the same."""
    db = tmp_path / "woningbouwplannen.db"
    db.write_bytes(sample_db.read_bytes())
    conn = sqlite3.connect(db)
    with conn:
        plan_id = conn.execute("select plan_id from plannen order by woningen desc limit 1").fetchone()[0]
        conn.execute(
            "update plannen set dure_huur = null, middenhuur = 0, huur_onbekend = 0, koop_onbekend = null "
            "where plan_id = ?",
            [plan_id],
        )
    conn.close()
    r = await make_datasette(db).client.get(f"/nl/plan/{plan_id}")
    rows = {
        m["klasse"]: m["cellen"]
        for m in re.finditer(r'<tr class="seg-(?P<klasse>\w+)[^"]*">(?P<cellen>.*?)</tr>', r.text, re.S)
    }
    assert re.search(r'<td class="getal">–</td><td>geen cijfer in de bron</td>', rows["dure_huur"])
    assert re.search(r'<td class="getal">0</td>', rows["middenhuur"]) and "0%" in rows["middenhuur"]
    # the classes of unknown price: an explicit 0 is shown, an absent one is left out
    assert re.search(r'<td class="getal">0</td>', rows["huur_onbekend"]) and "koop_onbekend" not in rows


async def test_unknown_plan_and_municipality_are_404(sample_app):
    assert (await sample_app.client.get("/plan/GEEN-PLAN")).status_code == 404
    assert (await sample_app.client.get("/gemeente/GM9999")).status_code == 404


@pytest.mark.parametrize(
    "headers,lang",
    [
        ({"accept-language": "en-GB,en;q=0.9"}, "en"),
        ({"accept-language": "nl-NL,nl;q=0.9,en;q=0.8"}, "nl"),
        ({"accept-language": "de-DE"}, "nl"),
        ({"accept-language": "en;q=1.2.3"}, "nl"),
        ({"accept-language": "en;q=0"}, "nl"),
        ({}, "nl"),
        ({"accept-language": "en", "cookie": "taal=nl"}, "nl"),
        ({"accept-language": "nl", "cookie": "taal=en"}, "en"),
    ],
)
async def test_language_follows_cookie_then_accept_language(sample_app, headers, lang):
    r = await sample_app.client.get("/over", headers=headers)
    assert f'<html lang="{lang}">' in r.text
    assert ("About the data" in r.text) == (lang == "en")


async def test_datasette_pages_also_translated_where_overridable(sample_app):
    r = await sample_app.client.get("/en/woningbouwplannen/plannen")
    assert r.status_code == 200 and '<html lang="en">' in r.text and "Data licence" in r.text
    r = await sample_app.client.get("/woningbouwplannen/plannen")
    assert "Licentie data" in r.text


async def test_key_figures_on_home_match_the_database(sample_app):
    import sqlite3

    db = [d for d in sample_app.databases.values() if d.name == "woningbouwplannen"][0]
    conn = sqlite3.connect(db.path)
    n, homes = conn.execute(
        "select count(*), sum(woningen) from plannen where planstatus is not 'vervallen'"
    ).fetchone()
    r = await sample_app.client.get("/nl/")
    assert f"{n:,}".replace(",", ".") in r.text and f"{homes:,}".replace(",", ".") in r.text
    r = await sample_app.client.get("/en/")
    assert f"{homes:,}" in r.text


async def test_map_data_has_every_plan_with_a_point(sample_app):
    import sqlite3

    db = [d for d in sample_app.databases.values() if d.name == "woningbouwplannen"][0]
    n = sqlite3.connect(db.path).execute("select count(*) from plannen where latitude is not null").fetchone()[0]
    data = (await sample_app.client.get("/-/kaartdata.json")).json()
    assert len(data["rows"]) == n and data["columns"][:4] == ["plan_id", "naam", "latitude", "longitude"]
    utrecht = (await sample_app.client.get("/-/kaartdata.json?provincie=Utrecht&segment=sociale_huur")).json()
    want = (
        sqlite3.connect(db.path)
        .execute("select count(*) from plannen where provincie='Utrecht' and sociale_huur > 0 and latitude is not null")
        .fetchone()[0]
    )
    assert len(utrecht["rows"]) == want > 0


def test_every_template_string_has_an_english_translation():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "update_messages.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    po = read_po((ROOT / "locale/en/LC_MESSAGES/messages.po").open("rb"))
    assert len([m for m in po if m.id]) > 150
    assert all(m.string for m in po if m.id)


HOSTILE = {
    "H-1": '<script>alert("xss")</script>',
    "H-2": '"><img src=x onerror=alert(1)>',
    "H-3": "x" * 400,
    "H-4": "Plan & 'quotes' {{ 7*7 }} </td></tr></table>",
}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory):
    d = tmp_path_factory.mktemp("hostile")
    with open(d / "h.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(
            ["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen", "Planstatus", "Omschrijving", "Doorbraaklocatie"]
        )
        for pid, name in HOSTILE.items():
            w.writerow([pid, name, "GM0363", 10, "Ontwerp", name, name])
    manifest = write_manifest(d, [{"kind": "plannen", "path": "h.csv", "peildatum": "2025-10-01"}])
    build(manifest, d / "woningbouwplannen.db", quiet=True)
    return make_datasette(d / "woningbouwplannen.db")


async def test_hostile_names_are_plain_text_on_every_page(hostile_app):
    paths = [
        "/",
        "/gemeente/GM0363",
        "/zoeken?q=alert",
        "/zoeken?q=xxxx",
        "/woningbouwplannen/plannen",
        *[f"/plan/{pid}" for pid in HOSTILE],
        *[f"/woningbouwplannen/plannen/{pid}" for pid in HOSTILE],
    ]
    for path in paths:
        for prefix in ("/nl", "/en"):
            r = await hostile_app.client.get(prefix + path)
            assert r.status_code == 200, path
            html = r.text
            assert '<script>alert("xss")</script>' not in html, path
            assert "<img src=x onerror" not in html, path
            # A name evaluated as a template would show "quotes' 49"; other numbers on the page
            # (query timings such as "1.492 ms") must not count.
            assert not re.search(r"quotes\S*\s+49", html), path
    r = await hostile_app.client.get("/plan/H-4")
    assert "{{ 7*7 }}" in r.text
    r = await hostile_app.client.get("/plan/H-1")
    assert (
        "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in r.text
        or "&lt;script&gt;alert(&quot;xss&quot;)" in r.text
    )


async def test_sitemap_lists_every_plan_and_municipality_page(sample_app):
    import sqlite3
    import xml.etree.ElementTree as ET

    db = [d for d in sample_app.databases.values() if d.name == "woningbouwplannen"][0]
    conn = sqlite3.connect(db.path)
    plans = {r[0] for r in conn.execute("select plan_id from plannen")}
    codes = {r[0] for r in conn.execute("select gemeentecode from gemeenten")}
    r = await sample_app.client.get("/sitemap.xml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(r.text).findall("s:url/s:loc", ns)]
    base = site.base_url(sample_app.plugin_config(site.PLUGIN))  # the configured address, never the request's
    assert all(loc.startswith(f"{base}/") for loc in locs)
    paths = {loc.removeprefix(base) for loc in locs}
    assert {p for p in paths if p.startswith("/plan/")} == {f"/plan/{p}" for p in plans}
    assert {p for p in paths if p.startswith("/gemeente/")} == {f"/gemeente/{c}" for c in codes}
    for path in ["/", "/over", f"/plan/{sorted(plans)[0]}", "/gemeente/GM0363"]:
        assert (await sample_app.client.get(path)).status_code == 200, path


async def test_robots_allows_pages_but_not_sql_or_bulk(sample_app):
    from urllib.robotparser import RobotFileParser

    text = (await sample_app.client.get("/robots.txt")).text
    rp = RobotFileParser()
    rp.parse(text.splitlines())
    assert "Disallow: /*?sql=" in text and "Disallow: /*.csv" in text and "Sitemap:" in text
    # the stdlib parser has no wildcards: check the plain prefixes it understands, and the pages
    for page in ("/", "/plan/GM0363-00001", "/gemeente/GM0363", "/en/over"):
        assert rp.can_fetch("*", "http://localhost" + page), page
    assert not rp.can_fetch("*", "http://localhost/downloads/plannen.csv")
    assert not rp.can_fetch("*", "http://localhost/-/kaartdata.json")


async def test_charting_assets_only_where_charts_work(sample_app, sample_db):
    # datasette-vega's ~1 MB of script is never part of a page: tables and query results offer a button that
    # loads it (static/grafiek.js; tests/test_browser.py draws a chart with it), other pages do not mention it
    plan_id = query(sample_db, "select plan_id from plannen limit 1")[0]["plan_id"]
    for path in ("/", "/en/", "/kaart", "/gemeente/GM0363", f"/woningbouwplannen/plannen/{plan_id}"):
        response = await sample_app.client.get(path)
        assert response.status_code == 200 and "/datasette_vega/" not in response.text, path
    for path in (
        "/woningbouwplannen/plannen",
        "/woningbouwplannen/woningen_per_provincie",
        "/en/woningbouwplannen/plannen",
    ):
        response = await sample_app.client.get(path)
        html = response.text
        assert response.status_code == 200 and "/datasette_vega/" not in html.split("</head>")[0], path
        button = re.search(
            r'<button type="button" id="grafiek-maken" data-js="([^"]+)" data-css="([^"]+)">([^<]+)<', html
        )
        assert button, path
        assert "/-/static-plugins/datasette_vega/" in button[1] and button[1].endswith(".js")
        assert "/-/static-plugins/datasette_vega/" in button[2] and button[2].endswith(".css")
        assert button[3] == ("Make a chart" if path.startswith("/en/") else "Grafiek maken")
        assert '<script src="/static/grafiek.js" defer></script>' in html


async def test_status_changes_are_in_the_page_language(sample_app, sample_db):
    change = query(
        sample_db,
        "select gemeentecode, plan_id, oude_waarde, nieuwe_waarde from plan_wijzigingen "
        "where kolom = 'planstatus' and oude_waarde = 'in voorbereiding' limit 1",
    )[0]
    for path in (f"/en/gemeente/{change['gemeentecode']}", f"/en/plan/{change['plan_id']}"):
        text = (await sample_app.client.get(path)).text
        cells = " ".join(re.findall(r"<(?:td|li)[^>]*>(.*?)</(?:td|li)>", text, re.S))
        assert "in preparation" in cells and "in voorbereiding" not in cells, path
