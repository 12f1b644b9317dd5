"""Pure geometry rules: clean one feature, place it, measure it, write it as GeoJSON.

Measurements (area, the point inside) are done in RD New (EPSG:28992), the Dutch
metric CRS; published geometry is WGS84 (EPSG:4326, lon/lat as RFC 7946 wants).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from ..schema import COORDINATE_DECIMALS
from ..validate import FOUT, WAARSCHUWING

RD = CRS.from_epsg(28992)
WGS84 = CRS.from_epsg(4326)
GEMEENTEN_GEOJSON = Path(__file__).resolve().parents[2] / "data" / "reference" / "gemeenten_2025.geojson"
NL_MARGIN_M = 1000  # the CBS boundaries are generalised: a plan on the coast or border stays "inside"
GEMEENTE_MARGIN_M = 500


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    message: str


# (id(src), id(dst)) -> (src, dst, transformer or None when they are the same CRS). Keyed by identity:
# hashing or comparing a CRS renders its WKT, which cost seconds over the ~100,000 calls of a national
# build. The entry holds src and dst, so their ids cannot be reused by other objects while it exists.
_TRANSFORMERS: dict[tuple[int, int], tuple[CRS, CRS, Transformer | None]] = {}


def transformer(src: CRS, dst: CRS) -> Transformer | None:
    hit = _TRANSFORMERS.get((id(src), id(dst)))
    if hit is None:
        if len(_TRANSFORMERS) > 64:  # a long-lived process building many times
            _TRANSFORMERS.clear()
        same = src.equals(dst, ignore_axis_order=True)
        hit = _TRANSFORMERS[(id(src), id(dst))] = (
            src,
            dst,
            None if same else Transformer.from_crs(src, dst, always_xy=True),
        )
    return hit[2]


def reproject(geom, src: CRS, dst: CRS):
    """A geometry (or an array of them, in one call to PROJ) from src to dst."""
    t = transformer(src, dst)
    if t is None:
        return geom
    return shapely.transform(geom, t.transform, interleaved=False)


def polygonal(geom: BaseGeometry | None) -> BaseGeometry | None:
    """Only the polygon parts (a repair may leave lines or points behind); None when nothing is left."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (Polygon, MultiPolygon)):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, (Polygon, MultiPolygon)) and not g.is_empty]
    polys = [p for g in parts for p in shapely.get_parts(g)]
    if not polys:
        return None
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


MAX_CROSSINGS = 500  # self-intersections a repair may untangle: make_valid's work grows with their square
_SAMPLE = 200  # segments probed to estimate them


def crossings(geom: BaseGeometry) -> int:
    """An estimate of how many times the rings of `geom` cross themselves, from a sample of segments
    (a bow-tie: 1; a hostile star of 2,000 points: a million). Costs O(n log n), never the repair."""
    lines = [
        shapely.get_coordinates(r)
        for p in shapely.get_parts(geom)
        for r in ([p.exterior, *p.interiors] if isinstance(p, Polygon) else [])
    ]
    starts = np.concatenate([c[:-1] for c in lines if len(c) > 1]) if lines else np.empty((0, 2))
    ends = np.concatenate([c[1:] for c in lines if len(c) > 1]) if lines else np.empty((0, 2))
    n = len(starts)
    if n < 4:
        return 0
    segments = shapely.linestrings(np.stack([starts, ends], axis=1))
    tree = shapely.STRtree(segments)
    probe = np.unique(np.linspace(0, n - 1, min(n, _SAMPLE)).astype(int))
    hits = []
    for start in range(0, len(probe), 10):
        # each segment touches its two neighbours (and itself) without crossing them
        hits += [max(0, len(tree.query(segments[i], predicate="intersects")) - 3) for i in probe[start : start + 10]]
        estimate = int(round(sum(hits) / len(hits) * n / 2))
        if estimate > 20 * MAX_CROSSINGS:  # plainly far too tangled: no need to look further
            break
    return estimate


def repaired(geom: BaseGeometry) -> BaseGeometry | None:
    """make_valid's polygon parts, valid; GEOS can fail on pathological rings (a TopologyException,
    or a result that is itself invalid): then the structure method, then None (reported)."""
    for method in ("linework", "structure"):
        try:
            fixed = polygonal(shapely.make_valid(geom, method=method))
        except shapely.errors.GEOSException:
            continue
        if fixed is not None and fixed.is_valid:  # near-degenerate input can come back invalid
            return fixed
    return None


PROBE_FIRST = 5_000  # vertices above which a shape is probed for tangles before anything else


def _too_tangled(reason: str, tangle: int) -> Issue:
    return Issue(
        FOUT,
        "geometrie_te_complex",
        f"ongeldige geometrie ({reason[:80]}) die zichzelf naar schatting "
        f"{tangle:,} keer snijdt (herstel tot {MAX_CROSSINGS}); vereenvoudig het "
        "vlak; niet geladen".replace(",", "."),
    )


def clean(geom: BaseGeometry | None) -> tuple[BaseGeometry | None, Issue | None]:
    """A valid polygonal geometry (or None) and what was wrong with the input."""
    if geom is None or geom.is_empty:
        return None, Issue(FOUT, "lege_geometrie", "geometrie is leeg of onleesbaar; plangebied niet geladen")
    geom = shapely.force_2d(geom)
    kind = geom.geom_type
    if kind not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None, Issue(FOUT, "geen_vlak", f"geometrie is een {kind}, geen vlak; niet geladen")
    # a big shape is first probed for tangles: on a hostile one even GEOS's validity check takes minutes
    tangle = crossings(geom) if shapely.get_num_coordinates(geom) > PROBE_FIRST else None
    if tangle is not None and tangle > MAX_CROSSINGS:
        return None, _too_tangled("zelfdoorsnijdend", tangle)
    reason = shapely.is_valid_reason(geom)
    if reason != "Valid Geometry":
        tangle = crossings(geom) if tangle is None else tangle
        if tangle > MAX_CROSSINGS:  # bounded work: such a shape is not a plan area, and repairing it takes hours
            return None, _too_tangled(reason, tangle)
        fixed = repaired(geom)
        if fixed is None or fixed.area == 0:
            return None, Issue(
                FOUT, "geometrie_onherstelbaar", f"ongeldige geometrie ({reason}) en niet te herstellen; niet geladen"
            )
        return fixed, Issue(
            WAARSCHUWING,
            "geometrie_hersteld",
            f"ongeldige geometrie ({reason}) hersteld met make_valid; alleen de vlakken zijn behouden",
        )
    fixed = polygonal(geom)
    if fixed is None or fixed.area == 0:
        return None, Issue(FOUT, "geen_vlak", "geometrie bevat geen vlak met oppervlakte; niet geladen")
    if kind == "GeometryCollection":
        return fixed, Issue(
            WAARSCHUWING, "geometrie_hersteld", "verzameling van geometrieën: alleen de vlakken behouden"
        )
    return fixed, None


def looks_like_degrees(geom: BaseGeometry, crs: CRS) -> bool:
    minx, miny, maxx, maxy = geom.bounds
    return crs.is_projected and -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90


@dataclass
class Places:
    """The Netherlands and its municipalities in RD New, prepared for fast tests."""

    nl: BaseGeometry | None
    gemeenten: dict[str, BaseGeometry]

    def in_nl(self, geom_rd: BaseGeometry) -> bool:
        if self.nl is None:  # no boundary file: fall back to the RD New extent of the Netherlands
            minx, miny, maxx, maxy = geom_rd.bounds
            return maxx > -7000 and minx < 300000 and maxy > 289000 and miny < 629000
        return self.nl.intersects(geom_rd)

    def in_gemeente(self, geom_rd: BaseGeometry, code: str | None) -> bool | None:
        g = self.gemeenten.get(code or "")
        return None if g is None else g.intersects(geom_rd)


@lru_cache(maxsize=2)  # about a second of unions and buffers; the same for every source of a build
def places(path: Path = GEMEENTEN_GEOJSON) -> Places:
    if not path.exists():
        return Places(None, {})
    doc = json.loads(path.read_text(encoding="utf-8"))
    shapes = {}
    for f in doc["features"]:
        g = reproject(shape(f["geometry"]), WGS84, RD)
        shapes[f["properties"]["gemeentecode"]] = g
    nl = shapely.union_all(list(shapes.values())).buffer(NL_MARGIN_M)
    gemeenten = {code: g.buffer(GEMEENTE_MARGIN_M) for code, g in shapes.items()}
    for g in [nl, *gemeenten.values()]:
        shapely.prepare(g)
    return Places(nl, gemeenten)


def point_inside(geom_rd: BaseGeometry) -> tuple[float, float]:
    """(latitude, longitude) of a point guaranteed inside the area, not a centroid (which may fall outside)."""
    p = reproject(geom_rd.point_on_surface(), RD, WGS84)
    return round(p.y, COORDINATE_DECIMALS), round(p.x, COORDINATE_DECIMALS)


def area_ha(geom_rd: BaseGeometry) -> float:
    return round(geom_rd.area / 10000, 4)


def _round(geom: BaseGeometry, decimals: int) -> BaseGeometry:
    return shapely.transform(geom, lambda xy: np.round(xy, decimals))


def to_geojson(geom: BaseGeometry, decimals: int = COORDINATE_DECIMALS) -> str:
    # rounded first, then oriented: the ring order RFC 7946 asks for (exterior counter-clockwise, holes
    # clockwise) holds for the coordinates as written. Written by json (the shortest text of each float):
    # GEOS's writer may spell a rounded 52.743309 as 52.743309000000004.
    geom = shapely.orient_polygons(_round(geom, decimals), exterior_cw=False)
    return json.dumps(mapping(geom), separators=(",", ":"))


def simplified(geom: BaseGeometry, tolerance: float) -> BaseGeometry:
    """Fewer vertices, still valid, in time that grows with the vertices, not their square: GEOS's
    topology-preserving simplify took minutes on a 240k-vertex comb, and plain Douglas-Peucker
    overflows the stack on it. Coverage simplification (Visvalingam-Whyatt) does neither."""
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        return geom
    return shapely.coverage_simplify(geom, tolerance)


def display_geojson(geom_rd: BaseGeometry) -> str:
    """Simplified for maps; the tolerance follows the plan's size so a 0.2 ha plan keeps its shape."""
    tolerance = min(20.0, max(0.25, math.sqrt(geom_rd.area) / 150))
    simple = simplified(geom_rd, tolerance)
    if simple.is_empty or not simple.is_valid or abs(simple.area - geom_rd.area) > 0.05 * geom_rd.area:
        simple = geom_rd
    return to_geojson(reproject(simple, RD, WGS84))


def bounds(geom: BaseGeometry) -> tuple[float, float, float, float]:
    """(west, south, east, north) as the rounded outline to_geojson writes has them (rounding keeps order)."""
    return tuple(round(v, COORDINATE_DECIMALS) for v in geom.bounds)


def full_geojson(geom: BaseGeometry, crs: CRS) -> str:
    """The whole outline in WGS84, straight from the source CRS (no detour through RD New)."""
    return to_geojson(reproject(geom, crs, WGS84))
