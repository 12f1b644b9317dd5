"""Cache-Control on every response, so nginx's proxy_cache or a CDN can take the public load.

The database is immutable while served (a new build rolls out as new replicas), so pages
and JSON may be cached for minutes; static assets for a day, or a year when the URL
carries a version (Datasette's own /-/static/app.css?hash) or is a release's pinned download
(/downloads/<peildatum>/<file>). Errors are never cached: a
timed-out query or a 404 during a rollout must not stick in a shared cache. Responses
that set a cookie or describe the visitor (/-/actor, /-/messages ...) are private.
"""

from __future__ import annotations

from datasette import hookimpl

from ingest.release_archive import ARCHIVED_FILE_URL
from portal.http_headers import add_vary

PAGE = b"public, max-age=300, stale-while-revalidate=60, stale-if-error=3600"
STATIC = b"public, max-age=86400, stale-while-revalidate=3600"
VERSIONED = b"public, max-age=31536000, immutable"
NO_STORE = b"no-store"
PRIVATE = b"private, no-store"
STATIC_PREFIXES = ("/-/static/", "/-/static-plugins/", "/static/")
# /-/ pages about the visitor or the live process: never in a shared cache. Other /-/ routes
# (/-/versions, plugin routes such as /-/kaartdata.json) are public data like any page.
PER_VISITOR = (
    "/-/actor",
    "/-/auth-token",
    "/-/logout",
    "/-/messages",
    "/-/permissions",
    "/-/allow-debug",
    "/-/threads",
    "/-/patterns",
)


def cache_control(method: str, path: str, query: bytes, status: int, sets_cookie: bool) -> bytes:
    """Pure policy: which Cache-Control a response gets."""
    if status >= 400 or method not in ("GET", "HEAD"):
        return NO_STORE
    if sets_cookie:
        return PRIVATE
    if ARCHIVED_FILE_URL.match(path):  # a release's pinned file (ingest/release_archive.py)
        return VERSIONED
    if path.startswith(STATIC_PREFIXES):
        return VERSIONED if (query and path.startswith("/-/static/")) else STATIC
    if path.startswith(PER_VISITOR):
        return PRIVATE
    return PAGE


def wrap(app):
    async def with_cache_headers(scope, receive, send):
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        accepts_gzip = any(
            k.lower() == b"accept-encoding" and b"gzip" in v.lower() for k, v in scope.get("headers", [])
        )

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                given = message.get("headers", [])
                headers = [(k, v) for k, v in given if k.lower() != b"cache-control"]
                sets_cookie = any(k.lower() == b"set-cookie" for k, _ in headers)
                # a wrapper inside this one may have said private already (plugins/i18n.py's cookie)
                sets_cookie = sets_cookie or any(
                    k.lower() == b"cache-control" and v.startswith(b"private") for k, v in given
                )
                value = cache_control(
                    scope.get("method", "GET"),
                    scope.get("path", ""),
                    scope.get("query_string", b""),
                    message["status"],
                    sets_cookie,
                )
                headers.append((b"cache-control", value))
                # gzip and identity bodies differ: a shared cache must key on the encoding
                # (datasette-gzip adds Vary itself when it compresses)
                if value not in (NO_STORE, PRIVATE) and not accepts_gzip:
                    headers = add_vary(headers, "Accept-Encoding")
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, send_with_headers)

    return with_cache_headers


@hookimpl
def asgi_wrapper(datasette):
    return wrap
