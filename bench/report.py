"""results.json -> target verdicts (issues 7, 13, 16) and a markdown report (pure functions)."""

from __future__ import annotations

from . import lighthouse
from .attacks import CLIENTS, TARGET_RATIO
from .floor import OVERHEAD_LIMIT


def _pages(scale: dict) -> dict:
    return {k: v for k, v in scale.get("serving", {}).items() if isinstance(v, dict) and "ours" in v and "plain" in v}


def _fmt(value, digits=1):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def slowest_steps(build: dict, n: int = 3) -> list[tuple[str, float]]:
    """The build's progress lines carry cumulative times: the steps that took longest."""
    steps, previous, out = build.get("steps", []), 0.0, []
    for step in steps:
        out.append((step["step"][:60], round(step["at_s"] - previous, 1)))
        previous = step["at_s"]
    return sorted(out, key=lambda s: -s[1])[:n]


def _ratio(value, base) -> str:
    return f"{value / base:.2f}x" if value is not None and base else "–"


def release_vs_csv(results: dict) -> list[str]:
    """Markdown table: the LMVW-release builds beside the CSV-export builds of the same run, each
    with its ratio to the national CSV build (issue 12). [] when the run built no release data."""
    releases = results.get("releases") or {}
    nat = results["scales"].get("national")
    if not releases:
        return []
    base = nat["build"] if nat else {}
    lines = [
        "",
        "### LMVW-release vs CSV-export: build time, peak memory, plans, source rows",
        "",
        "| data | format | plans | source rows | areas in source / in db | releases or peildatums | build s "
        "| build x CSV national | peak RSS MB | peak x CSV national | slowest steps (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]

    def row(name, fmt, d, build, db_rows, areas):
        plans = (db_rows or {}).get("plannen") or d["plans_newest"]
        in_db = (db_rows or {}).get("plangebieden")
        slow = "; ".join(f"{step} {sec}" for step, sec in slowest_steps(build))
        lines.append(
            f"| {name} | {fmt} | {plans:,} | {d['source_rows']:,} | {_fmt(areas)} / {_fmt(in_db)} | "
            f"{len(d['peildatums'])} | {build['seconds']} | {_ratio(build['seconds'], base.get('seconds'))} | "
            f"{build['peak_rss_mb']:,} | {_ratio(build['peak_rss_mb'], base.get('peak_rss_mb'))} | {slow} |"
        )

    for name, s in results["scales"].items():
        geo = s["dataset"].get("plangebieden") or {}
        row(
            name,
            "CSV exports",
            s["dataset"],
            s["build"],
            s.get("db_rows"),
            geo.get("features", 0) if geo.get("in_manifest") else 0,
        )
    for name, r in releases.items():
        row(name, "LMVW release", r["dataset"], r["build"], r.get("db_rows"), r["dataset"]["areas"])
    if nat:
        lines += [
            "",
            f"Ratios are to the national CSV build of this run ({nat['dataset']['plans_newest']:,} plans, "
            f"{len(nat['dataset']['peildatums'])} peildatums). Source rows: CSV rows over every export; for a "
            "release the project features of both releases (project2.json.gz), whose areas "
            "(project_shape_topo.json.gz) are counted apart (in db: one area per plan, the newest); plans: rows of "
            "`plannen` in the built database. A step is named by the line that ends it: `klaar` is the writing "
            "of every download file.",
        ]
    return lines + release_maps(releases)


def release_maps(releases: dict) -> list[str]:
    """Markdown table: /kaart on the LMVW-release data (bench/urls.yml maps with release: true): every plan,
    then the plan areas of the densest view at the map's outline zoom, and the bytes of that answer."""
    rows = [(name, m_name, m) for name, r in releases.items() for m_name, m in (r.get("maps") or {}).items()]
    if not rows:
        return []
    lines = [
        "",
        "### LMVW-release: the national map and its plan areas (target: each <= 2 s)",
        "",
        "| data | map | every plan shown s | complete | outlines drawn s | zoom | areas drawn / in view | "
        "outline answer bytes (gzip / JSON) | truncated |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, m_name, m in rows:
        o = m.get("outlines") or {}
        lines.append(
            f"| {name} | {m_name} | {m.get('seconds', m.get('error', '–'))} | {m.get('complete', '–')} | "
            f"{o.get('seconds', o.get('skipped', '–'))} | {o.get('zoom', '–')} | {_fmt(o.get('drawn'))} / "
            f"{_fmt(o.get('plangebieden'))} | {_fmt(o.get('transfer_bytes'))} / {_fmt(o.get('json_bytes'))} | "
            f"{o.get('afgekapt', '–')} |"
        )
    return lines


def floor_entry(scale: dict, page: dict) -> dict | None:
    """The in-process SQL-vs-request figures (bench/floor.py) of one page of a scale, if measured."""
    floor = scale.get("serving", {}).get("floor") or {}
    entry = floor.get(page.get("path")) if isinstance(floor, dict) else None
    return entry if isinstance(entry, dict) and "request_ms" in entry else None


def floor_cell(entry: dict | None) -> str:
    """'SQL / request (rest x SQL)', e.g. '2.1 / 14.0 (5.7x)'; the rest in bold above OVERHEAD_LIMIT."""
    if not entry:
        return "–"
    x = entry.get("overhead_x")
    over = entry["rest_ms"] >= 1 and (x is None or x > OVERHEAD_LIMIT)
    times = "no SQL" if x is None else f"{x:.1f}x"
    return f"{_fmt(entry['sql_ms'], 2)} / {_fmt(entry['request_ms'], 2)} ({'**' + times + '**' if over else times})"


def floor_section(results: dict) -> list[str]:
    """Where the time above the database goes, for each page whose rest is over OVERHEAD_LIMIT x its SQL."""
    rows, error = [], None
    for name, s in results["scales"].items():
        floor = s.get("serving", {}).get("floor")
        if isinstance(floor, dict) and floor.get("error"):
            error = str(floor["error"]).strip().splitlines()[-1][:200]
        for page, r in _pages(s).items():
            entry = floor_entry(s, r)
            if entry and entry.get("rest"):
                groups = "; ".join(f"{g['group']} {round(100 * g['share'])} % ({g['function']})" for g in entry["rest"])
                calls = entry.get("execute_calls", 0) + entry.get("execute_fn_calls", 0)
                rows.append(
                    f"| {name} | {page} | {_fmt(entry['rest_ms'], 2)} | {calls} "
                    f"({entry.get('trace_calls', 0)}) "
                    f"| {_fmt(entry.get('trace_ms'), 2)} | {groups} |"
                )
    if not rows and not error:
        return []
    lines = [
        "",
        f"### How close to the floor: pages whose time outside SQL is over {OVERHEAD_LIMIT}x their SQL",
        "",
        "The last column of the serving table: the page requested alone, in one process configured like "
        "`make serve` (median of 7; no HTTP), SQL timed inside Datasette's SQL threads. Datasette's own trace "
        "(`?_trace=1`, setting `trace_debug`) sees only `db.execute()`, timed from the event loop (waiting for a "
        "thread included): not the direct `execute_fn` calls (Datasette's table and column introspection, "
        "plugins/map_data.py's map data, seo.py's sitemap, openapi.py), and it appends nothing to answers over "
        "256 KB. Where the rest goes: cProfile of the event-loop thread, self time per group (a plugin, the "
        "templates, JSON, Datasette's views or core, a library) as a share of the profiled request, with its "
        "heaviest function; the profiler inflates Python time, so shares, not ms.",
        "",
        "| data | page | not SQL ms | SQL calls (of which in Datasette's trace) | Datasette's trace ms "
        "| where the rest goes (top 3) |",
        "|---|---|---|---|---|---|",
    ] + rows
    if error:
        lines += ["", f"The floor measurement failed: {error}"]
    return lines


def attacks_table(results: dict) -> list[str]:
    """The page's p95 idle and under each hostile-visitor attack (bench/attacks.py)."""
    lines = []
    for name, s in results["scales"].items():
        attacks = s.get("serving", {}).get("attacks") or {}
        for attack, pages in attacks.items():
            for path, r in pages.items():
                lines.append(
                    f"| {name} | {attack} | `{path}` | {r['idle_p95_ms']} | {r['attacked_p95_ms']} | "
                    f"{r['ratio']}x | {r['page_failures']} | "
                    + ", ".join(f"{k}: {v}" for k, v in r["attack_statuses"].items())
                    + " |"
                )
    if not lines:
        return []
    return [
        "",
        f"### Hostile visitors: a page's p95, idle and while {CLIENTS} clients send each attack "
        f"(target <= {TARGET_RATIO}x idle)",
        "",
        "| data | attack | page | idle p95 ms | p95 under attack ms | ratio | page failures | attack answers |",
        "|---|---|---|---|---|---|---|---|",
    ] + lines


def targets(results: dict) -> list[dict]:
    """One row per target (issues 7, 13, 16): met (True/False/None = not measurable yet) and the figures."""
    out = []

    def add(target, met, figures):
        out.append({"target": target, "met": met, "figures": figures})

    nat = results["scales"].get("national", {})
    stress = next((v for k, v in results["scales"].items() if k.startswith("stress")), None)
    if nat:
        ins = nat["insert"]["plannen"]
        add(
            "plan insert >= 0.5x raw executemany",
            ins["ratio"] >= 0.5,
            f"{ins['ours_rows_s']:,} vs {ins['raw_rows_s']:,} rows/s ({ins['ratio']}x)",
        )
        geo = nat["dataset"]["plangebieden"]["in_manifest"]
        add(
            "whole build with geometry and history < 60 s",
            nat["build"]["seconds"] < 60 if geo else None,
            f"{nat['build']['seconds']} s{'' if geo else ' (no geometry kind yet: areas not loaded)'}",
        )
        for name, page in _pages(nat).items():
            o, p = page["ours"], page["plain"]
            rps_o, rps_p = o.get("rps") or 0, p.get("rps") or 0
            if page["target"] == "fast10x":
                add(
                    f"{name}: >= 10x plain req/s",
                    rps_o >= 10 * rps_p if rps_p else None,
                    f"{rps_o} vs {rps_p} req/s ({rps_o / rps_p:.1f}x)" if rps_p else f"{rps_o} req/s",
                )
            elif page["target"] == "no_slower":
                add(
                    f"{name}: no slower than plain",
                    rps_o >= 0.9 * rps_p if rps_p else None,
                    f"{rps_o} vs {rps_p} req/s",
                )
            elif page["target"] == "own_page":
                add(f"{name}: >= 50 req/s", rps_o >= 50, f"{rps_o} req/s")
        csv = nat["serving"].get("csv", {})
        if csv:
            stream = f", Datasette's streamed table CSV {csv['stream']['mb_s']} MB/s" if csv.get("stream") else ""
            add(
                "full CSV download >= 30 MB/s",
                csv["ours"]["mb_s"] >= 30,
                f"{csv['ours']['mb_s']} MB/s, pre-built file from one replica (raw Python {csv['raw']['mb_s']} MB/s{stream})",
            )
        maps = nat["serving"].get("maps", {})
        for name, m in maps.items():
            if "seconds" in m:
                add(
                    f"national map '{name}' shows every plan <= 2 s",
                    m["complete"] and m["seconds"] <= 2,
                    f"{m['seconds']} s, {m['shown']:,} of {m['expected']:,} plans",
                )
        for attack, pages in (nat["serving"].get("attacks") or {}).items():
            worst_path, worst = max(pages.items(), key=lambda kv: kv[1]["ratio"])
            add(
                f"under attack {attack}: page p95 <= {TARGET_RATIO}x idle",
                worst["ratio"] <= TARGET_RATIO and all(r["page_failures"] == 0 for r in pages.values()),
                f"worst {worst_path} {worst['idle_p95_ms']} -> {worst['attacked_p95_ms']} ms ({worst['ratio']}x)",
            )
    lt = results.get("loadtest", {})
    cached = lt.get("per_url_cached", {})
    if cached:
        worst = max(cached.items(), key=lambda kv: kv[1]["p95_ms"] or 0)
        add(
            "through nginx with cache: every page p95 <= 100 ms",
            all((v["p95_ms"] or 1e9) <= 100 for v in cached.values()),
            f"worst {worst[0]} p95 {worst[1]['p95_ms']} ms",
        )
    if lt.get("csv_cached"):
        add(
            "full CSV download >= 30 MB/s (through the cache)",
            lt["csv_cached"]["mb_s"] >= 30,
            f"{lt['csv_cached']['mb_s']} MB/s",
        )
    if nat and stress:
        ratios = {}
        for name, page in _pages(nat).items():
            s = _pages(stress).get(name)
            if s and page["ours"].get("p50_ms") and s["ours"].get("p50_ms"):
                ratios[name] = round(s["ours"]["p50_ms"] / page["ours"]["p50_ms"], 1)
        if ratios:
            worst = max(ratios.items(), key=lambda kv: kv[1])
            add(
                "at 10x every page within 3x of national latency (p50)",
                worst[1] <= 3,
                f"worst {worst[0]} {worst[1]}x; " + ", ".join(f"{k} {v}x" for k, v in ratios.items()),
            )
    if results.get("lighthouse"):
        pages = results["lighthouse"]
        missed = [p for p, r in pages.items() if not r["passes"]]
        add(
            "Lighthouse: every public page meets its phone targets",
            not missed,
            f"{len(pages) - len(missed)} of {len(pages)} pages"
            + (f"; misses: {', '.join(missed[:5])}" if missed else ""),
        )
    errors = sum(v.get("errors", 0) for k, v in lt.items() if isinstance(v, dict) and "errors" in v)
    errors += sum(v.get("errors", 0) for v in cached.values())
    for scale in results["scales"].values():
        errors += sum(p["ours"].get("errors", 0) for p in _pages(scale).values())
    add("zero errors under load (ours, all runs)", errors == 0, f"{errors} errors")
    return out


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"## make bench ({results['started']}, {results.get('seconds', 0) / 60:.1f} min)",
        "",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}, Datasette {m['datasette']}, {m['nginx']}, {m['wrk']}. {m['note']}.",
        "",
        "### Build",
        "",
        "| data | plans | peildatums | source rows | build s | peak RSS MB | plannen insert rows/s | raw executemany rows/s | ratio | slowest steps (s) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in results["scales"].items():
        ins = s["insert"]["plannen"]
        slow = "; ".join(f"{step} {sec}" for step, sec in slowest_steps(s["build"]))
        lines.append(
            f"| {name} | {s['dataset']['plans_newest']:,} | {len(s['dataset']['peildatums'])} | "
            f"{s['dataset']['source_rows']:,} | {s['build']['seconds']} | {s['build']['peak_rss_mb']:,} | "
            f"{ins['ours_rows_s']:,} | {ins['raw_rows_s']:,} | {ins['ratio']} | {slow} |"
        )
    lines += release_vs_csv(results)
    lines += [
        "",
        "### Serving, one process, no cache, concurrency 8 (ours vs plain Datasette, same file)",
        "",
        "| data | page | ours p50 / p95 / p99 ms | ours req/s | plain p50 / p95 / p99 ms | plain req/s | ratio "
        "| ours alone: SQL / whole request ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, s in results["scales"].items():
        for page, r in _pages(s).items():
            o, p = r["ours"], r["plain"]
            ratio = f"{o['rps'] / p['rps']:.1f}x" if o.get("rps") and p.get("rps") else "–"
            lines.append(
                f"| {name} | {page} | {_fmt(o.get('p50_ms'))} / {_fmt(o.get('p95_ms'))} / {_fmt(o.get('p99_ms'))} "
                f"| {_fmt(o.get('rps'))} | {_fmt(p.get('p50_ms'))} / {_fmt(p.get('p95_ms'))} / "
                f"{_fmt(p.get('p99_ms'))} | {_fmt(p.get('rps'))} | {ratio} "
                f"| {floor_cell(floor_entry(s, r))} |"
            )
    lines += floor_section(results)
    lines += attacks_table(results)
    lines += [
        "",
        "### CSV download and national map",
        "",
        "| data | CSV ours MB/s (pre-built file / Datasette stream) | CSV raw Python MB/s | map | seconds | all plans shown | plain JSON paging of all plans |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in results["scales"].items():
        sv = s["serving"]
        paging = sv.get("map_paging_plain", {})
        paging_txt = f"{paging.get('seconds')} s, {paging.get('pages')} pages" if paging else "–"
        for map_name, mp in (sv.get("maps") or {"–": {}}).items():
            shown = (
                f"{mp.get('shown', 0):,} / {mp.get('expected', 0):,}"
                if "shown" in mp
                else " ".join(str(mp.get("error", "–")).split())[:70]
            )
            stream = sv["csv"].get("stream", {}).get("mb_s", "–")
            lines.append(
                f"| {name} | {sv['csv']['ours']['mb_s']} / {stream} | {sv['csv']['raw']['mb_s']} | {map_name} | "
                f"{mp.get('seconds', '–')} | {shown} | {paging_txt} |"
            )
    lt = results.get("loadtest")
    if lt:
        lines += [
            "",
            "### Load test through nginx (wrk, concurrency 8, mix of every page)",
            "",
            "| setup | requests | req/s | p50 ms | p99 ms | errors |",
            "|---|---|---|---|---|---|",
        ]
        for key in ("1_replica", "2_replicas", "2_replicas_cache"):
            if key in lt:
                r = lt[key]
                lines.append(
                    f"| {key.replace('_', ' ')} | {r['requests']:,} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} "
                    f"| {r['errors']} |"
                )
        if lt.get("per_url_cached"):
            lines += [
                "",
                "Through the cache, per page: "
                + ", ".join(f"{k} p95 {v['p95_ms']} ms ({v['rps']} req/s)" for k, v in lt["per_url_cached"].items())
                + (f"; CSV {lt['csv_cached']['mb_s']} MB/s." if lt.get("csv_cached") else "."),
            ]
    if results.get("lighthouse"):
        lines += ["", "### Lighthouse on a phone (national, our portal; bench/lighthouse.py)", ""]
        lines += lighthouse.markdown(results["lighthouse"])
    elif results.get("lighthouse_error"):
        lines += ["", f"Lighthouse did not run: {results['lighthouse_error']}"]
    if results.get("rerun"):
        lines += [
            "",
            "Measured again after a harness fix, on the same builds: "
            + ", ".join(f"{k} ({v})" for k, v in results["rerun"].items())
            + ".",
        ]
    lines += ["", "### Targets (issues 7, 13 and 16)", "", "| target | met | figures |", "|---|---|---|"]
    for t in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "not yet"}[t["met"]]
        lines.append(f"| {t['target']} | {met} | {t['figures']} |")
    return "\n".join(lines) + "\n"


DOC_INTRO = """# Benchmarks (`make bench`)

Written by `make bench` (`bench/report.py` from `bench/out/results.json`); not edited by hand: run
`make bench` again to update it. `python -m bench --quick` checks the harness on small data and writes
`bench/out/benchmarks.md` instead.

`make bench` (code in `bench/`, not part of `make test`) generates invented national-scale exports
(`bench/generate.py`: plans over all municipalities, quarterly peildatums, a plan area per plan as a
GeoPackage in RD New) and a stress set of factor x as many plans, builds both with
`python -m ingest build`, and measures each figure against a baseline from the same run: the plan
insert against raw `sqlite3.executemany`, every page in `bench/urls.yml` (add pages there) at
concurrency 8 with `wrk` against plain Datasette (no metadata, plugins or settings:
`bench/plain_datasette.py`) on the same file, each page alone in one process with its SQL time
beside the whole request (`bench/floor.py`), the full CSV download (the pre-built file the
downloads page offers; Datasette's streamed table CSV beside it) against Python `sqlite3` + `csv`,
every map in `bench/urls.yml` in headless Chromium until its markers and clusters add up to every
plan it should show, pages under hostile visitors (`bench/attacks.py`), Lighthouse on a simulated
phone (`bench/lighthouse.py`), the LMVW-release build, and a load test through nginx with 1
replica, 2 replicas and 2 replicas with the cache. The load client, servers and browser share the
machine's cores, so absolute numbers are noisy; ratios from one run are fairer.
"""


def document(results: dict) -> str:
    """docs/benchmarks.md: what make bench measures, then this run's report (machine, versions,
    date, commit, every table)."""
    commit = results.get("commit") or {}
    where = (
        f"commit {commit['id']}{' with uncommitted changes' if commit.get('dirty') else ''}, "
        if commit.get("id")
        else ""
    )
    config = results.get("config") or {}
    mode = (
        "`python -m bench --quick` (small data: a harness check, not the national figures), "
        if config.get("quick")
        else "`make bench`, "
    )
    return DOC_INTRO + "\nThis run: " + mode + where + f"started {results['started']}.\n\n" + markdown(results)
