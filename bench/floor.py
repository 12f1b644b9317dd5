"""How close to the floor (issue 16): per page, the time its SQL takes beside the whole request,
both in one process that serves the portal as `make serve` configures it, requests one at a time.

    python -m bench.floor --db DIR/woningbouwplannen.db --inspect DIR/inspect.json /path ...  # JSON on stdout

SQL time is measured where SQLite runs: every function Datasette sends to its SQL threads
(`Database.execute_fn`: `db.execute()` and the direct `execute_fn` calls of plugins/map_data.py,
seo.py and openapi.py) is timed inside its thread. Datasette's own tracer (`?_trace=1`, setting
`trace_debug`) is counted beside it: it times `db.execute()` only, from the event loop, and sees
neither the direct `execute_fn` calls nor queries in tasks started without `trace_child_tasks`.
Sums are over all SQL calls; calls that run at the same time on different threads count each.
A page whose time outside SQL is more than OVERHEAD_LIMIT x its SQL is profiled (cProfile,
the event-loop thread only, so SQL in the threads is left out) and its top cumulative functions
named by group (a plugin, the templates, JSON encoding, Datasette's views, a library): self time
adds up where cumulative time nests, so the shares say where the rest goes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVERHEAD_LIMIT = 5  # issue 16: a page whose time outside SQL exceeds this many times its SQL names where it goes
REPEAT = 7  # requests per page and variant; the median is reported
PROFILED = 3  # profiled requests per page over the limit
TOP = 3  # functions named per page over the limit

_sink: contextvars.ContextVar[list | None] = contextvars.ContextVar("floor_sink", default=None)


def time_sql_threads() -> None:
    """Time every function Datasette runs on its SQL threads, inside the thread, for requests
    that set _sink (child tasks inherit it). Datasette's execute() passes sql_operation_in_thread."""
    from datasette.database import Database

    original = Database.execute_fn
    if getattr(original, "_floor", False):
        return

    async def execute_fn(self, fn):
        sink = _sink.get()
        if sink is None:
            return await original(self, fn)
        kind = "execute" if getattr(fn, "__name__", "") == "sql_operation_in_thread" else "execute_fn"

        def timed(conn):
            started = time.perf_counter()
            try:
                return fn(conn)
            finally:
                sink.append((kind, time.perf_counter() - started))

        return await original(self, timed)

    execute_fn._floor = True
    Database.execute_fn = execute_fn


def portal(db: Path, inspect: Path):
    """The app as `make serve` configures it (deploy/serve_prod.py datasette_args), in this process."""
    import yaml
    from datasette.app import Datasette

    downloads = Path(db).resolve().parent / "downloads"
    downloads.mkdir(exist_ok=True)
    return Datasette(
        files=[],
        immutables=[str(db)],
        inspect_data=json.loads(Path(inspect).read_text()),
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8")),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static")), ("downloads", str(downloads))],
        settings=json.loads((ROOT / "settings.json").read_text()),
        cors=True,
    )


async def asgi_get(app, path: str) -> tuple[int, int]:
    """One GET straight into the ASGI app (no HTTP client in the way): status and body bytes."""
    parts = urllib.parse.urlsplit(path)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": urllib.parse.unquote(parts.path),
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"localhost"), (b"accept-encoding", b"identity")],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    status, size = 0, 0

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        nonlocal status, size
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            size += len(message.get("body", b""))

    await app(scope, receive, send)
    return status, size


async def traced(app, path: str) -> dict:
    """One request with both counters on: SQL in the threads and Datasette's tracer."""
    from datasette.tracer import capture_traces

    sink, traces = [], []
    token = _sink.set(sink)
    try:
        with capture_traces(traces):
            await asgi_get(app, path)
    finally:
        _sink.reset(token)
    sql = [s for kind, s in sink if kind == "execute"]
    direct = [s for kind, s in sink if kind == "execute_fn"]
    return {
        "sql_ms": 1000 * sum(sql) + 1000 * sum(direct),
        "execute_calls": len(sql),
        "execute_fn_calls": len(direct),
        "execute_fn_ms": 1000 * sum(direct),
        "trace_calls": len(traces),
        "trace_ms": sum(t["duration_ms"] for t in traces if t.get("type") == "sql"),
    }


WAITING = ("poll", "acquire", "select", "sleep")  # builtins the loop thread blocks in: waiting for SQL threads


def group(filename: str) -> str:
    """Whose code a frame is: a plugin, the templates, JSON, Datasette's views, a library."""
    name = filename.replace(os.sep, "/")
    if "/plugins/" in name:
        return "plugin " + Path(name).stem
    if "/jinja2/" in name or "/markupsafe/" in name or name.endswith((".html", ".txt", ".xml")):
        return "templates (Jinja)"
    if "/json/" in name:
        return "JSON encoding"
    if "/datasette/views/" in name:
        return "Datasette views"
    if "/portal/" in name:
        return "portal seam"
    if any(p in name for p in ("asyncio/", "selectors.py", "concurrent/", "threading.py", "contextvars")):
        return "event loop"
    if "/datasette/" in name:
        return "Datasette core"
    if "site-packages/" in name:
        return name.split("site-packages/", 1)[1].split("/", 1)[0].split(".", 1)[0]
    return "Python " + Path(name.strip("<>").replace("frozen ", "")).stem


def top_groups(stats: pstats.Stats, total_s: float, n: int = TOP) -> list[dict]:
    """Self time per group (it adds up, where cumulative time nests): the n largest, each with its
    heaviest function; a builtin's time goes to its heaviest caller's group; time blocked waiting
    for the SQL threads and the harness's own frames are left out. share = of the profiled request."""
    groups: dict[str, list] = {}
    for key, (_, _, self_s, _, callers) in stats.stats.items():
        filename, _, function = key
        if "bench/floor.py" in filename:
            continue
        if filename == "~":
            if any(w in function for w in WAITING) or not callers:
                continue
            caller = max(callers.items(), key=lambda kv: kv[1][3])[0][0]
            label = group(caller)
        else:
            label = group(filename)
        entry = groups.setdefault(label, [0.0, 0.0, ""])
        entry[0] += self_s
        if self_s > entry[1]:
            entry[1], entry[2] = self_s, function if filename == "~" else f"{Path(filename).name}:{function}"
    ranked = sorted(groups.items(), key=lambda kv: -kv[1][0])[:n]
    return [
        {"group": label, "share": round(s / total_s, 2), "function": function} for label, (s, _, function) in ranked
    ]


async def measure_pages(db: Path, inspect: Path, paths: list[str], repeat: int = REPEAT) -> dict:
    time_sql_threads()
    ds = portal(db, inspect)
    await ds.invoke_startup()
    app = ds.app()
    out = {}
    for path in paths:
        status, size = await asgi_get(app, path)  # warm: templates compiled, caches filled
        await asgi_get(app, path)
        plain, runs = [], []
        for _ in range(repeat):  # interleaved, so drift hits both alike
            started = time.perf_counter()
            await asgi_get(app, path)
            plain.append(1000 * (time.perf_counter() - started))
            runs.append(await traced(app, path))
        entry = {
            "status": status,
            "bytes": size,
            "request_ms": round(statistics.median(plain), 2),
            **{k: round(statistics.median(r[k] for r in runs), 2) for k in ("sql_ms", "execute_fn_ms", "trace_ms")},
            **{k: runs[-1][k] for k in ("execute_calls", "execute_fn_calls", "trace_calls")},
        }
        entry["rest_ms"] = round(max(0.0, entry["request_ms"] - entry["sql_ms"]), 2)
        entry["overhead_x"] = round(entry["rest_ms"] / entry["sql_ms"], 1) if entry["sql_ms"] else None
        if entry["rest_ms"] >= 1 and (not entry["sql_ms"] or entry["rest_ms"] > OVERHEAD_LIMIT * entry["sql_ms"]):
            profile = cProfile.Profile()
            started = time.perf_counter()
            profile.enable()
            for _ in range(PROFILED):
                await asgi_get(app, path)
            profile.disable()
            total = time.perf_counter() - started
            entry["rest"] = top_groups(pstats.Stats(profile), total)
        out[path] = entry
    return out


def measure(directory: Path, paths: list[str], timeout: float = 900) -> dict:
    """Run the measurement in a fresh process (plugins patch Datasette; the bench process stays
    clean) on serve_dir()'s link and inspect file in directory. {path: figures}."""
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.floor",
            "--db",
            str(directory / "woningbouwplannen.db"),
            "--inspect",
            str(directory / "inspect.json"),
            *paths,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode:
        return {"error": out.stderr[-1000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--inspect", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    result = asyncio.run(measure_pages(args.db, args.inspect, args.paths, args.repeat))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
