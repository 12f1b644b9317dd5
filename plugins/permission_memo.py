"""Table permission rules looked up once per table, not on every request.

Datasette 0.65.5 rebuilds the `allow` rules of a table from a deep copy of the whole metadata
on every visibility check; our metadata (bilingual descriptions of every column) made that
about 20 ms of each home-page request (one check per table). The rules come from
metadata.yml, which does not change while the app runs, and no plugin here supplies
metadata, so the answer per (database, table) is fixed: we keep it. Pinned to 0.65.x.
"""
from datasette import __version__, hookimpl
from datasette.app import Datasette


def install():
    original = Datasette._table_permission_allows
    if getattr(original, "_memo", False):
        return

    def allows(self, database, table):
        memo = self.__dict__.setdefault("_table_allows_memo", {})
        key = (database, table)
        if key not in memo:
            memo[key] = original(self, database, table)
        # a fresh list each time, so no caller can change the kept rules
        return [dict(rule) if isinstance(rule, dict) else rule for rule in memo[key]]

    allows._memo = True
    Datasette._table_permission_allows = allows


@hookimpl
def startup(datasette):
    if __version__.startswith("0.65.") and hasattr(Datasette, "_table_permission_allows"):
        install()
