"""The pre-built downloads: the newest set at /downloads/<file>, every release at /downloads/<peildatum>/<file>.

Datasette's static mounts read files 4,096 bytes at a time, one thread hop per chunk: the
100 MB history CSV came out at about 20 MB/s. These routes (register_routes, sending through the
ASGI `send` they are given) read and send 1 MiB chunks, with the media
type each file has in its index.json, and only files that index lists (plus index.json and
datapackage.json themselves). Plugin routes are matched before the static mounts, so these answer first.

The database and the newest set are switched one after the other at the end of a build; a build
killed in between leaves a new set beside the old database (or the reverse). Such a pair is not
served: the files answer 503 until a build completes (index.json records the database's sha256).

An archived set (ingest/release_archive.py) never changes: it is served whatever database runs, its
URLs are cached as immutable (plugins/cache_headers.py), and /downloads lists every one of them.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from ingest import release_archive
from ingest.downloads import DOWNLOADS_DIR, MEDIA_TYPES, belongs_to
from ingest.schema import DATABASE as DB
from portal import datasette_seam

CHUNK = 1 << 20
OUT_OF_STEP = (
    "De downloads horen bij een andere versie van de database (een build werd onderbroken); ze zijn er "
    "weer na de volgende build. / The downloads belong to another version of the database."
)
NOT_FOUND = "Bestand niet gevonden / File not found"
DESCRIPTORS = ("index.json", "datapackage.json")  # the set's own descriptions, beside its files
TEXT_TYPES = ("text/", "application/json", "application/geo+json")


def file_in(index: dict | None, name: str) -> tuple[str, str | None] | None:
    """(media type, sha256) of a file the set's index lists, or of its descriptors; None for anything else."""
    if index is None:
        return None
    if name in DESCRIPTORS:
        return MEDIA_TYPES["json"], None
    entry = next((f for f in index.get("files", []) if f.get("file") == name), None)
    return (entry["mediatype"], entry["sha256"]) if entry else None


async def send_file(request, send, directory: Path, name: str, found: tuple[str, str | None]) -> None:
    mediatype, sha = found
    content_type = mediatype + ("; charset=utf-8" if mediatype.startswith(TEXT_TYPES) else "")
    headers = {"x-content-type-options": "nosniff"}
    if sha:
        etag = f'"{sha}"'
        headers["etag"] = etag
        if etag in request.headers.get("if-none-match", ""):
            await Response("", status=304, headers=headers).asgi_send(send)
            return
    try:
        await stream_file(send, directory / name, content_type, headers)
    except FileNotFoundError:
        await Response.text(NOT_FOUND, status=404).asgi_send(send)


async def stream_file(send, path: Path, content_type: str, headers: dict[str, str]) -> None:
    """The file as a 200 in CHUNK-sized body messages; FileNotFoundError before anything is sent."""
    with open(path, "rb") as fp:
        size = str(path.stat().st_size)
        start = {**headers, "content-length": size, "content-type": content_type}
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(k.encode("latin-1"), v.encode("latin-1")) for k, v in start.items()],
            }
        )
        while True:
            chunk = await asyncio.to_thread(fp.read, CHUNK)  # off the event loop, as Datasette's reads are
            more = len(chunk) == CHUNK
            await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if not more:
                return


def downloads_dir(datasette) -> Path | None:
    return datasette_seam.static_mount(datasette, DOWNLOADS_DIR)


def current_index(datasette, directory: Path) -> dict | None:
    """The newest set's index.json when it was made from the database being served."""
    index = release_archive.read_index(directory)
    db = datasette.databases.get(DB)
    return index if db is not None and belongs_to(index, db.hash) else None


@hookimpl
def register_routes(datasette):
    directory = downloads_dir(datasette)
    if directory is None:
        return []

    async def download(request, send):
        index = current_index(datasette, directory)
        if index is None:
            await Response.text(OUT_OF_STEP, status=503).asgi_send(send)
            return
        name = request.url_vars["path"]
        found = file_in(index, name) if "/" not in name else None
        if found is None:
            await Response.text(NOT_FOUND, status=404).asgi_send(send)
            return
        await send_file(request, send, directory, name, found)

    async def archived(request, send):
        peil, name = request.url_vars["peildatum"], request.url_vars["file"]
        found = file_in(release_archive.archived_index(directory, peil), name)
        if found is None:
            await Response.text(NOT_FOUND, status=404).asgi_send(send)
            return
        await send_file(request, send, release_archive.archive_root(directory) / peil, name, found)

    async def release_page(request, send):
        # the set's own URL (/downloads/<peildatum>/) leads to its place on the downloads page
        peil = request.url_vars["peildatum"]
        if release_archive.archived_index(directory, peil) is None:
            await Response.text(NOT_FOUND, status=404).asgi_send(send)
            return
        await Response.redirect(f"/downloads#release-{peil}", status=302).asgi_send(send)

    date = r"(?P<peildatum>\d{4}-\d{2}-\d{2})"
    return [
        (rf"^/downloads/{date}/(?P<file>[^/]+)$", archived),
        (rf"^/downloads/{date}/?$", release_page),
        (r"^/downloads/(?P<path>.*)$", download),
    ]


def releases(datasette, directory: Path | None) -> list[dict]:
    """Every archived set for the downloads page, newest first, each marked as the one now served or not,
    and whether the newest build of its peildatum holds other data than this first publication."""
    if directory is None:
        return []
    current = current_index(datasette, directory)
    sets = release_archive.archived_sets(directory)
    for item in sets:
        item["current"] = bool(current) and item["peildatum"] == current.get("peildatum")
        item["rebuilt_with_other_data"] = item["current"] and not release_archive.same_data(item, current)
    return sets


async def unarchived_peildata(datasette, archived: set[str]) -> list[str]:
    """Peildata in the history that no archived set stands for (loaded together in a first build)."""
    db = datasette.databases.get(DB)
    if db is None or not await db.table_exists("plan_historie"):
        return []
    rows = await db.execute(
        "select distinct peildatum from plan_historie where peildatum is not null order by peildatum desc"
    )
    return [r[0] for r in rows if r[0] not in archived]


@hookimpl
def extra_template_vars(template, datasette):
    if template != "pages/downloads.html":
        return {}

    async def inner():
        sets = releases(datasette, downloads_dir(datasette))
        return {"releases": sets, "history_only": await unarchived_peildata(datasette, {s["peildatum"] for s in sets})}

    return inner
