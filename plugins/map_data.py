"""Compact map data for the public maps: every plan in one response.

The cluster map pages through the full JSON API 1,000 wide rows at a time; the public
maps only need id, name, point, homes, status and municipality. One array per plan,
filterable by province, municipality, status and segment; memoised per query string,
since the database is immutable while served.
"""
from __future__ import annotations

import json

from datasette import hookimpl
from datasette.utils.asgi import Response

DB = "woningbouwplannen"
FIELDS = ("plan_id", "naam", "latitude", "longitude", "woningen", "planstatus", "gemeente", "hardheid")
SEGMENTS = ("sociale_huur", "middenhuur", "dure_huur", "betaalbare_koop", "dure_koop", "segment_onbekend", "betaalbaar")
FILTERS = ("provincie", "gemeentecode", "planstatus", "hardheid", "doorbraaklocatie")
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
    sql = f"select {', '.join(FIELDS)} from plannen where {' and '.join(where)} order by plan_id"
    return sql, params


async def map_data(datasette, request):
    cache = datasette.__dict__.setdefault("_map_data_cache", {})
    key = request.query_string
    body = cache.get(key)
    if body is None:
        sql, params = build_query(request.args)
        db = datasette.get_database(DB)
        # a full scan of an indexed table: no row limit, bounded by the table itself
        rows = await db.execute_fn(lambda conn: conn.execute(sql, params).fetchall())
        body = json.dumps({"columns": FIELDS, "rows": [list(r) for r in rows]}, ensure_ascii=False,
                          separators=(",", ":"))
        if len(cache) < MAX_CACHE:
            cache[key] = body
    return Response(body, content_type="application/json; charset=utf-8",
                    headers={"Access-Control-Allow-Origin": "*"})


@hookimpl
def register_routes():
    return [(r"^/-/kaartdata\.json$", map_data)]
