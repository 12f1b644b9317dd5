"""GeoJSON output for any view with a geometry column, compact geometry cells, and the outline maps.

- `.geojson` on every table, row and query whose columns include `geometrie` (or
  `geometry`), or `latitude` and `longitude`: a FeatureCollection in WGS84 (RFC 7946), each
  feature's id the row's primary key.
- HTML cells of `geometrie` show a short summary instead of a wall of coordinates.
- static/portal-maps.js draws outlines: on plan and doorbraaklocatie row pages its own map,
  on table pages onto the one datasette-cluster-map map. Basemap = the cluster map's
  `tile_layer` setting in metadata.yml, so it is configured in one place.
"""

from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from ingest.schema import COORDINATE_DECIMALS  # the geometrie columns' precision, for points too

GEOMETRY_COLUMNS = ("geometrie", "geometry")
MAP_TABLES = {"plannen", "doorbraaklocaties", "plangebieden"}
ROW_MAP_TABLES = {"plannen", "doorbraaklocaties"}


def _geometry_column(columns) -> str | None:
    return next((c for c in columns if c in GEOMETRY_COLUMNS), None)


def can_render_geojson(columns) -> bool:
    return _geometry_column(columns) is not None or {"latitude", "longitude"} <= set(columns)


def _plain(value):
    if isinstance(value, dict) and "value" in value:  # an expanded foreign key (_labels=on)
        return value["value"]
    return value


def _geometry(value) -> dict | None:
    if isinstance(value, (bytes, bytearray)):
        return None  # a binary geometry (e.g. SpatiaLite) is not GeoJSON: leave it out rather than guess
    try:
        geom = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return geom if isinstance(geom, dict) and "type" in geom else None


def feature_key(columns, data) -> str | None:
    """The column whose value is each feature's id: a table's or row's single primary key (RFC 7946 3.2)."""
    pks = data.get("primary_keys") or []
    return pks[0] if len(pks) == 1 and pks[0] in columns else None


def features(columns, rows, id_column: str | None = None):
    geom_col = _geometry_column(columns)
    props = [c for c in columns if c != geom_col]
    for row in rows:
        values = dict(zip(columns, (_plain(v) for v in row)))
        geom = _geometry(values.get(geom_col)) if geom_col else None
        if geom is None and values.get("latitude") is not None and values.get("longitude") is not None:
            try:
                geom = {
                    "type": "Point",
                    "coordinates": [
                        round(float(values["longitude"]), COORDINATE_DECIMALS),
                        round(float(values["latitude"]), COORDINATE_DECIMALS),
                    ],
                }
            except (TypeError, ValueError):
                geom = None
        properties = {c: values[c] for c in props}
        for key, value in properties.items():
            if isinstance(value, (bytes, bytearray)):
                properties[key] = None
        feature = {"type": "Feature", "properties": properties, "geometry": geom}
        if id_column is not None:
            feature = {"type": "Feature", "id": values[id_column], **feature}
        yield feature


def render_geojson(columns, rows, data, table, query_name):
    doc = {
        "type": "FeatureCollection",
        "name": table or query_name or "query",
        "features": list(features(columns, rows, feature_key(columns, data))),
    }
    if data.get("next_url"):
        doc["next_url"] = data["next_url"]  # a foreign member: the next page of this view
    return Response(
        json.dumps(doc, ensure_ascii=False, default=str), content_type="application/geo+json; charset=utf-8"
    )


@hookimpl
def register_output_renderer(datasette):
    return {"extension": "geojson", "render": render_geojson, "can_render": can_render_geojson}


@hookimpl
def render_cell(value, column):
    if column not in GEOMETRY_COLUMNS:
        return None
    geom = _geometry(value)
    if geom is None:
        return None
    summary = f"{geom['type']} (GeoJSON): zie de kaart of .geojson / see the map or .geojson"
    return Markup('<span class="geometrie-cel" title="GeoJSON">{}</span>').format(escape(summary))


def _wants_map(view_name, table) -> bool:
    return (view_name == "table" and table in MAP_TABLES) or (view_name == "row" and table in ROW_MAP_TABLES)


@hookimpl
def extra_js_urls(view_name, table, datasette):
    if not _wants_map(view_name, table):
        return []
    return [{"url": "/static/portal-maps.js", "module": True}]


@hookimpl
def extra_css_urls(view_name, table):
    return ["/static/portal-maps.css"] if _wants_map(view_name, table) else []


@hookimpl
def extra_body_script(view_name, table, database, datasette):
    if not _wants_map(view_name, table):
        return ""
    config = datasette.plugin_config("datasette-cluster-map", database=database, table=table) or {}
    settings = {
        "tile_layer": config.get("tile_layer"),
        "tile_layer_options": config.get("tile_layer_options") or {},
        "database": database,
        "table": table,
        "view": view_name,
    }
    # json.dumps + escaping "<" keeps the config inert inside the <script> element
    return "window.PORTAL_KAART = " + json.dumps(settings).replace("<", "\\u003c") + ";"
