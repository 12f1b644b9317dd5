"""Hostile visitors (issue 13): every attack is refused or bounded and the pages are still answered
under it (how fast: make bench, bench/attacks.py), no server paths or
pointers in answers, no 500 for sloppy headers, downloads only beside their own database.
A real `datasette serve` with the `make serve` configuration; nginx: tests/test_serve_prod.py."""

from __future__ import annotations

import json
import re
import shutil
import sys
import threading
import time
from urllib.parse import quote

import pytest
from test_abuse import get, sql_url

from helpers import ROOT, start_server

sys.path.insert(0, str(ROOT))  # bench/ is not an installed package
from bench.attacks import ATTACKS, CLIENTS, PACE, PAGES  # noqa: E402  (one list for the tests and make bench)


@pytest.fixture(scope="module")
def live(sample_db, tmp_path_factory):
    directory = tmp_path_factory.mktemp("visitors")
    db = directory / "woningbouwplannen.db"
    shutil.copy(sample_db, db)
    shutil.copytree(sample_db.parent / "downloads", directory / "downloads", symlinks=False)
    proc, base = start_server(db, ["--static", f"downloads:{directory / 'downloads'}"])
    yield base, db, directory
    proc.terminate()
    proc.wait(10)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_refused_or_bounded_at_once(live, attack):
    base = live[0]
    status, _, body = get(base + ATTACKS[attack](0, 0))
    # refused with a 400 naming the parameter, or (1,000 repeats of one facet) answered as one facet
    assert status == (200 if attack == "facet_naam_1000x" else 400), (status, body[:300])
    assert len(body) < 200_000  # no 505 MB answer (how fast: bench/attacks.py in make bench)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_under_each_attack_the_pages_are_still_answered(live, attack):
    """Its speed (p95 within 3x idle) is measured by make bench (bench/attacks.py); here: every
    page request is answered while the attack runs, and every attack gets its refusal or answer."""
    base = live[0]
    stop, statuses = threading.Event(), set()

    def attacker(k: int):
        i = 0
        while not stop.is_set():
            statuses.add(get(base + ATTACKS[attack](k, i), timeout=60)[0])
            i += 1
            time.sleep(PACE)

    threads = [threading.Thread(target=attacker, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    try:
        answers = [
            get(f"{base}{path}{'&' if '?' in path else '?'}m={attack}{i}")[0] for path in PAGES for i in range(5)
        ]
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert answers == [200] * len(answers)
    assert statuses == {200 if attack == "facet_naam_1000x" else 400}, statuses


def test_repeated_facets_count_once_and_more_than_five_is_a_400(live):
    base = live[0]
    once = json.loads(get(base + "/woningbouwplannen/plannen.json?_facet=naam&_size=0")[2])["facet_results"]
    status, _, body = get(base + "/woningbouwplannen/plannen.json?" + "&".join(["_facet=naam"] * 50) + "&_size=0")
    assert status == 200 and list(json.loads(body)["facet_results"]) == list(once)
    many = "&".join(f"_facet={c}" for c in ("provincie", "gemeente", "planstatus", "hardheid", "naam", "peildatum"))
    status, _, body = get(base + "/woningbouwplannen/plannen.json?" + many)
    assert status == 400 and b"_facet" in body


def test_a_search_phrase_over_the_bound_names_the_parameter(live):
    base = live[0]
    status, headers, body = get(base + "/woningbouwplannen/plannen.json?_search=" + "a+" * 30)
    assert status == 400 and json.loads(body)["error"].startswith("_search:")
    assert headers["x-content-type-options"] == "nosniff"  # a guard's answer carries the headers too


@pytest.mark.parametrize(
    "sql",
    [
        "select file from pragma_database_list",
        'select * from "pragma_database_list"',
        "select fts3_tokenizer('simple')",
        "SELECT FTS3_TOKENIZER('porter')",
    ],
)
def test_visitors_sql_cannot_ask_for_paths_or_pointers(live, sql):
    status, _, body = get(sql_url(live[0], sql))
    assert status == 400 and b"niet toegestaan" in body


@pytest.mark.parametrize(
    "path",
    [
        "/woningbouwplannen.json?sql=" + quote("select printf('%.*c', 999999999, 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select format('%999999999d', 1)"),
        # SQLite's reading of the arguments: %n takes none, '999999999x' is 999999999, widths are C ints
        "/woningbouwplannen.json?sql=" + quote("select printf('%n%.*c', 999999999, 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select printf('%.*n%.*c', 5, 999999999, 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select printf('%.*%%.*c', 5, 999999999, 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select printf('%5%%.*c', 999999999, 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select printf('%.*c', '999999999x', 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select printf('%.*c', 4294967296 + 999999999, 'x')"),
        "/woningbouwplannen.json?sql=" + quote("select printf(replace(hex(zeroblob(500)), '00', '%.9999c'), 'x')"),
        "/woningbouwplannen/plannen.json?_where=" + quote("length(printf('%.*c', 999999999, 'x')) > 0"),
        "/woningbouwplannen/plannen.json?_where=" + quote("length(randomblob(999999999)) > 0"),
        # under the value limit, hundreds of these fit between two of the time limit's checks
        "/woningbouwplannen.json?sql=" + quote("select " + " + ".join(["length(randomblob(60000000))"] * 30)),
        "/woningbouwplannen.json?sql=" + quote("select length(zeroblob(60000000))"),
    ],
)
def test_a_statement_cannot_build_a_giant_value_past_the_limits(live, path):
    """printf appends a billion characters one at a time (seconds per row, uninterruptible): refused
    by its width; randomblob by SQLite's length limit. Both a 400, not a 500 and not a wait."""
    status, _, body = get(live[0] + path)
    assert status == 400, body[:300]


def test_printf_still_formats_as_sqlite_does(live):
    sql = "select printf('%5.2f|%d|%-4s|%%|%*d|%,d', 3.14159, 42, 'ab', 3, 7, 1234567) as t"
    status, _, body = get(sql_url(live[0], sql) + "&_shape=array")
    assert status == 200 and json.loads(body) == [{"t": " 3.14|42|ab  |%|  7|1,234,567"}]


@pytest.mark.parametrize("path", ["/en/gemeente/S%C3%BAdwest-Frysl%C3%A2n", "/en/caf%C3%A9", "/nl/plan/%E2%82%AC"])
def test_a_language_prefixed_path_with_any_character_is_answered_not_a_500(live, path):
    status, headers, _ = get(live[0] + path)
    assert status in (200, 302, 404) and headers["x-content-type-options"] == "nosniff", status


@pytest.mark.parametrize("value", ["en;q=1.2.3", "en;q=abc", ";;;", "x" * 5000, "en-GB;q=", "*"])
def test_a_sloppy_accept_language_is_never_a_500(live, value):
    import urllib.request

    request = urllib.request.Request(live[0] + "/", headers={"Accept-Language": value})
    with urllib.request.urlopen(request, timeout=30) as r:
        assert r.status == 200
        assert r.headers["content-security-policy"] and r.headers["x-content-type-options"] == "nosniff"


def test_no_response_names_a_server_path_or_a_pointer(live):
    """A crawl of the public introspection and data endpoints: none holds this machine's paths."""
    base, db, directory = live
    paths = {
        str(ROOT),
        str(directory),
        str(db),
        str(db.resolve()),
        "/root",
        "/home/",
        ".venv",
        "site-packages",
        "/python3.",
    }
    urls = [
        "/-/databases.json",
        "/-/threads.json",
        "/-/versions.json",
        "/-/settings.json",
        "/-/plugins.json",
        "/-/metadata.json",
        "/.json",
        "/woningbouwplannen.json",
        "/woningbouwplannen/bronnen.json?_shape=array",
        "/-/kaartdata.json",
        "/catalog.jsonld",
        "/datapackage.json",
        "/openapi.json",
        "/downloads/index.json",
        "/downloads",
        "/woningbouwplannen/ingest_problemen.json?_shape=array&_size=max",
        "/bestaat-niet",
        "/woningbouwplannen/x",
        "/woningbouwplannen.json?sql=select+1/0",
        "/woningbouwplannen.json?sql=select+*+from+bestaat_niet",
    ]
    for url in urls:
        _, _, body = get(base + url)
        text = body.decode("utf-8", "replace")
        found = [p for p in paths if p in text]
        assert not found, (url, found)
        assert not re.search(r"0x[0-9a-f]{10,}", text), url  # no memory addresses (48-bit pointers)


def test_downloads_out_of_step_with_the_database_are_not_served(live):
    """A build killed between the database swap and the downloads swap leaves a mismatched pair:
    the files answer 503 instead of data that does not belong to the database being served."""
    base, db, directory = live
    assert get(base + "/downloads/plannen.csv")[0] == 200
    index_path = directory / "downloads" / "index.json"
    original = index_path.read_text()
    index = json.loads(original)
    index["database"]["sha256"] = "0" * 64
    index_path.write_text(json.dumps(index))
    try:
        status, _, body = get(base + "/downloads/plannen.csv")
        assert status == 503 and "andere versie van de database" in body.decode()
        assert get(base + "/catalog.jsonld")[0] == 404
    finally:
        index_path.write_text(original)
    assert get(base + "/downloads/plannen.csv")[0] == 200
