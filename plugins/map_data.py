"""Compact map data for the public maps: every plan in one response, or counts per area.

The cluster map pages through the full JSON API 1,000 wide rows at a time; the public
maps only need id, name, point, homes, status and municipality. One array per plan,
filterable by the indexed columns, segment and full-text search (`_search`, escaped as
Datasette's table page does); memoised per query string, since the database is immutable
while served, and gzipped once (datasette-gzip would compress 3 MB again on every request).

The answer is bounded: when more than `punten_max` plans match (metadata.yml, plugin
"woningbouwplannen-kaartdata"; 50,000 by default), it holds no plans but counts per cell of a
grid over the matching plans (or over `bbox`), so the map sends the same few hundred KB at
ten times the data. static/kaart.js then asks for the plans of the view (`bbox`) once zoomed in.

Parameters are checked, not guessed: a `segment` outside the segments or a `bbox` that is not four decimal
degrees in range (BBOX, the pattern /openapi.json publishes; corners in either order) is a 400 naming it;
an empty one means no filter.

The plannen table page shows this map instead of datasette-cluster-map when its filters
are ones this endpoint understands (`table_map_query`, templates/_table-woningbouwplannen-plannen.html).
"""
from __future__ import annotations

import gzip
import json
import math
import re
import sqlite3
from collections import OrderedDict
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import escape_fts, sqlite_timelimit
from datasette.utils.asgi import Response

from ingest.schema import MAP_FILTERS, MAP_SEGMENTS

DB = "woningbouwplannen"
TABLE = "plannen"
# netto (bruto minus sloop) is the figure the maps show, as every headline of the portal
FIELDS = ("plan_id", "naam", "latitude", "longitude", "netto", "planstatus", "gemeente", "hardheid", "sociale_huur",
          "start_bouw", "lopend")
# column = value filters on the indexed columns of plannen (every filter an index lookup) and the
# segments, named once in the schema (the ingest package is installed with the portal)
SEGMENTS = MAP_SEGMENTS
FILTERS = MAP_FILTERS
# table-page arguments that change how rows are shown, not which rows are in the view
PRESENTATION = {"_sort", "_sort_desc", "_size", "_next", "_labels", "_nolabels", "_col", "_nocol", "_nofacet",
                "_nocount", "_nosuggest", "_trace", "_timelimit", "_searchmode"}
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


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """`west,south,east,north` in degrees (WGS84), or None; ValueError says what is wrong. The corners
    may come in either order (the box between them); the pattern is the one /openapi.json publishes."""
    if not value:
        return None
    if not re.fullmatch(BBOX, value):
        raise ValueError("bbox: vier getallen west,zuid,oost,noord in graden (lengte -180..180, breedte -90..90) / "
                         "four numbers west,south,east,north in degrees (longitude -180..180, latitude -90..90)")
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
        "select count(*), min(latitude), max(latitude), min(longitude), max(longitude) "
        f"from plannen where {where}", params).fetchone()
    # the plans these filters select that no map can show (no known location): the page says so,
    # so the map's count and the page's agree
    unplaced = 0 if bbox else conn.execute(
        f"select count(*) from plannen where {where.replace(POINT_KNOWN, 'latitude is null', 1)}", params).fetchone()[0]
    if total <= points_max:
        rows = conn.execute(f"select {', '.join(FIELDS)} from plannen where {where} order by plan_id", params)
        return {"columns": FIELDS, "rows": [list(r) for r in rows], "plannen": total, "zonder_punt": unplaced}
    extent = bbox or (west, south, east, north)
    cells = conn.execute(
        "select round(avg(latitude), 5), round(avg(longitude), 5), count(*), sum(coalesce(netto, 0)) "
        f"from plannen where {where} "
        "group by cast((latitude - :south0) / :dlat as integer), cast((longitude - :west0) / :dlon as integer) "
        "order by 1, 2", {**params, **grid(extent)}).fetchall()
    return {"columns": FIELDS, "rows": [], "plannen": total, "zonder_punt": unplaced,
            "cellen": {"columns": CELL_FIELDS, "rows": [list(c) for c in cells]}}


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
    return Response.json({"ok": False, "error": message, "status": 400, "title": None}, status=400,
                         headers={"access-control-allow-origin": "*"})


async def map_data(datasette, request):
    cache = datasette.__dict__.setdefault("_map_data_cache", OrderedDict())
    key = request.query_string
    cached = cache.get(key)  # (plain, gzipped)
    if cached is None:
        points_max = int((datasette.plugin_config(PLUGIN) or {}).get("punten_max", POINTS_MAX))
        db = datasette.get_database(DB)
        try:
            # scans of an indexed table: no row limit, the answer is bounded by points_max or the grid
            # under the pages' SQL time limit: a request must not run longer than any page may
            limit_ms = datasette.setting("sql_time_limit_ms")

            def answer_within_limit(conn):
                with sqlite_timelimit(conn, limit_ms):
                    return map_answer(conn, request.args, points_max)

            answer = await db.execute_fn(answer_within_limit)
        except (sqlite3.OperationalError, ValueError) as exc:  # a search the FTS syntax rejects, a bad bbox
            if "interrupted" in str(exc):
                return error("kaartdata: de vraag duurde te lang; kies een kleiner gebied of een filter / "
                             "the request took too long")
            return error(f"kaartdata: {exc}")
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
    return Response(body, content_type="application/json; charset=utf-8", headers=headers)


@hookimpl
def register_routes():
    return [(r"^/-/kaartdata\.json$", map_data)]


@hookimpl
def extra_template_vars(request, database, table, view_name, datasette):
    if view_name != "table" or database != DB or table != TABLE or request is None:
        return {}
    searchmode = datasette.table_metadata(database, table).get("searchmode")
    return {"tabelkaart_query": table_map_query(request.args, searchmode)}
