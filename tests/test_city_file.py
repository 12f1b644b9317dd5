"""A city's own open data: a vector file whose features carry the plan attributes and the outline,
loaded with a manifest (with defaults:) and a mapping file next to it, no code."""

from __future__ import annotations

import json

import pytest
import shapely
import yaml

from ingest.build import build

from helpers import ingest_build, query, write_manifest

# a city's own vocabulary, as a steward would write it next to the manifest
MAPPING = {
    "name": "stad",
    "columns": {
        "plan_id": ["project_id"],
        "naam": ["Projectnaam"],
        "planstatus_bron": ["Fase"],
        "start_bouw": ["Startjaar bouw"],
        "woningen": ["Totaal woningen"],
        "sociale_huur": ["Sociaal"],
        "middenhuur": ["Middeldure huur"],
        "dure_koop": ["Dure koop"],
        "omschrijving": ["Stadsdeel"],
    },
    "required": ["plan_id", "naam", "woningen"],
    "planstatus": {
        "Principebesluit genomen": ["idee/visie", "zacht"],
        "Projectbesluit genomen": ["vastgesteld", "hard"],
        "In aanbouw genomen": ["in aanbouw", "hard"],
    },
}


def square(lon, lat, d=0.003):
    return [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]


def feature(pid, naam, fase, totaal, geometry, **extra):
    props = {
        "project_id": pid,
        "Projectnaam": naam,
        "Fase": fase,
        "Startjaar bouw": 2027,
        "Totaal woningen": totaal,
        "Stadsdeel": "Noord",
        **extra,
    }
    if pid is None:
        del props["project_id"]
    return {"type": "Feature", "properties": props, "geometry": geometry}


FEATURES = [
    feature(
        "A-1",
        "Buiksloterham",
        "Projectbesluit genomen",
        400,
        {"type": "Polygon", "coordinates": square(4.90, 52.39)},
        Sociaal=120,
        **{"Middeldure huur": 0},
    ),
    feature(
        "A-2",
        "Sluisbuurt",
        "In aanbouw genomen",
        250.0,
        {"type": "MultiPolygon", "coordinates": [square(4.95, 52.37), square(4.96, 52.372)]},
    ),
    feature("A-3", "Haven-Stad", "Verkenning", 90, {"type": "Polygon", "coordinates": square(4.86, 52.40)}),
    feature(
        "A-4",
        "Lijn in plaats van vlak",
        "Principebesluit genomen",
        30,
        {"type": "LineString", "coordinates": [[4.88, 52.36], [4.89, 52.37]]},
    ),
    feature(
        None, "Zonder nummer", "Principebesluit genomen", 10, {"type": "Polygon", "coordinates": square(4.87, 52.35)}
    ),
    feature("A-6", "Zonder vlak", "Principebesluit genomen", 15, None),
]


def city(tmp_path, features=FEATURES, suffix=".geojson", defaults=None):
    (tmp_path / f"woningbouwplan{suffix}").write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    (tmp_path / "stad.yml").write_text(yaml.safe_dump(MAPPING, allow_unicode=True), encoding="utf-8")
    entry = {
        "kind": "plannen",
        "path": f"woningbouwplan{suffix}",
        "mapping": "stad.yml",
        "peildatum": "2025-11-01",
        "defaults": defaults if defaults is not None else {"gemeentecode": "GM0363"},
    }
    return write_manifest(tmp_path, [entry])


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = tmp_path_factory.mktemp("stad")
    path = d / "woningbouwplannen.db"
    build(city(d), path, quiet=True)
    return path


def test_every_plan_loaded_or_reported_with_the_default_municipality(db):
    plans = {p["plan_id"]: p for p in query(db, "select * from plannen")}
    assert set(plans) == {"A-1", "A-2", "A-3", "A-4", "A-6"}
    assert {p["gemeentecode"] for p in plans.values()} == {"GM0363"}
    assert {p["gemeente"] for p in plans.values()} == {"Amsterdam"}
    a1 = plans["A-1"]
    assert (a1["woningen"], a1["netto"], a1["sociale_huur"], a1["middenhuur"], a1["dure_koop"]) == (
        400,
        400,
        120,
        0,
        None,
    )
    assert (a1["planstatus"], a1["hardheid"], a1["start_bouw"], a1["omschrijving"]) == (
        "vastgesteld",
        "hard",
        2027,
        "Noord",
    )
    assert plans["A-2"]["woningen"] == 250
    bron = query(db, "select * from bronnen where soort = 'plannen'")[0]
    assert (bron["rijen_gelezen"], bron["rijen_geladen"], bron["rijen_afgewezen"]) == (6, 5, 1)
    assert bron["mapping"] == "stad"
    assert query(db, "select rij, code from ingest_problemen where code = 'verplicht'") == [
        {"rij": 5, "code": "verplicht"}
    ]


def test_the_outline_is_the_plan_area_and_the_point_lies_inside(db):
    areas = {a["plan_id"]: a for a in query(db, "select * from plangebieden")}
    assert set(areas) == {"A-1", "A-2", "A-3"}
    a1 = shapely.from_geojson(areas["A-1"]["geometrie"])
    assert a1.equals_exact(shapely.Polygon(square(4.90, 52.39)[0]), 1e-9)
    assert shapely.from_geojson(areas["A-2"]["geometrie"]).geom_type == "MultiPolygon"
    p = query(db, "select latitude, longitude, punt_bron, oppervlakte_ha from plannen where plan_id = 'A-1'")[0]
    assert p["punt_bron"] == "plangebied" and a1.contains(shapely.Point(p["longitude"], p["latitude"]))
    assert 4 < p["oppervlakte_ha"] < 8  # 0.003 degrees square at 52 N


def test_an_unusable_outline_leaves_the_plan_without_an_area_and_says_so(db):
    line = query(db, "select * from ingest_problemen where plan_id = 'A-4'")
    assert [(r["code"], r["ernst"]) for r in line] == [("geen_vlak", "waarschuwing")]
    assert "plan geladen zonder plangebied" in line[0]["melding"]
    assert query(db, "select punt_bron from plannen where plan_id in ('A-4', 'A-6') order by plan_id") == [
        {"punt_bron": "gemeente"},
        {"punt_bron": "gemeente"},
    ]


def test_the_citys_own_phase_labels_and_an_unknown_one(db):
    assert query(db, "select planstatus from plannen where plan_id = 'A-3'") == [{"planstatus": "onbekend"}]
    unknown = query(db, "select waarde, ernst from ingest_problemen where code = 'onbekende_status'")
    assert unknown == [{"waarde": "Verkenning", "ernst": "waarschuwing"}]


def run(manifest):
    return ingest_build(manifest, manifest.parent / "w.db")


def test_without_defaults_every_plan_is_loaded_without_a_municipality_and_each_said_so(tmp_path):
    # the mapping does not require a municipality: nothing is guessed, every plan is kept and reported
    proc = run(city(tmp_path, defaults={}))
    assert proc.returncode == 0, proc.stderr
    db = tmp_path / "w.db"
    assert query(db, "select count(*) n from plannen where gemeentecode is null")[0]["n"] == 5
    assert (
        query(db, "select count(distinct plan_id) n from ingest_problemen where code = 'gemeente_ontbreekt'")[0]["n"]
        == 5
    )


def test_a_default_for_an_unknown_column_is_refused(tmp_path):
    proc = run(city(tmp_path, defaults={"contactpersoon": "Piet"}))
    assert proc.returncode == 2 and "defaults: onbekende kolom contactpersoon" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_geojson_given_as_csv_is_named_not_guessed(tmp_path):
    proc = run(city(tmp_path, suffix=".csv"))
    line = proc.stderr.strip()
    assert proc.returncode == 2 and len(line.splitlines()) == 1 and "Traceback" not in line
    assert "woningbouwplan.csv" in line and "geen CSV- of XLSX-tabel maar GeoJSON" in line


def test_a_flag_like_attribute_in_a_city_file_stops_the_build(tmp_path):
    features = [
        feature(
            "A-1",
            "X",
            "Projectbesluit genomen",
            5,
            {"type": "Polygon", "coordinates": square(4.9, 52.39)},
            Publiceren="nee",
        )
    ]
    proc = run(city(tmp_path, features=features))
    assert proc.returncode == 2 and "'Publiceren'" in proc.stderr and "publicatievlag" in proc.stderr
    assert not (tmp_path / "w.db").exists()


def test_a_mapping_may_require_a_column_only_the_manifests_defaults_give(tmp_path):
    (tmp_path / "stad.yml").write_text(
        "columns:\n  plan_id: [Nummer]\n  naam: [Naam]\n  woningen: [Woningen]\n"
        "required: [plan_id, naam, gemeentecode, woningen]\n",
        encoding="utf-8",
    )
    (tmp_path / "stad.csv").write_text("Nummer;Naam;Woningen\nS-1;Stadsplan;12\n", encoding="utf-8")
    entry = {"kind": "plannen", "path": "stad.csv", "peildatum": "2025-10-01", "mapping": "stad.yml"}
    write_manifest(tmp_path, [{**entry, "defaults": {"gemeentecode": "GM0363"}}])
    assert run(tmp_path / "sources.yml").returncode == 0
    assert query(tmp_path / "w.db", "select plan_id, gemeentecode from plannen") == [
        {"plan_id": "S-1", "gemeentecode": "GM0363"}
    ]
    write_manifest(tmp_path, [entry])  # without the default the required column is missing: said, nothing built
    refused = run(tmp_path / "sources.yml")
    assert refused.returncode == 2 and "verplichte kolom ontbreekt: Gemeentecode" in refused.stderr
