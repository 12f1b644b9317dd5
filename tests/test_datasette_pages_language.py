"""Datasette's own pages (table, row, database, query, error) speak the page language.

templates/table.html, query.html, database.html, row.html and their partials are Datasette 0.65.5's
with the text in _(): Dutch on /nl/, English on /en/, numbers with the page's thousands separator,
known data values (planstatus, hardheid) through the `label` filter. Every check below fails when
the translation it covers is taken out (Datasette's English, "{:,}" numbers or raw data values come back).
"""

import html
import json
import re

import pytest
from babel.messages.pofile import read_po
from datasette.app import Datasette

from ingest.schema import PLANSTATUSSEN

from helpers import ROOT, portal_metadata, query

PLANNEN = "/woningbouwplannen/plannen"
UTRECHT = PLANNEN + "?provincie=Utrecht&_facet=planstatus"
ROW = "/woningbouwplannen/gemeenten/GM0363"
DATABASE = "/woningbouwplannen"
CANNED = "/woningbouwplannen/grootste_plannen"
SQL = "/woningbouwplannen?sql=select+1"
NO_TABLE = "/woningbouwplannen/bestaat_niet"
NO_DATABASE = "/bestaat_niet"
PAGES = [PLANNEN, UTRECHT, ROW, DATABASE, CANNED, SQL, NO_TABLE, NO_DATABASE]

# Datasette 0.65.5's English on these pages; none may show on a Dutch page
DATASETTE_ENGLISH = [
    "rows",
    "row",
    "sorted by",
    "descending",
    "Search:",
    "Apply",
    "remove filter",
    "Sort by",
    "View and edit SQL",
    "Run SQL",
    "Format SQL",
    "Edit SQL",
    "Custom SQL query",
    "returning",
    "Query parameters",
    "This data as",
    "advanced",
    "Advanced export",
    "JSON shape",
    "newline-delimited",
    "CSV options",
    "download file",
    "expand labels",
    "stream all rows",
    "Export CSV",
    "Next page",
    "Suggested facets",
    "Query took",
    "Queries took",
    "Data license",
    "Data source",
    "Tables",
    "Views",
    "Many rows",
    "hidden",
    "Links from other tables",
    "0 records",
    "0 results",
    "Database not found",
    "Table not found",
    "Error",
]
DUTCH_STATUSES = list(PLANSTATUSSEN)
COMMA_THOUSANDS = re.compile(r"\b\d{1,3},\d{3}\b")
POINT_THOUSANDS = re.compile(r"\b\d{1,3}\.\d{3}\b")


def english() -> dict[str, str]:
    with (ROOT / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id and m.string}


def visible(page: str) -> str:
    """The text a visitor reads: no scripts or styles, no SQL, no (bilingual) metadata descriptions;
    the labels of submit buttons count as text."""
    page = re.sub(r"(?is)<(script|style|textarea|pre)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<dl class="column-descriptions">.*?</dl>', " ", page)
    page = re.sub(r'(?is)<div class="metadata-description">.*?</div>', " ", page)
    page = re.sub(r'(?is)<input\b[^>]*\btype="submit"[^>]*\bvalue="([^"]*)"[^>]*>', r" \1 ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"\s+", " ", html.unescape(page)).strip()


def has_phrase(text: str, phrase: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text) is not None


def section(page: str, start: str, end: str | None = None) -> str:
    """The HTML from the first `start` up to `end` (or the end of the page)."""
    assert start in page, start
    rest = page[page.index(start) :]
    return rest[: rest.index(end)] if end and end in rest else rest


def element(page: str, marker: str) -> str:
    """The whole <div> holding `marker` in its opening tag, nested divs included."""
    start = page.rindex("<div", 0, page.index(marker) + len(marker))
    depth = 0
    for m in re.finditer(r"<div\b|</div>", page[start:]):
        depth += 1 if m.group() == "<div" else -1
        if depth == 0:
            return page[start : start + m.end()]
    return page[start:]


def facet(page: str, column: str) -> str:
    """Visible text of one facet's box on a table page."""
    return visible(element(page, f'id="facet-{column}"'))


def counts_shown(page: str) -> str:
    """Visible text of where Datasette's pages show counts: headings (row counts), facets, the database
    page's list of tables, a row's links from other tables. (Not the bilingual titles and descriptions
    from metadata.yml, whose English half writes 100,000.)"""
    parts = re.findall(r'(?is)<h3>.*?</h3>|<h2 class="header3">.*?</h2>|<p class="zero-results">.*?</p>', page)
    parts += [element(page, m) for m in ('<div class="facet-results">',) if m in page]
    parts += [element(page[m.start() :], '<div class="db-table">') for m in re.finditer('<div class="db-table">', page)]
    parts += re.findall(r"(?is)<h2>[^<]*</h2>\s*<ul>.*?</ul>", page)
    return visible(" ".join(parts))


def nl(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@pytest.fixture(params=["sample_app", "export_app"])
def app(request):
    return request.getfixturevalue(request.param)


def db_path(app):
    return [d for d in app.databases.values() if d.name == "woningbouwplannen"][0].path


async def get(app, path, status=200):
    r = await app.client.get(path)
    assert r.status_code == status, (path, r.status_code, r.text[-500:])
    return r.text


@pytest.mark.parametrize("path", PAGES)
async def test_dutch_pages_show_none_of_datasettes_english(app, path):
    status = 404 if path in (NO_TABLE, NO_DATABASE) else 200
    text = visible(await get(app, "/nl" + path, status))
    shown = [p for p in DATASETTE_ENGLISH if has_phrase(text, p)]
    assert not shown, f"/nl{path} shows Datasette's English: {shown}"


@pytest.mark.parametrize("path", [PLANNEN, UTRECHT, DATABASE, CANNED, "/woningbouwplannen/plan_historie"])
async def test_counts_with_the_page_languages_thousands_separator(app, path):
    nl_counts = counts_shown(await get(app, "/nl" + path))
    en_counts = counts_shown(await get(app, "/en" + path))
    assert nl_counts and en_counts
    assert not COMMA_THOUSANDS.findall(nl_counts), f"/nl{path}: English thousands separator in {nl_counts!r}"
    assert not POINT_THOUSANDS.findall(en_counts), f"/en{path}: Dutch thousands separator in {en_counts!r}"


async def test_table_page_in_dutch_and_english(app):
    n = query(db_path(app), "select count(*) n from plannen")[0]["n"]
    assert n >= 1000, "the check of the thousands separator needs a table of at least 1000 rows"
    nl_page, en_page = await get(app, "/nl" + PLANNEN), await get(app, "/en" + PLANNEN)
    nl_text, en_text = visible(nl_page), visible(en_page)
    # Datasette's human_description_en in Dutch: the table's metadata sorts by woningen, descending
    assert f"{nl(n)} rijen, gesorteerd op woningen aflopend" in nl_text
    assert f"{n:,} rows sorted by woningen descending" in en_text
    assert f"{nl(n)} rijen" in section(nl_page, "<title>", "</title>")
    assert f"{n:,} rows" in section(en_page, "<title>", "</title>")
    heading_en = visible(section(en_page, '<h2 class="header3">', "</h2>"))
    assert not POINT_THOUSANDS.search(heading_en) and f"{n:,}" in heading_en
    for dutch, eng in [
        ("Zoeken:", "Search:"),
        ("- kolom -", "- column -"),
        ("Toepassen", "Apply"),
        ("bevat", "contains"),
        ("heeft geen waarde", "is null"),
        ("Sorteren op naam", "Sort by naam"),
        ("aflopend", "descending"),
        ("SQL bekijken en bewerken", "View and edit SQL"),
        ("Deze gegevens als", "This data as"),
        ("uitgebreid", "advanced"),
        ("Uitgebreide export", "Advanced export"),
        ("JSON-vorm:", "JSON shape:"),
        ("één object per regel", "newline-delimited"),
        ("CSV-opties:", "CSV options:"),
        ("als bestand downloaden", "download file"),
        ("CSV exporteren", "Export CSV"),
        ("Volgende pagina", "Next page"),
        ("Licentie data:", "Data licence:"),
    ]:
        assert has_phrase(nl_text, dutch), dutch
        assert has_phrase(en_text, eng), eng
    # table.js writes its column menu in English; the page puts its own words in
    for dutch, eng in [
        ("Alle kolommen tonen", "Show all columns"),
        ("Oplopend sorteren", "Sort ascending"),
        ("Facetteren op deze kolom", "Facet by this"),
    ]:
        assert json.dumps(dutch) in nl_page and json.dumps(eng) in en_page
    assert "table.js" in nl_page and '"a.dropdown-show-all-columns"' in nl_page


async def test_facet_counts_and_values_in_the_page_language(app):
    counts = query(db_path(app), "select hardheid, count(*) n from plannen group by hardheid order by n desc")
    nl_page, en_page = await get(app, "/nl" + PLANNEN), await get(app, "/en" + PLANNEN)
    nl_facet, en_facet = facet(nl_page, "hardheid"), facet(en_page, "hardheid")
    labels = english()
    for row in counts:
        value = row["hardheid"] or ""
        if value in labels:  # a known value: Dutch on Dutch pages, English on English pages
            assert f"{value} {nl(row['n'])}" in nl_facet, (value, nl_facet)
            assert f"{labels[value]} {row['n']:,}" in en_facet, (value, en_facet)
    assert counts[0]["n"] >= 1000 and nl(counts[0]["n"]) in nl_facet and f"{counts[0]['n']:,}" in en_facet
    assert not COMMA_THOUSANDS.search(nl_facet) and not POINT_THOUSANDS.search(en_facet)


async def test_filtered_table_with_facets(app):
    n = query(db_path(app), "select count(*) n from plannen where provincie = 'Utrecht'")[0]["n"]
    statuses = {
        r["planstatus"]
        for r in query(db_path(app), "select distinct planstatus from plannen where provincie = 'Utrecht'")
    }
    nl_page, en_page = await get(app, "/nl" + UTRECHT), await get(app, "/en" + UTRECHT)
    nl_text, en_text = visible(nl_page), visible(en_page)
    assert f'{nl(n)} rijen waarbij provincie = "Utrecht", gesorteerd op woningen aflopend' in nl_text
    assert f'{n:,} rows where provincie = "Utrecht" sorted by woningen descending' in en_text
    assert "- filter verwijderen -" in nl_text and "- remove filter -" in en_text
    nl_facet, en_facet = facet(nl_page, "planstatus"), facet(en_page, "planstatus")
    labels = english()
    for status in statuses & set(DUTCH_STATUSES):
        assert has_phrase(nl_facet, status), status
        assert has_phrase(en_facet, labels[status]), (status, labels[status])
    on_english = [s for s in DUTCH_STATUSES if has_phrase(en_facet, s)]
    assert not on_english, f"Dutch planstatus values on the English page: {on_english}"
    assert {"in voorbereiding", "vastgesteld", "onherroepelijk"} & statuses  # the check above means something


async def test_row_page(app):
    nl_text, en_text = visible(await get(app, "/nl" + ROW)), visible(await get(app, "/en" + ROW))
    assert "Deze gegevens als" in nl_text and "This data as" in en_text
    naam = query(db_path(app), "select naam from doorbraaklocaties order by naam limit 1")
    if naam:  # plannen refer to doorbraaklocaties: Datasette lists those links under the row
        from datasette.utils import tilde_encode

        path = "/woningbouwplannen/doorbraaklocaties/" + tilde_encode(naam[0]["naam"])
        nl_text, en_text = visible(await get(app, "/nl" + path)), visible(await get(app, "/en" + path))
        assert "Verwijzingen vanuit andere tabellen" in nl_text and "uit plannen via doorbraaklocatie" in nl_text
        assert "Links from other tables" in en_text and "from doorbraaklocatie in plannen" in en_text
        assert not has_phrase(nl_text, "rows") and not has_phrase(nl_text, "row")


async def test_link_column_of_a_table_without_a_single_key(app):
    # plan_historie has a compound primary key: Datasette's first column is "Link"
    nl_page, en_page = (
        await get(app, "/nl/woningbouwplannen/plan_historie"),
        await get(app, "/en/woningbouwplannen/plan_historie"),
    )
    th = r'<th class="col-Link"[^>]*>\s*{}\s*</th>'
    assert re.search(th.format("Rijpagina"), nl_page) and re.search(th.format("Link"), en_page)
    assert 'content: "Rijpagina"' in nl_page  # the column's name on a phone's row cards


async def test_database_page(app):
    n = query(db_path(app), "select count(*) n from plannen")[0]["n"]
    nl_page, en_page = await get(app, "/nl" + DATABASE), await get(app, "/en" + DATABASE)
    nl_text, en_text = visible(nl_page), visible(en_page)
    for dutch, eng in [
        ("Eigen SQL-query", "Custom SQL query"),
        ("SQL opmaken", "Format SQL"),
        ("SQL uitvoeren", "Run SQL"),
        ("Query's", "Queries"),
        ("Tabellen", "Tables"),
    ]:
        assert has_phrase(nl_text, dutch) and has_phrase(en_text, eng), (dutch, eng)
    plannen_nl = visible(section(nl_page, f'<a href="{DATABASE}/plannen">', "</div>"))
    plannen_en = visible(section(en_page, f'<a href="{DATABASE}/plannen">', "</div>"))
    assert plannen_nl.endswith(f"{nl(n)} rijen") and plannen_en.endswith(f"{n:,} rows"), (plannen_nl, plannen_en)


async def test_canned_query_page(app):
    nl_text, en_text = visible(await get(app, "/nl" + CANNED)), visible(await get(app, "/en" + CANNED))
    rows = len(query(db_path(app), "select 1 from plannen where lopend = 1 limit 25"))
    for dutch, eng in [
        (f"Eigen SQL-query, resultaat: {rows} rijen", f"Custom SQL query returning {rows} rows"),
        ("verbergen", "hide"),
        ("Queryparameters", "Query parameters"),
        ("SQL opmaken", "Format SQL"),
        ("SQL uitvoeren", "Run SQL"),
        ("SQL bewerken", "Edit SQL"),
        ("Deze gegevens als", "This data as"),
    ]:
        assert has_phrase(nl_text, dutch) and has_phrase(en_text, eng), (dutch, eng)


async def test_sql_page(app):
    nl_text, en_text = visible(await get(app, "/nl" + SQL)), visible(await get(app, "/en" + SQL))
    assert "Eigen SQL-query, resultaat: 1 rij" in nl_text and "Custom SQL query returning 1 row" in en_text
    assert has_phrase(nl_text, "SQL uitvoeren") and has_phrase(en_text, "Run SQL")
    nl_text = visible(await get(app, "/nl/woningbouwplannen?sql=select+1+where+0"))
    en_text = visible(await get(app, "/en/woningbouwplannen?sql=select+1+where+0"))
    assert "0 resultaten" in nl_text and "0 results" in en_text


async def test_not_found_pages(app):
    for path, dutch, eng in [
        (NO_TABLE, "Tabel niet gevonden", "Table not found"),
        (NO_DATABASE, "Database niet gevonden", "Database not found"),
    ]:
        nl_text, en_text = visible(await get(app, "/nl" + path, 404)), visible(await get(app, "/en" + path, 404))
        assert dutch in nl_text and eng not in nl_text
        assert eng in en_text


async def test_suggested_facets(sample_db):
    """settings.json turns suggested facets off; with them on, they speak the page language too."""
    settings = json.loads((ROOT / "settings.json").read_text())
    app = Datasette(
        files=[],
        immutables=[str(sample_db)],
        metadata=portal_metadata(),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings={**settings, "suggest_facets": True},
    )
    nl_page = await get(app, "/nl/woningbouwplannen/gemeenten")
    en_page = await get(app, "/en/woningbouwplannen/gemeenten")
    nl_text = visible(section(nl_page, '<p class="suggested-facets">', "</p>"))
    en_text = visible(section(en_page, '<p class="suggested-facets">', "</p>"))
    assert nl_text.startswith("Voorgestelde facetten:") and en_text.startswith("Suggested facets:")
    assert "provincie" in nl_text
