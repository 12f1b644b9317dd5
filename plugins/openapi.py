"""OpenAPI 3 description of the public JSON API at /openapi.json.

Generated from the served database (its tables, columns and keys), the canned queries in
metadata.yml, the running settings (row and time limits) and the build's download manifest, so
it cannot drift from what the server actually does. Datasette's own JSON API is the API; this
only describes the main endpoints of it for developers and tools (schemathesis tests it).
"""
from __future__ import annotations

import json
from pathlib import Path

from datasette import hookimpl

from ingest import site
from datasette.utils import derive_named_parameters
from datasette.utils.asgi import Response

from ingest.schema import MAP_FILTERS, MAP_SEGMENTS  # what plugins/map_data.py accepts

DB = "woningbouwplannen"
SHAPES = ["objects", "array", "arrays", "object"]
JSON_ANY = {"application/json": {"schema": {"oneOf": [{"type": "object"}, {"type": "array"}]}}}
ERROR = {"description": "Ongeldige parameter of query-fout / invalid parameter or query error",
         "content": {"application/json": {"schema": {"type": "object"}}}}
NOT_FOUND = {"description": "Bestaat niet / not found"}


def q(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema or {"type": "string"}}


def common(max_rows: int) -> list[dict]:
    return [
        q("_shape", "Vorm van het antwoord: objects (standaard), array (lijst objecten), arrays, object (op sleutel) / "
                    "response shape", {"type": "string", "enum": SHAPES}),
        q("_size", f"Rijen per pagina, hoogstens {max_rows} / rows per page, at most {max_rows}",
          {"type": "integer", "minimum": 1, "maximum": max_rows}),
    ]


def table_operation(table: str, columns: list[str], pks: list[str], fts: bool, max_rows: int) -> dict:
    params = common(max_rows) + [
        q("_next", "Vervolgtoken uit next van het vorige antwoord (volg next_url) / paging token from `next`"),
        q("_sort", "Sorteer oplopend op kolom / sort ascending", {"type": "string", "enum": columns}),
        q("_sort_desc", "Sorteer aflopend op kolom / sort descending", {"type": "string", "enum": columns}),
        q("_facet", "Tel waarden van een kolom (facet) / facet by a column", {"type": "string", "enum": columns}),
    ]
    if fts:
        params.append(q("_search", "Zoek in naam, omschrijving en gemeente (volledige tekst) / full-text search"))
    params += [q(c, f"Filter: {c} is gelijk aan deze waarde; ook {c}__gt, __lt, __contains, __in ... / "
                    f"filter on {c} (exact); other operators as {c}__op") for c in columns]
    return {"get": {
        "operationId": f"tabel_{table}", "tags": ["tabellen / tables"],
        "summary": f"Rijen van {table} / rows of {table}",
        "description": "Gepagineerd: zolang er meer rijen zijn, bevat het antwoord next en next_url. "
                       "/ Paged: while there are more rows the response has next and next_url."
                       + (f" Sleutel / key: {', '.join(pks)}." if pks else ""),
        "parameters": params,
        "responses": {"200": {"description": "Rijen / rows", "content": JSON_ANY}, "400": ERROR},
    }}


def row_operation(table: str, pks: list[str]) -> dict:
    return {"get": {
        "operationId": f"rij_{table}", "tags": ["rijen / rows"],
        "summary": f"Eén rij van {table} op sleutel / one row of {table} by key",
        "parameters": [{"name": "pk", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": f"Waarde van {', '.join(pks)}; bij meer kolommen gescheiden door komma's, "
                                       "tekens als / en , tilde-gecodeerd (~2F, ~2C) / key value(s), tilde-encoded"}],
        "responses": {"200": {"description": "De rij / the row", "content": JSON_ANY}, "404": NOT_FOUND},
    }}


def query_operation(name: str, query: dict, params: list[str], max_rows: int) -> dict:
    return {"get": {
        "operationId": f"query_{name}", "tags": ["vaste vragen / canned queries"],
        "summary": query.get("title") or name,
        "description": query.get("description") or "",
        "parameters": common(max_rows)[:1] + [q(p, f"Parameter :{p} van de query / query parameter") for p in params],
        "responses": {"200": {"description": "Resultaat / result", "content": JSON_ANY}, "400": ERROR},
    }}


def static_operations(files: list[str]) -> dict:
    file_param = {"name": "file", "in": "path", "required": True, "schema": {"type": "string", "enum": files},
                  "description": "Bestandsnaam uit /downloads/index.json / file name from the manifest"}
    json_doc = {"application/json": {"schema": {"type": "object"}}}
    segment = {"type": "string", "enum": list(MAP_SEGMENTS)}
    return {
        "/downloads/{file}": {"get": {
            "operationId": "download", "tags": ["downloads"],
            "summary": "Volledige tabel als CSV, CSV voor Excel, JSON, XLSX of GeoJSON / full table download",
            "parameters": [file_param],
            "responses": {"200": {"description": "Het bestand / the file"}, "404": NOT_FOUND}}},
        "/downloads/index.json": {"get": {
            "operationId": "downloads_index", "tags": ["downloads"],
            "summary": "Lijst van downloads met rijen, bytes, sha256 en peildatum / download manifest",
            "responses": {"200": {"description": "Manifest", "content": json_doc}}}},
        f"/{DB}.db": {"get": {
            "operationId": "database", "tags": ["downloads"], "summary": "De hele database (SQLite) / whole database",
            "responses": {"200": {"description": "SQLite", "content": {"application/octet-stream": {}}}}}},
        "/datapackage.json": {"get": {
            "operationId": "datapackage", "tags": ["metadata"], "summary": "Frictionless Data Package",
            "responses": {"200": {"description": "Data package", "content": json_doc}}}},
        "/catalog.jsonld": {"get": {
            "operationId": "catalogus", "tags": ["metadata"], "summary": "DCAT-AP-catalogus (JSON-LD) / DCAT catalogue",
            "responses": {"200": {"description": "DCAT", "content": {"application/ld+json": {"schema": {"type": "object"}}}}}}},
        "/-/kaartdata.json": {"get": {
            "operationId": "kaartdata", "tags": ["kaart / map"],
            "summary": "Alle plannen met een punt, compact (kolommen + rijen) / every plan with a point, compact",
            "description": (
                "Boven punten_max plannen (metadata.yml; nu 50.000) geen plannen maar aantallen per rastercel in "
                "`cellen` (latitude, longitude, plannen, woningen); vraag met `bbox` de plannen van een kleiner gebied. "
                "/ Above punten_max (50,000) matching plans: counts per grid cell in `cellen` instead; ask for a smaller area "
                "with `bbox`."),
            "parameters": [q(c, f"Filter op {c} / filter") for c in MAP_FILTERS]
                          + [q("_search", "Zoeken in naam, omschrijving en gemeente (volledige tekst) / full-text search"),
                             q("segment", "Alleen plannen met woningen in dit segment / only plans with this segment", segment),
                             q("bbox", "Alleen plannen in west,zuid,oost,noord (graden, WGS84) / only plans inside "
                                       "west,south,east,north (degrees)")],
            "responses": {"200": {"description": "columns en rows", "content": json_doc}}}},
    }


def spec(base: str, tables: list[dict], queries: list[tuple[str, dict, list[str]]], files: list[str],
         limits: dict) -> dict:
    """The whole OpenAPI document; pure, so it can be tested without a server."""
    paths = {}
    for t in tables:
        paths[f"/{DB}/{t['name']}.json"] = table_operation(t["name"], t["columns"], t["pks"], t["fts"],
                                                           limits["max_returned_rows"])
        if t["pks"]:
            paths[f"/{DB}/{t['name']}/{{pk}}.json"] = row_operation(t["name"], t["pks"])
    for name, query, params in queries:
        paths[f"/{DB}/{name}.json"] = query_operation(name, query, params, limits["max_returned_rows"])
    paths.update(static_operations(files))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Woningbouwplannen API",
            "version": "1",
            "description": (
                "De JSON-API van Datasette over de database woningbouwplannen. Alles is openbaar (CC0 1.0), zonder "
                f"sleutel, met CORS. Hoogstens {limits['max_returned_rows']} rijen per pagina; een query mag "
                f"{limits['sql_time_limit_ms']} ms duren. Volg next_url om te pagineren. / Datasette's JSON API over "
                "the woningbouwplannen database: open (CC0 1.0), no key, CORS; follow next_url to page."),
            "license": {"name": "CC0-1.0 (data)", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
        },
        "servers": [{"url": base}],
        "externalDocs": {"url": f"{base}/voor-ontwikkelaars", "description": "Voor ontwikkelaars / for developers"},
        "paths": paths,
    }


def download_files(datasette) -> list[str]:
    for mount, directory in datasette.static_mounts:
        if mount == "downloads":
            try:
                index = json.loads((Path(directory) / "index.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return []
            return [f["file"] for f in index.get("files", [])] + ["datapackage.json"]
    return []


async def describe_tables(datasette) -> list[dict]:
    db = datasette.get_database(DB)
    hidden = set(await db.hidden_table_names())
    fts_tables = {t for t in await db.table_names() if await db.fts_table(t)}
    out = []
    for table in await db.table_names():
        if table in hidden:
            continue
        out.append({"name": table, "columns": await db.table_columns(table), "pks": await db.primary_keys(table),
                    "fts": table in fts_tables})
    return out


async def openapi(datasette, request):
    if DB not in datasette.databases:
        return Response.json({"error": "database not found"}, status=404)
    queries = []
    for name, query in (await datasette.get_canned_queries(DB, None)).items():
        params = query.get("params") or await derive_named_parameters(datasette.get_database(DB), query["sql"])
        queries.append((name, query, list(dict.fromkeys(params))))
    limits = {k: datasette.setting(k) for k in ("max_returned_rows", "sql_time_limit_ms")}
    base = site.base_url(datasette.plugin_config(site.PLUGIN))  # configured, never the request's Host
    body = spec(base, await describe_tables(datasette), queries, download_files(datasette), limits)
    return Response.json(body, headers={"Access-Control-Allow-Origin": "*"})


@hookimpl
def register_routes():
    return [(r"^/openapi\.json$", openapi)]
