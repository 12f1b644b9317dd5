"""The public LMVW release (kind: woningbouwkaart) end to end: fixtures in the release's exact shape with
its quirks, built by the real ingest from a manifest alone, read back with sqlite3 and through the app."""

from __future__ import annotations

import gzip
import hashlib
import json

import pytest
import shapely

from ingest.build import build

from helpers import GEMEENTEN, ingest_build, make_datasette, query, write_manifest
from releases import gemeente, gz, project, square, write_release

OLD, NEW = "2025-04-01", "2025-10-01"
BOWTIE = [[5.10, 52.08], [5.11, 52.09], [5.11, 52.08], [5.10, 52.09], [5.10, 52.08]]


def release_old(folder):
    projects = [
        project(
            1001,
            "Kade Noord",
            "Utrecht",
            "Utrecht",
            120,
            120.0,
            peilmoment="Voorjaar 2025",
            Sociale_huur=40,
            Middenhuur=0,
        ),
        project(
            1002,
            "Havenfront",
            "Den Haag",
            "Zuid-Holland",
            -30.0,
            50.0,
            status="In voorbereiding",
            peilmoment="Voorjaar 2025",
            point=(4.30, 52.07),
            Dure_koop=5,
        ),
        project(
            1003,
            "Dorpshart",
            "Hengelo",
            "Overijssel",
            12,
            12,
            status="Principeverzoek",
            peilmoment="Voorjaar 2025",
            point=(6.79, 52.26),
        ),
        project(1004, "Weg", "Utrecht", "Utrecht", 40, 40, status="Idee", peilmoment="Voorjaar 2025"),
        project(1005, "Tweemaal Bergen", "Bergen", "Noord-Holland", 10, 10, peilmoment="Voorjaar 2025", point=None),
        project(1006, "Parijs", "utrecht", "Utrecht", 7, 7, peilmoment="Voorjaar 2025", point=(2.35, 48.86)),
        project(1007, "Zonder punt", "Utrecht", "Utrecht", 3, 3, peilmoment="Voorjaar 2025", point=None),
        project(1001, "Dubbel", "Utrecht", "Utrecht", 1, 1, peilmoment="Voorjaar 2025"),
    ]
    areas = [
        (1001, "Polygon", [square(5.12, 52.09)]),
        (1002, "MultiPolygon", [square(4.30, 52.07), square(4.31, 52.075)]),
        (1003, "Polygon", [BOWTIE]),
        (9999, "Polygon", [square(5.0, 52.0)]),
        (1007, None, None),
    ]
    gemeenten = [
        gemeente("GM0344", "Utrecht", "Utrecht", "Regio Utrecht", 170, 120, 50, "Voorjaar 2025"),
        gemeente("GM0518", "Den Haag", "Zuid-Holland", "Haaglanden", 999, 0, 999, "Voorjaar 2025"),
        gemeente("GM0164", "Hengelo", "Overijssel", "Twente", 12.0, 0, 12, "Voorjaar 2025"),
    ]
    woondeals = [
        {
            "woondeal_regio": "Regio Utrecht",
            "peilmoment": "Voorjaar 2025",
            "Netto": 170.0,
            "Hard totaal": 120,
            "Zacht totaal": 50,
        }
    ]
    return write_release(folder, projects, areas, gemeenten, woondeals)


def release_new(folder):
    projects = [
        project(
            1001, "Kade Noord", "Utrecht", "Utrecht", 150, 150, status="Onherroepelijk", Sociale_huur=40, Middenhuur=0
        ),
        project(
            1002,
            "Havenfront",
            "Den Haag",
            "Zuid-Holland",
            -30,
            50,
            status="In voorbereiding",
            point=(4.30, 52.07),
            Dure_koop=5,
        ),
        project(1003, "Dorpshart", "Hengelo", "Overijssel", 12, 12, status="Principeverzoek", point=(6.79, 52.26)),
        project(1008, "Ook onbekend", "Utrecht", "Utrecht", 4, 4, status="principeverzoek"),
        project(1009, "Nieuw plan", "Utrecht", "Utrecht", 60, 60, status="Visie", Huur_onbekend=20, Koop_onbekend=0),
    ]
    areas = [(1001, "Polygon", [square(5.12, 52.09)])]
    gemeenten = [
        gemeente("GM0344", "Utrecht", "Utrecht", "Regio Utrecht", 214, 150, 64),
        gemeente("GM0518", "Den Haag", "Zuid-Holland", "Haaglanden", -30, 0, -30),
    ]
    return write_release(folder, projects, areas, gemeenten)


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    d = tmp_path_factory.mktemp("releases")
    release_old(d / "releases" / OLD)
    release_new(d / "releases" / NEW)
    return d


@pytest.fixture(scope="module")
def db(releases):
    path = releases / "woningbouwplannen.db"
    build(write_manifest(releases, [{"kind": "woningbouwkaart", "path": "releases/*"}]), path, quiet=True)
    return path


def plan(db, pid):
    rows = query(db, "select * from plannen where plan_id = ?", (pid,))
    return rows[0] if rows else None


def problems(db, code):
    return query(db, "select * from ingest_problemen where code = ?", (code,))


def test_values_as_published_absent_stays_empty_zero_stays_zero(db):
    p = plan(db, "1001")
    assert (p["naam"], p["gemeentecode"], p["gemeente"], p["provincie"]) == (
        "Kade Noord",
        "GM0344",
        "Utrecht",
        "Utrecht",
    )
    assert (p["woningen"], p["netto"], p["sloop"]) == (150, 150, 0)
    assert (p["sociale_huur"], p["middenhuur"]) == (40, 0)  # explicit zero stays zero
    assert all(p[c] is None for c in ("dure_huur", "betaalbare_koop", "dure_koop", "huur_onbekend", "koop_onbekend"))
    assert (p["planstatus"], p["hardheid"], p["planstatus_bron"]) == ("onherroepelijk", "hard", "Onherroepelijk")
    assert p["peildatum"] == NEW and p["bron"] == f"{NEW}/project2.json.gz"
    assert (plan(db, "1009")["huur_onbekend"], plan(db, "1009")["koop_onbekend"]) == (20, 0)


def test_negative_netto_and_floats_for_whole_numbers(db):
    p = plan(db, "1002")
    assert (p["woningen"], p["netto"], p["sloop"]) == (50, -30, 80)
    assert isinstance(p["netto"], int) and p["dure_koop"] == 5
    old = query(db, "select woningen, netto from plan_historie where plan_id = '1002' and peildatum = ?", (OLD,))
    assert old == [{"woningen": 50, "netto": -30}]  # 50.0 and -30.0 in the file


def test_municipalities_by_name_through_the_release_and_the_cbs_list(db):
    assert plan(db, "1002")["gemeentecode"] == "GM0518"  # Den Haag, named so by gemeente.json.gz
    assert (plan(db, "1003")["gemeentecode"], plan(db, "1003")["gemeente"]) == ("GM0164", "Hengelo (O.)")
    bergen = plan(db, "1005")
    assert bergen is None  # only in the older release, and withdrawn since
    reported = problems(db, "gemeente_dubbelzinnig")
    assert [(r["plan_id"], r["waarde"]) for r in reported] == [("1005", "Bergen")]
    assert "Bergen (L.)" in reported[0]["melding"] and "Bergen (NH.)" in reported[0]["melding"]
    hist = query(db, "select gemeentecode, gemeente from plan_historie where plan_id = '1005'")
    assert hist == [{"gemeentecode": None, "gemeente": "Bergen"}]  # kept, never placed in a guessed municipality


def test_unknown_status_published_as_onbekend_and_reported_once_per_label_with_count(db):
    assert (plan(db, "1003")["planstatus"], plan(db, "1003")["hardheid"]) == ("onbekend", "onbekend")
    assert plan(db, "1008")["planstatus_bron"] == "principeverzoek"
    rows = problems(db, "onbekende_status")
    per_file = {(r["bestand"], r["waarde"]): r["melding"] for r in rows}
    # once per label (whatever its case) per file, with the count
    assert set(per_file) == {
        (f"{OLD}/project2.json.gz", "Principeverzoek"),
        (f"{NEW}/project2.json.gz", "Principeverzoek"),
    }
    assert "(2 plannen; eerste op rij 3)" in per_file[(f"{NEW}/project2.json.gz", "Principeverzoek")]


def test_point_outside_nl_and_missing_point(db):
    outside = [r for r in problems(db, "ongeldig_punt") if r["plan_id"] == "1006"]
    assert outside and "buiten Nederland" in outside[0]["melding"]
    hist = query(db, "select plan_id from plan_historie where plan_id in ('1006', '1007')")
    assert len(hist) == 2  # both loaded (older release), without an export point
    missing = problems(db, "geen_punt")  # said once per file, with the count: never silently placed
    assert len(missing) == 1 and missing[0]["ernst"] == "info" and "2 projecten" in missing[0]["melding"]


def test_duplicate_project_id_first_loaded_second_reported(db):
    dup = problems(db, "dubbel_plan_id")
    assert [(r["bestand"], r["rij"], r["plan_id"]) for r in dup] == [(f"{OLD}/project2.json.gz", 8, "1001")]
    assert query(db, "select naam from plan_historie where plan_id = '1001' and peildatum = ?", (OLD,)) == [
        {"naam": "Kade Noord"}
    ]


def test_areas_joined_repaired_multipolygon_null_and_orphan_reported(db):
    areas = {r["plan_id"]: r for r in query(db, "select * from plangebieden")}
    assert set(areas) == {"1001", "1002", "1003"}  # every current plan that has an area in some release
    assert (areas["1001"]["bron"], areas["1002"]["bron"]) == (
        f"{NEW}/project_shape_topo.json.gz",
        f"{OLD}/project_shape_topo.json.gz",
    )
    # the newer release has no area for 1002: the files are out of step, the older one is used and said so
    older = problems(db, "vlak_uit_oudere_release")
    assert {r["plan_id"] for r in older} == {"1002", "1003"} and OLD in older[0]["melding"]
    assert plan(db, "1001")["punt_bron"] == "plangebied"
    assert shapely.from_geojson(areas["1002"]["geometrie"]).geom_type == "MultiPolygon"
    assert areas["1003"]["hersteld"] == 1 and problems(db, "geometrie_hersteld")
    inside = shapely.from_geojson(areas["1001"]["geometrie"])
    assert inside.contains(shapely.Point(plan(db, "1001")["longitude"], plan(db, "1001")["latitude"]))
    assert inside.equals_exact(shapely.Polygon(square(5.12, 52.09)), 1e-9)  # the published outline, unchanged
    orphan = problems(db, "onbekend_plan_id")
    assert [(r["bestand"], r["plan_id"]) for r in orphan] == [(f"{OLD}/project_shape_topo.json.gz", "9999")]
    assert [r["plan_id"] for r in problems(db, "geen_geometrie")] == ["1007"]


def test_every_row_of_every_file_loaded_or_reported(db):
    for b in query(db, "select * from bronnen"):
        assert b["rijen_gelezen"] == b["rijen_geladen"] + b["rijen_afgewezen"] + b["rijen_niet_openbaar"], b
    files = {b["bestand"]: b for b in query(db, "select * from bronnen where soort like 'woningbouwkaart%'")}
    assert files[f"{OLD}/project2.json.gz"]["rijen_gelezen"] == 8
    assert files[f"{OLD}/project_shape_topo.json.gz"]["rijen_gelezen"] == 5
    assert set(files) == {
        f"{p}/{f}" for p in (OLD, NEW) for f in ("project2.json.gz", "project_shape_topo.json.gz", "gemeente.json.gz")
    } | {f"{OLD}/woondeal.json.gz"}


def test_bronnen_sha256_is_the_file_as_served(db, releases):
    for b in query(db, "select bestand, sha256, bytes from bronnen where soort like 'woningbouwkaart%'"):
        data = (releases / "releases" / b["bestand"]).read_bytes()
        assert (b["sha256"], b["bytes"]) == (hashlib.sha256(data).hexdigest(), len(data))


def test_history_between_releases_keyed_on_project_id(db):
    kinds = {(r["plan_id"], r["soort"]) for r in query(db, "select plan_id, soort from plan_wijzigingen")}
    assert {
        ("1004", "ingetrokken"),
        ("1009", "nieuw"),
        ("1001", "status_vooruit"),
        ("1001", "meer_woningen"),
        ("1008", "nieuw"),
    } <= kinds
    assert plan(db, "1004") is None
    assert {r["peildatum"] for r in query(db, "select peildatum from plan_historie")} == {OLD, NEW}


def test_release_aggregates_published_as_they_are_and_differences_reported(db):
    rows = {(r["gemeentecode"], r["peildatum"]): r for r in query(db, "select * from lmvw_gemeenten")}
    assert rows[("GM0518", OLD)]["netto"] == 999 and rows[("GM0518", OLD)]["gemeente"] == "Den Haag"
    assert rows[("GM0344", NEW)]["woondealregio"] == "Regio Utrecht"
    assert plan(db, "1001")["woondealregio"] == "Regio Utrecht"  # a plan's region comes from there
    differ = problems(db, "totaal_wijkt_af")
    messages = {r["bestand"]: r["melding"] for r in differ}
    assert "GM0518" in messages[f"{OLD}/gemeente.json.gz"] and "999" in messages[f"{OLD}/gemeente.json.gz"]
    assert "-30" in messages[f"{OLD}/gemeente.json.gz"]  # ours beside theirs
    assert f"{NEW}/gemeente.json.gz" not in messages  # 150 + 4 + 60 = 214 and -30: equal in the newer release
    assert query(db, "select netto from lmvw_woondealregios") == [{"netto": 170}]
    summary = query(db, "select netto, netto_lmvw from cijfers_per_gebied where code = 'GM0344'")[0]
    assert summary == {"netto": 214, "netto_lmvw": 214}


async def test_a_project_on_its_plan_page_municipality_page_and_map(db):
    app = make_datasette(db)
    html = (await app.client.get("/plan/1001")).text
    assert "Kade Noord" in html and 'href="/gemeente/GM0344"' in html and "Woningen netto" in html
    assert "BZK / Landelijke Monitor Voortgang Woningbouw" in html  # the source named on the page
    assert "voorbeelddata-banner" not in html  # not sample data: no sample banner
    html = (await app.client.get("/gemeente/GM0344")).text
    assert 'href="/plan/1001"' in html and "Totaal volgens de LMVW-release zelf: netto 214 woningen" in html
    data = (await app.client.get("/-/kaartdata.json?gemeentecode=GM0344")).json()
    assert "1001" in [r[0] for r in data["rows"]]
    row = next(r for r in data["rows"] if r[0] == "1001")
    assert dict(zip(data["columns"], row))["netto"] == 150


def test_manifest_peildatum_overrides_the_peilmoment(tmp_path):
    release_old(tmp_path / "r")
    db = tmp_path / "w.db"
    build(
        write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "r", "peildatum": "2025-06-30"}]), db, quiet=True
    )
    assert {r["peildatum"] for r in query(db, "select peildatum from plannen")} == {"2025-06-30"}


def run_build(directory):
    return ingest_build(directory / "sources.yml", directory / "woningbouwplannen.db")


BROKEN = {
    "not_gzip": ("project2.json.gz", b"dit is geen gzip", "geen gzip-bestand"),
    "html": ("project2.json.gz", b"<!DOCTYPE html><html><body>Niet gevonden</body></html>", "HTML-pagina"),
    "truncated": (
        "project2.json.gz",
        gz({"type": "FeatureCollection", "features": [project(1, "A", "Utrecht", "Utrecht", 1, 1)] * 50})[:-30],
        "afgebroken",
    ),
    "invalid_json": (
        "project2.json.gz",
        gzip.compress(b'{"type": "FeatureCollection", "features": [', mtime=0),
        "geen geldige JSON",
    ),
    "wrong_shape": ("project2.json.gz", gz([{"project_id": 1}]), "FeatureCollection"),
    "topo_wrong_shape": ("project_shape_topo.json.gz", gz({"type": "FeatureCollection", "features": []}), "TopoJSON"),
    "gemeente_wrong_shape": ("gemeente.json.gz", gz({"a": 1}), "verwacht een lijst"),
    "plain_json": ("woondeal.json.gz", json.dumps([]).encode(), "onverpakte JSON"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_refused_in_one_line_and_the_published_database_unchanged(tmp_path, case):
    name, data, message = BROKEN[case]
    release_new(tmp_path / "rel")
    write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "rel"}])
    first = run_build(tmp_path)
    assert first.returncode == 0, first.stderr
    before = (tmp_path / "woningbouwplannen.db").read_bytes()
    (tmp_path / "rel" / name).write_bytes(data)
    run = run_build(tmp_path)
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 2 and len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert lines[0].startswith("FOUT: ") and name in lines[0] and message in lines[0], lines[0]
    assert (tmp_path / "woningbouwplannen.db").read_bytes() == before


@pytest.mark.parametrize("objects", ["renamed", "empty"])
def test_a_topojson_without_its_data_object_or_areas_says_so(tmp_path, objects):
    release_new(tmp_path / "rel")
    topo = json.loads(gzip.decompress((tmp_path / "rel" / "project_shape_topo.json.gz").read_bytes()))
    if objects == "renamed":
        topo["objects"] = {"gebieden": topo["objects"]["data"]}
    else:
        topo["objects"]["data"]["geometries"] = []
    (tmp_path / "rel" / "project_shape_topo.json.gz").write_bytes(gz(topo))
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "rel"}]), db, quiet=True)
    code = "topojson_object" if objects == "renamed" else "geen_vlakken"
    assert [r["ernst"] for r in problems(db, code)] == ["waarschuwing"]
    areas = query(db, "select plan_id from plangebieden")
    assert areas == ([{"plan_id": "1001"}] if objects == "renamed" else [])


def test_a_folder_without_project2_or_a_file_for_a_folder_is_one_line(tmp_path):
    (tmp_path / "leeg").mkdir()
    write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "leeg"}])
    run = run_build(tmp_path)
    assert run.returncode == 2 and "project2.json.gz ontbreekt" in run.stderr and len(run.stderr.splitlines()) == 1
    write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "sources.yml"}])
    run = run_build(tmp_path)
    assert run.returncode == 2 and "geen map" in run.stderr and len(run.stderr.splitlines()) == 1


def test_unknown_properties_named_once_never_published(tmp_path):
    projects = [
        project(1, "A", "Utrecht", "Utrecht", 5, 5, Contactpersoon="Piet Geheim"),
        project(2, "B", "Utrecht", "Utrecht", 5, 5),
    ]
    write_release(tmp_path / "rel", projects)
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "rel"}]), db, quiet=True)
    assert b"Piet Geheim" not in db.read_bytes()
    assert [r["kolom"] for r in problems(db, "onbekende_kolom")] == ["Contactpersoon"]


def test_a_flag_like_property_the_mapping_does_not_know_stops_the_build(tmp_path):
    projects = [project(1, "A", "Utrecht", "Utrecht", 5, 5, **{"Openbaar (ja/nee)": "nee"})]
    write_release(tmp_path / "rel", projects)
    write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "rel"}])
    run = run_build(tmp_path)
    assert run.returncode == 2 and "publicatievlag" in run.stderr and "Openbaar (ja/nee)" in run.stderr
    assert not (tmp_path / "woningbouwplannen.db").exists()


def test_a_project_with_another_peilmoment_is_said_once_and_takes_the_releases(tmp_path):
    projects = [
        project(1, "A", "Utrecht", "Utrecht", 5, 5, peilmoment="Najaar 2025"),
        project(2, "B", "Utrecht", "Utrecht", 5, 5, peilmoment="Najaar 2025"),
        project(3, "C", "Utrecht", "Utrecht", 5, 5, peilmoment="2025-04-01"),
    ]
    write_release(tmp_path / "rel", projects)
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "rel"}]), db, quiet=True)
    assert {r["peildatum"] for r in query(db, "select peildatum from plannen")} == {"2025-10-01"}
    assert len(problems(db, "peilmoment_wijkt_af")) == 1 and not problems(db, "afwijkende_peildatum")


def test_releases_fetched_within_one_second_load_the_last_by_its_folder_counter(tmp_path):
    same = "2025-10-02T08:00:00Z"  # opgehaald_op has seconds: the fetch's folder counter decides
    for name, netto in ((NEW, 10), (f"{NEW}-2", 11), (f"{NEW}-3", 12), (f"{NEW}-10", 13)):
        folder = write_release(tmp_path / "releases" / name, [project(1, "A", "Utrecht", "Utrecht", netto, netto)])
        (folder / "opgehaald.json").write_text(json.dumps({"peildatum": NEW, "opgehaald_op": same, "bestanden": []}))
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "releases/*"}]), db, quiet=True)
    assert query(db, "select netto from plannen") == [{"netto": 13}]


def test_a_release_fetched_twice_for_one_peildatum_loads_the_last(tmp_path):
    for name, when, netto in ((NEW, "2025-10-02T08:00:00Z", 10), (f"{NEW}-2", "2025-10-20T08:00:00Z", 11)):
        folder = write_release(tmp_path / "releases" / name, [project(1, "A", "Utrecht", "Utrecht", netto, netto)])
        (folder / "opgehaald.json").write_text(json.dumps({"peildatum": NEW, "opgehaald_op": when, "bestanden": []}))
    db = tmp_path / "w.db"
    build(write_manifest(tmp_path, [{"kind": "woningbouwkaart", "path": "releases/*"}]), db, quiet=True)
    assert query(db, "select netto from plannen") == [{"netto": 11}]
    skipped = query(
        db, "select toelichting, rijen_gelezen from bronnen where bestand = ?", (f"{NEW}/project2.json.gz",)
    )
    assert skipped[0]["rijen_gelezen"] == 0 and f"vervangen door {NEW}-2/" in skipped[0]["toelichting"]
    assert GEMEENTEN.exists()
