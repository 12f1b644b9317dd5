"""Facts about the site itself that pages, documents and the build share: its public address and
the organisations behind it.

Every absolute URL the portal writes (catalogue, data package, JSON-LD, sitemap, feed, OpenAPI) is
built from base_url(), never from the request's Host header, which a visitor can set to anything.
It comes from WONINGBOUWPLANNEN_BASE_URL (the Makefile sets it to the address `make serve` prints),
else from metadata.yml (plugins: woningbouwplannen: base_url), else the local default.
"""

from __future__ import annotations

import os

DEFAULT_BASE_URL = "http://127.0.0.1:8001"
ENV = "WONINGBOUWPLANNEN_BASE_URL"
PLUGIN = "woningbouwplannen"


def base_url(config: dict | None = None) -> str:
    return (os.environ.get(ENV) or (config or {}).get("base_url") or DEFAULT_BASE_URL).rstrip("/")


ORGANISATIONS = ("publisher", "creator")


def organisation(config: dict | None, role: str) -> dict | None:
    """The publisher (the portal's operator) or the creator (the data's owner) as metadata.yml names them
    (plugins: woningbouwplannen: publisher / creator): {"uri", "name", "type"}, the URI and type from the
    value lists DCAT-AP-NL prescribes. None when not configured: the documents then leave it out rather
    than guess an organisation."""
    found = (config or {}).get(role)
    if role not in ORGANISATIONS or not isinstance(found, dict) or not found.get("uri") or not found.get("name"):
        return None
    return {"uri": str(found["uri"]), "name": str(found["name"]), "type": str(found.get("type") or "")}
