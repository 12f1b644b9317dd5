"""The real, messy provincial plan-capacity workbook (FTM / Data Bewijst, read in place, never copied)
through the same reading and validation machinery as a plans export: reported, never crashed on."""

from __future__ import annotations

import csv
import subprocess
import sys

import openpyxl
import pytest

from ingest.errors import FatalInput
from ingest.gemeente_namen import GemeenteNamen
from ingest.kinds import gemeenten as gemeenten_kind
from ingest.kinds import plannen as plannen_kind
from ingest.manifest import Source
from ingest.mapping import load_mapping
from ingest.problems import SourceReport
from ingest.read import read_table

from helpers import GEMEENTEN, ROOT, SHARED, needs_shared

WORKBOOK = SHARED / "data" / "ftm-plancapaciteit-2022" / "plancapaciteit_databewijst.xlsx"
pytestmark = needs_shared(WORKBOOK)


def check(*args):
    return subprocess.run(
        [sys.executable, "-m", "ingest", "check", str(WORKBOOK), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def sheet_rows(title):
    """Non-blank data rows of one sheet, read with openpyxl directly (row number, cells)."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    try:
        rows = list(wb[title].iter_rows(values_only=True))
    finally:
        wb.close()
    return [(i, r) for i, r in enumerate(rows, start=1) if i > 1 and any(c is not None and str(c).strip() for c in r)]


def simple(name):
    return "".join(ch for ch in str(name).casefold() if ch.isalnum())


@pytest.fixture(scope="module")
def loaded():
    gemeenten = gemeenten_kind.read(GEMEENTEN)
    source = Source("plannen", WORKBOOK, "2021-12-31", "databewijst")
    load = plannen_kind.load(source, plannen_kind.Context(gemeenten, GemeenteNamen.build(gemeenten)))
    return load.report, load, gemeenten


def test_default_layout_exits_with_one_clear_line_not_a_traceback():
    proc = check()
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("FOUT: ") and WORKBOOK.name in lines[0]
    assert "verplichte kolom ontbreekt: Plan-ID, Plannaam, Gemeentecode, Aantal woningen" in lines[0]


def test_with_its_mapping_every_row_is_read_and_reported(loaded):
    report, load, _ = loaded
    expected = sheet_rows("plancapaciteit_nl")
    assert len(expected) > 300
    assert report.read == len(expected) and report.rejected == len(expected) and load.rows == []
    assert any("plancapaciteit_nl" in n for n in report.notes)  # the national sheet was chosen, not a hidden one
    # every row: reported as having no Plan-ID, with its own row number and the file's name
    no_id = {p["rij"] for p in report.problems if p["veld"] == "plan_id" and p["ernst"] == "fout"}
    assert no_id == {i for i, _ in expected}
    assert all(p["bestand"] == WORKBOOK.name for p in report.problems)
    # the period columns are not ours: reported once each, by name
    unknown = [p["kolom"] for p in report.problems if p["code"] == "onbekende_kolom"]
    assert "h2020-2024" in unknown and "z2030+" in unknown and len(unknown) == len(set(unknown))


def test_municipalities_of_the_old_division_are_reported_and_trailing_spaces_tolerated(loaded):
    report, _, gemeenten = loaded
    rows = sheet_rows("plancapaciteit_nl")
    current = {simple(g.naam): g for g in gemeenten.values()}
    missing = {i for i, r in rows if simple(r[1]) not in current}
    found = {i for i, r in rows if simple(r[1]) in current}
    assert missing and found
    unknown = {p["rij"] for p in report.problems if p["code"] == "gemeente_onbekend"}
    # merged away since 2021: named as unknown, row by row; the others are recognised by name (some
    # through the usual spellings in data/reference/gemeente_aliassen.yml, which simple() does not know)
    assert unknown and unknown <= missing
    assert not unknown & found
    # 'Zuid-Holland ' and 'Limburg  ' are the same provinces: no province warning for them
    spaced = {i for i, r in rows if isinstance(r[0], str) and r[0] != r[0].strip()}
    assert spaced
    province_warnings = {p["rij"] for p in report.problems if p["code"] == "provincie_wijkt_af"}
    for i, r in rows:
        if i in spaced and simple(r[1]) in current and current[simple(r[1])].provincie == r[0].strip():
            assert i not in province_warnings


def test_report_from_the_command_line(loaded):
    proc = check("--mapping", "databewijst", "--peildatum", "2021-12-31", "--max-problems", "5")
    # every row is rejected here, so a build would refuse the file: check says so after its report
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "geen enkel laadbaar plan" in proc.stderr
    out = proc.stdout
    n = len(sheet_rows("plancapaciteit_nl"))
    assert f"Rijen gelezen:  {n}" in out and f"Afgewezen:      {n}" in out
    assert "werkblad 'plancapaciteit_nl'" in out and "... en nog" in out


def test_other_layouts_in_the_same_workbook_are_read_by_the_same_reader():
    # Groningen: a title row above the header, per-year columns and formula cells (cached values are read)
    groningen = read_table(WORKBOOK, lambda header: sum(simple(h) in {"gemeentecode", "20212024"} for h in header))
    assert groningen.sheet == "groningen" and groningen.header[0] == "Gemeente code"
    assert groningen.rows[0][0] == 3  # row numbers as a person sees them in Excel
    cells = [c for _, r in groningen.rows for c in r if c is not None]
    assert not any(isinstance(c, str) and c.startswith("=") for c in cells)  # no formula text leaks through
    totals = [r[2] for _, r in groningen.rows if isinstance(r[0], (int, float))]
    assert totals and all(isinstance(t, (int, float)) for t in totals)
    # Zuid-Holland: region level only, provinces with trailing spaces
    zh = read_table(WORKBOOK, lambda header: sum(simple(h) in {"regio", "hz20212030"} for h in header))
    assert zh.sheet == "zuid-holland"
    assert any(isinstance(r[0], str) and r[0] != r[0].strip() for _, r in zh.rows)
    # hidden sheets full of '#REF!' are never chosen, even when their header would match
    hidden = read_table(
        WORKBOOK,
        lambda header: (
            sum(simple(h) in {"provincies", "gemeenten"} for h in header) * 10
            + sum(simple(h) in {"provincie", "gemeente"} for h in header)
        ),
    )
    assert hidden.sheet == "plancapaciteit_nl"


def test_a_mapping_that_matches_nothing_is_fatal_with_the_file_named():
    with pytest.raises(FatalInput) as exc:
        plannen_kind.header_problems(
            read_table(WORKBOOK, load_mapping("lmvw").score),
            load_mapping("lmvw"),
            SourceReport(1, WORKBOOK, "plannen", "lmvw", False),
        )
    assert WORKBOOK.name in str(exc.value) and "Plan-ID" in str(exc.value)


def test_workbook_is_not_copied_into_the_repository():
    copies = [p for p in ROOT.rglob("*.xlsx") if ".venv" not in p.parts and p.stat().st_size == WORKBOOK.stat().st_size]
    assert copies == []
    with open(GEMEENTEN, encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 342
