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
from pathlib import Path
from typing import Iterable
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
    '</Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>')
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet {_NS}><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _text(value: str) -> str:
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > CELL_LIMIT:
        raise ValueError(f"waarde van {len(value)} tekens past niet in een Excel-cel")
    return _INLINE + escape(value) + _END


_INLINE = '<c t="inlineStr"><is><t xml:space="preserve">'
_END = "</t></is></c>"


def row_xml(number: int, values) -> str:
    """One <row>. Cells carry no reference: a reader counts them, and every cell is written
    (an empty one as <c/>), which keeps this loop, the hot path of a big download, lean."""
    cells = []
    for v in values:
        kind = type(v)
        if v is None:
            cells.append("<c/>")
        elif kind is str:
            if len(v) > 200 or _ILLEGAL.search(v):
                cells.append(_text(v))
            elif "&" in v or "<" in v or ">" in v:
                cells.append(_INLINE + escape(v) + _END)
            else:
                cells.append(_INLINE + v + _END)  # the common case: nothing to escape
        elif kind is bool:
            cells.append(f'<c t="b"><v>{int(v)}</v></c>')
        elif kind is int or (kind is float and math.isfinite(v)):
            cells.append("<c><v>" + repr(v) + "</v></c>")
        elif kind is bytes:
            cells.append(_text(v.hex()))
        else:
            cells.append(_text(str(v)))
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def write(path: Path, sheet: str, header: list[str], rows: Iterable) -> int:
    """Write header + rows to a one-sheet workbook; returns the number of data rows written."""
    n = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", ROOT_RELS)
        zf.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", STYLES)
        zf.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<workbook {_NS} xmlns:r="{_REL}"><sheets>'
            f'<sheet name="{escape(sheet[:31], {chr(34): "&quot;"})}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            buffer: list[str] = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                 f'<worksheet {_NS}><sheetData>']

            def flush():
                raw.write("".join(buffer).encode("utf-8"))
                buffer.clear()

            buffer.append(row_xml(1, header))
            for n, values in enumerate(rows, start=1):
                buffer.append(row_xml(n + 1, values))
                if len(buffer) >= 2000:
                    flush()
            buffer.append("</sheetData></worksheet>")
            flush()
    return n
