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
from ..validate import FOUT, WAARSCHUWING, Problem, plan_key
from . import Context, Load, new_report

KEY_COLUMNS = ("plan_id", "Plan-ID", "planid", "project_id")


def load(source: Source, context: Context) -> Load:
    """One area file -> (Plan-ID, Area) per plan it outlines (rows), for the plans in `context.plans`
    that have no area yet (`context.areas`); the pipeline places each on its plan."""
    report = new_report(source)
    plans, done, private_ids = context.plans, context.areas, context.private_ids
    by_norm = {plan_key(pid): pid for pid in plans}
    grouped: dict[str, list[Feature]] = defaultdict(list)
    for f in features(source, report, KEY_COLUMNS, "plan_id", shapes.places(), private_ids):
        plan_id = f.key if f.key in plans else by_norm.get(plan_key(f.key))
        if plan_id is None and plan_key(f.key) in private_ids:
            report.not_public += 1  # the area of a non-public plan: counted, never reported by its id
            continue
        if plan_id is None:
            report.reject(
                f.row,
                f.key,
                "plan_id",
                Problem(
                    "plan_id",
                    f.key,
                    FOUT,
                    "onbekend_plan_id",
                    "Plan-ID komt niet voor in de nieuwste plannen; plangebied niet geladen",
                ),
            )
            continue
        if plan_id in done:
            report.reject(
                f.row,
                plan_id,
                "plan_id",
                Problem(
                    "plan_id",
                    f.key,
                    WAARSCHUWING,
                    "plangebied_dubbel",
                    f"plan heeft al een plangebied uit {done[plan_id]['bron']}; dit vlak is niet gebruikt",
                ),
            )
            continue
        grouped[plan_id].append(f)
    rows = []
    for plan_id, features_ in grouped.items():
        rows.append(
            (plan_id, areas.Area(report, [areas.Part(f.row, f.geom, f.geom_rd, f.crs, f.repaired) for f in features_]))
        )
        report.loaded += len(features_)
    return Load(report, rows)
