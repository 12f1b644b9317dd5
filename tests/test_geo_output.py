"""GeoJSON out (views, queries, build-time downloads) read back by GDAL, and the shipped sample geometries."""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pyogrio
import pytest
import shapely

from conftest import ROOT

SAMPLE = ROOT / "data" / "sample"


def read_back(tmp_path, name: str, body: bytes):
    path = tmp_path / name
    path.write_bytes(body)
    return pyogrio.read_info(str(path)), pyogrio.read_dataframe(str(path))


@pytest.mark.parametrize("path,expected_sql", [
    ("/woningbouwplannen/plannen.geojson?gemeentecode=GM1963&_size=max",
     "select count(*) from plannen where gemeentecode = 'GM1963'"),
    ("/woningbouwplannen/doorbraaklocaties.geojson", "select count(*) from doorbraaklocaties"),
    ("/woningbouwplannen.geojson?sql=select+plan_id,+naam,+geometrie+from+plannen+where+geometrie+is+not+null+limit+25",
     "select 25"),
])
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
    r = await sample_app.client.get("/woningbouwplannen/plannen?gemeentecode=GM1963")
    assert 'plannen.geojson?gemeentecode=GM1963' in r.text
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
    for name, table in (("plannen", "plannen"), ("plangebieden", "plangebieden"), ("doorbraaklocaties", "doorbraaklocaties")):
        info = pyogrio.read_info(str(downloads / f"{name}.geojson"))
        assert info["features"] == conn.execute(f"select count(*) from {table}").fetchone()[0] > 0
        assert info["crs"] == "EPSG:4326"
    frame = pyogrio.read_dataframe(str(downloads / "plannen.geojson"))
    assert {"plan_id", "naam", "woningen", "oppervlakte_ha", "punt_bron"} <= set(frame.columns)
    assert "popup" not in frame.columns
    kinds = frame.groupby("punt_bron").apply(lambda g: set(g.geometry.geom_type), include_groups=False).to_dict()
    assert kinds["plangebied"] <= {"Polygon", "MultiPolygon"} and kinds["export"] == {"Point"}
    # full precision: the download is not the rounded display outline
    row = frame[frame.punt_bron == "plangebied"].iloc[0]
    display = shapely.from_geojson(conn.execute("select geometrie from plannen where plan_id = ?", [row.plan_id]).fetchone()[0])
    full = shapely.get_coordinates(row.geometry)
    assert any(len(f"{c:.12f}".rstrip("0").split(".")[1]) > 6 for c in full.ravel())
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
    rows = conn.execute("select p.woningen, g.oppervlakte_ha, p.gemeentecode, p.latitude, p.longitude "
                        "from plannen p join plangebieden g using (plan_id)").fetchall()
    assert len(rows) > 2500
    density = sorted(w / ha for w, ha, *_ in rows)
    assert 30 <= density[len(density) // 2] <= 60  # median homes per hectare
    assert sum(25 <= d <= 80 for d in density) > 0.9 * len(density)
    # no plan area outside its municipality (the build would have reported buiten_gemeente)
    assert conn.execute("select count(*) from ingest_problemen where code = 'buiten_gemeente'").fetchone()[0] == 0
    codes = dict(conn.execute("select code, count(*) from ingest_problemen where bestand = 'plangebieden.gpkg' group by code"))
    assert codes == {"geometrie_hersteld": 1, "lege_geometrie": 1, "onbekend_plan_id": 1}
    sites = conn.execute("select count(*), sum(geometrie_indicatief) from doorbraaklocaties where geometrie is not null").fetchone()
    assert sites == (5, 5)


def test_sample_generator_is_deterministic(tmp_path):
    proc = subprocess.run([sys.executable, "scripts/generate_sample_geo.py", "--out", str(tmp_path)], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    for name in ("plangebieden.gpkg", "doorbraaklocaties.gpkg"):
        new, old = pyogrio.read_dataframe(str(tmp_path / name)), pyogrio.read_dataframe(str(SAMPLE / name))
        assert len(new) == len(old)
        assert new.drop(columns="geometry").equals(old.drop(columns="geometry"))
        assert all((a is None and b is None) or a.equals_exact(b, 0) for a, b in zip(new.geometry, old.geometry))
