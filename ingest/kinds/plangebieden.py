"""Plan areas (kind: plangebieden) -> the area, a point inside it and its outline for each plan.

Joined to the newest plans on Plan-ID (attribute `plan_id` or `Plan-ID`). Several
features for one plan are merged (reported); an area for a plan that is not in the
newest export is reported and not loaded. The first source that gives a plan an
area wins; later ones are reported.
"""
from __future__ import annotations

from collections import defaultdict

import shapely

from ..geometry import shapes
from ..geometry.features import Feature, features
from ..manifest import Source
from ..problems import SourceReport
from ..validate import FOUT, WAARSCHUWING, Problem

KEY_COLUMNS = ("plan_id", "Plan-ID", "planid")


def load(source: Source, report: SourceReport, plans: dict[str, dict], done: dict[str, dict],
         places: shapes.Places, private_ids: set[str] = frozenset()) -> None:
    """Set the area columns on `plans` rows (by plan_id) and add full-precision rows to `done`."""
    by_norm = {pid.casefold(): pid for pid in plans}
    grouped: dict[str, list[Feature]] = defaultdict(list)
    for f in features(source, report, KEY_COLUMNS, "plan_id", places, private_ids):
        plan_id = f.key if f.key in plans else by_norm.get(f.key.casefold())
        if plan_id is None and f.key.casefold() in private_ids:
            report.not_public += 1  # the area of a non-public plan: counted, never reported by its id
            continue
        if plan_id is None:
            report.rejected += 1
            report.add(f.row, f.key, "plan_id", Problem("plan_id", f.key, FOUT, "onbekend_plan_id",
                                                        "Plan-ID komt niet voor in de nieuwste plannen; plangebied niet geladen"))
            continue
        if plan_id in done:
            report.rejected += 1
            report.add(f.row, plan_id, "plan_id", Problem("plan_id", f.key, WAARSCHUWING, "plangebied_dubbel",
                                                         f"plan heeft al een plangebied uit {done[plan_id]['bron']}; "
                                                         "dit vlak is niet gebruikt"))
            continue
        grouped[plan_id].append(f)
    for plan_id, parts in grouped.items():
        plan = plans[plan_id]
        rows = ", ".join(str(p.row) for p in parts)
        if len(parts) > 1:
            report.add(parts[0].row, plan_id, "plan_id", Problem(
                "plan_id", plan_id, WAARSCHUWING, "meerdere_vlakken",
                f"{len(parts)} vlakken voor dit plan (rijen {rows}) samengevoegd tot één plangebied"))
        geom_rd = shapes.polygonal(shapely.union_all([p.geom_rd for p in parts]))
        crs = parts[0].crs
        if all(p.crs == crs for p in parts):
            geom = shapes.polygonal(shapely.union_all([p.geom for p in parts]))
        else:  # layers in different CRSs: merge in RD New
            geom, crs = geom_rd, shapes.RD
        if places.in_gemeente(geom_rd, plan.get("gemeentecode")) is False:
            report.add(parts[0].row, plan_id, "geometrie", Problem(
                "geometrie", plan_id, WAARSCHUWING, "buiten_gemeente",
                f"plangebied ligt niet in gemeente {plan.get('gemeente') or plan.get('gemeentecode')}; wel geladen"))
        lat, lon = shapes.point_inside(geom_rd)
        ha = shapes.area_ha(geom_rd)
        plan.update(latitude=lat, longitude=lon, punt_bron="plangebied", oppervlakte_ha=ha,
                    geometrie=shapes.display_geojson(geom_rd))
        done[plan_id] = {
            "plan_id": plan_id, "naam": plan.get("naam"), "gemeentecode": plan.get("gemeentecode"),
            "oppervlakte_ha": ha, "latitude": lat, "longitude": lon,
            "hersteld": int(any(p.repaired for p in parts)), "bron": report.path.name, "bron_rijen": rows,
            "geometrie": shapes.full_geojson(geom, crs),
        }
        report.loaded += len(parts)
