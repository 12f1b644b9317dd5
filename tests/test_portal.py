"""End to end: the sample exports (data/sample/exports.yml) through the real ingest, served by the real
Datasette app. (The sample releases in the LMVW release's shape: tests/test_woningbouwkaart.py.)

Expected figures are computed independently from the source files with the csv module
and openpyxl, not through our ingest code.
"""

import csv
import io
import re
from collections import Counter

import openpyxl
import pytest
import yaml

from ingest.schema import PLANSTATUSSEN

from helpers import ROOT

SAMPLE = ROOT / "data" / "sample"
GOOD_STATUSES = set(PLANSTATUSSEN) - {"onbekend"}  # a sample plan always has a known status


def source_rows():
    """(peildatum, dict) for every public, plainly valid source row; independent of ingest/."""
    with open(SAMPLE / "plannen_2025-10-01.csv", encoding="cp1252", newline="") as f:
        new = list(csv.DictReader(f, delimiter=";"))
    wb = openpyxl.load_workbook(SAMPLE / "plannen_2025-04-01.xlsx", read_only=True, data_only=True)
    values = list(wb["Plannen"].iter_rows(values_only=True))
    header = list(values[2])
    old = [dict(zip(header, r)) for r in values[3:]]
    return old, new


def plainly_valid(rows):
    seen, out = set(), {}
    for r in rows:
        pid = str(r["Plan-ID"] or "").strip()
        if str(r["Openbaar"]).strip().lower() == "nee":
            continue
        if not pid or pid.startswith("FOUT-") or pid in seen:
            seen.add(pid)
            continue
        seen.add(pid)
        code = str(r["Gemeentecode"]).strip()
        r["gm"] = code if code.startswith("GM") else "GM" + code.zfill(4)
        out[pid] = r
    return out


@pytest.fixture(scope="module")
def expected():
    old, new = source_rows()
    old_ok, new_ok = plainly_valid(old), plainly_valid(new)
    covered = {r["gm"] for r in new_ok.values()}
    current = dict(new_ok)
    for pid, r in old_ok.items():
        if pid not in current and r["gm"] not in covered:
            current[pid] = r
    return current


async def get_json(app, path):
    response = await app.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


async def test_row_count_matches_sources(export_app, expected):
    data = await get_json(export_app, "/woningbouwplannen.json?sql=select+count(*)+as+n+from+plannen&_shape=array")
    assert data[0]["n"] == len(expected) >= 3000
    response = await export_app.client.get("/woningbouwplannen/plannen.csv?_stream=on&_size=max")
    ids = [r["plan_id"] for r in csv.DictReader(io.StringIO(response.text))]
    assert sorted(ids) == sorted(expected)


async def test_facet_counts_match_sources(export_app, expected):
    data = await get_json(export_app, "/woningbouwplannen/plannen.json?_facet=provincie&_facet=planstatus&_size=0")
    by_prov = {f["value"]: f["count"] for f in data["facet_results"]["provincie"]["results"]}
    gemeenten = {
        r["gemeentecode"]: r["provincie"]
        for r in csv.DictReader(open(ROOT / "data/reference/gemeenten.csv", encoding="utf-8"))
    }
    assert by_prov == dict(Counter(gemeenten[r["gm"]] for r in expected.values()))
    assert len(by_prov) == 12
    by_status = {f["value"]: f["count"] for f in data["facet_results"]["planstatus"]["results"]}
    # a label the mapping does not know is published as onbekend
    assert by_status == dict(
        Counter(
            s if s in GOOD_STATUSES else "onbekend"
            for s in (str(r["Planstatus"]).strip().lower() for r in expected.values())
        )
    )
    assert set(by_status) <= GOOD_STATUSES | {"onbekend"}


async def test_full_text_search_finds_plans_by_name_and_municipality(export_app, expected):
    some = next(r for r in expected.values() if r["Gemeente"] == "Hoeksche Waard")
    data = await get_json(export_app, "/woningbouwplannen/plannen.json?_search=Hoeksche+Waard&_size=max&_shape=objects")
    n_expected = sum(1 for r in expected.values() if r["Gemeente"] == "Hoeksche Waard")
    assert data["filtered_table_rows_count"] == n_expected
    assert some["Plan-ID"] in {r["plan_id"] for r in data["rows"]}
    for word in ("Spoorzone", "Havenkwartier"):
        data = await get_json(export_app, f"/woningbouwplannen/plannen.json?_search={word}&_size=0")
        want = sum(
            1
            for r in expected.values()
            if word.lower() in re.findall(r"\w+", f"{r['Plannaam']} {r['Omschrijving']} {r['Gemeente']}".lower())
        )
        assert data["filtered_table_rows_count"] == want > 0


async def test_csv_and_json_of_filtered_view_agree_with_each_other_and_source(export_app, expected):
    path = "/woningbouwplannen/plannen{}?provincie=Utrecht&hardheid=hard&_sort=plan_id"
    response = await export_app.client.get(path.format(".csv") + "&_stream=on&_size=max")
    assert response.status_code == 200
    csv_rows = list(csv.DictReader(io.StringIO(response.text)))
    data = await get_json(export_app, path.format(".json") + "&_shape=array&_size=max")
    assert len(csv_rows) == len(data) > 0
    assert [r["plan_id"] for r in csv_rows] == [r["plan_id"] for r in data]
    assert [int(r["woningen"]) for r in csv_rows] == [r["woningen"] for r in data]
    gemeenten = {
        r["gemeentecode"]: r["provincie"]
        for r in csv.DictReader(open(ROOT / "data/reference/gemeenten.csv", encoding="utf-8"))
    }
    hard = {"vastgesteld", "onherroepelijk", "in aanbouw", "opgeleverd"}
    want = sorted(
        pid for pid, r in expected.items() if gemeenten[r["gm"]] == "Utrecht" and str(r["Planstatus"]).lower() in hard
    )
    assert [r["plan_id"] for r in data] == want
    for r in data:
        assert r["woningen"] == int(str(expected[r["plan_id"]]["Aantal woningen"]))


async def test_table_page_has_facets_map_banner_and_plan_pages(export_app, expected):
    response = await export_app.client.get("/woningbouwplannen/plannen")
    html = response.text
    assert response.status_code == 200
    for facet in ("provincie", "gemeente", "planstatus", "hardheid"):
        assert f'data-column="{facet}"' in html
    assert "datasette-cluster-map.js" in html and "service.pdok.nl/brt/achtergrondkaart" in html
    assert "voorbeelddata-banner" in html and "Peildatum" in html
    pid = next(iter(expected))
    row = await export_app.client.get(f"/woningbouwplannen/plannen/{pid}")
    assert row.status_code == 200 and expected[pid]["Plannaam"] in row.text and "voorbeelddata-banner" in row.text


async def test_every_page_shows_the_sample_banner(export_app):
    for path in (
        "/",
        "/woningbouwplannen",
        "/woningbouwplannen/bronnen",
        "/woningbouwplannen?sql=select+1",
        "/woningbouwplannen/ingest_problemen",
    ):
        response = await export_app.client.get(path)
        assert response.status_code == 200 and "voorbeelddata-banner" in response.text, path


async def test_metadata_descriptions_for_every_column_and_cors(export_app):
    response = await export_app.client.get("/woningbouwplannen/plannen.json?_size=1")
    assert response.headers["access-control-allow-origin"] == "*"
    columns = response.json()["columns"]
    meta = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    described = meta["databases"]["woningbouwplannen"]["tables"]["plannen"]["columns"]
    assert set(columns) <= set(described)
    assert all(" / " in described[c] for c in columns), "every description needs Dutch / English"
    sample = await get_json(
        export_app, "/woningbouwplannen.json?sql=select+sum(voorbeelddata)+as+n+from+bronnen&_shape=array"
    )
    # every source the shipped manifest marks as sample (plans exports and sample geometries)
    manifest = yaml.safe_load((ROOT / "data" / "sample" / "exports.yml").read_text(encoding="utf-8"))
    assert sample[0]["n"] == sum(1 for s in manifest["sources"] if s.get("sample"))


@pytest.mark.parametrize("sort", ["", "&_sort_desc=start_bouw", "&_sort=planstatus", "&_sort_desc=woningen"])
async def test_sorted_csv_stream_and_json_pages_have_every_plan_once(export_app, expected, sort):
    # Datasette 0.65 repeats/skips rows on sorted paging without plugins/stable_sort_paging.py
    response = await export_app.client.get(f"/woningbouwplannen/plannen.csv?_stream=on&_size=max{sort}")
    ids = [r["plan_id"] for r in csv.DictReader(io.StringIO(response.text))]
    assert len(ids) == len(set(ids)) == len(expected)
    url, json_ids = f"/woningbouwplannen/plannen.json?_size=400&_shape=objects{sort}", []
    while url:
        data = await get_json(export_app, url)
        json_ids += [r["plan_id"] for r in data["rows"]]
        url = data["next_url"] and data["next_url"].replace("http://localhost", "")
    assert sorted(json_ids) == sorted(ids)


def test_a_database_file_of_another_name_is_served_under_the_portals_name(sample_db, tmp_path):
    """Datasette names a database after its file; the pages are written for one name."""
    import subprocess
    import sys
    import time
    import urllib.request

    from helpers import free_port

    other = tmp_path / "gebouwd-2025.db"
    other.write_bytes(sample_db.read_bytes())
    port = free_port()
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "portal.serve", "--db", str(other), "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
    try:
        deadline, page = time.time() + 30, None
        while time.time() < deadline and page is None:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/gemeenten", timeout=2).read().decode()
            except OSError:
                time.sleep(0.3)
        assert page is not None, (tmp_path / "serve.log").read_text()[-1500:]
        assert "Amsterdam" in page and "/woningbouwplannen/" in page
    finally:
        proc.terminate()
        proc.wait(10)
    missing = subprocess.run(
        [sys.executable, "-m", "portal.serve", "--db", str(tmp_path / "geen.db")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and missing.stderr.startswith("FOUT: ") and "Traceback" not in missing.stderr
