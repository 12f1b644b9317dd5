"""Hostile visitors (issue 13): nothing outside the SQL lane starves the pages, no server paths or
pointers in answers, no 500 for sloppy headers, downloads only beside their own database.
A real `datasette serve` with the `make serve` configuration; nginx: tests/test_serve_prod.py."""
from __future__ import annotations

import json
import re
import shutil
import threading
import time
import urllib.parse

import pytest

from conftest import ROOT, start_server
from test_abuse import get, p95, page_times, sql_url

LONG_SEARCH = " ".join(f"woord{i}" for i in range(1_000))  # 9 KB: longer than a URL a server takes anyway
PACE = 0.02  # seconds each attacking client waits between requests: 4 clients, about 200 requests a second
HOME = "/"


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


ATTACKS = {
    # a random parameter misses every cache; each request asks SQLite for a 20,000-word search
    "kaartdata_search": lambda k, i: f"/-/kaartdata.json?_search={urllib.parse.quote(LONG_SEARCH)}&r={k}-{i}",
    "facet_naam_1000x": lambda k, i: "/woningbouwplannen/plannen.json?" + "&".join(["_facet=naam"] * 1000) + f"&r={k}-{i}",
    "table_search": lambda k, i: f"/woningbouwplannen/plannen?_search={urllib.parse.quote(LONG_SEARCH[:5000])}&r={k}-{i}",
    "randomblob": lambda k, i: "/woningbouwplannen.json?sql=" + urllib.parse.quote(
        "select length(randomblob(999999999)) + length(randomblob(999999999)) + length(randomblob(999999999))")
        + f"&r={k}-{i}",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_each_attack_is_refused_or_bounded_at_once(live, attack):
    base = live[0]
    started = time.perf_counter()
    status, _, body = get(base + ATTACKS[attack](0, 0))
    # refused with a 400 naming the parameter, or (1,000 repeats of one facet) answered as one facet
    assert status == (200 if attack == "facet_naam_1000x" else 400), (status, body[:300])
    assert time.perf_counter() - started < 3
    assert len(body) < 200_000  # no 505 MB answer


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_under_each_attack_the_home_page_p95_stays_within_3x_idle(live, attack):
    base = live[0]
    for i in range(5):
        get(f"{base}{HOME}?warm={i}")
    idle = page_times(base, 20, f"idle-{attack}")
    stop = threading.Event()

    def attacker(k: int):
        i = 0
        while not stop.is_set():
            get(base + ATTACKS[attack](k, i), timeout=60)
            i += 1
            time.sleep(PACE)

    threads = [threading.Thread(target=attacker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        attacked = page_times(base, 20, f"attack-{attack}")
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    baseline = max(p95(idle), 0.02)
    assert p95(attacked) <= 3 * baseline, (attack, p95(idle), p95(attacked))


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
    status, _, body = get(base + "/woningbouwplannen/plannen.json?_search=" + "a+" * 30)
    assert status == 400 and json.loads(body)["error"].startswith("_search:")


@pytest.mark.parametrize("sql", ["select file from pragma_database_list", "select * from \"pragma_database_list\"",
                                 "select fts3_tokenizer('simple')", "SELECT FTS3_TOKENIZER('porter')"])
def test_visitors_sql_cannot_ask_for_paths_or_pointers(live, sql):
    status, _, body = get(sql_url(live[0], sql))
    assert status == 400 and b"niet toegestaan" in body


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
    paths = {str(ROOT), str(directory), str(db), str(db.resolve()), "/root", "/home/", ".venv", "site-packages"}
    urls = ["/-/databases.json", "/-/versions.json", "/-/settings.json", "/-/plugins.json", "/-/metadata.json",
            "/.json", "/woningbouwplannen.json", "/woningbouwplannen/bronnen.json?_shape=array", "/-/kaartdata.json",
            "/catalog.jsonld", "/datapackage.json", "/openapi.json", "/downloads/index.json", "/downloads",
            "/woningbouwplannen/ingest_problemen.json?_shape=array&_size=max", "/bestaat-niet", "/woningbouwplannen/x",
            "/woningbouwplannen.json?sql=select+1/0", "/woningbouwplannen.json?sql=select+*+from+bestaat_niet"]
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
