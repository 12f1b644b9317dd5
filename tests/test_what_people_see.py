"""What people see is right (issue 14): pages read as a person reads them, through the real app."""

from __future__ import annotations

import csv
import io
import re

import pytest
import yaml

from helpers import ROOT, query

QUERIES = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["woningbouwplannen"][
    "queries"
]
PUBLIC = [
    "/",
    "/kaart",
    "/in-de-buurt",
    "/gemeenten",
    "/gemeente/GM0363",
    "/plan/24862",
    "/doorbraaklocaties",
    "/voortgang",
    "/over",
    "/voor-journalisten",
    "/voor-ontwikkelaars",
    "/downloads",
    "/zoeken?q=Utrecht",
    "/wijzigingen",
    "/woningbouwplannen/plannen",
    "/woningbouwplannen/grootste_plannen",
]


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_journalists_page_lists_every_canned_query_with_its_question_and_files(sample_app, lang):
    html = (await sample_app.client.get(f"/{lang}/voor-journalisten")).text
    assert "Nog geen kant-en-klare vragen" not in html
    for name, q in QUERIES.items():
        title = q["title"].split(" / ")[0 if lang == "nl" else 1].strip()
        assert title in html, (lang, name)
        for link in (
            f'href="/woningbouwplannen/{name}"',
            f"/woningbouwplannen/{name}.csv",
            f"/woningbouwplannen/{name}.json",
        ):
            assert link in html, (name, link)


async def test_the_sql_time_limit_stated_is_the_one_visitors_get(sample_app):
    limit = yaml.safe_load((ROOT / "metadata.yml").read_text())["plugins"]["sql-guard"]["time_limit_ms"]
    for path in ("/voor-ontwikkelaars", "/voor-journalisten"):
        assert f"mag {limit:,} milliseconden duren".replace(",", ".") in visible(
            (await sample_app.client.get(path)).text
        )


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_no_public_page_prints_markup_as_text(sample_app, lang):
    for path in PUBLIC:
        html = (await sample_app.client.get(f"/{lang}{path}")).text
        text = visible(re.sub(r"<textarea\b.*?</textarea>", " ", html, flags=re.S))  # what a reader sees
        assert "&lt;a" not in text and "&lt;/" not in text, path


async def test_the_language_switch_keeps_path_and_query(sample_app):
    html = (await sample_app.client.get("/zoeken?q=Den+Bosch")).text
    assert 'class="lang-switch" href="/en/zoeken?q=Den+Bosch"' in html
    html = (await sample_app.client.get("/en/gemeente/GM0363?peildatum=2025-04-01")).text
    assert 'class="lang-switch" href="/nl/gemeente/GM0363?peildatum=2025-04-01"' in html


@pytest.mark.parametrize(
    "lang,title,message", [("nl", "Niet gevonden", "Tabel niet gevonden"), ("en", "Not found", "Table not found")]
)
async def test_error_pages_use_the_portal_layout_in_the_page_language(sample_app, lang, title, message):
    response = await sample_app.client.get(f"/{lang}/woningbouwplannen/bestaat_niet")
    assert response.status_code == 404
    html = response.text
    assert f"<h1>{title}</h1>" in html and message in html
    assert "voorbeelddata-banner" in html and "peildatum-regel" in html
    other = "en" if lang == "nl" else "nl"
    assert f'class="lang-switch" href="/{other}/woningbouwplannen/bestaat_niet"' in html
    assert f'<html lang="{lang}">' in html


async def test_a_failed_sql_comes_back_in_an_editor(sample_app):
    response = await sample_app.client.get("/woningbouwplannen?sql=selec+naam+from+plannen")
    assert response.status_code == 400
    assert (
        '<textarea id="sql-herstel" name="sql"' in response.text
        and "selec naam from plannen</textarea>" in response.text
    )


async def test_no_published_table_has_a_helper_column(sample_db, sample_app):
    for table in [r["name"] for r in query(sample_db, "select name from sqlite_master where type = 'table'")]:
        columns = [r["name"] for r in query(sample_db, f"pragma table_info([{table}])")]
        assert "popup" not in columns, table
    assert "popup" not in (await sample_app.client.get("/woningbouwplannen/plannen.json?_size=1")).json()["columns"]


async def test_english_pages_show_english_data_values(sample_app):
    html = (await sample_app.client.get("/en/kaart")).text
    options = re.findall(r'<select id="f-status".*?</select>', html, flags=re.S)[0]
    assert "in preparation" in options.lower() and ">in voorbereiding<" not in options


@pytest.mark.parametrize(
    "q,expected",
    [
        ("24862", "/plan/24862"),
        ("GM0344", "/gemeente/GM0344"),
        ("0344", "/gemeente/GM0344"),
        ("Den Bosch", "/gemeente/GM0796"),
        ("sudwest", "/gemeente/GM1900"),
        ("HENGELO", "/gemeente/GM0164"),
        ("hoeksche", "/gemeente/GM1963"),
    ],
)
async def test_search_finds_ids_codes_aliases_prefixes_and_accentless_names(sample_app, q, expected):
    html = (await sample_app.client.get(f"/zoeken?q={q}")).text
    assert f'href="{expected}"' in html, q


async def test_search_offers_close_spellings_and_names_the_place_search(sample_app):
    html = (await sample_app.client.get("/zoeken?q=Amsterdm")).text
    assert "Bedoelde u" in html and 'href="/zoeken?q=Amsterdam"' in html
    assert 'id="plaatsen"' in html and "/static/zoeken.js" in html and "PDOK" in html


async def test_plan_and_municipality_pages_pinned_to_a_peildatum(export_app, export_db):
    pid, oud, nieuw = [
        (r["plan_id"], r["oude_waarde"], r["nieuwe_waarde"])
        for r in query(
            export_db,
            "select plan_id, oude_waarde, nieuwe_waarde from plan_wijzigingen where soort = 'meer_woningen' limit 1",
        )
    ][0]
    page = (await export_app.client.get(f"/plan/{pid}?peildatum=2025-04-01")).text
    assert "Deze pagina toont het plan zoals het op peildatum 2025-04-01 in de bron stond." in page
    assert f"bruto {int(oud):,}".replace(",", ".") in page
    assert f"bruto {int(nieuw):,}".replace(",", ".") in visible((await export_app.client.get(f"/plan/{pid}")).text)
    old = query(
        export_db,
        "select count(*) n from plan_historie where gemeentecode = 'GM0363' and peildatum = '2025-04-01' "
        "and lopend = 1",
    )[0]["n"]
    page = visible((await export_app.client.get("/gemeente/GM0363?peildatum=2025-04-01")).text)
    assert "Deze pagina toont de stand op peildatum 2025-04-01." in page and f"{old} lopende plannen" in page


async def test_a_withdrawn_plan_has_a_page_that_says_so(export_app, export_db):
    pid = query(export_db, "select plan_id from plan_wijzigingen where soort = 'ingetrokken' limit 1")[0]["plan_id"]
    response = await export_app.client.get(f"/plan/{pid}")
    assert response.status_code == 200 and "Het staat niet meer in de nieuwste bron." in response.text


async def test_csv_comes_as_a_named_file_with_a_dutch_excel_variant(sample_app):
    response = await sample_app.client.get("/woningbouwplannen/grootste_plannen.csv?aantal=3")
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="woningbouwplannen-grootste_plannen-2025-10-01.csv"'
    )
    excel = await sample_app.client.get("/woningbouwplannen/plannen.csvnl?_size=5&provincie=Utrecht")
    assert excel.headers["content-disposition"].endswith('-plannen-2025-10-01-excel.csv"')
    assert excel.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "plan_id" and len(rows) == 6
    lat = rows[0].index("latitude")
    assert "," in rows[1][lat] and "." not in rows[1][lat]  # decimal comma
    page = (await sample_app.client.get("/woningbouwplannen/plannen")).text
    assert ".csvnl" in page  # offered next to csv and json


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\n"])
async def test_query_results_for_excel_neutralise_formulas_the_plain_csv_keeps_them(sample_app, start):
    sql = f"select char({ord(start)}) || '1+1' as cel"
    excel = await sample_app.client.get("/woningbouwplannen.csvnl", params={"sql": sql})
    plain = await sample_app.client.get("/woningbouwplannen.csv", params={"sql": sql})
    assert list(csv.reader(io.StringIO(excel.content.decode("utf-8-sig")), delimiter=";"))[1] == ["'" + start + "1+1"]
    assert list(csv.reader(io.StringIO(plain.text)))[1] == [start + "1+1"]


async def test_the_price_limits_cite_the_instruments_that_set_them(sample_app):
    html = (await sample_app.client.get("/over")).text
    assert "Wet betaalbare huur" in html and "koopgrens" in html and "EenVandaag" not in html
