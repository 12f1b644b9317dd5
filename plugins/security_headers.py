"""Security headers on every response (pages, JSON, static files, errors) and plain 500 pages.

Content-Security-Policy allows what the portal uses and nothing else: our own origin, the PDOK
basemap tiles (service.pdok.nl, images) and the PDOK address search (api.pdok.nl, fetch, on the
near-me page). Scripts need 'unsafe-inline': Datasette 0.65 and its plugins
(datasette-cluster-map, the table page, the SQL editor) write inline <script> blocks whose
content depends on the page, so neither nonces (no hook to add them) nor fixed hashes can cover
them; no third-party script origin is allowed, which is what blocks injected scripts from
loading code. 'unsafe-eval' too: Vega compiles its expressions with Function(), and datasette-vega's script,
which Datasette adds to every page, throws at load without it (checked in Chromium). frame-ancestors 'none' and X-Frame-Options DENY stop
clickjacking; nosniff stops a CSV or JSON from being run as a script.

Unexpected exceptions (a 500 that is not one of Datasette's own errors) get a plain message:
no exception text, no paths; the traceback goes to the server log only.
"""

from __future__ import annotations

import sys
import traceback

from datasette import hookimpl
from datasette.utils.asgi import Response

from portal import datasette_seam

# Datasette prints every error with rich, locals included, when rich is importable (a test
# dependency pulls it in): under a flood of bad ?sql= that is CPU per request and data in the
# log. The plain traceback (unexpected errors only, below) is enough. At load, before any request.
datasette_seam.quiet_error_printing()

PDOK_TILES = "https://service.pdok.nl"
PDOK_SEARCH = "https://api.pdok.nl"


def content_security_policy(path: str) -> str:
    script = "'self' 'unsafe-inline' 'unsafe-eval'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self' 'unsafe-inline'",
            f"img-src 'self' data: blob: {PDOK_TILES}",
            f"connect-src 'self' {PDOK_SEARCH}",
            "font-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def security_headers(path: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", content_security_policy(path).encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self), payment=()"),
    ]


NAMES = {name for name, _ in security_headers("/")}


def wrap(app):
    async def with_security_headers(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        path = scope.get("path", "/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in NAMES]
                message = {**message, "headers": headers + security_headers(path)}
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_security_headers


@hookimpl(
    trylast=True
)  # Datasette applies the last wrapper outermost: every answer, a guard's 400 too, gets the headers
def asgi_wrapper(datasette):
    return wrap


def is_unexpected(exception: BaseException) -> bool:
    """Not a 4xx and not one of Datasette's own errors (whose messages are written for users)."""
    return not datasette_seam.is_datasette_error(exception)


@hookimpl(trylast=True)  # after plugins that turn specific errors into 4xx (plugins/api_errors.py)
def handle_exception(datasette, request, exception):
    if not is_unexpected(exception):
        return None
    traceback.print_exception(exception, file=sys.stderr)  # for the operator, never for the visitor
    message = "Er ging iets mis aan onze kant. / Something went wrong on our side."
    if request.path.endswith(".json"):
        return Response.json({"ok": False, "error": message, "status": 500, "title": None}, status=500)
    return Response.text(message, status=500)
