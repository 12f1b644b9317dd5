"""The public LMVW release (kind: woningbouwkaart): one folder with the files behind the Nationale
Woningbouwkaart -> plan rows with their areas, and the release's own aggregates.

- project2.json.gz (required): a point per project with every attribute, mapped through
  ingest/mappings/woningbouwkaart.yml and validated as any plans table (kinds/plannen.py);
- project_shape_topo.json.gz: the project areas, read with GDAL's TopoJSON driver, joined on
  project_id within the release; each becomes the area of its project;
- gemeente.json.gz / woondeal.json.gz: the release's totals per municipality and woondeal region,
  published as they are (lmvw_gemeenten, lmvw_woondealregios); the municipality file also names
  the code of each municipality name the projects use, and its woondeal region.

Every file is a row of `bronnen` (its sha256 is the one the host served); every project, polygon
and aggregate row is loaded or reported.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict, deque
from pathlib import Path

import numpy as np
import pyogrio
import shapely

from .. import limits, release_files
from ..errors import FatalInput
from ..geometry import areas, shapes
from ..geometry.features import Rejection, key_text, prepare
from ..manifest import Source
from ..mapping import load_mapping
from ..problems import INFO, SourceReport
from ..read import Table
from ..validate import (
    FOUT,
    WAARSCHUWING,
    Invalid,
    Problem,
    as_text,
    is_blank,
    normalise_gemeentecode,
    parse_peilmoment,
    parse_whole,
    plan_key,
)
from . import Context, Load
from .plannen import rows_from_table

KIND = "woningbouwkaart"


def fetch_record(folder: Path) -> dict[str, dict]:
    """file name -> what `ingest fetch` recorded of it (URL, time); {} for a folder copied by hand."""
    path = folder / release_files.FETCH_RECORD
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {f["bestand"]: f for f in doc.get("bestanden", []) if isinstance(f, dict) and f.get("bestand")} | {
            "": {"peildatum": doc.get("peildatum"), "opgehaald_op": doc.get("opgehaald_op")}
        }
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def _number(value, report: SourceReport, row: int, column: str) -> int | None:
    if is_blank(value):
        return None
    try:
        return parse_whole(value)
    except Invalid as exc:
        report.add(
            row,
            None,
            column,
            Problem(column.lower(), as_text(value), WAARSCHUWING, "ongeldig_cijfer", f"{exc}; cijfer niet overgenomen"),
        )
        return None


def _peildatum(value, seasons, fallback: str | None) -> str | None:
    try:
        return parse_peilmoment(value, seasons).isoformat() if not is_blank(value) else fallback
    except Invalid:
        return fallback


def release_peildatum(features: list, seasons: dict, source: Source, record: dict) -> tuple[str | None, Counter]:
    """The manifest's peildatum, else the most common peilmoment of the projects, else the one the
    fetch recorded; with the count of each peilmoment the projects give."""
    seen: Counter[str | None] = Counter()
    for f in features:
        props = f.get("properties") if isinstance(f, dict) else None
        if isinstance(props, dict):
            seen[_peildatum(props.get("peilmoment"), seasons, None)] += 1
    if source.peildatum:
        return source.peildatum, seen
    readable = [(n, p) for p, n in seen.items() if p]
    if readable:
        return max(readable)[1], seen
    fetched = record.get("", {})
    return fetched.get("peildatum") or (fetched.get("opgehaald_op") or "")[:10] or None, seen


def project_table(path: Path, features: list) -> tuple[Table, dict[int, dict]]:
    """The projects as a table (absent properties are empty cells, never 0) and each one's point."""
    header: dict[str, None] = {}
    for f in features:
        if isinstance(f, dict) and isinstance(f.get("properties"), dict):
            header.update(dict.fromkeys(f["properties"]))
    names = list(header)
    rows, points = [], {}
    for i, f in enumerate(features, start=1):
        props = f.get("properties") if isinstance(f, dict) else None
        props = props if isinstance(props, dict) else {}
        rows.append((i, [props.get(h) for h in names]))
        geometry = f.get("geometry") if isinstance(f, dict) else None
        coords = geometry.get("coordinates") if isinstance(geometry, dict) and geometry.get("type") == "Point" else None
        if isinstance(coords, list) and len(coords) >= 2:
            points[i] = {"longitude": coords[0], "latitude": coords[1]}
    return Table(path, names, rows, notes=[f"{len(features)} projecten"]), points


def aggregates(
    role: str, path: Path, report: SourceReport, seasons: dict, peildatum: str | None, context: Context
) -> list[dict]:
    """The rows of gemeente.json.gz or woondeal.json.gz, as published; unusable rows reported."""
    doc, _ = release_files.read(role, path)
    out = []
    seen: dict[tuple, int] = {}
    rows = release_files.records(doc)
    assert rows is not None  # read() refuses a file without them

    def rejected(i: int, header: str, column: str, value, code: str, message: str) -> None:
        report.reject(i, None, header, Problem(column, value, FOUT, code, message))

    def repeated(key: tuple, i: int, header: str, column: str) -> bool:
        """Whether this (region or code, peildatum) was on an earlier row (then this row is reported)."""
        if key in seen:
            rejected(i, header, column, key[0], "dubbele_rij", f"staat al op rij {seen[key]}; alleen de eerste geladen")
            return True
        seen[key] = i
        return False

    for i, rec in enumerate(rows, start=1):
        report.read += 1
        row = {
            "_rij": i,
            "peildatum": _peildatum(rec.get("peilmoment"), seasons, peildatum),
            "bron": report.name,
            **{
                c: _number(rec.get(k), report, i, k)
                for c, k in (("netto", "Netto"), ("hard", "Hard totaal"), ("zacht", "Zacht totaal"))
            },
        }
        region = as_text(rec.get("woondeal_regio"))
        if role == "woondealregios":
            if region is None:
                rejected(
                    i,
                    "woondeal_regio",
                    "woondealregio",
                    None,
                    "verplicht",
                    "woondeal_regio ontbreekt; rij niet geladen",
                )
                continue
            if repeated((region, row["peildatum"]), i, "woondeal_regio", "woondealregio"):
                continue
            out.append({**row, "woondealregio": region})
            report.loaded += 1
            continue
        name = as_text(rec.get("gemeente_naam"))
        code = None
        if not is_blank(rec.get("gemeente_code")):
            try:
                code = normalise_gemeentecode(rec.get("gemeente_code"))
            except Invalid as exc:
                report.add(
                    i,
                    None,
                    "gemeente_code",
                    Problem(
                        "gemeentecode",
                        as_text(rec.get("gemeente_code")),
                        WAARSCHUWING,
                        "ongeldige_gemeentecode",
                        str(exc),
                    ),
                )
        if code is None and name:
            assert context.names is not None  # the pipeline builds every plans context with the names
            found, _ = context.names.resolve(name)
            code = found.code if found else None
        if code is None:
            rejected(
                i,
                "gemeente_naam",
                "gemeente",
                name,
                "gemeente_onbekend",
                "gemeente zonder (herkenbare) code; rij niet geladen",
            )
            continue
        if repeated((code, row["peildatum"]), i, "gemeente_code", "gemeentecode"):
            continue
        if code not in context.gemeenten:
            report.add(
                i,
                None,
                "gemeente_code",
                Problem(
                    "gemeentecode",
                    code,
                    WAARSCHUWING,
                    "gemeente_niet_in_2025",
                    f"{code} staat niet in de CBS-gemeentelijst; rij wel gepubliceerd",
                ),
            )
        out.append(
            {
                **row,
                "gemeentecode": code,
                "gemeente": name,
                "provincie": as_text(rec.get("provincie_naam")),
                "woondealregio": region,
            }
        )
        report.loaded += 1
    return out


def compare_totals(rows: list[dict], official: list[dict], report: SourceReport, peildatum: str | None) -> None:
    """Where the release's netto for a municipality differs from the sum of its projects: both figures."""
    ours: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.get("gemeentecode"):
            ours[r["gemeentecode"]] += r.get("netto") or 0
    for g in official:
        if g["netto"] is None or g["peildatum"] != peildatum:
            continue
        mine = ours.get(g["gemeentecode"], 0)
        if mine != g["netto"]:
            report.add(
                g["_rij"],
                None,
                "Netto",
                Problem(
                    "netto",
                    str(g["netto"]),
                    WAARSCHUWING,
                    "totaal_wijkt_af",
                    f"{g['gemeentecode']} {g['gemeente'] or ''}: netto volgens de release {g['netto']}, som van de "
                    f"projecten {mine} (verschil {g['netto'] - mine})",
                ),
            )


def topo_areas(path: Path, report: SourceReport, result: Load, private: set[str]) -> None:
    """Attach each polygon of the TopoJSON to its project of the same release (row `_gebied`)."""
    doc, raw = release_files.read("vlakken", path)
    name = release_files.topology_object(doc)
    entries = doc["objects"][name].get("geometries") or []
    if name != "data":  # the release calls it data; another name is used, and said
        report.note(
            name,
            WAARSCHUWING,
            "topojson_object",
            f"TopoJSON heeft geen object 'data'; het enige object {name!r} gebruikt",
        )
    if not entries:
        report.note(
            name,
            WAARSCHUWING,
            "geen_vlakken",
            "TopoJSON bevat geen enkel vlak: de projecten van deze release hebben geen eigen plangebied",
        )
    try:
        frame = pyogrio.read_dataframe(raw, layer=name)  # GDAL's TopoJSON driver, from memory
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise FatalInput(path, f"TopoJSON kan niet gelezen worden ({str(exc).splitlines()[0][:200]})")
    # GDAL leaves out geometries of type null: match its rows to the JSON's by project_id, in order
    by_pid: dict[str, deque] = defaultdict(deque)
    if "project_id" in frame.columns:
        for pid, geom in zip(frame["project_id"].tolist(), frame.geometry.values):
            by_pid[key_text(pid) or ""].append(geom)
    limit = limits.current()
    counts = shapely.get_num_coordinates(np.asarray(frame.geometry.values))
    if int(counts.sum()) > limit.max_vertices_file:
        raise FatalInput(
            path,
            f"bestand heeft {limits.dutch(int(counts.sum()))} hoekpunten (limiet "
            f"{limit.describe('max_vertices_file')}); niet geladen",
        )
    limits.check_row_count(path, len(entries), limit)
    places = shapes.places()
    plans = {plan_key(r["plan_id"]): r for r in result.rows}

    def reject(row, pid, severity, code, message):
        report.reject(row, pid, "geometrie", Problem("geometrie", pid, severity, code, message))

    for row, entry in enumerate(entries, start=1):
        report.read += 1
        props = entry.get("properties") if isinstance(entry, dict) else None
        pid = key_text((props or {}).get("project_id"))
        if pid is None:
            reject(row, None, FOUT, "sleutel_ontbreekt", "project_id ontbreekt; vlak niet geladen")
            continue
        if plan_key(pid) in private:
            report.not_public += 1
            continue
        geom_type = entry.get("type") if isinstance(entry, dict) else None
        queue = by_pid.get(pid)
        if geom_type is None or not queue:
            reject(row, pid, WAARSCHUWING, "geen_geometrie", "geometrie is null of niet leesbaar; project zonder vlak")
            continue
        geom = queue.popleft()
        plan = plans.get(plan_key(pid))
        if plan is None:
            reject(
                row,
                pid,
                FOUT,
                "onbekend_plan_id",
                f"project_id staat niet (geldig) in {result.report.path.name} van deze release; vlak niet geladen",
            )
            continue
        prepared = prepare(
            geom, shapes.WGS84, int(shapely.get_num_coordinates(geom)) if geom is not None else 0, places, limit
        )
        if isinstance(prepared, Rejection):
            reject(row, pid, prepared.severity, prepared.code, prepared.message)
            continue
        cleaned, geom_rd, issue = prepared
        if issue is not None:
            report.add(row, pid, "geometrie", Problem("geometrie", pid, issue.severity, issue.code, issue.message))
        area = plan.setdefault("_gebied", areas.Area(report))
        area.parts.append(areas.Part(row, cleaned, geom_rd, shapes.WGS84, issue is not None))
        report.loaded += 1


def load(source: Source, context: Context) -> Load:
    config = release_files.load_config()
    files = release_files.find_files(source.path, config)
    fetched = fetch_record(source.path)
    mapping = load_mapping(source.mapping)
    seasons = mapping.raw.get("peilmoment") or {}

    def report_for(role: str, kind: str) -> SourceReport:
        path = files[role]
        report = SourceReport(0, path, kind, mapping.name, source.sample, label=f"{source.path.name}/{path.name}")
        report.herkomst = fetched.get(path.name, {}).get("url")
        report.opgehaald_op = fetched.get(path.name, {}).get("opgehaald_op")
        return report

    main = report_for("projecten", KIND)
    result = Load(main)
    if source.options.get("vervangen_door"):
        # fetched again later with the same peildatum: that folder is this date's release
        main.notes.append(
            f"niet geladen: vervangen door {source.options['vervangen_door']}/, later opgehaald met dezelfde peildatum"
        )
        return result
    doc, _ = release_files.read("projecten", files["projecten"])
    peildatum, seen = release_peildatum(doc["features"], seasons, source, fetched)
    main.peildatum = peildatum
    official: list[dict] = []
    if "gemeenten" in files:
        report = report_for("gemeenten", f"{KIND}_gemeenten")
        report.peildatum = peildatum
        result.extra_reports.append(report)
        official = aggregates("gemeenten", files["gemeenten"], report, seasons, peildatum, context)
    pairs = {g["gemeente"]: g["gemeentecode"] for g in official if g["gemeente"]}
    regions = {
        g["gemeentecode"]: g["woondealregio"] for g in official if g["woondealregio"] and g["peildatum"] == peildatum
    }
    table, points = project_table(files["projecten"], doc["features"])
    del doc
    assert context.names is not None  # the pipeline builds every plans context with the names
    rows_from_table(
        table,
        mapping,
        main,
        Context(context.gemeenten, context.names.with_pairs(pairs)),
        result,
        source.defaults,
        points,
        fallback_peildatum=peildatum,
    )
    for row in result.rows:  # the point then comes from the area or the municipality (punt_bron says which)
        if row["_rij"] not in points:
            main.add_counted(
                ("geen_punt",),
                row["_rij"],
                "geometry",
                Problem(
                    "punt",
                    None,
                    INFO,
                    "geen_punt",
                    "project zonder punt in de release; punt van plangebied of gemeente",
                ),
                "projecten",
            )
    others = {p or "onleesbaar": n for p, n in seen.items() if p != peildatum}
    if others:
        listed = ", ".join(f"{p}: {n}" for p, n in sorted(others.items()))
        main.note(
            "peilmoment",
            INFO,
            "peilmoment_wijkt_af",
            f"{sum(others.values())} projecten met een ander of onleesbaar peilmoment ({listed}); "
            f"peildatum van de release ({peildatum}) gebruikt",
        )
    for row in result.rows:
        row["peildatum"] = peildatum or row["peildatum"]  # one release, one peildatum: the history's step
        if not row.get("woondealregio") and row.get("gemeentecode") in regions:
            row["woondealregio"] = regions[row["gemeentecode"]]
    main.peildatum = peildatum or main.peildatum
    if official:
        compare_totals(result.rows, official, result.extra_reports[0], main.peildatum)
    result.tables["lmvw_gemeenten"] = official
    if "vlakken" in files:
        report = report_for("vlakken", f"{KIND}_vlakken")
        report.peildatum = main.peildatum
        result.extra_reports.insert(0, report)
        topo_areas(files["vlakken"], report, result, result.private_ids)
    result.tables["lmvw_woondealregios"] = []
    if "woondealregios" in files:
        report = report_for("woondealregios", f"{KIND}_woondealregios")
        report.peildatum = main.peildatum
        result.extra_reports.append(report)
        result.tables["lmvw_woondealregios"] = aggregates(
            "woondealregios", files["woondealregios"], report, seasons, main.peildatum, context
        )
    return result
