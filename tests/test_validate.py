"""Unit tests of the pure parsing and validation rules."""

import datetime as dt

import pytest

from ingest.gemeente_namen import GemeenteNamen
from ingest.mapping import load_mapping, match_header
from ingest.validate import (
    FOUT,
    WAARSCHUWING,
    Gemeente,
    Invalid,
    derive,
    normalise_gemeentecode,
    parse_count,
    parse_date,
    parse_number,
    parse_peilmoment,
    parse_year,
    plan_key,
    validate_plan,
)

MAPPING = load_mapping("lmvw")
GEMEENTEN = {
    "GM0363": Gemeente("GM0363", "Amsterdam", "Noord-Holland", 52.37, 4.9),
    "GM1963": Gemeente("GM1963", "Hoeksche Waard", "Zuid-Holland", 51.77, 4.45),
}
BY_NAME = GemeenteNamen.build(GEMEENTEN, aliases={})


def good(**kw):
    row = {
        "plan_id": "P1",
        "naam": "De Kade",
        "gemeentecode": "GM0363",
        "woningen": "100",
        "sociale_huur": "30",
        "middenhuur": "20",
        "betaalbare_koop": "10",
        "planstatus_bron": "Vastgesteld",
        "start_bouw": "2027",
    }
    row.update(kw)
    return row


def codes(problems, severity=None):
    return [p.code for p in problems if severity is None or p.severity == severity]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", 12.0),
        (" 12 ", 12.0),
        ("12,5", 12.5),
        ("12.5", 12.5),
        ("1.234", 1234.0),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        (7, 7.0),
        (7.0, 7.0),
        ("1e3", 1000.0),
    ],
)
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


@pytest.mark.parametrize(
    "value,year",
    [
        ("2027", 2027),
        (2027, 2027),
        (2027.0, 2027),
        ("2027-03-01", 2027),
        ("01-03-2027", 2027),
        (dt.datetime(2031, 1, 5), 2031),
        (dt.date(2040, 1, 1), 2040),
    ],
)
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


@pytest.mark.parametrize(
    "override,code",
    [
        ({"plan_id": ""}, "verplicht"),
        ({"naam": " "}, "verplicht"),
        ({"woningen": ""}, "verplicht"),
        ({"woningen": "-5"}, "ongeldig_aantal"),
        ({"woningen": "veel"}, "ongeldig_aantal"),
        ({"sloop": "2.5"}, "ongeldig_aantal"),  # netto follows from it: never guessed
        ({"gemeentecode": "GM9999"}, "onbekende_gemeente"),
        ({"gemeentecode": "Amsterdam"}, "ongeldige_gemeentecode"),
        ({"start_bouw": "1999"}, "ongeldig_jaar"),
        ({"oplevering_eind": "2070"}, "ongeldig_jaar"),
    ],
)
def test_each_rule_rejects_with_the_offending_value(override, code):
    _, problems = validate_plan(good(**override), MAPPING, GEMEENTEN, BY_NAME)
    assert code in codes(problems, FOUT)
    column = next(iter(override))
    offending = [p for p in problems if p.code == code][0]
    expected = str(override[column]).strip() or None
    assert offending.value == expected


@pytest.mark.parametrize(
    "override,code",
    [
        # the price classes are a breakdown of bruto: an excess is doubtful, the plan is not lost
        ({"woningen": "50"}, "segmenten_te_groot"),
        # a status label we do not know: published as onbekend, the label reported
        ({"planstatus_bron": "Bijna klaar"}, "onbekende_status"),
        # a price class that is no whole number: that class is left empty, the plan is kept
        ({"sociale_huur": "12.5"}, "ongeldig_aantal"),
        ({"middenhuur": "veel"}, "ongeldig_aantal"),
    ],
)
def test_doubtful_values_warn_and_keep_the_plan(override, code):
    out, problems = validate_plan(good(**override), MAPPING, GEMEENTEN, BY_NAME)
    assert code in codes(problems, WAARSCHUWING) and not codes(problems, FOUT)
    column = next(iter(override))
    if code == "ongeldig_aantal":
        assert out[column] is None and [p.value for p in problems if p.code == code] == [override[column]]
    if code == "onbekende_status":
        assert out["planstatus"] == out["hardheid"] == "onbekend" and out["planstatus_bron"] == "Bijna klaar"


def test_netto_is_bruto_minus_sloop_and_may_be_negative():
    out, problems = validate_plan(
        good(woningen="40", sloop="90", sociale_huur="", middenhuur="", betaalbare_koop=""), MAPPING, GEMEENTEN, BY_NAME
    )
    assert not codes(problems, FOUT)
    assert derive(out)["netto"] == -50
    out, _ = validate_plan(good(woningen="100", sloop=""), MAPPING, GEMEENTEN, BY_NAME)
    assert derive(out)["netto"] == 100  # no demolition reported
    out, problems = validate_plan(good(netto="-12", woningen="30", sloop=""), MAPPING, GEMEENTEN, BY_NAME)
    assert out["netto"] == -12 and not codes(problems, FOUT)
    assert derive(out, netto_from_sloop=False)["sloop"] == 42
    _, problems = validate_plan(good(netto="70", sloop="10"), MAPPING, GEMEENTEN, BY_NAME)
    assert "netto_klopt_niet" in codes(problems, WAARSCHUWING)


def test_absent_price_class_stays_empty_and_zero_stays_zero():
    out, _ = validate_plan(
        good(sociale_huur=None, middenhuur=0, huur_onbekend=None, koop_onbekend="7"), MAPPING, GEMEENTEN, BY_NAME
    )
    assert out["sociale_huur"] is None and out["middenhuur"] == 0
    assert out["huur_onbekend"] is None and out["koop_onbekend"] == 7


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2025-10-01", "2025-10-01"),
        ("Najaar 2025", "2025-10-01"),
        ("voorjaar 2026", "2026-04-01"),
        ("1 oktober 2025", "2025-10-01"),
        ("01-10-2025", "2025-10-01"),
        ("2025-10-01T00:00:00", "2025-10-01"),
    ],
)
def test_peilmoment_forms(value, expected):
    seasons = load_mapping("woningbouwkaart").raw["peilmoment"]
    assert parse_peilmoment(value, seasons).isoformat() == expected


@pytest.mark.parametrize("bad", ["12/01/2025", "2025-12-01garbage", "Zomer 2025", "2025-02-30"])
def test_ambiguous_or_trailing_dates_are_never_guessed(bad):
    with pytest.raises(Invalid):
        parse_peilmoment(bad, {"najaar": "10-01"})


def test_plan_ids_that_differ_only_invisibly_are_one_plan():
    assert len({plan_key(v) for v in ("AB-1", "ab-1", " AB-1 ", "AB-\u200b1", "\ufeffAB-1")}) == 1
    assert plan_key("AB\u00a01") == plan_key("AB 1") == plan_key("ab  1")
    assert plan_key("Caf\u00e9") == plan_key("Cafe\u0301")


@pytest.fixture(scope="module")
def names():
    from pathlib import Path

    from ingest.kinds.gemeenten import read

    ref = Path(__file__).resolve().parent.parent / "data" / "reference" / "gemeenten.csv"
    gemeenten = read(ref)
    return GemeenteNamen.build(gemeenten)


@pytest.mark.parametrize(
    "name,code",
    [
        ("Den Haag", "GM0518"),
        ("'s-Gravenhage", "GM0518"),
        ("Hengelo", "GM0164"),
        ("Bergen (NH)", "GM0373"),
        ("Bergen (L.)", "GM0893"),
        ("SUDWEST-FRYSLAN", "GM1900"),
        ("Den Bosch", "GM0796"),
        ("nuenen", "GM0820"),
        ("Gemeente Utrecht", "GM0344"),
        ("Súdwest Fryslân", "GM1900"),
    ],
)
def test_municipality_names_resolve_to_cbs_codes(names, name, code):
    found, why = names.resolve(name)
    assert why is None and found.code == code


@pytest.mark.parametrize("name,why", [("Bergen", "dubbelzinnig"), ("Nieuwland", "onbekend"), ("", "onbekend")])
def test_unknown_or_ambiguous_names_are_not_guessed(names, name, why):
    assert names.resolve(name) == (None, why)


def test_a_sources_own_pairs_come_first(names):
    assert names.with_pairs({"Bergen": "GM0893"}).resolve("bergen")[0].code == "GM0893"


def test_name_mismatch_is_a_warning_and_the_reference_wins():
    out, problems = validate_plan(good(gemeente="Amsterdm", provincie="Utrecht"), MAPPING, GEMEENTEN, BY_NAME)
    assert set(codes(problems, WAARSCHUWING)) == {"naam_wijkt_af", "provincie_wijkt_af"}
    assert not codes(problems, FOUT)
    assert out["gemeente"] == "Amsterdam" and out["provincie"] == "Noord-Holland"


def test_missing_code_derived_from_name_with_warning():
    out, problems = validate_plan(good(gemeentecode="", gemeente="Hoeksche Waard"), MAPPING, GEMEENTEN, BY_NAME)
    assert out["gemeentecode"] == "GM1963" and codes(problems) == ["code_uit_naam"]
