"""Lighthouse on a simulated phone (issue 16): every public page and the main Datasette pages, in
Dutch and English, against the targets below. Part of `make bench`, not of `make test`.

    python -m bench.lighthouse --base http://127.0.0.1:8001 [--db data/woningbouwplannen.db]

prints a markdown table and exits 1 when a page misses a target. Lighthouse comes from npm
(bench/package.json, pinned; `npm ci --prefix bench`), Chromium from Debian. The mobile preset with
its default simulated throttling (slow 4G, 4x CPU slowdown) is Lighthouse's own default: no flags.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import urllib.parse
from pathlib import Path

import yaml

from ingest.schema import DATABASE as DB
from portal.chromium import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", CHROMIUM)
CHROME_FLAGS = ["--headless=new", *CHROMIUM_ARGS]  # the flags the browser tests use (portal/chromium.py)
LANGUAGES = ("", "/en")  # Dutch has no prefix
# Issue 16 item 3, "every public page is fast on a phone": a page passes when it meets all of them.
TARGETS = {"score": 90, "lcp_ms": 2500, "tbt_ms": 200, "cls": 0.1, "transfer_kb": 300}
ATTEMPTS = 2  # Lighthouse sometimes loses the trace (NO_NAVSTART, NO_FCP) under load: once more


def _largest_plan(conn) -> str:
    # the plan with the most homes: its pages carry the most (history, outline), like bench/urls.yml
    return conn.execute("select plan_id from plannen order by woningen desc, plan_id limit 1").fetchone()[0]


def first_canned_query() -> str | None:
    """The first canned query in metadata.yml that needs no parameter and writes nothing."""
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    queries = ((metadata.get("databases") or {}).get(DB) or {}).get("queries") or {}
    for name, q in queries.items():
        sql = q if isinstance(q, str) else q.get("sql", "")
        if sql and not re.search(r"(?<!:):[A-Za-z_]\w*", sql) and not (isinstance(q, dict) and q.get("write")):
            return name
    return None


def public_paths(db_path) -> list[str]:
    """Every public page (plugins/seo.py PAGES, a plan, a municipality, search, changes) and the main
    Datasette pages (database, table, a filtered table, a canned query, a plan's row), Dutch then
    English. Plan and municipality come from the database at db_path."""
    sys.path.insert(0, str(ROOT))
    from datasette.utils import tilde_encode

    from plugins.seo import PAGES

    conn = sqlite3.connect(f"file:{db_path}?mode=ro&immutable=1", uri=True)
    try:
        plan = tilde_encode(_largest_plan(conn))
        codes = [r[0] for r in conn.execute("select gemeentecode from gemeenten order by gemeentecode")]
    finally:
        conn.close()
    gemeente = "GM0363" if "GM0363" in codes else codes[0]
    word = yaml.safe_load((BENCH / "urls.yml").read_text()).get("search_word", "houtbouw")
    pages = [
        *PAGES,
        f"/plan/{plan}",
        f"/gemeente/{gemeente}",
        "/zoeken?" + urllib.parse.urlencode({"q": word}),
        "/wijzigingen",
        f"/{DB}",
        f"/{DB}/plannen",
        f"/{DB}/plannen?provincie=Utrecht&hardheid=hard",
    ]
    canned = first_canned_query()
    if canned:
        pages.append(f"/{DB}/{canned}")
    pages.append(f"/{DB}/plannen/{plan}")
    return [prefix + p for prefix in LANGUAGES for p in pages]


def measures(report: dict) -> dict:
    """The figures of one Lighthouse JSON report (lhr) that the targets speak of."""
    audits = report["audits"]
    value = lambda key: audits.get(key, {}).get("numericValue")  # noqa: E731
    score = report["categories"]["performance"]["score"]
    lcp, tbt, cls, weight = (
        value(k)
        for k in ("largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "total-byte-weight")
    )
    return {
        "score": None if score is None else round(score * 100),
        "lcp_ms": None if lcp is None else round(lcp),
        "tbt_ms": None if tbt is None else round(tbt),
        "cls": None if cls is None else round(cls, 3),
        "transfer_kb": None if weight is None else round(weight / 1024, 1),
        "error": (report.get("runtimeError") or {}).get("code"),
    }


def verdict(figures: dict) -> dict:
    """figures plus passes and fails (the target keys missed; a missing figure misses its target)."""
    fails = []
    for key, limit in TARGETS.items():
        v = figures.get(key)
        if v is None or (v < limit if key == "score" else v > limit):
            fails.append(key)
    return {**figures, "passes": not fails, "fails": fails}


def run_one(url: str, out: Path) -> dict:
    """One Lighthouse run: the JSON report at out, its figures."""
    cmd = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        f"--output-path={out}",
        "--only-categories=performance",
        "--quiet",
        "--chrome-flags=" + " ".join(CHROME_FLAGS),
    ]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env=dict(os.environ, CHROME_PATH=CHROME_PATH), timeout=300
    )
    if not out.exists():
        return {"error": f"lighthouse exit {proc.returncode}: {(proc.stderr or proc.stdout)[-300:]}"}
    figures = measures(json.loads(out.read_text()))
    if proc.returncode and not figures["error"]:
        figures["error"] = f"lighthouse exit {proc.returncode}"
    return figures


def audit(base_url: str, paths: list[str], out_dir, log=lambda msg: None) -> dict:
    """Lighthouse (mobile, simulated throttling) on base_url + each path, one after the other (a
    second browser on the same cores would inflate the blocking time). Returns per path its figures
    (score 0-100, lcp_ms, tbt_ms, cls, transfer_kb), passes and fails; the reports stay in out_dir."""
    if not LIGHTHOUSE.exists():
        raise RuntimeError(f"{LIGHTHOUSE} missing: npm ci --prefix {BENCH.relative_to(ROOT)} --no-audit --no-fund")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {}
    for i, path in enumerate(paths):
        name = re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_") or "home"
        for _attempt in range(ATTEMPTS):
            report = out_dir / f"{i:02d}-{name}.json"
            report.unlink(missing_ok=True)
            figures = run_one(base_url.rstrip("/") + path, report)
            if not figures.get("error"):
                break
        results[path] = verdict(figures)
        r = results[path]
        log(
            f"  lighthouse {path}: {r.get('score')} (LCP {r.get('lcp_ms')} ms, TBT {r.get('tbt_ms')} ms, "
            f"CLS {r.get('cls')}, {r.get('transfer_kb')} KiB)"
            + (f" misses {', '.join(r['fails'])}" if r["fails"] else "")
            + (f" [{r['error']}]" if r.get("error") else "")
        )
    return results


def markdown(results: dict) -> list[str]:
    """Markdown lines: one row per page, the targets in the header, misses in bold."""
    t = TARGETS
    lines = [
        f"| page | score (>= {t['score']}) | LCP ms (<= {t['lcp_ms']}) | TBT ms (<= {t['tbt_ms']}) "
        f"| CLS (<= {t['cls']}) | transfer KiB (<= {t['transfer_kb']}) | passes |",
        "|---|---|---|---|---|---|---|",
    ]
    for path, r in results.items():
        cell = lambda key: "–" if r.get(key) is None else (f"**{r[key]}**" if key in r["fails"] else str(r[key]))  # noqa: E731
        passes = "yes" if r["passes"] else "no" + (f" ({r['error']})" if r.get("error") else "")
        lines.append(
            f"| `{path}` | {cell('score')} | {cell('lcp_ms')} | {cell('tbt_ms')} | {cell('cls')} "
            f"| {cell('transfer_kb')} | {passes} |"
        )
    missed = sum(not r["passes"] for r in results.values())
    lines += [
        "",
        f"{len(results) - missed} of {len(results)} pages meet every target (Lighthouse mobile preset, "
        "simulated throttling; transfer is the first visit, nothing cached).",
    ]
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--base",
        help="the served portal, e.g. http://127.0.0.1:8001 (default: serve --db here, like make serve, for the run)",
    )
    parser.add_argument(
        "--db",
        default=str(ROOT / "data" / "woningbouwplannen.db"),
        help="the database it serves (for a plan and a municipality to measure)",
    )
    parser.add_argument("--out", default=str(BENCH / "out" / "lighthouse"), help="where the JSON reports go")
    parser.add_argument("--only", action="append", default=[], help="measure only paths containing this (repeatable)")
    args = parser.parse_args(argv)
    paths = [p for p in public_paths(args.db) if not args.only or any(o in p for o in args.only)]
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    server = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: still stop the server it started
    if not args.base:
        from . import measure  # the make serve command line (deploy/serve_prod.py datasette_args)

        link, inspect = measure.serve_dir(Path(args.db), Path(args.out) / "serve")
        server = measure.start_ours(link, inspect, Path(args.out) / "serve" / "datasette.log")
    try:
        results = audit(args.base or server.url, paths, args.out, log=log)
    finally:
        if server:
            server.stop()
    (Path(args.out) / "results.json").write_text(json.dumps(results, indent=1))
    print("\n".join(markdown(results)))
    return 0 if all(r["passes"] for r in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
