"""Doorbraaklocaties: sourced facts from data/reference/doorbraaklocaties.yml, outlines from geometry sources.

The table holds only what a source says (each row with `bron` and `geverifieerd`);
an outline for a name that is not in the seed is reported, never added as a new site.
Plans link to a site by name (plannen.doorbraaklocatie); totals per site are computed here.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import FatalInput
from ..geometry import shapes
from ..geometry.features import features
from ..manifest import PLAN_KINDS, Source
from ..mapping import norm
from ..problems import SourceReport
from ..validate import FOUT, WAARSCHUWING, Problem
from .. import safe_yaml

SEED = Path(__file__).resolve().parents[2] / "data" / "reference" / "doorbraaklocaties.yml"
KEY_COLUMNS = ("naam", "name", "doorbraaklocatie", "locatie")
TRUE = {"1", "ja", "true", "yes", "j", "y", "waar"}


def load_seed(report: SourceReport, gemeenten: dict) -> dict[str, dict]:
    """name -> row. A malformed seed is our own mistake and stops the build."""
    try:
        doc = safe_yaml.load(report.path.read_text(encoding="utf-8"))
        entries = doc["locaties"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
        raise FatalInput(report.path, f"lijst doorbraaklocaties niet leesbaar ({exc.__class__.__name__})")
    rows: dict[str, dict] = {}
    for n, e in enumerate(entries, start=1):
        report.read += 1
        bron = e.get("bron") or {}
        if not e.get("naam") or not bron.get("titel"):
            raise FatalInput(report.path, f"locatie {n}: naam en bron zijn verplicht")
        g = gemeenten.get(e.get("gemeentecode"))
        rows[e["naam"]] = {
            "naam": e["naam"], "gemeentecode": e.get("gemeentecode"),
            "gemeente": g.naam if g else e.get("gemeente"), "provincie": g.provincie if g else None,
            "woningen": e.get("woningen"), "woningen_toelichting": e.get("woningen_toelichting"),
            "status": e.get("status"), "bron": bron["titel"], "bron_url": bron.get("url"),
            "geverifieerd": int(bool(e.get("geverifieerd"))),
            # until an outline is loaded, the site's point is its municipality's
            "latitude": g.latitude if g else None, "longitude": g.longitude if g else None,
        }
        report.loaded += 1
    return rows


def load_outlines(source: Source, report: SourceReport, sites: dict[str, dict], places: shapes.Places) -> None:
    by_norm = {norm(name): name for name in sites}
    for f in features(source, report, KEY_COLUMNS, "naam", places):
        name = by_norm.get(norm(f.key))
        if name is None:
            report.rejected += 1
            report.add(f.row, None, "naam", Problem("naam", f.key, FOUT, "onbekende_doorbraaklocatie",
                                                    "naam staat niet in de bronlijst doorbraaklocaties; niet geladen"))
            continue
        site = sites[name]
        if site.get("geometrie_bron"):
            report.rejected += 1
            report.add(f.row, None, "naam", Problem("naam", f.key, WAARSCHUWING, "dubbele_doorbraaklocatie",
                                                    f"omtrek al geladen uit {site['geometrie_bron']}; niet gebruikt"))
            continue
        flag = f.attributes.get("indicatief")
        indicatief = source.sample or (flag is not None and str(flag).strip().casefold() in TRUE)
        lat, lon = shapes.point_inside(f.geom_rd)
        site.update(latitude=lat, longitude=lon, oppervlakte_ha=shapes.area_ha(f.geom_rd),
                    geometrie=shapes.display_geojson(f.geom_rd), geometrie_bron=report.path.name,
                    geometrie_indicatief=int(indicatief), _geometrie_volledig=shapes.full_geojson(f.geom, f.crs))
        report.loaded += 1


def link_plans(current: list[dict], sites: dict[str, dict], reports: list[SourceReport]) -> None:
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
            report = report_of.get(plan.get("bron"))
            if report is not None:
                report.add(plan.get("_rij"), plan["plan_id"], "Doorbraaklocatie", Problem(
                    "doorbraaklocatie", value, WAARSCHUWING, "onbekende_doorbraaklocatie",
                    "doorbraaklocatie staat niet in de bronlijst; naam overgenomen zonder koppeling"))
            continue
        plan["doorbraaklocatie"] = name
        site = sites[name]
        site["plannen_aantal"] += 1
        site["plannen_woningen"] += plan.get("woningen") or 0
        site["plannen_netto"] += plan.get("netto") or 0
        site["plannen_betaalbaar"] += plan.get("betaalbaar") or 0

