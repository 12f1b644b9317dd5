"""Cache-Control for a CDN or proxy cache, and gzip, on the real Datasette app."""

from __future__ import annotations

import importlib.util

import pytest

from helpers import ROOT

# plugins/ is a plugins_dir, not a package: load the module by path for its pure policy
_spec = importlib.util.spec_from_file_location("cache_headers", ROOT / "plugins" / "cache_headers.py")
cache_headers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cache_headers)
NO_STORE, PAGE, PRIVATE = cache_headers.NO_STORE, cache_headers.PAGE, cache_headers.PRIVATE
STATIC, VERSIONED, cache_control = cache_headers.STATIC, cache_headers.VERSIONED, cache_headers.cache_control


@pytest.mark.parametrize(
    "path, query, status, expected",
    [
        ("/woningbouwplannen/plannen", b"", 200, PAGE),
        ("/woningbouwplannen/plannen.json", b"_shape=objects", 200, PAGE),
        ("/-/static/app.css", b"d59929", 200, VERSIONED),
        ("/static/portal.css", b"", 200, STATIC),
        ("/-/static-plugins/datasette_cluster_map/datasette-cluster-map.js", b"", 200, STATIC),
        ("/woningbouwplannen/nietbestaand", b"", 404, NO_STORE),
        ("/woningbouwplannen", b"sql=select+1", 400, NO_STORE),
        ("/-/actor", b"", 200, PRIVATE),
        ("/-/versions.json", b"", 200, PAGE),
        ("/-/kaartdata.json", b"provincie=Utrecht", 200, PAGE),  # a plugin's public data route
        ("/-/messages", b"", 200, PRIVATE),
    ],
)
def test_policy(path, query, status, expected):
    assert cache_control("GET", path, query, status, sets_cookie=False) == expected


def test_policy_never_shares_cookies_or_posts():
    assert cache_control("GET", "/woningbouwplannen", b"", 200, sets_cookie=True) == PRIVATE
    assert cache_control("POST", "/woningbouwplannen/plannen", b"", 200, sets_cookie=False) == NO_STORE


async def test_pages_json_and_static_carry_cache_control(sample_app):
    page = await sample_app.client.get("/woningbouwplannen/plannen")
    assert page.status_code == 200
    assert page.headers["cache-control"] == PAGE.decode()
    data = await sample_app.client.get("/woningbouwplannen/plannen.json?_shape=objects&_size=5")
    assert data.headers["cache-control"] == PAGE.decode()
    assert "accept-encoding" in data.headers["vary"].lower()
    css = await sample_app.client.get("/static/portal.css")
    assert css.status_code == 200 and css.headers["cache-control"] == STATIC.decode()


async def test_errors_are_not_cached(sample_app):
    missing = await sample_app.client.get("/woningbouwplannen/bestaat_niet")
    assert missing.status_code == 404
    assert missing.headers["cache-control"] == "no-store"
    bad_sql = await sample_app.client.get("/woningbouwplannen.json?sql=select+*+from+bestaat_niet")
    assert bad_sql.status_code == 400
    assert bad_sql.headers["cache-control"] == "no-store"


async def test_gzip_when_asked(sample_app):
    """datasette-gzip compresses big responses for clients that accept gzip, and only those."""
    url = "/woningbouwplannen/plannen.json?_shape=objects&_size=200"
    zipped = await sample_app.client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers.get("content-encoding") == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    plain = await sample_app.client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3  # bytes on the wire
    assert zipped.json()["rows"] == plain.json()["rows"]  # httpx decodes: same data
