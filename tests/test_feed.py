"""The Atom feed of plan changes (datasette-atom on the canned query wijzigingen_feed)."""
from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

from conftest import make_datasette, portal_metadata, write_manifest
from ingest import site
from ingest.build import build

META = portal_metadata()["plugins"][site.PLUGIN]

ATOM = "{http://www.w3.org/2005/Atom}"
FEED = "/woningbouwplannen/wijzigingen_feed.atom"


def expected_changes(db):
    """(plan_id, kind) of new, withdrawn and delayed plans, recomputed from plan_historie."""
    conn = sqlite3.connect(db)
    rows = conn.execute("select plan_id, peildatum, start_bouw from plan_historie").fetchall()
    conn.close()
    versions = defaultdict(dict)
    for pid, peil, start in rows:
        versions[pid][peil] = start
    old, new = sorted({r[1] for r in rows})[-2:]
    out = set()
    for pid, v in versions.items():
        if new in v and old not in v:
            out.add((pid, "nieuw"))
        elif old in v and new not in v:
            out.add((pid, "ingetrokken"))
        elif v[old] and v[new] and v[new] > v[old]:
            out.add((pid, "start_bouw_later"))
    return out


async def test_feed_is_atom_with_an_entry_per_change(export_app, export_db):
    response = await export_app.client.get(FEED)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Wijzigingen in woningbouwplannen / Changes in housing plans"
    assert root.findtext(f"{ATOM}updated").startswith("2025-10-01")
    entries = root.findall(f"{ATOM}entry")
    expected = expected_changes(export_db)
    assert len(entries) == len(expected) > 300
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    got = set()
    for e in entries:
        _, _, _, peil, pid, soort = e.findtext(f"{ATOM}id").split(":")
        got.add((pid, soort))
        assert e.findtext(f"{ATOM}updated").startswith(peil)
        title, content = e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}content")
        assert title and content and "Peildatum 2025-04-01 -> 2025-10-01" in content
        assert e.find(f"{ATOM}link").get("href") == f"{site.base_url(META)}/plan/{pid}"  # absolute, to the plan page
        prefix = {"nieuw": "Nieuw plan", "ingetrokken": "Ingetrokken", "start_bouw_later": "Vertraagd"}[soort]
        assert title.startswith(prefix)
    assert got == expected
    assert Counter(s for _, s in got) == Counter(s for _, s in expected)


async def test_delayed_entry_says_from_when_to_when(export_app, export_db):
    conn = sqlite3.connect(export_db)
    pid, naam, oud, nieuw, jaren = conn.execute(
        "select plan_id, naam, oude_waarde, nieuwe_waarde, verschil from plan_wijzigingen "
        "where soort = 'start_bouw_later' order by verschil desc, plan_id limit 1").fetchone()
    conn.close()
    root = ET.fromstring((await export_app.client.get(FEED)).content)
    entry = next(e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(f":{pid}:start_bouw_later"))
    assert naam in entry.findtext(f"{ATOM}title")
    assert f"van {oud} naar {nieuw} ({jaren} jaar later)" in entry.findtext(f"{ATOM}content")


async def test_feed_with_a_single_peildatum_is_still_valid_atom(tmp_path):
    (tmp_path / "p.csv").write_text("Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nF-1;Eerste;GM0363;10\n",
                                    encoding="utf-8")
    manifest = write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}])
    build(manifest, tmp_path / "woningbouwplannen.db", quiet=True)
    response = await make_datasette(tmp_path / "woningbouwplannen.db").client.get(FEED)
    assert response.status_code == 200
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Nog geen wijzigingen / no changes yet"]


async def test_the_feed_filters_by_municipality_and_province_and_a_browser_gets_a_page(export_app, export_db):
    conn = sqlite3.connect(export_db)
    code, provincie = conn.execute("select gemeentecode, provincie from plan_wijzigingen where soort = 'nieuw' "
                                   "group by gemeentecode order by count(*) desc limit 1").fetchone()
    conn.close()
    for query, key, value in ((f"gemeentecode={code}", "gemeentecode", code), (f"provincie={provincie}", "provincie", provincie)):
        root = ET.fromstring((await export_app.client.get(f"{FEED}?{query}")).content)
        ids = [e.findtext(f"{ATOM}id").split(":")[4] for e in root.findall(f"{ATOM}entry")]
        conn = sqlite3.connect(export_db)
        want = {r[0] for r in conn.execute(f"select plan_id from plan_wijzigingen where {key} = ? and soort in "
                                           "('nieuw', 'ingetrokken', 'start_bouw_later')", [value])}
        conn.close()
        assert ids and set(ids) == want
    page = await export_app.client.get(f"{FEED}?gemeentecode={code}", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code in (302, 303) and page.headers["location"] == f"/wijzigingen?gemeentecode={code}"
    html = (await export_app.client.get(f"/wijzigingen?gemeentecode={code}")).text
    assert "Atom" in html and f"wijzigingen_feed.atom?gemeentecode={code}" in html and "/plan/" in html
    gemeente = (await export_app.client.get(f"/gemeente/{code}")).text
    assert f'type="application/atom+xml"' in gemeente and f"wijzigingen_feed.atom?gemeentecode={code}" in gemeente
