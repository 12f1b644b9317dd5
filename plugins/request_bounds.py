"""Bounded work for every request: no parameter can make a page do unbounded work.

Outside the visitors' SQL lane (plugins/sql_guard.py) Datasette runs SQL built from request
parameters too: full-text search, facets, filters, the map data. Measured by the hostile-visitor
probe: a 20,000-word search phrase pushed the home page from 8 ms to 6 s, and _facet=naam 1,000
times ran 102 s and returned 505 MB. Before Datasette sees a request:

- a search phrase (`_search`, `_search_<column>`, the map data's `_search`) is at most
  MAX_SEARCH characters and MAX_WORDS words;
- at most MAX_FACETS distinct facets (`_facet`, `_facet_array`, `_facet_date`); repeats are dropped;
- the query string is at most MAX_QUERY characters (visitors' SQL included: it has its own lane).
A request over a bound is a 400 that names the parameter.

Search text is made safe for Datasette's escape_fts, which leaves a quoted phrase with a line break
in it unquoted (FTS5 then reads `&` or `/` as syntax: a 400 for an ordinary search) and turns a
NUL into an unterminated string: control characters and line breaks become spaces (FTS5's tokenizer
splits words there anyway). A search with nothing left to search for (empty, spaces, quotes only:
escape_fts makes an empty MATCH, a syntax error) is dropped, as an empty search box means no search. The map data runs under the same SQL time
limit as the pages (plugins/map_data.py), and SQLite's own limits bound any one value
(plugins/sqlite_tuning.py).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

from portal.datasette_seam import escape_fts

MAX_SEARCH = 200
MAX_WORDS = 20
MAX_FACETS = 5
MAX_QUERY = 20_000
FACET_PARAMS = ("_facet", "_facet_array", "_facet_date")
# a search bound as a JSON Schema pattern (plugins/openapi.py): at most MAX_WORDS words, as str.split() counts them
SEARCH_PATTERN = rf"^\s*(?:\S+(?:\s+|$)){{0,{MAX_WORDS}}}$"
NOT_TEXT = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def is_search(key: str) -> bool:
    return key == "_search" or key.startswith("_search_") and key != "_searchmode"


def problem(params: list[tuple[str, str]], raw_length: int) -> str | None:
    """What is over a bound, in a sentence for the visitor (Dutch / English); None when all is well."""
    if raw_length > MAX_QUERY:
        return (
            f"de zoekopdracht in de URL is langer dan {MAX_QUERY} tekens / the query string is longer than "
            f"{MAX_QUERY} characters"
        )
    for key, value in params:
        if is_search(key):
            if len(value) > MAX_SEARCH or len(value.split()) > MAX_WORDS:
                return (
                    f"{key}: hoogstens {MAX_SEARCH} tekens en {MAX_WORDS} woorden / at most {MAX_SEARCH} "
                    f"characters and {MAX_WORDS} words"
                )
    facets = {(k, v) for k, v in params if k in FACET_PARAMS}
    if len(facets) > MAX_FACETS:
        return f"_facet: hoogstens {MAX_FACETS} verschillende facetten / at most {MAX_FACETS} distinct facets"
    return None


def searchable(text: str) -> str | None:
    """The search text with control characters and line breaks as spaces; None when nothing is left to search."""
    text = NOT_TEXT.sub(" ", text)
    return text if escape_fts(text) else None


def cleaned(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Without repeated facets and searches for nothing, search text made safe for escape_fts."""
    seen, out = set(), []
    for key, value in params:
        if key in FACET_PARAMS:
            if (key, value) in seen:
                continue
            seen.add((key, value))
        elif is_search(key):
            value = searchable(value)
            if value is None:
                continue
        out.append((key, value))
    return out


def wrap(app):
    async def bounded(scope, receive, send):
        if scope["type"] != "http" or not scope.get("query_string"):
            await app(scope, receive, send)
            return
        raw = scope["query_string"].decode("latin-1")
        params = parse_qsl(raw, keep_blank_values=True)
        why = problem(params, len(raw))
        if why:
            is_json = scope.get("path", "").endswith(".json")
            body = (
                json.dumps({"ok": False, "status": 400, "title": None, "error": why}, ensure_ascii=False)
                if is_json
                else why
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": 400,
                    "headers": [
                        (
                            b"content-type",
                            b"application/json; charset=utf-8" if is_json else b"text/plain; charset=utf-8",
                        )
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body.encode("utf-8")})
            return
        kept = cleaned(params)
        if kept != params:
            scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
        await app(scope, receive, send)

    return bounded


@hookimpl
def asgi_wrapper(datasette):
    return wrap
