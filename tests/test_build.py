"""The build end to end on small source files: loaded, reported, nothing private, atomic."""

import csv
import datetime as dt
import hashlib
import io
import sqlite3
import subprocess
import sys

import pytest
from openpyxl import Workbook

from ingest.build import build

from helpers import ROOT, ingest_build, write_manifest

HEADER = [
    "Plan-ID",
    "Plannaam",
    "Gemeentecode",
    "Gemeente",
    "Planstatus",
    "Aantal woningen",
    "Sociale huur",
    "Middenhuur",
    "Betaalbare koop",
    "Start bouw",
    "Openbaar",
    "Contactpersoon",
    "E-mail",
    "Opmerkingen intern",
    "Geheime kolom",
    "Omschrijving",
]
SECRETS = [
    "Piet Geheim",
    "piet@geheim.invalid",
    "INTERN-NIET-DELEN",
    "GEHEIME-WAARDE",
    "NIET-OPENBAAR-PLAN",
    "np-geheim-id",
]


def row(
    plan_id,
    naam,
    code="GM0363",
    status="Vastgesteld",
    homes="100",
    social="20",
    mid="10",
    affordable="5",
    start="2027",
    openbaar="ja",
    desc="Een plan",
):
    return [
        plan_id,
        naam,
        code,
        "",
        status,
        homes,
        social,
        mid,
        affordable,
        start,
        openbaar,
        "Piet Geheim",
        "piet@geheim.invalid",
        "INTERN-NIET-DELEN",
        "GEHEIME-WAARDE",
        desc,
    ]


VALID = [
    row("P-1", "Stationskwartier"),
    row("P-2", "Havenfront", code="0599", homes="1.250", social="300", mid="0", affordable="0"),  # thousands dot
    row(
        "P-3", "Dorpshart", code="gm1963", status="idee/visie", homes="12,0", social="", mid="", affordable="", start=""
    ),
]
BAD = {  # plan id -> (row, problem code, offending value)
    "B-1": (row("B-1", "Negatief", homes="-4"), "ongeldig_aantal", "-4"),
    "B-2": (row("B-2", "Tekst", homes="veel"), "ongeldig_aantal", "veel"),
    "B-4": (row("B-4", "Onbekende gemeente", code="GM9999"), "onbekende_gemeente", "GM9999"),
    "B-5": (row("B-5", "Oud jaar", start="1999"), "ongeldig_jaar", "1999"),
    "B-7": (row("B-7", ""), "verplicht", None),
    "P-1": (row("P-1", "Dubbel plan"), "dubbel_plan_id", "P-1"),
}
# doubtful but real plans: loaded, with a warning naming the value
WARNED = {
    "W-1": (row("W-1", "Te veel segmenten", homes="10", social="8", mid="8"), "segmenten_te_groot", "10"),
    "W-2": (row("W-2", "Rare status", status="Misschien ooit"), "onbekende_status", "Misschien ooit"),
}
NON_PUBLIC = row("np-geheim-id", "NIET-OPENBAAR-PLAN", openbaar="nee")


def write_csv(path, rows, encoding="cp1252", delimiter=";", header=HEADER):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


@pytest.fixture
def built(tmp_path):
    rows = [
        VALID[0],
        VALID[1],
        NON_PUBLIC,
        *[b[0] for b in BAD.values()],
        VALID[2],
        row("", "Zonder ID"),
        *[w[0] for w in WARNED.values()],
    ]
    write_csv(tmp_path / "export.csv", rows)
    manifest = write_manifest(tmp_path, [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}])
    db = tmp_path / "woningbouwplannen.db"
    build(manifest, db, quiet=True)
    return db, rows


def test_valid_rows_loaded_with_right_values(built):
    db, _ = built
    conn = sqlite3.connect(db)
    got = {
        r[0]: r[1:]
        for r in conn.execute(
            "select plan_id, naam, gemeentecode, gemeente, provincie, woningen, sociale_huur, betaalbaar, planstatus, "
            "hardheid, start_bouw, peildatum from plannen where plan_id like 'P-%'"
        )
    }
    assert got == {
        "P-1": (
            "Stationskwartier",
            "GM0363",
            "Amsterdam",
            "Noord-Holland",
            100,
            20,
            35,
            "vastgesteld",
            "hard",
            2027,
            "2025-10-01",
        ),
        "P-2": (
            "Havenfront",
            "GM0599",
            "Rotterdam",
            "Zuid-Holland",
            1250,
            300,
            300,
            "vastgesteld",
            "hard",
            2027,
            "2025-10-01",
        ),
        "P-3": (
            "Dorpshart",
            "GM1963",
            "Hoeksche Waard",
            "Zuid-Holland",
            12,
            None,
            None,
            "idee/visie",
            "zacht",
            None,
            "2025-10-01",
        ),
    }


def test_every_bad_row_reported_with_row_and_value(built):
    db, rows = built
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    problems = [dict(r) for r in conn.execute("select * from ingest_problemen where ernst = 'fout'")]
    for plan_id, (bad_row, code, value) in BAD.items():
        line = rows.index(bad_row) + 2  # header is line 1
        match = [p for p in problems if p["rij"] == line and p["code"] == code]
        assert match, f"{plan_id}: no {code} problem on row {line}"
        assert match[0]["waarde"] == value and match[0]["bestand"] == "export.csv"
        assert match[0]["melding"]
    assert [p for p in problems if p["plan_id"] is None and p["code"] == "verplicht" and p["kolom"] == "Plan-ID"]
    warnings = [dict(r) for r in conn.execute("select * from ingest_problemen where ernst = 'waarschuwing'")]
    for plan_id, (_row, code, value) in WARNED.items():
        assert [w for w in warnings if w["code"] == code and w["waarde"] == value], f"{plan_id}: no {code} warning"
    assert {
        r[0]: r[1:]
        for r in conn.execute(
            "select plan_id, planstatus, hardheid, planstatus_bron from plannen where plan_id like 'W-%'"
        )
    } == {"W-1": ("vastgesteld", "hard", "Vastgesteld"), "W-2": ("onbekend", "onbekend", "Misschien ooit")}
    bron = conn.execute("select * from bronnen where soort = 'plannen'").fetchone()
    assert bron["rijen_gelezen"] == len(rows)
    assert bron["rijen_geladen"] == 3 + len(WARNED) and bron["rijen_niet_openbaar"] == 1
    assert bron["rijen_geladen"] + bron["rijen_afgewezen"] + bron["rijen_niet_openbaar"] == bron["rijen_gelezen"]
    rejected_rows = {p["rij"] for p in problems}
    assert len(rejected_rows) == bron["rijen_afgewezen"]
    assert len(bron["sha256"]) == 64 and bron["voorbeelddata"] == 0


def test_nothing_non_public_anywhere_in_the_file(built):
    db, _ = built
    data = db.read_bytes()
    for secret in SECRETS:
        assert secret.encode("utf-8") not in data, secret
        assert secret.lower().encode() not in data.lower()
    conn = sqlite3.connect(db)
    columns = {r[1] for r in conn.execute("pragma table_info(plannen)")}
    assert not columns & {"contactpersoon", "e_mail", "email", "opmerkingen_intern", "openbaar"}


def test_unknown_and_private_columns_reported_once_by_name(built):
    db, _ = built
    conn = sqlite3.connect(db)
    kinds = dict(conn.execute("select kolom, code from ingest_problemen where rij = 1"))
    assert kinds["Geheime kolom"] == "onbekende_kolom"
    assert kinds["Contactpersoon"] == "niet_openbare_kolom"


def test_xlsx_with_real_dates_numbers_and_utf8_bom_csv(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["plan-id", "PLANNAAM", "aantal woningen", "gemeentecode", "start bouw", "peildatum", "openbaar"])
    ws.append([1001, "Werkblad plan", 40.0, 363, dt.datetime(2028, 6, 1), dt.datetime(2025, 4, 1), "Ja"])
    ws.append([1002, "Verborgen", 5, 363, 2029, dt.datetime(2025, 4, 1), "Nee"])
    wb.save(tmp_path / "a.xlsx")
    write_csv(
        tmp_path / "b.csv",
        [["Z-1", "Komma plan", "GM0344", "", "Ontwerp", "7", "", "", "", "2031", "ja", "", "", "", "", ""]],
        encoding="utf-8-sig",
        delimiter=",",
    )
    manifest = write_manifest(
        tmp_path,
        [{"kind": "plannen", "path": "a.xlsx"}, {"kind": "plannen", "path": "b.csv", "peildatum": "2025-04-01"}],
    )
    db = tmp_path / "x.db"
    build(manifest, db, quiet=True)
    conn = sqlite3.connect(db)
    got = set(conn.execute("select plan_id, woningen, start_bouw, gemeente, peildatum from plannen"))
    assert got == {("1001", 40, 2028, "Amsterdam", "2025-04-01"), ("Z-1", 7, 2031, "Utrecht", "2025-04-01")}
    assert b"Verborgen" not in db.read_bytes()


def test_a_second_sheet_with_plans_is_reported_not_dropped_silently(tmp_path):
    wb = Workbook()
    first = wb.active
    first.title = "Plannen"
    first.append(["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen", "Planstatus", "Openbaar"])
    first.append(["A-1", "Eerste", "GM0363", 10, "Vastgesteld", "ja"])
    second = wb.create_sheet("Meer plannen")
    second.append(["Plan-ID", "Plannaam", "Aantal woningen"])
    second.append(["B-1", "Tweede", 5])
    wb.create_sheet("Toelichting").append(["Dit werkblad legt de kolommen uit"])
    wb.save(tmp_path / "a.xlsx")
    db = tmp_path / "x.db"
    build(write_manifest(tmp_path, [{"kind": "plannen", "path": "a.xlsx", "peildatum": "2025-04-01"}]), db, quiet=True)
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("select plan_id from plannen")] == ["A-1"]
    reported = conn.execute("select kolom, ernst from ingest_problemen where code = 'werkblad_niet_gelezen'").fetchall()
    assert reported == [("Meer plannen", "waarschuwing")]


@pytest.mark.parametrize("state", ["hidden", "veryHidden", "visible"])
def test_another_sheet_with_a_publication_flag_stops_the_build(tmp_path, state):
    """A nee for a plan in another sheet (hidden or not) would be ignored: which plans are public is
    then not to be read from the one sheet the build reads."""
    wb = Workbook()
    export = wb.active
    export.title = "Export"
    for row in (
        ["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen", "Planstatus", "Openbaar"],
        ["X-1", "Geheim plan", "GM0363", 10, "Vastgesteld", "ja"],
    ):
        export.append(row)
    other = wb.create_sheet("Intern")
    other.append(["Plan-ID", "Openbaar"])
    other.append(["X-1", "nee"])
    other.sheet_state = state
    wb.save(tmp_path / "a.xlsx")
    proc = ingest_build(
        write_manifest(tmp_path, [{"kind": "plannen", "path": "a.xlsx", "peildatum": "2025-04-01"}]), tmp_path / "x.db"
    )
    assert proc.returncode == 2 and "'Intern'" in proc.stderr and "publicatievlag" in proc.stderr
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("layout", ["title_row", "by_values"])
def test_another_sheet_cannot_hide_its_nee_rows_behind_a_title_row_or_another_name(tmp_path, layout):
    wb = Workbook()
    export = wb.active
    export.title = "Export"
    export.append(["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen", "Planstatus"])
    export.append(["X-1", "Geheim plan", "GM0363", 10, "Vastgesteld"])
    other = wb.create_sheet("Intern")
    if layout == "title_row":
        other.append(["Plan-ID"])  # a row that scores a little, above the real header
        other.append(["Plan-ID", "Plannaam", "Openbaar"])
    else:
        other.append(["Plan-ID", "Plannaam", "Monitor"])
    other.append(["X-1", "Geheim plan", "nee"])
    other.sheet_state = "veryHidden"
    wb.save(tmp_path / "a.xlsx")
    manifest = write_manifest(tmp_path, [{"kind": "plannen", "path": "a.xlsx", "peildatum": "2025-04-01"}])
    proc = ingest_build(manifest, tmp_path / "x.db")
    assert proc.returncode == 2 and "'Intern'" in proc.stderr, proc.stderr


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


FATAL = {
    "empty.csv": (b"", "leeg"),
    "binary.csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binair"),
    "nocolumn.csv": (b"Plan-ID;Plannaam;Gemeentecode\nA;B;GM0363\n", "Aantal woningen"),
    "corrupt.xlsx": (b"PK\x03\x04garbage-not-a-workbook", "XLSX"),
    "missing.csv": (None, "bestaat niet"),
}


@pytest.mark.parametrize("name", sorted(FATAL))
def test_fatal_input_leaves_published_db_byte_for_byte(tmp_path, built, name):
    db, _ = built
    published = tmp_path / "published.db"
    published.write_bytes(db.read_bytes())
    before = sha(published)
    content, expected = FATAL[name]
    if content is not None:
        (tmp_path / name).write_bytes(content)
    manifest = write_manifest(
        tmp_path,
        [{"kind": "plannen", "path": "export.csv", "peildatum": "2025-10-01"}, {"kind": "plannen", "path": name}],
    )
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "build", "--sources", str(manifest), "--db", str(published), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and name in lines[0] and expected in lines[0], proc.stderr
    assert sha(published) == before
    assert not list(tmp_path.glob(".published.db.tmp-*"))


def test_check_prints_report_and_writes_nothing(tmp_path):
    write_csv(tmp_path / "e.csv", [VALID[0], BAD["B-1"][0], NON_PUBLIC])
    before = sorted(p.name for p in tmp_path.iterdir())
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "check", str(tmp_path / "e.csv"), "--kind", "plannen"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr  # read, with its rejected rows in the report
    strict = subprocess.run(
        [sys.executable, "-m", "ingest", "check", str(tmp_path / "e.csv"), "--strict"], capture_output=True, cwd=ROOT
    )
    assert strict.returncode == 1
    assert "Rijen gelezen:  3" in proc.stdout and "Afgewezen:      1" in proc.stdout
    assert "Niet openbaar:  1" in proc.stdout and "-4" in proc.stdout
    assert "Piet Geheim" not in proc.stdout and "NIET-OPENBAAR-PLAN" not in proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == before
