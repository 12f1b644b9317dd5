"""OpenAPI 3 description of the public API at /openapi.json: what it says is what the server does.

Generated from the served database (tables, columns with their SQLite types, keys, full-text
indexes), the canned queries in metadata.yml (their result columns and types, read from SQLite),
the running settings (row and time limits), the build's download manifest and the rules the other
plugins enforce (their constants, read from their modules: one place each), so it cannot drift:

- tables and canned queries as JSON (each documented `_shape`), CSV and, where there is a location,
  GeoJSON; rows by key; the visitor's own SQL (`?sql=`); the map data; downloads and metadata;
- responses typed from the schema: SQLite declared types -> JSON Schema types, nullable unless the
  column is NOT NULL; every 4xx with its body (Datasette's JSON error, or the error page);
- parameters exactly as the server checks them (plugins/api_errors.py, request_bounds.py,
  map_data.py): a value the description admits is answered, one it does not is a 400.
  `_sort` goes with `_sort_by_desc=on` (`_sort_desc`, which may not come with `_sort`, is described:
  OpenAPI 3.0 cannot say "not both"); paging is by `next_url` in every answer.

tests/test_openapi.py runs `schemathesis run --checks all` against a live server with it.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from ingest import site
from ingest.downloads import DOWNLOADS_DIR
from ingest.schema import DATABASE as DB
from portal import datasette_seam
from portal.datasette_seam import derive_named_parameters, escape_sqlite


def sibling(name: str):
    """Another plugin module, for its constants: Datasette loads plugins by path, not as a package."""
    spec = importlib.util.spec_from_file_location(
        f"woningbouwplannen_openapi_{name}", Path(__file__).with_name(f"{name}.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bounds, kaart, checks, geo, guard = (
    sibling(n) for n in ("request_bounds", "map_data", "api_errors", "portal_geo", "sql_guard")
)

VERSION = "2"
STRING, INTEGER, NUMBER, BOOLEAN = ({"type": t} for t in ("string", "integer", "number", "boolean"))
# a value of a column without a declared type (or an expression in a query): any SQLite value as JSON,
# a BLOB as Datasette writes it ({"$base64": true, "encoded": ...})
ANY_VALUE = {"anyOf": [{"type": t, "nullable": True} for t in ("string", "number", "object")]}
JSON = "application/json"


def nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


def column_schema(declared: str, not_null: bool = False) -> dict:
    """JSON Schema of a column from its declared type, by SQLite's affinity rules (datatype3.html §3.1)."""
    t = (declared or "").upper()
    if "INT" in t:
        schema = INTEGER
    elif any(k in t for k in ("CHAR", "CLOB", "TEXT")):
        schema = STRING
    elif "BLOB" in t or not t:
        return ANY_VALUE
    elif any(k in t for k in ("REAL", "FLOA", "DOUB")):
        schema = NUMBER
    else:  # NUMERIC affinity keeps text it cannot convert
        return {"anyOf": [nullable(NUMBER), nullable(STRING)]} if not not_null else {"anyOf": [NUMBER, STRING]}
    return dict(schema) if not_null else nullable(schema)


def row_object(columns: list[tuple[str, dict]]) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [c for c, _ in columns],
        "properties": {c: s for c, s in columns},
    }


def row_array(columns: list[tuple[str, dict]]) -> dict:
    kinds = []
    for _, s in columns:
        plain = {k: v for k, v in s.items() if k != "description"}
        if plain not in kinds:
            kinds.append(plain)
    return {
        "type": "array",
        "minItems": len(columns),
        "maxItems": len(columns),
        "items": kinds[0] if len(kinds) == 1 else {"anyOf": kinds},
    }


def ref(components: dict, name: str, schema: dict, kind: str = "schemas") -> dict:
    """The schema (or parameter), kept once under components and referred to: the document stays small."""
    components.setdefault(kind, {})[name] = schema
    return {"$ref": f"#/components/{kind}/{name}"}


def geojson_responses(components: dict, name: str, columns) -> dict:
    """The responses of a table's or canned query's .geojson: a FeatureCollection of its columns, or 400."""
    return {
        "200": {
            "description": "FeatureCollection (WGS84)",
            "content": {
                "application/geo+json": {"schema": ref(components, f"{name}.geojson", feature_collection(columns))}
            },
        },
        "400": BAD_PAGE,
    }


def names(columns: list[tuple[str, dict]]) -> dict:
    return {"type": "array", "items": {"type": "string", "enum": [c for c, _ in columns]}}


ERROR_SCHEMA = {
    "type": "object",
    "required": ["ok", "error"],
    "description": "Foutmelding die de parameter noemt / error naming the parameter",
    "properties": {
        "ok": {"type": "boolean", "enum": [False]},
        "error": STRING,
        "status": INTEGER,
        "title": nullable(STRING),
    },
}
ERROR = {"$ref": "#/components/schemas/Fout"}
TEXT = {"schema": STRING}
ERROR_PAGE = {"text/html": TEXT, "text/plain": TEXT}  # the portal's error page; text for a request over a bound


def json_error(description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": ERROR}}}


BAD_JSON = json_error("Ongeldige parameter: de melding noemt hem / invalid parameter, named in the message")
BAD_PAGE = {"description": "Ongeldige parameter (foutpagina) / invalid parameter (error page)", "content": ERROR_PAGE}
# Datasette sends a key with %-escapes first to its ~-encoded URL, where .json is lost: then the 404 is a page
NOT_FOUND = {"description": "Bestaat niet / not found", "content": {JSON: {"schema": ERROR}, "text/html": TEXT}}

FACET = {
    "type": "object",
    "required": ["name", "results"],
    "properties": {
        "name": STRING,
        "type": STRING,
        "hideable": BOOLEAN,
        "toggle_url": STRING,
        "truncated": BOOLEAN,
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["value", "count"],
                "properties": {
                    "value": ANY_VALUE,
                    "label": ANY_VALUE,
                    "count": INTEGER,
                    "toggle_url": STRING,
                    "selected": BOOLEAN,
                },
            },
        },
    },
}
COMMON = {
    "private": BOOLEAN,
    "allow_execute_sql": BOOLEAN,
    "query_ms": NUMBER,
    "source": STRING,
    "source_url": STRING,
    "license": STRING,
    "license_url": STRING,
    "query": {"type": "object", "properties": {"sql": STRING, "params": {"type": "object"}}},
}


def table_envelope(table: str, columns, pks: list[str], rows: dict) -> dict:
    return {
        "type": "object",
        "required": ["database", "table", "columns", "rows", "primary_keys", "next", "next_url"],
        "properties": {
            **COMMON,
            "database": {"type": "string", "enum": [DB]},
            "table": {"type": "string", "enum": [table]},
            "is_view": BOOLEAN,
            "human_description_en": STRING,
            "truncated": BOOLEAN,
            "columns": names(columns),
            "rows": {"type": "array", "items": rows},
            "primary_keys": {"type": "array", "items": {"type": "string", "enum": pks or ["rowid"]}},
            "filtered_table_rows_count": nullable(INTEGER),
            "expanded_columns": {"type": "array"},
            "expandable_columns": {"type": "array"},
            "units": {"type": "object"},
            "facet_results": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Facet"}},
            "suggested_facets": {"type": "array"},
            "facets_timed_out": {"type": "array"},
            "next": {**nullable(STRING), "description": "Vervolgtoken (_next) / paging token"},
            "next_url": {
                **nullable(STRING),
                "description": "Volgende pagina; null op de laatste / next page, null on the last",
            },
        },
    }


def query_envelope(name: str | None, columns, rows: dict) -> dict:
    return {
        "type": "object",
        "required": ["ok", "database", "rows", "columns"],
        "properties": {
            **COMMON,
            "ok": BOOLEAN,
            "database": {"type": "string", "enum": [DB]},
            "truncated": BOOLEAN,
            "query_name": {"type": "string", "enum": [name]} if name else nullable(STRING),
            "columns": names(columns) if columns else {"type": "array", "items": STRING},
            "rows": {"type": "array", "items": rows},
            "error": nullable(STRING),
        },
    }


def shaped(envelope, columns, obj: dict, arr: dict, keyed: bool) -> dict:
    """One schema for every `_shape`: OpenAPI cannot tie a response to a parameter's value."""
    first = {k: v for k, v in columns[0][1].items() if k != "description"} if columns else ANY_VALUE
    variants = [
        {**envelope({"anyOf": [arr, obj]}), "description": "_shape=arrays (standaard / default) of objects"},
        {"type": "array", "items": obj, "description": "_shape=array"},
        {"type": "array", "items": first, "description": "_shape=arrayfirst"},
    ]
    if keyed:
        variants.append(
            {"type": "object", "additionalProperties": obj, "description": "_shape=object (op sleutel / by key)"}
        )
    return {"anyOf": variants}


def feature_collection(columns) -> dict:
    geom = next((c for c, _ in columns if c in geo.GEOMETRY_COLUMNS), None)
    properties = {c: s for c, s in columns if c != geom}
    return {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "name": STRING,
            "next_url": {**STRING, "description": "Volgende pagina / next page"},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["type", "properties", "geometry"],
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "properties": {"type": "object", "properties": properties},
                        "geometry": {
                            "type": "object",
                            "nullable": True,
                            "required": ["type"],
                            "properties": {
                                "type": {
                                    "type": "string",
                                    "enum": [
                                        "Point",
                                        "MultiPoint",
                                        "LineString",
                                        "MultiLineString",
                                        "Polygon",
                                        "MultiPolygon",
                                        "GeometryCollection",
                                    ],
                                },
                                "coordinates": {"type": "array"},
                            },
                        },
                    },
                },
            },
        },
    }


# --- parameters ---


def q(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema or STRING}


def shape_param(shapes: tuple[str, ...]) -> dict:
    return q(
        "_shape",
        "Vorm van het antwoord: arrays (standaard: columns + rows als lijsten), objects (rows als "
        "objecten), array (alleen een lijst objecten), arrayfirst (de eerste kolom), object (op sleutel) "
        "/ response shape",
        {"type": "string", "enum": list(shapes)},
    )


def size_param(max_rows: int) -> dict:
    return q(
        "_size",
        f"Rijen per pagina: 0 tot en met {max_rows}, of max ({max_rows}); 0 geeft alleen de telling "
        f"/ rows per page, 0 to {max_rows} or max",
        {"oneOf": [{"type": "integer", "minimum": 0, "maximum": max_rows}, {"type": "string", "enum": ["max"]}]},
    )


def sort_params(sortable: list[str]) -> list[dict]:
    """`_sort` and the table form's `_sort_by_desc=on` (a redirect to `_sort_desc`): two parameters that go
    together. `_sort_desc=kolom` itself, which may not come with `_sort`, is described, not listed: OpenAPI 3.0
    cannot say "not both" of two parameters (a closed object parameter could, but then every name
    schemathesis adds to it must be refused, and Datasette takes any other name as a filter)."""
    return [
        q(
            "_sort",
            "Sorteer op deze kolom; leeg = de standaardvolgorde. Aflopend: _sort_by_desc=on erbij, of "
            "_sort_desc=kolom in plaats van _sort (niet allebei: 400) / sort by this column; descending with "
            "_sort_by_desc=on, or _sort_desc=column instead of _sort (not both)",
            {"type": "string", "enum": ["", *sortable]},
        ),
        q(
            "_sort_by_desc",
            "on: aflopend sorteren (een doorverwijzing naar _sort_desc) / descending (a redirect to _sort_desc)",
            {"type": "string", "enum": ["on"]},
        ),
    ]


def search_param() -> dict:
    return q(
        "_search",
        f"Zoek in naam, omschrijving en gemeente (volledige tekst), hoogstens {bounds.MAX_SEARCH} tekens "
        f"en {bounds.MAX_WORDS} woorden; leeg = niet zoeken / full-text search",
        {"type": "string", "maxLength": bounds.MAX_SEARCH, "pattern": bounds.SEARCH_PATTERN},
    )


def filter_params(columns) -> list[dict]:
    return [
        q(
            c,
            f"Filter: {c} is gelijk aan deze waarde; ook {c}__gt, __lt, __contains, __in ... / "
            f"filter on {c} (exact); other operators as {c}__op",
        )
        for c, _ in columns
        if c != "rowid"
    ]


# --- operations ---


def op(operation_id: str, tag: str, summary: str, responses: dict, parameters=(), description: str = "") -> dict:
    return {
        "get": {
            "operationId": operation_id,
            "tags": [tag],
            "summary": summary,
            "description": description,
            "parameters": list(parameters),
            "responses": responses,
        }
    }


def table_paths(t: dict, max_rows: int, components: dict) -> dict:
    name, columns, pks = t["name"], t["columns"], t["pks"]
    obj, arr = (
        ref(components, f"{name}.rij", row_object(columns)),
        ref(components, f"{name}.rij_als_lijst", row_array(columns)),
    )
    shapes = checks.SHAPES + (("object",) if pks else ())
    rows_params = [
        ref(components, f"{name}.{p['name']}", p, "parameters")
        for p in [
            size_param(max_rows),
            *sort_params(t["sortable"]),
            *([search_param()] if t["fts"] else []),
            *filter_params(columns),
        ]
    ]
    key = f" Sleutel / key: {', '.join(pks)}." if pks else " Geen sleutel: rowid / no key: rowid."
    paging = (
        "Gepagineerd: zolang er meer rijen zijn, bevat het antwoord next en next_url; vraag next_url op "
        "/ paged: follow next_url while it is not null."
    )
    paths = {
        f"/{DB}/{name}.json": op(
            f"tabel_{name}",
            "tabellen / tables",
            f"Rijen van {name} / rows of {name}",
            {
                "200": {
                    "description": "Rijen / rows",
                    "content": {
                        JSON: {
                            "schema": ref(
                                components,
                                f"{name}.antwoord",
                                shaped(
                                    lambda rows: table_envelope(name, columns, pks, rows), columns, obj, arr, bool(pks)
                                ),
                            )
                        }
                    },
                },
                "400": BAD_JSON,
            },
            [
                shape_param(shapes),
                *rows_params,
                q(
                    "_facet",
                    "Tel de waarden van een kolom (facet) / facet by a column",
                    {"type": "string", "enum": [c for c, _ in columns if c != "rowid"]},
                ),
            ],
            paging + key,
        ),
        f"/{DB}/{name}.csv": op(
            f"tabel_{name}_csv",
            "tabellen / tables",
            f"Rijen van {name} als CSV / rows of {name} as CSV",
            {
                "200": {
                    "description": "CSV (UTF-8); met _dl=on als bestand / as a file",
                    "content": {"text/plain": TEXT, "text/csv": TEXT},
                },
                "400": BAD_PAGE,
            },
            [
                *rows_params,
                q(
                    "_stream",
                    "on: alle rijen in één antwoord / every row in one answer",
                    {"type": "string", "enum": ["on"]},
                ),
                q("_dl", "on: als bestand downloaden / as a file download", {"type": "string", "enum": ["on"]}),
            ],
            "Dezelfde filters als de JSON; zonder _stream=on één pagina / the JSON's filters; one page without _stream=on.",
        ),
    }
    if t["geo"]:
        paths[f"/{DB}/{name}.geojson"] = op(
            f"tabel_{name}_geojson",
            "tabellen / tables",
            f"Rijen van {name} als GeoJSON / as GeoJSON (RFC 7946)",
            geojson_responses(components, name, columns),
            rows_params,
            paging,
        )
    if pks:
        paths[f"/{DB}/{name}/{{pk}}.json"] = op(
            f"rij_{name}",
            "rijen / rows",
            f"Eén rij van {name} op sleutel / one row of {name} by key",
            {
                "200": {
                    "description": "De rij / the row",
                    "content": {
                        JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["database", "table", "columns", "rows", "primary_keys"],
                                "properties": {
                                    **COMMON,
                                    "database": {"type": "string", "enum": [DB]},
                                    "table": {"type": "string", "enum": [name]},
                                    "columns": names(columns),
                                    "rows": {"type": "array", "items": arr, "maxItems": 1},
                                    "primary_keys": {"type": "array", "items": {"type": "string", "enum": pks}},
                                    "primary_key_values": {"type": "array", "items": STRING},
                                    "units": {"type": "object"},
                                },
                            }
                        }
                    },
                },
                "400": BAD_JSON,
                "404": NOT_FOUND,
            },
            [
                {
                    "name": "pk",
                    "in": "path",
                    "required": True,
                    "schema": STRING,
                    **({"example": t["example_key"]} if t.get("example_key") else {}),
                    "description": f"Waarde van {', '.join(pks)}; bij meer kolommen gescheiden door komma's, tekens als / en , "
                    "tilde-gecodeerd (~2F, ~2C) / key value(s), comma-separated, tilde-encoded",
                }
            ],
        )
    return paths


def query_paths(name: str, query: dict, params: list[str], columns, components: dict) -> dict:
    obj = ref(
        components,
        f"{name}.rij",
        row_object(columns) if columns else {"type": "object", "additionalProperties": ANY_VALUE},
    )
    arr = ref(
        components, f"{name}.rij_als_lijst", row_array(columns) if columns else {"type": "array", "items": ANY_VALUE}
    )
    parameters = [q(p, f"Parameter :{p} van de query; leeg = niet beperken / query parameter") for p in params]
    title, description = query.get("title") or name, query.get("description") or ""
    paths = {
        f"/{DB}/{name}.json": op(
            f"query_{name}",
            "vaste vragen / canned queries",
            title,
            {
                "200": {
                    "description": "Resultaat / result",
                    "content": {
                        JSON: {
                            "schema": ref(
                                components,
                                f"{name}.antwoord",
                                shaped(lambda rows: query_envelope(name, columns, rows), columns, obj, arr, False),
                            )
                        }
                    },
                },
                "400": BAD_JSON,
            },
            [shape_param(checks.SHAPES), *parameters],
            description,
        ),
        f"/{DB}/{name}.csv": op(
            f"query_{name}_csv",
            "vaste vragen / canned queries",
            f"{title} (CSV)",
            {"200": {"description": "CSV (UTF-8)", "content": {"text/plain": TEXT, "text/csv": TEXT}}, "400": BAD_PAGE},
            parameters,
            description,
        ),
    }
    if columns and geo.can_render_geojson([c for c, _ in columns]):
        paths[f"/{DB}/{name}.geojson"] = op(
            f"query_{name}_geojson",
            "vaste vragen / canned queries",
            f"{title} (GeoJSON)",
            geojson_responses(components, name, columns),
            parameters,
            description,
        )
    return paths


def sql_path(limits: dict) -> dict:
    own_ms = limits["own_sql_time_limit_ms"]
    # _shape=array (objects) or arrayfirst (values)
    any_rows = {"type": "array", "items": {"anyOf": [*ANY_VALUE["anyOf"], {"type": "array", "items": ANY_VALUE}]}}
    result = query_envelope(
        None,
        None,
        {"anyOf": [{"type": "array", "items": ANY_VALUE}, {"type": "object", "additionalProperties": ANY_VALUE}]},
    )
    database = {
        "type": "object",
        "required": ["database", "tables"],
        "description": "Zonder sql: de tabellen / without sql: the tables",
        "properties": {
            "database": {"type": "string", "enum": [DB]},
            "tables": {"type": "array", "items": {"type": "object"}},
            "queries": {"type": "array", "items": {"type": "object"}},
            "views": {"type": "array"},
        },
    }
    return {
        f"/{DB}.json": op(
            "sql",
            "eigen SQL / own SQL",
            "Eigen SQL, alleen lezen / your own read-only SQL",
            {
                "200": {
                    "description": "Resultaat, of zonder sql de beschrijving van de database / result, or the database",
                    "content": {JSON: {"schema": {"anyOf": [result, any_rows, database]}}},
                },
                "400": {
                    "description": "Geen geldige SELECT, een verboden functie, te lang (de melding zegt wat) / not a valid "
                    "SELECT, a forbidden function, too slow",
                    "content": {JSON: {"schema": ERROR}, "text/plain": TEXT},
                },
                "429": {
                    "description": "Te veel SQL tegelijk; probeer het over een paar seconden (Retry-After) / too many at once",
                    "content": {"text/plain": TEXT},
                },
            },
            [
                q(
                    "sql",
                    "Eén SELECT (of WITH ... SELECT); :naam wordt de query-parameter naam; leeg of weg: de beschrijving "
                    "van de database / one SELECT; :name binds the query parameter name; without it the database's "
                    "description",
                )
            ],
            f"Eén query tegelijk per server, hoogstens {own_ms} ms, hoogstens {limits['max_returned_rows']} rijen "
            f"(truncated zegt of er meer waren). Niet toegestaan: schrijven en de functies {', '.join(guard.FORBIDDEN)}. "
            "Met sql ook _shape (arrays, objects, array, arrayfirst; zonder sql alleen objects of arrays). Of een tekst "
            "geldige SQL is, kan geen schema zeggen: een ongeldige geeft 400. / With sql also _shape. One query at "
            f"a time, at most {own_ms} ms and {limits['max_returned_rows']} rows; invalid SQL is a 400.",
        )
    }


def map_path(plannen_columns: dict) -> dict:
    kinds = row_array([(c, plannen_columns.get(c, ANY_VALUE)) for c in kaart.FIELDS])
    cells = {
        "type": "object",
        "required": ["columns", "rows"],
        "properties": {
            "columns": {"type": "array", "items": {"type": "string", "enum": list(kaart.CELL_FIELDS)}},
            "rows": {
                "type": "array",
                "items": {
                    "type": "array",
                    "items": nullable(NUMBER),
                    "minItems": len(kaart.CELL_FIELDS),
                    "maxItems": len(kaart.CELL_FIELDS),
                },
            },
        },
    }
    answer = {
        "type": "object",
        "required": ["columns", "rows", "plannen", "zonder_punt"],
        "properties": {
            "columns": {"type": "array", "items": {"type": "string", "enum": list(kaart.FIELDS)}},
            "rows": {"type": "array", "items": kinds},
            "plannen": INTEGER,
            "zonder_punt": {**INTEGER, "description": "Plannen zonder ligging / plans without a location"},
            "cellen": {
                **cells,
                "description": "Boven punten_max: aantallen per rastercel / above punten_max: counts per cell",
            },
        },
    }
    return {
        "/-/kaartdata.json": op(
            "kaartdata",
            "kaart / map",
            "Alle plannen met een punt, compact (kolommen + rijen) / every plan with a point, compact",
            {"200": {"description": "columns en rows", "content": {JSON: {"schema": answer}}}, "400": BAD_JSON},
            [
                q(c, f"Filter: {c} is gelijk aan deze waarde; leeg = geen filter / filter, empty = none")
                for c in kaart.FILTERS
            ]
            + [
                search_param(),
                q(
                    "segment",
                    "Alleen plannen met woningen in dit segment; leeg = alle / only plans with homes in this segment",
                    {"type": "string", "enum": ["", *kaart.SEGMENTS]},
                ),
                q(
                    "bbox",
                    "Alleen plannen in west,zuid,oost,noord (graden, WGS84; de hoeken mogen in elke volgorde); leeg = "
                    "heel Nederland / only plans inside west,south,east,north (degrees; corners in any order)",
                    {"type": "string", "pattern": f"^(?:{kaart.BBOX})?$"},
                ),
            ],
            f"Boven punten_max plannen (metadata.yml; standaard {kaart.POINTS_MAX}) geen plannen maar aantallen per rastercel "
            "in `cellen`; vraag met `bbox` de plannen van een kleiner gebied. / Above punten_max matching plans: counts per "
            "grid cell in `cellen` instead; ask for a smaller area with `bbox`.",
        )
    }


def outlines_path() -> dict:
    geometry = {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"type": "string", "enum": ["Polygon", "MultiPolygon"]},
            "coordinates": {"type": "array"},
        },
    }
    feature = {
        "type": "object",
        "required": ["type", "id", "properties", "geometry"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": STRING,
            "properties": {
                "type": "object",
                "required": list(kaart.OUTLINE_FIELDS),
                "properties": {"plan_id": STRING, "naam": nullable(STRING)},
            },
            "geometry": geometry,
        },
    }
    answer = {
        "type": "object",
        "required": ["type", "features", "plangebieden", "afgekapt", "tolerantie", "decimalen"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": feature, "maxItems": kaart.OUTLINES_MAX},
            "plangebieden": {
                **INTEGER,
                "description": "Plangebieden in het gebied met deze filters / plan areas in the box",
            },
            "afgekapt": {
                **BOOLEAN,
                "description": "true: meer plangebieden dan dit antwoord bevat (de grootste staan erin) "
                "/ true: more areas than this answer holds (the largest are in it)",
            },
            "tolerantie": {**NUMBER, "description": "Vereenvoudiging in graden / simplification tolerance in degrees"},
            "decimalen": {**INTEGER, "description": "Decimalen van de coördinaten / decimals of the coordinates"},
        },
    }
    return {
        "/-/plangebieden.json": op(
            "plangebieden",
            "kaart / map",
            "De plangebieden van een kaartbeeld, vereenvoudigd / the plan areas of a map view, simplified",
            {
                "200": {
                    "description": "FeatureCollection (WGS84)",
                    "content": {"application/geo+json": {"schema": answer}},
                },
                "400": BAD_JSON,
            },
            [
                q(
                    "bbox",
                    "Het kaartbeeld west,zuid,oost,noord (graden, WGS84; de hoeken mogen in elke volgorde): de plangebieden "
                    "die erin liggen of het raken / the view west,south,east,north: the areas inside or touching it",
                    {"type": "string", "pattern": f"^(?:{kaart.BBOX})$"},
                    required=True,
                ),
                q(
                    "zoom",
                    "Zoomniveau van de kaart (0-24): vereenvoudigd tot een halve pixel daarop; leeg = het gebied als "
                    f"{kaart.OUTLINE_PIXELS} pixels breed / the map's zoom level: simplified to half a pixel at it",
                    {"type": "string", "pattern": f"^(?:{kaart.ZOOM})?$"},
                ),
            ]
            + [
                q(c, f"Filter: {c} is gelijk aan deze waarde; leeg = geen filter / filter, empty = none")
                for c in kaart.FILTERS
            ]
            + [
                search_param(),
                q(
                    "segment",
                    "Alleen plannen met woningen in dit segment; leeg = alle / only plans with homes in this segment",
                    {"type": "string", "enum": ["", *kaart.SEGMENTS]},
                ),
            ],
            f"Dezelfde filters als /-/kaartdata.json. Alleen openbare plannen. Hoogstens {kaart.OUTLINES_MAX} plangebieden "
            f"(plangebieden_max, metadata.yml) en ongeveer {kaart.OUTLINE_BYTES // 1000} kB JSON, de grootste eerst; "
            "`afgekapt` zegt of er meer waren. / The map data's filters; public plans only; at most "
            f"{kaart.OUTLINES_MAX} areas and about {kaart.OUTLINE_BYTES // 1000} kB, largest first; `afgekapt` says when "
            "there were more.",
        )
    }


def static_paths(files: list[str]) -> dict:
    file_param = {
        "name": "file",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": files},
        "description": "Bestandsnaam uit /downloads/index.json / file name from the manifest",
    }
    json_doc = {JSON: {"schema": {"type": "object"}}}
    missing = {"description": "Bestaat niet / not found", "content": ERROR_PAGE}
    index = {
        "type": "object",
        "required": ["files"],
        "properties": {
            "peildatum": nullable(STRING),
            "files": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": STRING,
                        "table": STRING,
                        "format": STRING,
                        "mediatype": STRING,
                        "rows": INTEGER,
                        "bytes": INTEGER,
                        "sha256": STRING,
                        "peildatum": nullable(STRING),
                    },
                },
            },
        },
    }
    return {
        "/downloads/{file}": op(
            "download",
            "downloads",
            "Volledige tabel als CSV, CSV voor Excel, JSON, XLSX of GeoJSON / full table download",
            {
                "200": {
                    "description": "Het bestand / the file",
                    "content": {
                        "text/csv": TEXT,
                        JSON: {"schema": {}},
                        "application/geo+json": {"schema": {"type": "object"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    },
                },
                "404": missing,
            },
            [file_param],
        ),
        "/downloads/index.json": op(
            "downloads_index",
            "downloads",
            "Lijst van downloads met rijen, bytes, sha256 en peildatum / download manifest",
            {"200": {"description": "Manifest", "content": {JSON: {"schema": index}}}},
        ),
        f"/{DB}.db": op(
            "database",
            "downloads",
            "De hele database (SQLite) / the whole database",
            {"200": {"description": "SQLite", "content": {"application/octet-stream": {}}}},
        ),
        "/datapackage.json": op(
            "datapackage",
            "metadata",
            "Frictionless Data Package",
            {"200": {"description": "Data package", "content": json_doc}},
        ),
        "/catalog.jsonld": op(
            "catalogus",
            "metadata",
            "DCAT-AP-catalogus (JSON-LD) / DCAT catalogue",
            {"200": {"description": "DCAT", "content": {"application/ld+json": {"schema": {"type": "object"}}}}},
        ),
        "/openapi.json": op(
            "openapi",
            "metadata",
            "Deze beschrijving (OpenAPI 3) / this description",
            {"200": {"description": "OpenAPI", "content": json_doc}},
        ),
    }


def spec(
    base: str, tables: list[dict], queries: list[tuple[str, dict, list[str], list]], files: list[str], limits: dict
) -> dict:
    """The whole OpenAPI document; pure, so it can be tested without a server."""
    paths, components = {}, {"schemas": {"Fout": ERROR_SCHEMA, "Facet": FACET}}
    for t in tables:
        paths.update(table_paths(t, limits["max_returned_rows"], components))
    for name, query, params, columns in queries:
        paths.update(query_paths(name, query, params, columns, components))
    paths.update(sql_path(limits))
    plannen = next((dict(t["columns"]) for t in tables if t["name"] == kaart.TABLE), {})
    paths.update(map_path(plannen))
    paths.update(outlines_path())
    paths.update(static_paths(files))
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Woningbouwplannen API",
            "version": VERSION,
            "description": (
                "De JSON-API van Datasette over de database woningbouwplannen. Alles is openbaar (CC0 1.0), zonder "
                f"sleutel, met CORS. Hoogstens {limits['max_returned_rows']} rijen per pagina; een query mag "
                f"{limits['sql_time_limit_ms']} ms duren (eigen SQL {limits['own_sql_time_limit_ms']} ms). Volg next_url "
                "om te pagineren. Een ongeldige parameter geeft 400 met een melding die hem noemt. / Datasette's JSON API "
                "over the woningbouwplannen database: open (CC0 1.0), no key, CORS; follow next_url to page; an invalid "
                "parameter is a 400 naming it."
            ),
            "license": {"name": "CC0-1.0 (data)", "url": "https://creativecommons.org/publicdomain/zero/1.0/"},
        },
        "servers": [{"url": base}],
        "externalDocs": {"url": f"{base}/voor-ontwikkelaars", "description": "Voor ontwikkelaars / for developers"},
        "paths": paths,
        "components": components,
    }


def download_files(datasette) -> list[str]:
    directory = datasette_seam.static_mount(datasette, DOWNLOADS_DIR)
    if directory is None:
        return []
    try:
        index = json.loads((directory / "index.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [f["file"] for f in index.get("files", [])] + ["datapackage.json"]


async def describe_tables(datasette) -> list[dict]:
    db = datasette.get_database(DB)
    hidden = set(await db.hidden_table_names())
    out = []
    for table in await db.table_names():
        if table in hidden:
            continue
        details = await db.table_column_details(table)
        pks = [c.name for c in sorted((c for c in details if c.is_pk), key=lambda c: c.is_pk)]
        descriptions = datasette_seam.table_metadata(datasette, DB, table).get("columns") or {}
        rowid_alias = len(pks) == 1 and any(c.name == pks[0] and c.type.upper() == "INTEGER" for c in details)
        columns = [] if pks else [("rowid", INTEGER)]
        for c in details:
            schema = column_schema(c.type, bool(c.notnull) or (rowid_alias and c.is_pk))
            if descriptions.get(c.name):
                schema = {**schema, "description": descriptions[c.name]}
            columns.append((c.name, schema))
        meta = datasette_seam.table_metadata(datasette, DB, table)
        sortable = meta.get("sortable_columns") or [c.name for c in details] + ([] if pks else ["rowid"])
        example = None
        if pks:  # a key that exists, so a client (and schemathesis) can try a row that is there
            first = await db.execute(
                f"select {', '.join(escape_sqlite(p) for p in pks)} from {escape_sqlite(table)} "
                f"order by {', '.join(escape_sqlite(p) for p in pks)} limit 1"
            )
            example = ",".join(tilde_encode(str(v)) for v in first.rows[0]) if first.rows else None
        out.append(
            {
                "name": table,
                "columns": columns,
                "pks": pks,
                "sortable": sortable,
                "example_key": example,
                "fts": bool(await db.fts_table(table)),
                "geo": geo.can_render_geojson([c for c, _ in columns]),
            }
        )
    return out


def result_columns(conn, sql: str, params: list[str]) -> list[tuple[str, dict]] | None:
    """A canned query's result columns and their types, as SQLite declares them for a view of the query
    (a column taken straight from a table keeps its type; an expression has none). Every one nullable:
    an outer join or an aggregate over nothing gives NULL."""
    for p in params:  # a view cannot hold parameters; NULL stands in, only the columns are read
        sql = re.sub(rf"(?<![\w:]):{re.escape(p)}\b", "NULL", sql)
    try:
        conn.execute(f"create temp view openapi_result as {sql}")
    except Exception:  # noqa: BLE001 - a query SQLite cannot describe is described untyped
        return None
    try:
        return [(r[1], column_schema(r[2])) for r in conn.execute("pragma temp.table_info(openapi_result)")]
    finally:
        conn.execute("drop view temp.openapi_result")


async def describe_queries(datasette) -> list[tuple[str, dict, list[str], list | None]]:
    db = datasette.get_database(DB)
    cache = datasette_seam.cache(datasette, "openapi_query_columns")  # the database is immutable while served
    out = []
    for name, query in (await datasette.get_canned_queries(DB, None)).items():
        params = list(dict.fromkeys(query.get("params") or await derive_named_parameters(db, query["sql"])))
        if query["sql"] not in cache:
            cache[query["sql"]] = await db.execute_fn(lambda conn: result_columns(conn, query["sql"], params))
        out.append((name, query, params, cache[query["sql"]]))
    return out


async def openapi(datasette, request):
    if DB not in datasette.databases:
        return Response.json({"error": "database not found"}, status=404)
    lane = datasette.plugin_config("sql-guard") or {}
    limits = {k: datasette.setting(k) for k in ("max_returned_rows", "sql_time_limit_ms")}
    limits["own_sql_time_limit_ms"] = int(lane.get("time_limit_ms", guard.ARBITRARY_SQL_MS))
    base = site.base_url(datasette.plugin_config(site.PLUGIN))  # configured, never the request's Host
    body = spec(
        base, await describe_tables(datasette), await describe_queries(datasette), download_files(datasette), limits
    )
    return Response.json(body, headers={"Access-Control-Allow-Origin": "*"})


@hookimpl
def register_routes():
    return [(r"^/openapi\.json$", openapi)]
