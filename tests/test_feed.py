"""The Atom feed of plan changes (datasette-atom on the canned query wijzigingen_feed), read by feedparser
and checked against the MUSTs of RFC 4287."""

from __future__ import annotations

import re
import sqlite3
import urllib.parse
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict

import feedparser

from ingest import site
from ingest.build import build

from helpers import make_datasette, portal_metadata, write_manifest

META = portal_metadata()["plugins"][site.PLUGIN]
# the portal's publisher (metadata.yml), in the feed's first language
AUTHOR = ((META.get("publisher") or {}).get("name") or portal_metadata()["title"]).split(" / ")[0]

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
    assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
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
        "where soort = 'start_bouw_later' order by verschil desc, plan_id limit 1"
    ).fetchone()
    conn.close()
    root = ET.fromstring((await export_app.client.get(FEED)).content)
    entry = next(
        e for e in root.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id").endswith(f":{pid}:start_bouw_later")
    )
    assert naam in entry.findtext(f"{ATOM}title")
    assert f"van {oud} naar {nieuw} ({jaren} jaar later)" in entry.findtext(f"{ATOM}content")


async def test_feed_with_a_single_peildatum_is_still_valid_atom(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nF-1;Eerste;GM0363;10\n", encoding="utf-8"
    )
    manifest = write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}])
    build(manifest, tmp_path / "woningbouwplannen.db", quiet=True)
    response = await make_datasette(tmp_path / "woningbouwplannen.db").client.get(FEED)
    assert response.status_code == 200
    entries = ET.fromstring(response.content).findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Nog geen wijzigingen / no changes yet"]


async def test_the_feed_filters_by_municipality_and_province_and_a_browser_gets_a_page(export_app, export_db):
    conn = sqlite3.connect(export_db)
    code, provincie = conn.execute(
        "select gemeentecode, provincie from plan_wijzigingen where soort = 'nieuw' "
        "group by gemeentecode order by count(*) desc limit 1"
    ).fetchone()
    conn.close()
    for query, key, value in (
        (f"gemeentecode={code}", "gemeentecode", code),
        (f"provincie={provincie}", "provincie", provincie),
    ):
        root = ET.fromstring((await export_app.client.get(f"{FEED}?{query}")).content)
        ids = [e.findtext(f"{ATOM}id").split(":")[4] for e in root.findall(f"{ATOM}entry")]
        conn = sqlite3.connect(export_db)
        want = {
            r[0]
            for r in conn.execute(
                f"select plan_id from plan_wijzigingen where {key} = ? and soort in "
                "('nieuw', 'ingetrokken', 'start_bouw_later')",
                [value],
            )
        }
        conn.close()
        assert ids and set(ids) == want
    page = await export_app.client.get(
        f"{FEED}?gemeentecode={code}", headers={"accept": "text/html,application/xhtml+xml"}
    )
    assert page.status_code in (302, 303) and page.headers["location"] == f"/wijzigingen?gemeentecode={code}"
    html = (await export_app.client.get(f"/wijzigingen?gemeentecode={code}")).text
    assert "Atom" in html and f"wijzigingen_feed.atom?gemeentecode={code}" in html and "/plan/" in html
    gemeente = (await export_app.client.get(f"/gemeente/{code}")).text
    assert 'type="application/atom+xml"' in gemeente and f"wijzigingen_feed.atom?gemeentecode={code}" in gemeente


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
# what may stand unencoded in an IRI (RFC 3987): ASCII letters, digits, reserved and unreserved marks, '%'
IRI_ASCII = re.compile(r"^[A-Za-z0-9:/?#\[\]@!$&'()*+,;=%~._-]+$")


def one(element, name: str) -> ET.Element:
    found = element.findall(f"{ATOM}{name}")
    assert len(found) == 1, f"{element.tag} has {len(found)} atom:{name}"
    return found[0]


def alternates_unique(element) -> None:
    """RFC 4287 4.1.1/4.1.2: at most one rel=alternate link per type and hreflang."""
    seen = Counter(
        (link.get("type"), link.get("hreflang"))
        for link in element.findall(f"{ATOM}link")
        if link.get("rel", "alternate") == "alternate"
    )
    assert all(n == 1 for n in seen.values()), seen


def assert_rfc4287(body: bytes, base: str) -> list[ET.Element]:
    """The MUSTs of RFC 4287 for a feed and its entries, checked one by one; returns the entries."""
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (one(root, name).text or "").strip()
    assert RFC3339.match(one(root, "updated").text)
    assert urllib.parse.urlsplit(one(root, "id").text).scheme  # an absolute IRI
    alternates_unique(root)
    self_links = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert len(self_links) == 1 and self_links[0].get("href").startswith(base + "/")
    feed_authors = root.findall(f"{ATOM}author")
    entries = root.findall(f"{ATOM}entry")
    assert entries
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (one(entry, name).text or "").strip()
        assert RFC3339.match(one(entry, "updated").text)
        entry_id = one(entry, "id").text
        assert IRI_ASCII.match(entry_id) and urllib.parse.urlsplit(entry_id).scheme, entry_id
        ids.append(entry_id)
        alternates_unique(entry)
        links = entry.findall(f"{ATOM}link")
        # no content: at least one alternate link (4.1.2); every link here absolute, at the configured address
        assert entry.find(f"{ATOM}content") is not None or links
        for link in links:
            href = link.get("href")
            assert IRI_ASCII.match(href) and href.startswith(base + "/"), href
        # an author on the feed, or on every entry (4.1.1)
        assert feed_authors or entry.findall(f"{ATOM}author")
    for author in feed_authors:
        assert (one(author, "name").text or "").strip()
    assert len(set(ids)) == len(ids)  # every entry its own id
    return entries


async def test_the_feed_meets_rfc_4287_and_feedparser_reads_it_cleanly(export_app):
    base = site.base_url(META)
    for query in ("", "?provincie=Utrecht", "?gemeentecode=gm0363&_extra=1"):
        # a spoofed Host must not reach the feed: every address comes from the configured base_url
        response = await export_app.client.get(FEED + query, headers={"host": "evil.example"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/atom+xml; charset=utf-8"
        assert b"evil.example" not in response.content
        entries = assert_rfc4287(response.content, base)
        root = ET.fromstring(response.content)
        assert one(one(root, "author"), "name").text == AUTHOR
        assert one(root, "updated").text == max(one(e, "updated").text for e in entries)
        parsed = feedparser.parse(response.content, response_headers={"content-type": response.headers["content-type"]})
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10" and parsed.feed.author == AUTHOR
        assert len(parsed.entries) == len(entries)
        assert all(e.id and e.title and e.updated_parsed and e.link.startswith(base + "/plan/") for e in parsed.entries)
    # the feed's id and self link name the feed by its filters alone, spelled one way
    root = ET.fromstring((await export_app.client.get(f"{FEED}?gemeentecode=gm0363&_extra=1")).content)
    assert one(root, "id").text == f"{base}{FEED}?gemeentecode=GM0363"
    alternate = [link for link in root.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
    assert [link.get("href") for link in alternate] == [f"{base}/wijzigingen?gemeentecode=GM0363"]


async def test_a_plan_id_with_spaces_and_marks_still_gives_iris_that_lead_to_the_plan(tmp_path):
    (tmp_path / "a.csv").write_text(
        "Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nA-1;Een;GM0363;10\n", encoding="utf-8"
    )
    (tmp_path / "b.csv").write_text(
        "Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nA-1;Een;GM0363;10\nZ 1#2?%;Twee;GM0363;20\n", encoding="utf-8"
    )
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "a.csv", "peildatum": "2025-04-01"},
            {"kind": "plannen", "path": "b.csv", "peildatum": "2025-10-01"},
        ],
    )
    build(manifest, tmp_path / "woningbouwplannen.db", quiet=True)
    app = make_datasette(tmp_path / "woningbouwplannen.db")
    body = (await app.client.get(FEED)).content
    base = site.base_url(META)
    [entry] = assert_rfc4287(body, base)
    assert one(entry, "id").text == "urn:woningbouwplannen:wijziging:2025-10-01:Z+1~232~3F~25:nieuw"
    href = one(entry, "link").get("href")
    assert href == f"{base}/plan/Z+1~232~3F~25"
    assert not feedparser.parse(body).bozo
    page = await app.client.get(href[len(base) :])
    assert page.status_code == 200 and "Twee" in page.text
