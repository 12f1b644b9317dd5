"""Debian's Chromium and the flags it needs here (as root in a container, offline): one list for the
browser tests (tests/helpers.py), the bench's map measurements (bench/measure.py) and Lighthouse
(bench/lighthouse.py). `playwright install` cannot download here, so Playwright gets executable_path."""

from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
