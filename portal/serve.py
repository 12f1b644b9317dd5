"""The `datasette serve` command line of the portal, in one place: `make serve`, the tests,
`make serve-prod` (deploy/serve_prod.py) and `make bench` all start Datasette through `serve_args`,
so they serve with exactly the same metadata, plugins, templates, static files and settings.

    python -m portal.serve --db .serve/8001/woningbouwplannen.db --port 8001 [--inspect-file F] [--downloads DIR]

serves the download set the build published beside the database (followed through a symlink) unless
--downloads names another.

runs it (the Makefile does). Datasette serves a database under the name of its file, and the pages,
metadata and URLs are written for one name (ingest/schema.py DATABASE): a file of another name is
linked under that name in .serve/<port>/ first.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ingest.downloads import DOWNLOADS_DIR, published_dir
from ingest.schema import DATABASE

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "settings.json"  # Datasette settings, also shown on /voor-ontwikkelaars


def settings() -> dict:
    return json.loads(SETTINGS.read_text(encoding="utf-8"))


def serve_args(
    db: Path,
    port: int,
    host: str = "127.0.0.1",
    *,
    metadata: Path | None = None,
    inspect: Path | None = None,
    downloads: Path | None = None,
    python: str = sys.executable,
) -> list[str]:
    """`datasette serve` for one database file (immutable: -i), with the portal's configuration."""
    args = [python, "-m", "datasette", "serve", "-i", str(db)]
    if inspect:
        args += ["--inspect-file", str(inspect)]
    args += [
        "-m",
        str(metadata or ROOT / "metadata.yml"),
        "--plugins-dir",
        str(ROOT / "plugins"),
        "--template-dir",
        str(ROOT / "templates"),
        "--static",
        f"static:{ROOT / 'static'}",
    ]
    if downloads:
        downloads.mkdir(parents=True, exist_ok=True)  # Datasette refuses a mount of a missing folder
        args += ["--static", f"{DOWNLOADS_DIR}:{downloads}"]
    args += ["--cors", "-h", host, "-p", str(port)]
    for key, value in settings().items():
        args += ["--setting", key, str(value)]
    return args


def under_portal_name(db: Path, port: int) -> Path:
    """`db` itself when it is named woningbouwplannen.db, else a link of that name to it."""
    if db.name == f"{DATABASE}.db":
        return db
    link = ROOT / ".serve" / str(port) / f"{DATABASE}.db"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.unlink(missing_ok=True)
    link.symlink_to(db.resolve())
    return link


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--inspect-file", type=Path)
    parser.add_argument("--downloads", type=Path, help="default: the set the build published beside --db")
    a = parser.parse_args(argv)
    if not a.db.is_file():
        print(f"FOUT: {a.db}: database bestaat niet; draai eerst make build of python -m ingest build", file=sys.stderr)
        sys.exit(2)
    db = under_portal_name(a.db, a.port)
    args = serve_args(db, a.port, a.host, inspect=a.inspect_file, downloads=a.downloads or published_dir(db))
    os.execv(args[0], args)


if __name__ == "__main__":
    main()
