"""Compact map data for the public maps: every plan in one response.

The cluster map pages through the full JSON API 1,000 wide rows at a time; the public
maps only need id, name, point, homes, status and municipality. One array per plan,
filterable by the indexed columns, segment and full-text search (`_search`, escaped as
Datasette's table page does); memoised per query string, since the database is immutable
while served, and gzipped once (datasette-gzip would compress 3 MB again on every request).

The plannen table page shows this map instead of datasette-cluster-map when its filters
are ones this endpoint understands (`table_map_query`, templates/_table-woningbouwplannen-plannen.html).
"""
from __future__ import annotations

import gzip
import json
import sqlite3
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import escape_fts
from datasette.utils.asgi import Response

from ingest.schema import MAP_FILTERS, MAP_SEGMENTS

DB = "woningbouwplannen"
TABLE = "plannen"
FIELDS = ("plan_id", "naam", "latitude", "longitude", "woningen", "planstatus", "gemeente", "hardheid")
# column = value filters on the indexed columns of plannen (every filter an index lookup) and the
# segments, named once in the schema (the ingest package is installed with the portal)
SEGMENTS = MAP_SEGMENTS
FILTERS = MAP_FILTERS
# table-page arguments that change how rows are shown, not which rows are in the view
PRESENTATION = {"_sort", "_sort_desc", "_size", "_next", "_labels", "_nolabels", "_col", "_nocol", "_nofacet",
                "_nocount", "_nosuggest", "_trace", "_timelimit", "_searchmode"}
MAX_CACHE = 256


def build_query(args) -> tuple[str, dict]:
    where, params = ["latitude is not null", "longitude is not null"], {}
    for column in FILTERS:
        value = args.get(column)
        if value:
            where.append(f"{column} = :{column}")
            params[column] = value
    segment = args.get("segment")
    if segment in SEGMENTS:
        where.append(f"coalesce({segment}, 0) > 0")
    search = args.get("_search")
    if search:
        where.append("rowid in (select rowid from plannen_fts where plannen_fts match :search)")
        params["search"] = escape_fts(search)
    sql = f"select {', '.join(FIELDS)} from plannen where {' and '.join(where)} order by plan_id"
    return sql, params


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


async def map_data(datasette, request):
    cache = datasette.__dict__.setdefault("_map_data_cache", {})
    key = request.query_string
    cached = cache.get(key)  # (plain, gzipped)
    if cached is None:
        sql, params = build_query(request.args)
        db = datasette.get_database(DB)
        try:
            # a full scan of an indexed table: no row limit, bounded by the table itself
            rows = await db.execute_fn(lambda conn: conn.execute(sql, params).fetchall())
        except sqlite3.OperationalError as exc:  # e.g. a search the FTS syntax rejects
            return Response.json({"ok": False, "error": f"kaartdata: {exc}"}, status=400)
        body = json.dumps({"columns": FIELDS, "rows": [list(r) for r in rows]}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
        cached = (body, gzip.compress(body, compresslevel=6, mtime=0))
        if len(cache) < MAX_CACHE:
            cache[key] = cached
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
