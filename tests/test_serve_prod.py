"""The production setup for real: Datasette replicas behind Debian's nginx on 127.0.0.1.

Cache hits, rate limiting of ?sql=, and no lost requests when a replica dies.
nginx is installed by .ci/run (or deploy/need-packages.sh nginx).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import signal
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from helpers import ROOT

_spec = importlib.util.spec_from_file_location("serve_prod", ROOT / "deploy" / "serve_prod.py")
serve_prod = importlib.util.module_from_spec(_spec)
sys.modules["serve_prod"] = serve_prod  # its dataclasses look their module up
_spec.loader.exec_module(serve_prod)


def get(url: str, headers: dict | None = None):
    """(status, headers, body) without raising on 4xx/5xx."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


@pytest.fixture(scope="module")
def prod(sample_db, tmp_path_factory):
    dep = serve_prod.start(
        sample_db,
        tmp_path_factory.mktemp("prod"),
        f"127.0.0.1:{serve_prod.free_port()}",
        replicas=2,
        sql_rate="2r/s",
        sql_burst=4,
    )
    yield dep
    dep.stop()


def test_config_has_no_root_paths(prod):
    conf = (prod.prefix / "nginx.conf").read_text()
    for line in conf.splitlines():
        if line.strip().startswith(("pid", "error_log", "access_log", "proxy_cache_path")) or "_temp_path" in line:
            assert str(prod.prefix) in line, line


def test_second_identical_request_is_a_cache_hit(prod):
    url = prod.url + "/woningbouwplannen/plannen?provincie=Utrecht"
    status1, headers1, body1 = get(url)
    status2, headers2, body2 = get(url)
    assert status1 == status2 == 200
    assert headers1["X-Cache-Status"] == "MISS"
    assert headers2["X-Cache-Status"] == "HIT"
    assert body1 == body2 and b"Utrecht" in body2
    assert "max-age=" in headers2["Cache-Control"]


def test_errors_are_not_cached(prod):
    url = prod.url + "/woningbouwplannen/bestaat_niet"
    assert get(url)[0] == 404
    status, headers, _ = get(url)
    assert status == 404 and headers["X-Cache-Status"] != "HIT"


def test_long_uris_never_take_the_site_down(prod):
    """The cache key is the URI: one longer than the proxy buffer was a 502 that marked a replica down."""
    for n in (3000, 4000, 7000, 7800, 8100):
        status, _, _ = get(prod.url + "/?x=" + "b" * n)
        assert status in (200, 400, 414), (n, status)
    assert get(prod.url + "/?x=" + "b" * 9000)[0] in (400, 414)
    for path in ("/", "/woningbouwplannen/plannen"):
        assert get(prod.url + path)[0] == 200, path


def test_a_request_with_two_accept_language_headers_is_cached_under_its_own_language(prod):
    """nginx reads the first header (or all, joined): so does the portal, or one request poisons the cache."""
    import http.client

    host, port = prod.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    conn.putrequest("GET", "/gemeenten?r=twee-talen")
    conn.putheader("Accept-Language", "nl")
    conn.putheader("Accept-Language", "en")
    conn.endheaders()
    first = conn.getresponse()
    assert first.status == 200 and first.getheader("Content-Language") == "nl"
    first.read()
    status, headers, _ = get(prod.url + "/gemeenten?r=twee-talen", {"Accept-Language": "nl"})
    assert status == 200 and headers["Content-Language"] == "nl"


def test_gzip_through_nginx_and_plain_for_others(prod):
    url = prod.url + "/woningbouwplannen/plannen.json?_shape=objects&_size=100"
    status, headers, zipped = get(url, {"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    status, headers, plain = get(url)
    assert status == 200 and "Content-Encoding" not in headers
    assert len(json.loads(gzip.decompress(zipped))["rows"]) == len(json.loads(plain)["rows"]) == 100
    assert len(zipped) < len(plain) / 3


def test_sql_requests_are_rate_limited_pages_are_not(prod):
    statuses = [get(prod.url + f"/woningbouwplannen.json?sql=select+{i}")[0] for i in range(15)]
    assert statuses[0] == 200
    assert statuses.count(429) >= 5, statuses  # 2 r/s with a burst of 4, asked 15 times at once
    # the limit applies to ?sql= only: pages and canned queries stay available
    assert [get(prod.url + f"/woningbouwplannen/plannen.json?_size=1&n={i}")[0] for i in range(8)] == [200] * 8


def test_killing_a_replica_loses_no_request(prod):
    """Uncached URLs (each distinct) keep both replicas busy; one is killed mid-stream."""
    victim_port, victim = next(iter(prod.replicas.items()))
    urls = [prod.url + f"/woningbouwplannen/plannen.json?_size=20&_sort=naam&run={i}" for i in range(160)]

    def fetch(i_url):
        i, url = i_url
        if i == 40:
            os.kill(victim.pid, signal.SIGKILL)
        return get(url)[0]

    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(fetch, enumerate(urls)))
    victim.wait(5)
    assert victim.returncode == -signal.SIGKILL
    failed = [s for s in statuses if s != 200]
    # at most the requests in flight on the victim (4 workers); nginx retries GETs on the other replica
    assert len(failed) <= 4, statuses
    assert statuses[-40:] == [200] * 40
    log = (prod.prefix / "logs" / "error.log").read_text()
    assert f"127.0.0.1:{victim_port}" in log  # nginx saw the dead replica and routed around it


def html(body: bytes) -> str:
    return (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode("utf-8")


def test_the_cache_never_serves_a_page_in_the_other_language(prod):
    """Unprefixed pages follow the taal cookie, then the browser's first language: nginx keys the cache
    on the same choice, so whoever asks first, each visitor gets their own language."""
    url = prod.url + "/gemeenten?r=lang"
    visitors = [
        ({"Accept-Language": "en-GB,en;q=0.9"}, "en"),
        ({"Accept-Language": "nl-NL,nl;q=0.9"}, "nl"),
        ({}, "nl"),
        ({"Cookie": "taal=en"}, "en"),
        ({"Cookie": "taal=nl", "Accept-Language": "en"}, "nl"),
        ({"Accept-Language": "en-US"}, "en"),
        ({"Accept-Language": "de-DE,en;q=0.8"}, "nl"),
        ({"Accept-Language": "en\xa0"}, "nl"),  # a no-break space is not whitespace to nginx's PCRE
        ({"Accept-Language": "\xa0en"}, "nl"),
        ({"Accept-Language": "\ten;q=1"}, "en"),
        ({"Accept-Language": "en;q=1.2.3"}, "nl"),  # no valid header: the default
        ({"Accept-Language": "en;q=0"}, "nl"),  # English refused
        ({"Accept-Language": "en-GB;q=0.50,nl"}, "en"),
        ({"Cookie": "taal=en-x", "Accept-Language": "en"}, "en"),  # not a taal cookie nginx knows: the browser
        ({"Cookie": "taal=nlx; taal=en"}, "nl"),  # nginx reads the first taal cookie only
    ]
    for rounds in range(2):  # the second round comes from the cache
        for headers, lang in visitors:
            status, response, body = get(url, headers)
            assert status == 200 and f'<html lang="{lang}"' in html(body), (headers, rounds)
            assert response["Content-Language"] == lang
            if "Accept-Language" in headers and "Cookie" not in headers:
                vary = ", ".join(response.get_all("Vary")).lower()
                assert "accept-language" in vary and "cookie" in vary, vary
        assert response["X-Cache-Status"] == "HIT" or rounds == 0


def test_a_response_that_sets_the_language_cookie_is_private_and_never_cached(prod):
    for _ in range(2):
        status, headers, body = get(prod.url + "/en/gemeenten")
        assert status == 200 and "taal=en" in headers["Set-Cookie"]
        assert headers["Cache-Control"].startswith("private")
        assert headers["X-Cache-Status"] != "HIT"
