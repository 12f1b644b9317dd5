"""Full-table downloads of every published table, built from the finished database before it is published.

Every published table becomes CSV (UTF-8), a CSV for Dutch Excel (`;`, UTF-8 with BOM, decimal
comma), JSON (an array of objects) and XLSX; the tables with geometry also GeoJSON (written by
ingest.geometry). Next to them: `index.json` (file, table, format, rows, bytes, sha256, peildatum)
and the Frictionless `datapackage.json` (ingest/datapackage.py).

Atomic as a set: stage() writes everything into a fresh hidden directory next to the database
while the database is still the temporary file; publish() then points the `downloads` symlink at
it with one rename, so a failed build never leaves a half-written or mismatched set.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from . import xlsx

DOWNLOADS_DIR = "downloads"
INDEX = "index.json"
DB_URL_NAME = "woningbouwplannen.db"  # Datasette serves the database under this name (see Makefile)
# popup is the map's label (JSON of naam/gemeente/woningen): a display helper, not data.
NOT_IN_DOWNLOAD = ("popup",)
# An Excel cell holds at most 32,767 characters; outlines are in the GeoJSON and CSV downloads.
NOT_IN_XLSX = ("geometrie",)
EXCEL_MAX_ROWS = 1_048_575  # Excel sheet limit (1,048,576 rows) less the header
CHUNK = 2_000

MEDIA_TYPES = {
    "csv": "text/csv", "csv-excel": "text/csv", "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json", "sqlite": "application/vnd.sqlite3",
}
SUFFIXES = {"csv": ".csv", "csv-excel": ".excel.csv", "json": ".json", "xlsx": ".xlsx", "geojson": ".geojson"}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # integer | number | string: what the stored values are, for CSV, Excel and the data package


def published_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table Datasette shows: not SQLite's own, not full-text-search tables or their shadow tables."""
    rows = conn.execute("select name, coalesce(sql, '') from sqlite_master where type = 'table' order by name").fetchall()
    fts = [name for name, sql in rows if "using fts" in sql.lower()]
    return [name for name, _ in rows
            if not name.startswith("sqlite_") and not any(name == f or name.startswith(f + "_") for f in fts)]


def table_columns(conn: sqlite3.Connection, table: str) -> list[Column]:
    """Columns with the kind of value actually stored (typeof), so an untyped column is typed by its data."""
    columns = []
    for _, name, declared, *_ in conn.execute(f"pragma table_info([{table}])").fetchall():
        if name in NOT_IN_DOWNLOAD:
            continue
        kinds = {k for (k,) in conn.execute(f"select distinct typeof([{name}]) from [{table}] where [{name}] is not null")}
        if not kinds:  # only NULLs: the declared type decides
            kind = {"INTEGER": "integer", "REAL": "number"}.get((declared or "").upper(), "string")
        elif kinds <= {"integer"}:
            kind = "integer"
        elif kinds <= {"integer", "real"}:
            kind = "number"
        else:
            kind = "string"
        columns.append(Column(name, kind))
    return columns


def primary_key(conn: sqlite3.Connection, table: str) -> list[str]:
    rows = conn.execute(f"pragma table_info([{table}])").fetchall()
    return [r[1] for r in sorted((r for r in rows if r[5]), key=lambda r: r[5])]


def peildatum(conn: sqlite3.Connection) -> str | None:
    """The newest export's reference date, as on every page (plugins/portal_state.py)."""
    try:
        return conn.execute("select max(case when soort = 'plannen' then peildatum end) from bronnen").fetchone()[0]
    except sqlite3.OperationalError:
        return None


def _rows(conn: sqlite3.Connection, table: str, columns: list[Column]):
    cur = conn.execute(f"select {', '.join(f'[{c.name}]' for c in columns)} from [{table}] order by rowid")
    while batch := cur.fetchmany(CHUNK):
        yield from batch


def _excel_value(value):
    """Dutch Excel reads 1,5 as a number and 1.5 as text or a date."""
    return str(value).replace(".", ",") if isinstance(value, float) else value


def write_csv(path: Path, conn, table, columns, excel: bool = False) -> int:
    n = 0
    with open(path, "w", encoding="utf-8-sig" if excel else "utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";" if excel else ",")
        writer.writerow([c.name for c in columns])
        for row in _rows(conn, table, columns):
            writer.writerow([_excel_value(v) for v in row] if excel else row)
            n += 1
    return n


def write_json(path: Path, conn, table, columns) -> int:
    names = [c.name for c in columns]
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for row in _rows(conn, table, columns):
            f.write(("," if n else "") + "\n" + json.dumps(dict(zip(names, row)), ensure_ascii=False))
            n += 1
        f.write("\n]\n")
    return n


def write_xlsx(path: Path, conn, table, columns) -> tuple[int, list[str]]:
    """Streaming (write_only) workbook: one sheet named after the table, header row, one row per record."""
    kept = [c for c in columns if c.name not in NOT_IN_XLSX]
    # ingest/xlsx.py: ~5x faster than openpyxl's write-only mode (a 200,000-row export took minutes);
    # text is written as inline strings, so a value starting with "=" is never a formula
    n = xlsx.write(path, table[:31], [c.name for c in kept], _rows(conn, table, kept))
    return n, [c.name for c in columns if c.name in NOT_IN_XLSX]


def file_facts(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def entry(path: Path, table: str | None, fmt: str, rows: int | None, peil: str | None, **extra) -> dict:
    size, sha = file_facts(path)
    return {"file": path.name, "table": table, "format": fmt, "mediatype": MEDIA_TYPES[fmt], "rows": rows,
            "bytes": size, "sha256": sha, "peildatum": peil, **extra}


def _check_count(path: Path, written: int, count: int) -> None:
    if written != count:  # never publish a download that silently lost rows
        raise RuntimeError(f"{path.name}: {written} rijen geschreven, de tabel heeft er {count}")


def write_tables(directory: Path, conn: sqlite3.Connection, peil: str | None) -> list[dict]:
    entries = []
    for table in published_tables(conn):
        columns = table_columns(conn, table)
        count = conn.execute(f"select count(*) from [{table}]").fetchone()[0]
        for fmt, write in (("csv", lambda p: write_csv(p, conn, table, columns)),
                           ("csv-excel", lambda p: write_csv(p, conn, table, columns, excel=True)),
                           ("json", lambda p: write_json(p, conn, table, columns))):
            path = directory / f"{table}{SUFFIXES[fmt]}"
            _check_count(path, write(path), count)
            entries.append(entry(path, table, fmt, count, peil))
        if count <= EXCEL_MAX_ROWS:  # a bigger table does not fit one sheet: CSV is its format
            path = directory / f"{table}.xlsx"
            written, omitted = write_xlsx(path, conn, table, columns)
            _check_count(path, written, count)
            entries.append(entry(path, table, "xlsx", count, peil, **({"columns_omitted": omitted} if omitted else {})))
        geojson = directory / f"{table}.geojson"
        if geojson.exists():
            entries.append(entry(geojson, table, "geojson", count, peil))
    return entries


def stage(tmp_db: Path, db_path: Path, write_geojson: Callable[[Path], object]) -> Path:
    """Write the complete download set for the finished (not yet published) database file tmp_db.

    Returns the staged directory; the caller publishes it with publish() right after the database swap.
    """
    from . import datapackage  # the package descriptor describes the files written here

    parent = db_path.parent
    for stale in parent.glob(f".{DOWNLOADS_DIR}.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed build
    staged = parent / f".{DOWNLOADS_DIR}.tmp-{os.getpid()}-{time.time_ns()}"
    staged.mkdir()
    try:
        write_geojson(staged)
        conn = sqlite3.connect(f"file:{tmp_db}?mode=ro", uri=True)
        try:
            peil = peildatum(conn)
            entries = write_tables(staged, conn, peil)
            size, sha = file_facts(tmp_db)  # os.replace keeps the bytes: these are the published file's
            index = {"peildatum": peil, "database": {"file": DB_URL_NAME, "format": "sqlite",
                                                     "mediatype": MEDIA_TYPES["sqlite"], "bytes": size,
                                                     "sha256": sha, "peildatum": peil},
                     "files": entries}
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
