"""A person who opens the Atom feed in a browser gets a readable page (/wijzigingen), not raw XML.

Feed readers ask for application/atom+xml (or anything); a browser asks for text/html first. The page
lists the same changes with the same filters (gemeentecode, provincie) and tells how to subscribe.
"""
from __future__ import annotations

from datasette import hookimpl

FEED = "/woningbouwplannen/wijzigingen_feed.atom"
PAGE = "/wijzigingen"


def wants_page(headers: list[tuple[bytes, bytes]]) -> bool:
    accept = next((v for k, v in headers if k.lower() == b"accept"), b"").decode("latin-1").lower()
    return "text/html" in accept and "atom" not in accept


def wrap(app):
    async def feed_or_page(scope, receive, send):
        if scope["type"] == "http" and scope.get("path") == FEED and wants_page(scope.get("headers", [])):
            query = scope.get("query_string", b"").decode("latin-1")
            location = PAGE + (f"?{query}" if query else "")
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", location.encode("latin-1")), (b"vary", b"Accept")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    return feed_or_page


@hookimpl
def asgi_wrapper(datasette):
    return wrap
