"""Every absolute URL the portal writes comes from the configured base_url, never from the request.

A real server (datasette serve, as make serve runs it) with a base_url of its own, asked for every
document that carries absolute URLs with a spoofed Host header and the proxy headers a visitor can
send: none of it may appear, nor the address the server really listens on. Of the home and downloads
pages that is their schema.org JSON-LD (the rest of a Datasette page is Datasette's own).
"""

from __future__ import annotations

import re

import extruct
import httpx
import pytest
import yaml

from ingest import site

from helpers import ROOT, start_server

BASE = "https://woningbouwplannen.example.org"
SPOOF = "evil.example"
HEADERS = {
    "Host": SPOOF,
    "X-Forwarded-Host": SPOOF,
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Port": "8443",
    "Forwarded": f"host={SPOOF};proto=https",
}
DOCUMENTS = [
    "/catalog.jsonld",
    "/datapackage.json",
    "/sitemap.xml",
    "/robots.txt",
    "/woningbouwplannen/wijzigingen_feed.atom",
    "/openapi.json",
]
PAGES = ["/", "/en/", "/downloads", "/en/downloads"]  # their schema.org JSON-LD
URL = re.compile(r"https?://[^\s\"'<>\\)]+")


@pytest.fixture(scope="module")
def configured_server(sample_db, tmp_path_factory):
    """The sample database served with metadata.yml but another base_url, the environment's cleared."""
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    metadata["plugins"][site.PLUGIN]["base_url"] = BASE
    path = tmp_path_factory.mktemp("base-url") / "metadata.yml"
    path.write_text(yaml.safe_dump(metadata, allow_unicode=True), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(site.ENV, raising=False)  # the server inherits the environment: only the file decides
        proc, address = start_server(sample_db, ["--static", f"downloads:{sample_db.parent / 'downloads'}"], path)
    yield address
    proc.terminate()
    proc.wait(10)


@pytest.mark.parametrize("path", DOCUMENTS + PAGES)
def test_absolute_urls_come_from_base_url_whatever_the_request_says(configured_server, path):
    response = httpx.get(configured_server + path, headers={**HEADERS, "Accept": "*/*"}, timeout=30)
    assert response.status_code == 200, (path, response.status_code)
    body = response.text
    if path in PAGES:
        found = extruct.extract(body, syntaxes=["json-ld"])["json-ld"]
        assert found, f"{path} has no JSON-LD"
        body = str(found)
    listening = configured_server.removeprefix("http://")
    assert SPOOF not in body and listening not in body and "localhost" not in body, path
    ours = [u for u in URL.findall(body) if not u.startswith(BASE)]
    # what is left points elsewhere: vocabularies, standards, sources, never a host of ours
    assert not [u for u in ours if re.match(r"https?://(127\.|localhost|evil|woningbouwplannen\.)", u)], (
        path,
        ours[:5],
    )
    assert f"{BASE}/" in body, f"{path} names no URL of the portal"


def test_openapi_servers_and_sitemap_are_the_base_url(configured_server):
    spec = httpx.get(configured_server + "/openapi.json", headers=HEADERS, timeout=30).json()
    assert [s["url"] for s in spec["servers"]] == [BASE]
    sitemap = httpx.get(configured_server + "/sitemap.xml", headers=HEADERS, timeout=30).text
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(u.startswith(f"{BASE}/") for u in locations)
