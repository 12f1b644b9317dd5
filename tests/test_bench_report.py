"""bench/report.py and bench/floor.py's pure parts: the SQL-vs-request column, where the rest goes,
the hostile-visitor table and target, and docs/benchmarks.md (no servers, no timing)."""

from __future__ import annotations

import cProfile
import json
import pstats
import sys

from helpers import ROOT

sys.path.insert(0, str(ROOT))  # bench/ is not an installed package
from bench import floor, report  # noqa: E402
from bench.attacks import TARGET_RATIO  # noqa: E402


def page(path: str, rps: float) -> dict:
    timing = {"rps": rps, "p50_ms": 10.0, "p95_ms": 20.0, "p99_ms": 30.0, "errors": 0}
    return {"path": path, "plain_path": path, "target": "own_page", "ours": dict(timing), "plain": dict(timing)}


def results(attack_ratio: float = 1.2) -> dict:
    floor_figures = {
        "/": {
            "request_ms": 14.0,
            "sql_ms": 0.5,
            "rest_ms": 13.5,
            "overhead_x": 27.0,
            "trace_ms": 1.1,
            "execute_calls": 2,
            "execute_fn_calls": 3,
            "trace_calls": 2,
            "rest": [
                {"group": "templates (Jinja)", "share": 0.41, "function": "index.html:root"},
                {"group": "plugin home_page", "share": 0.2, "function": "home_page.py:home"},
            ],
        },
        "/woningbouwplannen/plannen.json": {
            "request_ms": 30.0,
            "sql_ms": 20.0,
            "rest_ms": 10.0,
            "overhead_x": 0.5,
            "trace_ms": 25.0,
            "execute_calls": 9,
            "execute_fn_calls": 0,
            "trace_calls": 9,
        },
    }
    attacked = {
        "/": {
            "idle_p95_ms": 10.0,
            "attacked_p95_ms": 10.0 * attack_ratio,
            "ratio": attack_ratio,
            "page_failures": 0,
            "attack_statuses": {"400": 50},
        }
    }
    return {
        "started": "2026-12-02T04:00:00",
        "seconds": 600,
        "commit": {"id": "abc1234", "dirty": True},
        "config": {"quick": False},
        "machine": {
            "cores": 2,
            "cpu": "x",
            "ram_gib": 8,
            "os": "Debian",
            "python": "3.11",
            "sqlite": "3.40",
            "datasette": "0.65.5",
            "nginx": "nginx",
            "wrk": "wrk",
            "note": "shared cores",
        },
        "scales": {
            "national": {
                "dataset": {
                    "plans_newest": 100,
                    "peildatums": ["2026-01-01"],
                    "source_rows": 100,
                    "plangebieden": {"in_manifest": False},
                },
                "build": {"seconds": 1.0, "peak_rss_mb": 10.0, "steps": []},
                "insert": {"plannen": {"ours_rows_s": 1, "raw_rows_s": 1, "ratio": 1.0}},
                "serving": {
                    "home": page("/", 100.0),
                    "json_page": page("/woningbouwplannen/plannen.json", 10.0),
                    "floor": floor_figures,
                    "attacks": {"randomblob": attacked},
                    "csv": {"ours": {"mb_s": 100}, "raw": {"mb_s": 10}},
                },
            }
        },
    }


def test_each_page_shows_its_sql_beside_the_whole_request():
    md = report.markdown(results())
    home = next(line for line in md.splitlines() if line.startswith("| national | home |"))
    assert home.endswith("| 0.50 / 14.00 (**27.0x**) |")
    json_row = next(line for line in md.splitlines() if line.startswith("| national | json_page |"))
    assert json_row.endswith("| 20.00 / 30.00 (0.5x) |")  # within the limit: not in bold


def test_a_page_over_the_limit_names_where_the_rest_goes_and_what_the_trace_misses():
    md = report.markdown(results())
    section = md.split(f"over {floor.OVERHEAD_LIMIT}x their SQL", 1)[1].split("\n### ", 1)[0]
    row = "| national | home | 13.50 | 5 (2) | 1.10 | templates (Jinja) 41 % (index.html:root); plugin home_page 20 %"
    assert row in section
    assert "json_page" not in section
    assert "execute_fn" in section  # says what Datasette's trace does not see


def test_hostile_visitors_are_a_bench_target():
    ok = {t["target"]: t for t in report.targets(results(1.2))}
    slow = {t["target"]: t for t in report.targets(results(TARGET_RATIO + 0.5))}
    name = f"under attack randomblob: page p95 <= {TARGET_RATIO}x idle"
    assert ok[name]["met"] is True and slow[name]["met"] is False
    assert "| national | randomblob | `/` | 10.0 | 12.0 | 1.2x | 0 | 400: 50 |" in report.markdown(results())


def test_the_docs_page_carries_the_run_and_every_table():
    doc = report.document(results())
    assert doc.startswith("# Benchmarks (`make bench`)")
    assert "This run: `make bench`, commit abc1234 with uncommitted changes, started 2026-12-02T04:00:00." in doc
    assert report.markdown(results()) in doc
    json.dumps(results())  # what run.py writes must be JSON


def test_self_time_is_grouped_by_whose_code_it_is():
    assert floor.group(str(ROOT / "plugins" / "map_data.py")) == "plugin map_data"
    assert floor.group("/x/site-packages/jinja2/runtime.py") == "templates (Jinja)"
    assert floor.group(str(ROOT / "templates" / "index.html")) == "templates (Jinja)"
    assert floor.group("/usr/lib/python3.11/json/encoder.py") == "JSON encoding"
    assert floor.group("/x/site-packages/datasette/views/table.py") == "Datasette views"
    profile = cProfile.Profile()
    profile.enable()
    json.dumps([{"a": list(range(50))}] * 2000)
    profile.disable()
    groups = floor.top_groups(pstats.Stats(profile), total_s=1.0)
    assert groups and groups[0]["group"] == "JSON encoding", groups
