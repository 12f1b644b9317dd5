"""Deterministic generator of SAMPLE plan areas and doorbraaklocatie outlines (voorbeelddata).

Delivered as suppliers do: GeoPackages in RD New (EPSG:28992).

  data/sample/plangebieden.gpkg       one invented outline per public plan with an export point in the
                                      newest sample export, sized from its homes (30-60 homes per ha),
                                      irregular, inside its municipality; plus a little of the mess real
                                      files have (a self-intersecting outline, a multi-part plan, an empty
                                      geometry, an unknown Plan-ID)
  data/sample/doorbraaklocaties.gpkg  an INDICATIVE outline for each named doorbraaklocatie in
                                      data/reference/doorbraaklocaties.yml (the real outlines are not
                                      available); its sample plans are placed inside it

Every shape is invented; only the municipality boundaries are real. Run after
scripts/generate_sample.py (make sample).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
import yaml
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, shape

ROOT = Path(__file__).resolve().parent.parent
SEED = 20251001
EXPORT = ROOT / "data/sample/plannen_2025-10-01.csv"
WITHOUT_AREA = 0.07  # share of plans delivered without an outline (they keep the export point)
TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def rd(lon: float, lat: float) -> Point:
    return Point(*TO_RD.transform(lon, lat))


def municipalities() -> dict[str, Polygon]:
    doc = json.loads((ROOT / "data/reference/gemeenten_2025.geojson").read_text(encoding="utf-8"))
    out = {}
    for f in doc["features"]:
        g = shape(f["geometry"])
        g = shapely.transform(g, lambda xy: np.column_stack(TO_RD.transform(xy[:, 0], xy[:, 1])))
        out[f["properties"]["gemeentecode"]] = g.buffer(-10)  # keep a margin from the (generalised) border
    return out


def public_plans(path: Path = EXPORT) -> list[dict]:
    """The plans of the newest sample export that the ingest loads (valid, public, with a point)."""
    plans, seen = [], set()
    with open(path, encoding="cp1252", newline="") as f:
        for r in csv.DictReader(f, delimiter=";"):
            pid, homes = r["Plan-ID"].strip(), r["Aantal woningen"].strip()
            if (
                not pid
                or pid.startswith(("FOUT-", "TWIJFEL-"))
                or pid in seen
                or r["Openbaar"].strip().lower() == "nee"
            ):
                continue
            if not homes.isdigit() or not r["Latitude"]:
                continue
            seen.add(pid)
            code = r["Gemeentecode"].strip().upper()
            plans.append(
                {
                    "plan_id": pid,
                    "gemeentecode": code if code.startswith("GM") else "GM" + code,
                    "woningen": int(homes),
                    "doorbraaklocatie": r["Doorbraaklocatie"].strip(),
                    "point": rd(float(r["Longitude"].replace(",", ".")), float(r["Latitude"].replace(",", "."))),
                }
            )
    return plans


def blob(rng: random.Random, center: Point, area_m2: float, vertices: int | None = None) -> Polygon:
    """An irregular star-shaped (so always simple) polygon of the given area around center."""
    n = vertices or rng.randint(6, 11)
    # evenly spread angles with jitter: a star-shaped ring around the centre is always simple
    angles = [(i + rng.uniform(-0.3, 0.3)) * 2 * math.pi / n for i in range(n)]
    radii = [rng.uniform(0.65, 1.35) for _ in range(n)]
    stretch = rng.uniform(0.6, 1.0)  # plans are often longer than wide
    turn = rng.uniform(0, math.pi)
    pts = []
    for a, r in zip(angles, radii):
        x, y = r * math.cos(a), r * math.sin(a) * stretch
        pts.append((x * math.cos(turn) - y * math.sin(turn), x * math.sin(turn) + y * math.cos(turn)))
    poly = Polygon(pts)
    scale = math.sqrt(area_m2 / poly.area)
    return shapely.affinity.affine_transform(poly, [scale, 0, 0, scale, center.x, center.y])


def random_point_in(rng: random.Random, area) -> Point:
    minx, miny, maxx, maxy = area.bounds
    for _ in range(500):
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(p):
            return p
    return area.point_on_surface()


def place(rng: random.Random, center: Point, area_m2: float, within) -> Polygon:
    """A blob around center clipped to `within`; moved inward when too little of it is left."""
    poly = blob(rng, center, area_m2)
    for _ in range(8):
        clipped = poly.intersection(within)
        parts = [g for g in shapely.get_parts(clipped) if isinstance(g, Polygon)]
        if parts and max(p.area for p in parts) >= 0.6 * area_m2:
            return max(parts, key=lambda p: p.area)
        center = random_point_in(rng, within)
        poly = blob(rng, center, area_m2)
    return within.intersection(center.buffer(math.sqrt(area_m2 / math.pi)))


def rounded(geom):
    return shapely.transform(geom, lambda xy: np.round(xy, 2))  # suppliers deliver centimetres


def write(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    path.unlink(missing_ok=True)
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


def build(seed: int = SEED):
    rng = random.Random(seed)
    shapes = municipalities()
    sites = yaml.safe_load((ROOT / "data/reference/doorbraaklocaties.yml").read_text(encoding="utf-8"))["locaties"]
    plans = public_plans()
    # doorbraaklocaties: indicative outlines, sized from the sourced figure or the 2,500-home minimum
    outlines = {}
    for site in sites:
        within = shapes[site["gemeentecode"]].buffer(-300)
        homes = site.get("woningen") or 2500
        center = random_point_in(rng, within)
        outlines[site["naam"]] = place(rng, center, homes / 35 * 10000, within)
    site_rows = [
        {
            "naam": name,
            "indicatief": 1,
            "toelichting": "indicatieve omtrek (voorbeelddata), niet de echte ligging",
            "geometry": rounded(geom),
        }
        for name, geom in outlines.items()
    ]
    rows = []
    for plan in plans:
        if rng.random() < WITHOUT_AREA:
            continue
        area = plan["woningen"] / rng.uniform(30, 60) * 10000
        within = shapes.get(plan["gemeentecode"])
        if within is None:
            continue
        site = outlines.get(plan["doorbraaklocatie"])
        if site is not None:
            geom = place(rng, random_point_in(rng, site.buffer(-20)), area, site.buffer(-5))
        else:
            geom = place(rng, plan["point"], area, within)
        rows.append({"plan_id": plan["plan_id"], "opmerking": "voorbeelddata", "geometry": rounded(geom)})
    # the mess of real files, each reported by the ingest
    bowtie = rows[10]["geometry"].bounds
    x0, y0, x1, y1 = bowtie
    rows[10] = {
        **rows[10],
        "opmerking": "voorbeelddata: zelfdoorsnijdende omtrek",
        "geometry": Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)]),
    }
    a = rows[20]["geometry"]
    rows[20] = {
        **rows[20],
        "opmerking": "voorbeelddata: plan in twee delen",
        "geometry": MultiPolygon([a, shapely.affinity.translate(a, 3 * math.sqrt(a.area) + 50, 0)]),
    }
    rows.append({"plan_id": rows[30]["plan_id"], "opmerking": "voorbeelddata: lege geometrie", "geometry": None})
    rows.append(
        {
            "plan_id": "VOORBEELD-ONBEKEND-0001",
            "opmerking": "voorbeelddata: Plan-ID niet in de export",
            "geometry": rows[40]["geometry"],
        }
    )
    return (
        gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:28992"),
        gpd.GeoDataFrame(site_rows, geometry="geometry", crs="EPSG:28992"),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "data/sample")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    os.environ["OGR_CURRENT_DATE"] = "2025-10-01T00:00:00Z"  # fixed timestamps inside the GeoPackages
    areas, sites = build(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    write(areas, args.out / "plangebieden.gpkg", "plangebieden")
    write(sites, args.out / "doorbraaklocaties.gpkg", "doorbraaklocaties")
    print(f"{len(areas)} plangebieden, {len(sites)} doorbraaklocaties (indicatief) in {args.out}")


if __name__ == "__main__":
    main()
