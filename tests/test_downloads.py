"""Build-time downloads read back by real clients: pandas, GDAL (pyogrio), openpyxl, json; the streamed CSV."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3

import openpyxl
import pandas as pd
import pyogrio
import pytest

from ingest.build import build
from ingest.errors import FatalInput

from helpers import write_manifest

GEO_TABLES = {"plannen", "plangebieden", "doorbraaklocaties"}


@pytest.fixture(scope="module")
def downloads(sample_db):
    directory = sample_db.parent / "downloads"
    index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    return directory, index, sqlite3.connect(sample_db)


def tables_in(conn) -> set[str]:
    """Published tables, found independently of ingest/downloads.py: Datasette's FTS tables hidden."""
    names = {n for (n,) in conn.execute("select name from sqlite_master where type = 'table'")}
    return {n for n in names if not n.startswith(("sqlite_", "plannen_fts"))}


def count(conn, table) -> int:
    return conn.execute(f"select count(*) from [{table}]").fetchone()[0]


def test_every_table_in_every_format_with_true_rows_bytes_and_sha256(downloads, sample_db):
    directory, index, conn = downloads
    by_table: dict[str, set[str]] = {}
    for f in index["files"]:
        by_table.setdefault(f["table"], set()).add(f["format"])
        data = (directory / f["file"]).read_bytes()
        assert f["bytes"] == len(data) and f["sha256"] == hashlib.sha256(data).hexdigest(), f["file"]
        assert f["rows"] == count(conn, f["table"]) and f["peildatum"] == "2025-10-01"
    assert set(by_table) == tables_in(conn) and len(by_table) >= 13
    for table, formats in by_table.items():
        expected = {"csv", "csv-excel", "json", "xlsx"} | ({"geojson"} if table in GEO_TABLES else set())
        assert formats == expected, table
    db = index["database"]
    assert (
        db["sha256"] == hashlib.sha256(sample_db.read_bytes()).hexdigest() and db["bytes"] == sample_db.stat().st_size
    )


def test_pandas_reads_both_csv_variants_with_types_and_all_rows(downloads):
    directory, index, conn = downloads
    package = json.loads((directory / "datapackage.json").read_text(encoding="utf-8"))
    for resource in package["resources"]:
        table, fields = resource["name"], resource["schema"]["fields"]
        plain = pd.read_csv(
            directory / f"{table}.csv", dtype_backend="numpy_nullable", keep_default_na=False, na_values=[""]
        )
        raw = (directory / f"{table}.excel.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), table  # BOM: Excel opens it as UTF-8
        excel = pd.read_csv(
            io.BytesIO(raw),
            sep=";",
            decimal=",",
            encoding="utf-8-sig",
            dtype_backend="numpy_nullable",
            keep_default_na=False,
            na_values=[""],
        )
        assert len(plain) == len(excel) == count(conn, table), table
        assert list(plain.columns) == list(excel.columns) == [f["name"] for f in fields]
        for f in fields:
            for frame in (plain, excel):
                column = frame[f["name"]]
                if column.isna().all():
                    continue
                if f["type"] == "integer":
                    assert pd.api.types.is_integer_dtype(column), (table, f["name"], column.dtype)
                elif f["type"] == "number":
                    assert pd.api.types.is_float_dtype(column) or pd.api.types.is_integer_dtype(column), (
                        table,
                        f["name"],
                    )
            if f["type"] == "number":  # the decimal comma reads back as the same numbers
                assert (plain[f["name"]].fillna(-1) == excel[f["name"]].fillna(-1)).all(), (table, f["name"])
    plannen = pd.read_csv(directory / "plannen.excel.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert plannen["latitude"].between(50.7, 53.6).all() and plannen["oppervlakte_ha"].dtype == "float64"
    assert "," in (directory / "plannen.excel.csv").read_text(encoding="utf-8-sig").splitlines()[1]


def test_json_is_an_array_of_objects_per_table(downloads):
    directory, index, conn = downloads
    for f in (f for f in index["files"] if f["format"] == "json"):
        rows = json.loads((directory / f["file"]).read_text(encoding="utf-8"))
        assert isinstance(rows, list) and len(rows) == count(conn, f["table"])
        columns = [r[1] for r in conn.execute(f"pragma table_info([{f['table']}])") if r[1] != "popup"]
        assert all(list(r) == columns for r in rows[:5])
    first = json.loads((directory / "plannen.json").read_text(encoding="utf-8"))[0]
    assert first == {
        k: v
        for k, v in zip(
            first,
            conn.execute(f"select {', '.join(first)} from plannen where plan_id = ?", [first["plan_id"]]).fetchone(),
        )
    }


def test_openpyxl_reads_every_workbook(downloads):
    directory, index, conn = downloads
    for f in (f for f in index["files"] if f["format"] == "xlsx"):
        workbook = openpyxl.load_workbook(directory / f["file"], read_only=True)
        sheet = workbook[f["table"][:31]]
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) - 1 == count(conn, f["table"]), f["file"]
        columns = [
            r[1] for r in conn.execute(f"pragma table_info([{f['table']}])") if r[1] not in ("popup", "geometrie")
        ]
        assert list(rows[0]) == columns
        workbook.close()
    workbook = openpyxl.load_workbook(directory / "plannen.xlsx", read_only=True)
    header, first = list(workbook["plannen"].iter_rows(min_row=1, max_row=2, values_only=True))
    stored = conn.execute("select woningen, latitude from plannen where plan_id = ?", [first[0]]).fetchone()
    assert (first[header.index("woningen")], first[header.index("latitude")]) == stored  # numbers stay numbers


def test_gdal_reads_every_geojson(downloads):
    directory, index, conn = downloads
    geo = [f for f in index["files"] if f["format"] == "geojson"]
    assert {f["table"] for f in geo} == GEO_TABLES
    for f in geo:
        info = pyogrio.read_info(str(directory / f["file"]))
        assert info["features"] == count(conn, f["table"]) == f["rows"] and info["crs"] == "EPSG:4326"


async def test_streamed_filtered_csv_has_every_row(sample_app, sample_db):
    conn = sqlite3.connect(sample_db)
    expected = conn.execute("select count(*) from plan_historie where peildatum = '2025-10-01'").fetchone()[0]
    limit = (await sample_app.client.get("/-/settings.json")).json()["max_returned_rows"]
    assert expected > limit  # more rows than one JSON page: a truncation would show
    r = await sample_app.client.get("/woningbouwplannen/plan_historie.csv?peildatum=2025-10-01&_stream=on&_size=max")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == expected and {row["peildatum"] for row in rows} == {"2025-10-01"}
    assert len({(row["plan_id"], row["peildatum"]) for row in rows}) == expected  # none twice


async def test_downloads_page_lists_every_file_and_the_database(sample_app, downloads):
    directory, index, conn = downloads
    nl = await sample_app.client.get("/downloads")
    en = await sample_app.client.get("/en/downloads")
    assert nl.status_code == en.status_code == 200
    for f in index["files"]:
        assert f'href="/downloads/{f["file"]}"' in nl.text and f["sha256"] in nl.text
    assert 'href="/woningbouwplannen.db"' in nl.text and index["database"]["sha256"] in nl.text
    assert "Alle bestanden" in nl.text and "All files" in en.text and "2025-10-01" in en.text
    footer = (await sample_app.client.get("/over")).text
    assert 'href="/downloads"' in footer
    assert 'href="/downloads"' in (await sample_app.client.get("/voor-ontwikkelaars")).text
    assert (await sample_app.client.get("/woningbouwplannen.db")).status_code == 200


def test_rebuild_swaps_the_whole_set_and_a_failed_build_leaves_it(tmp_path):
    (tmp_path / "p.csv").write_text(
        "Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nA-1;Een;GM0363;10\n", encoding="utf-8"
    )
    manifest = write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}])
    db = tmp_path / "out" / "woningbouwplannen.db"
    build(manifest, db, quiet=True)
    link = db.parent / "downloads"
    first_target, first_index = link.resolve(), (link / "index.json").read_bytes()
    (db.parent / ".downloads.tmp-999-1").mkdir()  # as left by a killed build
    (tmp_path / "p.csv").write_text(
        "Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nA-1;Een;GM0363;10\nA-2;Twee;GM0363;20\n", encoding="utf-8"
    )
    build(manifest, db, quiet=True)
    assert link.is_symlink() and link.resolve() != first_target and not first_target.exists()
    assert json.loads((link / "index.json").read_text())["files"][0]["rows"] >= 1
    assert pd.read_csv(link / "plannen.csv").plan_id.tolist() == ["A-1", "A-2"]
    leftovers = [p.name for p in db.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [link.resolve().name]  # no temp or old sets remain
    second_target, second_index = link.resolve(), (link / "index.json").read_bytes()
    assert second_index != first_index
    (tmp_path / "p.csv").write_bytes(b"")  # an empty export is fatal
    with pytest.raises(FatalInput):
        build(manifest, db, quiet=True)
    assert link.resolve() == second_target and (link / "index.json").read_bytes() == second_index


async def test_developers_page_shows_the_running_limits_queries_and_examples(sample_app):
    settings = (await sample_app.client.get("/-/settings.json")).json()
    nl = (await sample_app.client.get("/nl/voor-ontwikkelaars")).text
    en = (await sample_app.client.get("/en/voor-ontwikkelaars")).text
    rows, ms = settings["max_returned_rows"], settings["sql_time_limit_ms"]
    assert f"Hoogstens {rows:,} rijen".replace(",", ".") in nl and f"At most {rows:,} rows" in en
    own = sample_app.plugin_config("sql-guard")["time_limit_ms"]  # the limit that applies to visitors' own SQL
    dutch = lambda n: f"{n:,}".replace(",", ".")  # noqa: E731
    assert f"mag {dutch(own)} milliseconden duren" in nl and f"vaste vragen {dutch(ms)};" in nl
    assert f"may take {own:,} milliseconds" in en and f"{ms:,}" in en
    assert settings["max_csv_mb"] == 0 and "geen maximale grootte" in nl
    assert 'href="/woningbouwplannen/woningen_per_provincie.json"' in nl  # canned queries from metadata.yml
    assert "pd.read_csv(" in nl and "fromJSON(" in nl and "curl " in nl and "next_url" in nl
    assert 'href="/openapi.json"' in nl and 'href="/datapackage.json"' in nl and 'href="/catalog.jsonld"' in nl
