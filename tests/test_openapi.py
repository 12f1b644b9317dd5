"""The OpenAPI description (/openapi.json) is the behaviour: `schemathesis run --checks all` against a live
server finds nothing, and the description says what the server's rules are.

Bounded for `make test` (about 40 s): schemathesis' coverage phase (every boundary and type mutation of every
parameter, positive and negative) on one operation of each kind, and its fuzzing phase with a few examples on
every operation. OPENAPI_EXAMPLES=N (make bench) runs the coverage phase on every operation and N fuzzed
examples per operation.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ingest.downloads import DOWNLOADS_DIR, published_dir, published_tables

from helpers import ROOT, free_port, serve_args

DEEP = "OPENAPI_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("OPENAPI_EXAMPLES", "4"))
SEED = os.environ.get("OPENAPI_SEED", "20251001")
# one operation of each kind: table (JSON, CSV, GeoJSON), a row (composite key), a table without a key, a canned
# query (JSON) and one with a location (GeoJSON), own SQL, map data, downloads
EACH_KIND = (
    "^(tabel_plannen(_csv|_geojson)?|rij_plan_historie|tabel_provincies|query_woningen_per_gemeente"
    "|query_plannen_in_de_buurt_geojson|sql|kaartdata|plangebieden|download)$"
)
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def live(sample_db, tmp_path_factory):
    """`datasette serve` as the Makefile runs it, with the downloads mount. Its output goes to a file:
    every 404 prints a long traceback, which would fill an unread pipe and stall the server."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("openapi") / "datasette.log", "wb")
    proc = subprocess.Popen(
        [*serve_args(sample_db, port), "--static", f"{DOWNLOADS_DIR}:{published_dir(sample_db)}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
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


def parameter(doc: dict, operation: dict, name: str) -> dict:
    return next(p for p in map(lambda p: resolved(doc, p), operation["get"]["parameters"]) if p["name"] == name)


def resolved(doc: dict, item: dict) -> dict:
    while "$ref" in item:
        kind, name = item["$ref"].split("/")[-2:]
        item = doc["components"][kind][name]
    return item


def test_openapi_describes_every_endpoint_the_developers_page_names(live, sample_db):
    doc = get_json(live + "/openapi.json")
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    conn = sqlite3.connect(sample_db)
    for table in published_tables(conn):
        assert {f"/woningbouwplannen/{table}.json", f"/woningbouwplannen/{table}.csv"} <= set(paths), table
    assert {
        "/woningbouwplannen/plannen.geojson",
        "/woningbouwplannen/plannen/{pk}.json",
        "/woningbouwplannen.json",
        "/woningbouwplannen/woningen_per_provincie.json",
        "/woningbouwplannen/woningen_per_provincie.csv",
        "/downloads/{file}",
        "/downloads/index.json",
        "/woningbouwplannen.db",
        "/-/kaartdata.json",
        "/datapackage.json",
        "/catalog.jsonld",
        "/openapi.json",
    } <= set(paths)
    index = get_json(live + "/downloads/index.json")
    files = paths["/downloads/{file}"]["get"]["parameters"][0]["schema"]["enum"]
    assert {f["file"] for f in index["files"]} <= set(files)
    # a key that exists, so the row endpoint can be tried
    example = paths["/woningbouwplannen/plannen/{pk}.json"]["get"]["parameters"][0]["example"]
    assert get_json(f"{live}/woningbouwplannen/plannen/{example}.json")["rows"]


def test_openapi_states_the_limits_and_rules_the_server_enforces(live):
    doc = get_json(live + "/openapi.json")
    paths = doc["paths"]
    plannen = paths["/woningbouwplannen/plannen.json"]
    max_rows = get_json(live + "/-/settings.json")["max_returned_rows"]
    size = parameter(doc, plannen, "_size")
    assert size["schema"]["oneOf"][0]["maximum"] == max_rows and size["schema"]["oneOf"][1]["enum"] == ["max"]
    assert parameter(doc, plannen, "_sort")["schema"]["enum"][0] == ""  # empty: the default order
    assert parameter(doc, plannen, "_sort_by_desc")["schema"]["enum"] == ["on"]
    assert "_sort_desc" in parameter(doc, plannen, "_sort")["description"]  # described, "not both" is not expressible
    assert "1500 ms" in doc["info"]["description"] and "1000 ms" in doc["info"]["description"]
    kaart = load_plugin("map_data")
    described = {p["name"]: p for p in paths["/-/kaartdata.json"]["get"]["parameters"]}
    assert set(described) == {*kaart.FILTERS, "_search", "segment", "bbox"}
    assert described["segment"]["schema"]["enum"] == ["", *kaart.SEGMENTS]
    bbox = described["bbox"]["schema"]["pattern"]
    assert (
        re.search(bbox, "4.8,52.0,5.2,52.2")
        and not re.search(bbox, "4.8,52.0,5.2")
        and not re.search(bbox, "1e3,0,1,1")
    )
    bounds = load_plugin("request_bounds")
    assert described["_search"]["schema"]["maxLength"] == bounds.MAX_SEARCH
    # typed from the table schema: INTEGER -> integer, TEXT -> string, REAL -> number, nullable
    row = doc["components"]["schemas"]["plannen.rij"]["properties"]
    assert (
        row["woningen"]["type"] == "integer" and row["naam"]["type"] == "string" and row["latitude"]["type"] == "number"
    )
    assert row["woningen"]["nullable"] is True and "description" in row["woningen"]
    query_row = doc["components"]["schemas"]["grootste_plannen.rij"]["properties"]
    assert query_row["bruto_woningen"]["type"] == "integer"  # woningen as bruto_woningen keeps its type
    assert set(plannen["get"]["responses"]) == {"200", "400"}
    assert resolved(doc, plannen["get"]["responses"]["400"]["content"]["application/json"]["schema"])["required"] == [
        "ok",
        "error",
    ]


def load_plugin(name: str):
    """A plugin module read from plugins/ (Datasette loads them without a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"{name}_under_test", ROOT / "plugins" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def schemathesis(base: str, tmp_path: Path, *args: str) -> str:
    """`schemathesis run --checks all` with the repository's configuration; its output when it found nothing."""
    result = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(ROOT / "schemathesis.toml"),
            "--no-color",
            "run",
            f"{base}/openapi.json",
            "--checks",
            "all",
            "--seed",
            SEED,
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--report-dir",
            str(tmp_path),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    return result.stdout


def test_schemathesis_coverage_finds_nothing(live, tmp_path):
    """Every boundary and type mutation of every parameter: what the description admits is answered,
    what it does not is a 400; every answer has a documented status, content type and body."""
    out = schemathesis(
        live, tmp_path, "--phases", "examples,coverage", *([] if DEEP else ["--include-operation-id-regex", EACH_KIND])
    )
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", out).groups())
    assert generated == passed and generated > (5_000 if DEEP else 1_000), out[-3000:]


def test_schemathesis_fuzzing_finds_nothing(live, tmp_path):
    out = schemathesis(live, tmp_path, "--phases", "examples,fuzzing", "--max-examples", str(EXAMPLES))
    operations = int(re.search(r"Tested: (\d+)", out).group(1))
    generated, passed = map(int, re.search(r"(\d+) generated, (\d+) passed", out).groups())
    assert operations > 80 and generated == passed and generated >= operations, out[-3000:]
