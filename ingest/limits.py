"""Resource limits for one build: how big a source may be before we refuse to read it.

A hostile or broken file (a zip bomb, a 10-million-row CSV, a polygon with a million
vertices) must end as a clear message, never as an out-of-memory or a build that
runs for an hour. The defaults leave room for a national export at ten times today's
size (bench/ builds 300,000 plans); a manifest may change any of them:

    limits:
      max_file_bytes: 500MB
      max_rows: 2000000

The limits in force are set once per build (use()) and read where files are opened
(current()), so the readers keep their simple signatures.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import stat
import zipfile
from dataclasses import dataclass, fields, replace
from pathlib import Path, PurePosixPath

from .errors import FatalInput

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 512 * MB  # any source file, as stored on disk
    max_rows: int = 1_000_000  # data rows of a table, features of a geometry file
    max_columns: int = 1_000  # cells in one row (a sheet padded to column XFD)
    max_uncompressed_bytes: int = 2048 * MB  # everything inside one XLSX or zip together
    max_compression_ratio: int = 200  # uncompressed / compressed, for entries over RATIO_FLOOR
    max_zip_entries: int = 10_000
    max_vertices_feature: int = 250_000  # one polygon; larger is reported and not loaded
    max_vertices_file: int = (
        5_000_000  # all features of one file together: geometry work is linear in it, ~1-2 min at worst
    )

    def describe(self, name: str) -> str:
        """'max_rows = 1.000.000' for messages: the setting to change is named."""
        return f"{name} = {dutch(getattr(self, name))}"


def dutch(number: float) -> str:
    """1234567 -> '1.234.567' (Dutch thousands separator)."""
    return f"{number:,.0f}".replace(",", ".")


RATIO_FLOOR = 4 * MB  # small entries may compress extremely well (an empty sheet): not a bomb
_current: contextvars.ContextVar[Limits] = contextvars.ContextVar("limits", default=Limits())
_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": MB, "mb": MB, "g": 1024 * MB, "gb": 1024 * MB}


def current() -> Limits:
    return _current.get()


@contextlib.contextmanager
def use(limits: Limits):
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def parse_size(value) -> int:
    """200000, '200MB', '1.5 GB' -> bytes (or a plain count)."""
    if isinstance(value, bool):
        raise ValueError("geen getal")
    if isinstance(value, int):
        number = value
    else:
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", str(value).replace("_", ""))
        if not m or m.group(2).lower() not in _UNITS:
            raise ValueError("geen getal (bijvoorbeeld 1000000 of 200MB)")
        number = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if number <= 0:
        raise ValueError("moet groter dan 0 zijn")
    return number


def from_manifest(block) -> Limits:
    """The manifest's `limits:` block over the defaults; unknown names are an error, not ignored."""
    if block is None:
        return Limits()
    if not isinstance(block, dict):
        raise FatalInput(None, "limits: verwacht namen met waarden, bijvoorbeeld max_rows: 1000000")
    known = {f.name for f in fields(Limits)}
    changes = {}
    for name, value in block.items():
        if name not in known:
            raise FatalInput(None, f"limits: onbekende limiet {name!r} (bekend: {', '.join(sorted(known))})")
        try:
            changes[name] = parse_size(value)
        except ValueError as exc:
            raise FatalInput(None, f"limits: {name}: {value!r} {exc}")
    return replace(Limits(), **changes)


def check_file_size(path: Path, limits: Limits | None = None) -> None:
    limits = limits or current()
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise FatalInput(
            path,
            f"bestand is te groot ({dutch(size / MB)} MB; limiet {limits.describe('max_file_bytes')} "
            "bytes, aan te passen onder limits: in het manifest); niet gelezen",
        )


def check_row_count(path: Path, count: int, limits: Limits | None = None) -> None:
    """Call with the running count: stops reading as soon as the limit is passed."""
    limits = limits or current()
    if count > limits.max_rows:
        raise FatalInput(
            path,
            f"meer dan {limits.describe('max_rows')} rijen (aan te passen onder limits: in het manifest); niet geladen",
        )


def zip_entries(path: Path, what: str, limits: Limits | None = None) -> list[zipfile.ZipInfo]:
    """The entries of an XLSX or zip, refused *before* anything is decompressed when it could
    expand beyond the limits, or reach outside the archive (.., absolute paths, links).

    The declared sizes are what Python's zipfile (and so openpyxl) stops at: an entry
    that lies about its size fails its CRC check instead of expanding further.
    """
    limits = limits or current()
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise FatalInput(path, f"geen geldig {what} ({exc.__class__.__name__})")
    if len(infos) > limits.max_zip_entries:
        raise FatalInput(
            path,
            f"{what} bevat {dutch(len(infos))} onderdelen (limiet {limits.describe('max_zip_entries')}); niet gelezen",
        )
    total = 0
    for info in infos:
        name = info.filename
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts:
            raise FatalInput(path, f"onveilig pad in {what}: {name!r}; niet gelezen")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise FatalInput(path, f"symbolische koppeling in {what}: {name!r}; niet gelezen")
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            raise FatalInput(
                path,
                f"{what} pakt verdacht sterk uit ({name!r}: {dutch(info.compress_size)} bytes worden "
                f"{dutch(info.file_size)} bytes; limiet {limits.describe('max_compression_ratio')}); "
                "mogelijk een zip-bom, niet gelezen",
            )
    if total > limits.max_uncompressed_bytes:
        raise FatalInput(
            path,
            f"{what} pakt uit tot {dutch(total / MB)} MB (limiet "
            f"{limits.describe('max_uncompressed_bytes')} bytes); niet gelezen",
        )
    return infos
