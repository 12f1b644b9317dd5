"""The HTML table page of `plannen` shows the columns a person reads first; the rest is one click away.

A plan row has 39 columns; 50 of them on a page made a 270 KB page, and rendering the cells was
two thirds of the page's time (profiled, bench/). A table's `default_columns` in metadata.yml is
what its HTML page selects when the visitor chose no columns (`_col`) of their own; hiding one
(`_nocol`, the column menu) hides it from that set. `?_kolommen=alle` shows every column, and the
JSON, CSV and other downloads always carry every column, so nothing is out of reach.

Datasette 0.65 has no setting for this; the choice goes in through portal/datasette_seam.py
(choose_table_columns: the one method where the table view picks its columns).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_decode

from portal import datasette_seam
from portal.datasette_seam import path_with_added_args

ALL_COLUMNS_ARG = "_kolommen"  # ?_kolommen=alle; underscore arguments are not filters in Datasette


def default_columns(datasette, request) -> list[str] | None:
    """The table's default column set for this request, or None when every column is wanted."""
    if request.url_vars.get("format") or "_col" in request.args or request.args.get(ALL_COLUMNS_ARG) == "alle":
        return None
    database = tilde_decode(request.url_vars.get("database", ""))
    table = tilde_decode(request.url_vars.get("table", ""))
    return datasette_seam.table_metadata(datasette, database, table).get("default_columns")


def columns_to_select(datasette, request, table_columns: list[str], pks: list[str]) -> list[str] | None:
    """The default columns of this table view, or None for Datasette's own choice."""
    chosen = default_columns(datasette, request)
    if not chosen:
        return None
    hidden = set(request.args.getlist("_nocol"))
    if hidden - set(table_columns) or hidden & set(pks):
        return None  # Datasette's 400 for a bad _nocol
    # the key first, as Datasette does for _col; a column missing from this table is left out
    return list(dict.fromkeys([*pks, *(c for c in chosen if c in table_columns and c not in hidden)]))


@hookimpl
def extra_template_vars(datasette, request, view_name):
    """On a table page showing its default columns: the address of the same view with every column."""
    if view_name != "table" or request is None or not default_columns(datasette, request):
        return {}

    async def inner():
        database = datasette.get_database(route=tilde_decode(request.url_vars["database"]))
        columns = await database.table_columns(tilde_decode(request.url_vars["table"]))
        return {
            "alle_kolommen_url": path_with_added_args(request, {ALL_COLUMNS_ARG: "alle"}),
            "kolommen_totaal": len(columns),
        }

    return inner


@hookimpl
def startup(datasette):
    datasette_seam.choose_table_columns(columns_to_select)
