"""Compact map data for the public maps: every plan in one response, or counts per area.

The cluster map pages through the full JSON API 1,000 wide rows at a time; the public
maps only need id, name, point, homes, status and municipality. One array per plan,
filterable by the indexed columns, segment and full-text search (`_search`, escaped as
Datasette's table page does); memoised per query string, since the database is immutable
while served, and gzipped once (datasette-gzip would compress 3 MB again on every request).

The answer is bounded: when more than `punten_max` plans match (metadata.yml, plugin
"woningbouwplannen-kaartdata"; 50,000 without configuration; metadata.yml sets 5,000), it holds no plans but counts per cell of a
grid over the matching plans (or over `bbox`), so the map sends the same few hundred KB at
ten times the data. static/kaart.js then asks for the plans of the view (`bbox`) once zoomed in.

Parameters are checked, not guessed: a `segment` outside the segments or a `bbox` that is not four decimal
degrees in range (BBOX, the pattern /openapi.json publishes; corners in either order) is a 400 naming it;
an empty one means no filter.

The plannen table page shows this map instead of datasette-cluster-map when its filters
are ones this endpoint understands (`table_map_query`, templates/_table-woningbouwplannen-plannen.html).

/-/plangebieden.json gives the plan areas of one view (`bbox`, required), with the same filters, as a
GeoJSON FeatureCollection that static/kaart.js draws once zoomed in. Outlines are simplified to about
half a screen pixel at `zoom` (without it: the bbox taken as OUTLINE_PIXELS wide) and their coordinates
rounded to match; the areas are chosen by their bounding box (plangebieden west/zuid/oost/noord, built
with an index), largest first, at most `plangebieden_max` (default OUTLINES_MAX) and OUTLINE_BYTES of
JSON: `afgekapt` says when more areas lie in the view than the answer holds.
"""

from __future__ import annotations

import gzip
import json
import math
import re
import sqlite3
from collections import OrderedDict
from urllib.parse import urlencode

import numpy as np
import shapely
from datasette import hookimpl
from datasette.utils.asgi import Response
from shapely.geometry import mapping

from ingest.geometry.shapes import simplified
from ingest.schema import COORDINATE_DECIMALS, MAP_FILTERS, MAP_SEGMENTS
from ingest.schema import DATABASE as DB
from portal import datasette_seam
from portal.datasette_seam import escape_fts, sqlite_timelimit

TABLE = "plannen"
# netto (bruto minus sloop) is the figure the maps show, as every headline of the portal
FIELDS = (
    "plan_id",
    "naam",
    "latitude",
    "longitude",
    "netto",
    "planstatus",
    "gemeente",
    "hardheid",
    "sociale_huur",
    "start_bouw",
    "lopend",
)
# column = value filters on the indexed columns of plannen (every filter an index lookup) and the
# segments, named once in the schema (the ingest package is installed with the portal)
SEGMENTS = MAP_SEGMENTS
FILTERS = MAP_FILTERS
# table-page arguments that change how rows are shown, not which rows are in the view
PRESENTATION = {
    "_sort",
    "_sort_desc",
    "_size",
    "_next",
    "_labels",
    "_nolabels",
    "_col",
    "_nocol",
    "_nofacet",
    "_nocount",
    "_nosuggest",
    "_trace",
    "_timelimit",
    "_searchmode",
}
PLUGIN = "woningbouwplannen-kaartdata"
POINTS_MAX = 50_000
GRID = 128  # cells along the longer side of the area: at most 128 x 128 counts in one answer
CELL_FIELDS = ("latitude", "longitude", "plannen", "netto")
POINT_KNOWN = "latitude is not null and longitude is not null"
CACHE_BYTES = 64 * 1024 * 1024  # answers kept (plain + gzip), oldest dropped first
# decimal degrees, no exponent, no inf or nan: what the pattern admits, the server takes (plugins/openapi.py)
_LON = r"-?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[0-9]{1,2})(?:\.[0-9]+)?)"
_LAT = r"-?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
BBOX = rf"{_LON},{_LAT},{_LON},{_LAT}"
# /-/plangebieden.json: the plan areas of a view, bounded in count and in bytes (plain JSON; gzip about a third)
OUTLINES_MAX = 2_000
OUTLINE_BYTES = 1_500_000
OUTLINE_PIXELS = 1024  # without `zoom`: the bbox drawn this many pixels across
OUTLINE_BATCH = 200  # outlines parsed and simplified in one call
ZOOM = r"[0-9]|1[0-9]|2[0-4]"  # a Leaflet zoom level; 24 is finer than any tile
OUTLINE_FIELDS = ("plan_id", "naam")


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees (WGS84), or None; ValueError says what is wrong. The corners
    may come in either order (the box between them); the pattern is the one /openapi.json publishes."""
    if not value:
        return None
    if not re.fullmatch(BBOX, value):
        raise ValueError(
            "bbox: vier getallen west,zuid,oost,noord in graden (lengte -180..180, breedte -90..90) / "
            "four numbers west,south,east,north in degrees (longitude -180..180, latitude -90..90)"
        )
    x1, y1, x2, y2 = (float(v) for v in value.split(","))
    return min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)


def build_where(args) -> tuple[str, dict, tuple | None]:
    """The SQL condition and parameters of the plans these arguments select, and the bbox if
    one was given (ValueError when it is not a valid one)."""
    where, params = [POINT_KNOWN], {}
    for column in FILTERS:
        value = args.get(column)
        if value:
            where.append(f"{column} = :{column}")
            params[column] = value
    segment = args.get("segment")
    if segment:
        if segment not in SEGMENTS:
            raise ValueError(f"segment={segment}: kies {', '.join(SEGMENTS)} / choose one of these")
        where.append(f"coalesce({segment}, 0) > 0")
    search = args.get("_search")
    if search:
        where.append("rowid in (select rowid from plannen_fts where plannen_fts match :search)")
        params["search"] = escape_fts(search)
    bbox = parse_bbox(args.get("bbox"))
    if bbox:
        where.append("longitude between :west and :east and latitude between :south and :north")
        params.update(zip(("west", "south", "east", "north"), bbox))
    return " and ".join(where), params, bbox


def grid(extent: tuple[float, float, float, float]) -> dict:
    """Cell sizes (degrees) of a GRID-wide grid over `extent` (west, south, east, north), cells
    about square on the ground (a degree of longitude is cos(latitude) of one of latitude)."""
    west, south, east, north = extent
    shrink = max(0.2, math.cos(math.radians((south + north) / 2)))
    side = max(north - south, (east - west) * shrink, 1e-6) / GRID
    return {"west0": west, "south0": south, "dlat": side, "dlon": side / shrink}


def map_answer(conn, args, points_max: int) -> dict:
    """Every matching plan, or when more than points_max match, counts per grid cell
    (mean point, plans, homes). Reads only; pure apart from the connection."""
    where, params, bbox = build_where(args)
    total, south, north, west, east = conn.execute(
        f"select count(*), min(latitude), max(latitude), min(longitude), max(longitude) from plannen where {where}",
        params,
    ).fetchone()
    # the plans these filters select that no map can show (no known location): the page says so,
    # so the map's count and the page's agree
    unplaced = (
        0
        if bbox
        else conn.execute(
            f"select count(*) from plannen where {where.replace(POINT_KNOWN, 'latitude is null', 1)}", params
        ).fetchone()[0]
    )
    if total <= points_max:
        rows = conn.execute(f"select {', '.join(FIELDS)} from plannen where {where} order by plan_id", params)
        return {"columns": FIELDS, "rows": [list(r) for r in rows], "plannen": total, "zonder_punt": unplaced}
    extent = bbox or (west, south, east, north)
    cells = conn.execute(
        "select round(avg(latitude), 5), round(avg(longitude), 5), count(*), sum(coalesce(netto, 0)) "
        f"from plannen where {where} "
        "group by cast((latitude - :south0) / :dlat as integer), cast((longitude - :west0) / :dlon as integer) "
        "order by 1, 2",
        {**params, **grid(extent)},
    ).fetchall()
    return {
        "columns": FIELDS,
        "rows": [],
        "plannen": total,
        "zonder_punt": unplaced,
        "cellen": {"columns": CELL_FIELDS, "rows": [list(c) for c in cells]},
    }


def tolerance(bbox: tuple[float, float, float, float], zoom: int | None) -> float:
    """Simplification tolerance in degrees: half a screen pixel (256-pixel tiles, Web Mercator) at `zoom`,
    or of the bbox drawn OUTLINE_PIXELS wide; a degree of longitude is cos(latitude) of one on the ground."""
    west, south, east, north = bbox
    shrink = max(0.2, math.cos(math.radians((south + north) / 2)))
    if zoom is None:
        pixel = max(north - south, (east - west) * shrink, 1e-6) / OUTLINE_PIXELS
    else:
        pixel = 360 / (256 * 2**zoom) * shrink
    return pixel / 2


def decimals(tol: float) -> int:
    """Coordinate decimals for outlines simplified at `tol`: rounding moves a point by at most tol / 2."""
    return max(1, min(COORDINATE_DECIMALS, math.ceil(-math.log10(tol / 2))))


def outlines_answer(conn, args, outlines_max: int, bytes_max: int = OUTLINE_BYTES) -> dict:
    """The areas of the plans these filters select whose bounding box meets `bbox`, largest first,
    simplified for `zoom`; at most outlines_max of them and about bytes_max of JSON."""
    bbox = parse_bbox(args.get("bbox"))
    if bbox is None:
        raise ValueError("bbox: verplicht, west,zuid,oost,noord in graden / required, west,south,east,north in degrees")
    zoom = args.get("zoom")
    if zoom and not re.fullmatch(ZOOM, zoom):
        raise ValueError("zoom: een geheel getal 0 tot en met 24 / a whole number 0 to 24")
    # the map's filters select plans; the bbox here is the outlines', not the points'
    where, params, _ = build_where({k: args.get(k) for k in (*FILTERS, "segment", "_search")})
    west, south, east, north = bbox
    # an outline meeting the box starts west of its east edge and at most the widest area's width west of it:
    # a range on the index's first column, the other three edges read from the index
    span = conn.execute("select coalesce(max(oost - west), 0) from plangebieden").fetchone()[0]
    found = conn.execute(
        "select g.plan_id, p.naam, g.oppervlakte_ha from plangebieden g "
        f"join (select plan_id, naam from plannen where {where}) p on p.plan_id = g.plan_id "
        "where g.west between :w_from and :e_to and g.oost >= :w_to and g.zuid <= :n_to and g.noord >= :s_to "
        "order by g.oppervlakte_ha desc, g.plan_id",
        {**params, "w_from": west - span, "e_to": east, "w_to": west, "n_to": north, "s_to": south},
    ).fetchall()
    tol = tolerance(bbox, int(zoom) if zoom else None)
    places = decimals(tol)
    features, size, cut = [], 0, len(found) > outlines_max
    # the full outlines of the chosen ones only (the texts are the bulk of the table), a batch at a time:
    # the byte bound stops the work too, not only the answer
    chosen = found[:outlines_max]
    for start in range(0, len(chosen), OUTLINE_BATCH):
        batch = chosen[start : start + OUTLINE_BATCH]
        texts = [
            conn.execute("select geometrie from plangebieden where plan_id = ?", [r[0]]).fetchone()[0] for r in batch
        ]
        shapes = shapely.transform(
            [simplified(g, tol) for g in shapely.from_geojson(texts)], lambda xy: np.round(xy, places)
        )
        for (plan_id, naam, _), shape in zip(batch, shapes):
            feature = {
                "type": "Feature",
                "id": plan_id,
                "properties": {"plan_id": plan_id, "naam": naam},
                "geometry": mapping(shape),
            }
            size += len(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
            if size > bytes_max and features:
                return outlines_collection(features, len(found), True, tol, places)
            features.append(feature)
    return outlines_collection(features, len(found), cut, tol, places)


def outlines_collection(features: list[dict], found: int, cut: bool, tol: float, places: int) -> dict:
    return {
        "type": "FeatureCollection",
        "features": features,
        "plangebieden": found,
        "afgekapt": cut,
        "tolerantie": tol,
        "decimalen": places,
    }


def table_map_query(args, searchmode: str | None = None) -> str | None:
    """The /-/kaartdata.json query string that selects the same plans as a plannen table view
    with these arguments, or None when the view has a filter this endpoint does not know
    (then datasette-cluster-map pages the JSON API as before). Pure: tested without a server."""
    query = {}
    for key in args.keys():
        values = args.getlist(key)
        if key in PRESENTATION or key.startswith("_facet"):
            continue
        if len(values) != 1 or values[0] == "":
            return None  # Datasette ANDs repeated filters and filters on ""; not ours to imitate
        if key == "_search":
            if (args.get("_searchmode") or searchmode) == "raw":
                return None
            query["_search"] = values[0]
            continue
        column, _, op = key.partition("__")
        if column not in FILTERS or op not in ("", "exact"):
            return None
        query[column] = values[0]
    return urlencode(sorted(query.items()))


def error(message: str) -> Response:
    # the shape of Datasette's own JSON errors, which /openapi.json describes once for every endpoint
    return Response.json(
        {"ok": False, "error": message, "status": 400, "title": None},
        status=400,
        headers={"access-control-allow-origin": "*"},
    )


async def cached_answer(datasette, request, name: str, answer_of, content_type: str = "application/json"):
    """The JSON answer_of(conn, args) gives for this request, memoised (plain and gzipped) under the pages'
    SQL time limit; a bad parameter or a request that ran too long is a 400 starting with `name`."""
    cache = datasette_seam.cache(datasette, "map_data", OrderedDict)
    key = (name, request.query_string)
    cached = cache.get(key)  # (plain, gzipped)
    if cached is None:
        db = datasette.get_database(DB)
        try:
            # scans of an indexed table: no row limit, the answer is bounded by the endpoint's limits
            # under the pages' SQL time limit: a request must not run longer than any page may
            limit_ms = datasette.setting("sql_time_limit_ms")

            def answer_within_limit(conn):
                with sqlite_timelimit(conn, limit_ms):
                    return answer_of(conn, request.args)

            answer = await db.execute_fn(answer_within_limit)
        except (sqlite3.OperationalError, ValueError) as exc:  # a search the FTS syntax rejects, a bad bbox
            if "interrupted" in str(exc):
                return error(
                    f"{name}: de vraag duurde te lang; kies een kleiner gebied of een filter / "
                    "the request took too long"
                )
            return error(f"{name}: {exc}")
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        cached = (body, gzip.compress(body, compresslevel=6, mtime=0))
        cache[key] = cached
        while len(cache) > 1 and sum(len(a) + len(b) for a, b in cache.values()) > CACHE_BYTES:
            cache.popitem(last=False)
    else:
        cache.move_to_end(key)
    body, gzipped = cached
    headers = {"access-control-allow-origin": "*"}
    if "gzip" in request.headers.get("accept-encoding", ""):
        # lower-case names: datasette-gzip looks for "content-encoding" to leave a body alone
        # (plugins/cache_headers.py adds Vary for the identity answer)
        body = gzipped
        headers.update({"content-encoding": "gzip", "vary": "Accept-Encoding"})
    return Response(body, content_type=f"{content_type}; charset=utf-8", headers=headers)


async def map_data(datasette, request):
    points_max = int((datasette.plugin_config(PLUGIN) or {}).get("punten_max", POINTS_MAX))
    return await cached_answer(datasette, request, "kaartdata", lambda conn, args: map_answer(conn, args, points_max))


async def plan_outlines(datasette, request):
    outlines_max = int((datasette.plugin_config(PLUGIN) or {}).get("plangebieden_max", OUTLINES_MAX))
    return await cached_answer(
        datasette,
        request,
        "plangebieden",
        lambda conn, args: outlines_answer(conn, args, outlines_max),
        "application/geo+json",
    )


@hookimpl
def register_routes():
    return [(r"^/-/kaartdata\.json$", map_data), (r"^/-/plangebieden\.json$", plan_outlines)]


@hookimpl
def extra_template_vars(request, database, table, view_name, datasette):
    if view_name != "table" or database != DB or table != TABLE or request is None:
        return {}
    searchmode = datasette_seam.table_metadata(datasette, database, table).get("searchmode")
    return {"tabelkaart_query": table_map_query(request.args, searchmode)}
