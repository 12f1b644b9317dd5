"""Readable on a 375 px phone (issue 14): for every table on every public page, in both languages, no word
is broken inside itself, no cell is clipped and nothing sticks out of the screen. Headless Chromium
against the real server; words are measured with DOM ranges (a word whose letters sit on two lines is
broken), cells by their scroll width."""

from __future__ import annotations

import pytest

from helpers import ARTIFACTS

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/kaart",
    "/in-de-buurt?lat=52.09&lon=5.12&km=5",
    "/gemeenten",
    "/gemeente/GM0363",
    "/gemeente/GM1963",
    "/plan/24862",
    "/doorbraaklocaties",
    "/voortgang",
    "/over",
    "/voor-journalisten",
    "/voor-ontwikkelaars",
    "/downloads",
    "/zoeken?q=Utrecht",
    "/woningbouwplannen/plannen?provincie=Utrecht",
    "/woningbouwplannen/grootste_plannen",
    "/woningbouwplannen/woningen_per_gemeente?provincie=Utrecht",
    "/woningbouwplannen/plannen_in_de_buurt?lat=52.09&lon=5.12&km=3",
    "/wijzigingen",
]

CHECK = """() => {
  const problems = [];
  const words = /[^\\s\\-–—\\/,;:()]{2,}/g;  // a line may break at a hyphen, slash or space: not inside a word
  for (const cell of document.querySelectorAll("main td, main th")) {
    if (!cell.offsetParent || cell.closest(".leaflet-container")) continue;
    const head = cell.closest("thead");
    if (head && getComputedStyle(head).position === "absolute") continue;  // cards: the header is for screen readers
    const box = cell.getBoundingClientRect();
    const text = cell.textContent.trim().slice(0, 40);
    if (box.right > window.innerWidth + 1) problems.push(["outside the screen", text]);
    if (cell.scrollWidth > cell.clientWidth + 1 && getComputedStyle(cell).overflowX !== "visible")
      problems.push(["clipped", text]);
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(words)) {
        if (m[0].length > 30) continue;  // a 40-letter hostile name may break: it fits nowhere
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
        if (tops.size > 1) problems.push(["word broken", m[0]]);
      }
    }
  }
  const overflow = document.scrollingElement.scrollWidth - window.innerWidth;
  if (overflow > 1) problems.push(["page wider than the screen", overflow + "px"]);
  return problems.slice(0, 10);
}"""


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_table_on_every_public_page_fits_a_phone(browser, server, lang):
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="nl-NL")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    found, tables = {}, 0
    for path in PAGES:
        page.goto(f"{server}/{lang}{path}", wait_until="networkidle")
        page.wait_for_timeout(300)
        tables += page.locator("main table").count()
        problems = page.evaluate(CHECK)
        if problems:
            found[path] = problems
            page.screenshot(
                path=str(ARTIFACTS / f"phone-{lang}-{path.strip('/').replace('/', '_')[:40] or 'home'}.png"),
                full_page=True,
            )
    context.close()
    assert tables > 15  # the check saw the tables it is about
    assert found == {}


def test_in_de_buurt_keeps_its_state_in_the_url_and_back_restores_it(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server) else route.abort())
    page.goto(server + "/in-de-buurt?lat=52.09&lon=5.12&km=10", wait_until="networkidle")
    page.wait_for_function("+document.getElementById('buurtkaart').dataset.results > 0", timeout=30000)
    first = page.locator("#buurt-lijst tbody tr").count()
    assert page.locator("#buurt-km").input_value() == "10"
    headers = page.locator("#buurt-lijst thead th").all_inner_texts()
    assert headers == ["Plan", "Gemeente", "Woningen netto", "Sociale huur", "Start bouw", "Status", "Afstand"]
    page.locator("#buurt-lijst tbody a").first.click()
    page.wait_for_load_state("networkidle")
    assert "/plan/" in page.url
    page.go_back()
    page.wait_for_function("+document.getElementById('buurtkaart').dataset.results > 0", timeout=30000)
    assert "lat=52.09" in page.url and "km=10" in page.url
    assert page.locator("#buurt-lijst tbody tr").count() == first
    context.close()
