"""A plan's area from one or more prepared features: the outline, a point inside it, its size.

Shared by every kind that gives plans an outline (plan areas, a release's TopoJSON, a city's
own vector file): the parts are merged, checked against the plan's municipality, measured in
RD New, and become the row of `plangebieden` plus the area columns of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from ..problems import SourceReport
from ..validate import WAARSCHUWING, Problem
from . import shapes


@dataclass
class Part:
    """One feature's prepared outline (geometry/features.prepare) and where it came from."""

    row: int
    geom: BaseGeometry  # valid polygon(s) in the source CRS
    geom_rd: BaseGeometry  # the same in RD New
    crs: CRS
    repaired: bool


@dataclass
class Area:
    """The parts of one plan's area from one source (its report), kept with the plan until the build
    places it."""

    report: SourceReport
    parts: list[Part] = field(default_factory=list)


def place(plan: dict, area: Area, places: shapes.Places) -> dict:
    """Set the area columns on `plan` and return its `plangebieden` row; problems go to the area's report."""
    parts, report = area.parts, area.report
    rows = ", ".join(str(p.row) for p in parts)
    plan_id = plan["plan_id"]
    if len(parts) > 1:
        report.add(
            parts[0].row,
            plan_id,
            "plan_id",
            Problem(
                "plan_id",
                plan_id,
                WAARSCHUWING,
                "meerdere_vlakken",
                f"{len(parts)} vlakken voor dit plan (rijen {rows}) samengevoegd tot één plangebied",
            ),
        )
    geom_rd = shapes.polygonal(shapely.union_all([p.geom_rd for p in parts]))
    crs = parts[0].crs
    if all(p.crs == crs for p in parts):
        geom = shapes.polygonal(shapely.union_all([p.geom for p in parts]))
    else:  # layers in different CRSs: merge in RD New
        geom, crs = geom_rd, shapes.RD
    if places.in_gemeente(geom_rd, plan.get("gemeentecode")) is False:
        report.add(
            parts[0].row,
            plan_id,
            "geometrie",
            Problem(
                "geometrie",
                plan_id,
                WAARSCHUWING,
                "buiten_gemeente",
                f"plangebied ligt niet in gemeente {plan.get('gemeente') or plan.get('gemeentecode')}; wel geladen",
            ),
        )
    lat, lon = shapes.point_inside(geom_rd)
    ha = shapes.area_ha(geom_rd)
    full = shapes.reproject(geom, crs, shapes.WGS84)
    west, zuid, oost, noord = shapes.bounds(full)
    plan.update(
        latitude=lat,
        longitude=lon,
        punt_bron="plangebied",
        oppervlakte_ha=ha,
        geometrie=shapes.display_geojson(geom_rd),
    )
    return {
        "plan_id": plan_id,
        "naam": plan.get("naam"),
        "gemeentecode": plan.get("gemeentecode"),
        "oppervlakte_ha": ha,
        "latitude": lat,
        "longitude": lon,
        "west": west,
        "zuid": zuid,
        "oost": oost,
        "noord": noord,
        "hersteld": int(any(p.repaired for p in parts)),
        "bron": report.name,
        "bron_rijen": rows,
        "geometrie": shapes.to_geojson(full),  # shapes.full_geojson, reprojected once for the bounds too
    }
