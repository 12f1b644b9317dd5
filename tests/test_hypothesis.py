"""Property-based tests of the parsers and validators: any input gives a value or a clear problem.

Hypothesis generates cells as suppliers' software could produce them (any text, huge and
non-finite numbers, dates, None) and the rules must never raise anything but their own
Invalid / FatalInput, and must round-trip the values they do accept.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Polygon

from ingest import limits
from ingest.errors import FatalInput
from ingest.gemeente_namen import GemeenteNamen
from ingest.geometry import shapes
from ingest.mapping import load_mapping, norm
from ingest.read import decode, read_csv, sniff_delimiter
from ingest.validate import (
    MAX_HOMES,
    YEAR_MAX,
    YEAR_MIN,
    Gemeente,
    Invalid,
    as_text,
    is_blank,
    normalise_gemeentecode,
    parse_count,
    parse_date,
    parse_number,
    parse_year,
    validate_plan,
)

settings.register_profile(
    "portal",
    max_examples=int(__import__("os").environ.get("HYPOTHESIS_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("portal")

MAPPING = load_mapping("lmvw")
GEMEENTEN = {"GM0363": Gemeente("GM0363", "Amsterdam", "Noord-Holland", 52.37, 4.9)}
BY_NAME = GemeenteNamen.build(GEMEENTEN, aliases={})

# what a cell can hold: openpyxl gives str/int/float/datetime/bool/None, CSV gives str
cells = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(),
    st.from_regex(r"\A[0-9.,\s\u00a0eE+-]{0,25}\Z"),
)


def only_invalid(fn, value):
    try:
        return fn(value)
    except Invalid as exc:
        assert str(exc), "an Invalid carries a message"
        return None


@given(cells)
def test_parse_number_gives_a_finite_float_or_invalid(value):
    result = only_invalid(parse_number, value)
    assert result is None or (isinstance(result, float) and math.isfinite(result))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_round_trips_python_floats(x):
    assert parse_number(repr(x)) == x
    assert parse_number(x) == x


@given(st.integers(min_value=1000, max_value=10**12))
def test_parse_number_reads_dutch_thousands_and_decimal_comma(n):
    assert parse_number(f"{n:,}".replace(",", ".")) == n  # 1.234.567
    assert parse_number(f"{n:,}.5".replace(",", "#").replace(".", ",").replace("#", ".")) == n + 0.5  # 1.234,5


@given(cells)
def test_parse_count_is_a_bounded_whole_number_or_invalid(value):
    result = only_invalid(parse_count, value)
    assert result is None or (type(result) is int and 0 <= result <= MAX_HOMES)


@given(st.integers(min_value=0, max_value=MAX_HOMES))
def test_parse_count_round_trips(n):
    assert parse_count(str(n)) == parse_count(float(n)) == parse_count(n) == n


@given(cells)
def test_parse_year_is_in_range_or_invalid(value):
    result = only_invalid(parse_year, value)
    assert result is None or YEAR_MIN <= result <= YEAR_MAX


@given(st.one_of(st.text(max_size=30), st.dates(), st.datetimes()))
def test_parse_date_is_a_date_or_invalid(value):
    result = only_invalid(parse_date, value)
    assert result is None or isinstance(result, dt.date)


@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_parse_date_round_trips_both_orders(d):
    assert parse_date(d.isoformat()) == d
    assert parse_date(d.strftime("%d-%m-%Y")) == d


@given(cells)
def test_gemeentecode_is_normalised_or_invalid(value):
    result = only_invalid(normalise_gemeentecode, value)
    assert result is None or re.fullmatch(r"GM\d{4}", result)


@given(cells)
def test_as_text_and_is_blank_never_fail(value):
    text = as_text(value)
    assert text is None or (isinstance(text, str) and text == text.strip() and text)
    assert is_blank(value) == (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


COLUMNS = [
    "plan_id",
    "naam",
    "gemeentecode",
    "gemeente",
    "provincie",
    "planstatus_bron",
    "woningen",
    "sloop",
    "sociale_huur",
    "middenhuur",
    "start_bouw",
    "oplevering_start",
    "oplevering_eind",
    "locatie",
    "latitude",
    "longitude",
    "peildatum",
    "omschrijving",
]


@given(st.fixed_dictionaries({}, optional={c: cells for c in COLUMNS}))
def test_validate_plan_never_raises_and_errors_mean_rejection(raw):
    values, problems = validate_plan(raw, MAPPING, GEMEENTEN, BY_NAME)
    assert set(values) >= {"plan_id", "naam", "gemeentecode", "woningen"}
    for p in problems:
        assert p.severity in ("fout", "waarschuwing") and p.message and p.code
    if not any(p.severity == "fout" for p in problems):
        # a loaded row is complete and consistent
        assert values["plan_id"] and values["naam"] and values["gemeentecode"] == "GM0363"
        assert isinstance(values["woningen"], int) and 0 <= values["woningen"] <= MAX_HOMES
        for y in ("start_bouw", "oplevering_start", "oplevering_eind"):
            assert values[y] is None or YEAR_MIN <= values[y] <= YEAR_MAX


@given(st.binary(max_size=3000))
def test_decode_gives_text_or_a_clear_refusal(data):
    try:
        text, encoding, fallback = decode(data, "x.csv")
    except FatalInput as exc:
        assert "x.csv" in str(exc)
        return
    assert isinstance(text, str) and encoding.split(" ")[0] in ("utf-8", "utf-8-sig", "utf-16", "cp1252")
    if encoding == "utf-8":
        assert text == data.decode("utf-8") and not fallback
    # nothing replaced silently: every line that is not UTF-8 is named
    lines = (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).split(b"\n")
    bad = {i for i, line in enumerate(lines, start=1) if not _is_utf8(line)}
    assert encoding in ("cp1252", "utf-16") or fallback == bad


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


@given(st.text(max_size=500))
def test_decode_reads_utf8_with_and_without_bom(text):
    text = text.replace("\x00", "")
    assert decode(text.encode("utf-8"), "x.csv")[0] == text
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8"), "x.csv")[0] == text


@given(st.text(max_size=300))
def test_sniff_delimiter_is_one_of_four(text):
    assert sniff_delimiter(text) in (";", ",", "\t", "|")


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_characters=';\r\n"\x00'), min_size=1, max_size=8),
            min_size=3,
            max_size=3,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_sniff_delimiter_finds_the_semicolon(rows):
    text = "\n".join(";".join(r) for r in rows)
    if any(c in "".join(rows[0]) for c in ",\t|"):
        return  # a header full of commas may rightly look comma-separated
    assert sniff_delimiter(text) == ";"


@given(st.binary(max_size=2000))
def test_read_csv_of_any_bytes_is_a_table_or_a_clear_refusal(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    path.write_bytes(data)
    try:
        table = read_csv(path)
    except FatalInput as exc:
        assert "x.csv" in str(exc)
        return
    assert all(isinstance(n, int) and isinstance(r, list) for n, r in table.rows)


@given(st.text(max_size=40))
def test_norm_is_idempotent_and_ignores_case_and_punctuation(label):
    key = norm(label)
    assert norm(key) == key
    assert re.fullmatch(r"\w*", key) and "_" not in key


@given(
    st.lists(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=6),
        min_size=1,
        max_size=4,
    ),
    st.sampled_from([" ", "-", "_", "/", " . ", "\u00a0"]),
)
def test_norm_matches_headers_however_they_are_written(words, sep):
    assert norm(sep.join(words)) == norm("".join(words).upper()) == norm("".join(words).lower())


@given(st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.floats()))
def test_limit_sizes_are_positive_or_refused(value):
    try:
        n = limits.parse_size(value)
    except (ValueError, TypeError):
        return
    assert isinstance(n, int) and n > 0


@given(st.lists(st.tuples(st.floats(-1000, 1000), st.floats(-1000, 1000)), min_size=0, max_size=12))
def test_clean_any_ring_gives_a_valid_area_or_a_reason(points):
    try:
        geom = Polygon(points) if len(points) >= 3 else None
    except (ValueError, shapely.errors.GEOSException):
        return
    cleaned, issue = shapes.clean(geom)
    if cleaned is None:
        assert issue is not None and issue.severity == "fout"
    else:
        assert cleaned.is_valid and cleaned.area > 0 and cleaned.geom_type in ("Polygon", "MultiPolygon")


@pytest.mark.parametrize("text,size", [("200MB", 200 * 2**20), ("1.5 GB", int(1.5 * 2**30)), ("2_000", 2000), (5, 5)])
def test_limit_sizes_read_units(text, size):
    assert limits.parse_size(text) == size
