"""The footer of every page, and what the accessibility and privacy statements (/toegankelijkheid, /privacy)
say, read from the pages and checked against what the site does: the cookie it sets, the hosts its CSP allows,
the log retention the production setup applies, the test tools it runs, the contact it is configured with."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import sys

import pytest
from test_html_valid import crawl

from helpers import ROOT, make_datasette, portal_metadata

_spec = importlib.util.spec_from_file_location("serve_prod", ROOT / "deploy" / "serve_prod.py")
serve_prod = importlib.util.module_from_spec(_spec)
sys.modules["serve_prod"] = serve_prod
_spec.loader.exec_module(serve_prod)


def text(page: str) -> str:
    """The visible text of a page's <main>."""
    main = page[page.index("<main") : page.index("</main>")]
    main = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", main)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"(?s)<[^>]+>", " ", main))).strip()


async def get(app, path: str):
    r = await app.client.get(path)
    assert r.status_code == 200, path
    return r


async def test_every_page_links_the_statements_and_the_api_reference(sample_app, sample_db):
    pages = await crawl(sample_app, sample_db)
    missing = []
    for url, page in pages.items():
        lang = url.split("/")[1]
        footer = page[page.index('<footer class="ft">') :]
        for target in ("/api", "/toegankelijkheid", "/privacy"):
            if f'href="/{lang}{target}"' not in footer:
                missing.append(f"{url}: {target}")
    assert missing == []


async def test_query_time_in_the_footer_has_the_page_languages_decimal_sign(sample_app):
    nl = (await get(sample_app, "/nl/woningbouwplannen/plannen")).text
    en = (await get(sample_app, "/en/woningbouwplannen/plannen")).text
    assert re.search(r"Queries duurden \d+,\d{3} ms", nl), re.findall(r"Queries duurden [^<]*", nl)
    assert re.search(r"Queries took \d+\.\d{3} ms", en), re.findall(r"Queries took [^<]*", en)


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_accessibility_statement_says_status_tests_gaps_and_contact(sample_app, lang):
    page = text((await get(sample_app, f"/{lang}/toegankelijkheid")).text)
    tools = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    said = {
        "nl": [
            "EN 301 549",
            "WCAG 2.1",
            "Nalevingsstatus: voldoet gedeeltelijk",
            "eigen beoordeling",
            "WCAG-EM",
            f"axe-core {tools['axe-core']}",
            f"vnu-jar {tools['vnu-jar']}",
            "Nu HTML Checker",
            "375 pixels",
            "toetsenbord",
            "Bekende tekortkomingen",
            "Kaarten",
            "Grafieken",
            "Niet getest",
            "schermlezers",
            "Een probleem melden",
            "Nationale ombudsman",
            "digitoegankelijk.nl",
        ],
        "en": [
            "EN 301 549",
            "WCAG 2.1",
            "Compliance status: partially compliant",
            "own assessment",
            "WCAG-EM",
            f"axe-core {tools['axe-core']}",
            f"vnu-jar {tools['vnu-jar']}",
            "Nu HTML Checker",
            "375 pixels",
            "Keyboard",
            "Known gaps",
            "Maps",
            "Charts",
            "Not tested",
            "screen readers",
            "Reporting a problem",
            "National Ombudsman",
            "digitoegankelijk.nl",
        ],
    }[lang]
    assert [s for s in said if s not in page] == []
    for claim in ("voldoet volledig", "fully compliant", "volledig toegankelijk", "fully accessible"):
        assert not re.search(rf"\b{claim}\b", page, re.IGNORECASE), claim
    # no contact is configured in metadata.yml: the page says so, it invents none
    assert "@" not in page and "mailto:" not in (await get(sample_app, f"/{lang}/toegankelijkheid")).text
    assert ("nog geen contactadres" if lang == "nl" else "No contact address") in page


def test_the_axe_test_covers_what_the_statement_names():
    import test_browser_pages

    crawled = {path.split("?")[0] for path in test_browser_pages.PAGES.values() if path}
    assert {
        "/api",
        "/toegankelijkheid",
        "/privacy",
        "/",
        "/kaart",
        "/voortgang",
        "/gemeenten",
        "/zoeken",
        "/in-de-buurt",
        "/doorbraaklocaties",
        "/over",
        "/voor-journalisten",
        "/voor-ontwikkelaars",
    } <= crawled
    assert test_browser_pages.PAGES["plan"] is None and "/woningbouwplannen/plannen" in crawled  # a plan, a table


async def test_statements_show_the_configured_contact(sample_db):
    config = dict(
        portal_metadata()["plugins"]["woningbouwplannen"],
        contact={"email": "loket@voorbeeld.invalid", "url": "https://voorbeeld.invalid/contact"},
    )
    app = make_datasette(sample_db, {"woningbouwplannen": config})
    for path in ("/nl/toegankelijkheid", "/en/privacy"):
        page = (await get(app, path)).text
        assert 'href="mailto:loket@voorbeeld.invalid"' in page and 'href="https://voorbeeld.invalid/contact"' in page
        assert "nog geen contactadres" not in page and "No contact address" not in page


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_privacy_statement_names_the_cookie_the_site_sets(sample_app, lang):
    r = await get(sample_app, f"/{lang}/privacy")
    cookie = r.headers["set-cookie"]
    name, value = cookie.split(";")[0].split("=")
    days = int(re.search(r"Max-Age=(\d+)", cookie).group(1)) // 86400
    page = text(r.text)
    assert value == lang and f"{name}, " in page and f" {days} " in page
    assert ("één cookie" if lang == "nl" else "one cookie") in page
    # the only cookie: a page without a language prefix sets none, a prefixed one only this one
    for path in ("/", "/kaart", "/woningbouwplannen/plannen", "/api", "/zoeken?q=Utrecht"):
        assert "set-cookie" not in (await sample_app.client.get(path)).headers, path
        prefixed = (await sample_app.client.get(f"/{lang}{path}")).headers.get_list("set-cookie")
        assert [c.split("=")[0] for c in prefixed] == [name], path


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_privacy_statement_names_every_other_host_the_csp_allows(sample_app, lang):
    r = await get(sample_app, f"/{lang}/privacy")
    hosts = set(re.findall(r"https://([a-z0-9.-]+)", r.headers["content-security-policy"]))
    assert hosts, "the CSP allows no other host: then the statement should say none"
    page = text(r.text)
    assert [h for h in hosts if h not in page] == []
    assert ("geen trackers" if lang == "nl" else "no trackers") in page


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_privacy_statement_states_the_retention_the_production_setup_applies(sample_app, lang):
    days = serve_prod.log_days()
    assert days, "metadata.yml sets no log_days: the logs would be kept forever"
    page = text((await get(sample_app, f"/{lang}/privacy")).text)
    assert (f"na {days} dagen gewist" if lang == "nl" else f"deleted after {days} days") in page
    assert ("zonder het laatste deel" if lang == "nl" else "without its last part") in page
