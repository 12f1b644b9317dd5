"""Shared fixtures: small real databases built by the real ingest, served by the real Datasette."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from datasette.app import Datasette

from ingest.build import build

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_SOURCES = ROOT / "data" / "sources.yml"
GEMEENTEN = ROOT / "data" / "reference" / "gemeenten.csv"


def make_datasette(db_path: Path) -> Datasette:
    """The app exactly as `make serve` configures it (same metadata, plugins, templates, settings)."""
    return Datasette(
        files=[],
        immutables=[str(db_path)],
        metadata=yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8")),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        # downloads/: the full-dataset GeoJSON files the build writes next to the database
        static_mounts=[("static", str(ROOT / "static")), ("downloads", str(Path(db_path).parent / "downloads"))],
        settings=json.loads((ROOT / "settings.json").read_text()),
        cors=True,
    )


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
