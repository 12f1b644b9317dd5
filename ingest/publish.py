"""The publish step: the finished database file and its downloads replace the published ones, atomically.

The published database is only ever replaced by os.replace() of a complete, closed file in the
same directory; any failure before that leaves it, and the published downloads, untouched.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
from collections.abc import Callable
from pathlib import Path

from . import downloads, release_archive
from .errors import FatalInput
from .safe_yaml import SPECIAL


def check_target(db_path: Path) -> None:
    """Before any work: --db names a database file to replace, not a device, FIFO or folder (as root,
    os.replace would put the database where /dev/null was)."""
    try:
        mode = db_path.stat().st_mode
    except FileNotFoundError:
        mode = None
    real = db_path.resolve()
    if (mode is not None and not stat.S_ISREG(mode)) or any(s == real or s in real.parents for s in SPECIAL):
        raise FatalInput(db_path, "is geen databasebestand (een map, apparaat of FIFO); niets geschreven")


def temporary(db_path: Path) -> Path:
    """The new database's file next to the published one (any left by a killed build removed)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for stale in db_path.parent.glob(f".{db_path.name}.tmp-*"):
        stale.unlink(missing_ok=True)  # left by a killed build
    return db_path.parent / f".{db_path.name}.tmp-{os.getpid()}"


def publish(
    tmp: Path, db_path: Path, write_geojson: Callable[[Path], object], progress: Callable[[str], None]
) -> release_archive.Outcome:
    """Downloads from the finished file, pinned under their peildatum, then both swaps."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    # every download (GeoJSON, CSV, JSON, XLSX, index, datapackage) from the finished file, then both swaps
    staged = downloads.stage(tmp, db_path, write_geojson)
    pinned = None
    try:
        # pinned under its peildatum before anything is published, so a failure here publishes nothing
        pinned = pin_releases(staged, db_path, progress)
        os.replace(tmp, db_path)
    except BaseException:
        # nothing was published: neither the staged set nor the archive entry just made for it stays
        shutil.rmtree(staged, ignore_errors=True)
        if pinned is not None and pinned.status == "archived" and pinned.path is not None:
            shutil.rmtree(pinned.path, ignore_errors=True)
        raise
    downloads.publish(staged, db_path)
    dir_fd = os.open(db_path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
    return pinned


def pin_releases(staged: Path, db_path: Path, progress: Callable[[str], None]) -> release_archive.Outcome:
    """Archive the set published until now (one from before the archive existed) and the new one, each
    under its peildatum (ingest/release_archive.py); returns the new set's outcome."""
    published = downloads.published_dir(db_path)
    release_archive.archive(published, published)
    outcome = release_archive.archive(staged, published)
    where = f"{release_archive.URL_PREFIX}/{outcome.peildatum}/"
    if outcome.status == "archived":
        progress(f"archief: downloads van peildatum {outcome.peildatum} vastgelegd onder {where}")
    elif outcome.status == "already":
        progress(f"archief: peildatum {outcome.peildatum} stond er al, met dezelfde gegevens")
    elif outcome.status == "differs":
        # the first publication stays citable; the operator hears that this one differs from it
        print(
            f"WAARSCHUWING: peildatum {outcome.peildatum} staat al in het archief ({where}) met andere gegevens; "
            "die eerste publicatie blijft ongewijzigd, de nieuwe bestanden staan alleen onder /downloads/",
            file=sys.stderr,
            flush=True,
        )
    else:
        print(f"WAARSCHUWING: downloads niet gearchiveerd ({outcome.reason})", file=sys.stderr, flush=True)
    return outcome
