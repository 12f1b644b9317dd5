"""The bad-input corpus: hostile and broken source files, generated at test time.

Nothing binary is committed: each case is a function that writes its file into a
temporary directory and returns how the build must treat it. tests/test_badinput.py
runs `python -m ingest build` on every case; README.md beside this file lists them.

A case returns a Case: the file, its kind, extra manifest keys (crs, limits) and the
expected outcome, "fatal" (exit 2, one line naming the file, the published database
byte-for-byte unchanged) or "ok" (exit 0, every row loaded or reported).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HEADER = [
    "Plan-ID",
    "Plannaam",
    "Gemeentecode",
    "Gemeente",
    "Planstatus",
    "Aantal woningen",
    "Sociale huur",
    "Start bouw",
    "Openbaar",
    "Contactpersoon",
    "E-mail",
]
SECRET = "GEHEIM-corpus-7f3a"  # must never reach the database


def plan_row(i: int, **over) -> list:
    row = {
        "Plan-ID": f"P-{i}",
        "Plannaam": f"Plan {i}",
        "Gemeentecode": "GM0363",
        "Gemeente": "Amsterdam",
        "Planstatus": "Vastgesteld",
        "Aantal woningen": 10 + i,
        "Sociale huur": 3,
        "Start bouw": 2027,
        "Openbaar": "ja",
        "Contactpersoon": f"{SECRET} persoon",
        "E-mail": f"{SECRET}@example.invalid",
    }
    row.update(over)
    return [row[h] for h in HEADER]


def csv_text(rows: list[list], delimiter: str = ";", header: list[str] = HEADER) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buf.getvalue()


@dataclass
class Case:
    name: str
    kind: str  # plannen | plangebieden
    path: Path
    expect: str  # ok | fatal
    message: str = ""  # a fatal message must contain this
    extra: dict = field(default_factory=dict)  # manifest keys for the source (crs, ...)
    limits: dict | None = None  # the manifest's limits: block
    codes: tuple[str, ...] = ()  # ingest_problemen codes an ok case must report
    loaded: int | None = None  # rows an ok case must load


CASES: dict[str, Callable[[Path], Case]] = {}


def case(fn: Callable[[Path], Case]) -> Callable[[Path], Case]:
    CASES[fn.__name__] = fn
    return fn


# ---------------------------------------------------------------- CSV


@case
def csv_cp1252_semicolon_decimal_comma(d: Path) -> Case:
    p = d / "cp1252.csv"
    p.write_bytes(
        csv_text([plan_row(1, Plannaam="Één Kade ’t Hofje"), plan_row(2, **{"Aantal woningen": "1.200"})]).encode(
            "cp1252"
        )
    )
    return Case("", "plannen", p, "ok", loaded=2)


@case
def csv_utf8_bom_comma(d: Path) -> Case:
    p = d / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbf" + csv_text([plan_row(1), plan_row(2)], ",").encode("utf-8"))
    return Case("", "plannen", p, "ok", loaded=2)


@case
def csv_utf16_tab(d: Path) -> Case:
    p = d / "utf16.csv"
    p.write_bytes(csv_text([plan_row(1, Plannaam="Súdwest ✓")], "\t").encode("utf-16"))
    return Case("", "plannen", p, "ok", loaded=1)


@case
def csv_latin1_bytes_undefined_in_cp1252(d: Path) -> Case:
    p = d / "latin1.csv"
    p.write_bytes(csv_text([plan_row(1)]).encode("utf-8").replace(b"Plan 1", b"Plan \x81\x8d\x90"))
    return Case("", "plannen", p, "ok", loaded=1)


@case
def csv_pipe_delimiter_mixed_line_endings(d: Path) -> Case:
    text = csv_text([plan_row(1), plan_row(2), plan_row(3)], "|")
    lines = text.split("\r\n")
    p = d / "pipe.csv"
    p.write_text(
        lines[0] + "\n" + lines[1] + "\r\n\r\n" + lines[2] + "\r" + lines[3] + "\n\n\n", encoding="utf-8", newline=""
    )
    return Case("", "plannen", p, "ok", loaded=3)


@case
def csv_header_variants_and_unknown_secret_column(d: Path) -> Case:
    header = [
        "  plan id ",
        "PLANNAAM",
        "gemeente_code",
        "Aantal   woningen",
        "Aantal woningen",
        "Openbaarheid",
        "Geheime notitie",
    ]
    rows = [["P-1", "Eerste", "363", "12", "13", "Ja", SECRET], ["P-2", "Tweede", "gm0363", "7", "", "JA", SECRET]]
    p = d / "headers.csv"
    p.write_text(csv_text(rows, ";", header), encoding="utf-8")
    return Case("", "plannen", p, "ok", codes=("onbekende_kolom", "dubbele_kolom"), loaded=2)


@case
def csv_header_only(d: Path) -> Case:
    # an empty export would publish an empty portal over the old one
    p = d / "alleen_kop.csv"
    p.write_text(";".join(HEADER) + "\n", encoding="utf-8")
    return Case("", "plannen", p, "fatal", "geen enkel laadbaar plan")


@case
def csv_header_only_declared_empty(d: Path) -> Case:
    p = d / "bewust_leeg.csv"
    p.write_text(";".join(HEADER) + "\n", encoding="utf-8")
    return Case("", "plannen", p, "ok", loaded=0, extra={"leeg_toegestaan": "ja"})


@case
def csv_every_row_non_public_or_rejected(d: Path) -> Case:
    p = d / "niets_openbaar.csv"
    p.write_text(
        csv_text([plan_row(1, Openbaar="nee"), plan_row(2, Openbaar="nee"), plan_row(3, **{"Aantal woningen": "x"})]),
        encoding="utf-8",
    )
    return Case("", "plannen", p, "fatal", "geen enkel laadbaar plan")


@case
def csv_missing_required_column(d: Path) -> Case:
    p = d / "zonder_aantal.csv"
    p.write_text("Plan-ID;Plannaam;Gemeentecode\nP-1;Een;GM0363\n", encoding="utf-8")
    return Case("", "plannen", p, "fatal", "Aantal woningen")


@case
def csv_nul_bytes_at_start(d: Path) -> Case:
    p = d / "nul.csv"
    p.write_bytes(b"Plan-ID;\x00Plannaam\x00;x\n" + b"\x00" * 100)
    return Case("", "plannen", p, "fatal", "NUL")


@case
def csv_nul_bytes_after_4k(d: Path) -> Case:
    p = d / "nul_laat.csv"
    p.write_bytes(csv_text([plan_row(i) for i in range(60)]).encode("utf-8") + b"P-x;\x00\x00;GM0363\n")
    return Case("", "plannen", p, "fatal", "NUL")


@case
def csv_empty(d: Path) -> Case:
    p = d / "leeg.csv"
    p.write_bytes(b"")
    return Case("", "plannen", p, "fatal", "leeg")


@case
def csv_png_renamed(d: Path) -> Case:
    p = d / "plaatje.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(random.Random(1).randrange(1, 256) for _ in range(3000)))
    return Case("", "plannen", p, "fatal")


@case
def csv_huge_and_odd_numbers(d: Path) -> Case:
    odd = ["1e309", "9" * 40, "-5", "1,5", "NaN", "inf", "12abc", "1.2.3", "0x10", "٣", "1" * 400, "1e-400"]
    rows = [plan_row(i, **{"Aantal woningen": v}) for i, v in enumerate(odd, start=1)]
    rows.append(plan_row(99, **{"Start bouw": "99999999999999999999", "Sociale huur": "1e20"}))
    rows.append(plan_row(100))  # one good row
    p = d / "getallen.csv"
    p.write_text(csv_text(rows), encoding="utf-8")
    # loaded: the good row, "٣" (an Arabic-Indic three, a digit to Python too) and "1e-400" (0 homes,
    # whose price classes then exceed bruto: a warning, the plan is kept)
    return Case("", "plannen", p, "ok", codes=("ongeldig_aantal", "ongeldig_jaar", "segmenten_te_groot"), loaded=3)


@case
def csv_open_quote_swallows_one_short_row(d: Path) -> Case:
    text = csv_text([plan_row(1), plan_row(2)])
    text += 'P-5;"open aanhalingsteken;GM0363;Amsterdam;Vastgesteld;5\r\nP-6;x;GM0363\r\n'
    p = d / "een_regel_opgeslokt.csv"
    p.write_text(text, encoding="utf-8")
    return Case("", "plannen", p, "fatal", "regel 4: een veld met een openend aanhalingsteken")


@case
def csv_ragged_rows_and_open_quote(d: Path) -> Case:
    text = csv_text([plan_row(1), plan_row(2)])
    text += "P-3;Te kort\r\n"
    text += ";".join(map(str, plan_row(4))) + ";extra;extra;extra\r\n"
    text += 'P-5;"een omschrijving\r\nover twee regels";GM0363;Amsterdam;Vastgesteld;5\r\n'  # a quoted cell may hold a line end
    p = d / "rafelig.csv"
    p.write_text(text, encoding="utf-8")
    return Case("", "plannen", p, "ok", codes=("openbaar_leeg", "extra_cellen"))


@case
def csv_formula_injection_text(d: Path) -> Case:
    rows = [
        plan_row(i, Plannaam=v)
        for i, v in enumerate(
            ['=HYPERLINK("http://x.invalid","klik")', "+1+1", "-2+3", "@SUM(A1)", "<script>alert(1)</script>"], start=1
        )
    ]
    p = d / "formules.csv"
    p.write_text(csv_text(rows), encoding="utf-8")
    return Case("", "plannen", p, "ok", loaded=5)


@case
def csv_openbaar_flags(d: Path) -> Case:
    rows = [
        plan_row(1),
        plan_row(2, Openbaar="nee", Plannaam=SECRET),
        plan_row(3, Openbaar="Vertrouwelijk", Plannaam=SECRET),
        plan_row(4, Openbaar="misschien", Plannaam=SECRET),
        plan_row(5, Openbaar=""),
    ]
    p = d / "openbaar.csv"
    p.write_text(csv_text(rows), encoding="utf-8")
    return Case("", "plannen", p, "ok", codes=("onbekende_openbaarheid", "openbaar_leeg"), loaded=1)


@case
def csv_field_over_csv_module_limit(d: Path) -> Case:
    """A 200,000-character name (over the csv module's default field limit): truncated and reported."""
    p = d / "lang_veld.csv"
    p.write_text(
        csv_text([plan_row(1, Plannaam="x" * 200_000), plan_row(2, Plannaam='"q;' + "y" * 200_000)]), encoding="utf-8"
    )
    return Case("", "plannen", p, "ok", codes=("te_lang",), loaded=2)


@case
def csv_unterminated_quote_swallows_the_rest(d: Path) -> Case:
    # an opening quote that is never closed reads every following line into one cell: 48 rows would
    # vanish into one rejected row, so the file is refused, naming the line
    text = ";".join(HEADER) + '\nP-1;"open;GM0363;;;5\n' + "".join(f"P-{i};Plan;GM0363;;;5\n" for i in range(2, 50))
    p = d / "open_quote.csv"
    p.write_text(text, encoding="utf-8")
    return Case("", "plannen", p, "fatal", "regel 2: een veld met een openend aanhalingsteken")


@case
def csv_too_many_columns(d: Path) -> Case:
    p = d / "breed.csv"
    p.write_text(csv_text([plan_row(1) + [""] * 5000]), encoding="utf-8")
    return Case("", "plannen", p, "fatal", "max_columns")


@case
def csv_over_row_limit(d: Path) -> Case:
    p = d / "te_veel_rijen.csv"
    p.write_text(csv_text([plan_row(i) for i in range(150)]), encoding="utf-8")
    return Case("", "plannen", p, "fatal", "max_rows", limits={"max_rows": 100})


@case
def csv_over_file_size_limit(d: Path) -> Case:
    p = d / "te_groot.csv"
    p.write_text(csv_text([plan_row(i) for i in range(40)]), encoding="utf-8")
    return Case("", "plannen", p, "fatal", "max_file_bytes", limits={"max_file_bytes": "2KB"})


@case
def csv_200000_rows(d: Path) -> Case:
    """A national export at seven times today's size: must load, every row accounted for."""
    p = d / "groot.csv"
    statuses = ["Vastgesteld", "Ontwerp", "In voorbereiding", "Onherroepelijk", "Idee/visie"]
    codes = ["GM0363", "GM0344", "GM0599", "GM0518", "GM0014"]
    with open(p, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(HEADER)
        for i in range(200_000):
            bad = i % 1000 == 7  # one in a thousand rows is rejected and must be reported
            w.writerow(
                [
                    f"G-{i:06d}",
                    f"Groot plan {i}",
                    codes[i % 5],
                    "",
                    statuses[i % 5],
                    "x" if bad else 5 + i % 300,
                    i % 5,
                    2026 + i % 10,
                    "nee" if i % 500 == 3 else "ja",
                    SECRET,
                    "",
                ]
            )
    return Case("", "plannen", p, "ok", codes=("ongeldig_aantal",), loaded=200_000 - 200 - 400)


# ---------------------------------------------------------------- XLSX


def _workbook(sheets: list[tuple[str, list[list], str]], path: Path, after=None) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows, state in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        ws.sheet_state = state
        if after:
            after(ws)
    wb.save(path)
    return path


@case
def xlsx_header_below_title_block(d: Path) -> Case:
    rows = [["Export woningbouwplannen"], ["Gemaakt op 1-1-2026"], [], HEADER, plan_row(1), plan_row(2)]
    return Case("", "plannen", _workbook([("Export", rows, "visible")], d / "titel.xlsx"), "ok", loaded=2)


@case
def xlsx_merged_cells(d: Path) -> Case:
    rows = [HEADER, plan_row(1), plan_row(2), plan_row(3)]

    def merge(ws):
        ws.merge_cells("B2:B3")  # the name of plan 2 is now empty
        ws.merge_cells("A4:F4")  # plan 3 loses everything but its id

    return Case(
        "",
        "plannen",
        _workbook([("Export", rows, "visible")], d / "samengevoegd.xlsx", merge),
        "ok",
        codes=("verplicht",),
        loaded=1,
    )


@case
def xlsx_formulas_without_cached_values(d: Path) -> Case:
    rows = [HEADER, plan_row(1, **{"Aantal woningen": "=10*2"}), plan_row(2, Plannaam='=A3&" naam"'), plan_row(3)]
    return Case(
        "",
        "plannen",
        _workbook([("Export", rows, "visible")], d / "formules.xlsx"),
        "ok",
        codes=("verplicht",),
        loaded=1,
    )


@case
def xlsx_hidden_and_very_hidden_sheets(d: Path) -> Case:
    secret_rows = [HEADER, plan_row(1, Plannaam=SECRET), plan_row(2, Plannaam=SECRET)]
    sheets = [
        ("Geheim", secret_rows, "hidden"),
        ("Nog geheimer", secret_rows, "veryHidden"),
        ("Export", [HEADER, plan_row(3)], "visible"),
    ]
    return Case("", "plannen", _workbook(sheets, d / "verborgen.xlsx"), "ok", loaded=1)


@case
def xlsx_only_hidden_sheets(d: Path) -> Case:
    rows = _inline_row(1, HEADER[:6]) + _inline_row(2, ["P-1", SECRET, "GM0363", "A", "Vastgesteld", 5])
    p = _raw_xlsx(d / "alleen_verborgen.xlsx", f"<sheetData>{rows}</sheetData>", state="hidden")
    return Case("", "plannen", p, "fatal", "werkblad")


@case
def xlsx_huge_numbers(d: Path) -> Case:
    rows = [
        HEADER,
        plan_row(1, **{"Aantal woningen": 10**30}),
        plan_row(2, **{"Aantal woningen": 1e308}),
        plan_row(3, **{"Aantal woningen": -1}),
        plan_row(4, **{"Start bouw": 10**18}),
        plan_row(5),
    ]
    return Case(
        "",
        "plannen",
        _workbook([("Export", rows, "visible")], d / "grote_getallen.xlsx"),
        "ok",
        codes=("ongeldig_aantal", "ongeldig_jaar"),
        loaded=1,
    )


def _raw_xlsx(
    path: Path,
    sheet_xml: str,
    extra: dict[str, bytes] | None = None,
    shared_strings: str | None = None,
    state: str = "visible",
) -> Path:
    """A minimal workbook written part by part, for content openpyxl itself would never write."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "[Content_Types].xml",
            (
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType='
                '"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                + (
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.sharedStrings+xml"/>'
                    if shared_strings
                    else ""
                )
                + "</Types>"
            ),
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            f'<sheet name="Export" sheetId="1" state="{state}" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            (
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                + (
                    f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
                    if shared_strings
                    else ""
                )
                + "</Relationships>"
            ),
        )
        zf.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet {ns}>{sheet_xml}</worksheet>')
        if shared_strings:
            zf.writestr("xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return path


def _inline_row(n: int, values: list, start_col: int = 0) -> str:
    from openpyxl.utils import get_column_letter

    cells = []
    for i, v in enumerate(values):
        ref = f"{get_column_letter(start_col + i + 1)}{n}"
        if isinstance(v, (int, float)) or (isinstance(v, str) and v.startswith("#num:")):
            cells.append(f'<c r="{ref}"><v>{str(v).removeprefix("#num:")}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{n}">{"".join(cells)}</row>'


@case
def xlsx_400_digit_integer_cell(d: Path) -> Case:
    rows = _inline_row(1, HEADER[:6]) + _inline_row(
        2, ["P-1", "Een", "GM0363", "A", "Vastgesteld", "#num:" + "9" * 400]
    )
    rows += _inline_row(3, ["P-2", "Twee", "GM0363", "A", "Vastgesteld", 12])
    return Case(
        "",
        "plannen",
        _raw_xlsx(d / "lang_getal.xlsx", f"<sheetData>{rows}</sheetData>"),
        "ok",
        codes=("ongeldig_aantal",),
        loaded=1,
    )


@case
def xlsx_dimension_claims_whole_sheet(d: Path) -> Case:
    """<dimension> says A1:XFD1048576 and rows sit far apart: reading must stay bounded."""
    rows = _inline_row(1, HEADER[:6]) + _inline_row(2, ["P-1", "Een", "GM0363", "A", "Vastgesteld", 5])
    rows += _inline_row(900_000, ["P-2", "Twee", "GM0363", "A", "Vastgesteld", 6])
    xml = f'<dimension ref="A1:XFD1048576"/><sheetData>{rows}</sheetData>'
    return Case("", "plannen", _raw_xlsx(d / "dimensie.xlsx", xml), "ok", loaded=2)


@case
def xlsx_cell_in_column_xfd(d: Path) -> Case:
    rows = _inline_row(1, HEADER[:6]) + _inline_row(2, ["P-1", "Een", "GM0363", "A", "Vastgesteld", 5])
    rows = rows.replace("</row>", '<c r="XFD2" t="inlineStr"><is><t>ver weg</t></is></c></row>', 2)
    return Case(
        "", "plannen", _raw_xlsx(d / "kolom_xfd.xlsx", f"<sheetData>{rows}</sheetData>"), "fatal", "max_columns"
    )


@case
def xlsx_billion_laughs(d: Path) -> Case:
    entities = '<!ENTITY a0 "ha">' + "".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]><sst xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&a9;</t></si></sst>'
    )
    rows = _inline_row(1, HEADER[:6]) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return Case(
        "",
        "plannen",
        _raw_xlsx(d / "lachen.xlsx", f"<sheetData>{rows}</sheetData>", shared_strings=shared),
        "fatal",
        "lachen.xlsx",
    )


@case
def xlsx_zip_bomb(d: Path) -> Case:
    p = d / "bom.xlsx"
    _workbook([("Export", [HEADER, plan_row(1)], "visible")], p)
    with zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/opvulling.bin", "w") as f:
        chunk = b"\0" * (1 << 20)
        for _ in range(64):  # 64 MB of zeros, about 64 KB compressed
            f.write(chunk)
    return Case("", "plannen", p, "fatal", "zip-bom")


@case
def xlsx_total_expansion_over_limit(d: Path) -> Case:
    p = d / "uitpakken.xlsx"
    _workbook([("Export", [HEADER] + [plan_row(i) for i in range(300)], "visible")], p)
    return Case("", "plannen", p, "fatal", "max_uncompressed_bytes", limits={"max_uncompressed_bytes": "20KB"})


@case
def xlsx_dotdot_entry(d: Path) -> Case:
    p = d / "pad.xlsx"
    _workbook([("Export", [HEADER, plan_row(1)], "visible")], p)
    with zipfile.ZipFile(p, "a") as zf:
        zf.writestr("../../etc/evil.xml", "<x/>")
    return Case("", "plannen", p, "fatal", "onveilig pad")


@case
def xlsx_truncated(d: Path) -> Case:
    p = d / "afgebroken.xlsx"
    _workbook([("Export", [HEADER] + [plan_row(i) for i in range(50)], "visible")], p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    return Case("", "plannen", p, "fatal", "afgebroken.xlsx")


@case
def xlsx_that_is_a_csv(d: Path) -> Case:
    p = d / "eigenlijk_csv.xlsx"
    p.write_text(csv_text([plan_row(1)]), encoding="utf-8")
    return Case("", "plannen", p, "fatal", "XLSX")


# ---------------------------------------------------------------- geometry

# Amsterdam in RD New and WGS84; the base export (base_plans) has plans P-1 .. P-5 there
RD_X, RD_Y = 121_000.0, 487_000.0
LON, LAT = 4.90, 52.37


def base_plans(d: Path) -> Path:
    p = d / "plannen.csv"
    p.write_text(csv_text([plan_row(i) for i in range(1, 6)]), encoding="utf-8")
    return p


def rd_square(x=RD_X, y=RD_Y, w=200.0) -> list:
    return [[[x, y], [x + w, y], [x + w, y + w], [x, y + w], [x, y]]]


def wgs_square(lon=LON, lat=LAT, w=0.002) -> list:
    return [[[lon, lat], [lon + w, lat], [lon + w, lat + w], [lon, lat + w], [lon, lat]]]


def geojson(features: list[tuple[dict, dict | None]], crs: str | None = None) -> str:
    doc = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": props, "geometry": geom} for props, geom in features],
    }
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(doc)


def poly(coords) -> dict:
    return {"type": "Polygon", "coordinates": coords}


@case
def geojson_invalid_empty_and_wrong_geometries(d: Path) -> Case:
    bowtie = [[[LON, LAT], [LON + 0.002, LAT + 0.002], [LON + 0.002, LAT], [LON, LAT + 0.002], [LON, LAT]]]
    features = [
        ({"plan_id": "P-1"}, poly(bowtie)),  # repaired
        ({"plan_id": "P-2"}, None),  # empty
        ({"plan_id": "P-3"}, {"type": "Point", "coordinates": [LON, LAT]}),  # not an area
        ({"plan_id": "P-4"}, poly([[[LON, LAT], [LON + 0.001, LAT], [LON, LAT]]])),  # degenerate
        ({"plan_id": "P-4"}, poly(wgs_square(LON + 0.01))),  # P-4 then gets this one
        ({"plan_id": "ONBEKEND"}, poly(wgs_square())),  # unknown plan
        ({"plan_id": None}, poly(wgs_square())),  # no key
        ({"plan_id": "P-5"}, poly(wgs_square(-70.0, -30.0))),  # Chile
    ]
    p = d / "ongeldig.geojson"
    p.write_text(geojson(features), encoding="utf-8")
    return Case(
        "",
        "plangebieden",
        p,
        "ok",
        codes=("geometrie_hersteld", "onbekend_plan_id", "sleutel_ontbreekt", "buiten_nederland"),
    )


@case
def geojson_coordinates_nan_and_huge(d: Path) -> Case:
    text = geojson(
        [
            ({"plan_id": "P-1"}, poly([[[1e308, 1e308], [-1e308, 1e308], [0, -1e308], [1e308, 1e308]]])),
            ({"plan_id": "P-2"}, poly(wgs_square())),
        ]
    )
    text = text.replace(
        '"features": [',
        '"features": [{"type": "Feature", "properties": {"plan_id": "P-3"}, '
        '"geometry": {"type": "Polygon", "coordinates": [[[NaN, 1], [2, Infinity], [3, 3], [NaN, 1]]]}}, ',
    )
    p = d / "vreemde_getallen.geojson"
    p.write_text(text, encoding="utf-8")
    return Case("", "plangebieden", p, "ok")


@case
def geojson_enormous_polygon(d: Path) -> Case:
    import math

    n = 260_000  # over the per-feature limit (250,000 vertices)
    ring = [
        [round(LON + 0.01 * math.cos(2 * math.pi * i / n), 7), round(LAT + 0.01 * math.sin(2 * math.pi * i / n), 7)]
        for i in range(n)
    ]
    ring.append(ring[0])
    p = d / "enorm.geojson"
    p.write_text(
        geojson([({"plan_id": "P-1"}, poly([ring])), ({"plan_id": "P-2"}, poly(wgs_square()))]), encoding="utf-8"
    )
    return Case("", "plangebieden", p, "ok", codes=("te_veel_hoekpunten",))


@case
def geojson_file_vertex_limit(d: Path) -> Case:
    p = d / "veel_punten.geojson"
    p.write_text(
        geojson([({"plan_id": f"P-{i}"}, poly(wgs_square(LON + i * 0.01))) for i in range(1, 6)]), encoding="utf-8"
    )
    return Case("", "plangebieden", p, "fatal", "max_vertices_file", limits={"max_vertices_file": 20})


@case
def geojson_mixed_crs_coordinates(d: Path) -> Case:
    """A WGS84 file where one supplier pasted RD New coordinates: reported, never placed at sea."""
    features = [({"plan_id": "P-1"}, poly(wgs_square())), ({"plan_id": "P-2"}, poly(rd_square()))]
    p = d / "gemengd.geojson"
    p.write_text(geojson(features), encoding="utf-8")
    return Case("", "plangebieden", p, "ok", codes=("buiten_nederland",), loaded=1)


@case
def geojson_rd_declared_with_degrees(d: Path) -> Case:
    features = [({"plan_id": "P-1"}, poly(wgs_square()))]
    p = d / "rd_maar_graden.geojson"
    p.write_text(geojson(features, "urn:ogc:def:crs:EPSG::28992"), encoding="utf-8")
    return Case("", "plangebieden", p, "ok", codes=("buiten_nederland",), loaded=0)


@case
def geojson_truncated(d: Path) -> Case:
    p = d / "afgebroken.geojson"
    p.write_text(geojson([({"plan_id": "P-1"}, poly(wgs_square()))])[:70], encoding="utf-8")
    return Case("", "plangebieden", p, "fatal", "afgebroken.geojson")


@case
def geojson_nul_bytes(d: Path) -> Case:
    p = d / "nul.geojson"
    p.write_bytes(b'{"type": "FeatureCollection", "features": [\x00\x00\x00')
    return Case("", "plangebieden", p, "fatal", "nul.geojson")


def _gpkg(path: Path, layers: list[tuple[str, list[tuple[str, object]], str | None]]) -> Path:
    import geopandas as gpd
    from shapely.geometry import shape

    for name, rows, crs in layers:
        frame = gpd.GeoDataFrame(
            {"plan_id": [r[0] for r in rows]},
            geometry=[shape(r[1]) if isinstance(r[1], dict) else r[1] for r in rows],
            crs=crs,
        )
        frame.to_file(path, layer=name, driver="GPKG", engine="pyogrio")
    return path


@case
def gpkg_two_layers_in_different_crs(d: Path) -> Case:
    p = _gpkg(
        d / "twee_lagen.gpkg",
        [
            ("rd", [("P-1", poly(rd_square()))], "EPSG:28992"),
            ("wgs", [("P-1", poly(wgs_square(LON + 0.003))), ("P-2", poly(wgs_square()))], "EPSG:4326"),
        ],
    )
    return Case("", "plangebieden", p, "ok", codes=("meerdere_vlakken",), loaded=3)


@case
def gpkg_without_crs(d: Path) -> Case:
    p = _gpkg(d / "zonder_crs.gpkg", [("a", [("P-1", poly(rd_square()))], None)])
    return Case("", "plangebieden", p, "fatal", "CRS")


@case
def gpkg_random_bytes(d: Path) -> Case:
    p = d / "kapot.gpkg"
    p.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    return Case("", "plangebieden", p, "fatal", "kapot.gpkg")


@case
def gpkg_self_intersecting_and_hole_outside(d: Path) -> Case:
    bowtie = [[[RD_X, RD_Y], [RD_X + 200, RD_Y + 200], [RD_X + 200, RD_Y], [RD_X, RD_Y + 200], [RD_X, RD_Y]]]
    hole_outside = rd_square() + [
        [[RD_X + 500, RD_Y + 500], [RD_X + 600, RD_Y + 500], [RD_X + 600, RD_Y + 600], [RD_X + 500, RD_Y + 500]]
    ]
    p = _gpkg(d / "zelfdoorsnijding.gpkg", [("a", [("P-1", poly(bowtie)), ("P-2", poly(hole_outside))], "EPSG:28992")])
    return Case("", "plangebieden", p, "ok", codes=("geometrie_hersteld",), loaded=2)


def _shapefile_zip(path: Path, d: Path, with_prj: bool = True, extra=None) -> Path:
    import geopandas as gpd
    from shapely.geometry import shape

    tmp = d / f"_{path.stem}"
    tmp.mkdir()
    frame = gpd.GeoDataFrame(
        {"plan_id": ["P-1", "P-2"]},
        geometry=[shape(poly(rd_square())), shape(poly(rd_square(RD_X + 300)))],
        crs="EPSG:28992",
    )
    frame.to_file(tmp / "gebieden.shp", engine="pyogrio")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(tmp.iterdir()):
            if with_prj or f.suffix != ".prj":
                zf.write(f, f.name)
        if extra:
            extra(zf)
    return path


@case
def shp_zip_without_prj(d: Path) -> Case:
    return Case("", "plangebieden", _shapefile_zip(d / "zonder_prj.zip", d, with_prj=False), "fatal", "CRS")


@case
def shp_zip_without_prj_crs_in_manifest(d: Path) -> Case:
    return Case(
        "",
        "plangebieden",
        _shapefile_zip(d / "met_crs.zip", d, with_prj=False),
        "ok",
        extra={"crs": "EPSG:28992"},
        loaded=2,
    )


@case
def shp_zip_dotdot_entry(d: Path) -> Case:
    return Case(
        "",
        "plangebieden",
        _shapefile_zip(d / "pad.zip", d, extra=lambda zf: zf.writestr("../../buiten.shp", b"x")),
        "fatal",
        "onveilig pad",
    )


@case
def shp_zip_absolute_entry(d: Path) -> Case:
    return Case(
        "",
        "plangebieden",
        _shapefile_zip(d / "absoluut.zip", d, extra=lambda zf: zf.writestr("/etc/passwd", b"x")),
        "fatal",
        "onveilig pad",
    )


@case
def shp_zip_symlink_entry(d: Path) -> Case:
    def link(zf):
        info = zipfile.ZipInfo("gebieden_link.shp")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")

    return Case("", "plangebieden", _shapefile_zip(d / "link.zip", d, extra=link), "fatal", "symbolische koppeling")


@case
def shp_zip_bomb(d: Path) -> Case:
    def bomb(zf):
        with zf.open("leesmij.txt", "w") as f:
            for _ in range(64):
                f.write(b" " * (1 << 20))

    return Case("", "plangebieden", _shapefile_zip(d / "bom.zip", d, extra=bomb), "fatal", "zip-bom")


@case
def shp_zip_lying_sizes(d: Path) -> Case:
    """The central directory says the .dbf is tiny; it is not. Refused, not expanded."""
    p = _shapefile_zip(d / "liegt.zip", d)
    data = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith(".dbf"))
    # local header: uncompressed size at offset 22; central directory entry: at offset 24
    data[info.header_offset + 22 : info.header_offset + 26] = (10).to_bytes(4, "little")
    start = 0
    while True:
        cd = data.find(b"PK\x01\x02", start)
        name_len = int.from_bytes(data[cd + 28 : cd + 30], "little")
        if data[cd + 46 : cd + 46 + name_len].decode().endswith(".dbf"):
            data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
            break
        start = cd + 4
    p.write_bytes(bytes(data))
    return Case("", "plangebieden", p, "fatal", "liegt.zip")


@case
def shp_zip_without_shp(d: Path) -> Case:
    p = d / "leeg.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("leesmij.txt", "geen shapefile")
    return Case("", "plangebieden", p, "fatal", ".shp")


@case
def shp_zip_not_a_zip(d: Path) -> Case:
    p = d / "geen_zip.zip"
    p.write_bytes(b"PK\x03\x04" + b"rommel" * 100)
    return Case("", "plangebieden", p, "fatal", "geen_zip.zip")


def make(name: str, directory: Path) -> Case:
    directory.mkdir(parents=True, exist_ok=True)
    c = CASES[name](directory)
    c.name = name
    return c
