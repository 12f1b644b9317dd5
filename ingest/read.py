"""Files -> (header, rows) with the row number a person sees in the source.

CSV: delimiter sniffed (; , tab |), encoding UTF-8 (with or without BOM), UTF-16
with BOM, else cp1252. XLSX: the first visible sheet whose header row matches the
mapping best; the header may sit below a title block.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import limits
from .errors import FatalInput

MAX_HEADER_SCAN = 25  # rows searched for the header in a spreadsheet


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: list[tuple[int, list]]  # (source row number, cells)
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. encoding guessed
    row_notes: dict[int, str] = field(default_factory=dict)  # source row -> how it was read (e.g. cp1252)
    # the other sheets with a plans header (hidden ones too): their header and the rows below it
    unread_sheets: dict[str, tuple[list[str], list[list]]] = field(default_factory=dict)


def decode(data: bytes, path: Path) -> tuple[str, str, set[int]]:
    """(text, encoding, numbers of the lines read as cp1252 in a file that is otherwise UTF-8), or
    FatalInput. Nothing is replaced silently: a line that is not UTF-8 is named (read_csv reports it)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", set()
        except UnicodeDecodeError as exc:
            raise FatalInput(
                path, f"UTF-16-bestand is beschadigd (byte {exc.start} is geen geldig teken); niet gelezen"
            )
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    if b"\x00" in data[:4096]:
        raise FatalInput(path, "binair bestand (bevat NUL-bytes), geen tekst-CSV")
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8", set()
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    fallback, text, utf8_beyond_ascii = set(), [], 0
    for number, line in enumerate(lines, start=1):
        try:
            text.append(line.decode("utf-8"))
            utf8_beyond_ascii += not line.isascii()
        except UnicodeDecodeError:
            fallback.add(number)
            text.append(_single_byte(line))
    if not utf8_beyond_ascii:
        # no line that is UTF-8 beyond ASCII: a file as Dutch Excel writes it (cp1252), read as one
        return _single_byte(data), "cp1252", set()
    return "\n".join(text), ("utf-8-sig" if bom else "utf-8") + " (enkele regels cp1252)", fallback


def _single_byte(data: bytes) -> str:
    # Dutch Excel writes cp1252; bytes undefined there (0x81, 0x8d, ...) fall back to latin-1
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def sniff_delimiter(text: str) -> str:
    # the first non-blank line as csv sees lines (str.splitlines would also split on \x1c, \x85,
    # \u2028 ... inside a cell); lazily, so a big file is not split whole
    first = next((line for line in io.StringIO(text, newline=None) if line.strip()), "")
    counts = {d: first.count(d) for d in (";", ",", "\t", "|")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


SWALLOWED_LINES = 1  # a cell holding a line that looks like a row: an opening quote never closed


def swallowed(cells: list[str], delimiter: str, width: int) -> int:
    """How many lines inside the cells look like whole rows of the file (a stray opening quote makes the
    csv module read every following line into one cell)."""
    need = max(2, width // 4)
    return sum(1 for cell in cells if "\n" in cell for line in cell.split("\n")[1:] if line.count(delimiter) >= need)


def read_csv(path: Path) -> Table:
    data = path.read_bytes()
    if not data.strip():
        raise FatalInput(path, "leeg bestand")
    text, encoding, fallback = decode(data, path)
    if "\x00" in text:
        raise FatalInput(path, "bestand bevat NUL-tekens; is het wel een CSV?")
    delimiter = sniff_delimiter(text)
    limit = limits.current()
    # one over-long cell is a row problem (validation truncates text), not a reason to refuse the
    # file; the file-size limit already bounds it
    csv.field_size_limit(max(csv.field_size_limit(), min(limit.max_file_bytes, 2**31 - 1)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows: list[tuple[int, list]] = []
    row_notes: dict[int, str] = {}
    previous = 0  # the line the previous record ended on: a record spans previous+1 .. reader.line_num
    try:
        for record in reader:
            if len(record) > limit.max_columns:
                raise FatalInput(
                    path,
                    f"regel {reader.line_num} heeft {len(record)} kolommen (limiet "
                    f"{limit.describe('max_columns')}); is het scheidingsteken goed?",
                )
            first, line, previous = previous + 1, reader.line_num, reader.line_num
            if header is None:
                if not any(c.strip() for c in record):
                    continue
                header = record
                continue
            if not any(c.strip() for c in record):
                continue  # blank line: nothing to load or report
            if line > first and swallowed(record, delimiter, len(header)) >= SWALLOWED_LINES:
                raise FatalInput(
                    path,
                    f"regel {first}: een veld met een openend aanhalingsteken loopt door tot regel "
                    f"{line} en slokt {line - first} regels op die rijen lijken; sluit het "
                    "aanhalingsteken of haal het weg (niets geladen)",
                )
            if fallback and any(n in fallback for n in range(first, line + 1)):
                row_notes[line] = "tekst is geen geldige UTF-8; deze rij is gelezen als cp1252 (Windows-1252)"
            rows.append((line, record))
            if len(rows) > limit.max_rows:
                limits.check_row_count(path, len(rows), limit)
    except csv.Error as exc:
        raise FatalInput(path, f"CSV kan niet gelezen worden bij regel {reader.line_num}: {exc}")
    if header is None:
        raise FatalInput(path, "geen kopregel gevonden")
    return Table(path, header, rows, notes=[f"codering {encoding}, scheidingsteken {delimiter!r}"], row_notes=row_notes)


def _cell(value):
    if isinstance(value, str):
        return value
    return value  # numbers, dates and None pass through as typed values


def _rows(ws, path: Path, limit: limits.Limits) -> Iterator[list]:
    """Rows as lists without trailing empty cells, bounded in length and number.

    The sheet's own <dimension> is ignored: a hostile or sloppy file that claims
    A1:XFD1048576 would otherwise have every row padded to 16,384 cells.
    """
    ws.reset_dimensions()
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if i > 2 * limit.max_rows:  # gap rows included: a sheet with rows 1 and 1,000,000
            limits.check_row_count(path, i, limit)
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        if len(cells) > limit.max_columns:
            raise FatalInput(
                path,
                f"werkblad {ws.title!r} rij {i} heeft {len(cells)} kolommen (limiet "
                f"{limit.describe('max_columns')}); niet gelezen",
            )
        yield cells


def read_xlsx(path: Path, score_header: Callable[[list[str]], int]) -> Table:
    import openpyxl  # imported here: only XLSX needs it

    if not zipfile.is_zipfile(path):
        raise FatalInput(path, "geen geldig XLSX-bestand (geen zip-archief)")
    limit = limits.current()
    limits.zip_entries(path, "XLSX-bestand", limit)  # before openpyxl decompresses anything
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt files
        raise FatalInput(path, f"XLSX kan niet geopend worden ({type(exc).__name__})")
    try:
        best = None
        with_header: dict[str, tuple[list[str], int]] = {}  # every sheet with a plans header, hidden ones too
        scores: dict[str, int] = {}
        for ws in wb.worksheets:
            head = []
            for i, row in enumerate(_rows(ws, path, limit), start=1):
                head.append((i, row))
                if i >= MAX_HEADER_SCAN:
                    break
            for i, row in head:
                labels = ["" if v is None else str(v) for v in row]
                score = score_header(labels)
                if score and score > scores.get(ws.title, 0):  # the sheet's best header, not its first
                    with_header[ws.title], scores[ws.title] = (labels, i), score
                if score and ws.sheet_state == "visible" and (best is None or score > best[0]):
                    best = (score, ws.title, i)  # only a visible sheet is read
        if best is None:
            raise FatalInput(path, "geen werkblad met een herkenbare kopregel gevonden")
        _, title, header_row = best
        ws = wb[title]
        header: list[str] = []
        rows: list[tuple[int, list]] = []
        for i, row in enumerate(_rows(ws, path, limit), start=1):
            if i < header_row:
                continue
            if i == header_row:
                header = ["" if v is None else str(v) for v in row]
                continue
            cells = [_cell(v) for v in row]
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            rows.append((i, cells))
            if len(rows) > limit.max_rows:
                limits.check_row_count(path, len(rows), limit)
        return Table(
            path,
            header,
            rows,
            sheet=title,
            notes=[f"werkblad {title!r}, kopregel {header_row}"],
            unread_sheets={
                t: (labels, [r for n, r in enumerate(_rows(wb[t], path, limit), start=1) if n > at])
                for t, (labels, at) in with_header.items()
                if t != title
            },
        )
    except FatalInput:
        raise
    except Exception as exc:
        raise FatalInput(path, f"XLSX kan niet gelezen worden ({type(exc).__name__})")
    finally:
        wb.close()


# What a file really is, by its first bytes: a table reader must not guess delimiters in a GeoJSON.
_MAGIC = (
    (b"\x1f\x8b", "een gzip-bestand (een LMVW-release? gebruik kind: woningbouwkaart met de map)", None),
    (b"SQLite format 3\x00", "een SQLite-database of GeoPackage", ".gpkg"),
    (b"%PDF", "een PDF-document", None),
    (b"\xd0\xcf\x11\xe0", "een oud Excel-bestand (.xls); sla het op als .xlsx of CSV", None),
)


def sniff(path: Path) -> tuple[str, str | None] | None:
    """(what the file is, the extension a vector reader takes it under) when it is plainly not a CSV
    or XLSX table, in words for the message; else None."""
    with path.open("rb") as f:
        head = f.read(512)
    for magic, what, vector in _MAGIC:
        if head.startswith(magic):
            return what, vector
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<?xml")):
        return "een HTML- of XML-pagina", None
    if text.startswith(b"{") and (b'"type"' in head or b'"features"' in head):
        return "GeoJSON of JSON", ".geojson"
    if text.startswith((b"{", b"[")):
        return "JSON", None
    return None


def read_table(path: Path, score_header: Callable[[list[str]], int], vector_hint: bool = True) -> Table:
    """A CSV or XLSX table; `vector_hint`: a plainly vector file is told which extension the kind
    reads it under (only kinds that read vector files)."""
    if not path.exists():
        raise FatalInput(path, "bestand bestaat niet")
    if not path.is_file():
        raise FatalInput(path, "is geen bestand")
    if path.stat().st_size == 0:
        raise FatalInput(path, "leeg bestand")
    limits.check_file_size(path)
    suffix = path.suffix.lower()
    with path.open("rb") as f:
        magic = f.read(4)
    if suffix in (".xlsx", ".xlsm") or magic.startswith(b"PK"):
        return read_xlsx(path, score_header)
    found = sniff(path)
    if found:
        what, vector = found
        hint = f" (een vectorbestand: gebruik de extensie {vector})" if vector and vector_hint else ""
        raise FatalInput(path, f"dit is geen CSV- of XLSX-tabel maar {what}{hint}")
    return read_csv(path)


def iter_records(table: Table) -> Iterator[tuple[int, list]]:
    yield from table.rows
