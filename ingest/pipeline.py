"""The build, step by step: manifest -> a NEW database file and its downloads -> atomic swap.

    read      every source file, by its kind (ingest/kinds/: load(source, context) -> Load)
    validate  each plan row against the municipalities, inside its kind (ingest/validate.py)
    history   one row per plan per peildatum, the newest state per plan, what changed (ingest/history.py)
    areas     each plan's outline: from its own file, an older release or a plan-area source
    sites     the doorbraaklocaties, their outlines, and the plans that name them
    points    every plan a point: its area's, its export's or its municipality's
    write     every table into a temporary file (ingest/database.py)
    publish   downloads from that file, pinned under the peildatum, then both swaps (ingest/publish.py)

run() below is that list, in that order; each step is one function after it. A plan row is
made by its kind, and from then on changed only here (and by the geometry library's
areas.place, which the areas step calls) until the write step stores it as it is.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from . import geojson, history, limits, pool, publish
from .database import Contents
from .database import write as write_database
from .errors import FatalInput
from .gemeente_namen import GemeenteNamen
from .geometry import areas, shapes
from .kinds import Context, Load, doorbraaklocaties, gemeenten, plangebieden, plannen, realisatie, woningbouwkaart
from .manifest import PLAN_KINDS, Source, flag, read_limits, read_manifest
from .mapping import norm
from .problems import SourceReport
from .schema import PLAN_COLUMNS
from .validate import WAARSCHUWING, Problem, plan_key

PLAN_SOURCE_KINDS = {"plannen": plannen, "woningbouwkaart": woningbouwkaart}  # each gives one peildatum


class Progress:
    """One line per step on stderr, with its duration: long steps are visible."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self.t0 = time.perf_counter()

    def __call__(self, message: str) -> None:
        if not self.quiet:
            print(f"[{time.perf_counter() - self.t0:6.1f}s] {message}", file=sys.stderr, flush=True)


class Reports(list):
    """Every file's report, numbered in the order it joins: its id is its row of `bronnen`."""

    def take(self, load: Load) -> Load:
        for report in load.reports:  # numbered here, in manifest order, whichever worker read them
            report.id = len(self) + 1
            self.append(report)
        return load


def build(manifest: Path, db_path: Path, quiet: bool = False) -> dict:
    """Build the database from a manifest. Raises FatalInput; never touches db_path on failure."""
    progress = Progress(quiet)
    publish.check_target(db_path)
    sources = read_manifest(manifest)
    with limits.use(read_limits(manifest)):
        return run(manifest, sources, db_path, progress)


def run(manifest: Path, sources: list[Source], db_path: Path, progress: Progress) -> dict:
    reports = Reports()
    # read + validate: the municipalities first, every plan row is checked against them
    context = read_gemeenten(sources, reports, progress)
    loads = read_plans(sources, context, reports, progress)
    if not loads:
        raise FatalInput(manifest, "manifest bevat geen bron van soort 'plannen' of 'woningbouwkaart'")
    for load in loads:
        refuse_empty(load)
    realisatie_rows = read_realisatie(sources, context, reports, progress)
    # history
    historie, current, changes = combine_history(sources, loads)
    # ids non-public in some export; a plan whose current state is public keeps its area
    private = frozenset(set().union(*(load.private_ids for load in loads)) - {plan_key(r["plan_id"]) for r in current})
    context = replace(context, plans={row["plan_id"]: row for row in current}, private_ids=private)
    # areas, sites, points
    plangebieden_rows = place_areas(sources, historie, current, context, reports, progress)
    sites = read_sites(sources, context, reports, progress)
    link_sites(current, sites, reports)
    set_points(current, context.gemeenten)
    # write
    contents = Contents(
        sources,
        reports,
        context.gemeenten,
        loads,
        realisatie_rows,
        historie,
        current,
        changes,
        plangebieden_rows,
        list(sites.values()),
    )
    tmp = publish.temporary(db_path)
    try:
        write_database(tmp, contents, progress)
        # publish
        pinned = publish.publish(
            tmp, db_path, lambda d: geojson.write(d, current, plangebieden_rows, contents.sites, PLAN_COLUMNS), progress
        )
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


# --- read + validate -------------------------------------------------------------------------------


def read_gemeenten(sources: list[Source], reports: Reports, progress) -> Context:
    """The municipality list(s) of the manifest, else the one shipped: the context every plan is read in."""
    by_code = {}
    for source in [s for s in sources if s.kind == "gemeenten"] or [gemeenten.REFERENCE]:
        load = reports.take(gemeenten.load(source, Context()))
        by_code.update({g.code: g for g in load.rows})
        progress(f"{source.path.name}: {load.report.loaded} gemeenten")
    return Context(by_code, GemeenteNamen.build(by_code))


def load_plans(source: Source, context: Context) -> Load:
    """One plans source, whichever kind (run in a worker process for big sources)."""
    load = PLAN_SOURCE_KINDS[source.kind].load(source, context)
    load.source = source
    return load


def read_plans(sources: list[Source], context: Context, reports: Reports, progress) -> list[Load]:
    plan_sources = [s for s in sources if s.kind in PLAN_KINDS]
    loads = []
    # big sources are read and validated side by side (ingest/pool.py) and taken in manifest order
    with pool.in_order(
        load_plans, [(s, context) for s in plan_sources], pool.workers_for_files(s.path for s in plan_sources)
    ) as results:
        for load in results:
            loads.append(reports.take(load))
            report = load.report
            progress(
                f"{report.name}: {report.read} rijen gelezen, {report.loaded} geladen, "
                f"{report.rejected} afgewezen, {report.not_public} niet openbaar"
            )
    return loads


def refuse_empty(load: Load) -> None:
    """An export without a single loadable plan would publish an empty portal over the old one: that is
    fatal unless the manifest says it is intended (leeg_toegestaan: ja)."""
    report, source = load.report, load.source
    assert source is not None  # load_plans() sets it
    if report.loaded or source.options.get("vervangen_door") or flag(source.options.get("leeg_toegestaan")):
        return
    raise FatalInput(
        report.path,
        f"bevat geen enkel laadbaar plan ({report.read} rijen gelezen, {report.rejected} "
        f"afgewezen, {report.not_public} niet openbaar); er is niets gepubliceerd. Is dat "
        "de bedoeling, zet dan leeg_toegestaan: ja bij deze bron in het manifest",
    )


def read_realisatie(sources: list[Source], context: Context, reports: Reports, progress) -> list[dict]:
    """Every `realisatie` source (CBS StatLine); a row names its file's row of bronnen."""
    rows: list[dict] = []
    for source in (s for s in sources if s.kind == "realisatie"):
        load = reports.take(realisatie.load(source, context))
        for row in load.rows:
            row["bron_id"] = load.report.id
        rows.extend(load.rows)
        report = load.report
        progress(
            f"{source.path.name}: {report.read} rijen gelezen, {report.loaded} geladen, "
            f"{report.rejected} zonder bruikbare cijfers"
        )
    return rows


# --- history ---------------------------------------------------------------------------------------


def combine_history(sources: list[Source], loads: list[Load]) -> tuple[list[dict], list[dict], list[dict]]:
    """(plan_historie, the newest plans, plan_wijzigingen)."""
    # each export's dekking, when the manifest names it, by the name its rows carry (bron)
    by_path = history.declared_scopes(sources)
    declared = {}
    for load in loads:
        assert load.source is not None  # load_plans() sets it
        if load.source.path in by_path:
            declared[load.report.name] = by_path[load.source.path]
    historie, current = history.combine(loads, declared)
    return historie, current, history.changes(historie, current, declared)


# --- areas -----------------------------------------------------------------------------------------


def place_areas(
    sources: list[Source], historie: list[dict], current: list[dict], context: Context, reports: Reports, progress
) -> list[dict]:
    """Each plan's outline and the area columns it sets; returns the rows of `plangebieden`.
    The first area a plan gets wins: its own file's (a release's TopoJSON, a city's vector file),
    an older release's, then the plan-area sources in manifest order."""
    places = shapes.places()
    keep_older_areas(historie, current)
    done = context.areas  # Plan-ID -> plangebieden row; the plan-area sources see what is taken
    for row in current:
        area = row.pop("_gebied", None)
        if area is not None:
            done[row["plan_id"]] = areas.place(row, area, places)
    for source in (s for s in sources if s.kind == "plangebieden"):
        load = reports.take(plangebieden.load(source, context))
        for plan_id, area in load.rows:
            done[plan_id] = areas.place(context.plans[plan_id], area, places)
        report = load.report
        progress(
            f"{source.path.name}: {report.read} plangebieden gelezen, {report.loaded} geladen, "
            f"{report.rejected} afgewezen"
        )
    return list(done.values())


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
            area.report.add(
                area.parts[0].row,
                row["plan_id"],
                "geometrie",
                Problem(
                    "geometrie",
                    row["plan_id"],
                    WAARSCHUWING,
                    "vlak_uit_oudere_release",
                    f"de nieuwste bron ({row['bron']}) heeft geen vlak voor dit plan; het vlak van {older['peildatum']} "
                    "is gebruikt",
                ),
            )


# --- sites -----------------------------------------------------------------------------------------


def read_sites(sources: list[Source], context: Context, reports: Reports, progress) -> dict[str, dict]:
    """The sourced doorbraaklocaties (name -> row), with the outlines the manifest's sources give them."""
    seed = reports.take(doorbraaklocaties.load(doorbraaklocaties.SEED_SOURCE, context))
    sites = {row["naam"]: row for row in seed.rows}
    for source in (s for s in sources if s.kind == "doorbraaklocaties"):
        load = reports.take(doorbraaklocaties.load(source, replace(context, sites=sites)))
        for outline in load.rows:
            sites[outline["naam"]].update(outline)
        report = load.report
        progress(
            f"{source.path.name}: {report.loaded} omtrekken van doorbraaklocaties geladen, {report.rejected} afgewezen"
        )
    return sites


def link_sites(current: list[dict], sites: dict[str, dict], reports: list[SourceReport]) -> None:
    """Plans name their site: use the seed's spelling, report unknown names, total per site."""
    by_norm = {norm(name): name for name in sites}
    report_of = {r.name: r for r in reports if r.kind in PLAN_KINDS}
    for site in sites.values():
        site.update(plannen_aantal=0, plannen_woningen=0, plannen_netto=0, plannen_betaalbaar=0)
    for plan in current:
        value = plan.get("doorbraaklocatie")
        if not value:
            continue
        name = by_norm.get(norm(value))
        if name is None:
            bron = plan.get("bron")
            report = report_of.get(bron) if bron is not None else None
            if report is not None:
                report.add(
                    plan.get("_rij"),
                    plan["plan_id"],
                    "Doorbraaklocatie",
                    Problem(
                        "doorbraaklocatie",
                        value,
                        WAARSCHUWING,
                        "onbekende_doorbraaklocatie",
                        "doorbraaklocatie staat niet in de bronlijst; naam overgenomen zonder koppeling",
                    ),
                )
            continue
        plan["doorbraaklocatie"] = name
        site = sites[name]
        site["plannen_aantal"] += 1
        site["plannen_woningen"] += plan.get("woningen") or 0
        site["plannen_netto"] += plan.get("netto") or 0
        site["plannen_betaalbaar"] += plan.get("betaalbaar") or 0


# --- points ----------------------------------------------------------------------------------------


def set_points(current: list[dict], by_code: dict) -> None:
    """Every plan a point and where it came from (punt_bron): its area, its export, its municipality."""
    for row in current:
        g = by_code.get(row["gemeentecode"])
        if row.get("punt_bron") == "plangebied":
            pass  # a point inside the plan area (the areas step)
        elif row.get("latitude") is not None:
            row["punt_bron"] = "export"
        elif g and g.latitude is not None:
            row["latitude"], row["longitude"], row["punt_bron"] = g.latitude, g.longitude, "gemeente"
        else:
            row["punt_bron"] = None
