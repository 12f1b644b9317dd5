"""Shared fixtures: small real databases built by the real ingest, served by the real Datasette."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from ingest.build import build

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_SOURCES = ROOT / "data" / "sources.yml"  # the sample releases (what make serve shows)
EXPORT_SOURCES = ROOT / "data" / "sample" / "exports.yml"  # the sample exports in a supplier's layout
GEMEENTEN = ROOT / "data" / "reference" / "gemeenten.csv"


def portal_metadata(plugin_config: dict | None = None) -> dict:
    """metadata.yml, with the given plugins' configuration in place of ours."""
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    metadata["plugins"].update(plugin_config or {})
    return metadata


def make_datasette(db_path: Path, plugin_config: dict | None = None) -> Datasette:
    """The app exactly as `make serve` configures it (same metadata, plugins, templates, settings);
    `plugin_config` replaces a plugin's block of metadata.yml."""
    return Datasette(
        files=[],
        immutables=[str(db_path)],
        metadata=portal_metadata(plugin_config),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        # downloads/: the full-dataset GeoJSON files the build writes next to the database
        static_mounts=[("static", str(ROOT / "static")), ("downloads", str(Path(db_path).parent / "downloads"))],
        settings=json.loads((ROOT / "settings.json").read_text()),
        cors=True,
    )


def query(db: Path, sql: str, params=()) -> list[dict]:
    """Rows of a built database as dicts, read with plain sqlite3 (independent of Datasette)."""
    import sqlite3

    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def write_manifest(directory: Path, entries: list[dict], with_gemeenten: bool = True) -> Path:
    if with_gemeenten:
        entries = [{"kind": "gemeenten", "path": str(GEMEENTEN)}, *entries]
    path = directory / "sources.yml"
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


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
    assert path.exists(), f"../shared/data is missing next to the repository ({path})"
    return path


def copy_sample(dest: Path) -> Path:
    shutil.copytree(ROOT / "data" / "sample", dest, dirs_exist_ok=True)
    return dest


# --- a real server on 127.0.0.1 and a real headless Chromium, shared by the browser tests ---

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_args(db: Path, port: int, metadata: Path | None = None) -> list[str]:
    """`datasette serve` exactly as the Makefile runs it (another metadata file if given)."""
    settings = json.loads((ROOT / "settings.json").read_text())
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db), "-m", str(metadata or ROOT / "metadata.yml"),
            "--plugins-dir", str(ROOT / "plugins"), "--template-dir", str(ROOT / "templates"),
            "--static", f"static:{ROOT / 'static'}", "--cors", "-h", "127.0.0.1", "-p", str(port)]
    for key, value in settings.items():
        args += ["--setting", key, str(value)]
    return args


def start_server(db: Path, extra_args=(), metadata: Path | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    # the access log goes to a file: an unread pipe fills up and stalls the server
    log = open(db.parent / f"datasette-{port}.log", "wb")
    proc = subprocess.Popen([*serve_args(db, port, metadata), *extra_args], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("datasette did not start: " + (db.parent / f"datasette-{port}.log").read_text()[-2000:])


@contextmanager
def built_server(directory: Path, entries: list[dict]):
    """Build a database from a test's own sources and serve it like `make serve`; yields the base URL."""
    db = directory / "woningbouwplannen.db"
    build(write_manifest(directory, entries), db, quiet=True)
    proc, base = start_server(db, ["--static", f"downloads:{directory / 'downloads'}"])
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


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
