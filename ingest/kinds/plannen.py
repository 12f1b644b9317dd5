"""Plans export (CSV, XLSX, or a city's vector file in a mapped layout) -> validated public plan rows.

Every plans source ends in rows_from_table(): a header and rows of cells, mapped and validated
the same way whatever the file was. A vector file (GeoJSON, GeoPackage, zipped Shapefile) is a
table whose rows also carry an outline: it becomes the plan's area (ingest/geometry/areas.py).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter

from pyproj import CRS

from ..errors import FatalInput
from ..geometry import areas
from ..geometry.features import Rejection, layer_features, vertex_counts
from ..geometry.read import SUFFIXES as VECTOR_SUFFIXES
from ..geometry.read import read_layers
from ..geometry.shapes import places as load_places
from ..manifest import Source
from ..mapping import Mapping, load_mapping, match_header, norm
from ..problems import INFO, SourceReport
from ..read import Table, read_table
from ..validate import (
    FOUT,
    WAARSCHUWING,
    Problem,
    as_text,
    clean_id,
    derive,
    is_blank,
    openbaar_flag,
    plan_key,
    validate_plan,
)
from . import Context, Load, new_report

COLUMN_LABEL = {  # our column -> how the reference layout names it (for messages)
    "plan_id": "Plan-ID",
    "woningen": "Aantal woningen",
    "gemeentecode": "Gemeentecode",
    "naam": "Plannaam",
}
# A header that names publication or confidentiality, but is not the mapping's flag, could hold
# "nee" for plans that must never be published: we stop rather than publish everything.
FLAG_WORDS = (
    *("openb", "publice", "publicat", "publish", "public", "publiek", "vertrouwelijk", "confiden", "zichtbaar"),
    *("visib", "verborgen", "hidden", "besloten", "vrijgave", "vrijgegeven", "vrijgeven", "embargo", "afscherm"),
    *("sensitiv", "restrict", "geheimhoud", "staatsgeheim", "rubricer", "classific", "gevoelig", "releasab"),
    *("internal", "niettonen", "opendata"),
)
# words that are a flag only as the whole header ("Geheim", not "Geheime notitie"; "Intern", not
# "Opmerkingen intern"); such a column with ja/nee values is caught by its values (YES_NO)
FLAG_HEADERS = ("geheim", "intern", "secret", "private", "prive", "tonen", "tonenopkaart")
# an unknown column holding mostly yes and no, a no among them, may be a flag by another name: we stop
YES_NO = frozenset({"ja", "nee", "j", "n", "yes", "no", "y", "true", "false", "waar", "onwaar", "wel", "niet"})
NO = frozenset({"nee", "n", "no", "false", "onwaar", "niet"})
# Cyrillic and Greek letters that look like Latin ones: a header written with them reads as written
LOOK_ALIKES = str.maketrans("асеорхуіјкмнтвΑΒΕΖΗΙΚΜΝΟΡΤΥΧαεικνορτυχ", "aceopxyijkmhtbabezhikmnoptyxaeikvoptux")
# problems reported once per value with a count, not once per row
COUNTED = {"onbekende_status": "plannen", "ongeldige_peildatum": "rijen"}


def looks_like_flag(label: str) -> bool:
    folded = unicodedata.normalize("NFKD", norm(label)).translate(LOOK_ALIKES)
    key = "".join(c for c in folded if not unicodedata.combining(c))  # privé, Оpenbaar
    return key in FLAG_HEADERS or any(word in key for word in FLAG_WORDS)


def column_cells(rows, index: int) -> list:
    """One column's cells of rows given as lists of cells (a short row: None)."""
    return [cells[index] if index < len(cells) else None for cells in rows]


def mostly_yes_no(values) -> bool:
    """Whether at least half of the values given are a yes or a no, and one of them a no: a flag by
    another name, whatever else a steward typed in it ('onbekend')."""
    given = [norm(v) for v in values if not is_blank(v)]
    answers = [v for v in given if v in YES_NO]
    return bool(given) and 2 * len(answers) >= len(given) and any(v in NO for v in answers)


def header_problems(table: Table, mapping: Mapping, report: SourceReport, defaults: dict | None = None):
    hm = match_header(table.header, mapping)
    missing = [c for c in hm.missing if c not in (defaults or {})]
    if missing:
        names = ", ".join(COLUMN_LABEL.get(c, c) for c in missing)
        raise FatalInput(report.path, f"verplichte kolom ontbreekt: {names}")
    if len(hm.flag_headers) > 1:  # which of two flags holds is not ours to guess
        raise FatalInput(
            report.path,
            f"de publicatievlag staat in {len(hm.flag_headers)} kolommen ({', '.join(map(repr, hm.flag_headers))}); "
            "laat er één over — er is niets gepubliceerd",
        )
    allowed = {norm(h) for h in mapping.raw.get("geen_publicatievlag") or ()}
    unknown = {str(h).strip(): i for i, h in enumerate(table.header) if str(h).strip() in hm.unknown}
    for h in (*hm.unknown, *hm.private):
        if norm(h) in allowed:
            continue
        by_values = h in unknown and mostly_yes_no(column_cells((c for _, c in table.rows), unknown[h]))
        if looks_like_flag(h) or by_values:
            why = (
                "bevat vooral ja/nee-waarden en kan een publicatievlag zijn"
                if by_values
                else "lijkt een publicatievlag"
            )
            raise FatalInput(
                report.path,
                f"kolom {h!r} {why} maar staat niet in de mapping "
                f"{mapping.name!r}; voeg hem toe onder openbaar: header (of, als hij niets "
                "over openbaarheid zegt, onder geen_publicatievlag:) — er is niets gepubliceerd",
            )
    header_row = table.rows[0][0] - 1 if table.rows and table.rows[0][0] > 1 else None
    for h in hm.unknown:
        report.note(h, INFO, "onbekende_kolom", "onbekende kolom; niet gepubliceerd", row=header_row)
    for h in hm.private:
        report.note(h, INFO, "niet_openbare_kolom", "niet-openbare kolom; nooit gepubliceerd", row=header_row)
    for h in hm.duplicates:
        report.note(
            h, WAARSCHUWING, "dubbele_kolom", "kolom komt twee keer voor; de eerste is gebruikt", row=header_row
        )
    for column in defaults or {}:
        if column in hm.columns:
            report.note(
                str(table.header[hm.columns[column]]).strip(),
                INFO,
                "default_niet_gebruikt",
                f"kolom staat in het bestand; de default voor {column} uit het manifest is niet gebruikt",
                row=header_row,
            )
    return hm


def rows_from_table(
    table: Table,
    mapping: Mapping,
    report: SourceReport,
    context: Context,
    result: Load,
    defaults: dict | None = None,
    extra: dict[int, dict] | None = None,
    fallback_peildatum: str | None = None,
) -> Load:
    """Validate every row of a plans table into `result`; every row is loaded, rejected or counted
    as not public. `extra`: values per source row that do not come from a cell (a feature's point)."""
    hm = header_problems(table, mapping, report, defaults)
    header_of = {col: str(table.header[i]).strip() for col, i in hm.columns.items()}
    constant = {c: v for c, v in (defaults or {}).items() if c not in hm.columns}
    seen: dict[str, int] = {}
    # one file, one peildatum: the manifest's (or the release's), else the one most rows give (file_peildatum)
    fixed_peildatum = report.peildatum or fallback_peildatum
    pending: list[dict] = []
    # under a confidentiality header, ja could mean "confidential": a yes or no there says nothing sure
    inverted = hm.openbaar is not None and any(
        w in norm(table.header[hm.openbaar]) for w in ("vertrouwelijk", "confiden")
    )
    for rownum, cells in table.rows:
        report.read += 1
        if hm.openbaar is not None:
            flag_value = cells[hm.openbaar] if hm.openbaar < len(cells) else None
            flag = openbaar_flag(flag_value, mapping)
            if inverted and norm(as_text(flag_value)) in YES_NO:
                flag = None
            pid = as_text(cells[hm.columns["plan_id"]]) if hm.columns.get("plan_id", 1 << 30) < len(cells) else None
            if flag is False:
                report.not_public += 1  # counted only: nothing of this row is written
                if pid:
                    result.private_ids.add(plan_key(pid))
                continue
            if flag is None:
                # empty or not recognised: not provably public, so nothing but the flag is recorded
                blank = is_blank(flag_value)
                report.reject(
                    rownum,
                    None,
                    str(table.header[hm.openbaar]).strip(),
                    Problem(
                        "openbaar",
                        None if blank else as_text(flag_value),
                        FOUT,
                        "openbaar_leeg" if blank else "onbekende_openbaarheid",
                        "Openbaar is leeg; rij niet geladen"
                        if blank
                        else "waarde van Openbaar niet herkend (ja/nee); rij niet geladen",
                    ),
                )
                if pid:
                    result.private_ids.add(plan_key(pid))
                continue
        raw = {col: (cells[i] if i < len(cells) else None) for col, i in hm.columns.items()}
        raw.update(constant)
        if extra and rownum in extra:
            raw.update(extra[rownum])
        assert context.names is not None  # the pipeline builds every plans context with the names
        values, problems = validate_plan(raw, mapping, context.gemeenten, context.names)
        surplus = [c for c in cells[len(table.header) :] if not is_blank(c)]
        if surplus:  # cells without a header are not read, and that is said
            problems.append(
                Problem(
                    "rij",
                    (as_text(surplus[0]) or "")[:80],
                    WAARSCHUWING,
                    "extra_cellen",
                    f"{len(surplus)} cel(len) na de laatste kolom; niet gelezen",
                )
            )
        if rownum in table.row_notes:  # how the row was read when that was not plain (a line not in UTF-8)
            problems.append(Problem("tekst", None, WAARSCHUWING, "codering_per_rij", table.row_notes[rownum]))
        plan_id = values["plan_id"] = clean_id(values["plan_id"]) if values["plan_id"] is not None else None
        if plan_id is not None:
            key = plan_key(plan_id)
            if key in seen:
                problems.append(
                    Problem(
                        "plan_id",
                        plan_id,
                        FOUT,
                        "dubbel_plan_id",
                        f"Plan-ID komt al voor op rij {seen[key]}; alleen de eerste is geladen",
                    )
                )
            else:
                seen[key] = rownum
        for p in problems:
            if p.code in COUNTED:
                report.add_counted(
                    # a status label counts alike in any spelling; a bad date only as written (+2025-04-01
                    # and 2025‐04‐01 are two mistakes, though norm() makes them one)
                    (p.code, norm(p.value) if p.code == "onbekende_status" else as_text(p.value)),
                    rownum,
                    header_of.get(p.column, p.column),
                    p,
                    COUNTED[p.code],
                )
            else:
                report.add(rownum, plan_id, header_of.get(p.column, p.column), p)
        if any(p.severity == FOUT for p in problems):
            report.rejected += 1
            continue
        values["_rij"] = rownum
        pending.append(values)
        report.loaded += 1
    withhold_private_twins(pending, result.private_ids, report)
    # a release reports its projects' other peilmomenten itself, in its own words (woningbouwkaart.py)
    report.peildatum = file_peildatum(pending, fixed_peildatum, report, say_other_dates=fallback_peildatum is None)
    for values in pending:
        values["peildatum"] = report.peildatum
        result.rows.append(derive(values, netto_from_sloop="netto" not in hm.columns))
    return result


def withhold_private_twins(rows: list[dict], private_ids: set, report: SourceReport) -> None:
    """A Plan-ID that has a "nee" row anywhere in the file is not public, whatever its twin says."""
    withheld = [v for v in rows if plan_key(v["plan_id"]) in private_ids]
    rows[:] = [v for v in rows if plan_key(v["plan_id"]) not in private_ids]  # one pass, not a remove per twin
    for values in withheld:
        report.loaded -= 1
        report.reject(
            values["_rij"],
            None,
            "Plan-ID",
            Problem(
                "plan_id",
                None,
                FOUT,
                "dubbel_plan_id_niet_openbaar",
                "Plan-ID staat ook op een rij met Openbaar = nee; geen van beide is geladen",
            ),
        )
    for problem in report.problems:  # a non-public Plan-ID is not named in the problem log either
        for field in ("plan_id", "waarde"):
            if problem.get(field) and plan_key(str(problem[field])) in private_ids:
                problem[field] = None


def file_peildatum(rows: list[dict], fixed: str | None, report: SourceReport, say_other_dates: bool = True) -> str:
    """The one peildatum of a file (the manifest's, else the one most rows give); a row whose own valid
    date differs is reported and takes it
    (two dates in one export would split it in two releases and withdraw plans silently)."""
    # the date most rows give (the newest of equals): one typo does not move the whole file
    counts = Counter(v["peildatum"] for v in rows if v["peildatum"])
    chosen = fixed or (max(counts, key=lambda d: (counts[d], d)) if counts else None)
    if chosen is None:
        chosen = dt.date.today().isoformat()
        report.note(
            "Peildatum",
            WAARSCHUWING,
            "geen_peildatum",
            f"geen (geldige) peildatum in manifest of bestand; builddatum {chosen} gebruikt",
        )
    for v in rows if say_other_dates else ():
        if v["peildatum"] and v["peildatum"] != chosen:
            report.add_counted(
                ("afwijkende_peildatum", v["peildatum"]),
                v["_rij"],
                "Peildatum",
                Problem(
                    "peildatum",
                    v["peildatum"],
                    WAARSCHUWING,
                    "afwijkende_peildatum",
                    f"peildatum {v['peildatum']} wijkt af van die van het bestand ({chosen}); {chosen} gebruikt",
                ),
            )
    return chosen


def is_vector(source: Source) -> bool:
    return source.path.suffix.lower() in VECTOR_SUFFIXES


def vector_table(source: Source, report: SourceReport) -> tuple[Table, dict[int, areas.Area], list[tuple]]:
    """A city's vector file: its attributes as a table, each feature's outline as that row's area.
    An outline that cannot be used leaves the plan without an area (reported), never lost."""
    layers = read_layers(source.path, source.crs, source.options.get("layer"))
    counts = vertex_counts(source, layers)
    places = load_places()
    header: list[str] = []
    records: list[dict] = []
    outlines: dict[int, areas.Area] = {}
    rejected: list[tuple] = []
    for layer in layers:
        frame = layer.frame
        crs = CRS.from_user_input(frame.crs)
        for record, prepared in layer_features(frame, crs, counts[layer.name], places):
            row = len(records) + 1
            records.append(record)
            for name in record:
                if name not in header:
                    header.append(name)
            if isinstance(prepared, Rejection):
                rejected.append((row, prepared))
                continue
            cleaned, geom_rd, issue = prepared
            if issue is not None:
                rejected.append((row, issue))
            outlines[row] = areas.Area(report, [areas.Part(row, cleaned, geom_rd, crs, issue is not None)])
    rows = [(i, [r.get(h) for h in header]) for i, r in enumerate(records, start=1)]
    return (
        Table(source.path, [str(h) for h in header], rows, notes=[f"{len(layers)} laag/lagen, {len(rows)} objecten"]),
        outlines,
        rejected,
    )


def load(source: Source, context: Context) -> Load:
    """One plans source (CSV, XLSX or vector file) -> validated rows and its report."""
    report = new_report(source, "plannen")
    mapping = load_mapping(source.mapping)
    report.mapping = mapping.name
    result = Load(report)
    if is_vector(source):
        table, outlines, geometry_problems = vector_table(source, report)
        report.notes.extend(table.notes)
        rows_from_table(table, mapping, report, context, result, source.defaults)
        by_row = {row["_rij"]: row for row in result.rows}
        for rownum, problem in geometry_problems:
            if rownum in by_row:  # the outline of a rejected or non-public row is not reported again
                kept = not isinstance(problem, Rejection)
                report.add(
                    rownum,
                    by_row[rownum]["plan_id"],
                    "geometrie",
                    Problem(
                        "geometrie",
                        None,
                        WAARSCHUWING,
                        problem.code,
                        problem.message if kept else f"{problem.message}; plan geladen zonder plangebied",
                    ),
                )
        for rownum, area in outlines.items():
            if rownum in by_row:
                by_row[rownum]["_gebied"] = area
        return result
    table = read_table(source.path, mapping.score)
    report.notes.extend(table.notes)
    for sheet, (labels, rows) in table.unread_sheets.items():  # one sheet is read: the one that fits best
        flags = [i for i, h in enumerate(labels) if looks_like_flag(h) or norm(h) in mapping.openbaar_headers]
        # as in the sheet that is read: an unknown column of mostly yes and no counts as a flag too
        by_values = any(
            norm(h) not in mapping.aliases and mostly_yes_no(column_cells(rows, i)) for i, h in enumerate(labels)
        )
        if by_values or any(openbaar_flag(v, mapping) is not True for i in flags for v in column_cells(rows, i)):
            # a plan marked not public (or not plainly public) in another sheet: which plans may be
            # published cannot be read from the one sheet the build reads
            raise FatalInput(
                source.path,
                f"werkblad {sheet!r} heeft een publicatievlag die niet overal ja is (alleen {table.sheet!r} "
                "wordt gelezen); zet elk werkblad in een eigen bestand — er is niets gepubliceerd",
            )
        report.note(
            sheet,
            WAARSCHUWING,
            "werkblad_niet_gelezen",
            f"werkblad {sheet!r} heeft ook een kopregel met plankolommen maar is niet gelezen (alleen {table.sheet!r}); "
            "zet elk werkblad in een eigen bestand als het ook plannen bevat",
        )
    return rows_from_table(table, mapping, report, context, result, source.defaults)
