"""No server errors from bad parameters (issue 15): every malformed parameter is a 400 whose message names it,
as JSON on .json URLs and as the portal's error page (plugins/error_pages.py) on pages; a canned query's
bad `_shape` is an HTTP 400 too, not a 200 with {"ok": false} inside. A real `datasette serve`
(conftest's `server`) with the sample database; the rules are in plugins/api_errors.py, request_bounds.py
and map_data.py, and /openapi.json says the same (tests/test_openapi.py).
"""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
from test_abuse import get

from ingest.downloads import published_tables

DB = "/woningbouwplannen"
# (query string, the parameter the message must name)
TABLE_MISTAKES = [
    ("_facet=%7B", "_facet"),
    ("_facet=%7B%7D", "_facet"),
    ("_facet_array=%7B", "_facet_array"),
    ("_facet_date=%7B", "_facet_date"),
    ("_facet=%7B%22simple%22:1%7D", "_facet"),
    ("_facet=nope", "_facet"),
    ("_facet_foo=naam", "_facet_foo"),
    ("_facet_size=%C2%B2", "_facet_size"),
    ("_size=", "_size"),
    ("_size=abc", "_size"),
    ("_size=1001", "_size"),
    ("_sort=naam&_sort_desc=naam", "_sort_desc"),
    ("_sort=&_sort_desc=naam", "_sort_desc"),
    ("_sort=nope", "nope"),
    ("_through=x", "_through"),
    ("naam__in=%5B", "naam__in"),
    ("naam__in=%5B%7B%7D%5D", "naam__in"),
    ("naam__in=%5B99999999999999999999999%5D", "naam__in"),
    ("woningen__gt=99999999999999999999999", "woningen__gt"),
    ("woningen__gt=%C2%B2", "woningen__gt"),
    ("naam__nope=1", "naam__nope"),
    ("_next=abc", "_next"),
    ("_ttl=%C2%B2", "_ttl"),
    ("_json_infinity=x", "_json_infinity"),
    ("_labels=x", "_labels"),
    ("_searchmode=x", "_searchmode"),
    ("_stream=off", "_stream"),
    ("_shape=xx", "_shape"),
    ("x%00=1", "x"),
]


def answer(url: str):
    status, headers, body = get(url)
    return status, headers.get("content-type", ""), body.decode("utf-8", "replace")


def tables(sample_db) -> list[str]:
    return published_tables(sqlite3.connect(sample_db))


@pytest.mark.parametrize("query,name", TABLE_MISTAKES)
def test_a_malformed_table_parameter_is_a_400_naming_it_as_json(server, query, name):
    status, content_type, body = answer(f"{server}{DB}/plannen.json?{query}")
    assert status == 400 and content_type.startswith("application/json"), (status, body[:300])
    error = json.loads(body)
    assert error["ok"] is False and error["status"] == 400 and name in error["error"], error


@pytest.mark.parametrize("query,name", [m for m in TABLE_MISTAKES if not m[0].startswith(("_shape", "_json"))])
def test_on_a_page_it_is_the_portal_error_page(server, query, name):
    status, content_type, body = answer(f"{server}{DB}/plannen?{query}")
    assert status == 400 and content_type.startswith("text/html"), (status, body[:300])
    assert 'class="peildatum-regel"' in body  # the portal's layout, with the plugins' variables
    message = body.split('class="foutmelding"', 1)[1].split("</p>", 1)[0]
    assert name in message.replace("&#34;", '"')


@pytest.mark.parametrize("query", ["_facet=%7B", "_facet=%7B%7D", "_facet_array=%7B"])
def test_every_table_answers_a_malformed_facet_with_400(server, sample_db, query):
    for table in tables(sample_db):
        for suffix in (".json", ""):
            status, _, body = answer(f"{server}{DB}/{table}{suffix}?{query}")
            assert status == 400 and "_facet" in body, (table, suffix, status, body[:200])


@pytest.mark.parametrize("shape", ["xx", "object"])
def test_a_canned_query_answers_a_bad_shape_with_http_400(server, shape):
    for url in (f"{DB}/woningen_per_provincie.json?_shape={shape}", f"{DB}.json?sql=select+1&_shape={shape}"):
        status, _, body = answer(server + url)
        assert status == 400 and "_shape" in json.loads(body)["error"], (url, status, body)


def test_shape_object_needs_a_primary_key_and_the_database_description_has_no_rows(server):
    assert answer(f"{server}{DB}/plannen.json?_shape=object&_size=1")[0] == 200
    assert answer(f"{server}{DB}/provincies.json?_shape=object")[0] == 400  # no key: rowid
    assert answer(f"{server}{DB}.json?_shape=array")[0] == 400  # was a 500 ('rows')
    assert answer(f"{server}{DB}.json?_shape=objects")[0] == 200


def test_map_data_refuses_an_unknown_segment_and_a_malformed_bbox(server):
    for query, name in [
        ("segment=AAA", "segment"),
        ("bbox=1", "bbox"),
        ("bbox=4,52,5", "bbox"),
        ("bbox=1e3,52,5,53", "bbox"),
        ("bbox=4,95,5,96", "bbox"),
        ("bbox=nan,52,5,53", "bbox"),
    ]:
        status, content_type, body = answer(f"{server}/-/kaartdata.json?{query}")
        assert status == 400 and content_type.startswith("application/json"), (query, status)
        error = json.loads(body)
        assert error["status"] == 400 and name in error["error"], error
    ordered = json.loads(answer(f"{server}/-/kaartdata.json?bbox=4.8,52.0,5.2,52.2")[2])
    assert json.loads(answer(f"{server}/-/kaartdata.json?bbox=5.2,52.2,4.8,52.0")[2]) == ordered  # corners any order
    segment = json.loads(answer(f"{server}/-/kaartdata.json?segment=sociale_huur")[2])
    everything = json.loads(answer(f"{server}/-/kaartdata.json")[2])
    assert 0 < segment["plannen"] < everything["plannen"]
    assert json.loads(answer(f"{server}/-/kaartdata.json?segment=")[2]) == everything  # empty: no filter


def test_empty_sort_is_the_default_order_and_empty_search_no_search(server):
    default = json.loads(answer(f"{server}{DB}/plannen.json?_shape=array&_size=5")[2])
    assert json.loads(answer(f"{server}{DB}/plannen.json?_shape=array&_size=5&_sort=")[2]) == default
    for search in ("", "%20", "%22%22"):
        assert json.loads(answer(f"{server}{DB}/plannen.json?_shape=array&_size=5&_search={search}")[2]) == default


def test_search_text_with_line_breaks_quotes_and_nul_is_searched_not_refused(server):
    name = json.loads(answer(f"{server}{DB}/plannen.json?_shape=array&_size=1")[2])[0]["naam"]
    word = name.split()[0]
    for text in (f'"{word}\n', f"{word}\x00", f'oF"¤&\x9c%\n{word}', f"{word}\t/"):
        quoted = urllib.parse.quote(text)
        status, _, body = answer(f"{server}{DB}/plannen.json?_shape=array&_search={quoted}")
        assert status == 200, (text, body[:200])
        status, _, body = answer(f"{server}/-/kaartdata.json?_search={quoted}")
        assert status == 200, (text, body[:200])


HOSTILE = [
    "",
    "{",
    "{}",
    "[",
    "[{}]",
    "²",
    "-1",
    "99999999999999999999999",
    "x\x00y",
    '"',
    "~",
    "~ZZ",
    ",,,,",
    "$null",
    '{"simple": 1}',
    '{"table": 1}',
    "on",
    "off",
]
PARAMETERS = [
    "_facet",
    "_facet_array",
    "_facet_date",
    "_facet_size",
    "_size",
    "_sort",
    "_sort_desc",
    "_next",
    "_search",
    "_search_naam",
    "_searchmode",
    "_through",
    "_labels",
    "_label",
    "_col",
    "_nocol",
    "_json",
    "_json_infinity",
    "_ttl",
    "_timelimit",
    "_nocount",
    "_nofacet",
    "_stream",
    "_dl",
    "_shape",
    "_where",
    "_fts_table",
    "_fts_pk",
    "naam__in",
    "naam__notin",
    "woningen__gt",
    "naam__arraycontains",
    "naam__date",
]


QUERY_PARAMETERS = {"_shape", "_size", "_next", "_json", "_json_infinity", "_ttl", "_timelimit", "_stream", "_dl"}


def test_no_datasette_parameter_with_a_hostile_value_is_a_server_error(server):
    """Every parameter Datasette reads, each with values that broke it before, on a table, and those a
    query reads on a canned query and on own SQL: never a 5xx (pages: the tests above, same checks)."""
    queries = [f"{DB}/woningen_per_gemeente.json?", f"{DB}.json?sql=select+1&"]
    urls = [
        f"{server}{DB}/plannen.json?{urllib.parse.urlencode({name: value})}&_size=2"
        for name in PARAMETERS
        for value in HOSTILE
    ]
    urls += [
        f"{server}{url}{urllib.parse.urlencode({name: value})}"
        for url in queries
        for name in PARAMETERS
        if name in QUERY_PARAMETERS
        for value in HOSTILE
    ]
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda url: get(url)[0], urls))
    failures = [f"{status} {url}" for status, url in zip(statuses, urls) if status >= 500]
    assert not failures, "\n".join(failures[:30])
