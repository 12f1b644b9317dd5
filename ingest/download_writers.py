"""The files of one table's downloads, written from one read of the finished database.

write_task() reads a table once, in chunks, and feeds every chunk to the writer of each
format asked for: CSV (UTF-8), CSV for Dutch Excel (`;`, UTF-8 with BOM, decimal comma),
JSON (an array of objects) and XLSX (ingest/xlsx.py). It runs in a worker process of
ingest/downloads.py (or in the build's own process for a small database), so it takes only
picklable arguments and opens its own read-only connection.

Speed: a national build writes ~10 million cells per format. A chunk is turned into its
columns once (zip) and each writer converts a whole column at a time, with a check over the
column instead of one per cell; sizes and sha256 are counted while writing, not by reading
the file again.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from . import xlsx

SUFFIXES = {"csv": ".csv", "csv-excel": ".excel.csv", "json": ".json", "xlsx": ".xlsx", "geojson": ".geojson"}
# An Excel cell holds at most 32,767 characters; outlines are in the GeoJSON and CSV downloads.
NOT_IN_XLSX = ("geometrie",)
CHUNK = 2_000


def connect_ro(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(Path(db).resolve().as_uri() + "?mode=ro", uri=True)


def file_facts(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


class _Text:
    """A text file written in pieces as UTF-8, with its size and sha256 counted on the way."""

    def __init__(self, path: Path, bom: bool = False):
        self._file = open(path, "wb")
        self._sha = hashlib.sha256()
        self._bytes = 0
        if bom:  # Excel opens a CSV as UTF-8 only with the BOM
            self._write(codecs.BOM_UTF8)

    def write(self, text: str) -> None:
        self._write(text.encode("utf-8"))

    def _write(self, data: bytes) -> None:
        self._sha.update(data)
        self._bytes += len(data)
        self._file.write(data)

    def finish(self) -> tuple[int, str]:
        self._file.close()
        return self._bytes, self._sha.hexdigest()

    def close(self) -> None:
        self._file.close()


class Chunk:
    """Up to CHUNK rows of a table, also as columns, with the types found in each column (what the
    writers' fast paths look at)."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows
        self.columns = list(zip(*rows))
        self.kinds = [set(map(type, values)) for values in self.columns]


def excel_safe(value):
    if isinstance(value, float):
        return str(value).replace(".", ",")
    if isinstance(value, str) and value.startswith(xlsx.FORMULA_START):
        return "'" + value
    return value


class CsvFile:
    def __init__(self, path: Path, table: str, names: list[str], excel: bool = False):
        self._out = _Text(path, bom=excel)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=";" if excel else ",")
        self._excel = excel
        self._writer.writerow(names)
        self.rows = 0

    def add(self, chunk: Chunk) -> None:
        rows: Iterable[tuple] = chunk.rows
        if self._excel:
            # Dutch Excel reads 1,5 as a number and 1.5 as text or a date; a text starting like a
            # formula gets a leading ' (OWASP CSV injection): this file is for spreadsheets, the plain
            # CSV and the JSON keep every value exact for machines
            columns = [
                [excel_safe(v) for v in values] if (float in kinds or str in kinds) else values
                for values, kinds in zip(chunk.columns, chunk.kinds)
            ]
            rows = zip(*columns)
        self._writer.writerows(rows)
        self.rows += len(chunk.rows)
        self._flush()

    def _flush(self) -> None:
        self._out.write(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()

    def finish(self) -> tuple[int, int, str]:
        self._flush()
        return self.rows, *self._out.finish()

    def close(self) -> None:
        self._out.close()


_json_text = json.encoder.encode_basestring  # what json.dumps(..., ensure_ascii=False) writes for a str
_json_value = json.JSONEncoder(ensure_ascii=False).encode


def json_values(values: Sequence, kinds: set | None = None) -> list[str]:
    """One column of a chunk as JSON, exactly as json.dumps(ensure_ascii=False) writes each value."""
    kinds = set(map(type, values)) if kinds is None else set(kinds)
    kinds.discard(type(None))
    if kinds <= {int}:
        return ["null" if v is None else str(v) for v in values]
    if kinds == {str}:
        return ["null" if v is None else _json_text(v) for v in values]
    if kinds <= {int, float} and all(map(math.isfinite, (v for v in values if v is not None))):
        return ["null" if v is None else repr(v) for v in values]
    return [_json_value(v) for v in values]  # NaN/Infinity as json writes them; bytes raise TypeError, as ever


class JsonFile:
    """An array of objects, one per line, keys in column order."""

    def __init__(self, path: Path, table: str, names: list[str]):
        self._out = _Text(path)
        # the keys are the same on every row: encoded once into a %-template of the object
        self._template = "{" + ", ".join(_json_text(name).replace("%", "%%") + ": %s" for name in names) + "}"
        self._out.write("[")
        self.rows = 0

    def add(self, chunk: Chunk) -> None:
        objects = [self._template % values for values in zip(*map(json_values, chunk.columns, chunk.kinds))]
        if objects:
            self._out.write(("\n" if self.rows == 0 else ",\n") + ",\n".join(objects))
        self.rows += len(objects)

    def finish(self) -> tuple[int, int, str]:
        self._out.write("\n]\n")
        return self.rows, *self._out.finish()

    def close(self) -> None:
        self._out.close()


class XlsxFile:
    """One sheet named after the table; text as inline strings, so "=..." is never a formula."""

    def __init__(self, path: Path, table: str, names: list[str]):
        self._path = path
        self._keep = [i for i, name in enumerate(names) if name not in NOT_IN_XLSX]
        self._sheet = xlsx.Sheet(path, table[:31], [names[i] for i in self._keep])

    def add(self, chunk: Chunk) -> None:
        self._sheet.add([chunk.columns[i] for i in self._keep], [chunk.kinds[i] for i in self._keep])

    def finish(self) -> tuple[int, int, str]:
        rows = self._sheet.finish()
        return rows, *file_facts(self._path)  # a zip is rewritten in place while it is written: read it back

    def close(self) -> None:
        self._sheet.close()


class Writer(Protocol):
    """What write_task() feeds: CsvFile, JsonFile and XlsxFile."""

    def add(self, chunk: Chunk) -> None: ...
    def finish(self) -> tuple[int, int, str]: ...
    def close(self) -> None: ...


WRITERS: dict[str, Callable[[Path, str, list[str]], Writer]] = {
    "csv": CsvFile,
    "csv-excel": lambda p, t, c: CsvFile(p, t, c, excel=True),
    "json": JsonFile,
    "xlsx": XlsxFile,
}


def write_task(db: Path, directory: Path, table: str, names: list[str], formats: Sequence[str]) -> dict:
    """Write `formats` of one table from one read of it: format -> (rows written, bytes, sha256)."""
    conn = connect_ro(db)
    files: dict[str, Writer] = {}
    try:
        for fmt in formats:
            files[fmt] = WRITERS[fmt](Path(directory) / f"{table}{SUFFIXES[fmt]}", table, names)
        cur = conn.execute(f"select {', '.join(f'[{name}]' for name in names)} from [{table}] order by rowid")
        while rows := cur.fetchmany(CHUNK):
            chunk = Chunk(rows)
            for f in files.values():
                f.add(chunk)
        return {fmt: f.finish() for fmt, f in files.items()}
    finally:
        for f in files.values():
            f.close()
        conn.close()
