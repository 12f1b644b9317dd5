"""`make bench`: national-scale and 10x data, built and served, each figure with a baseline
measured in the same run. Writes bench/out/results.json, prints a markdown report and writes it
into docs/benchmarks.md with the machine, versions, date and commit (--quick: bench/out/benchmarks.md).

    python -m bench                  # full run (~20-25 min on 2 cores)
    python -m bench --quick          # small data, short windows: checks the harness (~3 min)

Beside the CSV exports, the same run builds data in the format of the public LMVW release (issue
12; bench/generate_release.py, kind woningbouwkaart, two releases): 8,200 projects with their areas
(--release-n; national scale) and factor x that (800 and 2,400 with --quick). Only their build is
measured (time, peak RSS), in the table "LMVW-release vs CSV-export" with the ratio to the national
CSV build of this run; --reuse reuses them as it does the exports, --skip-release leaves them out.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import yaml

from . import attacks, floor, generate, generate_release, lighthouse, measure, report
from .measure import ROOT, serve_prod

OUT = ROOT / "bench" / "out"
DOCS = ROOT / "docs" / "benchmarks.md"  # committed: the one place the figures are quoted (README links to it)


def commit() -> dict:
    """The commit measured, and whether the checkout had uncommitted changes."""

    def git(*args):
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""

    return {"id": git("rev-parse", "--short", "HEAD") or None, "dirty": bool(git("status", "--porcelain", "-uno"))}


def write_reports(results: dict, docs: Path | None) -> str:
    """bench/out/results.json and results.md, and the docs page (docs/benchmarks.md on a full run)."""
    (OUT / "results.json").write_text(json.dumps(results, indent=1))
    markdown = report.markdown(results)
    (OUT / "results.md").write_text(markdown)
    if docs:
        docs.write_text(report.document(results))
    return markdown


def machine() -> dict:
    def first(cmd):
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
            lines = [
                line for line in (out.stdout + out.stderr).splitlines() if line.strip() and "unexpected" not in line
            ]
            return lines[0].strip() if lines else None
        except (OSError, subprocess.TimeoutExpired):
            return None

    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.*)", cpuinfo)
    mem = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
    os_release = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
    import datasette

    return {
        "cores": len(re.findall(r"^processor", cpuinfo, re.M)),
        "cpu": model.group(1) if model else None,
        "ram_gib": round(int(mem.group(1)) / 2**20, 1) if mem else None,
        "os": os_release.get("PRETTY_NAME", "").strip('"'),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "datasette": datasette.__version__,
        "nginx": first(["nginx", "-v"]),
        "wrk": first(["wrk", "-v"]),
        "chromium": first(["chromium", "--version"]),
        "note": "load client, servers and browser share the same cores; other work on the machine adds noise",
    }


def load_pages(db: Path) -> tuple[list[dict], list[dict]]:
    """bench/urls.yml with {plan_id}/{q} filled in, plus the first parameterless canned query."""
    cfg = yaml.safe_load((ROOT / "bench" / "urls.yml").read_text())
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    plan_id = conn.execute("select plan_id from plannen order by woningen desc, plan_id limit 1").fetchone()[0]
    conn.close()
    values = {"plan_id": urllib.parse.quote(plan_id), "q": urllib.parse.quote(cfg.get("search_word", "houtbouw"))}
    pages = []
    for p in cfg["pages"]:
        page = dict(p)
        page["path"] = p["path"].format(**values)
        page["plain"] = p.get("plain", p["path"]).format(**values)
        pages.append(page)
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    queries = ((metadata.get("databases") or {}).get("woningbouwplannen") or {}).get("queries") or {}
    for name, q in queries.items():
        sql = q if isinstance(q, str) else q.get("sql", "")
        if sql and not re.search(r"(?<!:):[A-Za-z_]\w*", sql) and not (isinstance(q, dict) and q.get("write")):
            pages.append(
                {
                    "name": f"canned:{name}",
                    "path": f"/woningbouwplannen/{name}",
                    "target": "no_slower",
                    "plain": "/woningbouwplannen?" + urllib.parse.urlencode({"sql": sql}),
                }
            )
            break
    return pages, cfg.get("maps", [])


def dataset(name: str, n: int, peildatums: int, reuse: bool, log, areas: bool = True) -> tuple[Path, dict]:
    out = OUT / name
    info_path = out / "dataset.json"
    if reuse and info_path.exists():
        info = json.loads(info_path.read_text())
        if (
            len(info["peildatums"]) == peildatums
            and info["plans_newest"] >= n
            and info["plangebieden"]["in_manifest"] == (areas and generate.PLANGEBIEDEN_KIND.exists())
        ):
            log(f"{name}: reusing generated exports ({info['plans_newest']} plans)")
            return out, info
    shutil.rmtree(out, ignore_errors=True)
    log(f"{name}: generating {n} plans x {peildatums} peildatums")
    return out, generate.write(out, n, peildatums, with_areas=areas)


def release_dataset(name: str, n: int, reuse: bool, log) -> tuple[Path, dict]:
    """A release dataset (bench/generate_release.py) of n projects, generated again unless reusable."""
    out = OUT / name
    info_path = out / "dataset.json"
    if reuse and info_path.exists() and (out / generate_release.RELEASES).is_dir():
        info = json.loads(info_path.read_text())
        if generate_release.matches(info, n):
            log(f"{name}: reusing generated releases ({info['plans_newest']} projects in the newest)")
            return out, info
    shutil.rmtree(out, ignore_errors=True)
    log(f"{name}: generating {n} projects x 2 releases (LMVW release format)")
    return out, generate_release.write(out, n)


def release_builds(scales: list[tuple[str, int]], csv_build: dict | None, reuse: bool, log, maps=()) -> dict:
    """Build each release dataset once: time and peak RSS, with the ratio to the CSV build given."""
    out = {}
    for name, n in scales:
        directory, info = release_dataset(name, n, reuse, log)
        db = directory / "woningbouwplannen.db"
        log(
            f"{name}: building {info['source_rows']} projects and {info['areas']} areas in {len(info['releases'])} releases"
        )
        build = measure.run_build(directory / "sources.yml", db)
        entry = {
            "dataset": {
                k: info[k]
                for k in ("projects", "plans_newest", "source_rows", "areas", "peildatums", "bytes", "generate_seconds")
            },
            "build": build,
            "db_rows": measure.table_rows(db, ("plannen", "plan_historie", "plangebieden")),
        }
        if csv_build:
            entry["vs_csv_national"] = {
                "seconds": round(build["seconds"] / csv_build["seconds"], 2),
                "peak_rss": round(build["peak_rss_mb"] / csv_build["peak_rss_mb"], 2),
            }
        log(
            f"{name}: build {build['seconds']} s, peak {build['peak_rss_mb']} MB"
            + (
                f" ({entry['vs_csv_national']['seconds']}x / {entry['vs_csv_national']['peak_rss']}x the CSV national "
                "build)"
                if csv_build
                else ""
            )
        )
        if any(m.get("release") for m in maps):  # served: /kaart and its plan areas on this data (bench/urls.yml)
            link, inspect = measure.serve_dir(db, directory / "serve")
            ours = measure.start_ours(link, inspect, directory / "serve" / "ours.log")
            try:
                entry["maps"] = browser_maps(ours.url, maps, db, directory, log, release=True)
            finally:
                ours.stop()
        out[name] = entry
    return out


def serve_pages(db: Path, directory: Path, pages: list[dict], budget_s: float, max_requests: int, log) -> dict:
    link, inspect = measure.serve_dir(db, directory)
    ours = measure.start_ours(link, inspect, directory / "ours.log")
    plain = measure.start_plain(link, directory / "plain.log")
    results = {"plain_plugins": json.loads(measure.fetch(plain.url + "/-/plugins.json")[1])}
    try:
        for page in pages:
            ours_r = measure.load_url(ours.url, page["path"], budget_s, max_requests)
            if ours_r.get("status") != 200 and page.get("optional"):
                log(f"  {page['name']}: {page['path']} answers {ours_r.get('status')} on our portal; skipped")
                continue
            plain_r = measure.load_url(plain.url, page["plain"], budget_s, max_requests)
            results[page["name"]] = {
                "path": page["path"],
                "plain_path": page["plain"],
                "target": page.get("target"),
                "ours": ours_r,
                "plain": plain_r,
            }
            log(
                f"  {page['name']}: ours {ours_r.get('rps')} req/s p95 {ours_r.get('p95_ms')} ms; "
                f"plain {plain_r.get('rps')} req/s p95 {plain_r.get('p95_ms')} ms"
            )
        # the full CSV the portal offers is the pre-built file (downloads page); Datasette's own
        # streamed CSV of the table is measured too
        results["csv"] = {
            "ours": measure.csv_download(ours.url + "/downloads/plannen.csv"),
            "stream": measure.csv_download(ours.url + "/woningbouwplannen/plannen.csv?_stream=on&_size=max"),
            "raw": measure.csv_raw(db),
        }
        log(
            f"  csv: ours {results['csv']['ours']['mb_s']} MB/s (stream {results['csv']['stream']['mb_s']}), "
            f"raw {results['csv']['raw']['mb_s']} MB/s"
        )
        results["map_paging_plain"] = measure.json_paging(
            plain.url, "/woningbouwplannen/plannen.json?_size=max&_labels=on&_shape=objects"
        )
        log(f"  plain JSON paging of all plans: {results['map_paging_plain']}")
        results["ours_url"] = ours.url
    finally:
        plain.stop()
        results["_ours"] = ours  # kept running for the browser step; run() stops it
    return results


def map_count(db: Path, where: str | None) -> int:
    """Plans a map should show: every plan with a point, within the map's filter (urls.yml `where`)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        sql = "select count(*) from plannen where latitude is not null" + (f" and ({where})" if where else "")
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def browser_maps(base: str, maps: list[dict], db: Path, directory: Path, log, release: bool = False) -> dict:
    out = {}
    for m in maps:
        if bool(m.get("release")) != release:  # urls.yml: maps measured on the LMVW-release data, or on the exports
            continue
        expected = map_count(db, m.get("where"))
        status = measure.fetch(base + m["path"])[0]
        if status != 200:
            if not m.get("optional"):
                out[m["name"]] = {"error": status}
            continue
        try:
            if m.get("outlines"):  # every plan, then the plan areas of the densest view
                out[m["name"]] = measure.browser_outlines(
                    base,
                    m["path"],
                    expected,
                    measure.dense_spot(db, m.get("where")),
                    shot=directory / f"map-{m['name']}.png",
                )
            else:
                out[m["name"]] = measure.browser_map(
                    base, m["path"], m["kind"], expected, shot=directory / f"map-{m['name']}.png"
                )
        except Exception as exc:  # a map that never finishes is a result, not a crash of the bench
            out[m["name"]] = {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        log(f"  map {m['name']}: {out[m['name']]}")
    return out


def load_test(db: Path, pages: list[dict], duration: float, max_requests: int, per_url_s: float, log) -> dict:
    """wrk over a mix of every page, through nginx: 1 replica, 2 replicas, 2 replicas with the cache."""
    paths_file = OUT / "loadtest-paths.txt"
    mix = [p["path"] for p in pages]
    paths_file.write_text("\n".join(mix) + "\n")
    out = {"mix": mix}
    for name, replicas, cache in (("1_replica", 1, False), ("2_replicas", 2, False), ("2_replicas_cache", 2, True)):
        dep = serve_prod.start(
            db,
            OUT / "prod" / name,
            f"127.0.0.1:{serve_prod.free_port()}",
            replicas,
            cache=cache,
            sql_rate="1000r/s",
            sql_burst=1000,
        )
        try:
            for path in mix:  # warm SQLite and, for the cache run, fill it (the variant wrk asks for)
                measure.fetch(dep.url + path, headers={"Accept-Encoding": "gzip"})
            out[name] = measure.wrk(dep.url + "/", duration, max_requests, paths_file=paths_file, gzip=True)
            log(f"  load {name}: {out[name]}")
            if cache:
                out["per_url_cached"] = {}
                for page in pages:
                    out["per_url_cached"][page["name"]] = measure.wrk(
                        dep.url + page["path"], per_url_s, 2000, gzip=True
                    )
                measure.csv_download(dep.url + "/woningbouwplannen/plannen.csv?_stream=on&_size=max")  # fills
                out["csv_cached"] = measure.csv_download(
                    dep.url + "/woningbouwplannen/plannen.csv?_stream=on&_size=max"
                )
                log(f"  cached per URL p95: {[(k, v['p95_ms']) for k, v in out['per_url_cached'].items()]}")
        finally:
            dep.stop()
    return out


def rerun(parts: list[str], args) -> int:
    """Measure some parts again without rebuilding (e.g. after a harness fix); marks them as rerun."""
    results = json.loads((OUT / "results.json").read_text())
    db = OUT / "national" / "woningbouwplannen.db"
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    pages, maps = load_pages(db)
    results.setdefault("rerun", {})
    if "maps" in parts:
        for name, scale in results["scales"].items():
            scale_db = OUT / name / "woningbouwplannen.db"
            link, inspect = measure.serve_dir(scale_db, OUT / name / "serve")
            ours = measure.start_ours(link, inspect, OUT / name / "serve" / "ours-rerun.log")
            try:
                scale["serving"]["maps"] = browser_maps(ours.url, maps, scale_db, OUT / name, log)
            finally:
                ours.stop()
        results["rerun"]["maps"] = dt.datetime.now().isoformat(timespec="seconds")
    if "loadtest" in parts:
        results["loadtest"] = load_test(
            db,
            pages,
            duration=max(4, args.duration * 3),
            max_requests=args.max_requests * 3,
            per_url_s=max(2, args.duration / 2),
            log=log,
        )
        results["rerun"]["loadtest"] = dt.datetime.now().isoformat(timespec="seconds")
    if "floor" in parts:  # SQL beside the whole request, each scale's own pages (bench/floor.py)
        for name, scale in results["scales"].items():
            scale_db = OUT / name / "woningbouwplannen.db"
            measure.serve_dir(scale_db, OUT / name / "serve")
            paths = [p["path"] for p in load_pages(scale_db)[0]]
            scale["serving"]["floor"] = floor.measure(OUT / name / "serve", paths)
        results["rerun"]["floor"] = dt.datetime.now().isoformat(timespec="seconds")
    results["targets"] = report.targets(results)
    quick = (results.get("config") or {}).get("quick")
    print(write_reports(results, OUT / "benchmarks.md" if quick and args.docs == DOCS else args.docs))
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30_000, help="plans at national scale")
    parser.add_argument("--peildatums", type=int, default=12)
    parser.add_argument("--factor", type=int, default=10, help="stress set = factor x national")
    parser.add_argument("--quick", action="store_true", help="3,000 plans, 3 peildatums, short windows")
    parser.add_argument("--reuse", action="store_true", help="reuse generated exports when they match")
    parser.add_argument("--duration", type=float, default=5, help="seconds per URL and server (longer for slow pages)")
    parser.add_argument("--max-requests", type=int, default=2000, help="requests per URL and server")
    parser.add_argument("--skip-stress", action="store_true")
    parser.add_argument(
        "--stress-peildatums",
        type=int,
        default=4,
        help="peildatums in the stress set (10x plans; history grows with this; 12 = like national)",
    )
    parser.add_argument(
        "--stress-areas",
        action="store_true",
        help="load plan areas in the stress set too (the plangebieden step dominates its build)",
    )
    parser.add_argument(
        "--release-n",
        type=int,
        default=8200,
        help="projects in the LMVW-release dataset at national scale (its stress set: factor x)",
    )
    parser.add_argument("--skip-release", action="store_true", help="leave out the LMVW-release datasets")
    parser.add_argument(
        "--docs",
        type=Path,
        default=None,
        help=f"where the report page goes (default: "
        f"{DOCS.relative_to(ROOT)}; with --quick {OUT.relative_to(ROOT)}/benchmarks.md)",
    )
    parser.add_argument(
        "--rerun",
        default="",
        help="comma list of parts (maps, loadtest, floor) to measure again on "
        "the existing builds, merged into bench/out/results.json",
    )
    args = parser.parse_args(argv)
    args.docs = args.docs or (OUT / "benchmarks.md" if args.quick else DOCS)
    if args.rerun:
        return rerun(args.rerun.split(","), args)
    if args.quick:
        args.n, args.peildatums, args.factor, args.duration, args.max_requests = 3000, 3, 3, 2, 300
        args.stress_peildatums = 3
        args.release_n = 800
    OUT.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    def log(msg):
        print(f"[{time.perf_counter() - t_start:6.0f}s] {msg}", file=sys.stderr, flush=True)

    results = {
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": commit(),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "scales": {},
    }
    scales = [("national", args.n)] + ([] if args.skip_stress else [(f"stress{args.factor}x", args.n * args.factor)])
    national_pages = None
    for name, n in scales:
        t0 = time.perf_counter()
        peildatums = args.peildatums if name == "national" else args.stress_peildatums
        out, info = dataset(name, n, peildatums, args.reuse, log, areas=name == "national" or args.stress_areas)
        db = out / "woningbouwplannen.db"
        log(f"{name}: building {info['source_rows']} source rows")
        scale = {"dataset": {k: info[k] for k in ("plans_newest", "source_rows", "peildatums", "plangebieden")}}
        scale["build"] = measure.run_build(out / "sources.yml", db)
        log(f"{name}: build {scale['build']['seconds']} s, peak {scale['build']['peak_rss_mb']} MB")
        scale["db_rows"] = measure.table_rows(db, ("plannen", "plan_historie", "plangebieden"))
        tables = ("plannen", "plan_historie") if name == "national" else ("plannen",)
        scale["insert"] = measure.insert_rates(db, tables)
        log(f"{name}: insert {scale['insert']}")
        pages, maps = load_pages(db)
        national_pages = national_pages or pages
        served = serve_pages(db, out / "serve", pages, args.duration, args.max_requests, log)
        ours = served.pop("_ours")
        try:
            served["maps"] = browser_maps(ours.url, maps, db, out, log)
            if name == "national":
                served["attacks"] = attacks.measure(ours.url, log)
                try:
                    results["lighthouse"] = lighthouse.audit(
                        ours.url, lighthouse.public_paths(db), out / "lighthouse", log
                    )
                except RuntimeError as exc:  # Lighthouse not installed: the rest of the bench still counts
                    results["lighthouse_error"] = str(exc)
                    log(f"  lighthouse: {exc}")
        finally:
            ours.stop()
        served["floor"] = floor.measure(out / "serve", [p["path"] for p in pages])  # alone: nothing else serving
        log(
            "  floor, SQL / request ms: "
            + ", ".join(
                f"{k} {v['sql_ms']} / {v['request_ms']}" for k, v in served["floor"].items() if isinstance(v, dict)
            )
        )
        scale["serving"] = served
        scale["seconds"] = round(time.perf_counter() - t0, 1)
        results["scales"][name] = scale
        (OUT / "results.json").write_text(json.dumps(results, indent=1))
    if not args.skip_release:
        release_scales = [("lmvw_national", args.release_n)] + (
            [] if args.skip_stress else [(f"lmvw_{args.factor}x", args.release_n * args.factor)]
        )
        results["releases"] = release_builds(
            release_scales,
            results["scales"]["national"]["build"],
            args.reuse,
            log,
            maps=yaml.safe_load((ROOT / "bench" / "urls.yml").read_text()).get("maps", []),
        )
        (OUT / "results.json").write_text(json.dumps(results, indent=1))
    log("load test through nginx (national)")
    results["loadtest"] = load_test(
        OUT / "national" / "woningbouwplannen.db",
        national_pages,
        duration=max(4, args.duration * 3),
        max_requests=args.max_requests * 3,
        per_url_s=max(2, args.duration / 2),
        log=log,
    )
    results["seconds"] = round(time.perf_counter() - t_start, 1)
    results["targets"] = report.targets(results)
    print(write_reports(results, args.docs))
    log(f"done: {OUT / 'results.json'}, {OUT / 'results.md'}, {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
