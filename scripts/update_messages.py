"""Merge new template strings into locale/en/LC_MESSAGES/messages.po (`make messages`).

Extracts _() strings with Babel, keeps existing translations, adds new ones empty,
and reports strings still untranslated. Optional: --add FILE.py with a dict EN = {...}.
"""

import argparse
import runpy
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "locale" / "messages.pot"
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "messages.po"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--add", type=Path, help="a Python file defining EN = {dutch: english}")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a string lacks English")
    args = parser.parse_args()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-o",
            str(POT),
            "--no-location",
            "--omit-header",
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    template = read_po(POT.open("rb"))
    old = {m.id: m.string for m in read_po(PO.open("rb"))} if PO.exists() else {}
    extra = runpy.run_path(str(args.add))["EN"] if args.add else {}
    catalog = Catalog(locale="en", project="woningbouwplannen")
    missing = []
    for message in template:
        if not message.id:
            continue
        string = extra.get(message.id) or old.get(message.id) or ""
        if not string:
            missing.append(message.id)
        catalog.add(message.id, string, flags=message.flags)
    POT.unlink()
    if not args.check:
        PO.parent.mkdir(parents=True, exist_ok=True)
        with PO.open("wb") as f:
            write_po(f, catalog, omit_header=False, sort_output=False, width=100)
    print(f"{len(catalog)} messages, {len(missing)} untranslated")
    for m in missing:
        print("  untranslated:", m[:90])
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
