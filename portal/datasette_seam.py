"""The one place the portal reaches into Datasette beyond its documented plugin API.

Every plugin in plugins/ that needs one of Datasette's internals calls a function here; none imports
datasette.views, datasette.app, datasette.database, datasette.handle_exception, datasette.filters or
datasette.plugins itself (tests/test_datasette_seam.py scans them). The internals are only right for
the version they were read in, so importing this module on any other Datasette raises SeamError:
every plugin imports it at load, so `datasette serve` refuses to start instead of quietly running
without (or with wrong) fixes. To move to another version: check each internal below against its
source, then change DATASETTE_VERSION, the pin in pyproject.toml and constraints.txt (`make lock`).

Why a package and not plugins/datasette_seam.py: Datasette runs every plugins/*.py with exec() as a
module of its own, outside sys.modules, once per Datasette() made; plugins could not import it, and its
state (what is installed, the caches) would be made anew for each app. `portal` is installed with the
project (pyproject.toml) and imported once, like any module.

Internals touched (Datasette 0.65.5), and why:
- TableView.data and Database.execute, wrapped (rewrite_table_sql; plugins/stable_sort_paging.py): the
  SQL of a table page is built inside TableView.data with no hook; the first page of a sorted table
  needs the primary key as tie-breaker in its ORDER BY.
- TableView.columns_to_select, wrapped (choose_table_columns; plugins/lean_columns.py): where the HTML
  table page picks its columns; no setting for a default column set.
- DataView.get, wrapped (check_data_requests; plugins/api_errors.py): every table, row, query and
  database view passes it, so malformed parameters get a 400 before Datasette trips over them.
- Datasette._table_permission_allows, memoised (remember_table_permissions; plugins/permission_memo.py):
  it deep-copies the whole metadata on every visibility check.
- datasette.handle_exception: its `rich` module set to None (quiet_error_printing;
  plugins/security_headers.py), and its handle_exception, the default error page (render_error).
- DatasetteError and Base400, the classes of Datasette's own errors (error_parts, is_datasette_error;
  plugins/error_pages.py, plugins/security_headers.py, plugins/api_errors.py), and Datasette's English
  text of the client mistakes it answers as a 500 (MISREPORTED_CLIENT_ERRORS). plugins/error_pages.py's
  DUTCH table is keyed by Datasette's English messages too.
- datasette.filters.Filters (filter_lookups, numeric_filter_lookups) and datasette.plugins.pm
  (facet_types, render_error): the filter operators and facet types Datasette accepts, and the chain of
  handle_exception hooks.
- Undocumented helpers of datasette.utils, re-exported: derive_named_parameters, escape_sqlite, escape_fts,
  path_with_added_args, sqlite_timelimit. Plugins import the documented ones directly: tilde_encode,
  tilde_decode, await_me_maybe, parse_metadata (what 0.65.5 marks @documented), and datasette.utils.asgi's
  Response, Request, NotFound, Forbidden, BadRequest.
- Datasette.static_mounts (static_mount; plugins/open_data.py, download_files.py, openapi.py): the
  folders `datasette --static name:dir` serves; no documented way to ask where /downloads/ points.
- templates/base.html, table.html, query.html, row.html, database.html, index.html and error.html replace
  Datasette's own, started from 0.65.5's, and use partials only Datasette has (_crumbs.html, _codemirror.html,
  _codemirror_foot.html, _close_open_menus.html) and its template variables: covered by the same pin.

Replaced by documented API (no internal left): the home page (plugins/home_page.py: a register_routes
view with render_template, was a subclass of IndexView), the download files (plugins/download_files.py:
its own ASGI sender, was asgi_send_file(chunk_size=)), table metadata (table_metadata: Datasette.metadata
with fallback=False), and caches kept on the Datasette object's __dict__ (cache()).
"""

from __future__ import annotations

from pathlib import Path

import datasette

DATASETTE_VERSION = "0.65.5"  # also pinned in pyproject.toml and constraints.txt


class SeamError(RuntimeError):
    """This Datasette is not the one the portal's use of its internals was written for."""


def check_version(version: str) -> None:
    if version != DATASETTE_VERSION:
        raise SeamError(
            f"portal/datasette_seam.py is written for Datasette {DATASETTE_VERSION}, but Datasette {version} is "
            f"installed. The portal's plugins use Datasette internals (listed in that module's docstring) that may "
            f"have changed: install the locked set (make install; pip install -c constraints.txt -e '.[test]'), or "
            f"check every listed internal against {version} and then change DATASETTE_VERSION, pyproject.toml and "
            f"constraints.txt (make lock)."
        )


check_version(datasette.__version__)  # before the internal imports: a moved module must not hide this message

# ruff: noqa: E402  (the internals are imported only once the version is known to be right)
import itertools
import weakref
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import datasette.handle_exception as _handle_exception_module
from datasette.app import Datasette
from datasette.database import Database
from datasette.filters import Filters
from datasette.plugins import pm
from datasette.utils import (
    await_me_maybe,
    derive_named_parameters,
    escape_fts,
    escape_sqlite,
    path_with_added_args,
    sqlite_timelimit,
)
from datasette.utils.asgi import BadRequest, Base400
from datasette.views.base import DatasetteError, DataView
from datasette.views.table import TableView

# undocumented helpers of datasette.utils the plugins use, reached through here
UNDOCUMENTED_HELPERS = (derive_named_parameters, escape_fts, escape_sqlite, path_with_added_args, sqlite_timelimit)

# Datasette's English messages of client mistakes that 0.65 raises as a DatasetteError with status 500
MISREPORTED_CLIENT_ERRORS = (
    "Cannot use _sort and _sort_desc at the same time",
    "Cannot sort table by ",
    "Invalid _through",
)


# --- caches -----------------------------------------------------------------------------------------

_CACHES: weakref.WeakKeyDictionary[Any, dict[str, Any]] = weakref.WeakKeyDictionary()


def cache(app, name: str, factory: Callable[[], Any] = dict):
    """The store `name` of this Datasette app, made by factory() on first use; gone with the app.

    For what is computed from the database or metadata once and kept while the app serves (the
    database is immutable while served). Kept here rather than on the Datasette object, so no plugin
    writes attributes onto it and each test app starts empty."""
    stores = _CACHES.setdefault(app, {})
    if name not in stores:
        stores[name] = factory()
    return stores[name]


def static_mount(app, name: str) -> Path | None:
    """The folder `datasette --static name:folder` serves under /name/, if it was given."""
    for mount, directory in app.static_mounts:
        if mount == name:
            return Path(directory)
    return None


# --- documented API, in one spelling -----------------------------------------------------------------


def table_metadata(app, database: str, table: str) -> dict:
    """metadata.yml's entry of one table (what the undocumented Datasette.table_metadata returns)."""
    return app.metadata(database=database, table=table, fallback=False) or {}


# --- table views ---------------------------------------------------------------------------------------

SqlRewrite = Callable[[str], str]
_TABLE_SQL: ContextVar[SqlRewrite | None] = ContextVar("portal_table_sql_rewrite", default=None)
_table_sql_rewriter: list[Callable[[Any, Any], Awaitable[SqlRewrite | None]]] = []


def rewrite_table_sql(rewriter: Callable[[Any, Any], Awaitable[SqlRewrite | None]]) -> None:
    """Let `await rewriter(datasette, request)` rewrite the SQL a table view runs for a first page.

    Asked once per table view that is not a continuation (Datasette's internal _next); the function it
    returns (or None: no change) is applied to every statement the view runs and to the SQL the page
    shows. One rewriter; registering again replaces it (plugins are loaded once per Datasette app)."""
    _table_sql_rewriter[:] = [rewriter]
    data, execute = TableView.data, Database.execute
    if getattr(data, "_portal_seam", False):
        return

    async def table_data(self, request, default_labels=False, _next=None, _size=None):
        rewrite = None if _next or not _table_sql_rewriter else await _table_sql_rewriter[0](self.ds, request)
        token = _TABLE_SQL.set(rewrite)
        try:
            result = await data(self, request, default_labels, _next, _size)
        finally:
            _TABLE_SQL.reset(token)
        if rewrite and isinstance(result, tuple) and isinstance(result[0], dict):
            query = result[0].get("query") or {}
            if "sql" in query:  # "View and edit SQL" shows what was run
                query["sql"] = rewrite(query["sql"])
        return result

    async def database_execute(self, sql, *args, **kwargs):
        rewrite = _TABLE_SQL.get()
        return await execute(self, rewrite(sql) if rewrite else sql, *args, **kwargs)

    table_data._portal_seam = database_execute._portal_seam = True
    TableView.data, Database.execute = table_data, database_execute


_column_chooser: list[Callable] = []


def choose_table_columns(chooser: Callable[[Any, Any, list[str], list[str]], list[str] | None]) -> None:
    """Let chooser(datasette, request, table_columns, pks) pick a table view's columns; None: Datasette's choice."""
    _column_chooser[:] = [chooser]
    original = TableView.columns_to_select
    if getattr(original, "_portal_seam", False):
        return

    async def columns_to_select(self, table_columns, pks, request):
        chosen = _column_chooser[0](self.ds, request, table_columns, pks) if _column_chooser else None
        return chosen if chosen is not None else await original(self, table_columns, pks, request)

    columns_to_select._portal_seam = True
    TableView.columns_to_select = columns_to_select


# --- requests to the data views --------------------------------------------------------------------------

_request_checker: list[Callable] = []


def check_data_requests(checker: Callable[[Any, str, Any], Awaitable[str | None]]) -> None:
    """Before a table, row, query or database view runs: `await checker(datasette, view_name, request)`;
    a message it returns is answered as Datasette's 400 (BadRequest) with that message."""
    _request_checker[:] = [checker]
    original = DataView.get
    if getattr(original, "_portal_seam", False):
        return

    async def get(self, request):
        why = await _request_checker[0](self.ds, self.name, request) if _request_checker else None
        if why:
            raise BadRequest(why)
        return await original(self, request)

    get._portal_seam = True
    DataView.get = get


def filter_lookups() -> set[str]:
    """The operators of Datasette's column filters (kolom__op)."""
    return {key for key, _, _ in Filters([]).lookups()}


def numeric_filter_lookups() -> set[str]:
    return {f.key for f in Filters._filters if getattr(f, "numeric", False)}


_FACET_TYPES: set[str] = set()


def facet_types() -> set[str]:
    """The facet types (column, date, array, plugins' own); registered by plugins at load, so asked once."""
    if not _FACET_TYPES:
        _FACET_TYPES.update(klass.type for klass in itertools.chain.from_iterable(pm.hook.register_facet_classes()))
    return _FACET_TYPES


# --- permissions -------------------------------------------------------------------------------------------


def remember_table_permissions() -> None:
    """Datasette's `allow` rules of a table, looked up once per (database, table) and app.

    Only right while nothing changes the rules at run time: they come from metadata.yml and no plugin
    here supplies metadata."""
    original = Datasette._table_permission_allows
    if getattr(original, "_portal_seam", False):
        return

    def allows(self, database, table):
        memo = cache(self, "table_permission_allows")
        key = (database, table)
        if key not in memo:
            memo[key] = original(self, database, table)
        # a fresh list each time, so no caller can change the kept rules
        return [dict(rule) if isinstance(rule, dict) else rule for rule in memo[key]]

    allows._portal_seam = True
    Datasette._table_permission_allows = allows


# --- errors ------------------------------------------------------------------------------------------------


def quiet_error_printing() -> None:
    """Datasette prints every error with rich, locals included, when rich is importable: not here."""
    _handle_exception_module.rich = None


def is_datasette_error(exception: BaseException) -> bool:
    """One of Datasette's own errors (a 4xx, or a DatasetteError, whose message is written for users)."""
    return isinstance(exception, (Base400, DatasetteError))


def error_parts(exception: BaseException) -> tuple[int, str, str | None] | None:
    """(status, message, title) of one of Datasette's own errors; None for any other exception."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0] if exception.args else ""), None
    if isinstance(exception, DatasetteError):
        return exception.status, str(exception.message), exception.title
    return None


def render_error(app, request, exception: BaseException):
    """The answer the handle_exception hooks (the portal's and Datasette's default) give `exception`;
    a handle_exception hook returns this to answer one exception as if it were another."""

    async def inner():
        for candidate in pm.hook.handle_exception(datasette=app, request=request, exception=exception):
            response = await await_me_maybe(candidate)
            if response is not None:
                return response
        return _handle_exception_module.handle_exception(app, request, exception)

    return inner
