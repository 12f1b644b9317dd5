#!/usr/bin/env python3
"""Derive the municipality reference files from cartomap/nl TopoJSON.

Usage:
    python scripts/derive_gemeenten.py GEMEENTE_TOPOJSON PROVINCIE_TOPOJSON [OUT_DIR]

GEMEENTE_TOPOJSON   cartomap/nl rd/gemeente_2025.topojson  (RD New, EPSG:28992)
PROVINCIE_TOPOJSON  cartomap/nl rd/provincie_2025.topojson (RD New, EPSG:28992)
OUT_DIR             default: data/reference (relative to the repository root)

Writes OUT_DIR/gemeenten.csv and OUT_DIR/gemeenten_2025.geojson.
See data/reference/SOURCES.md for provenance. No network access is needed.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, mapping

PROVINCES = [
    "Groningen",
    "Fryslân",
    "Drenthe",
    "Overijssel",
    "Flevoland",
    "Gelderland",
    "Utrecht",
    "Noord-Holland",
    "Zuid-Holland",
    "Zeeland",
    "Noord-Brabant",
    "Limburg",
]
NL_BBOX = (3.2, 50.7, 7.3, 53.7)  # lon_min, lat_min, lon_max, lat_max
GEOJSON_DECIMALS = 6
CSV_DECIMALS = 5


def decode_arcs(topo: dict) -> list[list[tuple[float, float]]]:
    """Absolute coordinates for every arc (undoing delta encoding + transform)."""
    tr = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            pts = []
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(float(p[0]), float(p[1])) for p in arc]
        arcs.append(pts)
    return arcs


def build_ring(indexes: list[int], arcs) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for i in indexes:
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        if out:
            if out[-1] != a[0]:
                raise ValueError(f"arc {i} does not connect to previous arc")
            out.extend(a[1:])
        else:
            out.extend(a)
    if out[0] != out[-1]:
        raise ValueError("ring not closed")
    return out


def build_geometry(g: dict, arcs):
    def poly(rings):
        built = [build_ring(r, arcs) for r in rings]
        return Polygon(built[0], built[1:])

    if g["type"] == "Polygon":
        return poly(g["arcs"])
    if g["type"] == "MultiPolygon":
        return MultiPolygon([poly(p) for p in g["arcs"]])
    raise ValueError(f"unsupported geometry type {g['type']}")


def features(path: Path):
    topo = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topo)
    (obj,) = topo["objects"].values()
    for g in obj["geometries"]:
        geom = build_geometry(g, arcs)
        if not geom.is_valid:
            raise ValueError(f"invalid geometry for {g['properties']}")
        yield g["properties"], geom


def reproject_and_round(geom, transformer: Transformer, nd: int):
    def f(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([x, y]), nd)

    return shapely.transform(geom, f)


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    gem_path, prov_path = Path(argv[1]), Path(argv[2])
    out_dir = Path(argv[3]) if len(argv) > 3 else Path(__file__).resolve().parents[1] / "data" / "reference"
    out_dir.mkdir(parents=True, exist_ok=True)

    transformer = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)

    provinces = [(p["statnaam"], geom) for p, geom in features(prov_path)]
    assert sorted(n for n, _ in provinces) == sorted(PROVINCES), [n for n, _ in provinces]

    rows, feats = [], []
    for props, geom_rd in features(gem_path):
        code, name = props["statcode"], props["statnaam"]
        assert code.startswith("GM") and len(code) == 6 and code[2:].isdigit(), code

        # Province = province polygon with the largest overlap (generalised
        # province and municipality boundaries differ by a few metres).
        overlaps = sorted(((geom_rd.intersection(pg).area, pn) for pn, pg in provinces), reverse=True)
        share, runner_up = overlaps[0][0] / geom_rd.area, overlaps[1][0] / geom_rd.area
        provincie = overlaps[0][1]
        if share < 0.8 or runner_up > 0.1:
            raise ValueError(f"{code} {name}: ambiguous province {overlaps[:2]} share={share:.3f}")
        if not any(pg.contains(geom_rd.point_on_surface()) and pn == provincie for pn, pg in provinces):
            print(f"note: representative point of {code} {name} falls outside generalised province {provincie}")

        geom_wgs = reproject_and_round(geom_rd, transformer, GEOJSON_DECIMALS)
        if not geom_wgs.is_valid:
            geom_wgs = geom_wgs.buffer(0)

        # Representative point computed in the metric CRS on the source geometry,
        # then checked against the published (reprojected, rounded) geometry.
        pt_rd = geom_rd.point_on_surface()
        lon, lat = transformer.transform(pt_rd.x, pt_rd.y)
        lon, lat = round(lon, CSV_DECIMALS), round(lat, CSV_DECIMALS)
        if not geom_wgs.contains(Point(lon, lat)):
            p = geom_wgs.point_on_surface()
            lon, lat = round(p.x, CSV_DECIMALS), round(p.y, CSV_DECIMALS)
        assert geom_wgs.contains(Point(lon, lat)), code
        assert NL_BBOX[0] <= lon <= NL_BBOX[2] and NL_BBOX[1] <= lat <= NL_BBOX[3], code

        rows.append(
            {
                "gemeentecode": code,
                "gemeentenaam": name,
                "provincie": provincie,
                "latitude": f"{lat:.{CSV_DECIMALS}f}",
                "longitude": f"{lon:.{CSV_DECIMALS}f}",
            }
        )
        feats.append(
            {
                "type": "Feature",
                "properties": {"gemeentecode": code, "gemeentenaam": name, "provincie": provincie},
                "geometry": mapping(geom_wgs),
            }
        )

    rows.sort(key=lambda r: r["gemeentecode"])
    feats.sort(key=lambda f: f["properties"]["gemeentecode"])
    codes = [r["gemeentecode"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"

    with open(out_dir / "gemeenten.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(
            fh, fieldnames=["gemeentecode", "gemeentenaam", "provincie", "latitude", "longitude"], lineterminator="\n"
        )
        w.writeheader()
        w.writerows(rows)

    # RFC 7946 GeoJSON: coordinates are WGS84 lon/lat, no "crs" member.
    fc = {"type": "FeatureCollection", "name": "gemeenten_2025", "features": feats}
    with open(out_dir / "gemeenten_2025.geojson", "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")

    print(f"{len(rows)} municipalities written to {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
