"""sources.yml -> typed Source entries (paths relative to the manifest)."""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import safe_yaml
from .errors import FatalInput
from .limits import Limits
from .limits import from_manifest as limits_from_manifest
from .validate import Invalid, check_peildatum

KINDS = ("plannen", "woningbouwkaart", "plangebieden", "doorbraaklocaties", "gemeenten", "realisatie")
PLAN_KINDS = ("plannen", "woningbouwkaart")  # sources of plans: each gives one peildatum of history
DEFAULT_MAPPING = {"plannen": "lmvw"}
_TRUE = {"true", "ja", "yes", "j", "y", "1", "waar"}
_FALSE = {"false", "nee", "no", "n", "0", "onwaar", ""}


@dataclass(frozen=True)
class Source:
    kind: str
    path: Path
    peildatum: str | None = None
    mapping: str = "lmvw"
    sample: bool = False
    crs: str | None = None
    options: dict = field(default_factory=dict, hash=False, compare=False)
    # values for columns the file lacks (a city's own file: its municipality), our column -> value
    defaults: dict = field(default_factory=dict, hash=False, compare=False)


def _date(value, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):  # YAML reads 2025-10-01 12:00 as a moment: a peildatum is a day
        raise FatalInput(None, f"{where}: peildatum {value.isoformat(' ')!r} is een tijdstip, geen datum (JJJJ-MM-DD)")
    try:
        text = str(value).strip()
        if not isinstance(value, dt.date) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)  # fromisoformat would also take 20251001 and 2025-W40
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(text)
        return check_peildatum(day).isoformat()
    except Invalid as exc:  # a ValueError too: first
        raise FatalInput(None, f"{where}: {exc}")
    except ValueError:
        raise FatalInput(None, f"{where}: peildatum {value!r} is geen datum (JJJJ-MM-DD)")


def flag(value, where: str = "manifest", name: str = "") -> bool:
    """A yes/no setting: YAML booleans, or the words a steward writes ('nee' is false)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    text = str(value).strip().casefold()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise FatalInput(None, f"{where}: {name}: {str(value)[:40]!r} is geen ja/nee")


def _mapping(value, kind: str, base: Path) -> str:
    """A mapping name (ingest/mappings/<name>.yml) or a file path relative to the manifest."""
    text = str(value or DEFAULT_MAPPING.get(kind, kind)).strip()
    path = Path(text)
    if path.suffix.lower() in (".yml", ".yaml") or len(path.parts) > 1:
        return str(path if path.is_absolute() else base / path)
    return text


def parse_defaults(value, where: str) -> dict:
    from .schema import PLAN_COLUMNS  # the allow-list: a default can only fill a published column

    if value is None:
        return {}
    if not isinstance(value, dict):
        raise FatalInput(None, f"{where}: defaults: verwacht kolommen met waarden, bijvoorbeeld gemeentecode: GM0363")
    unknown = [str(k) for k in value if str(k) not in PLAN_COLUMNS]
    if unknown:
        raise FatalInput(
            None,
            f"{where}: defaults: onbekende kolom {', '.join(unknown)} (bekend: gemeentecode, "
            "gemeente, provincie, woondealregio, planstatus_bron, ...)",
        )
    if any(isinstance(v, (dict, list)) for v in value.values()):
        raise FatalInput(None, f"{where}: defaults: elke waarde is één tekst of getal")
    return {str(k): v for k, v in value.items()}


def _regular(path: Path, kind: str, where: str) -> Path:
    """A source is a regular file (a release: a folder), checked before anything reads it: /dev/zero,
    a FIFO or /proc/... would block the build or feed it endless or changing bytes."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return path  # does not exist: the kind says so in its own words
    if safe_yaml.special(path, mode, folder_ok=True):
        raise FatalInput(None, f"{where}: {path} is geen gewoon bestand of map; niet gelezen")
    if kind == "woningbouwkaart" and not stat.S_ISDIR(mode):
        raise FatalInput(
            path,
            "is een bestand, geen map: een release is een map met project2.json.gz en de "
            "andere bestanden van die release",
        )
    return path


def _paths(pattern: str, base: Path, kind: str, where: str) -> list[Path]:
    """The path of an entry; for a release, a glob ('releases/*') gives every folder it matches."""
    path = Path(pattern)
    if not path.is_absolute():
        path = base / path
    if kind == "woningbouwkaart" and any(c in pattern for c in "*?["):
        found = sorted(p for p in path.parent.glob(path.name) if p.is_dir() and not p.name.startswith("."))
        if not found:
            raise FatalInput(None, f"{where}: geen releasemap gevonden voor {pattern!r} (eerst make fetch?)")
        return found
    return [_regular(path, kind, where)]


def _fetched(folder: Path) -> tuple[str | None, str]:
    """(peildatum, fetch time) that `ingest fetch` recorded for a release folder, if it did."""
    import json

    try:
        doc = json.loads((folder / "opgehaald.json").read_text(encoding="utf-8"))
        return doc.get("peildatum"), str(doc.get("opgehaald_op") or "")
    except (OSError, ValueError, AttributeError):
        return None, ""


def _fetch_order(folder: Path) -> tuple[str, int]:
    """When a folder was fetched; within one second, `ingest fetch`'s folder counter (2025-04-01-3 after
    2025-04-01-2, numerically) decides."""
    name = folder.name
    stem, _, counter = name.rpartition("-")
    number = int(counter) if counter.isdecimal() and len(stem) == 10 else 1
    return _fetched(folder)[1], number


def superseded(folders: list[Path]) -> dict[Path, Path]:
    """Folders of one peildatum fetched more than once (the host refreshed a file): the one fetched last
    is the release of that date; the others map to it and are not loaded as a second history step."""
    latest: dict[str, Path] = {}
    for folder in folders:
        peildatum = _fetched(folder)[0]
        if peildatum and (peildatum not in latest or _fetch_order(folder) > _fetch_order(latest[peildatum])):
            latest[peildatum] = folder
    return {f: latest[p] for f in folders for p in [_fetched(f)[0]] if p and latest[p] != f}


def parse_manifest(text: str, base: Path) -> list[Source]:
    try:
        doc = safe_yaml.load(text)
    except (yaml.YAMLError, ValueError) as exc:  # a date YAML cannot build (2025-02-30) is a ValueError
        raise FatalInput(None, f"manifest is geen geldige YAML ({exc.__class__.__name__}: {str(exc)[:120]})")
    entries = (doc or {}).get("sources") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FatalInput(None, "manifest heeft geen lijst 'sources:'")
    sources = []
    for n, entry in enumerate(entries, start=1):
        where = f"bron {n}"
        if not isinstance(entry, dict) or "kind" not in entry or "path" not in entry:
            raise FatalInput(None, f"{where}: elke bron heeft 'kind' en 'path' nodig")
        kind = str(entry["kind"]).strip()
        if kind not in KINDS:
            raise FatalInput(None, f"{where}: onbekende kind {kind!r} (kies uit {', '.join(KINDS)})")
        known = {"kind", "path", "peildatum", "mapping", "sample", "voorbeelddata", "crs", "defaults"}
        flag(entry.get("leeg_toegestaan"), where, "leeg_toegestaan")  # refused here when it is not a yes/no
        paths = _paths(str(entry["path"]), base, kind, where)
        replaced = superseded(paths) if len(paths) > 1 else {}
        for path in paths:
            sources.append(
                Source(
                    kind=kind,
                    path=path,
                    peildatum=_date(entry.get("peildatum"), where),
                    mapping=_mapping(entry.get("mapping"), kind, base),
                    sample=flag(entry.get("sample", entry.get("voorbeelddata", False)), where, "sample"),
                    crs=str(entry["crs"]) if entry.get("crs") else None,
                    options={
                        **{k: v for k, v in entry.items() if k not in known},
                        **({"vervangen_door": replaced[path].name} if path in replaced else {}),
                    },
                    defaults=parse_defaults(entry.get("defaults"), where),
                )
            )
    return sources


def read_manifest(path: Path) -> list[Source]:
    try:
        return parse_manifest(safe_yaml.read_text(path, "manifest"), path.parent)
    except FatalInput as exc:
        if exc.path is None:  # a message about the manifest itself names it
            raise FatalInput(path, exc.message) from None
        raise


def read_limits(path: Path) -> Limits:
    """The manifest's optional `limits:` block (ingest/limits.py) over the defaults."""
    try:
        doc = safe_yaml.load(safe_yaml.read_text(path, "manifest"))
    except (yaml.YAMLError, ValueError) as exc:
        raise FatalInput(None, f"manifest is geen geldige YAML ({exc.__class__.__name__})")
    return limits_from_manifest(doc.get("limits") if isinstance(doc, dict) else None)
