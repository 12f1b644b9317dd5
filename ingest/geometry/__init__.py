"""The geometry step of a build: plan areas, doorbraaklocaties, their tables and GeoJSON downloads.

Runs between combine() and write_database(): it sets latitude/longitude,
oppervlakte_ha, geometrie and punt_bron on the newest plans and returns the rows
of the `plangebieden` and `doorbraaklocaties` tables.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..problems import SourceReport
from ..schema import COORDINATE_DECIMALS, DOORBRAAK_COLUMNS, PLANGEBIED_COLUMNS
from ..write import write_table
from . import areas, shapes

DOWNLOADS_DIR = "downloads"
NOT_IN_DOWNLOAD = ("geometrie",)  # the outline is the feature's geometry, not one of its properties


@dataclass
class GeoData:
    plangebieden: list[dict] = field(default_factory=list)
    doorbraaklocaties: list[dict] = field(default_factory=list)


def run(sources, current: list[dict], gemeenten: dict, reports: list[SourceReport], next_id, progress,
        private_ids: set[str] = frozenset()) -> GeoData:
    from ..kinds import doorbraaklocaties, plangebieden

    places = shapes.places()
    plans = {row["plan_id"]: row for row in current}
    done: dict[str, dict] = {}
    # areas that came with the plan itself (a release's TopoJSON, a city's vector file) come first
    for row in current:
        area = row.pop("_gebied", None)
        if area is not None:
            done[row["plan_id"]] = areas.place(row, area, places)
    for source in (s for s in sources if s.kind == "plangebieden"):
        report = SourceReport(next(next_id), source.path, "plangebieden", source.mapping, source.sample, source.peildatum)
        reports.append(report)
        plangebieden.load(source, report, plans, done, places, private_ids)
        progress(f"{source.path.name}: {report.read} plangebieden gelezen, {report.loaded} geladen, "
                 f"{report.rejected} afgewezen")
    seed = SourceReport(next(next_id), doorbraaklocaties.SEED, "doorbraaklocaties", "referentie", False)
    reports.append(seed)
    sites = doorbraaklocaties.load_seed(seed, gemeenten)
    for source in (s for s in sources if s.kind == "doorbraaklocaties"):
        report = SourceReport(next(next_id), source.path, "doorbraaklocaties", source.mapping, source.sample,
                              source.peildatum)
        reports.append(report)
        doorbraaklocaties.load_outlines(source, report, sites, places)
        progress(f"{source.path.name}: {report.loaded} omtrekken van doorbraaklocaties geladen, "
                 f"{report.rejected} afgewezen")
    doorbraaklocaties.link_plans(current, sites, reports)
    return GeoData(list(done.values()), list(sites.values()))


def write(conn, data: GeoData) -> None:
    write_table(conn, "plangebieden", PLANGEBIED_COLUMNS, data.plangebieden, pk="plan_id",
                extra=",\n  FOREIGN KEY (plan_id) REFERENCES plannen(plan_id)")
    write_table(conn, "doorbraaklocaties", DOORBRAAK_COLUMNS, data.doorbraaklocaties, pk="naam")


def _feature(key, geometry: str | None, properties: dict) -> str:
    """One Feature; `key` (the row's primary key) is its id (RFC 7946 section 3.2)."""
    return json.dumps({"type": "Feature", "id": key, "properties": properties}, ensure_ascii=False)[:-1] + \
        f', "geometry": {geometry or "null"}}}'


def _point(row: dict) -> str | None:
    if row.get("latitude") is None or row.get("longitude") is None:
        return None
    decimals = COORDINATE_DECIMALS  # a point from an export or a municipality: as precise as the outlines
    return json.dumps({"type": "Point", "coordinates": [round(row["longitude"], decimals),
                                                        round(row["latitude"], decimals)]})


def _write_collection(path: Path, name: str, features) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f'{{"type": "FeatureCollection", "name": {json.dumps(name)}, "features": [\n')
            for i, feature in enumerate(features):
                f.write((",\n" if i else "") + feature)
            f.write("\n]}\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_downloads(db_path: Path, current: list[dict], data: GeoData, plan_columns,
                    directory: Path | None = None) -> Path:
    """Full-dataset GeoJSON (WGS84, RFC 7946: COORDINATE_DECIMALS, a feature id per row) next to the
    database, for the /downloads/ mount.

    `directory`: where to write instead (ingest/downloads.py stages the whole set there first)."""
    directory = directory or db_path.parent / DOWNLOADS_DIR
    directory.mkdir(exist_ok=True)
    areas = {row["plan_id"]: row["geometrie"] for row in data.plangebieden}
    columns = [c for c in plan_columns if c not in NOT_IN_DOWNLOAD]
    _write_collection(directory / "plannen.geojson", "plannen", (
        _feature(row["plan_id"], areas.get(row["plan_id"]) or _point(row), {c: row.get(c) for c in columns})
        for row in current))
    _write_collection(directory / "plangebieden.geojson", "plangebieden", (
        _feature(row["plan_id"], row["geometrie"], {k: v for k, v in row.items() if k != "geometrie"})
        for row in data.plangebieden))
    site_columns = [c for c in data.doorbraaklocaties[0] if not c.startswith("_") and c not in NOT_IN_DOWNLOAD] \
        if data.doorbraaklocaties else []
    _write_collection(directory / "doorbraaklocaties.geojson", "doorbraaklocaties", (
        _feature(row["naam"], row.get("_geometrie_volledig") or _point(row), {c: row.get(c) for c in site_columns})
        for row in data.doorbraaklocaties))
    return directory
