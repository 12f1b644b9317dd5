"""No server paths in public answers: /-/databases.json without the file's path on this machine,
/-/threads.json without its list of running tasks (each names a source file of the server).

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


async def threads():
    import asyncio
    import threading

    return Response.json(
        {
            "num_threads": threading.active_count(),
            "threads": [{"name": t.name, "daemon": t.daemon} for t in threading.enumerate()],
            "num_tasks": len(asyncio.all_tasks()),
        }
    )


@hookimpl
def register_routes():
    return [(r"^/-/databases(\.json)?$", databases), (r"^/-/threads(\.json)?$", threads)]
