"""The GeoJSON downloads (WGS84, RFC 7946): plans, plan areas and doorbraaklocaties, one file each.

Written by the publish step into the staged download set (ingest/downloads.py), from the rows the
build holds: an outline where a plan or site has one, else its point.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .schema import COORDINATE_DECIMALS

NOT_IN_DOWNLOAD = ("geometrie",)  # the outline is the feature's geometry, not one of its properties


def _feature(key, geometry: str | None, properties: dict) -> str:
    """One Feature; `key` (the row's primary key) is its id (RFC 7946 section 3.2)."""
    return (
        json.dumps({"type": "Feature", "id": key, "properties": properties}, ensure_ascii=False)[:-1]
        + f', "geometry": {geometry or "null"}}}'
    )


def _point(row: dict) -> str | None:
    if row.get("latitude") is None or row.get("longitude") is None:
        return None
    decimals = COORDINATE_DECIMALS  # a point from an export or a municipality: as precise as the outlines
    return json.dumps(
        {"type": "Point", "coordinates": [round(row["longitude"], decimals), round(row["latitude"], decimals)]}
    )


def _write_collection(path: Path, name: str, features) -> None:
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(f'{{"type": "FeatureCollection", "name": {json.dumps(name)}, "features": [\n')
            for i, feature in enumerate(features):
                f.write((",\n" if i else "") + feature)
            f.write("\n]}\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write(directory: Path, current: list[dict], plangebieden: list[dict], sites: list[dict], plan_columns) -> Path:
    """plannen.geojson, plangebieden.geojson and doorbraaklocaties.geojson in `directory` (COORDINATE_DECIMALS,
    a feature id per row)."""
    directory.mkdir(exist_ok=True)
    areas = {row["plan_id"]: row["geometrie"] for row in plangebieden}
    columns = [c for c in plan_columns if c not in NOT_IN_DOWNLOAD]
    _write_collection(
        directory / "plannen.geojson",
        "plannen",
        (
            _feature(row["plan_id"], areas.get(row["plan_id"]) or _point(row), {c: row.get(c) for c in columns})
            for row in current
        ),
    )
    _write_collection(
        directory / "plangebieden.geojson",
        "plangebieden",
        (
            _feature(row["plan_id"], row["geometrie"], {k: v for k, v in row.items() if k != "geometrie"})
            for row in plangebieden
        ),
    )
    site_columns = [c for c in sites[0] if not c.startswith("_") and c not in NOT_IN_DOWNLOAD] if sites else []
    _write_collection(
        directory / "doorbraaklocaties.geojson",
        "doorbraaklocaties",
        (
            _feature(row["naam"], row.get("_geometrie_volledig") or _point(row), {c: row.get(c) for c in site_columns})
            for row in sites
        ),
    )
    return directory
