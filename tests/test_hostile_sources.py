"""Hostile and sloppy sources (issue 13): nothing non-public out, nothing lost or changed silently,
no traceback, bounded work. Each test builds with the real ingest against an already published database."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.__main__ import main as ingest_main
from ingest.build import build

from helpers import GEMEENTEN, ingest_build, query, write_manifest

HEADER = "Plan-ID;Plannaam;Gemeentecode;Aantal woningen;Planstatus"


def rows(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def run(directory: Path, db: Path | None = None) -> subprocess.CompletedProcess:
    return ingest_build(directory / "sources.yml", db or directory / "woningbouwplannen.db", timeout=120)


@pytest.fixture
def published(tmp_path):
    """A published database to protect: (directory, db path, its bytes)."""
    (tmp_path / "goed.csv").write_text(rows("P-1;Eerste;GM0363;10;Vastgesteld"), encoding="utf-8")
    write_manifest(tmp_path, [{"kind": "plannen", "path": "goed.csv", "peildatum": "2025-10-01"}])
    assert run(tmp_path).returncode == 0
    db = tmp_path / "woningbouwplannen.db"
    return tmp_path, db, db.read_bytes()


def refused(directory: Path, db: Path, before: bytes, *words: str) -> str:
    proc = run(directory)
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 2 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-800:]
    assert lines[0].startswith("FOUT: ") and all(w in lines[0] for w in words), lines[0]
    assert db.read_bytes() == before, "a refused build changed the published database"
    return lines[0]


# --- 1. fail closed on the publication flag -------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Openbaar (ja/nee)",
        "Publiceren",
        "Publicatie",
        "Mag gepubliceerd worden",
        "Vertrouwelijk",
        "OPENBAARHEID CODE",
        "Public",
    ],
)
def test_a_flag_column_the_mapping_does_not_know_stops_the_build(published, header):
    d, db, before = published
    (d / "export.csv").write_text(f"{HEADER};{header}\nP-1;Geheim plan;GM0363;10;Vastgesteld;nee\n", encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}])
    line = refused(d, db, before, "export.csv", repr(header), "publicatievlag")
    assert "openbaar: header" in line


@pytest.mark.parametrize(
    "header",
    [
        *("Publiek", "Niet-publiek", "Openb.", "Geheim", "Vrijgave", "Intern", "Privé", "Confidentieel"),
        *("Besloten", "Verborgen", "Hidden", "Visible", "Vrijgeven", "Embargo tot", "Afscherming", "Sensitive"),
        *("Restricted", "Tonen op kaart"),
        # not a flag word, but nothing but yes and no in it: a flag by another name
        *("Geheim (j/n)", "Intern (ja/nee)", "Alleen intern", "\u041epenbaar", "Kolom Q"),
    ],
)
def test_more_flag_like_headers_stop_the_build(published, header):
    d, db, before = published
    (d / "export.csv").write_text(f"{HEADER};{header}\nP-1;Geheim plan;GM0363;10;Vastgesteld;nee\n", encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}])
    refused(d, db, before, "export.csv", repr(header), "publicatievlag")


def test_two_flag_columns_stop_the_build(published):
    """A second Openbaar column holding nee was ignored: the first one published the rows."""
    d, db, before = published
    (d / "export.csv").write_text(
        f"{HEADER};Openbaar;Openbaar\nP-1;Geheim plan;GM0363;10;Vastgesteld;ja;nee\n", encoding="utf-8"
    )
    write_manifest(d, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}])
    refused(d, db, before, "export.csv", "publicatievlag", "2 kolommen")


@pytest.mark.parametrize("order", [("nee", "ja"), ("ja", "nee"), ("", "ja"), ("misschien", "ja")])
def test_a_plan_id_with_any_row_not_public_is_withheld_with_its_twin(tmp_path, order):
    first, second = order
    (tmp_path / "export.csv").write_text(
        f"{HEADER};Openbaar\nGEHEIM-1;Geheim;GM0363;10;Vastgesteld;{first}\n"
        f"geheim-1;Geheim twee;GM0363;10;Vastgesteld;{second}\nP-2;Open;GM0363;10;Vastgesteld;ja\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.db"
    build(
        write_manifest(tmp_path, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}]), db, quiet=True
    )
    assert [r["plan_id"] for r in query(db, "select plan_id from plannen")] == ["P-2"]
    assert not query(db, "select * from ingest_problemen where plan_id like '%geheim%' or waarde like '%geheim%'")
    bron = query(db, "select * from bronnen where soort = 'plannen'")[0]
    assert bron["rijen_gelezen"] == 3 == bron["rijen_geladen"] + bron["rijen_afgewezen"] + bron["rijen_niet_openbaar"]


def test_vertrouwelijkheid_as_the_provincial_monitors_write_it_publishes_only_openbaar(tmp_path):
    (tmp_path / "export.csv").write_text(
        f"{HEADER};Vertrouwelijkheid\nP-1;Open plan;GM0363;10;Vastgesteld;Openbaar\nP-2;Gemeenteplan;GM0363;10;Vastgesteld;"
        "Gemeente\nP-3;Regioplan;GM0363;10;Vastgesteld;Regio\nP-4;Raar;GM0363;10;Vastgesteld;Misschien\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.db"
    build(
        write_manifest(tmp_path, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}]), db, quiet=True
    )
    assert [r["plan_id"] for r in query(db, "select plan_id from plannen")] == ["P-1"]
    for secret in (b"Gemeenteplan", b"Regioplan", b"Raar"):
        assert secret not in db.read_bytes()
    bron = query(db, "select * from bronnen where soort = 'plannen'")[0]
    assert (bron["rijen_niet_openbaar"], bron["rijen_afgewezen"]) == (2, 1)  # an unknown value: not provably public


def test_ja_nee_under_a_confidentiality_header_publishes_nothing(tmp_path):
    """'Vertrouwelijkheid: ja' may mean confidential: a yes or no there is not read as public or not."""
    (tmp_path / "export.csv").write_text(
        f"{HEADER};Vertrouwelijkheid\nP-1;Geheim;GM0363;10;Vastgesteld;ja\nP-2;Ook;GM0363;10;Vastgesteld;nee\n"
        "P-3;Open plan;GM0363;10;Vastgesteld;Openbaar\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.db"
    build(
        write_manifest(tmp_path, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}]), db, quiet=True
    )
    assert [r["plan_id"] for r in query(db, "select plan_id from plannen")] == ["P-3"]
    assert b"Geheim" not in db.read_bytes()


@pytest.mark.parametrize("header", ["Geheim (j/n)", "Alleen intern", "Monitor", "\u039fpenbaar"])
def test_a_flag_by_another_name_with_some_other_values_still_stops_the_build(published, header):
    d, db, before = published
    values = ["ja", "nee", "onbekend", "nee", "ja"]
    body = "".join(f"P-{i};Plan {i};GM0363;10;Vastgesteld;{v}\n" for i, v in enumerate(values))
    (d / "export.csv").write_text(f"{HEADER};{header}\n{body}", encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}])
    refused(d, db, before, "export.csv", "publicatievlag")


# --- 2. no row lost silently, no value silently wrong -------------------------------------------


def test_rows_in_the_file_are_loaded_rejected_or_non_public_for_every_build(tmp_path):
    """The count rule in general: for each of these files, the data lines a person counts in the file
    (no quoted cells: one line, one row) equal loaded + rejected + non-public."""
    files = {
        "gewoon.csv": rows(*(f"P-{i};Plan {i};GM0363;{i};Vastgesteld" for i in range(1, 40))),
        "rommel.csv": rows(
            "P-1;A;GM0363;5;Vastgesteld",
            "P-2;B;GM9999;5;Vastgesteld",
            "P-3;C;GM0363;x;Vastgesteld",
            "P-1;Dubbel;GM0363;5;Vastgesteld",
            "",
            "P-4;D;GM0363;5",
            "P-5;E;GM0363;5;Vastgesteld;extra",
        ),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        db = tmp_path / f"{name}.db"
        build(write_manifest(tmp_path, [{"kind": "plannen", "path": name, "peildatum": "2025-10-01"}]), db, quiet=True)
        lines = [line for line in text.splitlines()[1:] if line.strip()]
        bron = query(db, "select * from bronnen where soort = 'plannen'")[0]
        assert (
            bron["rijen_gelezen"]
            == len(lines)
            == bron["rijen_geladen"] + bron["rijen_afgewezen"] + bron["rijen_niet_openbaar"]
        ), name


def test_a_stray_opening_quote_is_refused_naming_its_line(published):
    d, db, before = published
    text = rows(*(f"P-{i};Plan {i};GM0363;{i};Vastgesteld" for i in range(1, 21)))
    text = text.replace("P-5;Plan 5", 'P-5;"Plan 5', 1)
    (d / "export.csv").write_text(text, encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}])
    refused(d, db, before, "export.csv", "regel 6", "aanhalingsteken")


def test_a_utf8_file_with_a_few_cp1252_rows_reports_them_and_reads_them_right(tmp_path):
    good = [f"P-{i};Café {i};GM0363;{i};Vastgesteld".encode() for i in range(1, 30)]
    bad = {5: "P-5b;Één straat ’t Hof;GM0363;5;Vastgesteld", 17: "P-17b;Ambachtsweg — Noord;GM0363;5;Vastgesteld"}
    lines = [HEADER.encode()] + good
    for at, text in bad.items():
        lines.insert(at, text.encode("cp1252"))
    (tmp_path / "gemengd.csv").write_bytes(b"\n".join(lines) + b"\n")
    db = tmp_path / "w.db"
    build(
        write_manifest(tmp_path, [{"kind": "plannen", "path": "gemengd.csv", "peildatum": "2025-10-01"}]),
        db,
        quiet=True,
    )
    names = {r["plan_id"]: r["naam"] for r in query(db, "select plan_id, naam from plannen")}
    assert names["P-5b"] == "Één straat ’t Hof" and names["P-17b"] == "Ambachtsweg — Noord"
    assert names["P-3"] == "Café 3"  # the UTF-8 rows are not mojibaked
    reported = query(db, "select rij, plan_id, melding from ingest_problemen where code = 'codering_per_rij'")
    assert [(r["rij"], r["plan_id"]) for r in reported] == [(at + 1, bad[at].split(";")[0]) for at in sorted(bad)]
    assert "cp1252" in reported[0]["melding"]


@pytest.mark.parametrize(
    "value,expected",
    [("12/01/2025", None), ("2025-12-01garbage", None), ("01-12-2025", "2025-12-01"), ("2025-12-01", "2025-12-01")],
)
def test_dates_are_iso_or_dutch_never_guessed(tmp_path, value, expected):
    """No manifest peildatum: the file's own cell decides, and a bad one is reported, never a crash."""
    (tmp_path / "p.csv").write_text(f"{HEADER};Peildatum\nP-1;A;GM0363;5;Vastgesteld;{value}\n", encoding="utf-8")
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv"}]), db, quiet=True)
    got = query(db, "select peildatum from plannen")[0]["peildatum"]
    if expected:
        assert got == expected
    else:
        assert got == dt.date.today().isoformat()  # the build date, said so
        problem = query(db, "select waarde, melding from ingest_problemen where code = 'ongeldige_peildatum'")
        assert problem and problem[0]["waarde"] == value
        assert query(db, "select 1 from ingest_problemen where code = 'geen_peildatum'")


def test_a_row_with_another_peildatum_is_reported_and_takes_the_files(tmp_path):
    """Two dates in one export would split it in two releases and withdraw a plan without a word."""
    (tmp_path / "p.csv").write_text(
        f"{HEADER};Peildatum\nP-1;A;GM0363;5;Vastgesteld;2025-10-01\nP-2;B;GM0363;5;Vastgesteld;2024-04-01\n"
        "P-3;C;GM0363;5;Vastgesteld;2025-10-01\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv"}]), db, quiet=True)
    assert query(db, "select plan_id, peildatum from plannen order by 1") == [
        {"plan_id": f"P-{i}", "peildatum": "2025-10-01"} for i in (1, 2, 3)
    ]
    assert not query(db, "select * from plan_wijzigingen where soort = 'ingetrokken'")
    problem = query(db, "select rij, waarde from ingest_problemen where code = 'afwijkende_peildatum'")
    assert problem == [{"rij": 3, "waarde": "2024-04-01"}]


def test_different_bad_dates_are_each_reported_with_their_own_value(tmp_path):
    bad = ["+2025-04-01", "2025\u201004\u201001", "+2025-04-01"]
    lines = [f"P-{i};A;GM0363;5;Vastgesteld;{v}" for i, v in enumerate(bad)]
    (tmp_path / "p.csv").write_text(f"{HEADER};Peildatum\n" + "\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-04-01"}]), db, quiet=True)
    found = query(db, "select waarde from ingest_problemen where code = 'ongeldige_peildatum' order by rij")
    assert [r["waarde"] for r in found] == bad[:2]  # the repeated one counted on the first's line


def test_one_mistyped_date_does_not_move_the_files_peildatum(tmp_path):
    lines = [f"P-{i};A;GM0363;5;Vastgesteld;2025-10-01" for i in range(5)] + ["P-9;Z;GM0363;5;Vastgesteld;2205-10-01"]
    (tmp_path / "p.csv").write_text(f"{HEADER};Peildatum\n" + "\n".join(lines) + "\n", encoding="utf-8")
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv"}]), db, quiet=True)
    assert {r["peildatum"] for r in query(db, "select peildatum from plannen")} == {"2025-10-01"}
    typo = query(db, "select rij, waarde, melding from ingest_problemen where code = 'ongeldige_peildatum'")
    assert [(r["rij"], r["waarde"]) for r in typo] == [(7, "2205-10-01")] and "onwaarschijnlijk" in typo[0]["melding"]


@pytest.mark.parametrize(
    "value,words",
    [
        ("2025-10-01 12:00:00", ("tijdstip",)),
        ("0001-01-01", ("onwaarschijnlijke",)),
        ("9999-12-31", ("onwaarschijnlijke",)),
        ("'2025-W40'", ("JJJJ-MM-DD",)),
        ("'20251001'", ("JJJJ-MM-DD",)),
    ],
)
def test_a_manifest_peildatum_is_a_plausible_day(published, value, words):
    d, db, before = published
    (d / "sources.yml").write_text(
        f"sources:\n  - kind: plannen\n    path: goed.csv\n    peildatum: {value}\n", encoding="utf-8"
    )
    refused(d, db, before, "sources.yml", "peildatum", *words)


def test_plan_ids_that_differ_only_invisibly_are_one_plan(tmp_path):
    variants = [
        *("AB-1", "ab-1", "AB-\u200b1", "AB\u00a0-1".replace("\u00a0", ""), "\ufeffAB-1"),
        *("\uff21\uff22-1", "AB\u20111", "AB\u20131", "AB\uff0d1"),  # full-width letters, other dashes
    ]
    text = rows(*(f"{v};Plan {i};GM0363;{i + 1};Vastgesteld" for i, v in enumerate(variants)))
    (tmp_path / "p.csv").write_bytes(text.encode("utf-8"))
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-06-01"}]), db, quiet=True)
    assert query(db, "select plan_id, naam from plannen") == [{"plan_id": "AB-1", "naam": "Plan 0"}]
    assert len(query(db, "select * from ingest_problemen where code = 'dubbel_plan_id'")) == len(variants) - 1


def test_a_plan_public_in_the_newest_export_keeps_its_area(tmp_path):
    """Non-public in an older export, public now: the area stays (only the export that decides a
    plan's current state can withhold it)."""
    import geopandas
    from shapely.geometry import box

    (tmp_path / "oud.csv").write_text(
        f"{HEADER};Openbaar\nP-1;Eerst geheim;GM0363;5;Vastgesteld;nee\n"
        "P-2;Blijft geheim;GM0363;5;Vastgesteld;nee\nP-3;Open;GM0363;5;Vastgesteld;ja\n",
        encoding="utf-8",
    )
    (tmp_path / "nieuw.csv").write_text(
        f"{HEADER};Openbaar\nP-1;Nu openbaar;GM0363;5;Vastgesteld;ja\nP-3;Open;GM0363;5;Vastgesteld;ja\n",
        encoding="utf-8",
    )
    frame = geopandas.GeoDataFrame(
        {"plan_id": ["P-1", "P-2", "P-3"]},
        geometry=[
            box(121000, 487000, 121200, 487200),
            box(122000, 487000, 122200, 487200),
            box(123000, 487000, 123200, 487200),
        ],
        crs="EPSG:28992",
    )
    frame.to_file(tmp_path / "vlakken.gpkg")
    db = tmp_path / "w.db"
    build(
        write_manifest(
            tmp_path,
            [
                {"kind": "plannen", "path": "oud.csv", "peildatum": "2025-04-01"},
                {"kind": "plannen", "path": "nieuw.csv", "peildatum": "2025-10-01"},
                {"kind": "plangebieden", "path": "vlakken.gpkg"},
            ],
        ),
        db,
        quiet=True,
    )
    assert {r["plan_id"] for r in query(db, "select plan_id from plangebieden")} == {"P-1", "P-3"}
    assert b"P-2" not in db.read_bytes()  # still non-public: its area is counted, never kept or named


# --- 3. an empty export never replaces the portal ------------------------------------------------


@pytest.mark.parametrize("text", [HEADER + "\n", rows("P-1;A;GM0363;x;Vastgesteld", "P-2;B;GM9999;5;Vastgesteld")])
def test_an_empty_export_is_refused_unless_declared(published, text):
    d, db, before = published
    (d / "leeg.csv").write_text(text, encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "leeg.csv", "peildatum": "2025-10-01"}])
    refused(d, db, before, "leeg.csv", "geen enkel laadbaar plan", "leeg_toegestaan")
    write_manifest(d, [{"kind": "plannen", "path": "leeg.csv", "peildatum": "2025-10-01", "leeg_toegestaan": "ja"}])
    assert run(d).returncode == 0 and query(db, "select count(*) n from plannen")[0]["n"] == 0


# --- 4. no traceback, ever ------------------------------------------------------------------------


def test_broken_utf16_and_a_40000_character_plan_id(published):
    d, db, before = published
    (d / "utf16.csv").write_bytes(b"\xff\xfe" + "Plan-ID;Plannaam\n".encode("utf-16-le")[:-1] + b"\xd8")
    (d / "lang_id.csv").write_text(
        rows("P" * 40_000 + ";Lang;GM0363;5;Vastgesteld", "P-2;Kort;GM0363;5;Vastgesteld"), encoding="utf-8"
    )
    write_manifest(d, [{"kind": "plannen", "path": "utf16.csv", "peildatum": "2025-10-01"}])
    refused(d, db, before, "utf16.csv", "UTF-16")
    write_manifest(d, [{"kind": "plannen", "path": "lang_id.csv", "peildatum": "2025-10-01"}])
    assert run(d).returncode == 0
    assert [r["plan_id"] for r in query(db, "select plan_id from plannen")] == ["P-2"]
    assert query(db, "select code from ingest_problemen where code = 'te_lang' and veld = 'plan_id'")


@pytest.mark.parametrize(
    "manifest,words",
    [
        ("sources:\n  - kind: plannen\n    path: goed.csv\n    peildatum: 2025-02-30\n", ("manifest", "YAML")),
        ("sources:\n  - kind: plannen\n    path: goed.csv\n    sample: misschien\n", ("sample",)),
        ("sources:\n  - kind: plannen\n    path: /dev/zero\n", ("/dev/zero", "geen gewoon bestand")),
    ],
)
def test_bad_manifests_are_one_line(published, manifest, words):
    d, db, before = published
    (d / "sources.yml").write_text(manifest, encoding="utf-8")
    refused(d, db, before, *words)


@pytest.mark.parametrize("nesting", ["flow", "block"])
def test_deeply_nested_yaml_is_one_line_not_a_recursion_error(published, nesting):
    d, db, before = published
    deep = "[" * 600 + "]" * 600 if nesting == "flow" else "".join(f"\n{'  ' * i}k:" for i in range(1, 600))
    (d / "sources.yml").write_text(f"a: {deep}\nsources: []\n", encoding="utf-8")
    refused(d, db, before, "sources.yml", "te diep genest")
    (d / "diep.yml").write_text(f"columns: {deep}\n", encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "goed.csv", "peildatum": "2025-10-01", "mapping": "diep.yml"}])
    refused(d, db, before, "diep.yml", "te diep genest")


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "fifo"])
def test_a_manifest_that_is_not_a_regular_file_is_refused_before_it_is_read(published, special):
    d, db, before = published
    if special == "fifo":
        os.mkfifo(d / "fifo.yml")
        special = str(d / "fifo.yml")
    (d / "sources.yml").unlink()
    (d / "sources.yml").symlink_to(special)
    refused(d, db, before, "sources.yml", "geen gewoon bestand")


def test_an_error_line_stays_short_whatever_the_path(published):
    d, db, before = published
    (d / "sources.yml").write_text(f"sources:\n  - kind: plannen\n    path: {'x' * 300_000}.csv\n", encoding="utf-8")
    assert len(refused(d, db, before)) < 1300


def test_sample_nee_is_not_sample(tmp_path):
    (tmp_path / "p.csv").write_text(rows("P-1;A;GM0363;5;Vastgesteld"), encoding="utf-8")
    db = tmp_path / "w.db"
    build(
        write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-06-01", "sample": "nee"}]),
        db,
        quiet=True,
    )
    assert query(db, "select max(voorbeelddata) v from bronnen")[0]["v"] == 0


@pytest.mark.parametrize(
    "mapping,words",
    [
        ("columns: [1, 2]\n", ("kapot.yml", "columns")),
        ("columns:\n  plan_id: Plan-ID\n", ("kapot.yml", "lijst")),
        ("planstatus:\n  vastgesteld: hard\n", ("kapot.yml", "planstatus")),
        ("required: [bestaat_niet]\ncolumns: {plan_id: [Plan-ID]}\n", ("kapot.yml", "bestaat_niet")),
        ("- gewoon een lijst\n", ("kapot.yml",)),
        ("columns: {naam: [: :]}\n", ("kapot.yml", "YAML")),
        # well-formed but useless: every row lacks its Plan-ID, so the export is empty
        ("columns: {naam: [&a Plannaam, *a]}\nrequired: [naam]\n", ("goed.csv", "geen enkel laadbaar plan")),
    ],
)
def test_a_malformed_mapping_is_one_line(published, mapping, words):
    d, db, before = published
    (d / "kapot.yml").write_text(mapping, encoding="utf-8")
    write_manifest(d, [{"kind": "plannen", "path": "goed.csv", "peildatum": "2025-10-01", "mapping": "kapot.yml"}])
    refused(d, db, before, *words)


def in_process(argv: list[str]) -> tuple[int, str]:
    """`python -m ingest ...` in this process: an exception escaping main() fails the test."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = ingest_main(argv)
    return code, err.getvalue()


CHECKS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@CHECKS
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".txt", ""]))
def test_random_bytes_end_in_exit_0_or_2(tmp_path_factory, data, suffix):
    d = tmp_path_factory.mktemp("rnd")
    (d / f"bron{suffix}").write_bytes(data)
    write_manifest(d, [{"kind": "plannen", "path": f"bron{suffix}", "peildatum": "2025-10-01"}])
    code, err = in_process(["build", "--quiet", "--sources", str(d / "sources.yml"), "--db", str(d / "w.db")])
    assert code in (0, 2) and "Traceback" not in err
    code, err = in_process(["check", str(d / f"bron{suffix}")])
    assert code in (0, 2) and "Traceback" not in err


csv_cell = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**6), 10**7).map(str),
    st.sampled_from(
        ["", "GM0363", "0363", "ja", "nee", "Vastgesteld", "12/01/2025", "1.234,5", "=1+1", '"', "\u200b", "\x00"]
    ),
)


@CHECKS
@given(
    header=st.lists(
        st.sampled_from(
            [
                "Plan-ID",
                "Plannaam",
                "Gemeentecode",
                "Aantal woningen",
                "Planstatus",
                "Openbaar",
                "Peildatum",
                "Sloop",
                "Netto",
                "X",
            ]
        ),
        min_size=1,
        max_size=7,
    ),
    body=st.lists(st.lists(csv_cell, max_size=8), max_size=12),
)
def test_random_csv_ends_in_exit_0_or_2(tmp_path_factory, header, body):
    d = tmp_path_factory.mktemp("csv")
    text = "\n".join(";".join(r) for r in [header, *body])
    (d / "p.csv").write_text(text, encoding="utf-8", errors="replace")
    write_manifest(d, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}])
    code, err = in_process(["build", "--quiet", "--sources", str(d / "sources.yml"), "--db", str(d / "w.db")])
    assert code in (0, 2) and "Traceback" not in err
    if code == 0:
        bron = query(d / "w.db", "select * from bronnen where soort = 'plannen'")[0]
        assert bron["rijen_gelezen"] == bron["rijen_geladen"] + bron["rijen_afgewezen"] + bron["rijen_niet_openbaar"]


yaml_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.text(max_size=10),
        st.sampled_from(["plannen", "woningbouwkaart", "p.csv", "2025-02-30", "GM0363"]),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.sampled_from(["kind", "path", "sources", "mapping", "peildatum", "defaults", "limits", "sample", "crs"]),
            inner,
            max_size=4,
        ),
    ),
    max_leaves=12,
)


@CHECKS
@given(doc=yaml_values, raw=st.text(max_size=200))
def test_random_yaml_manifests_end_in_exit_0_or_2(tmp_path_factory, doc, raw):
    d = tmp_path_factory.mktemp("yml")
    (d / "p.csv").write_text(rows("P-1;A;GM0363;5;Vastgesteld"), encoding="utf-8")
    for text in (yaml.safe_dump({"sources": doc} if not isinstance(doc, dict) else doc), raw):
        (d / "sources.yml").write_text(text, encoding="utf-8")
        code, err = in_process(["build", "--quiet", "--sources", str(d / "sources.yml"), "--db", str(d / "w.db")])
        assert code in (0, 2) and "Traceback" not in err


# --- 5. bounded work ------------------------------------------------------------------------------


def test_a_yaml_alias_bomb_is_refused_fast_with_a_short_line(published):
    d, db, before = published
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(96 + i)
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + prev] * 9)}]")
    (d / "sources.yml").write_text("\n".join(lines) + "\nsources: *i\n", encoding="utf-8")
    started = time.monotonic()
    line = refused(d, db, before, "manifest")
    assert time.monotonic() - started < 30 and len(line) < 600


def test_a_tangled_polygon_is_reported_without_hours_of_repair(tmp_path):
    """A star of 20,000 points crosses itself ~100 million times: GEOS would take hours to repair it.
    The crossing estimate refuses it at once; a bow-tie is still repaired."""
    import geopandas
    import numpy as np
    from shapely.geometry import Polygon

    n = 20_000
    angles = 2 * np.pi * ((np.arange(n) * (n // 2 - 1)) % n) / n
    star = Polygon(np.c_[121000 + 500 * np.cos(angles), 487000 + 500 * np.sin(angles)])
    bowtie = Polygon([(122000, 487000), (122200, 487200), (122200, 487000), (122000, 487200)])
    geopandas.GeoDataFrame({"plan_id": ["P-1", "P-2"]}, geometry=[star, bowtie], crs="EPSG:28992").to_file(
        tmp_path / "v.gpkg"
    )
    (tmp_path / "p.csv").write_text(
        rows("P-1;Ster;GM0363;5;Vastgesteld", "P-2;Strik;GM0363;5;Vastgesteld"), encoding="utf-8"
    )
    db = tmp_path / "w.db"
    build(
        write_manifest(
            tmp_path,
            [
                {"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"},
                {"kind": "plangebieden", "path": "v.gpkg"},
            ],
        ),
        db,
        quiet=True,
    )
    codes = {
        r["plan_id"]: r["code"]
        for r in query(db, "select plan_id, code from ingest_problemen where bestand = 'v.gpkg'")
    }
    assert codes == {"P-1": "geometrie_te_complex", "P-2": "geometrie_hersteld"}
    assert GEMEENTEN.exists()


def test_a_geojson_as_a_table_is_told_its_extension_only_where_vector_files_are_read(tmp_path):
    (tmp_path / "g.csv").write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    code, err = in_process(["check", str(tmp_path / "g.csv"), "--kind", "plannen"])
    assert code == 2 and "gebruik de extensie .geojson" in err
    code, err = in_process(["check", str(tmp_path / "g.csv"), "--kind", "gemeenten"])
    assert code == 2 and "GeoJSON" in err and "extensie" not in err  # the municipalities list is a table


def test_a_valid_240k_vertex_comb_is_simplified_in_bounded_work(tmp_path):
    """GEOS's topology-preserving simplify is quadratic on a comb (104 s for this one, and the map
    data did it again per request); the coverage simplifier is linear. Bounded by the run's timeout."""
    import geopandas
    import numpy as np
    from shapely.geometry import Polygon

    teeth, w = 60_000, 0.05
    x = 121000 + np.repeat(np.arange(teeth) * 2 * w, 4) + np.tile([0, 0, w, w], teeth)
    y = 487000 + np.tile([0, 100, 100, 0], teeth)
    end = 121000 + teeth * 2 * w
    comb = Polygon(np.c_[np.r_[x, end, end, 121000], np.r_[y, 487000, 486990, 486990]])
    assert comb.is_valid and len(comb.exterior.coords) > 240_000
    geopandas.GeoDataFrame({"plan_id": ["P-1"]}, geometry=[comb], crs="EPSG:28992").to_file(tmp_path / "v.gpkg")
    (tmp_path / "p.csv").write_text(rows("P-1;Kam;GM0363;5;Vastgesteld"), encoding="utf-8")
    write_manifest(
        tmp_path,
        [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}, {"kind": "plangebieden", "path": "v.gpkg"}],
    )
    proc = ingest_build(tmp_path / "sources.yml", tmp_path / "w.db", timeout=60)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert query(tmp_path / "w.db", "select plan_id from plangebieden") == [{"plan_id": "P-1"}]


def test_error_lines_are_capped(published):
    d, db, before = published
    (d / "sources.yml").write_text("sources:\n  - kind: " + "x" * 100_000 + "\n    path: p.csv\n", encoding="utf-8")
    line = refused(d, db, before, "onbekende kind")
    assert len(line) < 600


# --- 8. spreadsheet-safe downloads ---------------------------------------------------------------


def test_formula_like_names_are_neutralised_in_spreadsheet_files_only(tmp_path):
    import csv as csvmodule
    import json
    import zipfile

    names = ['=HYPERLINK("http://x.invalid","klik")', "+31 plan", "-Min", "@SUM(A1)", "\tTab", "Gewoon plan"]
    (tmp_path / "p.csv").write_text(
        rows(*(f"P-{i};{n};GM0363;5;Vastgesteld" for i, n in enumerate(names))), encoding="utf-8"
    )
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}]), db, quiet=True)
    downloads = tmp_path / "downloads"
    stored = {r["plan_id"]: r["naam"] for r in query(db, "select plan_id, naam from plannen")}
    plain = {r["plan_id"]: r["naam"] for r in csvmodule.DictReader((downloads / "plannen.csv").open(encoding="utf-8"))}
    excel = {
        r["plan_id"]: r["naam"]
        for r in csvmodule.DictReader((downloads / "plannen.excel.csv").open(encoding="utf-8-sig"), delimiter=";")
    }
    exact = {r["plan_id"]: r["naam"] for r in json.loads((downloads / "plannen.json").read_text(encoding="utf-8"))}
    assert plain == exact == stored  # for machines: every value exact
    for pid, name in stored.items():
        assert excel[pid] == ("'" + name if name[0] in "=+-@\t" else name)
    with zipfile.ZipFile(downloads / "plannen.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    risky = sum(1 for n in stored.values() if n[0] in "=+-@")  # a leading tab is stripped as any whitespace
    assert risky == 4 and sheet.count('t="inlineStr" s="1"') == risky  # quote-prefix style: shown, never run
    assert "=HYPERLINK" in sheet and "'=HYPERLINK" not in sheet


def test_megabyte_cells_are_quoted_short_in_the_log_and_stored_short(tmp_path):
    (tmp_path / "p.csv").write_text(
        f"{HEADER};Peildatum\nP-1;A;GM0363;{'9' * 300_000};Vastgesteld;2025-10-01\n"
        f"P-2;B;GM0363;5;{'x' * 100_000};{'1' * 100_000}\nP-3;C;GM0363;5;Vastgesteld;2025-10-01\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "p.csv", "peildatum": "2025-10-01"}]), db, quiet=True)
    longest = query(db, "select max(length(waarde)) as n, max(length(melding)) as m from ingest_problemen")[0]
    assert longest["n"] < 300 and longest["m"] < 500
    assert query(db, "select max(length(planstatus_bron)) as n from plannen")[0]["n"] <= 200
    code, err = in_process(["check", str(tmp_path / "p.csv"), "--peildatum", "2025-10-01"])
    assert code == 0


@pytest.mark.parametrize("target", ["fifo", "folder"])
def test_a_db_that_is_not_a_database_file_is_refused_and_leaves_nothing_behind(published, target):
    d, _, _ = published
    db = d / "doel.db"
    if target == "fifo":
        os.mkfifo(db)
    else:
        db.mkdir()
    before = sorted(p.name for p in d.iterdir())
    proc = run(d, db)
    assert proc.returncode == 2 and "geen databasebestand" in proc.stderr and len(proc.stderr.splitlines()) == 1
    assert db.is_fifo() if target == "fifo" else db.is_dir()  # still what it was
    assert sorted(p.name for p in d.iterdir()) == before  # no staged set, no archive entry of it


def test_check_refuses_what_a_build_would_refuse(tmp_path):
    (tmp_path / "leeg.csv").write_text(rows(), encoding="utf-8")
    (tmp_path / "alles_nee.csv").write_text(f"{HEADER};Openbaar\nP-1;A;GM0363;5;Vastgesteld;nee\n", encoding="utf-8")
    for name in ("leeg.csv", "alles_nee.csv"):
        code, err = in_process(["check", str(tmp_path / name), "--peildatum", "2025-10-01"])
        assert code == 2 and "geen enkel laadbaar plan" in err, (name, err)


def test_a_build_that_cannot_archive_leaves_no_staged_set_behind(published):
    d, db, before = published
    shutil.rmtree(d / "downloads-archive", ignore_errors=True)
    (d / "downloads-archive").write_text("geen map", encoding="utf-8")  # the archive cannot be written
    proc = run(d)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert db.read_bytes() == before and not list(d.glob(".downloads.tmp-*"))
