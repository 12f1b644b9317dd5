"""Stable paging of sorted tables: every page ordered by the sort column plus the primary key.

Datasette 0.65 adds the primary-key tie-breaker to ORDER BY only from the second page on
(when `_next` is set). Rows with equal sort values around the end of the first page are
then repeated or skipped: a CSV stream sorted by start_bouw gave 3,471 rows for 3,263
plans. The first page of a sorted table (JSON, CSV stream and HTML alike) gets the same
`order by <sort>, <pk>` as the later ones, so one index ((woningen desc, plan_id) for the
default sort) serves every page without a filter on the first. An earlier version gave the
first page a start token instead; its OR condition cost the first page its index (85 ms
instead of 0.7 ms at 30k plans, bench/).

Datasette builds the SQL inside TableView.data with no hook, so this wraps TableView.data
(to know the request's sort) and Database.execute (to add the tie-breaker to that one
statement). Pinned to 0.65.x, where both have these signatures; startup fails on another.
"""
from __future__ import annotations

from contextvars import ContextVar

from datasette import __version__, hookimpl
from datasette.database import Database
from datasette.utils import escape_sqlite, tilde_decode
from datasette.views.table import TableView

# (what Datasette writes, what we write instead) for the table request being answered
_ORDER: ContextVar[tuple[str, str] | None] = ContextVar("stable_sort_order", default=None)


def with_tiebreak(sql: str, order: tuple[str, str] | None) -> str:
    if not order or order[0] not in sql:
        return sql
    return sql.replace(order[0], order[1], 1)


async def first_page_order(datasette, request) -> tuple[str, str] | None:
    """The ORDER BY text of a sorted table's first page and the same with the primary key after it."""
    if request.args.get("_next") or "table" not in request.url_vars:
        return None  # later pages already have the tie-breaker
    database = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
    table = tilde_decode(request.url_vars["table"])
    if not await database.table_exists(table):
        return None  # views page by offset
    sort, sort_desc = request.args.get("_sort"), request.args.get("_sort_desc")
    if not sort and not sort_desc:
        meta = datasette.table_metadata(database.name, table)
        sort, sort_desc = meta.get("sort"), meta.get("sort_desc")
    if not sort and not sort_desc or (sort and sort_desc):
        return None  # unsorted (ordered by the key already) or refused by Datasette
    pks = await database.primary_keys(table) or ["rowid"]
    column = escape_sqlite(sort_desc) + " desc" if sort_desc else escape_sqlite(sort)
    tiebreak = ", ".join(escape_sqlite(pk) if pk != "rowid" else pk for pk in pks)
    return f"order by {column} limit ", f"order by {column}, {tiebreak} limit "


def install():
    data, execute = TableView.data, Database.execute
    if getattr(data, "_stable_sort", False):
        return

    async def table_data(self, request, default_labels=False, _next=None, _size=None):
        order = None if _next else await first_page_order(self.ds, request)
        token = _ORDER.set(order)
        try:
            result = await data(self, request, default_labels, _next, _size)
        finally:
            _ORDER.reset(token)
        if order and isinstance(result, tuple) and isinstance(result[0], dict):
            query = result[0].get("query") or {}
            if "sql" in query:  # "View and edit SQL" shows what was run
                query["sql"] = with_tiebreak(query["sql"], order)
        return result

    async def database_execute(self, sql, *args, **kwargs):
        return await execute(self, with_tiebreak(sql, _ORDER.get()), *args, **kwargs)

    table_data._stable_sort = True
    TableView.data, Database.execute = table_data, database_execute


@hookimpl
def startup(datasette):
    if not __version__.startswith("0.65."):
        raise RuntimeError(f"plugins/stable_sort_paging.py is written for Datasette 0.65, not {__version__}")
    install()
