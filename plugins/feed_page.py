"""The Atom feed of plan changes as RFC 4287 asks, and a readable page (/wijzigingen) for a browser.

datasette-atom renders the canned query wijzigingen_feed. What it cannot do is completed here, on the
way out: the feed's author (the portal's publisher, as configured for the catalogue), its
id and self link from the configured base_url (datasette-atom takes them from the request, whose Host
header a visitor sets), an alternate link to the page, and the media type application/atom+xml
(datasette-atom says application/xml). The query writes a plan id into entry ids and links through
tilde_encode(), so that they are IRIs whatever characters the id holds.

Feed readers ask for application/atom+xml (or anything); a browser asks for text/html first. The page
lists the same changes with the same filters (gemeentecode, provincie) and tells how to subscribe.
"""

from __future__ import annotations

import urllib.parse
import xml.etree.ElementTree as ET

from datasette import hookimpl
from datasette.utils import tilde_encode

from ingest import site
from portal.http_headers import add_vary

FEED = "/woningbouwplannen/wijzigingen_feed.atom"
PAGE = "/wijzigingen"
FILTERS = ("gemeentecode", "provincie")  # the canned query's parameters: what makes one feed another
ATOM_NS = "http://www.w3.org/2005/Atom"
A = "{" + ATOM_NS + "}"
CONTENT_TYPE = b"application/atom+xml; charset=utf-8"


def wants_page(headers: list[tuple[bytes, bytes]]) -> bool:
    accept = next((v for k, v in headers if k.lower() == b"accept"), b"").decode("latin-1").lower()
    return "text/html" in accept and "atom" not in accept


def filter_query(query_string: str) -> str:
    """The feed's filters in one spelling (gemeentecode upper case, as the query compares it), nothing else:
    the same feed has the same id whatever else the URL carries."""
    args = urllib.parse.parse_qs(query_string)
    kept = []
    for name in FILTERS:
        value = (args.get(name) or [""])[0].strip()
        if value:
            kept.append((name, value.upper() if name == "gemeentecode" else value))
    return urllib.parse.urlencode(kept)


def feed_author(config: dict, title: str | None) -> tuple[str, str | None]:
    """(name, uri) of the feed's author: the portal's publisher as configured for the catalogue
    (metadata.yml, plugins: woningbouwplannen: publisher), else the portal by its title."""
    publisher = config.get("publisher") or {}
    name = publisher.get("name") or title or "Woningbouwplannen"
    return name.split(" / ")[0], publisher.get("uri")  # 'Nederlands / English': the feed's first language


def complete_feed(body: bytes, base: str, query: str, author: str, author_uri: str | None = None) -> bytes:
    """datasette-atom's feed with what RFC 4287 wants and the portal's own addresses."""
    ET.register_namespace("", ATOM_NS)
    root = ET.fromstring(body)
    suffix = f"?{query}" if query else ""
    feed_url = f"{base}{FEED}{suffix}"
    root.find(f"{A}id").text = feed_url
    for link in root.findall(f"{A}link"):
        root.remove(link)  # datasette-atom's self link is the request's URL
    position = list(root).index(root.find(f"{A}title")) + 1
    person = ET.Element(f"{A}author")
    ET.SubElement(person, f"{A}name").text = author
    ET.SubElement(person, f"{A}uri").text = author_uri or f"{base}/"
    links = [
        ET.Element(f"{A}link", {"rel": "self", "type": "application/atom+xml", "href": feed_url}),
        ET.Element(f"{A}link", {"rel": "alternate", "type": "text/html", "href": f"{base}{PAGE}{suffix}"}),
    ]
    for offset, element in enumerate([person, *links]):
        element.tail = "\n  "  # as datasette-atom indents
        root.insert(position + offset, element)
    for link in root.iter(f"{A}link"):
        link.set("type", link.get("type") or "text/html")  # an entry's one alternate: the plan's page
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def wrap(app, datasette):
    async def feed_or_page(scope, receive, send):
        if scope["type"] != "http" or scope.get("path") != FEED:
            await app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        if wants_page(scope.get("headers", [])):
            location = PAGE + (f"?{query}" if query else "")
            await send(
                {
                    "type": "http.response.start",
                    "status": 303,
                    "headers": [(b"location", location.encode("latin-1")), (b"vary", b"Accept")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        # the body is rewritten, so it must come uncompressed (a wrapper outside this one may compress it)
        scope = dict(scope, headers=[(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"])
        start, chunks = {}, []

        async def collect(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body, headers = b"".join(chunks), list(start.get("headers", []))
            if start.get("status") == 200:
                config = datasette.plugin_config(site.PLUGIN) or {}
                body = complete_feed(
                    body, site.base_url(config), filter_query(query), *feed_author(config, datasette.metadata("title"))
                )
                # the same URL answers a browser with the page: a shared cache keeps the two apart
                headers = [(k, v) for k, v in headers if k.lower() not in (b"content-type", b"content-length")]
                headers = add_vary(headers, "Accept") + [
                    (b"content-type", CONTENT_TYPE),
                    (b"content-length", str(len(body)).encode()),
                ]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await app(scope, receive, collect)

    return feed_or_page


@hookimpl
def prepare_connection(conn):
    # a plan id in an entry's id and link as the plan page's own URL spells it (Datasette's tilde
    # encoding, as templates/pages/plan links): an IRI whatever characters the id holds
    conn.create_function(
        "tilde_encode", 1, lambda text: None if text is None else tilde_encode(str(text)), deterministic=True
    )


@hookimpl
def asgi_wrapper(datasette):
    return lambda app: wrap(app, datasette)
