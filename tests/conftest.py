"""Shared fixtures: small real databases built by the real ingest, served by the real Datasette.
Helpers the tests import (paths, make_datasette, query, start_server, ...) are in helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasette.app import Datasette

from helpers import CHROMIUM, CHROMIUM_ARGS, EXPORT_SOURCES, SAMPLE_SOURCES, SHARED, build, make_datasette, start_server


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory) -> Path:
    """The database built from the shipped sample sources (data/sources.yml)."""
    directory = tmp_path_factory.mktemp("sample")
    db = directory / "woningbouwplannen.db"
    build(SAMPLE_SOURCES, db, quiet=True)
    return db


@pytest.fixture(scope="session")
def sample_app(sample_db) -> Datasette:
    return make_datasette(sample_db)


@pytest.fixture(scope="session")
def export_db(tmp_path_factory) -> Path:
    """The database built from the sample exports (data/sample/exports.yml): CSV and XLSX with
    rejected rows, non-public plans and columns, plan areas as a GeoPackage."""
    directory = tmp_path_factory.mktemp("exports")
    db = directory / "woningbouwplannen.db"
    build(EXPORT_SOURCES, db, quiet=True)
    return db


@pytest.fixture(scope="session")
def export_app(export_db) -> Datasette:
    return make_datasette(export_db)


@pytest.fixture
def tmp_sources(tmp_path):
    """A folder for a test's own small source files."""
    return tmp_path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.exists():
        pytest.skip(f"{path} is absent: these tests read ../shared next to the repository")
    return path


@pytest.fixture(scope="session")
def server(sample_db):
    downloads = sample_db.parent / "downloads"
    proc, base = start_server(sample_db, ["--static", f"downloads:{downloads}"] if downloads.exists() else [])
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def export_server(export_db):
    """The sample exports' database served like `make serve` (start years, lapsed plans, history)."""
    proc, base = start_server(export_db, ["--static", f"downloads:{export_db.parent / 'downloads'}"])
    yield base
    proc.terminate()
    proc.wait(10)


# Module scope: a live sync Playwright session would stop pytest-asyncio tests that follow.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    """A Dutch browser tab that may only reach our own server (tiles and the rest are refused, as offline)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    tab.js_errors = errors
    yield tab
    context.close()


# --- tiers: `make test-fast` leaves out the browser tests and these (nginx, a JVM, fuzzing, large or many
# builds, killed builds, waits on time limits); `make test` runs everything ---
SLOW_MODULES = {
    "test_badinput",
    "test_faults",
    "test_serve_prod",
    "test_log_retention",
    "test_openapi",
    "test_html_valid",
    "test_parallel_load",
    "test_downloads_parallel",
    "test_hypothesis",
    "test_abuse",
    "test_hostile_visitors",
    "test_woningbouwkaart",
    "test_dcat",
    "test_geo",
    "test_fetch",
    "test_hostile_sources",
    "test_bad_parameters",
    "test_real_workbook",
    "test_geo_output",
    "test_downloads",
    "test_canned_queries",
    "test_realisatie",
    "test_release_archive",
    "test_statements",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
