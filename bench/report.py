"""results.json -> issue-7 target verdicts and a markdown report (pure functions)."""
from __future__ import annotations


def _pages(scale: dict) -> dict:
    return {k: v for k, v in scale.get("serving", {}).items()
            if isinstance(v, dict) and "ours" in v and "plain" in v}


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
    lines = ["", "### LMVW-release vs CSV-export: build time, peak memory, plans, source rows", "",
             "| data | format | plans | source rows | areas in source / in db | releases or peildatums | build s "
             "| build x CSV national | peak RSS MB | peak x CSV national | slowest steps (s) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]

    def row(name, fmt, d, build, db_rows, areas):
        plans = (db_rows or {}).get("plannen") or d["plans_newest"]
        in_db = (db_rows or {}).get("plangebieden")
        slow = "; ".join(f"{step} {sec}" for step, sec in slowest_steps(build))
        lines.append(f"| {name} | {fmt} | {plans:,} | {d['source_rows']:,} | {_fmt(areas)} / {_fmt(in_db)} | "
                     f"{len(d['peildatums'])} | {build['seconds']} | {_ratio(build['seconds'], base.get('seconds'))} | "
                     f"{build['peak_rss_mb']:,} | {_ratio(build['peak_rss_mb'], base.get('peak_rss_mb'))} | {slow} |")

    for name, s in results["scales"].items():
        geo = s["dataset"].get("plangebieden") or {}
        row(name, "CSV exports", s["dataset"], s["build"], s.get("db_rows"),
            geo.get("features", 0) if geo.get("in_manifest") else 0)
    for name, r in releases.items():
        row(name, "LMVW release", r["dataset"], r["build"], r.get("db_rows"), r["dataset"]["areas"])
    if nat:
        lines += ["", f"Ratios are to the national CSV build of this run ({nat['dataset']['plans_newest']:,} plans, "
                  f"{len(nat['dataset']['peildatums'])} peildatums). Source rows: CSV rows over every export; for a "
                  "release the project features of both releases (project2.json.gz), whose areas "
                  "(project_shape_topo.json.gz) are counted apart (in db: one area per plan, the newest); plans: rows of "
                  "`plannen` in the built database. A step is named by the line that ends it: `klaar` is the writing "
                  "of every download file."]
    return lines


def targets(results: dict) -> list[dict]:
    """One row per issue-7 target: met (True/False/None = not measurable yet) and the figures."""
    out = []

    def add(target, met, figures):
        out.append({"target": target, "met": met, "figures": figures})

    nat = results["scales"].get("national", {})
    stress = next((v for k, v in results["scales"].items() if k.startswith("stress")), None)
    if nat:
        ins = nat["insert"]["plannen"]
        add("plan insert >= 0.5x raw executemany", ins["ratio"] >= 0.5,
            f"{ins['ours_rows_s']:,} vs {ins['raw_rows_s']:,} rows/s ({ins['ratio']}x)")
        geo = nat["dataset"]["plangebieden"]["in_manifest"]
        add("whole build with geometry and history < 60 s", nat["build"]["seconds"] < 60 if geo else None,
            f"{nat['build']['seconds']} s{'' if geo else ' (no geometry kind yet: areas not loaded)'}")
        for name, page in _pages(nat).items():
            o, p = page["ours"], page["plain"]
            rps_o, rps_p = o.get("rps") or 0, p.get("rps") or 0
            if page["target"] == "fast10x":
                add(f"{name}: >= 10x plain req/s", rps_o >= 10 * rps_p if rps_p else None,
                    f"{rps_o} vs {rps_p} req/s ({rps_o / rps_p:.1f}x)" if rps_p else f"{rps_o} req/s")
            elif page["target"] == "no_slower":
                add(f"{name}: no slower than plain", rps_o >= 0.9 * rps_p if rps_p else None,
                    f"{rps_o} vs {rps_p} req/s")
            elif page["target"] == "own_page":
                add(f"{name}: >= 50 req/s", rps_o >= 50, f"{rps_o} req/s")
        csv = nat["serving"].get("csv", {})
        if csv:
            stream = f", Datasette's streamed table CSV {csv['stream']['mb_s']} MB/s" if csv.get("stream") else ""
            add("full CSV download >= 30 MB/s", csv["ours"]["mb_s"] >= 30,
                f"{csv['ours']['mb_s']} MB/s, pre-built file from one replica (raw Python {csv['raw']['mb_s']} MB/s{stream})")
        maps = nat["serving"].get("maps", {})
        for name, m in maps.items():
            if "seconds" in m:
                add(f"national map '{name}' shows every plan <= 2 s", m["complete"] and m["seconds"] <= 2,
                    f"{m['seconds']} s, {m['shown']:,} of {m['expected']:,} plans")
    lt = results.get("loadtest", {})
    cached = lt.get("per_url_cached", {})
    if cached:
        worst = max(cached.items(), key=lambda kv: kv[1]["p95_ms"] or 0)
        add("through nginx with cache: every page p95 <= 100 ms", all((v["p95_ms"] or 1e9) <= 100 for v in cached.values()),
            f"worst {worst[0]} p95 {worst[1]['p95_ms']} ms")
    if lt.get("csv_cached"):
        add("full CSV download >= 30 MB/s (through the cache)", lt["csv_cached"]["mb_s"] >= 30,
            f"{lt['csv_cached']['mb_s']} MB/s")
    if nat and stress:
        ratios = {}
        for name, page in _pages(nat).items():
            s = _pages(stress).get(name)
            if s and page["ours"].get("p50_ms") and s["ours"].get("p50_ms"):
                ratios[name] = round(s["ours"]["p50_ms"] / page["ours"]["p50_ms"], 1)
        if ratios:
            worst = max(ratios.items(), key=lambda kv: kv[1])
            add("at 10x every page within 3x of national latency (p50)", worst[1] <= 3,
                f"worst {worst[0]} {worst[1]}x; " + ", ".join(f"{k} {v}x" for k, v in ratios.items()))
    errors = sum(v.get("errors", 0) for k, v in lt.items() if isinstance(v, dict) and "errors" in v)
    errors += sum(v.get("errors", 0) for v in cached.values())
    for scale in results["scales"].values():
        errors += sum(p["ours"].get("errors", 0) for p in _pages(scale).values())
    add("zero errors under load (ours, all runs)", errors == 0, f"{errors} errors")
    return out


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [f"## make bench ({results['started']}, {results.get('seconds', 0) / 60:.1f} min)", "",
             f"Machine: {m['cores']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, {m['os']}; Python {m['python']}, "
             f"SQLite {m['sqlite']}, Datasette {m['datasette']}, {m['nginx']}, {m['wrk']}. {m['note']}.", "",
             "### Build", "",
             "| data | plans | peildatums | source rows | build s | peak RSS MB | plannen insert rows/s | raw executemany rows/s | ratio | slowest steps (s) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in results["scales"].items():
        ins = s["insert"]["plannen"]
        slow = "; ".join(f"{step} {sec}" for step, sec in slowest_steps(s["build"]))
        lines.append(f"| {name} | {s['dataset']['plans_newest']:,} | {len(s['dataset']['peildatums'])} | "
                     f"{s['dataset']['source_rows']:,} | {s['build']['seconds']} | {s['build']['peak_rss_mb']:,} | "
                     f"{ins['ours_rows_s']:,} | {ins['raw_rows_s']:,} | {ins['ratio']} | {slow} |")
    lines += release_vs_csv(results)
    lines += ["", "### Serving, one process, no cache, concurrency 8 (ours vs plain Datasette, same file)", "",
              "| data | page | ours p50 / p95 / p99 ms | ours req/s | plain p50 / p95 / p99 ms | plain req/s | ratio |",
              "|---|---|---|---|---|---|---|"]
    for name, s in results["scales"].items():
        for page, r in _pages(s).items():
            o, p = r["ours"], r["plain"]
            ratio = f"{o['rps'] / p['rps']:.1f}x" if o.get("rps") and p.get("rps") else "–"
            lines.append(f"| {name} | {page} | {_fmt(o.get('p50_ms'))} / {_fmt(o.get('p95_ms'))} / {_fmt(o.get('p99_ms'))} "
                         f"| {_fmt(o.get('rps'))} | {_fmt(p.get('p50_ms'))} / {_fmt(p.get('p95_ms'))} / "
                         f"{_fmt(p.get('p99_ms'))} | {_fmt(p.get('rps'))} | {ratio} |")
    lines += ["", "### CSV download and national map", "",
              "| data | CSV ours MB/s (pre-built file / Datasette stream) | CSV raw Python MB/s | map | seconds | all plans shown | plain JSON paging of all plans |",
              "|---|---|---|---|---|---|---|"]
    for name, s in results["scales"].items():
        sv = s["serving"]
        paging = sv.get("map_paging_plain", {})
        paging_txt = f"{paging.get('seconds')} s, {paging.get('pages')} pages" if paging else "–"
        for map_name, mp in (sv.get("maps") or {"–": {}}).items():
            shown = (f"{mp.get('shown', 0):,} / {mp.get('expected', 0):,}" if "shown" in mp
                     else " ".join(str(mp.get("error", "–")).split())[:70])
            stream = sv["csv"].get("stream", {}).get("mb_s", "–")
            lines.append(f"| {name} | {sv['csv']['ours']['mb_s']} / {stream} | {sv['csv']['raw']['mb_s']} | {map_name} | "
                         f"{mp.get('seconds', '–')} | {shown} | {paging_txt} |")
    lt = results.get("loadtest")
    if lt:
        lines += ["", "### Load test through nginx (wrk, concurrency 8, mix of every page)", "",
                  "| setup | requests | req/s | p50 ms | p99 ms | errors |", "|---|---|---|---|---|---|"]
        for key in ("1_replica", "2_replicas", "2_replicas_cache"):
            if key in lt:
                r = lt[key]
                lines.append(f"| {key.replace('_', ' ')} | {r['requests']:,} | {r['rps']} | {r['p50_ms']} | {r['p99_ms']} "
                             f"| {r['errors']} |")
        if lt.get("per_url_cached"):
            lines += ["", "Through the cache, per page: " + ", ".join(
                f"{k} p95 {v['p95_ms']} ms ({v['rps']} req/s)" for k, v in lt["per_url_cached"].items())
                + (f"; CSV {lt['csv_cached']['mb_s']} MB/s." if lt.get("csv_cached") else ".")]
    if results.get("rerun"):
        lines += ["", "Measured again after a harness fix, on the same builds: " + ", ".join(
            f"{k} ({v})" for k, v in results["rerun"].items()) + "."]
    lines += ["", "### Issue-7 targets", "", "| target | met | figures |", "|---|---|---|"]
    for t in results.get("targets", []):
        met = {True: "yes", False: "**no**", None: "not yet"}[t["met"]]
        lines.append(f"| {t['target']} | {met} | {t['figures']} |")
    return "\n".join(lines) + "\n"
