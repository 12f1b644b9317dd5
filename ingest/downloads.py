"""Full-table downloads of every published table, built from the finished database before it is published.

Every published table becomes CSV (UTF-8), a CSV for Dutch Excel (`;`, UTF-8 with BOM, decimal
comma), JSON (an array of objects) and XLSX (ingest/download_writers.py); the tables with geometry
also GeoJSON (written by ingest.geometry). Next to them: `index.json` (file, table, format, rows,
bytes, sha256, peildatum) and the Frictionless `datapackage.json` (ingest/datapackage.py).

Atomic as a set: stage() writes everything into a fresh hidden directory next to the database
while the database is still the temporary file; publish() then points the `downloads` symlink at
it with one rename, so a failed build never leaves a half-written or mismatched set.

Parallel: a national database holds ~10 million cells per format, half a minute of work for one
core. The files are written by a pool of processes (ingest/pool.py), one per core, each task
reading one table from its own read-only connection; meanwhile this process writes the GeoJSON.
A failing task fails the build, after the pool has stopped, so nothing writes into the removed
directory.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import datapackage, pool
from .download_writers import NOT_IN_XLSX, SUFFIXES, connect_ro, file_facts, write_task
from .schema import DATABASE
from .tables import published_tables

DOWNLOADS_DIR = "downloads"  # next to the database, and its URL: /downloads/ (portal/serve.py mounts it)
INDEX = "index.json"
DB_URL_NAME = f"{DATABASE}.db"  # Datasette serves the database under this name (portal/serve.py)
EXCEL_MAX_ROWS = 1_048_575  # Excel sheet limit (1,048,576 rows) less the header
FORMATS = ("csv", "csv-excel", "json", "xlsx")  # per table, in the order of index.json


def published_dir(db_path: Path) -> Path:
    """The download set published beside a database file (through a symlink such as make serve's, too)."""
    return Path(db_path).resolve().parent / DOWNLOADS_DIR


# Below this many cells (rows x columns, all tables) the files are written in this process:
# starting the workers (a fresh interpreter each) would cost more than it saves.
PARALLEL_MIN_CELLS = 1_000_000
# A table this big is split over two tasks (each reads it once), so that both cores share it; reading
# costs a third of writing two formats, so only a table that would keep one core busy alone is split.
SPLIT_CELLS = 5_000_000
FORMAT_GROUPS = (("csv", "json"), ("csv-excel", "xlsx"))

MEDIA_TYPES = {
    "csv": "text/csv",
    "csv-excel": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "sqlite": "application/vnd.sqlite3",
}


def belongs_to(index: dict | None, database_sha256: str | None) -> bool:
    """Whether a download set (its index.json) was made from the database being served. The two are
    switched one after the other; a build killed in between leaves a pair that must not be served."""
    recorded = ((index or {}).get("database") or {}).get("sha256")
    return bool(recorded) and recorded == database_sha256


def peildatum(conn: sqlite3.Connection) -> str | None:
    """The newest export's reference date, as on every page (plugins/portal_state.py)."""
    try:
        return conn.execute(
            "select max(case when soort in ('plannen', 'woningbouwkaart') then peildatum end) from bronnen"
        ).fetchone()[0]
    except sqlite3.OperationalError:
        return None


@dataclass(frozen=True)
class Table:
    name: str
    columns: list[str]  # the downloaded ones, in table order
    rows: int

    @property
    def formats(self) -> tuple[str, ...]:
        # a table over Excel's sheet limit does not fit one sheet: CSV is its format
        return FORMATS if self.rows <= EXCEL_MAX_ROWS else FORMATS[:3]


def table_facts(conn: sqlite3.Connection, name: str) -> Table:
    columns = [c for _, c, *_ in conn.execute(f"pragma table_info([{name}])")]
    return Table(name, columns, conn.execute(f"select count(*) from [{name}]").fetchone()[0])


def tasks(tables: list[Table], split: bool) -> list[tuple[Table, tuple[str, ...]]]:
    """(table, formats written from one read of it), the biggest first: the pool hands tasks out in
    this order, so a big one never starts last and leaves one core idle."""
    out = []
    for table in tables:
        if split and table.rows * len(table.columns) >= SPLIT_CELLS:
            groups = [tuple(f for f in group if f in table.formats) for group in FORMAT_GROUPS]
        else:
            groups = [table.formats]
        out += [(table, group) for group in groups if group]
    return sorted(out, key=lambda t: t[0].rows * len(t[0].columns) * (1 + len(t[1])), reverse=True)


def workers_for(tables: list[Table]) -> int:
    cells = sum(t.rows * len(t.columns) for t in tables)
    return pool.cores() if cells >= PARALLEL_MIN_CELLS else 1


def write_tables(
    directory: Path, db: Path, tables: list[Table], workers: int, meanwhile: Callable[[], object] = lambda: None
) -> dict[tuple[str, str], tuple[int, int, str]]:
    """Every table's files: (table, format) -> (rows written, bytes, sha256). `meanwhile` runs in
    this process while the workers write."""
    written = {}
    if workers <= 1:
        meanwhile()
        for table, formats in tasks(tables, split=False):
            for fmt, facts in write_task(db, directory, table.name, table.columns, formats).items():
                written[(table.name, fmt)] = facts
        return written
    with pool.pool(workers) as executor:
        futures = [
            (table, executor.submit(write_task, db, directory, table.name, table.columns, formats))
            for table, formats in tasks(tables, split=True)
        ]
        meanwhile()
        for table, future in futures:
            for fmt, facts in future.result().items():
                written[(table.name, fmt)] = facts
    return written


def entry(path: Path, table: str | None, fmt: str, rows: int | None, peil: str | None, facts=None, **extra) -> dict:
    size, sha = facts or file_facts(path)
    return {
        "file": path.name,
        "table": table,
        "format": fmt,
        "mediatype": MEDIA_TYPES[fmt],
        "rows": rows,
        "bytes": size,
        "sha256": sha,
        "peildatum": peil,
        **extra,
    }


def _check_count(path: Path, written: int, count: int) -> None:
    if written != count:  # never publish a download that silently lost rows
        raise RuntimeError(f"{path.name}: {written} rijen geschreven, de tabel heeft er {count}")


def index_entries(directory: Path, tables: list[Table], written: dict, peil: str | None) -> list[dict]:
    entries = []
    for table in tables:
        for fmt in table.formats:
            path = directory / f"{table.name}{SUFFIXES[fmt]}"
            rows, size, sha = written[(table.name, fmt)]
            _check_count(path, rows, table.rows)
            omitted = [c for c in table.columns if c in NOT_IN_XLSX] if fmt == "xlsx" else []
            entries.append(
                entry(
                    path,
                    table.name,
                    fmt,
                    table.rows,
                    peil,
                    (size, sha),
                    **({"columns_omitted": omitted} if omitted else {}),
                )
            )
        geojson = directory / f"{table.name}.geojson"
        if geojson.exists():
            entries.append(entry(geojson, table.name, "geojson", table.rows, peil))
    return entries


def stage(tmp_db: Path, db_path: Path, write_geojson: Callable[[Path], object], workers: int | None = None) -> Path:
    """Write the complete download set for the finished (not yet published) database file tmp_db.

    Returns the staged directory; the caller publishes it with publish() right after the database swap.
    `workers`: processes writing the files (default: one per core for a big database, else none).
    """
    parent = db_path.parent
    for stale in parent.glob(f".{DOWNLOADS_DIR}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed build
    staged = parent / f".{DOWNLOADS_DIR}.tmp-{os.getpid()}-{time.time_ns()}"
    staged.mkdir()
    try:
        conn = connect_ro(tmp_db)
        try:
            peil = peildatum(conn)
            tables = [table_facts(conn, name) for name in published_tables(conn)]
            database = {}

            def meanwhile():  # this process's share while the workers write the tables
                write_geojson(staged)
                # os.replace keeps the bytes: these are the published file's
                database["bytes"], database["sha256"] = file_facts(tmp_db)

            written = write_tables(
                staged, tmp_db, tables, workers_for(tables) if workers is None else workers, meanwhile
            )
            index = {
                "peildatum": peil,
                "database": {
                    "file": DB_URL_NAME,
                    "format": "sqlite",
                    "mediatype": MEDIA_TYPES["sqlite"],
                    **database,
                    "peildatum": peil,
                },
                "files": index_entries(staged, tables, written, peil),
            }
            datapackage.write(staged, conn, index)
        finally:
            conn.close()
        (staged / INDEX).write_text(json.dumps(index, ensure_ascii=False, indent=1), encoding="utf-8")
        for path in staged.iterdir():
            path.chmod(0o644)
        staged.chmod(0o755)
    except BaseException:
        shutil.rmtree(staged, ignore_errors=True)
        raise
    return staged


def publish(staged: Path, db_path: Path) -> Path:
    """Make `downloads` point at the staged set in one rename of a symlink; remove older sets."""
    parent = db_path.parent
    link = parent / DOWNLOADS_DIR
    final = parent / f".{DOWNLOADS_DIR}-{staged.name.rsplit('tmp-', 1)[1]}"
    os.rename(staged, final)
    if link.exists() and not link.is_symlink():
        # a plain directory from an older build (or `mkdir -p` in the Makefile): moved aside once
        os.rename(link, parent / f".{DOWNLOADS_DIR}-old-{os.getpid()}")
    tmp_link = parent / f".{DOWNLOADS_DIR}.link-{os.getpid()}"
    tmp_link.unlink(missing_ok=True)
    os.symlink(final.name, tmp_link)
    os.replace(tmp_link, link)
    for old in parent.glob(f".{DOWNLOADS_DIR}-*"):
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    return link
