"""Measurements for `make bench`: build, HTTP load (wrk), CSV, browser map. 127.0.0.1 only.

Every function returns plain dicts (JSON-ready); run.py decides what to compare.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT / "deploy"))
import serve_prod  # noqa: E402  (deploy/ is scripts, not a package)

from portal.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

WRK_SCRIPT = BENCH / "wrk_report.lua"


# ---------------------------------------------------------------- build


def run_build(manifest: Path, db: Path) -> dict:
    """`python -m ingest build` as a child: wall time, peak RSS (wait4 rusage), its progress lines."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "build", "--sources", str(manifest), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise RuntimeError(f"build failed ({proc.returncode}):\n{output[-3000:]}")
    steps = re.findall(r"\[\s*([\d.]+)s\] (.*)", output)
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "steps": [{"at_s": float(t), "step": s} for t, s in steps],
        "summary": output.strip().splitlines()[-1],
    }


def table_rows(db: Path, tables) -> dict:
    """Rows per table of a built database (None: the table is not there)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        present = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] if t in present else None for t in tables}
    finally:
        conn.close()


def insert_rates(db: Path, tables=("plannen", "plan_historie"), repeat: int = 2) -> dict:
    """Rows/s of our writer (ingest.write.insert, dict rows, allow-listed columns) against a raw
    sqlite3.executemany of prebuilt tuples, for the same rows, same pragmas, one transaction."""
    from ingest import schema, write

    columns = {"plannen": schema.PLAN_COLUMNS, "plan_historie": schema.HISTORY_COLUMNS}
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    src.row_factory = sqlite3.Row
    out = {}
    for table in tables:
        cols = columns[table]
        rows = [dict(r) for r in src.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}]")]
        tuples = [tuple(r[c] for c in cols) for r in rows]
        best = {"ours": 1e9, "raw": 1e9}
        for _ in range(repeat):
            for kind in ("ours", "raw"):
                with tempfile.TemporaryDirectory(dir=BENCH / "out") as tmp:
                    conn = sqlite3.connect(Path(tmp) / "x.db")
                    conn.execute("PRAGMA journal_mode=OFF")
                    conn.execute("PRAGMA synchronous=OFF")
                    write.create_table(conn, table, cols)
                    t0 = time.perf_counter()
                    with conn:
                        if kind == "ours":
                            write.insert(conn, table, cols, rows)
                        else:
                            conn.executemany(f"insert into [{table}] values ({', '.join('?' * len(cols))})", tuples)
                    best[kind] = min(best[kind], time.perf_counter() - t0)
                    conn.close()
        out[table] = {
            "rows": len(rows),
            "ours_rows_s": round(len(rows) / best["ours"]),
            "raw_rows_s": round(len(rows) / best["raw"]),
            "ratio": round(best["raw"] / best["ours"], 2),
        }
    src.close()
    return out


# ---------------------------------------------------------------- servers


class Server:
    """One Datasette process on 127.0.0.1, stopped by its pid."""

    def __init__(self, args: list[str], port: int, log: Path):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(log, "w")
        self.proc = subprocess.Popen(args, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        serve_prod.wait_http(self.url + "/-/versions.json", self.proc, timeout=120)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def serve_dir(db: Path, directory: Path) -> tuple[Path, Path]:
    """A symlink named woningbouwplannen.db (so URLs are the same for both servers) and an inspect file."""
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / "woningbouwplannen.db"
    link.unlink(missing_ok=True)
    link.symlink_to(db.resolve())
    inspect = directory / "inspect.json"
    subprocess.run(
        [sys.executable, "-m", "datasette", "inspect", str(link), "--inspect-file", str(inspect)], check=True, cwd=ROOT
    )
    return link, inspect


def start_ours(link: Path, inspect: Path, log: Path) -> Server:
    port = serve_prod.free_port()
    return Server(serve_prod.datasette_args(link, inspect, port), port, log)


def start_plain(link: Path, log: Path) -> Server:
    port = serve_prod.free_port()
    return Server(
        [
            sys.executable,
            str(BENCH / "plain_datasette.py"),
            "serve",
            "-i",
            str(link),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        port,
        log,
    )


def fetch(url: str, headers: dict | None = None, timeout: float = 120) -> tuple[int, bytes, float, dict]:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=timeout) as r:
            body = r.read()
            return r.status, body, time.perf_counter() - t0, dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.perf_counter() - t0, dict(e.headers)


# ---------------------------------------------------------------- load


def wrk(
    url: str,
    duration: float,
    max_requests: int,
    connections: int = 8,
    threads: int = 2,
    paths_file: Path | None = None,
    gzip: bool = False,
) -> dict:
    """wrk at `connections` concurrency, bounded by duration and request count. gzip=True asks
    for gzip like every browser and CDN does (used through nginx, whose cache holds gzip)."""
    env = dict(os.environ, WRK_MAX_PER_THREAD=str(max(1, max_requests // threads)), WRK_PATHS=str(paths_file or ""))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "60s",
        "-s",
        str(WRK_SCRIPT),
        url,
    ] + (["-H", "Accept-Encoding: gzip"] if gzip else [])
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=duration + 90)
    match = re.search(r"WRKJSON (\{.*\})", out.stdout)
    if not match:
        raise RuntimeError(f"wrk gave no summary for {url}: {out.stdout[-500:]} {out.stderr[-500:]}")
    raw = json.loads(match.group(1))
    n = raw["requests"]
    seconds = raw["duration_us"] / 1e6
    errors = (
        raw["errors_connect"] + raw["errors_read"] + raw["errors_write"] + raw["errors_timeout"] + raw["status_4xx_5xx"]
    )
    ms = lambda us: round(us / 1000, 1) if n else None  # noqa: E731
    return {
        "requests": n,
        "seconds": round(seconds, 2),
        "rps": round(n / seconds, 1) if seconds else 0,
        "p50_ms": ms(raw["p50_us"]),
        "p95_ms": ms(raw["p95_us"]),
        "p99_ms": ms(raw["p99_us"]),
        "errors": errors,
        "mb": round(raw["bytes"] / 1e6, 1),
    }


def load_url(base: str, path: str, budget_s: float, max_requests: int) -> dict:
    """Warm up with one request (checks 200), then wrk; slow pages get a longer window, so
    that some requests finish at concurrency 8."""
    status, body, first_s, _ = fetch(base + path)
    if status != 200:
        return {"status": status, "error": body[:200].decode("utf-8", "replace")}
    duration = min(30.0, max(budget_s, first_s * 8 * 2.5))
    result = wrk(base + path, duration, max_requests)
    result.update({"status": status, "first_ms": round(first_s * 1000, 1), "bytes": len(body)})
    return result


# ---------------------------------------------------------------- CSV


def csv_download(url: str) -> dict:
    t0 = time.perf_counter()
    size = lines = 0
    with urllib.request.urlopen(url, timeout=600) as r:
        while chunk := r.read(1 << 20):
            size += len(chunk)
            lines += chunk.count(b"\n")
    seconds = time.perf_counter() - t0
    return {
        "mb": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "mb_s": round(size / 1e6 / seconds, 1),
        "lines": lines,
    }


def csv_raw(db: Path, table: str = "plannen") -> dict:
    """The floor: Python sqlite3 + csv writing the same rows to a file."""
    t0 = time.perf_counter()
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    cur = conn.execute(f"select * from [{table}] order by woningen desc, plan_id")
    with tempfile.NamedTemporaryFile("w", dir=BENCH / "out", suffix=".csv", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([d[0] for d in cur.description])
        for row in cur:
            w.writerow(row)
        f.flush()
        size = f.tell()
    conn.close()
    seconds = time.perf_counter() - t0
    return {"mb": round(size / 1e6, 1), "seconds": round(seconds, 2), "mb_s": round(size / 1e6 / seconds, 1)}


# ---------------------------------------------------------------- map


def json_paging(base: str, path: str, limit_s: float = 120) -> dict:
    """What the cluster map needs from plain Datasette: every page of the JSON API, no browser."""
    url, pages, rows, t0 = base + path, 0, 0, time.perf_counter()
    while url and time.perf_counter() - t0 < limit_s:
        status, body, _, _ = fetch(url)
        if status != 200:
            return {"error": status}
        doc = json.loads(body)
        pages += 1
        rows += len(doc["rows"])
        url = doc.get("next_url")
    return {"pages": pages, "rows": rows, "seconds": round(time.perf_counter() - t0, 2), "complete": not url}


# What a person sees on a map: every marker in the marker pane, a cluster bubble counting the
# plans it holds (Leaflet.markercluster's and static/kaart.js's bubbles carry the number), a
# single marker one plan. Both maps fit the view to all their plans, so all are in view.
SHOWN_ON_MAP = """() => [...document.querySelectorAll('.leaflet-marker-pane .leaflet-marker-icon')].reduce(
  (n, el) => n + (el.classList.contains('marker-cluster') ? (parseInt(el.textContent.replace(/\\D/g, ''), 10) || 0) : 1), 0)"""


def browser_map(base: str, path: str, kind: str, expected: int, limit_s: float = 45, shot: Path | None = None) -> dict:
    """Seconds from navigation until the map shows every plan, in headless Debian Chromium:
    until the markers and cluster bubbles on the map add up to `expected`. A plankaart
    (static/kaart.js; the plannen table shows one too when its filters allow) must also have
    set data-loaded; a datasette-cluster-map must have stopped paging (its pause/load-all button gone)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    host = urllib.parse.urlparse(base).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            blocked = []

            def route(r):
                if urllib.parse.urlparse(r.request.url).netloc == host:
                    r.continue_()
                else:  # no internet here: tiles and any other external request
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            t0 = time.perf_counter()
            page.goto(base + path, wait_until="domcontentloaded", timeout=limit_s * 1000)
            remaining_ms = lambda: max(1, (t0 + limit_s - time.perf_counter()) * 1000)  # noqa: E731
            try:
                page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=remaining_ms())
                if kind == "clustermap":
                    # a person clicks "load all" unless static/portal.js already did (twice loads every page twice)
                    button = page.query_selector("button.cluster-map-button:not([data-auto-clicked])")
                    if button is not None and button.inner_text().strip() == "load all":
                        button.click()
                # the cluster map's "Showing N of M" line has its pause/load-all button while pages remain
                done = (
                    "n => ("
                    + SHOWN_ON_MAP
                    + ")() === n && !document.querySelector('button.cluster-map-button')"
                    + (" && !!document.querySelector('.plankaart[data-loaded]')" if kind == "plankaart" else "")
                )
                page.wait_for_function(done, arg=expected, polling=50, timeout=remaining_ms())
            except PlaywrightTimeout:
                pass
            seconds = time.perf_counter() - t0
            shown = page.evaluate(SHOWN_ON_MAP)
            if shot:
                page.screenshot(path=str(shot))
            return {
                "seconds": round(seconds, 2),
                "complete": shown == expected,
                "shown": shown,
                "expected": expected,
                "blocked_external": len(blocked),
            }
        finally:
            browser.close()


def dense_spot(db: Path, where: str | None = None, cell: float = 0.02) -> tuple[float, float] | None:
    """(latitude, longitude) of the mean point of the plan areas in the cell (`cell` degrees of latitude, 1.5x
    that of longitude: about 2 km square) holding the most of them, among the plans `where` selects; None
    without plan areas."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    try:
        row = conn.execute(
            "select avg(g.latitude), avg(g.longitude), count(*) as n from plangebieden g join plannen p using (plan_id) "
            f"where {where or '1'} group by cast(g.latitude / ? as integer), cast(g.longitude / ? as integer) "
            "order by n desc limit 1",
            (cell, cell * 1.5),
        ).fetchone()
    finally:
        conn.close()
    return (row[0], row[1]) if row else None


def browser_outlines(
    base: str, path: str, expected: int, spot: tuple[float, float] | None, limit_s: float = 45, shot: Path | None = None
) -> dict:
    """A plankaart (static/kaart.js) in headless Chromium: seconds from navigation until every plan is on the
    map (as browser_map), then from zooming in on `spot` to the map's outline zoom (its planMap.outlineZoom)
    until the plan areas of the view are drawn (data-omtrekken), with the transfer bytes of that
    /-/plangebieden.json answer (gzip, as the browser got it) and what it held."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    host = urllib.parse.urlparse(base).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            answers = []
            page.on("response", lambda r: answers.append(r) if "/-/plangebieden.json?" in r.url else None)
            page.route(
                "**/*", lambda r: r.continue_() if urllib.parse.urlparse(r.request.url).netloc == host else r.abort()
            )  # no internet here: tiles and any other external request
            t0 = time.perf_counter()
            page.goto(base + path, wait_until="domcontentloaded", timeout=limit_s * 1000)
            remaining_ms = lambda: max(1, (t0 + limit_s - time.perf_counter()) * 1000)  # noqa: E731
            out: dict = {"expected": expected}
            try:
                page.wait_for_function(
                    "n => (" + SHOWN_ON_MAP + ")() === n && !!document.querySelector('.plankaart[data-loaded]')",
                    arg=expected,
                    polling=50,
                    timeout=remaining_ms(),
                )
            except PlaywrightTimeout:
                pass
            out["seconds"] = round(time.perf_counter() - t0, 2)
            out["shown"] = page.evaluate(SHOWN_ON_MAP)
            out["complete"] = out["shown"] == expected
            if spot is None:
                return {**out, "outlines": {"skipped": "geen plangebieden / no plan areas"}}
            zoom = page.evaluate("document.querySelector('.plankaart').planMap.outlineZoom")
            t1 = time.perf_counter()
            page.evaluate(
                "([lat, lon, z]) => document.querySelector('.plankaart').planMap.map.setView([lat, lon], z)",
                [spot[0], spot[1], zoom],
            )
            drawn = None
            try:
                page.wait_for_selector(".plankaart[data-omtrekken]", state="attached", timeout=limit_s * 1000)
                drawn = int(page.get_attribute(".plankaart", "data-omtrekken"))
            except PlaywrightTimeout:
                pass
            seconds = time.perf_counter() - t1
            outlines = {
                "seconds": round(seconds, 2),
                "zoom": zoom,
                "spot": [round(v, 4) for v in spot],
                "drawn": drawn,
                "requests": len(answers),
            }
            if answers:
                last = answers[-1]
                data = last.json()
                outlines.update(
                    transfer_bytes=last.request.sizes()["responseBodySize"],
                    json_bytes=len(last.body()),
                    features=len(data["features"]),
                    plangebieden=data["plangebieden"],
                    afgekapt=data["afgekapt"],
                )
            if shot:
                page.screenshot(path=str(shot))
            return {**out, "outlines": outlines, "js_errors": errors[:5]}
        finally:
            browser.close()
