"""A streaming XLSX writer for plain tables: one sheet, a header row, values only.

openpyxl's write-only mode spends ~8 µs per cell in its cell objects; a national export
(hundreds of thousands of rows, two tables) took minutes. The downloads need none of
openpyxl's features, so this writes the few SpreadsheetML parts directly: numbers as
numbers, text as inline strings (never a formula, whatever it starts with), no styles.
Read back by openpyxl, pandas, LibreOffice and Excel.
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape

CELL_LIMIT = 32_767  # characters in one Excel cell
# XML 1.0 cannot carry these control characters (Excel shows them nowhere anyway)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet {_NS}><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    # style 1 marks a text that starts like a formula (= + - @ tab CR) as text with a quote prefix
    # (OWASP CSV injection advice); inline strings are never evaluated, this also survives a re-save
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1" applyAlignment="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


FORMULA_START = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
    "\n",
)  # OWASP, and LF: a line break also starts a formula in some spreadsheets
TRUNCATED = "…"  # the end of a text longer than an Excel cell holds (the CSV and JSON keep it whole)


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > CELL_LIMIT:
        value = value[: CELL_LIMIT - len(TRUNCATED)] + TRUNCATED
    return (_INLINE_QUOTED if value.startswith(FORMULA_START) else _INLINE) + escape(value) + _END


_INLINE = '<c t="inlineStr"><is><t xml:space="preserve">'
_INLINE_QUOTED = '<c t="inlineStr" s="1"><is><t xml:space="preserve">'
_END = "</t></is></c>"
_EMPTY = "<c/>"
_FAST_TEXT = 200  # longer texts are checked against CELL_LIMIT one by one


def cell(v) -> str:
    """One cell. Cells carry no reference: a reader counts them, and every cell is written
    (an empty one as <c/>)."""
    kind = type(v)
    if v is None:
        return _EMPTY
    if kind is str:
        if len(v) > _FAST_TEXT or _ILLEGAL.search(v) or v.startswith(FORMULA_START):
            return _text(v)
        if "&" in v or "<" in v or ">" in v:
            return _INLINE + escape(v) + _END
        return _INLINE + v + _END
    if kind is bool:
        return f'<c t="b"><v>{int(v)}</v></c>'
    if kind is int or (kind is float and math.isfinite(v)):
        return "<c><v>" + repr(v) + "</v></c>"
    if kind is bytes:
        return _text(v.hex())
    return _text(str(v))


def column_cells(values: Sequence, kinds: set | None = None) -> list[str]:
    """The cells of one column of a chunk, the same as cell() gives one by one.

    The hot path of a big download: a column of only whole numbers, finite numbers, or short
    texts without a character that needs care (checked once over the whole column) is written
    by one comprehension without cell()'s per-value checks; anything else goes through cell()."""
    kinds = set(map(type, values)) if kinds is None else set(kinds)  # kinds: the types in values, if known
    kinds.discard(type(None))
    if kinds <= {int}:
        return [_EMPTY if v is None else f"<c><v>{v}</v></c>" for v in values]
    if kinds == {str}:
        texts = list(filter(None, values))  # an empty text needs no check either
        joined = " ".join(texts)
        # isprintable() (C, fast) proves there is no control character; when it cannot (a newline,
        # a non-breaking space), the regex decides
        plain = (
            not ("&" in joined or "<" in joined or ">" in joined)
            and (joined.isprintable() or not _ILLEGAL.search(joined))
            and not any(t.startswith(FORMULA_START) for t in texts)
        )
        if plain and max(map(len, texts), default=0) <= _FAST_TEXT:
            return [_EMPTY if v is None else _INLINE + v + _END for v in values]
    elif kinds <= {int, float} and all(map(math.isfinite, (v for v in values if v is not None))):
        return [_EMPTY if v is None else f"<c><v>{v!r}</v></c>" for v in values]
    return [cell(v) for v in values]


def row_xml(number: int, values) -> str:
    return f'<row r="{number}">' + "".join(map(cell, values)) + "</row>"


class Sheet:
    """A one-sheet workbook written in chunks of columns (a context manager: the file is
    closed also when writing fails). `rows` counts the data rows written."""

    def __init__(self, path: Path, sheet: str, header: list[str]):
        self.rows = 0
        self._zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self._zip.writestr("[Content_Types].xml", CONTENT_TYPES)
        self._zip.writestr("_rels/.rels", ROOT_RELS)
        self._zip.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        self._zip.writestr("xl/styles.xml", STYLES)
        self._zip.writestr(
            "xl/workbook.xml",
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<workbook {_NS} xmlns:r="{_REL}"><sheets>'
                f'<sheet name="{escape(sheet[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>'
            ),
        )
        self._raw = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self._raw.write(
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f"<worksheet {_NS}><sheetData>" + row_xml(1, header)
            ).encode("utf-8")
        )

    def add(self, columns: list[Sequence], kinds: Sequence[set | None] | None = None) -> None:
        """Append rows given as columns (equal-length sequences, one per header name)."""
        cells = [column_cells(values, k) for values, k in zip(columns, kinds or [None] * len(columns))]
        first = self.rows + 2  # row 1 is the header
        rows = [f'<row r="{n}">{row}</row>' for n, row in enumerate(map("".join, zip(*cells)), start=first)]
        self._raw.write("".join(rows).encode("utf-8"))
        self.rows += len(rows)

    def finish(self) -> int:
        self._raw.write(b"</sheetData></worksheet>")
        self.close()
        return self.rows

    def close(self) -> None:
        if not self._raw.closed:
            self._raw.close()
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def write(path: Path, sheet: str, header: list[str], rows: Iterable, chunk: int = 2000) -> int:
    """Write header + rows to a one-sheet workbook; returns the number of data rows written."""
    rows = iter(rows)
    with Sheet(path, sheet, header) as out:
        while batch := list(islice(rows, chunk)):
            out.add(list(zip(*batch)))
        return out.finish()
