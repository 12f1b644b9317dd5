"""Plan areas (kind: plangebieden) -> the area, a point inside it and its outline for each plan.

Joined to the newest plans on Plan-ID (attribute `plan_id` or `Plan-ID`). Several
features for one plan are merged (reported); an area for a plan that is not in the
newest export is reported and not loaded. The first source that gives a plan an
area wins; later ones are reported.
"""
from __future__ import annotations

from collections import defaultdict

from ..geometry import areas, shapes
from ..geometry.features import Feature, features
from ..manifest import Source
from ..problems import SourceReport
from ..validate import FOUT, WAARSCHUWING, Problem, plan_key

KEY_COLUMNS = ("plan_id", "Plan-ID", "planid", "project_id")


def load(source: Source, report: SourceReport, plans: dict[str, dict], done: dict[str, dict],
         places: shapes.Places, private_ids: set[str] = frozenset()) -> None:
    """Set the area columns on `plans` rows (by plan_id) and add full-precision rows to `done`."""
    by_norm = {plan_key(pid): pid for pid in plans}
    grouped: dict[str, list[Feature]] = defaultdict(list)
    for f in features(source, report, KEY_COLUMNS, "plan_id", places, private_ids):
        plan_id = f.key if f.key in plans else by_norm.get(plan_key(f.key))
        if plan_id is None and plan_key(f.key) in private_ids:
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
    for plan_id, features_ in grouped.items():
        area = areas.Area(report, [areas.Part(f.row, f.geom, f.geom_rd, f.crs, f.repaired) for f in features_])
        done[plan_id] = areas.place(plans[plan_id], area, places)
        report.loaded += len(features_)
