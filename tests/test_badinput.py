"""Every file of the bad-input corpus (tests/badinput) through the real CLI, `python -m ingest build`.

For each file: no traceback; exit 0 (loaded, every row accounted for and every rejected
row reported) or 2 (one line naming the file, the published database byte-for-byte
unchanged, no temporary file left behind). The builds run two at a time.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ingest.build import build

from badinput import CASES, SECRET, Case, base_plans, make
from helpers import GEMEENTEN, ROOT

DB = "woningbouwplannen.db"


@dataclass
class Run:
    case: Case
    directory: Path
    before: bytes
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def manifest(directory: Path, c: Case) -> Path:
    sources = [{"kind": "gemeenten", "path": str(GEMEENTEN), "mapping": "gemeenten"}]
    if c.kind != "plannen":
        sources.append({"kind": "plannen", "path": str(base_plans(directory)), "peildatum": "2026-01-01"})
    sources.append(
        {"kind": c.kind, "path": str(c.path), **({"peildatum": "2026-01-01"} if c.kind == "plannen" else {}), **c.extra}
    )
    doc = {"sources": sources, **({"limits": c.limits} if c.limits else {})}
    path = directory / "sources.yml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> bytes:
    """A published database from a small good export: what every failed build must leave alone."""
    d = tmp_path_factory.mktemp("published")
    build(manifest(d, Case("base", "plannen", base_plans(d), "ok")), d / DB, quiet=True)
    return (d / DB).read_bytes()


def run_case(name: str, root: Path, published: bytes) -> Run:
    directory = root / name
    c = make(name, directory / "bron")
    (directory / DB).write_bytes(published)
    out, err = directory / "stdout", directory / "stderr"
    with open(out, "w") as o, open(err, "w") as e:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingest",
                "build",
                "--quiet",
                "--sources",
                str(manifest(directory, c)),
                "--db",
                str(directory / DB),
            ],
            cwd=ROOT,
            stdout=o,
            stderr=e,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        # CPU time of the build itself (wait4), not wall time: other work on the machine does not count
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        c, directory, published, proc.returncode, out.read_text(), err.read_text(), usage.ru_utime + usage.ru_stime
    )


@pytest.fixture(scope="module")
def runs(published, tmp_path_factory) -> dict[str, Run]:
    root = tmp_path_factory.mktemp("badinput")
    # the slowest first, so the two workers finish together
    names = sorted(CASES, key=lambda n: n != "csv_200000_rows")
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(names, pool.map(lambda n: run_case(n, root, published), names)))
    yield results
    shutil.rmtree(root, ignore_errors=True)


def test_the_corpus_is_large_and_varied():
    assert len(CASES) >= 30
    for prefix in ("csv_", "xlsx_", "gpkg_", "geojson_", "shp_zip_"):
        assert sum(n.startswith(prefix) for n in CASES) >= 4, prefix


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input(runs, name):
    run = runs[name]
    c = run.case
    output = run.stdout + run.stderr
    assert "Traceback" not in output, output[-3000:]
    assert run.returncode in (0, 2), output[-3000:]
    db = run.directory / DB
    assert not list(run.directory.glob(f".{DB}.tmp-*")), "temporary database left behind"
    if c.expect == "fatal":
        assert run.returncode == 2, f"expected a refusal, got: {output[-2000:]}"
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("FOUT: "), run.stderr
        assert c.path.name in lines[0] or "manifest" in lines[0], lines[0]
        assert c.message in lines[0], lines[0]
        assert db.read_bytes() == run.before, "a failed build changed the published database"
        return
    assert run.returncode == 0, output[-2000:]
    assert SECRET.encode() not in db.read_bytes()
    conn = sqlite3.connect(db)
    bron = conn.execute(
        "select id, rijen_gelezen, rijen_geladen, rijen_afgewezen, rijen_niet_openbaar from bronnen where bestand = ?",
        [c.path.name],
    ).fetchone()
    assert bron, f"{c.path.name} not in bronnen"
    bron_id, read, loaded, rejected, not_public = bron
    assert read == loaded + rejected + not_public, bron
    error_rows = conn.execute(
        "select count(distinct rij) from ingest_problemen where bron_id = ? and ernst = 'fout'", [bron_id]
    ).fetchone()[0]
    problem_rows = conn.execute(
        "select count(distinct rij) from ingest_problemen where bron_id = ? and rij is not null and ernst != 'info'",
        [bron_id],
    ).fetchone()[0]
    if c.kind == "plannen":
        assert error_rows == rejected, (error_rows, bron)  # every rejected row says why, and only those
    else:
        assert error_rows <= rejected <= problem_rows, (error_rows, problem_rows, bron)
    codes = {code for (code,) in conn.execute("select code from ingest_problemen where bron_id = ?", [bron_id])}
    assert set(c.codes) <= codes, (c.codes, codes)
    if c.loaded is not None:
        assert loaded == c.loaded, bron
    if c.kind == "plannen":
        assert conn.execute("select count(*) from plannen").fetchone()[0] == loaded
