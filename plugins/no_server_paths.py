"""No server paths in public answers: /-/databases.json without the file's path on this machine.

Datasette 0.65 lists each database with its path (`/srv/.../woningbouwplannen.db`); that says
nothing a visitor needs and tells an attacker where things are. This route answers first (plugin
routes precede Datasette's own) with the same list minus the path. Visitors' SQL cannot ask SQLite
for it either (pragma_database_list is refused by plugins/sql_guard.py).
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response


async def databases(datasette):
    return Response.json(
        [
            {"name": name, "route": db.route, "is_mutable": db.is_mutable, "is_memory": db.is_memory, "hash": db.hash}
            for name, db in datasette.databases.items()
            if name != "_internal"
        ]
    )


@hookimpl
def register_routes():
    return [(r"^/-/databases(\.json)?$", databases)]
