"""Table permission rules looked up once per table, not on every request.

Datasette 0.65.5 rebuilds the `allow` rules of a table from a deep copy of the whole metadata
on every visibility check; our metadata (bilingual descriptions of every column) made that
about 20 ms of each home-page request (one check per table). The rules come from
metadata.yml, which does not change while the app runs, and no plugin here supplies
metadata, so the answer per (database, table) is fixed: we keep it. The internal it replaces is
reached through portal/datasette_seam.py, which refuses to load on another Datasette version.
"""

from datasette import hookimpl

from portal import datasette_seam


@hookimpl
def startup(datasette):
    datasette_seam.remember_table_permissions()
