"""Faults during a build: killed at any moment or out of disk space, the published database
stays valid and byte-for-byte unchanged, and the next build succeeds.

(A replica killed behind nginx: tests/test_serve_prod.py::test_killing_a_replica_loses_no_request.)
"""

from __future__ import annotations

import csv
import resource
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from helpers import ROOT, write_manifest

DB = "woningbouwplannen.db"


def export(path, n: int, prefix: str):
    codes = ["GM0363", "GM0344", "GM0599", "GM0518"]
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(
            ["Plan-ID", "Plannaam", "Gemeentecode", "Planstatus", "Aantal woningen", "Start bouw", "Omschrijving"]
        )
        for i in range(n):
            w.writerow(
                [
                    f"{prefix}-{i}",
                    f"Plan {i}",
                    codes[i % 4],
                    "Ontwerp",
                    10 + i % 90,
                    2026 + i % 8,
                    f"Omschrijving van plan {i} " * 3,
                ]
            )


def cli(manifest, db, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "build", "--quiet", "--sources", str(manifest), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def integrity(db) -> str:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    export(d / "klein.csv", 50, "OUD")
    small = write_manifest(d, [{"kind": "plannen", "path": "klein.csv", "peildatum": "2025-01-01"}])
    small = small.rename(d / "klein.yml")
    proc = cli(small, d / DB)
    assert proc.wait(120) == 0, proc.stderr.read()
    export(d / "groot.csv", 40_000, "NIEUW")
    big = write_manifest(d, [{"kind": "plannen", "path": "groot.csv", "peildatum": "2026-01-01"}])
    return d, big, (d / DB).read_bytes()


@pytest.mark.parametrize("after", [0.5, 1.5, 3.0, 5.0, 7.0])
def test_a_build_killed_at_any_moment_leaves_the_database_valid_and_unchanged(published, after):
    d, big, _ = published
    before = (d / DB).read_bytes()  # an earlier run of this test may have finished and published
    proc = cli(big, d / DB)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert integrity(d / DB) == "ok"
    if (d / DB).read_bytes() != before:
        # replaced: the build finished, or was killed in the instant after its atomic swap (publishing
        # the downloads, exiting), which a 5-second build can meet; then it is the whole new database
        assert proc.returncode in (0, -signal.SIGKILL)
        conn = sqlite3.connect(f"file:{d / DB}?mode=ro", uri=True)
        assert conn.execute("select count(*) from plannen").fetchone()[0] == 40_000
        conn.close()


def limited_disk():
    """In the child: files may grow to 2 MB; writing more fails with EFBIG instead of killing it."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2 * 1024 * 1024, 2 * 1024 * 1024))


def test_a_build_out_of_disk_space_leaves_the_database_unchanged(published):
    d, big, _ = published
    before = (d / DB).read_bytes()  # a killed build above may have finished first and published its own
    proc = cli(big, d / DB, preexec_fn=limited_disk)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("FOUT: ") and "niet gewijzigd" in lines[0], err
    assert lines[0].startswith(f"FOUT: {d}"), lines[0]  # it names where it could not write
    assert "Traceback" not in out + err
    assert (d / DB).read_bytes() == before and integrity(d / DB) == "ok"
    assert not list(d.glob(f".{DB}.tmp-*"))


def test_the_next_build_after_failures_succeeds(published):
    d, big, before = published
    proc = cli(big, d / DB)
    assert proc.wait(300) == 0, proc.stderr.read()
    conn = sqlite3.connect(d / DB)
    assert conn.execute("select count(*) from plannen").fetchone()[0] == 40_000
    assert integrity(d / DB) == "ok" and not list(d.glob(f".{DB}.tmp-*"))
