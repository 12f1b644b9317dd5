"""Plan areas and doorbraaklocaties through the real build: placed, measured, repaired, reported, refused."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import zipfile

import geopandas as gpd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Point, Polygon, box, shape

from ingest.build import build

from helpers import GEMEENTEN, ROOT, write_manifest

TO_RD = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)
TO_WGS = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
HEADER = ["Plan-ID", "Plannaam", "Gemeentecode", "Planstatus", "Aantal woningen", "Doorbraaklocatie", "Openbaar"]
PLANS = {  # plan id -> municipality
    "P-VALID": "GM0363",
    "P-BOWTIE": "GM0599",
    "P-MULTI": "GM1963",
    "P-EMPTY": "GM0363",
    "P-NULL": "GM0363",
    "P-BRUSSEL": "GM0363",
    "P-ZEE": "GM0363",
    "P-TWICE": "GM0344",
    "P-NOAREA": "GM0518",
    "P-LINE": "GM0363",
}


def gemeente_point_rd(code: str) -> tuple[float, float]:
    """The reference point inside a municipality (gemeenten.csv), in RD New."""
    with open(GEMEENTEN, encoding="utf-8") as f:
        g = next(r for r in csv.DictReader(f) if r["gemeentecode"] == code)
    return TO_RD.transform(float(g["longitude"]), float(g["latitude"]))


def square(x: float, y: float, w: float, h: float | None = None) -> Polygon:
    return box(x - w / 2, y - (h or w) / 2, x + w / 2, y + (h or w) / 2)


def write_plans(path, ids=PLANS, doorbraak=None):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";")
    w.writerow(HEADER)
    for pid, code in ids.items():
        w.writerow([pid, f"Plan {pid}", code, "Vastgesteld", "120", (doorbraak or {}).get(pid, ""), "ja"])
    path.write_text(buf.getvalue(), encoding="utf-8")


def rd_areas() -> tuple[gpd.GeoDataFrame, dict]:
    ams = gemeente_point_rd("GM0363")
    rdam = gemeente_point_rd("GM0599")
    hw = gemeente_point_rd("GM1963")
    utr = gemeente_point_rd("GM0344")
    x, y = rdam
    bowtie = Polygon([(x - 100, y - 100), (x + 100, y + 100), (x + 100, y - 100), (x - 100, y + 100)])
    brussel = square(*TO_RD.transform(4.3517, 50.8503), 200)
    zee = square(*TO_RD.transform(3.2, 53.6), 200)
    expected = {
        "P-VALID": square(*ams, 200, 100),
        "P-MULTI": MultiPolygon([square(hw[0] - 150, hw[1], 80), square(hw[0] + 150, hw[1], 80)]),
        "P-TWICE": shapely.union_all([square(utr[0] - 60, utr[1], 100), square(utr[0] + 60, utr[1], 100)]),
    }
    rows = [
        ("P-VALID", expected["P-VALID"]),
        ("P-BOWTIE", bowtie),
        ("P-MULTI", expected["P-MULTI"]),
        ("P-EMPTY", Polygon()),
        ("P-NULL", None),
        ("P-BRUSSEL", brussel),
        ("P-ZEE", zee),
        ("ONBEKEND-1", square(*ams, 50)),
        ("P-TWICE", square(utr[0] - 60, utr[1], 100)),
        ("P-TWICE", square(utr[0] + 60, utr[1], 100)),
        ("P-LINE", shapely.LineString([ams, (ams[0] + 100, ams[1])])),
    ]
    frame = gpd.GeoDataFrame({"Plan-ID": [r[0] for r in rows]}, geometry=[r[1] for r in rows], crs="EPSG:28992")
    return frame, expected


@pytest.fixture(scope="module")
def geo_build(tmp_path_factory):
    d = tmp_path_factory.mktemp("geo")
    write_plans(d / "plannen.csv", doorbraak={"P-MULTI": "stougjeswijk", "P-VALID": "Onbekend Oord"})
    frame, expected = rd_areas()
    frame.to_file(d / "gebieden.gpkg", driver="GPKG", engine="pyogrio")
    sites = gpd.GeoDataFrame(
        {"naam": ["Stougjeswijk", "Nergenshuizen"]},
        geometry=[square(*gemeente_point_rd("GM1963"), 1500)] * 2,
        crs="EPSG:28992",
    )
    sites.to_crs("EPSG:4326").to_file(d / "sites.geojson", driver="GeoJSON", engine="pyogrio")
    manifest = write_manifest(
        d,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "gebieden.gpkg"},
            {"kind": "doorbraaklocaties", "path": "sites.geojson"},
        ],
    )
    db = d / "woningbouwplannen.db"
    build(manifest, db, quiet=True)
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, expected, db


def problems(conn, bestand):
    return {
        (r["plan_id"] or r["waarde"], r["code"]): r
        for r in conn.execute("select * from ingest_problemen where bestand = ?", [bestand])
    }


def test_valid_area_gives_point_inside_area_and_display_outline(geo_build):
    conn, expected, _ = geo_build
    plan = conn.execute("select * from plannen where plan_id = 'P-VALID'").fetchone()
    assert plan["punt_bron"] == "plangebied"
    assert plan["oppervlakte_ha"] == pytest.approx(2.0, abs=1e-3)
    x, y = TO_RD.transform(plan["longitude"], plan["latitude"])
    area = expected["P-VALID"]
    assert area.contains(Point(x, y))
    # within a few metres of the point an independent computation puts there
    assert Point(x, y).distance(area.point_on_surface()) < 2
    geom = shape(json.loads(plan["geometrie"]))
    assert geom.geom_type == "Polygon" and geom.is_valid
    minx, miny, maxx, maxy = geom.bounds
    assert 4.7 < minx < maxx < 5.1 and 52.2 < miny < maxy < 52.5
    # the simplified outline still has the plan's shape (a rectangle stays a rectangle)
    outline = shapely.transform(geom, lambda xy: __import__("numpy").column_stack(TO_RD.transform(xy[:, 0], xy[:, 1])))
    assert outline.symmetric_difference(area).area < 0.01 * area.area


def test_full_precision_geometry_kept_for_download(geo_build):
    conn, expected, _ = geo_build
    row = conn.execute("select * from plangebieden where plan_id = 'P-MULTI'").fetchone()
    geom = shape(json.loads(row["geometrie"]))
    assert geom.geom_type == "MultiPolygon" and len(geom.geoms) == 2
    back = shapely.transform(geom, lambda xy: __import__("numpy").column_stack(TO_RD.transform(xy[:, 0], xy[:, 1])))
    # not simplified; rounded to 7 decimals of a degree (at most ~0.6 cm): within a 1 cm band along the outline
    assert back.symmetric_difference(expected["P-MULTI"]).area < 0.01 * expected["P-MULTI"].length
    assert row["oppervlakte_ha"] == pytest.approx(2 * 0.64, abs=1e-3)
    plan = conn.execute("select latitude, longitude from plannen where plan_id = 'P-MULTI'").fetchone()
    assert expected["P-MULTI"].contains(Point(TO_RD.transform(plan["longitude"], plan["latitude"])))


def test_every_geometry_problem_reported_and_nothing_lost(geo_build):
    conn, _, _ = geo_build
    got = problems(conn, "gebieden.gpkg")
    assert got[("P-BOWTIE", "geometrie_hersteld")]["ernst"] == "waarschuwing"
    assert "Self-intersection" in got[("P-BOWTIE", "geometrie_hersteld")]["melding"]
    assert got[("P-EMPTY", "lege_geometrie")]["ernst"] == "fout"
    assert got[("P-NULL", "lege_geometrie")]["rij"] == 5
    assert got[("P-BRUSSEL", "buiten_nederland")]["ernst"] == "fout"
    assert got[("P-ZEE", "buiten_nederland")]["ernst"] == "fout"
    assert got[("ONBEKEND-1", "onbekend_plan_id")]["ernst"] == "fout"
    assert got[("P-TWICE", "meerdere_vlakken")]["ernst"] == "waarschuwing"
    assert got[("P-LINE", "geen_vlak")]["ernst"] == "fout"
    bron = conn.execute("select * from bronnen where bestand = 'gebieden.gpkg'").fetchone()
    assert bron["soort"] == "plangebieden" and bron["rijen_gelezen"] == 11
    assert bron["rijen_geladen"] + bron["rijen_afgewezen"] == 11 and bron["rijen_geladen"] == 5
    repaired = conn.execute("select * from plangebieden where plan_id = 'P-BOWTIE'").fetchone()
    assert repaired["hersteld"] == 1 and repaired["oppervlakte_ha"] == pytest.approx(2.0, abs=1e-3)  # two triangles
    twice = conn.execute("select oppervlakte_ha, bron_rijen from plangebieden where plan_id = 'P-TWICE'").fetchone()
    assert twice["oppervlakte_ha"] == pytest.approx(2.0, abs=1e-3) and twice["bron_rijen"] == "9, 10"


def test_plans_without_area_keep_their_point_and_say_so(geo_build):
    conn, _, _ = geo_build
    rows = dict(conn.execute("select plan_id, punt_bron from plannen"))
    for pid in ("P-EMPTY", "P-NULL", "P-BRUSSEL", "P-ZEE", "P-NOAREA", "P-LINE"):
        assert rows[pid] == "gemeente", pid  # this export has no coordinates: a point inside the municipality
    assert conn.execute("select count(*) from plannen where geometrie is not null").fetchone()[0] == 4
    assert "ONBEKEND-1" not in rows


def test_doorbraaklocaties_hold_sourced_facts_plans_and_outlines(geo_build):
    conn, _, _ = geo_build
    sites = {r["naam"]: r for r in conn.execute("select * from doorbraaklocaties")}
    assert set(sites) == {"Stougjeswijk", "Lisserbroek", "Cortelande", "Oosterwold", "Pampus"}
    assert sites["Stougjeswijk"]["woningen"] == 2500 and sites["Stougjeswijk"]["geverifieerd"] == 1
    assert sites["Cortelande"]["woningen"] == 8000
    assert sites["Lisserbroek"]["woningen"] is None and "6.000" in sites["Lisserbroek"]["woningen_toelichting"]
    assert sites["Oosterwold"]["woningen"] is None and sites["Pampus"]["woningen"] is None
    assert all(s["bron"] for s in sites.values())
    assert "32847-1395" in sites["Stougjeswijk"]["bron"]
    # the plan wrote the name in lower case: linked under the source's spelling, with totals
    assert (
        conn.execute("select doorbraaklocatie from plannen where plan_id = 'P-MULTI'").fetchone()[0] == "Stougjeswijk"
    )
    assert sites["Stougjeswijk"]["plannen_aantal"] == 1 and sites["Stougjeswijk"]["plannen_woningen"] == 120
    assert (
        sites["Stougjeswijk"]["geometrie_bron"] == "sites.geojson"
        and sites["Stougjeswijk"]["geometrie_indicatief"] == 0
    )
    assert sites["Stougjeswijk"]["oppervlakte_ha"] == pytest.approx(225, rel=1e-3)
    # an outline for a name no source gives is reported, never added; so is a plan's unknown site
    assert ("Nergenshuizen", "onbekende_doorbraaklocatie") in problems(conn, "sites.geojson")
    assert ("P-VALID", "onbekende_doorbraaklocatie") in problems(conn, "plannen.csv")
    fks = [tuple(r)[2:4] for r in conn.execute("pragma foreign_key_list(plannen)")]
    assert ("doorbraaklocaties", "doorbraaklocatie") in fks


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def shapefile_zip(path, frame, with_prj=True, extra: dict | None = None):
    """A zipped Shapefile as suppliers send it (optionally without its .prj)."""
    tmp = path.parent / (path.stem + "_shp")
    tmp.mkdir()
    frame.to_file(tmp / "gebieden.shp", engine="pyogrio")
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(tmp.iterdir()):
            if f.suffix != ".prj" or with_prj:
                zf.write(f, f.name)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


@pytest.fixture
def published(tmp_path):
    write_plans(tmp_path / "plannen.csv")
    manifest = write_manifest(tmp_path, [{"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"}])
    db = tmp_path / "published.db"
    build(manifest, db, quiet=True)
    return db


def run_build(manifest, db):
    return subprocess.run(
        [sys.executable, "-m", "ingest", "build", "--sources", str(manifest), "--db", str(db), "--quiet"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def valid_frame():
    frame, _ = rd_areas()
    return frame.iloc[[0]].rename(columns={"Plan-ID": "plan_id"})


def test_shapefile_without_prj_is_refused_and_db_unchanged(tmp_path, published):
    shapefile_zip(tmp_path / "zonder_prj.zip", valid_frame(), with_prj=False)
    before = sha(published)
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "zonder_prj.zip"},
        ],
    )
    proc = run_build(manifest, published)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "zonder_prj.zip" in lines[0] and "CRS" in lines[0] and "crs:" in lines[0], proc.stderr
    assert sha(published) == before
    assert not list(tmp_path.glob(".published.db.tmp-*"))


def test_shapefile_without_prj_loads_when_manifest_gives_crs(tmp_path, published):
    shapefile_zip(tmp_path / "zonder_prj.zip", valid_frame(), with_prj=False)
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "zonder_prj.zip", "crs": "EPSG:28992"},
        ],
    )
    proc = run_build(manifest, published)
    assert proc.returncode == 0, proc.stderr
    row = (
        sqlite3.connect(published)
        .execute("select latitude, longitude, oppervlakte_ha, punt_bron from plannen where plan_id = 'P-VALID'")
        .fetchone()
    )
    assert row[2] == pytest.approx(2.0, abs=1e-3) and row[3] == "plangebied"
    assert rd_areas()[1]["P-VALID"].contains(Point(TO_RD.transform(row[1], row[0])))


@pytest.mark.parametrize(
    "entry,expected",
    [("../../evil.txt", "onveilig pad"), ("/etc/evil.txt", "onveilig pad"), ("link.shp.xml", "symbolische koppeling")],
)
def test_unsafe_zip_refused(tmp_path, published, entry, expected):
    if entry.startswith("link"):
        info = zipfile.ZipInfo(entry)
        info.external_attr = 0o120777 << 16  # a symlink entry
        extra = {}
    else:
        info, extra = None, {entry: b"x"}
    path = shapefile_zip(tmp_path / "gebieden.zip", valid_frame(), extra=extra)
    if info is not None:
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr(info, "/etc/passwd")
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "gebieden.zip"},
        ],
    )
    before = sha(published)
    proc = run_build(manifest, published)
    assert proc.returncode == 2 and expected in proc.stderr and "gebieden.zip" in proc.stderr, proc.stderr
    assert sha(published) == before


def test_wgs84_geojson_and_shapefile_with_prj_are_reprojected(tmp_path):
    write_plans(tmp_path / "plannen.csv")
    frame = valid_frame()
    frame.to_crs("EPSG:4326").to_file(tmp_path / "a.geojson", driver="GeoJSON", engine="pyogrio")
    second, _ = rd_areas()
    second = second.iloc[[2]].rename(columns={"Plan-ID": "Plan-ID"})  # P-MULTI, Shapefile renames it Plan_ID
    shapefile_zip(tmp_path / "b.zip", second)
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "a.geojson"},
            {"kind": "plangebieden", "path": "b.zip"},
        ],
    )
    db = tmp_path / "w.db"
    build(manifest, db, quiet=True)
    got = dict(sqlite3.connect(db).execute("select plan_id, oppervlakte_ha from plannen where geometrie is not null"))
    assert got == {"P-VALID": pytest.approx(2.0, abs=2e-3), "P-MULTI": pytest.approx(1.28, abs=2e-3)}


def test_degrees_declared_as_rd_are_reported_with_a_hint(tmp_path):
    write_plans(tmp_path / "plannen.csv")
    frame = valid_frame().to_crs("EPSG:4326").set_crs("EPSG:28992", allow_override=True)
    frame.to_file(tmp_path / "verkeerd.gpkg", driver="GPKG", engine="pyogrio")
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "verkeerd.gpkg"},
        ],
    )
    db = tmp_path / "w.db"
    build(manifest, db, quiet=True)
    melding = (
        sqlite3.connect(db)
        .execute("select melding from ingest_problemen where code = 'buiten_nederland'")
        .fetchone()[0]
    )
    assert "graden" in melding


def test_missing_plan_id_column_is_fatal_with_the_columns_found(tmp_path, published):
    frame = valid_frame().rename(columns={"plan_id": "identificatie"})
    frame.to_file(tmp_path / "g.gpkg", driver="GPKG", engine="pyogrio")
    manifest = write_manifest(
        tmp_path,
        [
            {"kind": "plannen", "path": "plannen.csv", "peildatum": "2025-10-01"},
            {"kind": "plangebieden", "path": "g.gpkg"},
        ],
    )
    proc = run_build(manifest, published)
    assert proc.returncode == 2 and "g.gpkg" in proc.stderr and "identificatie" in proc.stderr, proc.stderr
