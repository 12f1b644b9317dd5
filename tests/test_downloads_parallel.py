"""Fast downloads (ingest/downloads.py, ingest/download_writers.py, ingest/xlsx.py).

The process pool writes the same files as the serial path; a failing writer leaves no staged
directory and the published set unchanged; the workers of a killed build exit; and the
column-at-a-time fast paths write every value exactly as the general rules do (json.dumps,
xlsx.cell, csv.writer with the decimal comma), whatever the values.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import downloads, xlsx
from ingest.download_writers import Chunk, CsvFile, json_values

from helpers import ROOT

# what SQLite hands back (integers are 64-bit), plus what the general rules must also cope with
values = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.sampled_from(["=1+1", "a & b", "<b>", "1,5", 'zeg "ja"', "r1\nr2", "\x01\x1f", "\ufffe"]),
)
# columns as they come: one type with blanks (the fast paths) or anything mixed (the general path)
columns = st.one_of(
    st.lists(st.one_of(st.none(), st.integers(min_value=-(2**63), max_value=2**63 - 1))),
    st.lists(st.one_of(st.none(), st.text(max_size=250))),
    st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))),
    st.lists(values),
)


def stage(db, parent, workers):
    parent.mkdir()
    return downloads.stage(db, parent / "woningbouwplannen.db", lambda directory: None, workers=workers)


def contents(directory) -> dict:
    """Every file's bytes; a workbook's parts (the zip itself carries the time it was written)."""
    out = {}
    for path in sorted(directory.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as zf:
                out[path.name] = {name: zf.read(name) for name in zf.namelist()}
        elif path.name != downloads.INDEX:
            out[path.name] = path.read_bytes()
    return out


def index_without_xlsx_facts(directory) -> dict:
    index = json.loads((directory / downloads.INDEX).read_text(encoding="utf-8"))
    for f in index["files"]:
        if f["format"] == "xlsx":
            del f["bytes"], f["sha256"]
    return index


def test_the_pool_writes_the_same_files_as_the_serial_path(sample_db, tmp_path, monkeypatch):
    serial = stage(sample_db, tmp_path / "serial", workers=1)
    monkeypatch.setattr(downloads, "SPLIT_CELLS", 1)  # every table over two tasks: the split path too
    parallel = stage(sample_db, tmp_path / "parallel", workers=2)
    got, want = contents(parallel), contents(serial)
    assert got == want and len(want) >= 4 * 13 + 1  # 4 formats of 13+ tables, and datapackage.json
    assert index_without_xlsx_facts(parallel) == index_without_xlsx_facts(serial)


def test_tasks_cover_every_format_once_biggest_first():
    tables = [
        downloads.Table("klein", ["a"], 10),
        downloads.Table("groot", list("abcdef"), 1_000_000),
        downloads.Table("enorm", ["a"], 2_000_000),
    ]
    tasks = downloads.tasks(tables, split=True)
    assert [t.name for t, _ in tasks][:2] == ["groot", "groot"]  # split over two tasks, started first
    assert sorted((t.name, f) for t, formats in tasks for f in formats) == sorted(
        [(name, f) for name in ("klein", "groot") for f in downloads.FORMATS]
        + [("enorm", f) for f in ("csv", "csv-excel", "json")]
    )  # over Excel's row limit: no XLSX


def test_a_failing_writer_leaves_no_staged_directory_and_the_published_set_unchanged(sample_db, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    db = out / "woningbouwplannen.db"
    shutil.copy(sample_db, db)
    link = downloads.publish(downloads.stage(db, db, lambda directory: None, workers=1), db)
    target, index = link.resolve(), (link / downloads.INDEX).read_bytes()
    broken = tmp_path / "broken.db"
    shutil.copy(sample_db, broken)
    with sqlite3.connect(broken) as conn:  # a blob no JSON can hold: the JSON writer refuses it
        conn.execute("update plannen set omschrijving = ? where rowid = 1", [b"\x00\xff"])
    for workers in (1, 2):
        with pytest.raises(TypeError, match="bytes"):
            downloads.stage(broken, db, lambda directory: None, workers=workers)
        assert not list(out.glob(f".{downloads.DOWNLOADS_DIR}.tmp-*")), workers
        assert link.resolve() == target and (link / downloads.INDEX).read_bytes() == index


WORKERS_THEN_WAIT = """
import multiprocessing, sys, time
from pathlib import Path
from ingest import downloads

def meanwhile(directory):  # runs while the workers write: show them, then wait to be killed
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    time.sleep(120)

if __name__ == "__main__":
    downloads.stage(Path(sys.argv[1]), Path(sys.argv[2]) / "woningbouwplannen.db", meanwhile, workers=2)
"""


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # an exited, unreaped orphan is a zombie
    except FileNotFoundError:
        return False


def test_the_workers_of_a_killed_build_exit(sample_db, tmp_path):
    script = tmp_path / "stage_and_wait.py"
    script.write_text(WORKERS_THEN_WAIT, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, str(script), str(sample_db), str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2, proc.stderr.read()
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    deadline = time.monotonic() + 10
    while any(map(running, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(running, pids))


def test_text_is_never_a_formula_and_numbers_stay_numbers(tmp_path):
    path = tmp_path / "t.xlsx"
    rows = [("=1+1", 7, 1.5, None), ("a & <b>", -3, float("inf"), "r1\nr2\x01")]
    assert xlsx.write(path, "tabel", ["tekst", "geheel", "getal", "leeg"], rows) == 2
    sheet = openpyxl.load_workbook(path)["tabel"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["=1+1", 7, 1.5, None],
        ["a & <b>", -3, "inf", "r1\nr2"],
    ]
    assert sheet["A2"].data_type == "s"  # a string, not a formula


@settings(deadline=None, max_examples=300)
@given(columns)
def test_xlsx_column_fast_paths_equal_the_cell_rule(values):
    try:
        want = [xlsx.cell(v) for v in values]
    except ValueError:  # too long for a cell: the column is refused too
        with pytest.raises(ValueError):
            xlsx.column_cells(values)
        return
    assert xlsx.column_cells(values) == want


@settings(deadline=None, max_examples=300)
@given(columns)
def test_json_column_fast_paths_equal_json_dumps(values):
    assert json_values(values) == [json.dumps(v, ensure_ascii=False) for v in values]


def spreadsheet(value):
    """What the file for Dutch Excel holds: a decimal comma, and text that starts like a formula
    (= + - @ tab CR) behind a ' so that Excel shows it instead of running it (OWASP)."""
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(values, values, values), max_size=30), st.booleans())
def test_csv_writer_equals_csv_module_with_the_decimal_comma(rows, excel):
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "t.csv"
        out = CsvFile(path, "t", ["a", "b", "c"], excel=excel)
        if rows:
            out.add(Chunk(rows))
        assert out.finish()[0] == len(rows)
        written = path.read_bytes()
    want = io.StringIO(newline="")
    writer = csv.writer(want, delimiter=";" if excel else ",")
    writer.writerow(["a", "b", "c"])
    for row in rows:
        writer.writerow([spreadsheet(v) if excel else v for v in row])
    assert written == ("\ufeff" if excel else "").encode() + want.getvalue().encode("utf-8")
