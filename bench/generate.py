"""Generated national-scale benchmark exports (voorbeelddata, invented plans).

Reuses scripts/generate_sample.py's plan model (make_plan, evolve, write_csv) without
changing its output: N plans over all municipalities, evolved over P quarterly
peildatums, written as CSV exports in the reference LMVW layout, plus one plan area
per plan as a GeoPackage in RD New (EPSG:28992, attribute plan_id), and a manifest.

    python -m bench.generate --out bench/out/national -n 30000 --peildatums 12
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GEMEENTEN_CSV = ROOT / "data" / "reference" / "gemeenten.csv"
PLANGEBIEDEN_KIND = ROOT / "ingest" / "kinds" / "plangebieden.py"
SEED = 7_2026


def _sample_module():
    """scripts/ is not a package: load generate_sample.py by path (read-only reuse)."""
    spec = importlib.util.spec_from_file_location("generate_sample", ROOT / "scripts" / "generate_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gs = _sample_module()


class _AnyName(set):
    """make_plan keeps names unique per municipality (468 combinations); at national scale
    big cities need more plans than that, so every name counts as unused here."""

    def __contains__(self, item) -> bool:
        return False

    def add(self, item) -> None:
        pass


def peildatums(count: int, last: str = "2025-10-01") -> list[str]:
    """`count` quarterly dates ending at `last`, oldest first."""
    year, month = int(last[:4]), int(last[5:7])
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}-01")
        month -= 3
        if month < 1:
            month += 12
            year -= 1
    return out[::-1]


def generate(n: int, n_peildatums: int, seed: int = SEED, use_shapes: bool = True):
    """Yields (peildatum, [plan dicts in the reference layout]), oldest first; at least n plans
    at the newest date. One export at a time, so memory stays that of one export."""
    rng = random.Random(seed)
    gemeenten = gs.load_gemeenten()
    shapes = gs.load_shapes() if use_shapes else {}
    weights = [gs.CITIES.get(g["gemeentecode"], 1 + (rng.random() < 0.25) * 2) for g in gemeenten]
    names = _AnyName()
    dates = peildatums(n_peildatums)
    # start a little below n; each quarter withdraws 0.5 % and adds 1 %
    start = int(n / (1.004 ** max(0, n_peildatums - 1))) + 1
    counter = 0

    def new_plan():
        nonlocal counter
        counter += 1
        g = gemeenten[counter - 1] if counter <= len(gemeenten) else rng.choices(gemeenten, weights=weights)[0]
        return gs.make_plan(rng, counter, g, shapes, names)

    current = [new_plan() for _ in range(start)]
    for i, peil in enumerate(dates):
        if i:
            current = [gs.evolve(rng, p) for p in current if rng.random() >= 0.005]
            current += [new_plan() for _ in range(int(len(current) * 0.01))]
        rows = []
        for plan in current:
            row = dict(plan)
            row["Peildatum"] = peil
            rows.append(row)
        yield peil, rows


def plan_areas(rows: list[dict]):
    """One octagon per plan around its point, sized by its number of homes, in RD New."""
    import geopandas as gpd
    import numpy as np
    import shapely
    from pyproj import Transformer

    lon = np.array([float(r["Longitude"]) for r in rows])
    lat = np.array([float(r["Latitude"]) for r in rows])
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(lon, lat)
    radius = np.sqrt(np.array([float(r["Aantal woningen"]) for r in rows])) * 12 + 20  # metres
    polygons = shapely.buffer(shapely.points(x, y), radius, quad_segs=2)
    return gpd.GeoDataFrame({"plan_id": [r["Plan-ID"] for r in rows]}, geometry=polygons, crs="EPSG:28992")


def write(
    out: Path, n: int, n_peildatums: int, seed: int = SEED, use_shapes: bool = True, with_areas: bool = True
) -> dict:
    """Exports, plan areas and manifest in `out`. with_areas=False writes the GeoPackage but leaves
    it out of the manifest (the 10x set: loading 300k areas takes minutes)."""
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    exports_dir = out / "exports"
    exports_dir.mkdir(exist_ok=True)
    sources = [{"kind": "gemeenten", "path": str(GEMEENTEN_CSV), "mapping": "gemeenten"}]
    files = []
    counts = {}
    for peil, rows in generate(n, n_peildatums, seed, use_shapes):
        counts[peil] = len(rows)
        latest = {}  # areas for the plans of the newest export (withdrawn plans have none)
        path = exports_dir / f"plannen_{peil}.csv"
        gs.write_csv(rows, path)
        files.append({"path": str(path.relative_to(out)), "peildatum": peil, "rows": len(rows)})
        sources.append({"kind": "plannen", "path": str(path.relative_to(out)), "peildatum": peil, "sample": True})
        for r in rows:
            latest[r["Plan-ID"]] = {k: r[k] for k in ("Plan-ID", "Latitude", "Longitude", "Aantal woningen")}
    areas = plan_areas(list(latest.values()))
    gpkg = out / "plangebieden.gpkg"
    gpkg.unlink(missing_ok=True)
    areas.to_file(gpkg, layer="plangebieden", driver="GPKG")
    # the geometry kind is another issue's work: list the areas only once it exists
    listed = with_areas and PLANGEBIEDEN_KIND.exists()
    if listed:
        sources.append({"kind": "plangebieden", "path": gpkg.name, "crs": "EPSG:28992", "sample": True})
    manifest = out / "sources.yml"
    manifest.write_text(
        "# Generated by bench/generate.py: invented benchmark plans (voorbeelddata).\n"
        + yaml.safe_dump({"sources": sources}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    info = {
        "plans_newest": counts[max(counts)],
        "plan_areas": len(latest),
        "peildatums": list(counts),
        "source_rows": sum(counts.values()),
        "files": files,
        "plangebieden": {"path": gpkg.name, "features": len(areas), "crs": "EPSG:28992", "in_manifest": listed},
        "seed": seed,
        "seconds": round(time.perf_counter() - t0, 1),
        "manifest": manifest.name,
    }
    (out / "dataset.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-n", type=int, default=30_000)
    parser.add_argument("--peildatums", type=int, default=12)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--no-shapes", action="store_true", help="points at municipality centres (faster)")
    parser.add_argument("--no-areas", action="store_true", help="leave plangebieden.gpkg out of the manifest")
    args = parser.parse_args(argv)
    info = write(args.out, args.n, args.peildatums, args.seed, not args.no_shapes, not args.no_areas)
    print(
        f"{args.out}: {info['plans_newest']} plannen op {info['peildatums'][-1]}, {info['source_rows']} bronrijen "
        f"in {len(info['files'])} exports, {info['seconds']} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
