"""Deterministic generator of SAMPLE LMVW releases (voorbeelddata) in the shape of the public release.

VOORBEELDDATA: every project, name, outline and figure written here is INVENTED. Only the
municipality codes, names, provinces and boundaries are real (data/reference/gemeenten.csv and
gemeenten_2025.geojson); the woondeal regions are invented too ("... (voorbeeldregio)"). The files
have the shape of the static files behind the Nationale Woningbouwkaart (BZK / Landelijke Monitor
Voortgang Woningbouw) as third-party code that reads them reports it
(shared research note lmvw-release.md), not their content.

Output, two releases half a year apart (the newer evolves the older):

  data/sample/woningbouwkaart/2025-04-01/   peilmoment "Voorjaar 2025" (a season label)
  data/sample/woningbouwkaart/2025-10-01/   peilmoment "2025-10-01"    (an ISO date)

each with the four files of the release (gzip, no Content-Encoding, as served):

  project2.json.gz            GeoJSON FeatureCollection, one Point per project, every attribute;
                              price classes sparse (absent is not 0), numbers sometimes floats
  project_shape_topo.json.gz  TopoJSON, object `data`, no transform (absolute lon/lat arcs), one
                              area per project for about 70% of them, properties project_id and
                              gemeente_code only
  gemeente.json.gz            list, one object per municipality with projects: official totals
  woondeal.json.gz            list, one object per woondeal region: sums of its municipalities

With the mess the real release has, each reported by the ingest: municipality names as the LMVW
spells them (Den Haag, Hengelo, Bergen (NH), Den Bosch, Sudwest-Fryslan), a name matching no
municipality, the ambiguous "Bergen", a wrong province, unknown Planstatus labels, a point outside
the Netherlands, null geometries, a duplicate project_id, a missing Plannaam, price classes adding
up to more than bruto, negative netto (restructuring), MultiPolygons, a self-intersecting area, an
area without project, a null area, areas missing in the newer release (the two files out of step),
and three municipalities per release whose official Netto differs from the sum of their projects.

The official totals in gemeente.json are sums over the projects a loader can attribute and accept:
the project without Plannaam, the second feature of the duplicate id and the two projects whose
municipality name cannot be resolved (Nieuwland, Bergen) are left out of them, so that the three
deliberate differences are the only ones. Hard = Onherroepelijk + Vastgesteld; Zacht = the rest
(unknown labels included).

Fixed seed; gzip with mtime 0: reruns give identical bytes. Run: make sample

At another scale (the benchmark, bench/generate_release.py): --projects N gives N projects in the
older release and new projects in proportion, with the same handful of each quirk (the unknown
Planstatus labels stay a share); --out DIR writes the two release folders there. Without flags
the output is the sample's, byte for byte.

    python scripts/generate_sample_release.py --projects 82000 --out /tmp/lmvw10x/releases
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate_sample as gs  # noqa: E402  (municipalities, weights, point_in, size, names)
import generate_sample_geo as gsg  # noqa: E402  (blob, RD transform, municipality shapes in RD)

ROOT = gs.ROOT
OUT = ROOT / "data/sample/woningbouwkaart"
SEED = 20250401
N_OLD = 3260  # projects of the older release (plus the two with an unresolvable municipality name)
N_NEW_PROJECTS = 150  # projects that appear in the newer release
ID_RANGE = (10001, 69999)  # project ids of the older release (wider at a larger scale, see scale())
RELEASES = (("2025-04-01", "Voorjaar 2025"), ("2025-10-01", "2025-10-01"))
TO_WGS = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
RNG = random.Random(SEED)  # one random stream for the whole run (reseeded by --seed)

# Planstatus as the LMVW writes it; weights tuned so that hard is 40-50% of netto.
STATUSES = [("Onherroepelijk", 23), ("Vastgesteld", 21), ("In voorbereiding", 26), ("Visie", 16), ("Idee", 14)]
STATUS_STEP = ["Idee", "Visie", "In voorbereiding", "Vastgesteld", "Onherroepelijk"]
HARD = {"Onherroepelijk", "Vastgesteld"}
UNKNOWN_STATUS = ["Principeverzoek", "Haalbaarheidsstudie"]  # labels the mapping does not know
UNKNOWN_SHARE = 0.01

# Price class, share of projects on which it is present (real release: Sociale huur 37%, Dure koop 1%).
CLASSES = [
    ("Sociale huur", 0.37),
    ("Middenhuur", 0.24),
    ("Dure huur", 0.08),
    ("Huur onbekend", 0.14),
    ("Betaalbare koop", 0.22),
    ("Dure koop", 0.01),
    ("Koop onbekend", 0.19),
]
ZERO_OK = {"Middenhuur", "Dure huur", "Betaalbare koop"}  # these also occur present with value 0
FLOAT_SHARE = 0.25  # whole numbers written as 35.0
AREA_SHARE = 0.70

# The LMVW's spelling of some municipalities (the CBS name is in gemeenten.csv).
LMVW_NAME = {"GM0518": "Den Haag", "GM0164": "Hengelo", "GM0373": "Bergen (NH)"}
# ... and a variant spelling on a few projects only (the municipality file keeps the CBS name).
VARIANT = {"GM0796": ("Den Bosch", 4), "GM1900": ("Sudwest-Fryslan", 3)}
# enough projects there that the variant spellings stay a minority
MORE_WEIGHT = {"GM1900": 6, "GM0164": 5, "GM0373": 3}
UNRESOLVABLE = [  # (name written, where the project really lies): never matched to one municipality
    ("Nieuwland", "GM1961"),  # a village of Vijfheerenlanden, not a municipality
    ("Bergen", "GM0373"),  # ambiguous: Bergen (NH.) or Bergen (L.)
]
FOREIGN_POINTS = [[2.0, 48.8], [2.35, 48.86]]  # near Paris: outside the Netherlands


# ------------------------------------------------------------------ projects (release-independent)


def pick_status(rng) -> str:
    if rng.random() < UNKNOWN_SHARE:
        return rng.choice(UNKNOWN_STATUS)
    return rng.choices([s for s, _ in STATUSES], weights=[w for _, w in STATUSES])[0]


def price_classes(rng, bruto: int) -> dict:
    """Sparse: only the classes present, summing to at most bruto (some homes unassigned)."""
    present = [c for c, share in CLASSES if rng.random() < share]
    if not present:
        return {}
    weights = {c: rng.uniform(0.2, 1.0) for c in present}
    zero = {c for c in present if c in ZERO_OK and rng.random() < 0.07}
    total_w = sum(w for c, w in weights.items() if c not in zero) or 1
    assigned = bruto * (1.0 if rng.random() < 0.6 else rng.uniform(0.5, 0.95))
    out = {c: (0 if c in zero else int(assigned * weights[c] / total_w)) for c, _ in CLASSES if c in weights}
    return tidy(out)


def tidy(classes: dict) -> dict:
    """Only Middenhuur, Dure huur and Betaalbare koop are ever written with 0; others are left out."""
    return {c: v for c, v in classes.items() if v or c in ZERO_OK}


def wgs(geom):
    """RD New -> WGS84, rounded to 6 decimals (about 0.1 m)."""
    return shapely.transform(geom, lambda xy: np.round(np.column_stack(TO_WGS.transform(xy[:, 0], xy[:, 1])), 6))


def rd(geom):
    """WGS84 -> RD New (metres)."""
    return shapely.transform(geom, lambda xy: np.column_stack(gsg.TO_RD.transform(xy[:, 0], xy[:, 1])))


def outline(rng, lon: float, lat: float, homes: int, within):
    """A plausible invented outline around the point: 25-50 homes per ha, at least 1 ha,
    clipped to its municipality (so inside the Netherlands); WGS84."""
    center = gsg.rd(lon, lat)
    area = max(1.0, max(homes, 1) / rng.uniform(25, 50)) * 10000
    poly = gsg.blob(rng, center, area)
    if within is not None:
        for _ in range(6):
            parts = [g for g in shapely.get_parts(poly.intersection(within)) if isinstance(g, Polygon)]
            if parts and max(p.area for p in parts) >= 0.5 * area:
                poly = max(parts, key=lambda p: p.area)
                break
            area *= 0.5
            poly = gsg.blob(rng, center, area)
        else:
            return None
    geom = wgs(poly)
    if not geom.is_valid or geom.is_empty:
        geom = max(shapely.get_parts(geom.buffer(0)), key=lambda p: p.area, default=None)
    if geom is None or geom.is_empty or not isinstance(geom, Polygon):
        return None
    return orient(geom, 1.0)  # exterior counter-clockwise, as RFC 7946 has it


class World:
    def __init__(self, rng):
        self.rng = rng
        self.gemeenten = gs.load_gemeenten()
        self.by_code = {g["gemeentecode"]: g for g in self.gemeenten}
        self.shapes = gs.load_shapes()
        self.rd_shapes = gsg.municipalities()
        weights = {**gs.CITIES, **MORE_WEIGHT}
        self.weights = [weights.get(g["gemeentecode"], 1 + (rng.random() < 0.25) * 2) for g in self.gemeenten]
        self.names_used: set = set()

    def name(self, code: str) -> str:
        for _ in range(50):
            name = f"{self.rng.choice(gs.PLACES)} {self.rng.choice(gs.KINDS)}"
            if (code, name) not in self.names_used:
                break
        self.names_used.add((code, name))
        return name

    def project(self, pid: int, g: dict) -> dict:
        rng = self.rng
        code = g["gemeentecode"]
        bruto = gs.size(rng)
        sloop = rng.randint(1, max(1, int(bruto * 0.4))) if rng.random() < 0.10 else 0
        lat, lon = gs.point_in(rng, g, self.shapes)
        p = {
            "pid": pid,
            "code": code,
            "naam": self.name(code),
            "status": pick_status(rng),
            "bruto": bruto,
            "sloop": sloop,
            "classes": price_classes(rng, bruto),
            "lon": lon,
            "lat": lat,
            "gemeente": LMVW_NAME.get(code, g["gemeentenaam"]),
            "provincie": g["provincie"],
            "counted": True,
            "area": None,
            "tags": set(),
        }
        if rng.random() < AREA_SHARE:
            p["area"] = outline(rng, lon, lat, bruto, self.rd_shapes.get(code))
        return p

    def random_gemeente(self) -> dict:
        return self.rng.choices(self.gemeenten, weights=self.weights)[0]


def plain(projects, n):
    """n random projects without any quirk yet."""
    return random_sample([p for p in projects if not p["tags"]], n)


def random_sample(pool, n):
    return RNG.sample(pool, n)


def scale(projects: int) -> None:
    """Another number of projects in the older release: new projects in proportion, and an id
    range as sparse as the sample's (ids stay below 70000 only at the sample's scale)."""
    global N_OLD, N_NEW_PROJECTS, ID_RANGE
    base_old, base_new = N_OLD, N_NEW_PROJECTS
    lo, hi = ID_RANGE
    N_OLD = projects
    N_NEW_PROJECTS = max(1, round(base_new * projects / base_old))
    if projects > base_old:
        ID_RANGE = (lo, lo + math.ceil((hi - lo) * projects / base_old))


def build_old(world: World) -> list[dict]:
    rng = world.rng
    ids = sorted(rng.sample(range(*ID_RANGE), N_OLD + 40))
    projects = []
    for i in range(N_OLD):
        g = world.gemeenten[i] if i < len(world.gemeenten) else world.random_gemeente()  # every municipality
        projects.append(world.project(ids[i], g))
    rng.shuffle(projects)  # not ordered by municipality
    projects.sort(key=lambda p: p["pid"])
    # persistent quirks (the same projects in both releases)
    for code, (spelling, n) in VARIANT.items():
        for p in random_sample([p for p in projects if p["code"] == code and not p["tags"]], n):
            p["gemeente"] = spelling
            p["tags"].add("variant_name")
    extra = iter(ids[N_OLD:])
    for spelling, code in UNRESOLVABLE:
        p = world.project(next(extra), world.by_code[code])
        p.update(gemeente=spelling, counted=False)
        p["tags"].add("unresolvable_name")
        projects.append(p)
    for p in plain(projects, 4):  # restructuring: more demolished than built
        p["sloop"] = p["bruto"] + rng.randint(15, 120)
        p["tags"].add("negative_netto")
    multi = 0
    for p in plain([p for p in projects if p["area"] is not None], 12):  # 3 plans in two parts
        if multi == 3:
            break
        a = p["area"]
        rd_a = rd(a)
        step = 3 * math.sqrt(rd_a.area) + 60  # metres: a second part a little way off
        cx, cy = rd_a.centroid.coords[0]
        second = outline(
            rng, *TO_WGS.transform(cx + step, cy + step * 0.3), max(10, p["bruto"] // 3), world.rd_shapes.get(p["code"])
        )
        if second is not None and not second.intersects(a):
            p["area"] = MultiPolygon([a, second])
            p["tags"].add("multipolygon")
            multi += 1
    return projects


def evolve(world: World, old: list[dict]) -> tuple[list[dict], dict]:
    """The same projects half a year later, plus new ones; returns (projects, what changed)."""
    rng = world.rng
    changes = {k: [] for k in ("withdrawn", "status_up", "status_down", "homes", "class_shift", "new", "area_dropped")}
    keep = []
    for p in old:
        if not p["tags"] and rng.random() < 0.05:
            changes["withdrawn"].append(p["pid"])
            continue
        q = dict(p, classes=dict(p["classes"]), tags=set(p["tags"]))
        r = rng.random()
        if q["status"] in STATUS_STEP:
            step = STATUS_STEP.index(q["status"])
            if r < 0.21 and step < len(STATUS_STEP) - 1:  # about 15% of all projects advance
                q["status"] = STATUS_STEP[step + 1]
                changes["status_up"].append(q["pid"])
            elif 0.21 <= r < 0.22 and step > 0:  # a few go back
                q["status"] = STATUS_STEP[step - 1]
                changes["status_down"].append(q["pid"])
        if "negative_netto" not in q["tags"] and rng.random() < 0.08:
            factor = rng.choice([0.7, 0.85, 0.9, 1.1, 1.2, 1.4])
            new_bruto = max(1, round(q["bruto"] * factor))
            if new_bruto != q["bruto"]:
                q["classes"] = tidy({c: int(v * new_bruto / q["bruto"]) for c, v in q["classes"].items()})
                q["sloop"] = min(q["sloop"], new_bruto)
                q["bruto"] = new_bruto
                changes["homes"].append(q["pid"])
        if q["classes"] and rng.random() < 0.02:
            src = max(q["classes"], key=q["classes"].get)
            dst = rng.choice([c for c, _ in CLASSES if c != src])
            moved = max(1, q["classes"][src] // 3) if q["classes"][src] else 0
            if moved:
                q["classes"][src] -= moved
                q["classes"][dst] = q["classes"].get(dst, 0) + moved
                q["classes"] = tidy({c: q["classes"][c] for c, _ in CLASSES if c in q["classes"]})
                changes["class_shift"].append(q["pid"])
        keep.append(q)
    pid = max(70000, max(p["pid"] for p in old))  # new projects get higher ids
    for _ in range(N_NEW_PROJECTS):
        pid += rng.randint(1, 3)
        p = world.project(pid, world.random_gemeente())
        keep.append(p)
        changes["new"].append(p["pid"])
    keep.sort(key=lambda p: p["pid"])
    # the area file out of step: a few areas of the older release are missing in the newer one
    new_ids = set(changes["new"])
    for p in random_sample([p for p in keep if p["area"] is not None and not p["tags"] and p["pid"] not in new_ids], 5):
        p["area"] = None
        p["tags"].add("area_dropped")
        changes["area_dropped"].append(p["pid"])
    return keep, changes


# ------------------------------------------------------------------ rendering one release


def number(v: int):
    return float(v) if RNG.random() < FLOAT_SHARE else int(v)


def properties(p: dict, peil: str) -> dict:
    props = {
        "project_id": p["pid"],
        "Plannaam": p["naam"],
        "Planstatus": p["status"],
        "peilmoment": peil,
        "gemeente_naam": p["gemeente"],
        "provincie_naam": p["provincie"],
        "Netto Plancapaciteit": number(p["bruto"] - p["sloop"]),
        "Bruto Plancapaciteit": number(p["bruto"]),
    }
    for c, _ in CLASSES:
        if c in p["classes"]:
            props[c] = number(p["classes"][c])
    return props


def render(world: World, projects: list[dict], peil: str, *, orphan: dict, newer: bool):
    """(project2, topology, gemeente rows, woondeal rows, quirk report) of one release."""
    rng = world.rng
    projects = [dict(p, classes=dict(p["classes"]), tags=set(p["tags"])) for p in projects]  # this release's copy
    q = {
        k: []
        for k in (
            "null_geometry",
            "outside_nl",
            "duplicate_id",
            "no_plannaam",
            "wrong_province",
            "classes_over_bruto",
            "unknown_status",
            "negative_netto",
            "variant_name",
            "unresolvable_name",
            "multipolygon",
            "bowtie",
            "orphan_area",
            "null_area",
            "area_dropped",
            "floats",
        )
    }
    for p in projects:
        for tag in ("negative_netto", "variant_name", "unresolvable_name", "multipolygon", "area_dropped"):
            if tag in p["tags"]:
                q[tag].append(p["pid"] if tag != "unresolvable_name" else (p["pid"], p["gemeente"]))
        if p["status"] in UNKNOWN_STATUS:
            q["unknown_status"].append((p["pid"], p["status"]))

    # per-release quirks, on projects without any other quirk
    for p in plain(projects, 3):
        p["tags"].add("null_geometry")
        q["null_geometry"].append(p["pid"])
    p = random_sample([p for p in projects if not p["tags"] and p["area"] is None], 1)[0]
    p["tags"].add("outside_nl")
    p["lon"], p["lat"] = FOREIGN_POINTS[newer]
    q["outside_nl"].append(p["pid"])
    p = plain(projects, 1)[0]
    p["tags"].add("no_plannaam")
    p["counted"] = False
    q["no_plannaam"].append(p["pid"])
    provinces = sorted({g["provincie"] for g in world.gemeenten})
    for p in plain(projects, 2):
        p["tags"].add("wrong_province")
        p["provincie"] = rng.choice([x for x in provinces if x != p["provincie"]])
        q["wrong_province"].append((p["pid"], p["gemeente"], p["provincie"]))
    for p in plain([p for p in projects if p["classes"] and p["sloop"] == 0], 3 - newer):
        c = next(iter(p["classes"]))
        p["classes"][c] += p["bruto"] - sum(p["classes"].values()) + rng.randint(1, 4)
        p["tags"].add("classes_over_bruto")
        q["classes_over_bruto"].append((p["pid"], p["bruto"], sum(p["classes"].values())))
    original = plain(projects, 1)[0]
    g = world.by_code[original["code"]]
    dup = dict(
        original,
        naam=world.name(original["code"]),
        bruto=gs.size(rng),
        sloop=0,
        classes={},
        area=None,
        counted=False,
        tags={"duplicate_id"},
    )
    dup["lat"], dup["lon"] = gs.point_in(rng, g, world.shapes)
    q["duplicate_id"].append((original["pid"], original["naam"], dup["naam"]))

    features = []
    for p in projects + [dup]:
        props = properties(p, peil)
        if "no_plannaam" in p["tags"]:
            del props["Plannaam"]
        geometry = None if "null_geometry" in p["tags"] else {"type": "Point", "coordinates": [p["lon"], p["lat"]]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    q["floats"] = sum(
        isinstance(v, float)
        for f in features
        for k, v in f["properties"].items()
        if k not in ("project_id",) and not isinstance(v, str)
    )
    numeric = sum(not isinstance(v, str) for f in features for k, v in f["properties"].items() if k != "project_id")
    project2 = {"type": "FeatureCollection", "features": features}

    # areas
    with_area = [p for p in projects if p["area"] is not None]
    bowtie = random_sample([p for p in with_area if not p["tags"]], 1)[0]
    x0, y0, x1, y1 = bowtie["area"].bounds
    bowtie["area"] = Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    q["bowtie"].append(bowtie["pid"])
    null_area = random_sample([p for p in with_area if not p["tags"] and p is not bowtie], 1)[0]
    q["null_area"].append(null_area["pid"])
    q["orphan_area"].append(orphan["pid"])
    arcs: list = []
    geometries = []

    def ring(coords) -> int:
        arcs.append([[round(x, 6), round(y, 6)] for x, y in coords])
        return len(arcs) - 1

    def polygon_arcs(poly: Polygon):
        return [[ring(poly.exterior.coords)]] + [[ring(r.coords)] for r in poly.interiors]

    for p in sorted(with_area + [orphan], key=lambda p: p["pid"]):
        props = {"project_id": p["pid"], "gemeente_code": p["code"]}
        if p is null_area:
            geometries.append({"type": None, "properties": props})
            continue
        a = p["area"]
        if isinstance(a, MultiPolygon):
            geometries.append(
                {"type": "MultiPolygon", "arcs": [polygon_arcs(part) for part in a.geoms], "properties": props}
            )
        else:
            geometries.append({"type": "Polygon", "arcs": polygon_arcs(a), "properties": props})
    topology = {
        "type": "Topology",
        "objects": {"data": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }

    # official totals per municipality and woondeal region
    sums: dict[str, dict] = {}
    for p in projects:
        if not p["counted"]:
            continue
        s = sums.setdefault(p["code"], {"Netto": 0, "Hard totaal": 0, "Zacht totaal": 0})
        netto = p["bruto"] - p["sloop"]
        s["Netto"] += netto
        s["Hard totaal" if p["status"] in HARD else "Zacht totaal"] += netto
    regions = woondeal_regions(world)
    per_code = Counter(p["code"] for p in projects)
    candidates = [c for c in sorted(sums) if c not in LMVW_NAME and c not in VARIANT and per_code[c] >= 4]
    differs = []
    for code in random_sample(candidates, 3):
        ours = sums[code]["Netto"]
        official = ours + rng.choice([-1, 1]) * rng.randint(max(5, ours // 20), max(12, ours // 8))
        differs.append((code, world.by_code[code]["gemeentenaam"], ours, official))
    official = {c: official for c, _, _, official in differs}
    gemeente_rows = []
    for code in sorted(sums):
        g = world.by_code[code]
        s = sums[code]
        gemeente_rows.append(
            {
                "gemeente_code": code,
                "gemeente_naam": LMVW_NAME.get(code, g["gemeentenaam"]),
                "provincie_naam": g["provincie"],
                "woondeal_regio": regions[code],
                "peilmoment": peil,
                "Netto": number(official.get(code, s["Netto"])),
                "Hard totaal": number(s["Hard totaal"]),
                "Zacht totaal": number(s["Zacht totaal"]),
            }
        )
    woondeal: dict[str, dict] = {}
    for row in gemeente_rows:
        w = woondeal.setdefault(row["woondeal_regio"], {"Netto": 0, "Hard totaal": 0, "Zacht totaal": 0})
        for k in w:
            w[k] += int(row[k])
    woondeal_rows = [
        {"woondeal_regio": name, "peilmoment": peil, **{k: number(v) for k, v in w.items()}}
        for name, w in sorted(woondeal.items())
    ]
    counted = [p for p in projects if p["counted"]]
    hard = sum(p["bruto"] - p["sloop"] for p in counted if p["status"] in HARD)
    stats = {
        "projects": len(projects),
        "features": len(features),
        "areas": len(geometries),
        "municipalities": len(gemeente_rows),
        "woondeal_regions": len(woondeal_rows),
        "netto": sum(p["bruto"] - p["sloop"] for p in counted),
        "hard_share": hard / max(1, sum(p["bruto"] - p["sloop"] for p in counted)),
        "float_share": q["floats"] / numeric,
        "presence": {c: round(sum(c in p["classes"] for p in projects) / len(projects), 3) for c, _ in CLASSES},
        "zero": {c: sum(p["classes"].get(c) == 0 for p in projects) for c, _ in CLASSES},
        "netto_differs": differs,
    }
    return project2, topology, gemeente_rows, woondeal_rows, q, stats


def woondeal_regions(world: World) -> dict[str, str]:
    """Invented sample regions: one to three per province, split north to south."""
    out = {}
    by_prov: dict[str, list] = {}
    for g in world.gemeenten:
        by_prov.setdefault(g["provincie"], []).append(g)
    for prov, gs_ in sorted(by_prov.items()):
        gs_.sort(key=lambda g: -float(g["latitude"]))
        parts = ["Noord", "Midden", "Zuid"] if len(gs_) >= 40 else ["Noord", "Zuid"] if len(gs_) >= 15 else [""]
        for i, g in enumerate(gs_):
            part = parts[i * len(parts) // len(gs_)]
            out[g["gemeentecode"]] = f"{prov} {part} (voorbeeldregio)" if part else f"{prov} (voorbeeldregio)"
    return out


def write_gz(path: Path, doc) -> int:
    data = gzip.compress(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), mtime=0)
    path.write_bytes(data)
    return len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--projects",
        type=int,
        default=N_OLD,
        help=f"projects in the older release (default {N_OLD}); new projects in proportion",
    )
    args = parser.parse_args()
    if args.projects < 100:
        parser.error("--projects: at least 100 (the quirks need projects without any other quirk)")
    if args.projects != N_OLD:
        scale(args.projects)
    RNG.seed(args.seed)
    world = World(RNG)
    old = build_old(world)
    new, changes = evolve(world, old)
    old_ids = {p["pid"] for p in old}
    # the area file out of step in both releases: the older one already has the area of a project
    # that only appears in the newer release; the newer one still has that of a withdrawn project
    orphan_old = next(p for p in new if p["pid"] in changes["new"] and p["area"] is not None)
    orphan_new = next(p for p in old if p["pid"] in changes["withdrawn"] and p["area"] is not None)
    assert orphan_old["pid"] not in old_ids
    print("VOORBEELDDATA (verzonnen projecten in de vorm van de LMVW-release)")
    for (folder, peil), projects, orphan, newer in (
        (RELEASES[0], old, orphan_old, False),
        (RELEASES[1], new, orphan_new, True),
    ):
        project2, topology, gemeente_rows, woondeal_rows, q, stats = render(
            world, projects, peil, orphan=orphan, newer=newer
        )
        out = args.out / folder
        out.mkdir(parents=True, exist_ok=True)
        sizes = {
            name: write_gz(out / name, doc)
            for name, doc in (
                ("project2.json.gz", project2),
                ("project_shape_topo.json.gz", topology),
                ("gemeente.json.gz", gemeente_rows),
                ("woondeal.json.gz", woondeal_rows),
            )
        }
        print(f"\n{out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}  peilmoment {peil!r}")
        print("  " + ", ".join(f"{n} {s:,} B" for n, s in sizes.items()))
        print(
            f"  {stats['projects']} projecten ({stats['features']} features), {stats['areas']} vlakken, "
            f"{stats['municipalities']} gemeenten, {stats['woondeal_regions']} woondealregio's; "
            f"netto {stats['netto']:,}, hard {stats['hard_share']:.1%}, floats {stats['float_share']:.1%}"
        )
        print("  prijsklasse aanwezig: " + ", ".join(f"{c} {v:.1%}" for c, v in stats["presence"].items()))
        print("  prijsklasse met 0: " + ", ".join(f"{c} {v}" for c, v in stats["zero"].items() if v))
        for k, v in q.items():
            if k != "floats":
                print(f"  {k}: {len(v)} {v if len(v) <= 40 else str(v[:10])[:-1] + ', ...]'}")
        for code, name, ours, official in stats["netto_differs"]:
            print(f"  netto_differs: {code} {name}: som projecten {ours}, gemeente.json {official}")
        if newer:
            print("  t.o.v. vorige release: " + ", ".join(f"{k} {len(v)}" for k, v in changes.items()))


if __name__ == "__main__":
    main()
