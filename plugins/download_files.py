"""The pre-built downloads (/downloads/...) sent in 1 MiB chunks instead of 4 KiB, and only with their database.

Datasette's static mounts read files 4,096 bytes at a time, one thread hop per chunk: the
100 MB history CSV came out at about 20 MB/s. The same handler with a bigger chunk, for the
`downloads` mount only, does the same checks (no path outside the directory) at disk speed.
Plugin routes are matched before the static mounts, so this one answers first.

The database and the download set are switched one after the other at the end of a build; a build
killed in between leaves a new set beside the old database (or the reverse). Such a pair is not
served: the files answer 503 until a build completes (index.json records the database's sha256).
"""
import json
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response, asgi_static

from ingest.downloads import belongs_to

CHUNK = 1 << 20
DB = "woningbouwplannen"
OUT_OF_STEP = ("De downloads horen bij een andere versie van de database (een build werd onderbroken); ze zijn er "
               "weer na de volgende build. / The downloads belong to another version of the database.")


@hookimpl
def register_routes(datasette):
    directory = dict(datasette.static_mounts).get("downloads")
    if not directory:
        return []
    handler = asgi_static(directory, chunk_size=CHUNK)

    def in_step() -> bool:
        try:
            index = json.loads((Path(directory) / "index.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        db = datasette.databases.get(DB)
        return db is not None and belongs_to(index, db.hash)

    async def download(request, send):
        if not in_step():
            await Response.text(OUT_OF_STEP, status=503).asgi_send(send)
            return
        await handler(request, send)

    return [(r"^/downloads/(?P<path>.*)$", download)]
