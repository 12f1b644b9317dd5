"""What a finished database publishes: its tables and their columns with the kind of value stored.

Read by the downloads (ingest/downloads.py) and by the data package that describes them
(ingest/datapackage.py); both import it, neither the other's internals.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # integer | number | string: what the stored values are, for CSV, Excel and the data package


def published_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table Datasette shows: not SQLite's own, not full-text-search tables or their shadow tables."""
    rows = conn.execute(
        "select name, coalesce(sql, '') from sqlite_master where type = 'table' order by name"
    ).fetchall()
    fts = [name for name, sql in rows if "using fts" in sql.lower()]
    return [
        name
        for name, _ in rows
        if not name.startswith("sqlite_") and not any(name == f or name.startswith(f + "_") for f in fts)
    ]


def table_columns(conn: sqlite3.Connection, table: str) -> list[Column]:
    """Columns with the kind of value actually stored (typeof), so an untyped column is typed by its data."""
    info = [(name, declared) for _, name, declared, *_ in conn.execute(f"pragma table_info([{table}])").fetchall()]
    if not info:
        return []
    # one scan for every column (a scan per column took seconds on a national plan_historie)
    found = conn.execute(
        "select " + ", ".join(f"group_concat(distinct typeof([{name}]))" for name, _ in info) + f" from [{table}]"
    ).fetchone()
    columns = []
    for (name, declared), seen in zip(info, found):
        kinds = set((seen or "").split(",")) - {"null", ""}
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
