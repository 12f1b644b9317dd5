"""Unit tests of the pure parsing and validation rules."""
import datetime as dt

import pytest

from ingest.mapping import load_mapping, match_header, norm
from ingest.validate import (FOUT, WAARSCHUWING, Gemeente, Invalid, normalise_gemeentecode, parse_count,
                             parse_date, parse_number, parse_year, validate_plan)

MAPPING = load_mapping("lmvw")
GEMEENTEN = {
    "GM0363": Gemeente("GM0363", "Amsterdam", "Noord-Holland", 52.37, 4.9),
    "GM1963": Gemeente("GM1963", "Hoeksche Waard", "Zuid-Holland", 51.77, 4.45),
}
BY_NAME = {norm(g.naam): g for g in GEMEENTEN.values()}


def good(**kw):
    row = {"plan_id": "P1", "naam": "De Kade", "gemeentecode": "GM0363", "woningen": "100",
           "sociale_huur": "30", "middenhuur": "20", "betaalbare_koop": "10", "planstatus_bron": "Vastgesteld",
           "start_bouw": "2027"}
    row.update(kw)
    return row


def codes(problems, severity=None):
    return [p.code for p in problems if severity is None or p.severity == severity]


@pytest.mark.parametrize("text,expected", [
    ("12", 12.0), (" 12 ", 12.0), ("12,5", 12.5), ("12.5", 12.5), ("1.234", 1234.0), ("1.234,5", 1234.5),
    ("1,234.5", 1234.5), (7, 7.0), (7.0, 7.0), ("1e3", 1000.0),
])
def test_parse_number_dutch_and_english(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize("bad", ["tien", "", "nan", "inf", float("nan"), True])
def test_parse_number_rejects(bad):
    with pytest.raises(Invalid):
        parse_number(bad)


@pytest.mark.parametrize("bad", ["-1", "12,5", "99999999999999999999", "1e30"])
def test_parse_count_rejects_negative_fraction_and_huge(bad):
    with pytest.raises(Invalid):
        parse_count(bad)


def test_parse_count_accepts_decimal_zero():
    assert parse_count("12,0") == 12 and parse_count(12.0) == 12


@pytest.mark.parametrize("value,year", [
    ("2027", 2027), (2027, 2027), (2027.0, 2027), ("2027-03-01", 2027), ("01-03-2027", 2027),
    (dt.datetime(2031, 1, 5), 2031), (dt.date(2040, 1, 1), 2040),
])
def test_parse_year_reduces_dates(value, year):
    assert parse_year(value) == year


@pytest.mark.parametrize("bad", ["1899", "2061", "volgend jaar", "31-02-2027", 2027.5])
def test_parse_year_rejects(bad):
    with pytest.raises(Invalid):
        parse_year(bad)


def test_parse_date_formats():
    assert parse_date("2025-10-01") == dt.date(2025, 10, 1)
    assert parse_date("1-10-2025") == dt.date(2025, 10, 1)
    assert parse_date(dt.datetime(2025, 10, 1, 0, 0)) == dt.date(2025, 10, 1)


@pytest.mark.parametrize("raw", ["GM0363", "gm0363", "0363", "363", " GM 0363 ", 363, 363.0])
def test_gemeentecode_with_or_without_gm(raw):
    assert normalise_gemeentecode(raw) == "GM0363"


def test_headers_match_case_space_and_order_insensitively():
    hm = match_header(["  aantal WONINGEN ", "PLAN-ID", "plannaam", "gemeentecode", "Contactpersoon", "Extra"], MAPPING)
    assert hm.columns == {"woningen": 0, "plan_id": 1, "naam": 2, "gemeentecode": 3}
    assert hm.private == ["Contactpersoon"] and hm.unknown == ["Extra"] and hm.missing == []


def test_missing_required_column_is_named():
    hm = match_header(["Plan-ID", "Plannaam", "Gemeentecode"], MAPPING)
    assert hm.missing == ["woningen"]


def test_valid_row_gets_reference_names_and_hardness():
    out, problems = validate_plan(good(gemeente="amsterdam"), MAPPING, GEMEENTEN, BY_NAME)
    assert problems == []
    assert out["gemeente"] == "Amsterdam" and out["provincie"] == "Noord-Holland"
    assert out["planstatus"] == "vastgesteld" and out["hardheid"] == "hard"
    assert out["woningen"] == 100 and out["start_bouw"] == 2027


@pytest.mark.parametrize("override,code", [
    ({"plan_id": ""}, "verplicht"),
    ({"naam": " "}, "verplicht"),
    ({"woningen": ""}, "verplicht"),
    ({"woningen": "-5"}, "ongeldig_aantal"),
    ({"woningen": "veel"}, "ongeldig_aantal"),
    ({"woningen": "50"}, "segmenten_te_groot"),
    ({"gemeentecode": "GM9999"}, "onbekende_gemeente"),
    ({"gemeentecode": "Amsterdam"}, "ongeldige_gemeentecode"),
    ({"start_bouw": "1999"}, "ongeldig_jaar"),
    ({"oplevering_eind": "2070"}, "ongeldig_jaar"),
    ({"planstatus_bron": "Bijna klaar"}, "onbekende_status"),
])
def test_each_rule_rejects_with_the_offending_value(override, code):
    _, problems = validate_plan(good(**override), MAPPING, GEMEENTEN, BY_NAME)
    assert code in codes(problems, FOUT)
    column = next(iter(override))
    offending = [p for p in problems if p.code == code][0]
    expected = str(override[column]).strip() or None
    if code != "segmenten_te_groot":
        assert offending.value == expected


def test_name_mismatch_is_a_warning_and_the_reference_wins():
    out, problems = validate_plan(good(gemeente="Amsterdm", provincie="Utrecht"), MAPPING, GEMEENTEN, BY_NAME)
    assert set(codes(problems, WAARSCHUWING)) == {"naam_wijkt_af", "provincie_wijkt_af"}
    assert not codes(problems, FOUT)
    assert out["gemeente"] == "Amsterdam" and out["provincie"] == "Noord-Holland"


def test_missing_code_derived_from_name_with_warning():
    out, problems = validate_plan(good(gemeentecode="", gemeente="Hoeksche Waard"), MAPPING, GEMEENTEN, BY_NAME)
    assert out["gemeentecode"] == "GM1963" and codes(problems) == ["code_uit_naam"]
