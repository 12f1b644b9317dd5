"""Arbitrary SQL may not starve the pages: it gets its own small lane and a shorter time limit.

Datasette runs every query (a page needs several) on one pool of num_sql_threads threads, first
come first served. Six visitors running cross joins or recursive CTEs at the time limit fill
that pool, and every normal page then waits behind them: measured, a table page went from
20 ms to over 10 s. So requests that carry SQL of the visitor's own (?sql= on the database,
?_where= on a table) go through this guard:

- at most SQL_LANE of them run at once, so the other threads stay free for pages and canned
  queries; up to MAX_WAITING more wait their turn, beyond that the answer is 429 with
  Retry-After (nginx rate-limits ?sql= per client before that; see deploy/nginx.conf.template);
- their time limit is ARBITRARY_SQL_MS (sent as _timelimit, which Datasette only lets lower the
  configured sql_time_limit_ms), shorter than the pages' 1.5 s;
- a _timelimit that is not a positive whole number is dropped (Datasette would answer 500);
- the portal is read-only: any method but GET, HEAD and OPTIONS is 405 (Datasette 0.65 answers a
  POST to a read-only canned query with a 500).

Measured by tests/test_abuse.py: under such an attack a table page's p95 stays within 3x idle.
Configurable in metadata.yml under plugins: sql-guard: {lane, max_waiting, time_limit_ms}.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

SQL_LANE = 1
MAX_WAITING = 8
ARBITRARY_SQL_MS = 1000
SQL_PARAMS = ("sql", "_where")
READ_METHODS = ("GET", "HEAD", "OPTIONS")
READ_ONLY = b"Dit portaal is alleen-lezen. / This portal is read-only."
BUSY = (
    b"Te veel SQL-verzoeken tegelijk; probeer het over een paar seconden opnieuw. / "
    b"Too many SQL requests at once; try again in a few seconds."
)


# Functions visitors' SQL may not call: pragma_database_list names the server's path to the file;
# fts3_tokenizer returns a memory pointer. Their names cannot be split or escaped in SQL, so a name
# that appears anywhere in the statement (quotes and brackets aside) is refused.
FORBIDDEN = ("database_list", "fts3_tokenizer", "load_extension")
FORBIDDEN_ANSWER = (
    b"Deze functie is in SQL op dit portaal niet toegestaan. / This function is not allowed in SQL on this portal."
)


def has_own_sql(params: list[tuple[str, str]]) -> bool:
    return any(k in SQL_PARAMS and v.strip() for k, v in params)


def forbidden(params: list[tuple[str, str]]) -> bool:
    text = " ".join(v for k, v in params if k in SQL_PARAMS).lower()
    for quote in "\"'`[]":
        text = text.replace(quote, "")
    return any(name in text for name in FORBIDDEN)


def rewrite_query(params: list[tuple[str, str]], own_sql: bool, limit_ms: int) -> list[tuple[str, str]]:
    """The query string with a sane _timelimit: the visitor's, if lower, else ours for own SQL."""
    asked = None
    for k, v in params:
        if k == "_timelimit" and v.strip().isdecimal() and int(v) > 0:  # isdigit() admits '²', which int() refuses
            asked = int(v)
    kept = [(k, v) for k, v in params if k != "_timelimit"]
    if own_sql:
        return kept + [("_timelimit", str(min(asked or limit_ms, limit_ms)))]
    return kept + ([("_timelimit", str(asked))] if asked else [])


class Guard:
    def __init__(self, lane: int, max_waiting: int, limit_ms: int):
        self.lane, self.max_waiting, self.limit_ms = lane, max_waiting, limit_ms
        self.semaphore: asyncio.Semaphore | None = None  # made in the server's event loop
        self.waiting = 0

    def wrap(self, app):
        async def guarded(scope, receive, send):
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            if scope.get("method", "GET") not in READ_METHODS:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"allow", b"GET, HEAD, OPTIONS")],
                    }
                )
                await send({"type": "http.response.body", "body": READ_ONLY})
                return
            raw = scope.get("query_string", b"").decode("latin-1")
            params = parse_qsl(raw, keep_blank_values=True)
            own_sql = has_own_sql(params)
            if own_sql or "_timelimit=" in raw:
                query = urlencode(rewrite_query(params, own_sql, self.limit_ms)).encode("latin-1")
                scope = {**scope, "query_string": query}
            if not own_sql:
                await app(scope, receive, send)
                return
            if forbidden(params):
                await send(
                    {
                        "type": "http.response.start",
                        "status": 400,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send({"type": "http.response.body", "body": FORBIDDEN_ANSWER})
                return
            if self.semaphore is None:
                self.semaphore = asyncio.Semaphore(self.lane)
            if self.semaphore.locked() and self.waiting >= self.max_waiting:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 429,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"retry-after", b"5")],
                    }
                )
                await send({"type": "http.response.body", "body": BUSY})
                return
            self.waiting += 1
            try:
                await self.semaphore.acquire()
            finally:
                self.waiting -= 1
            try:
                await app(scope, receive, send)
            finally:
                self.semaphore.release()

        return guarded


@hookimpl
def asgi_wrapper(datasette):
    config = datasette.plugin_config("sql-guard") or {}
    guard = Guard(
        int(config.get("lane", SQL_LANE)),
        int(config.get("max_waiting", MAX_WAITING)),
        int(config.get("time_limit_ms", ARBITRARY_SQL_MS)),
    )
    return guard.wrap
