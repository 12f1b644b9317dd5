"""Several exports read and validated side by side (ingest/pool.py via build.load_sources) give the
same database as one after the other, and a fatal file stops the build with the same message."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from ingest import pool
from ingest.build import build
from ingest.errors import FatalInput

from helpers import write_manifest

HEADER = ["Plan-ID", "Plannaam", "Gemeentecode", "Planstatus", "Aantal woningen", "Start bouw", "Openbaar"]


def export(path, peildatum_index: int, n: int = 300):
    """An export in which plans come and go and change between peildatums, with a few bad rows."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        for i in range(peildatum_index * 10, n):
            status = ["Idee/visie", "Ontwerp", "Vastgesteld"][(i + peildatum_index) % 3]
            w.writerow(
                [
                    f"P-{i}",
                    f"Plan {i}",
                    ["GM0363", "GM0344", "GM0599"][i % 3],
                    status,
                    10 + i % 50 + peildatum_index,
                    2027 + i % 5,
                    "nee" if i % 37 == 0 else "ja",
                ]
            )
        w.writerow(["", "Zonder id", "GM0363", "Ontwerp", 5, 2027, "ja"])
        w.writerow([f"X-{peildatum_index}", "Negatief", "GM0363", "Ontwerp", -4, 2027, "ja"])


def tables(db) -> dict:
    conn = sqlite3.connect(db)
    try:
        names = [n for (n,) in conn.execute("select name from sqlite_master where type = 'table' order by name")]
        return {
            n: conn.execute(f"select * from [{n}] order by rowid").fetchall()
            for n in names
            if n != "bronnen" and not n.startswith(("plannen_fts", "sqlite_"))
        } | {
            "bronnen": conn.execute(
                "select bestand, soort, sha256, rijen_gelezen, rijen_geladen, rijen_afgewezen, "
                "rijen_niet_openbaar, waarschuwingen, toelichting from bronnen order by id"
            ).fetchall()
        }
    finally:
        conn.close()


@pytest.fixture
def three_exports(tmp_path):
    entries = []
    for i, peildatum in enumerate(["2025-01-01", "2025-04-01", "2025-07-01"]):
        export(tmp_path / f"p{i}.csv", i)
        entries.append({"kind": "plannen", "path": f"p{i}.csv", "peildatum": peildatum})
    return tmp_path, entries


def test_side_by_side_gives_the_same_database(three_exports, monkeypatch):
    d, entries = three_exports
    manifest = write_manifest(d, entries)
    build(manifest, d / "serial" / "w.db", quiet=True)
    monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)
    assert pool.workers_for_files(d / e["path"] for e in entries) == pool.cores()
    build(manifest, d / "parallel" / "w.db", quiet=True)
    serial, parallel = tables(d / "serial" / "w.db"), tables(d / "parallel" / "w.db")
    assert parallel == serial
    assert len(serial["plan_historie"]) > 800 and len(serial["ingest_problemen"]) >= 6  # not empty by accident


@pytest.mark.parametrize("parallel", [False, True])
def test_a_fatal_export_stops_the_build_with_its_own_message(three_exports, monkeypatch, parallel):
    d, entries = three_exports
    (d / "p1.csv").write_text("Plannaam;Gemeentecode\nEen;GM0363\n", encoding="utf-8")  # no Plan-ID column
    entries[2]["mapping"] = "bestaat-niet"  # a later source's problem is not the one reported
    if parallel:
        monkeypatch.setattr(pool, "PARALLEL_MIN_BYTES", 0)
    with pytest.raises(FatalInput) as err:
        build(write_manifest(d, entries), d / "out" / "w.db", quiet=True)
    assert err.value.path.name == "p1.csv" and "verplichte kolom ontbreekt" in err.value.message
    assert not (d / "out" / "w.db").exists()
