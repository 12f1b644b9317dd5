"""CBS StatLine CSV (region x period x measures) -> rows of the `realisatie` table.

StatLine downloads have one row per region and period with one column per measure,
regions as CBS codes (GM0363, PV27, NL01) and periods as CBS period codes (2012JJ00 a
year, 2024KW03 a quarter, 2025MM09 a month). Municipality codes of older divisions are
kept (their figures are real) but flagged with gemeente_2025 = 0 and reported once per
code; rows and cells that carry no usable figure are reported and not loaded.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from ..errors import FatalInput
from ..manifest import Source
from ..mapping import load_mapping, match_header, norm
from ..problems import INFO
from ..read import read_table
from ..validate import FOUT, WAARSCHUWING, Invalid, Problem, as_text, is_blank, parse_whole
from . import Context, Load, new_report

_PERIOD = re.compile(r"^(\d{4})(JJ|KW|MM|HJ)(\d{2})$")
_MEASURE = re.compile(r"^\w+_\d+$")  # StatLine names measure columns Name_<n>; dimensions have no suffix
_REGION = re.compile(r"^(GM|PV|NL|CR|LD|WK|BU|RE)\d{2,8}$")
REGION_KIND = {"GM": "gemeente", "PV": "provincie", "NL": "land", "CR": "corop", "LD": "landsdeel"}


def parse_period(code) -> dict:
    """A CBS period code -> jaar, periode_van, periode_tot (ISO dates, inclusive)."""
    text = (as_text(code) or "").upper().replace(" ", "")
    if re.fullmatch(r"\d{4}", text):
        text += "JJ00"
    m = _PERIOD.match(text)
    if not m:
        raise Invalid("geen CBS-periodecode (verwacht bijvoorbeeld 2012JJ00, 2024KW03 of 2025MM09)")
    year, kind, n = int(m.group(1)), m.group(2), int(m.group(3))
    if kind == "JJ" and n == 0:
        first, last = 1, 12
    elif kind == "KW" and 1 <= n <= 4:
        first, last = 3 * n - 2, 3 * n
    elif kind == "HJ" and 1 <= n <= 2:
        first, last = 6 * n - 5, 6 * n
    elif kind == "MM" and 1 <= n <= 12:
        first, last = n, n
    else:
        raise Invalid(f"ongeldige CBS-periodecode {text}")
    end = dt.date(year, last, calendar.monthrange(year, last)[1])
    return {
        "periode": text,
        "jaar": year,
        "periode_van": dt.date(year, first, 1).isoformat(),
        "periode_tot": end.isoformat(),
    }


def parse_region(code) -> str:
    text = re.sub(r"\s+", "", as_text(code) or "").upper()
    if not _REGION.match(text):
        raise Invalid("geen CBS-regiocode (verwacht bijvoorbeeld GM0363, PV27 of NL01)")
    return text


def load(source: Source, context: Context) -> Load:
    """Read one StatLine CSV; returns realisatie rows, reports every unusable row or cell. A row's
    bron_id is its report's, set when the pipeline numbers the report."""
    report = new_report(source)
    gemeenten, options = context.gemeenten, source.options or {}
    mapping = load_mapping(report.mapping)
    raw = mapping.raw
    maten = {norm(k): str(v) for k, v in (raw.get("maten") or {}).items()}
    ignore = {norm(h) for h in raw.get("ignore") or ()}
    table = read_table(report.path, lambda header: mapping.score(header) + sum(norm(h) in maten for h in header))
    report.notes.extend(table.notes)
    hm = match_header(table.header, mapping)
    if hm.missing:
        labels = raw.get("columns") or {}
        raise FatalInput(
            report.path,
            "verplichte kolom ontbreekt: "
            + ", ".join(f"{(labels.get(c) or [c])[0]} ({c})" for c in hm.missing)
            + f" (gevonden: {', '.join(str(h) for h in table.header)})",
        )
    header_row = table.rows[0][0] - 1 if table.rows else 1
    measures: dict[int, str] = {}
    dimensions: dict[int, str] = {}
    for i, label in enumerate(table.header):
        key = norm(label)
        if not key or key in ignore or i in hm.columns.values():
            continue
        if key in maten:
            measures[i] = maten[key]
        elif _MEASURE.match(str(label).strip()):
            report.note(
                str(label).strip(),
                INFO,
                "onbekende_maat",
                "meetkolom staat niet in de mapping; niet geladen",
                row=header_row,
            )
        else:
            dimensions[i] = str(label).strip()  # e.g. Gebruiksfunctie: kept with the figure
    if not measures:
        raise FatalInput(
            report.path,
            "geen bekende meetkolom gevonden (verwacht o.a. "
            + ", ".join(list(raw.get("maten") or {})[:3])
            + "; zie de mapping)",
        )
    headers = {norm(h) for h in table.header}
    table_of = next(
        (t for m, t in (raw.get("tabellen") or {}).items() if norm(m) in headers and isinstance(t, dict)), {}
    )
    bron = (
        str(options.get("bron") or table_of.get("bron") or raw.get("bron") or "CBS StatLine")
        + f" (bestand {report.path.name})"
    )
    bron_url = options.get("bron_url") or table_of.get("bron_url") or raw.get("bron_url")
    old_codes: set[str] = set()
    out: list[dict] = []
    seen: dict[str, int] = {}
    for rownum, cells in table.rows:
        report.read += 1
        cell = lambda i: cells[i] if i < len(cells) else None  # noqa: E731
        try:
            code = parse_region(cell(hm.columns["gebiedscode"]))
            period = parse_period(cell(hm.columns["periode"]))
        except Invalid as exc:
            bad = "gebiedscode" if "regio" in str(exc) else "periode"
            header = str(table.header[hm.columns[bad]]).strip()
            report.reject(
                rownum,
                None,
                header,
                Problem(bad, as_text(cell(hm.columns[bad])), FOUT, f"ongeldige_{bad}", f"{exc}; rij niet geladen"),
            )
            continue
        kind = REGION_KIND.get(code[:2], "overig")
        gemeente = gemeenten.get(code) if kind == "gemeente" else None
        if kind == "gemeente" and gemeente is None and code not in old_codes:
            old_codes.add(code)
            report.add(
                rownum,
                None,
                str(table.header[hm.columns["gebiedscode"]]).strip(),
                Problem(
                    "gebiedscode",
                    code,
                    WAARSCHUWING,
                    "gemeente_niet_in_2025",
                    f"{code} staat niet in de gemeentelijst 2025 (oudere gemeentelijke indeling); "
                    "cijfers bewaard met gemeente_2025 = 0",
                ),
            )
        categorie = (
            "; ".join(f"{label}={as_text(cell(i))}" for i, label in dimensions.items() if as_text(cell(i)) is not None)
            or None
        )
        figures = []
        for i, maat in measures.items():
            value = cell(i)
            if is_blank(value) or (isinstance(value, str) and value.strip() in (".", "-", "x")):
                continue  # CBS writes blank or '.' for "no figure"
            try:
                figures.append((maat, parse_whole(value)))
            except Invalid as exc:
                report.add(
                    rownum,
                    None,
                    str(table.header[i]).strip(),
                    Problem(maat, as_text(value), WAARSCHUWING, "ongeldig_cijfer", f"{exc}; cijfer niet geladen"),
                )
        if not figures:
            report.reject(
                rownum,
                None,
                None,
                Problem(
                    "waarde",
                    None,
                    WAARSCHUWING,
                    "geen_cijfers",
                    f"geen enkel cijfer voor {code} in {period['periode']}; rij niet geladen",
                ),
            )
            continue
        key_base = f"{code}_{period['periode']}" + (f"_{categorie}" if categorie else "")
        if key_base in seen:
            report.reject(
                rownum,
                None,
                None,
                Problem(
                    "gebiedscode",
                    f"{code} {period['periode']}",
                    FOUT,
                    "dubbele_rij",
                    f"zelfde regio en periode als rij {seen[key_base]}; alleen de eerste geladen",
                ),
            )
            continue
        seen[key_base] = rownum
        report.loaded += 1
        for maat, waarde in figures:
            out.append(
                {
                    "id": f"cbs_{norm(key_base)}_{maat}",
                    "gebied": gemeente.naam if gemeente else ("Nederland" if code == "NL01" else None),
                    "gebiedscode": code,
                    "gebiedssoort": kind,
                    "gemeente_2025": (1 if gemeente else 0) if kind == "gemeente" else None,
                    "maat": maat,
                    "categorie": categorie,
                    "waarde": waarde,
                    **period,
                    "bron": bron,
                    "bron_url": bron_url,
                }
            )
    return Load(report, out)
