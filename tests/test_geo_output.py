"""GeoJSON out (views, queries, build-time downloads) read back by GDAL, and the shipped sample geometries."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import geopandas
import pyogrio
import pytest
import shapely
from shapely.geometry import LinearRing

from ingest.build import build

from helpers import ROOT, make_datasette, write_manifest
from releases import project, write_release

SAMPLE = ROOT / "data" / "sample"


def read_back(tmp_path, name: str, body: bytes):
    path = tmp_path / name
    path.write_bytes(body)
    return pyogrio.read_info(str(path)), pyogrio.read_dataframe(str(path))


@pytest.mark.parametrize(
    "path,expected_sql",
    [
        (
            "/woningbouwplannen/plannen.geojson?gemeentecode=GM1963&_size=max",
            "select count(*) from plannen where gemeentecode = 'GM1963'",
        ),
        ("/woningbouwplannen/doorbraaklocaties.geojson", "select count(*) from doorbraaklocaties"),
        (
            "/woningbouwplannen.geojson?sql=select+plan_id,+naam,+geometrie+from+plannen+where+geometrie+is+not+null+limit+25",
            "select 25",
        ),
    ],
)
async def test_geojson_views_read_by_gdal(sample_app, sample_db, tmp_path, path, expected_sql):
    r = await sample_app.client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    assert r.headers.get("access-control-allow-origin") == "*"
    info, frame = read_back(tmp_path, "view.geojson", r.content)
    assert info["features"] == sqlite3.connect(sample_db).execute(expected_sql).fetchone()[0]
    assert info["crs"] == "EPSG:4326"
    assert "geometrie" not in frame.columns and "popup" not in frame.columns
    assert frame.geometry.notna().all()
    assert set(frame.geometry.geom_type) <= {"Polygon", "MultiPolygon", "Point"}
    minx, miny, maxx, maxy = frame.total_bounds
    assert 3.2 < minx <= maxx < 7.3 and 50.7 < miny <= maxy < 53.7


async def test_table_and_row_pages_offer_geojson_and_compact_cells(sample_app):
    r = await sample_app.client.get("/woningbouwplannen/plannen?gemeentecode=GM1963&_kolommen=alle")
    assert "plannen.geojson?gemeentecode=GM1963" in r.text
    assert "geometrie-cel" in r.text and '"coordinates"' not in r.text  # no wall of coordinates in the table
    assert r.text.count("portal-maps.js") == 1
    r = await sample_app.client.get("/woningbouwplannen/doorbraaklocaties/Stougjeswijk")
    assert "plannen?doorbraaklocatie=Stougjeswijk" in r.text and 'id="portal-kaart"' in r.text


def test_download_files_built_next_to_db_read_by_gdal(export_db):
    """On the exports' database: its plan areas come in RD New at full precision (the release's
    TopoJSON already holds rounded degrees)."""
    sample_db = export_db
    conn = sqlite3.connect(sample_db)
    downloads = sample_db.parent / "downloads"
    for name, table in (
        ("plannen", "plannen"),
        ("plangebieden", "plangebieden"),
        ("doorbraaklocaties", "doorbraaklocaties"),
    ):
        info = pyogrio.read_info(str(downloads / f"{name}.geojson"))
        assert info["features"] == conn.execute(f"select count(*) from {table}").fetchone()[0] > 0
        assert info["crs"] == "EPSG:4326"
    frame = pyogrio.read_dataframe(str(downloads / "plannen.geojson"))
    assert {"plan_id", "naam", "woningen", "oppervlakte_ha", "punt_bron"} <= set(frame.columns)
    assert "popup" not in frame.columns
    kinds = frame.groupby("punt_bron").apply(lambda g: set(g.geometry.geom_type), include_groups=False).to_dict()
    assert kinds["plangebied"] <= {"Polygon", "MultiPolygon"} and kinds["export"] == {"Point"}
    # the whole outline (plangebieden.geometrie), not the simplified one the maps draw (plannen.geometrie)
    row = frame[frame.punt_bron == "plangebied"].iloc[0]
    display = shapely.from_geojson(
        conn.execute("select geometrie from plannen where plan_id = ?", [row.plan_id]).fetchone()[0]
    )
    full = shapely.from_geojson(
        conn.execute("select geometrie from plangebieden where plan_id = ?", [row.plan_id]).fetchone()[0]
    )
    assert row.geometry.equals_exact(full, 0) and shapely.get_num_coordinates(full) >= shapely.get_num_coordinates(
        display
    )
    assert display.area == pytest.approx(row.geometry.area, rel=0.05)
    sites = pyogrio.read_dataframe(str(downloads / "doorbraaklocaties.geojson"))
    assert {"naam", "bron", "geverifieerd", "geometrie_indicatief"} <= set(sites.columns)


async def test_downloads_served_by_static_mount(sample_app):
    r = await sample_app.client.get("/downloads/plannen.geojson")
    assert r.status_code == 200 and json.loads(r.content)["type"] == "FeatureCollection"


def test_sample_geometries_realistic_inside_municipality_and_small(export_db):
    sample_db = export_db
    assert sum((SAMPLE / f).stat().st_size for f in ("plangebieden.gpkg", "doorbraaklocaties.gpkg")) < 3_000_000
    for name in ("plangebieden.gpkg", "doorbraaklocaties.gpkg"):
        assert pyogrio.read_info(str(SAMPLE / name))["crs"] == "EPSG:28992"
    conn = sqlite3.connect(sample_db)
    rows = conn.execute(
        "select p.woningen, g.oppervlakte_ha, p.gemeentecode, p.latitude, p.longitude "
        "from plannen p join plangebieden g using (plan_id)"
    ).fetchall()
    assert len(rows) > 2500
    density = sorted(w / ha for w, ha, *_ in rows)
    assert 30 <= density[len(density) // 2] <= 60  # median homes per hectare
    assert sum(25 <= d <= 80 for d in density) > 0.9 * len(density)
    # no plan area outside its municipality (the build would have reported buiten_gemeente)
    assert conn.execute("select count(*) from ingest_problemen where code = 'buiten_gemeente'").fetchone()[0] == 0
    codes = dict(
        conn.execute("select code, count(*) from ingest_problemen where bestand = 'plangebieden.gpkg' group by code")
    )
    assert codes == {"geometrie_hersteld": 1, "lege_geometrie": 1, "onbekend_plan_id": 1}
    sites = conn.execute(
        "select count(*), sum(geometrie_indicatief) from doorbraaklocaties where geometrie is not null"
    ).fetchone()
    assert sites == (5, 5)


def test_sample_generator_is_deterministic(tmp_path):
    proc = subprocess.run(
        [sys.executable, "scripts/generate_sample_geo.py", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    for name in ("plangebieden.gpkg", "doorbraaklocaties.gpkg"):
        new, old = pyogrio.read_dataframe(str(tmp_path / name)), pyogrio.read_dataframe(str(SAMPLE / name))
        assert len(new) == len(old)
        assert new.drop(columns="geometry").equals(old.drop(columns="geometry"))
        assert all((a is None and b is None) or a.equals_exact(b, 0) for a, b in zip(new.geometry, old.geometry))


# --- RFC 7946: 7 decimals like the geometrie columns, the primary key as each feature's id, ring order ---

DECIMALS = 7
KEYS = {"plannen": "plan_id", "plangebieden": "plan_id", "doorbraaklocaties": "naam"}
GEOMETRY_COLUMNS = (("plannen", "geometrie"), ("plangebieden", "geometrie"), ("doorbraaklocaties", "geometrie"))


def decimals(number: str) -> int:
    assert "e" not in number.lower(), number
    return len(number.split(".", 1)[1]) if "." in number else 0


def rings(geometry: dict):
    """(is exterior, coordinates as written) of every ring of a (Multi)Polygon."""
    polygons = {"Polygon": [geometry["coordinates"]], "MultiPolygon": geometry["coordinates"]}.get(geometry["type"], [])
    for polygon in polygons:
        for i, ring in enumerate(polygon):
            yield i == 0, ring


def positions(coordinates):
    if coordinates and isinstance(coordinates[0], str):
        yield coordinates
    else:
        for part in coordinates:
            yield from positions(part)


def check_geometry(geometry: dict | None) -> int:
    """Every number with at most 7 decimals, exterior rings counter-clockwise, holes clockwise (numbers as
    their text: json read with parse_float=str). Returns the number of holes seen."""
    if geometry is None:
        return 0
    assert all(decimals(n) <= DECIMALS for p in positions(geometry["coordinates"]) for n in p), geometry["type"]
    holes = 0
    for exterior, ring in rings(geometry):
        ccw = LinearRing([(float(x), float(y)) for x, y in ring]).is_ccw
        assert ccw == exterior, ("exterior" if exterior else "hole") + " ring in the wrong order"
        holes += not exterior
    return holes


def check_collection(body: bytes, key: str | None, expected_ids=None) -> tuple[dict, int]:
    doc = json.loads(body, parse_float=str)
    assert doc["type"] == "FeatureCollection"
    holes = 0
    for feature in doc["features"]:
        if key is not None:
            assert feature["id"] == feature["properties"][key]
        holes += check_geometry(feature["geometry"])
    ids = [f.get("id") for f in doc["features"]]
    if key is not None:
        assert len(set(ids)) == len(ids)
    if expected_ids is not None:
        assert set(ids) == set(expected_ids)
    return doc, holes


def read_by_gdal(path, key: str | None):
    frame = geopandas.read_file(path, engine="pyogrio")
    assert pyogrio.read_info(str(path))["crs"] == "EPSG:4326" and frame.crs.to_epsg() == 4326
    if key is not None:
        assert (frame["id"] == frame[key]).all()  # GDAL reads the string id as a field
    return frame


CW_OUTER = [
    [5.123456789012, 52.081234567891],
    [5.123456789012, 52.089876543219],
    [5.131111111111, 52.089876543219],
    [5.131111111111, 52.081234567891],
    [5.123456789012, 52.081234567891],
]  # clockwise, 12 decimals
CCW_HOLE = [[5.125, 52.083], [5.129, 52.083], [5.129, 52.087], [5.125, 52.087], [5.125, 52.083]]  # counter-clockwise


@pytest.fixture(scope="module")
def holed_db(tmp_path_factory):
    """A release whose outline is written clockwise with a counter-clockwise hole, at 12 decimals."""
    d = tmp_path_factory.mktemp("holes")
    write_release(
        d / "rel",
        [
            project(501, "Met gat", "Utrecht", "Utrecht", 40, 40, point=(5.1271234567891, 52.0851234567891)),
            project(502, "Punt", "Utrecht", "Utrecht", 5, 5, point=(5.1012345678912, 52.0712345678912)),
        ],
        [(501, "Polygon", [CW_OUTER, CCW_HOLE])],
    )
    db = d / "woningbouwplannen.db"
    build(write_manifest(d, [{"kind": "woningbouwkaart", "path": "rel"}]), db, quiet=True)
    return db


@pytest.mark.parametrize("which", ["holed", "sample"])
def test_every_geojson_download_meets_rfc_7946(which, holed_db, sample_db, tmp_path):
    db = holed_db if which == "holed" else sample_db
    conn = sqlite3.connect(db)
    index = json.loads((db.parent / "downloads" / "index.json").read_text(encoding="utf-8"))
    geo = [f for f in index["files"] if f["format"] == "geojson"]
    assert {f["table"] for f in geo} == set(KEYS)
    holes = 0
    for f in geo:
        path = db.parent / "downloads" / f["file"]
        key = KEYS[f["table"]]
        ids = [r[0] for r in conn.execute(f"select {key} from {f['table']}")]
        doc, found = check_collection(path.read_bytes(), key, ids)
        holes += found
        frame = read_by_gdal(path, key)
        assert len(frame) == len(ids) == f["rows"]
    # the columns hold the same precision and ring order as the files
    for table, column in GEOMETRY_COLUMNS:
        for (text,) in conn.execute(f"select {column} from {table} where {column} is not null"):
            holes += check_geometry(json.loads(text, parse_float=str))
    if which == "holed":
        assert holes == 4  # kept in both downloads and both columns (the whole outline and the map's)
        outline = json.loads(conn.execute("select geometrie from plangebieden where plan_id = '501'").fetchone()[0])
        assert outline["coordinates"][0][0] == [5.1234568, 52.0812346]  # rounded, not truncated
        plans = json.loads((db.parent / "downloads" / "plannen.geojson").read_text(encoding="utf-8"))
        point = next(f for f in plans["features"] if f["id"] == "502")["geometry"]
        assert point == {"type": "Point", "coordinates": [5.1012346, 52.0712346]}


async def test_geojson_views_meet_rfc_7946(holed_db, sample_app, sample_db, tmp_path):
    holed = make_datasette(holed_db)
    conn = sqlite3.connect(sample_db)
    some = conn.execute("select plan_id from plannen where geometrie is not null order by plan_id limit 1").fetchone()[
        0
    ]
    cases = [
        (holed, "/woningbouwplannen/plannen.geojson", "plan_id", 1),
        (holed, "/woningbouwplannen/plangebieden.geojson", "plan_id", 1),
        (holed, "/woningbouwplannen/plannen/501.geojson", "plan_id", 1),
        (sample_app, "/woningbouwplannen/plannen.geojson?_size=max&_sort=plan_id", "plan_id", None),
        (sample_app, f"/woningbouwplannen/plannen/{some}.geojson", "plan_id", None),
        (sample_app, "/woningbouwplannen/doorbraaklocaties.geojson", "naam", None),
        (sample_app, "/woningbouwplannen/plan_historie.geojson?_size=200", None, None),
    ]
    for app, path, key, holes in cases:
        r = await app.client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json"), path
        doc, found = check_collection(r.content, key)
        assert doc["features"], path
        if holes is not None:
            assert found == holes, path
        target = tmp_path / "view.geojson"
        target.write_bytes(r.content)
        assert len(read_by_gdal(target, key)) == len(doc["features"])
    # a query has no primary key: no ids are made up
    r = await sample_app.client.get("/woningbouwplannen.geojson?sql=select+plan_id,+geometrie+from+plannen+limit+3")
    assert all("id" not in f for f in check_collection(r.content, None)[0]["features"])
