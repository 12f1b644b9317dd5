"""Client mistakes get a 400 (or 404) that names the parameter: never a 500, never a 200 with an error inside.

Datasette 0.65 answers some malformed parameters with a 500 (`_facet={`, `_facet={}`, `naam__in=[`,
`woningen__gt=²`, `_ttl=²`, `_json_infinity=x`, `_through=x`), ignores others (`_facet_foo=`,
`naam__nope=`), and answers `_shape=object` or a bad `_shape` on a canned query with HTTP 200 and
{"ok": false, ...}. Found with schemathesis against /openapi.json (tests/test_openapi.py) and by hand
(tests/test_bad_parameters.py). So before a table, row, query or database view runs,
`parameter_problem` checks what Datasette would trip over or silently drop:

- every view: no NUL in a parameter's name or in a Datasette parameter (`_...`: SQLite refuses it in
  SQL text, a 500); `_ttl` a whole number; `_json_infinity` on/off; `_stream` and `_dl` on (Datasette took
  any text, even off, as on); `_shape` (JSON) one of the shapes the view has (`object` only for rows
  with a primary key);
- tables: `_size` a whole number from 0 to max_returned_rows or `max` (an empty `_size=` too); at most
  one of `_sort` and `_sort_desc`, empty or a sortable column; `_sort_by_desc` on; `_facet`, `_facet_date`, `_facet_array` a column of the table, or a
  JSON object {"simple": column}; `_facet_size` a whole number or max; a filter's operator
  (`kolom__op`) one Datasette has, a number for the numeric ones, `__in`/`__notin` as a JSON list of
  values; `_through` a JSON object {table, column, value}; `_next` with as many parts as the table's
  key (plus the sort value); `_labels` on/off; `_searchmode` raw or escaped.
A problem raises Datasette's BadRequest: Datasette's own JSON error, or the portal's error page
(plugins/error_pages.py), status 400, the message naming the parameter (Dutch / English).

After the fact (handle_exception), answered as the handlers answer a 400 or 404 (so a page is the portal's):
- DatasetteErrors without a status that are client mistakes (`_through` without a foreign key) -> 400
  with the same message;
- a row URL with fewer key values than a composite primary key -> 404;
- a parameter (`:naam`, `?`) in a visitor's `_where` -> 400;
- a visitor's `_where` that builds a value past SQLite's length limit (sqlite3.DataError) -> 400.

Datasette internals (DataView.get, which every table, row, query and database view goes through, the
Filters' operators, the facet types, the handle_exception chain) are reached through
portal/datasette_seam.py, which refuses to load on another Datasette version rather than check the
wrong thing.
"""

from __future__ import annotations

import json
import re
import sqlite3

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.utils.asgi import BadRequest, NotFound

from portal import datasette_seam

SHAPES = ("arrays", "objects", "array", "arrayfirst")  # plus "object" where rows have a primary key
BOOLEAN = ("on", "off", "true", "false", "1", "0")  # datasette.utils.value_as_boolean
WHOLE = re.compile(r"[0-9]+")  # ASCII digits: str.isdigit() admits '²', which int() refuses (a 500)
LOOKUPS = datasette_seam.filter_lookups()
NUMERIC_LOOKUPS = datasette_seam.numeric_filter_lookups()
INT64 = 2**63
SEARCHMODES = ("raw", "escaped")


def is_client_error(exception: Exception) -> bool:
    parts = datasette_seam.error_parts(exception)
    return parts is not None and parts[0] == 500 and parts[1].startswith(datasette_seam.MISREPORTED_CLIENT_ERRORS)


def is_short_row_key(exception: Exception, url_vars: dict) -> bool:
    return (
        isinstance(exception, sqlite3.ProgrammingError)
        and "pks" in url_vars
        and "You did not supply a value for binding parameter" in str(exception)
    )


def bindable(value) -> bool:
    """A value SQLite can take as a parameter (a JSON list item of __in)."""
    if isinstance(value, bool) or value is None or isinstance(value, (str, float)):
        return True
    return isinstance(value, int) and -INT64 <= value < INT64


def common_problem(args, fmt: str | None, shapes: tuple[str, ...]) -> str | None:
    for key in args.keys():
        # a name (a filter's column) or a Datasette parameter goes into the SQL text, where SQLite refuses a NUL (a 500)
        if "\x00" in key or key.startswith("_") and any("\x00" in v for v in args.getlist(key)):
            return f"{key!r}: geen NUL-teken in een parameter / no NUL character in a parameter"
    ttl = args.get("_ttl")
    if ttl is not None and not WHOLE.fullmatch(ttl):
        return f"_ttl={ttl}: een geheel aantal seconden / a whole number of seconds"
    infinity = args.get("_json_infinity")
    if infinity is not None and infinity.lower() not in BOOLEAN:
        return f"_json_infinity={infinity}: on of off / on or off"
    for flag in ("_stream", "_dl"):  # checkboxes of the CSV form: "on"; Datasette took any text, even off, as on
        if args.get(flag) not in (None, "on"):
            return f"{flag}={args.get(flag)}: alleen {flag}=on / only {flag}=on"
    shape = args.get("_shape")
    if fmt == "json" and shape is not None and shape not in shapes:
        return f"_shape={shape}: kies {', '.join(shapes)} / choose one of these"
    return None


def facet_problem(key: str, value: str, table: str, columns: list[str], types: set[str]) -> str | None:
    if key == "_facet_size":
        return (
            None
            if value == "max" or WHOLE.fullmatch(value)
            else f"_facet_size={value}: een geheel getal of max / a whole number or max"
        )
    kind = "column" if key == "_facet" else key[len("_facet_") :] if key.startswith("_facet_") else None
    if kind not in types:
        names = ", ".join(["_facet"] + [f"_facet_{t}" for t in sorted(types - {"column"})])
        return f"{key}: onbekende facetsoort; kies {names} / unknown kind of facet"
    column = value
    if value.startswith("{"):
        try:
            config = json.loads(value)
        except ValueError:
            config = None
        if not (
            isinstance(config, dict)
            and isinstance(config.get("simple"), str)
            and isinstance(config.get("column", ""), str)
        ):
            return (
                f'{key}={value}: een kolomnaam of JSON als {{"simple": "kolom"}} / a column name or JSON '
                'such as {"simple": "column"}'
            )
        column = config.get("column") or config["simple"]
    if column not in columns:
        return f"{key}={value}: {column!r} is geen kolom van {table} / is not a column of {table}"
    return None


def filter_problem(key: str, value: str) -> str | None:
    lookup = key.rsplit("__", 1)[1]
    if lookup not in LOOKUPS:
        return f"{key}: onbekende filter __{lookup}; kies {', '.join(sorted(LOOKUPS))} / unknown filter"
    if lookup in NUMERIC_LOOKUPS and value.isdigit() and not (WHOLE.fullmatch(value) and int(value) < INT64):
        return f"{key}={value}: geen getal dat de database kent / not a number the database can compare"
    if lookup in ("in", "notin") and value.startswith("["):
        try:
            values = json.loads(value)
        except ValueError:
            values = None
        if not (isinstance(values, list) and all(bindable(v) for v in values)):
            return (
                f"{key}={value}: een JSON-lijst van waarden, of waarden met komma's / a JSON list of values, or a,b,c"
            )
    return None


def through_problem(value: str) -> str | None:
    try:
        through = json.loads(value)
    except ValueError:
        through = None
    if not (
        isinstance(through, dict)
        and isinstance(through.get("table"), str)
        and isinstance(through.get("column"), str)
        and "value" in through
        and bindable(through["value"])
    ):
        return (
            f'_through={value}: JSON als {{"table": ..., "column": ..., "value": ...}} / JSON such as '
            '{"table": ..., "column": ..., "value": ...}'
        )
    return None


def table_problem(
    args, table: str, columns: list[str], pks: list[str], is_view: bool, meta: dict, max_rows: int
) -> str | None:
    """What is wrong with a table view's parameters (None when nothing is); pure but for the facet types."""
    size = args.get("_size")
    if size is not None and not (size == "max" or WHOLE.fullmatch(size) and int(size) <= max_rows):
        return f"_size={size}: een geheel getal van 0 tot en met {max_rows}, of max / a whole number from 0 to {max_rows}, or max"
    if "_sort" in args and "_sort_desc" in args:
        return "_sort en _sort_desc: gebruik er één / use one of them, not both"
    # checked here too, not only by Datasette: its error has no status, so the page would not be the portal's
    sortable = set(meta.get("sortable_columns") or columns) | (set() if pks or is_view else {"rowid"})
    for key in ("_sort", "_sort_desc"):
        if args.get(key) and args.get(key) not in sortable:
            return f"{key}={args.get(key)}: geen kolom om op te sorteren / not a sortable column of {table}"
    types = None
    for key in args.keys():
        values = args.getlist(key)
        if key.startswith("_facet"):
            types = types or datasette_seam.facet_types()
            why = next(filter(None, (facet_problem(key, v, table, columns, types) for v in values)), None)
        elif key == "_through":
            why = next(filter(None, map(through_problem, values)), None)
        elif key == "_sort_by_desc":  # the table form's checkbox
            why = next((f"_sort_by_desc={v}: alleen on / only on" for v in values if v != "on"), None)
        elif key == "_labels":
            why = next((f"_labels={v}: on of off / on or off" for v in values if v.lower() not in BOOLEAN), None)
        elif key == "_searchmode":
            why = next(
                (f"_searchmode={v}: raw of escaped / raw or escaped" for v in values if v not in SEARCHMODES), None
            )
        elif "__" in key:  # a filter (Datasette treats _x__op as one too)
            why = next(filter(None, (filter_problem(key, v) for v in values)), None)
        else:
            why = None
        if why:
            return why
    token = args.get("_next")
    if token and not is_view:
        # Datasette's rule: an empty _sort= falls back to the table's default order from metadata
        sorted_ = bool(args.get("_sort") or args.get("_sort_desc") or meta.get("sort") or meta.get("sort_desc"))
        if len(token.split(",")) != int(sorted_) + max(len(pks), 1):
            return f"_next={token}: geen vervolgtoken van deze tabel; volg next_url / not a paging token of this table"
    return None


async def parameter_problem(datasette, view_name: str, request) -> str | None:
    url_vars = request.url_vars or {}
    fmt = url_vars.get("format")
    try:
        db = datasette.get_database(route=tilde_decode(url_vars["database"]))
    except KeyError:
        return None  # Datasette answers 404
    args = request.args
    if view_name == "database":
        if args.get("sql"):
            return common_problem(args, fmt, SHAPES)
        # the database's own description has no rows to shape
        return common_problem(args, fmt, ("objects", "arrays"))
    table = tilde_decode(url_vars.get("table", ""))
    if view_name == "table" and await datasette.get_canned_query(db.name, table, request.actor):
        return common_problem(args, fmt, SHAPES)
    info = await table_info(datasette, db, table)
    if info is None:
        return None  # Datasette answers 404
    is_view, pks, columns = info
    why = common_problem(args, fmt, SHAPES + (("object",) if pks else ()))
    if why or view_name != "table":
        return why
    return table_problem(
        args,
        table,
        columns,
        pks,
        is_view,
        datasette_seam.table_metadata(datasette, db.name, table),
        datasette.setting("max_returned_rows"),
    )


async def table_info(datasette, db, table: str):
    """(is a view, primary keys, columns) of a table or view, None if there is none; kept for an immutable
    database (every request asks: four queries would double the time of a small JSON answer)."""
    cache = datasette_seam.cache(datasette, "api_errors_tables")
    key = (db.name, table)
    if key not in cache:
        is_view = table in await db.view_names()
        if not is_view and not await db.table_exists(table):
            info = None
        else:
            info = (is_view, [] if is_view else await db.primary_keys(table), await db.table_columns(table))
        if db.is_mutable:
            return info
        cache[key] = info
    return cache[key]


@hookimpl
def startup(datasette):
    datasette_seam.check_data_requests(parameter_problem)


@hookimpl(tryfirst=True)
def handle_exception(datasette, request, exception):
    if is_client_error(exception):
        return datasette_seam.render_error(datasette, request, BadRequest(datasette_seam.error_parts(exception)[1]))
    if is_short_row_key(exception, request.url_vars or {}):
        return datasette_seam.render_error(datasette, request, NotFound("Record not found"))
    if isinstance(exception, sqlite3.ProgrammingError) and "_where" in request.args:
        # a parameter (:naam, ?) in the visitor's own condition: there is nothing to bind it to
        why = f"_where: {exception} / parameters cannot be used in _where"
        return datasette_seam.render_error(datasette, request, BadRequest(why))
    if isinstance(exception, sqlite3.DataError) and "_where" in request.args:
        # the visitor's condition built a value past SQLite's length limit (plugins/sqlite_tuning.py)
        why = f"_where: {exception} / the condition builds a value larger than this portal allows"
        return datasette_seam.render_error(datasette, request, BadRequest(why))
    return None
