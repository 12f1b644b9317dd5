"""What the tests share besides fixtures: paths, the app and server exactly as `make serve` configures
them, a plain-sqlite3 reader, manifests, Chromium. Fixtures (which use these) are in conftest.py."""

from __future__ import annotations

import json
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
from portal import serve as portal_serve
from portal.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: F401  (re-exported for the tests)

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


def copy_sample(dest: Path) -> Path:
    shutil.copytree(ROOT / "data" / "sample", dest, dirs_exist_ok=True)
    return dest


# --- a real server on 127.0.0.1 and a real headless Chromium, shared by the browser tests ---

ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_args(db: Path, port: int, metadata: Path | None = None) -> list[str]:
    """`datasette serve` exactly as `make serve` runs it (portal/serve.py; another metadata file if given)."""
    return portal_serve.serve_args(db, port, metadata=metadata)


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


def needs_shared(path: Path):
    """A skip mark for tests that read a real public file from ../shared (read in place, never copied):
    without that folder next to the repository they skip, naming the file, instead of erroring."""
    return pytest.mark.skipif(
        not path.exists(),
        reason=f"{path} is absent: these tests read ../shared next to "
        "the repository (see ../shared/data/PROVENANCE.md)",
    )


def ingest_build(sources: Path, db: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """`python -m ingest build --quiet` as a steward runs it: its exit code and its lines, never raising."""
    return subprocess.run(
        [sys.executable, "-m", "ingest", "build", "--quiet", "--sources", str(sources), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
