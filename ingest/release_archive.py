"""Every release stays citable: each peildatum's download set, pinned at /downloads/<peildatum>/.

The build publishes the newest set under `downloads/` (a symlink that ingest/downloads.py swaps on
every build). Beside it, in `downloads-archive/<peildatum>/`, the build keeps the set of every
peildatum it published, hard links to (else copies of) the published files with their index.json and
datapackage.json. An archived set is written once, into a hidden directory renamed into place, and
never rewritten: a later build with the same peildatum but other data leaves the first publication
standing and says so (a warning line in the build's output; /downloads tells the difference).

Only sets that were published are archived. Older peildata that this portal never published as
files (a first build of several releases at once) are not reconstructed: their rows are in
plan_historie, which every set contains, with the peildatum as a column.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

ARCHIVE_DIR = "downloads-archive"
INDEX = "index.json"
URL_PREFIX = "/downloads"
# a peildatum is a path segment of the archive and of its URLs: only an ISO date qualifies
PEILDATUM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# a file of an archived set: never rewritten, so cacheable for good (plugins/cache_headers.py)
ARCHIVED_FILE_URL = re.compile(rf"^{URL_PREFIX}/\d{{4}}-\d{{2}}-\d{{2}}/[^/]+$")


def archive_root(downloads_dir: Path) -> Path:
    """The archive beside the published `downloads` directory (or symlink) of a database."""
    return Path(downloads_dir).parent / ARCHIVE_DIR


def read_index(directory: Path) -> dict | None:
    try:
        index = json.loads((Path(directory) / INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return index if isinstance(index, dict) else None


def url_path(peildatum: str) -> str:
    return f"{URL_PREFIX}/{peildatum}/"


_CACHE: dict[str, tuple[int, list[dict]]] = {}


def archived_sets(downloads_dir: Path) -> list[dict]:
    """The archived download sets, newest peildatum first.

    `downloads_dir`: the published downloads directory next to the database (`<db dir>/downloads`,
    what the /downloads/ mount serves); the archive is its sibling `downloads-archive/`. Each item is
    that peildatum's index.json (peildatum, database, files [{file, table, format, mediatype, rows,
    bytes, sha256}]) plus `path`, the URL path of the set ("/downloads/<peildatum>/")."""
    root = archive_root(downloads_dir)
    try:
        stamp = root.stat().st_mtime_ns  # a set is only ever added (a rename into root): root's mtime moves
    except OSError:
        return []
    cached = _CACHE.get(str(root))
    if cached is None or cached[0] != stamp:
        sets = []
        for directory in sorted(root.iterdir(), key=lambda p: p.name, reverse=True):
            if not PEILDATUM.match(directory.name) or not directory.is_dir():
                continue  # hidden temp dirs of a running or killed build, stray files
            index = read_index(directory)
            if index is None or index.get("peildatum") != directory.name:
                continue
            sets.append({**index, "path": url_path(directory.name)})
        cached = _CACHE[str(root)] = (stamp, sets)
    return copy.deepcopy(cached[1])  # callers may annotate their copy


def archived_index(downloads_dir: Path, peildatum: str) -> dict | None:
    """One archived set's index.json, or None (no such peildatum, or not a date)."""
    if not PEILDATUM.match(peildatum or ""):
        return None
    index = read_index(archive_root(downloads_dir) / peildatum)
    return index if index is not None and index.get("peildatum") == peildatum else None


# The build's own log: its rows say when the build ran, so they differ between two builds of the same data.
BUILD_LOG_TABLES = ("bronnen",)


def data_hashes(index: dict | None) -> dict[str, str]:
    """file name -> sha256 of a set's CSV files, the build log's left out: what "the same data" means
    between two sets (a workbook's bytes carry the time it was written, the CSV's only the data)."""
    return {
        f["file"]: f["sha256"]
        for f in (index or {}).get("files", [])
        if f.get("format") == "csv" and f.get("table") not in BUILD_LOG_TABLES
    }


def same_data(a: dict | None, b: dict | None) -> bool:
    return data_hashes(a) == data_hashes(b)


@dataclass(frozen=True)
class Outcome:
    peildatum: str | None
    status: str  # archived | already | differs | skipped
    path: Path | None = None
    reason: str = ""


def _complete(directory: Path, index: dict) -> bool:
    """Every file the index lists is there with its size (a set from an interrupted older build is not)."""
    for f in index.get("files", []):
        try:
            if (directory / f["file"]).stat().st_size != f["bytes"]:
                return False
        except (OSError, KeyError, TypeError):
            return False
    return True


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)  # costs no space; the published file is never written again
    except OSError:
        shutil.copy2(src, dst)


def archive(source: Path, downloads_dir: Path) -> Outcome:
    """Pin the download set in `source` (a staged or published set) under its peildatum, unless that
    peildatum is archived already. Never overwrites; a failure leaves no partial set behind."""
    source = Path(source)
    index = read_index(source)
    peil = (index or {}).get("peildatum")
    if index is None:
        return Outcome(None, "skipped", reason="geen index.json")
    if not isinstance(peil, str) or not PEILDATUM.match(peil):
        return Outcome(None, "skipped", reason=f"peildatum {peil!r} is geen datum")
    root = archive_root(downloads_dir)
    final = root / peil
    existing = archived_index(downloads_dir, peil)
    if existing is not None:
        return Outcome(peil, "already" if same_data(existing, index) else "differs", final)
    if not _complete(source, index):
        return Outcome(peil, "skipped", reason="onvolledige set")
    root.mkdir(exist_ok=True)
    for stale in root.glob(".*.tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)  # left by a killed build
    tmp = root / f".{peil}.tmp-{os.getpid()}-{time.time_ns()}"
    tmp.mkdir()
    try:
        for path in sorted(source.iterdir()):
            if path.is_file():
                _link_or_copy(path, tmp / path.name)
                (tmp / path.name).chmod(0o444)  # read-only: nothing may rewrite a pinned file
        if final.exists():
            # a directory without a readable index (or a concurrent build's set): left as it is
            return Outcome(peil, "skipped", final, reason=f"{final} bestaat al")
        os.rename(tmp, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after the rename
    return Outcome(peil, "archived", final)
