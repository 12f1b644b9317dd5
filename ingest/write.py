"""The one writer for every table: explicit schema, allow-listed columns, executemany."""

from __future__ import annotations

import sqlite3


def create_table(
    conn: sqlite3.Connection, name: str, columns: dict[str, str], pk: str | None = None, extra: str = ""
) -> None:
    cols = ",\n  ".join(f"[{c}] {t}{' PRIMARY KEY' if c == pk else ''}" for c, t in columns.items())
    conn.execute(f"CREATE TABLE [{name}] (\n  {cols}{extra}\n)")


def insert(conn: sqlite3.Connection, name: str, columns: dict[str, str], rows) -> int:
    """Raw executemany (sqlite-utils is ~7x slower here); only named columns are selected."""
    names = list(columns)
    sql = f"INSERT INTO [{name}] ({', '.join(f'[{c}]' for c in names)}) VALUES ({', '.join('?' * len(names))})"
    cur = conn.executemany(sql, ([row.get(c) for c in names] for row in rows))
    return cur.rowcount


def write_table(conn, name, columns, rows, pk=None, extra="") -> int:
    create_table(conn, name, columns, pk=pk, extra=extra)
    return insert(conn, name, columns, rows)
