"""Client mistakes get a 4xx, not a 500: found by schemathesis against /openapi.json (tests/test_openapi.py).

Datasette 0.65 answers a few bad requests with "500 Internal Server Error", which a cache, a
monitor or a client retry loop takes for an outage:
- `_sort` and `_sort_desc` together, or `_sort` on a column that cannot be sorted
  (a DatasetteError without a status, so 500) -> 400 with the same message;
- a row URL with fewer key values than a table's composite primary key
  (/plan_historie/P-1.json: "You did not supply a value for binding parameter :p1") -> 404.
The rendering stays Datasette's own (JSON or the error page).
"""
from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_error_page
from datasette.utils.asgi import NotFound
from datasette.views.base import DatasetteError

CLIENT_ERRORS = ("Cannot use _sort and _sort_desc at the same time", "Cannot sort table by ")


def is_client_error(exception: Exception) -> bool:
    return isinstance(exception, DatasetteError) and exception.status == 500 and \
        str(exception.message).startswith(CLIENT_ERRORS)


def is_short_row_key(exception: Exception, url_vars: dict) -> bool:
    return isinstance(exception, sqlite3.ProgrammingError) and "pks" in url_vars and \
        "You did not supply a value for binding parameter" in str(exception)


@hookimpl
def handle_exception(datasette, request, exception):
    if is_client_error(exception):
        exception.status = 400
        return None  # Datasette's handler renders it, now with 400
    if is_short_row_key(exception, request.url_vars or {}):
        return datasette_error_page(datasette, request, NotFound("Record not found"))
    return None
