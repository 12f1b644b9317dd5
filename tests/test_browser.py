"""What a person sees, in a real headless Debian Chromium driven by Playwright.

The server is the real `datasette serve` on 127.0.0.1 with the Makefile's configuration.
Requests to other hosts (map tiles) are blocked: this machine has no internet and the
map must still show the plans.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_args(db: Path, port: int) -> list[str]:
    settings = json.loads((ROOT / "settings.json").read_text())
    args = [sys.executable, "-m", "datasette", "serve", "-i", str(db), "-m", str(ROOT / "metadata.yml"),
            "--plugins-dir", str(ROOT / "plugins"), "--template-dir", str(ROOT / "templates"),
            "--static", f"static:{ROOT / 'static'}", "--cors", "-h", "127.0.0.1", "-p", str(port)]
    for key, value in settings.items():
        args += ["--setting", key, str(value)]
    return args


@pytest.fixture(scope="module")
def server(sample_db):
    port = free_port()
    proc = subprocess.Popen(serve_args(sample_db, port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("datasette did not start: " + proc.stdout.read().decode()[-2000:])
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: apt-get install chromium (see .ci/run)"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # only our own server: tiles and anything else external are refused, as offline
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server)
               else route.abort())
    page.js_errors = errors
    yield page
    context.close()


def test_plannen_table_shows_map_markers_facets_and_sample_banner(page, server):
    page.goto(server + "/woningbouwplannen/plannen", wait_until="domcontentloaded")
    page.wait_for_selector(".leaflet-container", timeout=20000)
    page.wait_for_selector(".marker-cluster, .leaflet-marker-icon", timeout=20000)
    clusters = page.locator(".marker-cluster")
    assert clusters.count() + page.locator(".leaflet-marker-icon").count() > 0
    # cluster bubbles carry counts: together they hold the plans loaded so far
    shown = sum(int(t) for t in clusters.all_inner_texts() if t.strip().isdigit())
    assert shown >= 500
    banner = page.locator(".voorbeelddata-banner")
    assert banner.is_visible() and "Voorbeelddata" in banner.inner_text()
    assert page.locator(".facet-info").count() >= 4
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plannen-table.png"))
    assert page.js_errors == []


def test_map_shows_every_plan_without_clicking(page, server):
    page.goto(server + "/woningbouwplannen/plannen", wait_until="domcontentloaded")
    page.wait_for_selector(".marker-cluster", timeout=20000)
    total = page.evaluate("fetch('/woningbouwplannen.json?sql=select+count(*)+from+plannen&_shape=arrayfirst').then(r => r.json())")[0]
    assert total >= 3000
    page.wait_for_function(
        "n => [...document.querySelectorAll('.marker-cluster')].reduce((s, e) => s + (parseInt(e.innerText) || 0), 0)"
        " + document.querySelectorAll('.leaflet-marker-icon:not(.marker-cluster)').length >= n",
        arg=total, timeout=60000)
    details = page.locator("details.column-descriptions-details")
    assert details.count() == 1 and details.get_attribute("open") is None
