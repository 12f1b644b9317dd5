"""/-/plangebieden.json (plugins/map_data.py): the plan areas of one map view, chosen by their bounding box,
simplified for the zoom level, bounded in count (largest first, `afgekapt` when more lie in the view), under
the map data's filters, and never the area of a plan that is not public."""

from __future__ import annotations

import json

import pytest
import shapely

from ingest.build import build

from helpers import make_datasette, query, write_manifest

URL = "/-/plangebieden.json"


def vertices(geometry: dict) -> int:
    return int(shapely.get_num_coordinates(shapely.from_geojson(json.dumps(geometry))))


def box_of(rows) -> tuple[float, float, float, float]:
    return (
        min(r["west"] for r in rows),
        min(r["zuid"] for r in rows),
        max(r["oost"] for r in rows),
        max(r["noord"] for r in rows),
    )


def meets(row, bbox) -> bool:
    west, south, east, north = bbox
    return row["west"] <= east and row["oost"] >= west and row["zuid"] <= north and row["noord"] >= south


@pytest.fixture(scope="module")
def dense(sample_db):
    """A box about 3 km wide around the spot with the most plan areas of the sample."""
    spot = query(
        sample_db,
        "select round(latitude, 2) as lat, round(longitude, 2) as lon, count(*) as n "
        "from plangebieden group by 1, 2 order by n desc, 1, 2 limit 1",
    )[0]
    return (spot["lon"] - 0.02, spot["lat"] - 0.012, spot["lon"] + 0.02, spot["lat"] + 0.012)


def bbox_param(bbox) -> str:
    return ",".join(f"{v:.5f}" for v in bbox)


async def test_outlines_are_the_areas_meeting_the_view_and_no_others(sample_app, sample_db, dense):
    areas = query(sample_db, "select plan_id, west, zuid, oost, noord from plangebieden")
    want = {r["plan_id"] for r in areas if meets(r, dense)}
    assert 0 < len(want) < len(areas)
    r = await sample_app.client.get(f"{URL}?bbox={bbox_param(dense)}&zoom=15")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    data = r.json()
    got = [f["id"] for f in data["features"]]
    assert len(got) == len(set(got)) and set(got) == want
    assert data["plangebieden"] == len(want) and data["afgekapt"] is False
    west, south, east, north = dense
    for f in data["features"]:
        fw, fs, fe, fn = shapely.from_geojson(json.dumps(f["geometry"])).bounds
        # each drawn outline touches the view (rounding moves it by less than the tolerance)
        slack = data["tolerantie"]
        assert fw <= east + slack and fe >= west - slack and fs <= north + slack and fn >= south - slack
        assert f["properties"]["plan_id"] == f["id"] and f["geometry"]["type"] in ("Polygon", "MultiPolygon")
    # the bounding boxes the build wrote hold the full outlines
    row = query(sample_db, "select * from plangebieden where plan_id = ?", [got[0]])[0]
    assert shapely.from_geojson(row["geometrie"]).bounds == pytest.approx(
        (row["west"], row["zuid"], row["oost"], row["noord"]), abs=1e-7
    )


async def test_outlines_are_simplified_for_the_zoom_and_rounded(sample_app, sample_db, dense):
    full = {
        r["plan_id"]: shapely.from_geojson(r["geometrie"])
        for r in query(sample_db, "select plan_id, geometrie from plangebieden")
    }
    counts = {}
    for zoom in (11, 17):
        data = (await sample_app.client.get(f"{URL}?bbox={bbox_param(dense)}&zoom={zoom}")).json()
        counts[zoom] = sum(vertices(f["geometry"]) for f in data["features"])
        full_count = sum(int(shapely.get_num_coordinates(full[f["id"]])) for f in data["features"])
        assert counts[zoom] <= full_count
        text = json.dumps([f["geometry"] for f in data["features"]])
        assert not any(
            len(n.split(".")[1]) > data["decimalen"]
            for n in text.replace("[", " ").replace("]", " ").replace(",", " ").split()
            if "." in n
        )
    assert counts[11] < counts[17]  # zoomed out, fewer points for the same areas
    assert counts[11] < full_count


async def test_outlines_follow_the_map_filters(sample_app, sample_db, dense):
    province = query(
        sample_db,
        "select p.provincie from plangebieden g join plannen p using (plan_id) "
        "group by 1 order by count(*) desc limit 1",
    )[0]["provincie"]
    data = (await sample_app.client.get(f"{URL}?bbox=3,50,8,54&zoom=7&provincie={province}")).json()
    want = query(
        sample_db,
        "select count(*) as n from plangebieden g join plannen p using (plan_id) where provincie = ?",
        [province],
    )[0]["n"]
    assert data["plangebieden"] == want > 0
    ids = [f["id"] for f in data["features"]]
    assert {
        r["provincie"]
        for r in query(sample_db, f"select provincie from plannen where plan_id in ({','.join('?' * len(ids))})", ids)
    } == {province}


@pytest.fixture(scope="module")
def few_outlines_app(sample_db):
    return make_datasette(sample_db, {"woningbouwplannen-kaartdata": {"plangebieden_max": 5}})


async def test_outlines_are_bounded_largest_first_and_say_so(few_outlines_app, sample_db):
    data = (await few_outlines_app.client.get(f"{URL}?bbox=3,50,8,54")).json()
    total = query(sample_db, "select count(*) as n from plangebieden")[0]["n"]
    assert len(data["features"]) == 5 and data["plangebieden"] == total > 5 and data["afgekapt"] is True
    largest = [
        r["plan_id"]
        for r in query(sample_db, "select plan_id from plangebieden order by oppervlakte_ha desc, plan_id limit 5")
    ]
    assert [f["id"] for f in data["features"]] == largest


@pytest.mark.parametrize(
    "params, named",
    [
        ("", "bbox"),
        ("bbox=", "bbox"),
        ("bbox=5,52,6", "bbox"),
        ("bbox=5,52,6,95", "bbox"),
        ("bbox=1e1,52,5,53", "bbox"),
        ("bbox=5,52,6,53&zoom=25", "zoom"),
        ("bbox=5,52,6,53&zoom=1.5", "zoom"),
        ("bbox=5,52,6,53&segment=villa", "segment"),
    ],
)
async def test_a_bad_parameter_is_a_400_that_names_it(sample_app, params, named):
    r = await sample_app.client.get(f"{URL}?{params}")
    assert r.status_code == 400 and r.json()["error"].startswith(f"plangebieden: {named}")


@pytest.fixture(scope="module")
def withheld_app(tmp_path_factory):
    """Two plans with the same area, one of them not public (Openbaar = nee)."""
    d = tmp_path_factory.mktemp("outlines-withheld")
    header = "Plan-ID;Plannaam;Gemeentecode;Planstatus;Aantal woningen;Openbaar\n"
    (d / "export.csv").write_text(
        header + "OPEN-1;Open Kade;GM0363;Vastgesteld;40;ja\nGEHEIM-9;Verborgen Erf;GM0363;Vastgesteld;40;nee\n",
        encoding="utf-8",
    )
    square = {
        "type": "Polygon",
        "coordinates": [[[4.90, 52.37], [4.903, 52.37], [4.903, 52.373], [4.90, 52.373], [4.90, 52.37]]],
    }
    features = [
        {"type": "Feature", "properties": {"plan_id": pid}, "geometry": square} for pid in ("OPEN-1", "GEHEIM-9")
    ]
    (d / "gebieden.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    db = d / "woningbouwplannen.db"
    build(
        write_manifest(
            d,
            [
                {"kind": "plannen", "path": "export.csv", "peildatum": "2026-01-01"},
                {"kind": "plangebieden", "path": "gebieden.geojson"},
            ],
        ),
        db,
        quiet=True,
    )
    return make_datasette(db)


async def test_the_area_of_a_plan_that_is_not_public_is_never_sent(withheld_app):
    r = await withheld_app.client.get(f"{URL}?bbox=4.89,52.36,4.91,52.38&zoom=16")
    assert r.status_code == 200 and [f["id"] for f in r.json()["features"]] == ["OPEN-1"]
    assert "GEHEIM" not in r.text and "Verborgen" not in r.text
