"""Read the published database through memory-mapped I/O, within SQLite's limits.

The database file is immutable while served (a new build replaces it whole), so SQLite may map
it: a page read is then a memory access instead of a read() system call into a private 2 MB
cache per connection. Searches, counts and facets that visit many rows by rowid gain most
(measured in `make bench`; four facets of a full-text search: 26 -> 9 ms at national scale).
The mapping is shared by every connection and replica through the OS page cache.

SQLite's own limits bound what any one statement can build, whoever wrote it: a value (a string or
blob: randomblob(999999999) fails at once instead of filling memory for seconds past the time limit,
which only interrupts between instructions), the text of a statement, and the heap of the process.
The largest value the portal holds is a plan area's outline, a few megabytes.

randomblob and zeroblob are capped at MAX_BLOB_BYTES (bounded_blob): under the value limit, a few
hundred of them still fit between two of Datasette's time-limit checks. One built-in escapes the limits: printf('%.*c', 999999999, 'x') appends a billion characters one
at a time before it gives up at the length limit (seconds, per row, uninterruptible). printf and
its alias format are replaced by a wrapper that refuses a width or precision above MAX_WIDTH and
hands everything else to SQLite's own printf, so results stay exactly SQLite's.
"""

import os
import re
import sqlite3

from datasette import hookimpl

MMAP_BYTES = 1 << 30  # up to 1 GiB of the file; SQLite maps no more than the file's size
MAX_VALUE_BYTES = 16 * 1024 * 1024  # the largest stored value, a plan area's outline, is a few MB
MAX_SQL_BYTES = 100_000
MAX_WIDTH = 10_000  # printf's widest field; a page never formats more than a few dozen
SOFT_HEAP_BYTES = 512 * 1024 * 1024  # SQLite frees its caches above this
HARD_HEAP_BYTES = 2 * 1024 * 1024 * 1024  # and fails an allocation above this (SQLITE_NOMEM), per process


# a conversion as SQLite's printf parses it: flags, width, precision, length, then one character
_SPEC = re.compile(r"%[-+ #0,!]*(\*|\d*)(?:\.(\*|\d*))?(?:ll|l)?(.)", re.DOTALL)
MAX_TOTAL_WIDTH = 100 * MAX_WIDTH  # all fields of one call together


def _as_int32(builtin: sqlite3.Connection, value) -> int:
    """A '*' argument as SQLite's printf reads it: CAST(... AS INTEGER) ('999x' is 999), as a C int."""
    whole = builtin.execute("select cast(? as integer)", (value,)).fetchone()[0] or 0
    return ((whole + (1 << 31)) % (1 << 32)) - (1 << 31)


def _fields_too_wide(builtin: sqlite3.Connection, fmt: str, args: tuple) -> bool:
    """Whether a width or precision, written or taken from the arguments ('*') as SQLite takes them,
    exceeds MAX_WIDTH, or all of them together MAX_TOTAL_WIDTH. %% and %n take no value (their '*' do)."""
    at, total = 0, 0
    for m in _SPEC.finditer(fmt):
        for size in (m.group(1), m.group(2)):  # a '*' takes an argument whatever the conversion
            if size == "*":
                n = abs(_as_int32(builtin, args[at])) if at < len(args) else 0
                at += 1
            else:
                n = int(size) & 0x7FFFFFFF if size else 0  # SQLite keeps 31 bits of a written number
            total += n
            if n > MAX_WIDTH or total > MAX_TOTAL_WIDTH:
                return True
        if m.group(3) not in ("%", "n"):  # %% and %n take no value of their own
            at += 1
    return False


def bounded_printf(builtin: sqlite3.Connection):
    def printf(fmt, *args):
        if fmt is None:
            return None
        if _fields_too_wide(builtin, str(fmt), args):
            raise ValueError(f"printf: field wider than {MAX_WIDTH}")
        marks = ",".join("?" * (1 + len(args)))
        return builtin.execute(f"select printf({marks})", (fmt, *args)).fetchone()[0]

    return printf


MAX_BLOB_BYTES = 1 << 20  # randomblob and zeroblob, which make a big value out of nothing


def bounded_blob(make):
    """randomblob(N) or zeroblob(N), refused above MAX_BLOB_BYTES: Datasette's time limit looks every
    1,000 instructions, and a few hundred randomblob(60000000) fit in fewer (seconds of work each)."""

    def blob(n):
        try:
            size = int(float(n))  # as SQLite reads '5' or 5.0
        except (TypeError, ValueError):
            size = 0
        if size > MAX_BLOB_BYTES:
            raise ValueError(f"blob larger than {MAX_BLOB_BYTES} bytes")
        return make(max(size, 0))

    return blob


@hookimpl
def prepare_connection(conn):
    conn.execute(f"pragma mmap_size = {MMAP_BYTES}")
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.execute(f"pragma soft_heap_limit = {SOFT_HEAP_BYTES}")
    conn.execute(f"pragma hard_heap_limit = {HARD_HEAP_BYTES}")
    builtin = sqlite3.connect(":memory:", check_same_thread=False)  # where SQLite's own printf still lives
    builtin.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf(builtin), deterministic=True)
    conn.create_function("randomblob", 1, bounded_blob(lambda n: os.urandom(max(n, 1))))
    conn.create_function("zeroblob", 1, bounded_blob(bytes), deterministic=True)
