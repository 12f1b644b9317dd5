"""Reading CSV (encodings, delimiters) and XLSX (header below a title block)."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from ingest.errors import FatalInput
from ingest.mapping import load_mapping
from ingest.read import read_table

MAPPING = load_mapping("lmvw")
ROWS = [["Plan-ID", "Plannaam", "Gemeente", "Aantal woningen"], ["A1", "Één Kade", "Súdwest-Fryslân", "1,0"]]


@pytest.mark.parametrize(
    "encoding,delimiter",
    [
        ("utf-8", ";"),
        ("utf-8-sig", ";"),
        ("cp1252", ";"),
        ("utf-8", ","),
        ("cp1252", ","),
        ("utf-8", "\t"),
        ("utf-16", "\t"),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path, encoding, delimiter):
    path = tmp_path / "x.csv"
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(ROWS)  # quotes "1,0" when needed
    path.write_bytes(buf.getvalue().encode(encoding))
    table = read_table(path, MAPPING.score)
    assert table.header == ROWS[0]
    assert table.rows == [(2, ROWS[1])]


def test_csv_row_numbers_skip_blank_lines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("Plan-ID;Plannaam\n\nA;B\n;\nC;D\n", encoding="utf-8")
    assert [n for n, _ in read_table(path, MAPPING.score).rows] == [3, 5]


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "leeg"),
        (b"\x00\x01\x02binary\x00", "NUL"),
        (b"   \n\n", "leeg"),
    ],
)
def test_fatal_csv(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(FatalInput) as exc:
        read_table(path, MAPPING.score)
    assert message in str(exc.value) and "bad.csv" in str(exc.value)


def test_corrupt_xlsx_is_fatal(tmp_path):
    path = tmp_path / "kapot.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a workbook")
    with pytest.raises(FatalInput) as exc:
        read_table(path, MAPPING.score)
    assert "kapot.xlsx" in str(exc.value)


def test_xlsx_header_below_title_and_hidden_sheet_ignored(tmp_path):
    wb = Workbook()
    hidden = wb.active
    hidden.title = "Geheim"
    hidden.append(["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen"])
    hidden.append(["X", "verborgen", "GM0363", 1])
    hidden.sheet_state = "hidden"
    ws = wb.create_sheet("Export")
    ws.append(["Export woningbouwplannen"])
    ws.append([])
    ws.append(["Plan-ID", "Plannaam", "Gemeentecode", "Aantal woningen", "Start bouw"])
    ws.append(["A1", "Kade", "GM0363", 12, dt.datetime(2027, 5, 1)])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    table = read_table(path, MAPPING.score)
    assert table.sheet == "Export"
    assert table.rows == [(4, ["A1", "Kade", "GM0363", 12, dt.datetime(2027, 5, 1)])]
