"""Privacy sweep: non-public plans, columns and areas go in; no endpoint gives any of them back.

The fixture export has plans with Openbaar = nee, the non-public columns Contactpersoon, E-mail
and Opmerkingen intern, an unknown column, and a plan area for a non-public plan; each carries a
secret marker. Then every endpoint is read through the real app (pages in nl and en, JSON, CSV,
GeoJSON, map data, SQL over every table, full-text search, canned queries, the database download,
the download files and the database file itself) and none may contain a marker.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import urllib.parse

import pytest

from ingest.build import build

from helpers import make_datasette, write_manifest

SECRETS = [
    "GEHEIMPLAN-71",
    "Verborgen Hofje Zeven",
    "Jansen-contact-93",
    "geheim93@voorbeeld.invalid",
    "interne-notitie-93",
    "onbekendveld-93",
    "GEHEIMPLAN-72",
    "Nooit Openbaar Erf",
]
HEADER = [
    "Plan-ID",
    "Plannaam",
    "Gemeentecode",
    "Planstatus",
    "Aantal woningen",
    "Omschrijving",
    "Openbaar",
    "Contactpersoon",
    "E-mail",
    "Opmerkingen intern",
    "Bijzonderheden leverancier",
]


def plan(pid, naam, openbaar, gm="GM0363"):
    return [
        pid,
        naam,
        gm,
        "Vastgesteld",
        40,
        f"Plan {naam}",
        openbaar,
        "Jansen-contact-93",
        "geheim93@voorbeeld.invalid",
        "interne-notitie-93",
        "onbekendveld-93",
    ]


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    d = tmp_path_factory.mktemp("privacy")
    rows = [
        plan("OPEN-1", "Open Kade", "ja"),
        plan("OPEN-2", "Open Plein", "ja", "GM0344"),
        plan("GEHEIMPLAN-71", "Verborgen Hofje Zeven", "nee"),
        plan("GEHEIMPLAN-72", "Nooit Openbaar Erf", "Nee"),
    ]
    buf = io.StringIO()
    csv.writer(buf, delimiter=";").writerows([HEADER, *rows])
    (d / "export.csv").write_text(buf.getvalue(), encoding="utf-8")
    square = lambda lon, lat: {
        "type": "Polygon",
        "coordinates": [[[lon, lat], [lon + 0.003, lat], [lon + 0.003, lat + 0.003], [lon, lat + 0.003], [lon, lat]]],
    }
    features = [
        {"type": "Feature", "properties": {"plan_id": pid}, "geometry": square(4.90, 52.37)}
        for pid in ("OPEN-1", "GEHEIMPLAN-71")
    ]
    features.append({"type": "Feature", "properties": {"plan_id": "GEHEIMPLAN-72"}, "geometry": None})  # broken too
    (d / "gebieden.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    manifest = write_manifest(
        d,
        [
            {"kind": "plannen", "path": "export.csv", "peildatum": "2026-01-01"},
            {"kind": "plangebieden", "path": "gebieden.geojson"},
        ],
    )
    db = d / "woningbouwplannen.db"
    build(manifest, db, quiet=True)
    return db, make_datasette(db)


def assert_clean(where: str, data: bytes | str):
    text = data if isinstance(data, str) else data.decode("utf-8", "replace")
    for secret in SECRETS:
        assert secret.casefold() not in text.casefold(), f"{secret!r} found in {where}"


def test_database_file_and_downloads_hold_no_secret(swept):
    db, _ = swept
    assert_clean(db.name, db.read_bytes())
    downloads = db.parent / "downloads"
    files = [p for p in downloads.rglob("*") if p.is_file()] if downloads.exists() else []
    for path in files:
        assert_clean(str(path), path.read_bytes())
    conn = sqlite3.connect(db)
    # the sweep is meaningful: the public plans are there, the area of the secret plan was seen and refused
    assert conn.execute("select count(*) from plannen").fetchone()[0] == 2
    assert conn.execute("select rijen_niet_openbaar from bronnen where bestand = 'export.csv'").fetchone()[0] == 2


async def test_every_endpoint_is_clean(swept):
    db, app = swept
    conn = sqlite3.connect(db)
    tables = [t for (t,) in conn.execute("select name from sqlite_master where type = 'table'")]
    queries = list((app.metadata("queries", database="woningbouwplannen") or {}).keys())
    paths = [
        "/",
        "/kaart",
        "/voortgang",
        "/in-de-buurt",
        "/doorbraaklocaties",
        "/plan/OPEN-1",
        "/over",
        "/woningbouwplannen",
        "/-/kaartdata.json",
        "/woningbouwplannen.db",
        "/sitemap.xml",
        "/robots.txt",
        "/-/metadata.json",
        "/woningbouwplannen/wijzigingen_feed.atom",
        "/downloads/index.json",
    ]
    for table in tables:
        t = urllib.parse.quote(table)
        paths += [
            f"/woningbouwplannen/{t}",
            f"/woningbouwplannen/{t}.json?_size=max",
            f"/woningbouwplannen/{t}.csv?_stream=on",
            f"/woningbouwplannen/{t}.geojson",
            "/woningbouwplannen.json?sql=" + urllib.parse.quote(f"select * from [{table}]") + "&_size=max",
        ]
    for name in queries:
        paths += [f"/woningbouwplannen/{name}", f"/woningbouwplannen/{name}.json"]
    for word in ("Verborgen", "Hofje", "Nooit", "GEHEIMPLAN", "Jansen", "interne"):
        paths += [f"/woningbouwplannen/plannen?_search={word}", f"/woningbouwplannen/plannen.json?_search={word}"]
    asked = [
        "/plan/GEHEIMPLAN-71",
        "/woningbouwplannen/plannen/GEHEIMPLAN-71.json",
        "/woningbouwplannen/plangebieden/GEHEIMPLAN-71",
    ]
    statuses = {}
    for path in paths + ["/en" + p for p in paths if not p.startswith(("/-/", "/downloads"))]:
        response = await app.client.get(path)
        statuses[path] = response.status_code
        assert_clean(path, response.content)
    # asked for by its id, a withheld plan answers exactly as an id that never existed (the page may
    # repeat the address it was asked for, as it does for any id)
    for path in asked + ["/en" + p for p in asked]:
        response = await app.client.get(path)
        unknown = await app.client.get(path.replace("GEHEIMPLAN-71", "NOOITPLAN-71"))
        statuses[path] = response.status_code
        assert response.status_code == unknown.status_code == 404, path
        assert response.content == unknown.content.replace(b"NOOITPLAN-71", b"GEHEIMPLAN-71"), path
        assert_clean(path, response.content.replace(b"GEHEIMPLAN-71", b""))
    ok = [p for p, s in statuses.items() if s == 200]
    assert len(ok) > 0.8 * len([p for p in statuses if "GEHEIM" not in p]), statuses  # the sweep really read pages
    assert statuses["/woningbouwplannen.db"] == 200 and statuses["/woningbouwplannen/plannen.json?_size=max"] == 200
