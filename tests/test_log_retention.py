"""What /privacy says about the server logs holds for the production setup (deploy/): nginx logs a visitor's
address without its last part, serve_prod.py starts a new file each day and deletes files older than
log_days (metadata.yml). Against Debian's nginx (installed by .ci/run)."""

from __future__ import annotations

import importlib.util
import os
import sys
import time
import urllib.request
from datetime import date, timedelta

import pytest

from helpers import ROOT

_spec = importlib.util.spec_from_file_location("serve_prod", ROOT / "deploy" / "serve_prod.py")
serve_prod = importlib.util.module_from_spec(_spec)
sys.modules["serve_prod"] = serve_prod
_spec.loader.exec_module(serve_prod)


def test_old_day_files_are_deleted_and_an_old_log_becomes_a_day_file(tmp_path):
    today = date(2026, 12, 2)
    for name, age in [("access", 8), ("access", 7), ("access", 6), ("error", 9), ("error", 1)]:
        (tmp_path / f"{name}-{(today - timedelta(days=age)).isoformat()}.log").write_text("x\n")
    (tmp_path / "other-2026-01-01.log").write_text("not ours\n")
    current = tmp_path / "access.log"
    current.write_text("from three days ago\n")
    three_days_ago = time.mktime((today - timedelta(days=3)).timetuple()) + 3600
    os.utime(current, (three_days_ago, three_days_ago))
    (tmp_path / "error.log").write_text("today\n")
    deleted = serve_prod.rotate_logs(tmp_path, today, keep_days=7)
    assert sorted(p.name for p in deleted) == ["access-2026-11-24.log", "access-2026-11-25.log", "error-2026-11-23.log"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "access-2026-11-26.log",
        "access-2026-11-29.log",
        "error-2026-12-01.log",
        "error.log",
        "other-2026-01-01.log",
    ]
    assert (tmp_path / "access-2026-11-29.log").read_text() == "from three days ago\n"
    # at midnight the current file is yesterday's, whatever its last write
    (tmp_path / "error.log").write_text("late\n")
    serve_prod.rotate_logs(tmp_path, today + timedelta(days=1), keep_days=7, new_day=True)
    assert (tmp_path / "error-2026-12-02.log").read_text() == "late\n" and not (tmp_path / "error.log").exists()


@pytest.fixture(scope="module")
def prod(sample_db, tmp_path_factory):
    dep = serve_prod.start(
        sample_db, tmp_path_factory.mktemp("prod-logs"), f"127.0.0.1:{serve_prod.free_port()}", replicas=1
    )
    yield dep
    dep.stop()


def wait_for(path, text, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path.exists() and text in path.read_text():
            return path.read_text()
        time.sleep(0.2)
    raise AssertionError(f"{text!r} not in {path} within {timeout} s")


def test_nginx_masks_the_address_and_reopens_its_log_after_rotation(prod):
    logs = prod.prefix / "logs"
    urllib.request.urlopen(prod.url + "/over?eerste=1", timeout=30).read()
    line = [entry for entry in wait_for(logs / "access.log", "eerste=1").splitlines() if "eerste=1" in entry][0]
    assert line.startswith("127.0.0.0 - - [") and "127.0.0.1" not in line
    yesterday = date.today() - timedelta(days=1)
    stamp = time.mktime(yesterday.timetuple()) + 3600
    os.utime(logs / "access.log", (stamp, stamp))
    serve_prod.rotate_logs(logs, date.today(), serve_prod.log_days(), prod.nginx.pid)
    assert "eerste=1" in (logs / f"access-{yesterday.isoformat()}.log").read_text()
    urllib.request.urlopen(prod.url + "/over?tweede=1", timeout=30).read()
    assert "eerste=1" not in wait_for(logs / "access.log", "tweede=1")  # nginx writes a new file
