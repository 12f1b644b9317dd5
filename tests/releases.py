"""Test helpers: LMVW releases in the exact shape of the files behind the Nationale Woningbouwkaart.

project2.json.gz (GeoJSON points with every attribute), project_shape_topo.json.gz (TopoJSON with
absolute lon/lat arcs, no transform), gemeente.json.gz and woondeal.json.gz (lists of totals). Only
what a test gives is written: an absent price class is an absent key, never 0.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path


def gz(obj) -> bytes:
    return gzip.compress(json.dumps(obj, ensure_ascii=False).encode("utf-8"), mtime=0)


def project(
    pid,
    naam,
    gemeente,
    provincie,
    netto,
    bruto,
    status="Vastgesteld",
    peilmoment="2025-10-01",
    point=(5.12, 52.09),
    **classes,
) -> dict:
    """One feature of project2.json.gz; `classes` are price classes by their published names
    (Sociale_huur -> 'Sociale huur'); give a value of None for a property that is present as null."""
    props = {
        "project_id": pid,
        "Plannaam": naam,
        "Planstatus": status,
        "peilmoment": peilmoment,
        "gemeente_naam": gemeente,
        "provincie_naam": provincie,
        "Netto Plancapaciteit": netto,
        "Bruto Plancapaciteit": bruto,
    }
    props.update({k.replace("_", " "): v for k, v in classes.items()})
    if naam is None:
        del props["Plannaam"]
    geometry = None if point is None else {"type": "Point", "coordinates": list(point)}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def square(lon, lat, d=0.002) -> list:
    return [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]


def topology(areas: list[tuple]) -> dict:
    """areas: (project_id, kind, rings) with kind 'Polygon', 'MultiPolygon' or None (a null geometry);
    each ring becomes its own arc, as absolute lon/lat."""
    arcs, geometries = [], []
    for pid, kind, rings in areas:
        if kind is None:
            geometries.append({"type": None, "properties": {"project_id": pid}})
            continue
        refs = []
        for ring in rings:
            arcs.append(ring)
            refs.append([len(arcs) - 1])
        geometries.append(
            {
                "type": kind,
                "arcs": refs if kind == "Polygon" else [[r] for r in refs],
                "properties": {"project_id": pid, "gemeente_code": "GM0000"},
            }
        )
    return {
        "type": "Topology",
        "objects": {"data": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }


def write_release(
    folder: Path,
    projects: list[dict],
    areas: list[tuple] | None = None,
    gemeenten: list[dict] | None = None,
    woondeals: list[dict] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "project2.json.gz").write_bytes(gz({"type": "FeatureCollection", "features": projects}))
    if areas is not None:
        (folder / "project_shape_topo.json.gz").write_bytes(gz(topology(areas)))
    if gemeenten is not None:
        (folder / "gemeente.json.gz").write_bytes(gz(gemeenten))
    if woondeals is not None:
        (folder / "woondeal.json.gz").write_bytes(gz(woondeals))
    return folder


def gemeente(code, naam, provincie, regio, netto, hard, zacht, peilmoment="2025-10-01") -> dict:
    return {
        "gemeente_code": code,
        "gemeente_naam": naam,
        "provincie_naam": provincie,
        "woondeal_regio": regio,
        "peilmoment": peilmoment,
        "Netto": netto,
        "Hard totaal": hard,
        "Zacht totaal": zacht,
    }
