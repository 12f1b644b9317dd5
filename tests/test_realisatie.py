"""CBS StatLine CSV -> realisatie, on the real CBS file (read in place, never copied), and the seeded facts."""

from __future__ import annotations

import csv
import re

import pytest

from ingest.build import build
from ingest.errors import FatalInput
from ingest.kinds import realisatie
from ingest.validate import Invalid

from helpers import GEMEENTEN, SHARED, write_manifest
from helpers import query as rows

CBS = SHARED / "data" / "ftm-plancapaciteit-2022" / "cbs_woningvoorraad_gemeenten_2012-2020.csv"
MEASURES = {
    "Nieuwbouw_2": "nieuwbouw",
    "Sloop_4": "sloop",
    "SaldoVoorraad_7": "saldo_voorraad",
    "EindstandVoorraad_8": "eindstand_voorraad",
}


def tiny_plans(directory):
    (directory / "plannen.csv").write_text(
        "Plan-ID;Plannaam;Gemeentecode;Aantal woningen\nR-1;Testplan;GM0363;10\n", encoding="utf-8"
    )
    return {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"}


@pytest.fixture(scope="module")
def cbs_db(tmp_path_factory):
    if not CBS.exists():
        pytest.skip(f"{CBS} is absent: these tests read ../shared next to the repository")
    d = tmp_path_factory.mktemp("realisatie")
    manifest = write_manifest(d, [tiny_plans(d), {"kind": "realisatie", "path": str(CBS)}])
    db = d / "w.db"
    build(manifest, db, quiet=True)
    return db


@pytest.fixture(scope="module")
def source_rows():
    if not CBS.exists():
        pytest.skip(f"{CBS} is absent: these tests read ../shared next to the repository")
    with open(CBS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_real_file_every_row_loaded_or_reported(cbs_db, source_rows):
    # 3,933 data rows: PROVENANCE.md says 3,932 because the last line has no newline (wc -l)
    assert len(source_rows) == 3933
    measure_columns = [k for k in source_rows[0] if re.fullmatch(r"\w+_\d+", k)]
    assert len(measure_columns) == 8
    blank = [r for r in source_rows if not any(r[k].strip() for k in measure_columns)]
    bron = rows(cbs_db, "select * from bronnen where soort = 'realisatie'")[0]
    assert bron["rijen_gelezen"] == len(source_rows)
    assert bron["rijen_geladen"] + bron["rijen_afgewezen"] == len(source_rows)
    assert bron["rijen_afgewezen"] == len(blank) > 0
    reported = rows(
        cbs_db,
        "select rij, waarde, melding from ingest_problemen where bron_id = ? and code = 'geen_cijfers'",
        (bron["id"],),
    )
    assert len(reported) == len(blank)
    # row numbers point at the file's lines (header = line 1)
    first_blank = next(i for i, r in enumerate(source_rows, start=2) if r is blank[0])
    assert reported[0]["rij"] == first_blank and blank[0]["RegioS"] in reported[0]["melding"]


def test_figures_per_municipality_and_year_match_the_file(cbs_db, source_rows):
    loaded = {
        (r["gebiedscode"], r["jaar"], r["maat"]): r["waarde"]
        for r in rows(cbs_db, "select * from realisatie where bron_id is not null")
    }
    expected = {
        (r["RegioS"], int(r["Perioden"][:4]), maat): int(r[col])
        for r in source_rows
        for col, maat in MEASURES.items()
        if r[col].strip()
    }
    for key, value in expected.items():
        assert loaded[key] == value, key
    amsterdam_2019 = rows(
        cbs_db, "select * from realisatie where gebiedscode = 'GM0363' and periode = '2019JJ00' and maat = 'nieuwbouw'"
    )[0]
    src = next(r for r in source_rows if r["RegioS"] == "GM0363" and r["Perioden"] == "2019JJ00")
    assert amsterdam_2019["waarde"] == int(src["Nieuwbouw_2"])
    assert (amsterdam_2019["gebied"], amsterdam_2019["gemeente_2025"], amsterdam_2019["jaar"]) == ("Amsterdam", 1, 2019)
    assert (amsterdam_2019["periode_van"], amsterdam_2019["periode_tot"]) == ("2019-01-01", "2019-12-31")
    assert amsterdam_2019["categorie"] == "Gebruiksfunctie=A045364"
    assert "81955NED" in amsterdam_2019["bron"] and CBS.name in amsterdam_2019["bron"]


def test_codes_of_older_divisions_kept_flagged_and_reported_once(cbs_db, source_rows):
    with open(GEMEENTEN, encoding="utf-8") as f:
        current = {r["gemeentecode"] for r in csv.DictReader(f)}
    old = {r["RegioS"] for r in source_rows if r["RegioS"] not in current}
    assert len(old) > 50  # the file predates the 2022-2025 mergers
    reported = rows(cbs_db, "select waarde from ingest_problemen where code = 'gemeente_niet_in_2025'")
    assert sorted(r["waarde"] for r in reported) == sorted(old)
    flagged = {
        r["gebiedscode"] for r in rows(cbs_db, "select distinct gebiedscode from realisatie where gemeente_2025 = 0")
    }
    with_figures = {r["RegioS"] for r in source_rows if r["RegioS"] in old and r["Nieuwbouw_2"].strip()}
    assert flagged == with_figures
    assert rows(cbs_db, "select count(*) n from realisatie where gemeente_2025 = 0 and gebied is not null")[0]["n"] == 0


def test_seeded_national_facts_with_sources(cbs_db):
    doelen = {r["id"]: r for r in rows(cbs_db, "select * from doelen")}
    assert doelen["nieuwbouw_per_jaar"]["waarde"] == 100000
    assert doelen["aandeel_betaalbaar"]["waarde"] == pytest.approx(2 / 3)
    assert doelen["aandeel_sociaal"]["waarde"] == pytest.approx(0.30)
    for d in doelen.values():
        assert "Woontop" in d["bron"] and "32847-1395" in d["bron"] and "2/3 betaalbaar en 30% sociaal" in d["citaat"]
    seeded = {r["maat"]: r for r in rows(cbs_db, "select * from realisatie where bron_id is null")}
    assert seeded["gerealiseerde_woningen"]["waarde"] == 77600
    assert seeded["woningen_met_bouwvergunning"]["waarde"] == 104000
    for r in seeded.values():
        assert (r["periode_van"], r["periode_tot"]) == ("2024-10-01", "2025-09-30") and "CBS" in r["bron"]
    assert "77.600" in seeded["gerealiseerde_woningen"]["citaat"]
    grenzen = {r["segment"]: r for r in rows(cbs_db, "select * from prijsgrenzen")}
    assert (grenzen["betaalbare_koop"]["grens"], grenzen["middenhuur"]["grens"]) == (405000, 1185)
    # the instruments that set them, never a television item
    assert "Wet betaalbare huur" in grenzen["middenhuur"]["bron"] and "koopgrens" in grenzen["betaalbare_koop"]["bron"]
    assert all(
        r["jaar"] == 2025 and r["bron_url"].startswith("https://www.") and "eenvandaag" not in r["bron"].lower()
        for r in grenzen.values()
    )


@pytest.mark.parametrize(
    "code,expected",
    [
        ("2012JJ00", (2012, "2012-01-01", "2012-12-31")),
        ("2024KW03", (2024, "2024-07-01", "2024-09-30")),
        ("2024MM02", (2024, "2024-02-01", "2024-02-29")),
        ("2025HJ01", (2025, "2025-01-01", "2025-06-30")),
        ("2020", (2020, "2020-01-01", "2020-12-31")),
    ],
)
def test_cbs_period_codes(code, expected):
    p = realisatie.parse_period(code)
    assert (p["jaar"], p["periode_van"], p["periode_tot"]) == expected


@pytest.mark.parametrize("bad", ["2012JJ01", "2024KW05", "twintig", "", None])
def test_bad_period_codes(bad):
    with pytest.raises(Invalid):
        realisatie.parse_period(bad)


def test_messy_statline_rows_reported_not_crashed(tmp_path):
    (tmp_path / "cbs.csv").write_text(
        "ID;RegioS;Perioden;Nieuwbouw_2;Sloop_4;Onbekend_9\n"
        "1;GM0363  ;2023JJ00;5000;300;1\n"
        "2;Amsterdam;2023JJ00;5000;300;1\n"  # region is a name, not a code
        "3;GM0599;2023XX00;100;10;1\n"  # period code unknown
        "4;GM0599;2023JJ00;.;;1\n"  # no figures at all
        "5;GM0344;2023JJ00;veel;12;1\n"  # one bad figure, the other loads
        "6;GM0363;2023JJ00;1;1;1\n"  # same region and period again
        "7;NL01  ;2023KW01;15000;;1\n",
        encoding="utf-8",
    )
    manifest = write_manifest(tmp_path, [tiny_plans(tmp_path), {"kind": "realisatie", "path": "cbs.csv"}])
    build(manifest, tmp_path / "w.db", quiet=True)
    db = tmp_path / "w.db"
    problems = {
        (r["rij"], r["code"]) for r in rows(db, "select rij, code from ingest_problemen where bestand = 'cbs.csv'")
    }
    assert {
        (3, "ongeldige_gebiedscode"),
        (4, "ongeldige_periode"),
        (5, "geen_cijfers"),
        (6, "ongeldig_cijfer"),
        (7, "dubbele_rij"),
        (1, "onbekende_maat"),
    } <= problems
    got = {
        (r["gebiedscode"], r["periode"], r["maat"]): r["waarde"]
        for r in rows(db, "select * from realisatie where bron_id is not null")
    }
    assert got == {
        ("GM0363", "2023JJ00", "nieuwbouw"): 5000,
        ("GM0363", "2023JJ00", "sloop"): 300,
        ("GM0344", "2023JJ00", "sloop"): 12,
        ("NL01", "2023KW01", "nieuwbouw"): 15000,
    }
    bron = rows(db, "select * from bronnen where bestand = 'cbs.csv'")[0]
    assert (bron["rijen_gelezen"], bron["rijen_geladen"], bron["rijen_afgewezen"]) == (7, 3, 4)


def test_file_without_region_column_is_fatal_with_a_clear_message(tmp_path):
    (tmp_path / "cbs.csv").write_text("Jaar;Nieuwbouw_2\n2023;5\n", encoding="utf-8")
    manifest = write_manifest(tmp_path, [tiny_plans(tmp_path), {"kind": "realisatie", "path": "cbs.csv"}])
    with pytest.raises(FatalInput, match="verplichte kolom ontbreekt: RegioS"):
        build(manifest, tmp_path / "w.db", quiet=True)
    assert not (tmp_path / "w.db").exists()


def test_successor_table_86098NED_is_read_with_its_own_measure_name(tmp_path):
    """86098NED names new-build NieuwbouwTotaal_6 where the discontinued 81955NED had Nieuwbouw_2."""
    (tmp_path / "86098NED.csv").write_text(
        '"ID";"Gebruiksfunctie";"RegioS";"Perioden";"NieuwbouwTotaal_6";"SloopTotaal_12"\n'
        '0;"A045364";"GM0363  ";"2024JJ00";"8123";"250"\n'
        '1;"A045364";"GM0599  ";"2024JJ00";"   .";"10"\n',
        encoding="utf-8",
    )
    manifest = write_manifest(tmp_path, [tiny_plans(tmp_path), {"kind": "realisatie", "path": "86098NED.csv"}])
    build(manifest, tmp_path / "w.db", quiet=True)
    got = rows(
        tmp_path / "w.db",
        "select gebiedscode, maat, waarde, jaar, bron, bron_url from realisatie where bron_id is not null",
    )
    assert [(r["gebiedscode"], r["maat"], r["waarde"], r["jaar"]) for r in got] == [("GM0363", "nieuwbouw", 8123, 2024)]
    assert "86098NED" in got[0]["bron"] and "86098NED" in got[0]["bron_url"]
    unknown = rows(tmp_path / "w.db", "select kolom from ingest_problemen where code = 'onbekende_maat'")
    assert [u["kolom"] for u in unknown] == ["SloopTotaal_12"]
