"""Stable paging of sorted tables: every page ordered by the sort column plus the primary key.

Datasette 0.65 adds the primary-key tie-breaker to ORDER BY only from the second page on
(when `_next` is set). Rows with equal sort values around the end of the first page are
then repeated or skipped: a CSV stream sorted by start_bouw gave 3,471 rows for 3,263
plans. The first page of a sorted table (JSON, CSV stream and HTML alike) gets the same
`order by <sort>, <pk>` as the later ones, so one index ((woningen desc, plan_id) for the
default sort) serves every page without a filter on the first. An earlier version gave the
first page a start token instead; its OR condition cost the first page its index (85 ms
instead of 0.7 ms at 30k plans, bench/).

Datasette builds the SQL inside its table view with no hook, so the rewrite goes in through
portal/datasette_seam.py (rewrite_table_sql: TableView.data and Database.execute, pinned to the
Datasette version they were read in).
"""

from __future__ import annotations

from functools import partial

from datasette import hookimpl
from datasette.utils import tilde_decode

from portal import datasette_seam
from portal.datasette_seam import escape_sqlite


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
        meta = datasette_seam.table_metadata(datasette, database.name, table)
        sort, sort_desc = meta.get("sort"), meta.get("sort_desc")
    if not sort and not sort_desc or (sort and sort_desc):
        return None  # unsorted (ordered by the key already) or refused by Datasette
    pks = await database.primary_keys(table) or ["rowid"]
    column = escape_sqlite(sort_desc) + " desc" if sort_desc else escape_sqlite(sort)
    tiebreak = ", ".join(escape_sqlite(pk) if pk != "rowid" else pk for pk in pks)
    return f"order by {column} limit ", f"order by {column}, {tiebreak} limit "


async def first_page_rewrite(datasette, request):
    order = await first_page_order(datasette, request)
    return partial(with_tiebreak, order=order) if order else None


@hookimpl
def startup(datasette):
    datasette_seam.rewrite_table_sql(first_page_rewrite)
