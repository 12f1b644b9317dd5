"""/downloads/ files are sent whole, in large chunks (plugins/download_files.py), and nothing
outside the downloads directory can be reached through that route."""

from __future__ import annotations

from pathlib import Path

from helpers import ROOT


async def asgi_get(app, path: str) -> tuple[int, list[bytes]]:
    """One request through the real ASGI app, keeping every body message as sent."""
    messages = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        messages.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "scheme": "http",
        "client": ("127.0.0.1", 1),
        "server": ("localhost", 80),
        "root_path": "",
    }
    await app.app()(scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    return status, [m.get("body", b"") for m in messages if m["type"] == "http.response.body"]


async def test_a_download_arrives_whole_in_few_chunks(sample_app, sample_db):
    path = Path(sample_db).parent / "downloads" / "plan_historie.csv"
    data = path.read_bytes()
    assert len(data) > 1 << 20  # bigger than one chunk, so the chunk size shows
    status, bodies = await asgi_get(sample_app, "/downloads/plan_historie.csv")
    assert status == 200 and b"".join(bodies) == data
    # Datasette's own static handler sends 4 KiB per message (hundreds for this file)
    assert len(bodies) <= len(data) // (1 << 20) + 2


async def test_no_way_out_of_the_downloads_directory(sample_app):
    for path in (
        "/downloads/../../../etc/passwd",
        "/downloads/%2e%2e/%2e%2e/etc/passwd",
        "/downloads/../woningbouwplannen.db",
        f"/downloads/{ROOT}/README.md",
    ):
        status, bodies = await asgi_get(sample_app, path)
        assert status in (403, 404), path
        assert b"root:" not in b"".join(bodies)
