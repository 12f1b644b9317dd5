"""Build orchestration: sources -> a NEW database file -> atomic swap.

The published database is only ever replaced by os.replace() of a complete,
closed file in the same directory; any failure before that leaves it untouched.
"""
from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

import sqlite_utils

from . import downloads, history, limits, pool, reference, release_archive, summary
from . import geometry
from .errors import FatalInput
from .kinds import gemeenten as gemeenten_kind
from .kinds import plannen as plannen_kind
from .kinds import realisatie as realisatie_kind
from .kinds import woningbouwkaart as woningbouwkaart_kind
from .gemeente_namen import GemeenteNamen
from .manifest import PLAN_KINDS, Source, flag, read_limits, read_manifest
from .mapping import load_mapping
from .problems import SourceReport
from .schema import (BRONNEN_COLUMNS, DEFAULT_FACETS, FACET_COLUMNS, FTS_COLUMNS, GEMEENTE_COLUMNS,
                     HISTORY_COLUMNS, LMVW_GEMEENTE_COLUMNS, LMVW_WOONDEAL_COLUMNS, PLAN_COLUMNS,
                     PLANSTATUS_COLUMNS, PROBLEMEN_COLUMNS)
from .validate import FOUT, WAARSCHUWING, Problem, plan_key
from .write import create_table, insert, write_table

DEFAULT_GEMEENTEN = Path(__file__).resolve().parent.parent / "data" / "reference" / "gemeenten.csv"
DB_NAME_IN_URLS = "woningbouwplannen"


class Progress:
    """One line per step on stderr, with its duration: long steps are visible."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)


def load_plans(source: Source, context: plannen_kind.Context) -> plannen_kind.PlanLoad:
    """Every source of plans has this one call shape; the kind decides how its files are read."""
    kind = woningbouwkaart_kind if source.kind == "woningbouwkaart" else plannen_kind
    load = kind.load(source, context)
    load.source = source
    return load


def load_sources(sources: list[Source], progress: Progress):
    """Read and validate every source. Returns (reports, gemeenten, plan loads)."""
    reports: list[SourceReport] = []
    next_id = iter(range(1, 10**6))
    ref = [s for s in sources if s.kind == "gemeenten"] or [Source("gemeenten", DEFAULT_GEMEENTEN, mapping="gemeenten")]
    gemeenten = {}
    for source in ref:
        report = SourceReport(next(next_id), source.path, "gemeenten", source.mapping, source.sample, source.peildatum)
        gemeenten.update(gemeenten_kind.load(report))
        reports.append(report)
        progress(f"{source.path.name}: {report.loaded} gemeenten")
    context = plannen_kind.Context(gemeenten, GemeenteNamen.build(gemeenten))
    plan_sources = [s for s in sources if s.kind in PLAN_KINDS]
    loads = []
    # big sources are read and validated side by side (ingest/pool.py) and taken in manifest order
    with pool.in_order(load_plans, [(s, context) for s in plan_sources],
                       pool.workers_for_files(s.path for s in plan_sources)) as results:
        for load in results:
            for report in load.reports:  # numbered here, in manifest order, whichever worker read them
                report.id = next(next_id)
                reports.append(report)
            loads.append(load)
            report = load.report
            progress(f"{report.name}: {report.read} rijen gelezen, {report.loaded} geladen, "
                     f"{report.rejected} afgewezen, {report.not_public} niet openbaar")
    return reports, gemeenten, loads, next_id


def refuse_empty(load) -> None:
    """An export without a single loadable plan would publish an empty portal over the old one: that is
    fatal unless the manifest says it is intended (leeg_toegestaan: ja)."""
    report, source = load.report, load.source
    if report.loaded or source.options.get("vervangen_door") or flag(source.options.get("leeg_toegestaan")):
        return
    raise FatalInput(report.path, f"bevat geen enkel laadbaar plan ({report.read} rijen gelezen, {report.rejected} "
                                  f"afgewezen, {report.not_public} niet openbaar); er is niets gepubliceerd. Is dat "
                                  "de bedoeling, zet dan leeg_toegestaan: ja bij deze bron in het manifest")


def combine(loads, declared: dict | None = None) -> tuple[list[dict], list[dict]]:
    """History (one row per plan per peildatum) and the newest state per plan.

    A Plan-ID is the same plan whatever its case, Unicode form or invisible characters
    (plannen_kind.plan_key); it is published as the newest source spells it."""
    spelling: dict[str, str] = {}
    for load in sorted(loads, key=lambda ld: ld.report.peildatum or "", reverse=True):
        for row in load.rows:
            spelling.setdefault(plan_key(row["plan_id"]), row["plan_id"])
    historie: dict[tuple[str, str], dict] = {}
    for load in loads:
        for row in load.rows:
            row["plan_id"] = spelling[plan_key(row["plan_id"])]
            key = (row["plan_id"], row["peildatum"])
            if key in historie:
                # same plan twice in one peildatum across files: the first file wins
                load.report.add(row["_rij"], row["plan_id"], "Plan-ID",
                                Problem("plan_id", row["plan_id"], FOUT, "dubbel_plan_id",
                                        f"Plan-ID staat al in {historie[key]['bron']} met dezelfde peildatum"))
                load.report.loaded -= 1
                load.report.rejected += 1
                continue
            row["bron"] = load.report.name
            historie[key] = row
    rows = sorted(historie.values(), key=lambda r: (r["plan_id"], r["peildatum"]))
    current = history.current_plans(rows, declared)
    keep_older_areas(rows, current)
    return rows, current


def keep_older_areas(rows: list[dict], current: list[dict]) -> None:
    """A release's TopoJSON and its points are refreshed out of step: a plan whose newest release has no
    area keeps the newest area an older release gave it, with a warning that says from where."""
    newest: dict[str, dict] = {}
    for row in rows:  # sorted by plan and peildatum: the last one seen is the newest
        if row.get("_gebied") is not None:
            newest[row["plan_id"]] = row
    for row in current:
        older = newest.get(row["plan_id"])
        if row.get("_gebied") is None and older is not None and older["peildatum"] < row["peildatum"]:
            area = row["_gebied"] = older["_gebied"]
            area.report.add(area.parts[0].row, row["plan_id"], "geometrie", Problem(
                "geometrie", row["plan_id"], WAARSCHUWING, "vlak_uit_oudere_release",
                f"de nieuwste bron ({row['bron']}) heeft geen vlak voor dit plan; het vlak van {older['peildatum']} "
                "is gebruikt"))


def write_database(path: Path, sources, reports, loads, gemeenten, historie, current, changes, progress: Progress,
                   realisatie: list[dict] | None = None, geo: geometry.GeoData | None = None) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            create_table(conn, "plannen", PLAN_COLUMNS, pk="plan_id",
                         extra=",\n  FOREIGN KEY (doorbraaklocatie) REFERENCES doorbraaklocaties(naam)")
            for row in current:
                g = gemeenten.get(row["gemeentecode"])
                if row.get("punt_bron") == "plangebied":
                    pass  # a point inside the plan area (ingest/geometry)
                elif row.get("latitude") is not None:
                    row["punt_bron"] = "export"
                elif g and g.latitude is not None:
                    row["latitude"], row["longitude"], row["punt_bron"] = g.latitude, g.longitude, "gemeente"
                else:
                    row["punt_bron"] = None
            insert(conn, "plannen", PLAN_COLUMNS, current)
            progress(f"plannen: {len(current)} rijen geschreven")
            create_table(conn, "plan_historie", HISTORY_COLUMNS, extra=",\n  PRIMARY KEY (plan_id, peildatum)")
            insert(conn, "plan_historie", HISTORY_COLUMNS, historie)
            history.write_changes(conn, changes)
            create_table(conn, "gemeenten", GEMEENTE_COLUMNS, pk="gemeentecode")
            insert(conn, "gemeenten", GEMEENTE_COLUMNS, (
                {"gemeentecode": g.code, "gemeentenaam": g.naam, "provincie": g.provincie,
                 "latitude": g.latitude, "longitude": g.longitude} for g in gemeenten.values()))
            create_table(conn, "planstatus_mapping", PLANSTATUS_COLUMNS)
            for name in {s.mapping for s in sources if s.kind in PLAN_KINDS}:
                mapping = load_mapping(name)
                labels = mapping.raw.get("planstatus") or {}
                insert(conn, "planstatus_mapping", PLANSTATUS_COLUMNS, (
                    {"label": label, "planstatus": v[0], "hardheid": v[1], "mapping": mapping.name}
                    for label, v in labels.items()))
            create_table(conn, "bronnen", BRONNEN_COLUMNS, pk="id")
            insert(conn, "bronnen", BRONNEN_COLUMNS, (r.bron_row() for r in reports))
            create_table(conn, "ingest_problemen", PROBLEMEN_COLUMNS, pk="id")
            problems = []
            for r in reports:
                for p in r.problems:
                    p["bron_id"] = r.id  # reports are numbered after their workers filled them
                    problems.append(p)
            for i, p in enumerate(problems, start=1):
                p["id"] = i
            insert(conn, "ingest_problemen", PROBLEMEN_COLUMNS, problems)
            reference.write(conn, realisatie)
            # the release's own totals, as published (one row per area per peildatum)
            for table, columns, key in (("lmvw_gemeenten", LMVW_GEMEENTE_COLUMNS, ("gemeentecode", "peildatum")),
                                        ("lmvw_woondealregios", LMVW_WOONDEAL_COLUMNS, ("woondealregio", "peildatum"))):
                rows = {}  # two releases of one peildatum: the first in the manifest wins, as for plans
                for ld in loads:
                    for r in ld.tables.get(table, ()):
                        rows.setdefault(tuple(r[k] for k in key), r)
                write_table(conn, table, columns, rows.values(), extra=f",\n  PRIMARY KEY ({', '.join(key)})")
            geometry.write(conn, geo or geometry.GeoData())
            progress(f"{summary.TABLE}: {summary.write(conn)} gebieden")
        db = sqlite_utils.Database(conn)
        for column in FACET_COLUMNS:
            # A default facet's index carries the other default facets, the default sort and the key: the
            # facets and counts of a page filtered on those columns, and of a paged JSON or CSV request
            # (plugins/stable_sort_paging.py), then read the index alone instead of every wide row.
            # Every other filter column carries the default sort (a municipality page's plans by size).
            others = [c for c in DEFAULT_FACETS if c != column] if column in DEFAULT_FACETS else []
            db["plannen"].create_index([column, *others, "woningen", "plan_id"],
                                       index_name=f"idx_plannen_{column}", if_not_exists=True)
        # the default sort with its tie-breaker, in the direction Datasette pages it
        conn.execute("create index idx_plannen_woningen on plannen (woningen desc, plan_id)")
        # municipality pages: the status table from the index alone
        db["plannen"].create_index(["gemeentecode", "planstatus", "hardheid", "woningen"], if_not_exists=True)
        # the map data of the part of the country in view (plugins/map_data.py, bbox): a range of latitudes
        db["plannen"].create_index(["latitude", "longitude"], if_not_exists=True)
        db["plan_historie"].create_index(["peildatum"], if_not_exists=True)
        db["ingest_problemen"].create_index(["bron_id"], if_not_exists=True)
        db["ingest_problemen"].create_index(["ernst"], if_not_exists=True)
        progress("indexen gemaakt")
        db["plannen"].enable_fts(list(FTS_COLUMNS), fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
        progress("zoekindex (FTS5) gemaakt")
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()


def build(manifest: Path, db_path: Path, quiet: bool = False) -> dict:
    """Build the database from a manifest. Raises FatalInput; never touches db_path on failure."""
    progress = Progress(quiet)
    sources = read_manifest(manifest)
    with limits.use(read_limits(manifest)):
        return _build(manifest, sources, db_path, progress)


def _build(manifest: Path, sources: list[Source], db_path: Path, progress: Progress) -> dict:
    reports, gemeenten, loads, next_id = load_sources(sources, progress)
    if not loads:
        raise FatalInput(manifest, "manifest bevat geen bron van soort 'plannen' of 'woningbouwkaart'")
    for load in loads:
        refuse_empty(load)
    realisatie = realisatie_kind.load_all(sources, gemeenten, next_id, reports, progress)
    # each export's dekking, when the manifest names it, by the name its rows carry (bron)
    by_path = history.declared_scopes(sources)
    declared = {load.report.name: by_path[load.source.path] for load in loads if load.source.path in by_path}
    historie, current = combine(loads, declared)
    changes = history.changes(historie, current, declared)
    # ids non-public in some export; a plan whose current state is public keeps its area
    private = set().union(*(load.private_ids for load in loads)) - {plan_key(r["plan_id"]) for r in current}
    geo = geometry.run(sources, current, gemeenten, reports, next_id, progress, private)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in db_path.parent.glob(f".{db_path.name}.tmp-*"):
        stale.unlink(missing_ok=True)  # left by a killed build
    tmp = db_path.parent / f".{db_path.name}.tmp-{os.getpid()}"
    try:
        write_database(tmp, sources, reports, loads, gemeenten, historie, current, changes, progress, realisatie, geo=geo)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        # every download (GeoJSON, CSV, JSON, XLSX, index, datapackage) from the finished file, then both swaps
        staged = downloads.stage(tmp, db_path, lambda d: geometry.write_downloads(db_path, current, geo, PLAN_COLUMNS, d))
        # pinned under its peildatum before anything is published, so a failure here publishes nothing
        pinned = pin_releases(staged, db_path, progress)
        os.replace(tmp, db_path)
        downloads.publish(staged, db_path)
        dir_fd = os.open(db_path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    finally:
        tmp.unlink(missing_ok=True)
    progress(f"klaar: {db_path}")
    return {
        "plannen": len(current),
        "historie": len(historie),
        "afgewezen": sum(r.rejected for r in reports),
        "niet_openbaar": sum(r.not_public for r in reports),
        "problemen": sum(len(r.problems) for r in reports),
        "archief": {"peildatum": pinned.peildatum, "status": pinned.status},
    }


def pin_releases(staged: Path, db_path: Path, progress: Progress) -> release_archive.Outcome:
    """Archive the set published until now (one from before the archive existed) and the new one, each
    under its peildatum (ingest/release_archive.py); returns the new set's outcome."""
    published = db_path.parent / downloads.DOWNLOADS_DIR
    release_archive.archive(published, published)
    outcome = release_archive.archive(staged, published)
    where = f"{release_archive.URL_PREFIX}/{outcome.peildatum}/"
    if outcome.status == "archived":
        progress(f"archief: downloads van peildatum {outcome.peildatum} vastgelegd onder {where}")
    elif outcome.status == "already":
        progress(f"archief: peildatum {outcome.peildatum} stond er al, met dezelfde gegevens")
    elif outcome.status == "differs":
        # the first publication stays citable; the operator hears that this one differs from it
        print(f"WAARSCHUWING: peildatum {outcome.peildatum} staat al in het archief ({where}) met andere gegevens; "
              "die eerste publicatie blijft ongewijzigd, de nieuwe bestanden staan alleen onder /downloads/",
              file=sys.stderr, flush=True)
    else:
        print(f"WAARSCHUWING: downloads niet gearchiveerd ({outcome.reason})", file=sys.stderr, flush=True)
    return outcome
