"""The OpenAPI description (/openapi.json) exercised by schemathesis against a live server on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.request

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from conftest import ROOT, free_port, serve_args
from ingest.downloads import published_tables

# generated requests per operation; OPENAPI_EXAMPLES=15 for a deeper run (about 2 minutes)
EXAMPLES = int(os.environ.get("OPENAPI_EXAMPLES", "3"))


@pytest.fixture(scope="module")
def live(sample_db, tmp_path_factory):
    """`datasette serve` as the Makefile runs it, with the downloads mount. Its output goes to a file:
    every 404 prints a long traceback, which would fill an unread pipe and stall the server."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("openapi") / "datasette.log", "wb")
    proc = subprocess.Popen([*serve_args(sample_db, port), "--static", f"downloads:{sample_db.parent / 'downloads'}"],
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            assert time.time() < deadline and proc.poll() is None, "datasette did not start"
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(10)
    log.close()


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def test_openapi_describes_tables_rows_queries_downloads_and_limits(live, sample_db):
    import sqlite3

    doc = get_json(live + "/openapi.json")
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    conn = sqlite3.connect(sample_db)
    for table in published_tables(conn):
        assert f"/woningbouwplannen/{table}.json" in paths, table
    assert "/woningbouwplannen/plannen/{pk}.json" in paths
    assert "/woningbouwplannen/woningen_per_provincie.json" in paths  # a canned query from metadata.yml
    assert {"/downloads/{file}", "/woningbouwplannen.db", "/-/kaartdata.json", "/datapackage.json"} <= set(paths)
    index = get_json(live + "/downloads/index.json")
    files = paths["/downloads/{file}"]["get"]["parameters"][0]["schema"]["enum"]
    assert {f["file"] for f in index["files"]} <= set(files)
    size = next(p for p in paths["/woningbouwplannen/plannen.json"]["get"]["parameters"] if p["name"] == "_size")
    assert size["schema"]["maximum"] == get_json(live + "/-/settings.json")["max_returned_rows"]
    assert "1500 ms" in doc["info"]["description"]  # sql_time_limit_ms from settings.json
    # the map data's filters as plugins/map_data.py accepts them
    map_data = load_plugin("map_data")
    described = {p["name"] for p in paths["/-/kaartdata.json"]["get"]["parameters"]}
    assert described == {*map_data.FILTERS, "_search", "segment", "bbox"}


def load_plugin(name: str):
    """A plugin module read from plugins/ (Datasette loads them without a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_under_test", ROOT / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_server_errors(live):
    """Every described operation, a few generated requests each (no shrinking), never a 5xx.

    Driven with Hypothesis directly rather than schemathesis' pytest plugin, so it runs as one
    bounded test: about 50 operations times a few examples, well under a minute.
    """
    schema = schemathesis.openapi.from_url(live + "/openapi.json")
    failures, calls = [], []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call(timeout=20)
            calls.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.method} {response.request.url}: {response.text[:300]}")

        run()
    assert not failures, "\n".join(failures)
    assert len(calls) >= len(operations) and any(code == 200 for code in calls)
