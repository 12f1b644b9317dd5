"""Doorbraaklocaties: sourced facts from data/reference/doorbraaklocaties.yml, outlines from geometry sources.

The table holds only what a source says (each row with `bron` and `geverifieerd`);
an outline for a name that is not in the seed is reported, never added as a new site.
Plans link to a site by name (plannen.doorbraaklocatie): the pipeline's sites step.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .. import safe_yaml
from ..errors import FatalInput
from ..geometry import shapes
from ..geometry.features import features
from ..manifest import Source
from ..mapping import norm
from ..problems import SourceReport
from ..validate import FOUT, WAARSCHUWING, Problem
from . import Context, Load, new_report

SEED = Path(__file__).resolve().parents[2] / "data" / "reference" / "doorbraaklocaties.yml"
SEED_SOURCE = Source("doorbraaklocaties", SEED, mapping="referentie")  # read in every build, before the manifest's
KEY_COLUMNS = ("naam", "name", "doorbraaklocatie", "locatie")
TRUE = {"1", "ja", "true", "yes", "j", "y", "waar"}


def load(source: Source, context: Context) -> Load:
    """The sourced list (SEED_SOURCE) -> one row per site; any other file -> an outline per site it
    names (rows: the columns to set on that site), for the sites in `context.sites`."""
    report = new_report(source)
    if source.path == SEED:
        return Load(report, list(load_seed(report, context.gemeenten).values()))
    return Load(report, load_outlines(source, report, context.sites))


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
            "naam": e["naam"],
            "gemeentecode": e.get("gemeentecode"),
            "gemeente": g.naam if g else e.get("gemeente"),
            "provincie": g.provincie if g else None,
            "woningen": e.get("woningen"),
            "woningen_toelichting": e.get("woningen_toelichting"),
            "status": e.get("status"),
            "bron": bron["titel"],
            "bron_url": bron.get("url"),
            "geverifieerd": int(bool(e.get("geverifieerd"))),
            # until an outline is loaded, the site's point is its municipality's
            "latitude": g.latitude if g else None,
            "longitude": g.longitude if g else None,
        }
        report.loaded += 1
    return rows


def load_outlines(source: Source, report: SourceReport, sites: dict[str, dict]) -> list[dict]:
    by_norm = {norm(name): name for name in sites}
    given = {name: site["geometrie_bron"] for name, site in sites.items() if site.get("geometrie_bron")}
    outlines = []
    for f in features(source, report, KEY_COLUMNS, "naam", shapes.places()):
        name = by_norm.get(norm(f.key))
        if name is None:
            report.reject(
                f.row,
                None,
                "naam",
                Problem(
                    "naam",
                    f.key,
                    FOUT,
                    "onbekende_doorbraaklocatie",
                    "naam staat niet in de bronlijst doorbraaklocaties; niet geladen",
                ),
            )
            continue
        if name in given:
            report.reject(
                f.row,
                None,
                "naam",
                Problem(
                    "naam",
                    f.key,
                    WAARSCHUWING,
                    "dubbele_doorbraaklocatie",
                    f"omtrek al geladen uit {given[name]}; niet gebruikt",
                ),
            )
            continue
        flag = f.attributes.get("indicatief")
        indicatief = source.sample or (flag is not None and str(flag).strip().casefold() in TRUE)
        lat, lon = shapes.point_inside(f.geom_rd)
        given[name] = report.path.name
        outlines.append(
            dict(
                naam=name,
                latitude=lat,
                longitude=lon,
                oppervlakte_ha=shapes.area_ha(f.geom_rd),
                geometrie=shapes.display_geojson(f.geom_rd),
                geometrie_bron=report.path.name,
                geometrie_indicatief=int(indicatief),
                _geometrie_volledig=shapes.full_geojson(f.geom, f.crs),
            )
        )
        report.loaded += 1
    return outlines
