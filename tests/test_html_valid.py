"""Every page is valid HTML (the W3C Nu checker, vnu-jar from npm, zero errors) and has a meta
description in its own language, on /nl/ and /en/.

The crawl covers every template in templates/pages, the home page, the API reference, every table,
canned query and a row of the main tables, a filtered, a faceted and a searched table, an SQL query
and the error pages, rendered by the real app. All pages go to one JVM start of vnu.jar.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import yaml
from babel.messages.pofile import read_po
from datasette.utils import tilde_encode

from ingest.schema import DATABASE as DB

from helpers import ROOT, query

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# our own pages; a new template in templates/pages must be added here (test_every_page_template_is_crawled)
PAGES = [
    "/",
    "/kaart",
    "/voortgang",
    "/gemeenten",
    "/gemeente/GM0363",
    "/zoeken",
    "/zoeken?q=Utrecht",
    "/in-de-buurt",
    "/doorbraaklocaties",
    "/downloads",
    "/voor-journalisten",
    "/voor-ontwikkelaars",
    "/over",
    "/wijzigingen",
    "/api",
    "/toegankelijkheid",
    "/privacy",
]
DATASETTE_PAGES = [
    f"/{DB}",
    f"/{DB}/plannen",
    f"/{DB}/plannen?provincie=Utrecht",
    f"/{DB}/plannen?provincie=Utrecht&_facet=planstatus&_facet=hardheid",
    f"/{DB}/plannen?_search=Utrecht&_sort=naam",
    f"/{DB}/plannen?woningen__gt=100&_where=netto>0",
    f"/{DB}?sql=select+plan_id,+naam,+woningen+from+plannen+order+by+woningen+desc+limit+10",
    f"/{DB}/woningen_per_gemeente?provincie=Utrecht",
]
NOT_FOUND = ["/bestaat-niet", f"/{DB}/bestaat_niet", f"/{DB}/plannen/GEEN-PLAN", "/plan/GEEN-PLAN"]

# Words that mark a sentence as Dutch or English (descriptions are sentences, not keyword lists)
NL_WORDS = {
    "de",
    "het",
    "een",
    "van",
    "en",
    "met",
    "voor",
    "op",
    "zijn",
    "niet",
    "alle",
    "bij",
    "uit",
    "wat",
    "hoe",
    "je",
    "welke",
    "waar",
    "naar",
    "ook",
    "of",
    "woningen",
    "plannen",
    "gemeente",
    "gemeenten",
    "tabel",
    "rijen",
    "rij",
    "elke",
    "deze",
    "wordt",
    "worden",
}
EN_WORDS = {
    "the",
    "a",
    "an",
    "of",
    "and",
    "with",
    "for",
    "on",
    "are",
    "is",
    "not",
    "all",
    "by",
    "from",
    "what",
    "how",
    "you",
    "which",
    "where",
    "to",
    "also",
    "or",
    "homes",
    "plans",
    "municipality",
    "municipalities",
    "table",
    "rows",
    "row",
    "every",
    "this",
    "each",
}


def paths(db: Path) -> list[tuple[str, int]]:
    """(path, expected status) of every page the crawl visits."""
    plan = query(db, "select plan_id from plannen order by woningen desc limit 1")[0]["plan_id"]
    tables = [
        r["name"]
        for r in query(
            db,
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' "
            "and name not like '%_fts%' order by name",
        )
    ]
    queries = list(yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"][DB]["queries"])
    site = query(db, "select naam from doorbraaklocaties order by naam limit 1")[0]["naam"]
    found = [(p, 200) for p in PAGES]
    found += [
        (f"/plan/{tilde_encode(plan)}", 200),
        (f"/{DB}/plannen/{tilde_encode(plan)}", 200),
        (f"/{DB}/gemeenten/GM0363", 200),
        (f"/{DB}/doorbraaklocaties/{tilde_encode(site)}", 200),
    ]
    found += [(p, 200) for p in DATASETTE_PAGES]
    found += [(f"/{DB}/{t}", 200) for t in tables]
    found += [(f"/{DB}/{q}", 200) for q in queries]
    found += [(p, 404) for p in NOT_FOUND]
    return list(dict.fromkeys(found))


_crawled: dict = {}


async def crawl(app, db: Path) -> dict[str, str]:
    """URL -> HTML of every crawled page in both languages (once per session)."""
    if "pages" not in _crawled:
        pages, wrong = {}, []
        for path, status in paths(db):
            for lang in ("nl", "en"):
                url = f"/{lang}{path}"
                r = await app.client.get(url)
                if r.status_code != status or not r.headers["content-type"].startswith("text/html"):
                    wrong.append(f"{url}: {r.status_code} {r.headers['content-type']}, expected {status} text/html")
                else:
                    pages[url] = r.text
        assert wrong == []
        _crawled["pages"] = pages
    return _crawled["pages"]


def nu_errors(pages: dict[str, str]) -> list[str]:
    """The Nu checker's errors, each with the URL of its page; one JVM for all pages."""
    java = shutil.which("java")
    assert java, "no Java runtime: apt-get install default-jre-headless (.ci/run does)"
    assert VNU.exists(), "run `npm ci` (make test does) for vnu-jar"
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        files = {}
        for i, (url, text) in enumerate(pages.items()):
            f = Path(tmp) / f"page-{i:03d}.html"
            f.write_text(text, encoding="utf-8")
            files[f.resolve().as_uri()] = url
        out = subprocess.run(
            [
                java,
                "-jar",
                str(VNU),
                "--errors-only",
                "--format",
                "json",
                "--stdout",
                *sorted(str(Path(tmp) / Path(u).name) for u in files),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert out.stdout.strip(), f"vnu.jar gave no report: {out.stderr[-2000:]}"
    messages = json.loads(out.stdout)["messages"]
    by_file = {Path(k).name: v for k, v in files.items()}
    return [
        f"{by_file.get(Path(m.get('url', '')).name, m.get('url'))} line {m.get('lastLine')}: {m['message']}"
        f" [{(m.get('extract') or '').strip()[:120]}]"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


async def test_every_page_is_valid_html(sample_app, sample_db):
    pages = await crawl(sample_app, sample_db)
    errors = nu_errors(pages)
    for e in errors:
        print(e)
    assert errors == [], f"{len(errors)} errors from the Nu checker (printed above)"


def description(page: str) -> str | None:
    found = re.findall(r'<meta name="description" content="([^"]*)">', page)
    assert len(found) <= 1, "more than one meta description"
    return html.unescape(found[0]).strip() if found else None


def default_descriptions() -> set[str]:
    """base.html's description for a page that sets none, in Dutch and English."""
    dutch = re.search(
        r'\{% block description %\}\{\{ _\("([^"]+)"\) \}\}',
        (ROOT / "templates" / "base.html").read_text(encoding="utf-8"),
    ).group(1)
    with (ROOT / "locale" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        english = {m.id: m.string for m in read_po(f)}.get(dutch)
    return {dutch, english}


def words(text: str) -> list[str]:
    return re.findall(r"[a-zà-ÿ]+", text.lower())


async def test_every_page_has_a_meta_description_in_its_language(sample_app, sample_db):
    pages = await crawl(sample_app, sample_db)
    problems = []
    for url, page in pages.items():
        lang = url.split("/")[1]
        text = description(page)
        if not text or len(text) < 40:
            problems.append(f"{url}: description {text!r}")
            continue
        nl, en = sum(w in NL_WORDS for w in words(text)), sum(w in EN_WORDS for w in words(text))
        if (lang == "nl" and nl <= en) or (lang == "en" and en <= nl):
            problems.append(f"{url}: not {lang}: {text!r}")
        other = pages.get(("/en" if lang == "nl" else "/nl") + url[3:])
        if other is not None and description(other) == text:
            problems.append(f"{url}: same description in both languages: {text!r}")
    # each page describes itself: no two different pages share one (a page without its own gets base.html's)
    by_text: dict[str, set[str]] = {}
    for url, page in pages.items():
        by_text.setdefault(description(page) or "", set()).add(url.split("?")[0])
    problems += [f"one description for {sorted(urls)}" for urls in by_text.values() if len(urls) > 1]
    fallback = default_descriptions()
    problems += [
        f"{url}: base.html's general description" for url, page in pages.items() if description(page) in fallback
    ]
    assert problems == []


def test_every_page_template_is_crawled(sample_db):
    crawled = {p.split("?")[0] for p, _ in paths(sample_db)}
    for template in (ROOT / "templates" / "pages").rglob("*.html"):
        name = "/" + str(template.relative_to(ROOT / "templates" / "pages"))[: -len(".html")]
        if "{" in name:
            assert any(re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", name), p) for p in crawled), name
        else:
            assert name in crawled, f"{name} is not in the crawl of tests/test_html_valid.py"
