"""Reference list of municipalities (CBS codes, names, provinces, a point)."""

from __future__ import annotations

from pathlib import Path

from ..errors import FatalInput
from ..manifest import Source
from ..mapping import load_mapping, match_header
from ..read import read_table
from ..validate import FOUT, Gemeente, Invalid, Problem, as_text, normalise_gemeentecode, parse_number
from . import Context, Load, new_report

DEFAULT = Path(__file__).resolve().parents[2] / "data" / "reference" / "gemeenten.csv"
REFERENCE = Source("gemeenten", DEFAULT, mapping="gemeenten")  # when the manifest names no list of its own


def load(source: Source, context: Context) -> Load:
    """A list of municipalities -> one Gemeente per code (rows); needs nothing from the context."""
    report = new_report(source)
    mapping = load_mapping(report.mapping)
    table = read_table(report.path, mapping.score, vector_hint=False)  # the list is a table, never a vector file
    hm = match_header(table.header, mapping)
    if hm.missing:
        raise FatalInput(report.path, "verplichte kolom ontbreekt: " + ", ".join(hm.missing))
    gemeenten: dict[str, Gemeente] = {}
    for rownum, cells in table.rows:
        report.read += 1
        get = lambda c: cells[hm.columns[c]] if c in hm.columns and hm.columns[c] < len(cells) else None
        try:
            code = normalise_gemeentecode(get("gemeentecode"))
        except Invalid as exc:
            report.reject(
                rownum,
                None,
                "gemeentecode",
                Problem("gemeentecode", as_text(get("gemeentecode")), FOUT, "ongeldige_gemeentecode", str(exc)),
            )
            continue
        naam, provincie = as_text(get("gemeentenaam")), as_text(get("provincie"))
        if not naam or not provincie or code in gemeenten:
            report.reject(
                rownum,
                None,
                "gemeentecode",
                Problem("gemeentecode", code, FOUT, "ongeldige_rij", "dubbele code of naam/provincie ontbreekt"),
            )
            continue
        lat: float | None
        lon: float | None
        try:
            lat, lon = parse_number(get("latitude")), parse_number(get("longitude"))
        except (Invalid, TypeError, ValueError):
            lat = lon = None
        gemeenten[code] = Gemeente(code, naam, provincie, lat, lon)
        report.loaded += 1
    if not gemeenten:
        raise FatalInput(report.path, "gemeentelijst bevat geen bruikbare rijen")
    return Load(report, list(gemeenten.values()))


def read(path: Path = DEFAULT) -> dict[str, Gemeente]:
    """A list of municipalities by code, for what validates one file outside a build (check, tests)."""
    return {g.code: g for g in load(Source("gemeenten", path, mapping="gemeenten"), Context()).rows}
