"""sources.yml -> typed Source entries (paths relative to the manifest)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import FatalInput
from .limits import Limits
from .limits import from_manifest as limits_from_manifest

KINDS = ("plannen", "plangebieden", "doorbraaklocaties", "gemeenten", "realisatie")


@dataclass(frozen=True)
class Source:
    kind: str
    path: Path
    peildatum: str | None = None
    mapping: str = "lmvw"
    sample: bool = False
    crs: str | None = None
    options: dict = field(default_factory=dict, hash=False, compare=False)


def _date(value, where: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise FatalInput(None, f"{where}: peildatum {value!r} is geen datum (JJJJ-MM-DD)")


def parse_manifest(text: str, base: Path) -> list[Source]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FatalInput(None, f"manifest is geen geldige YAML ({exc.__class__.__name__})")
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
        path = Path(str(entry["path"]))
        if not path.is_absolute():
            path = base / path
        known = {"kind", "path", "peildatum", "mapping", "sample", "voorbeelddata", "crs"}
        sources.append(Source(
            kind=kind,
            path=path,
            peildatum=_date(entry.get("peildatum"), where),
            mapping=str(entry.get("mapping") or ("lmvw" if kind == "plannen" else kind)),
            sample=bool(entry.get("sample", entry.get("voorbeelddata", False))),
            crs=str(entry["crs"]) if entry.get("crs") else None,
            options={k: v for k, v in entry.items() if k not in known},
        ))
    return sources


def _manifest_text(path: Path) -> str:
    if not path.exists():
        raise FatalInput(path, "manifest bestaat niet")
    try:
        return path.read_text(encoding="utf-8-sig")
    except (UnicodeDecodeError, OSError) as exc:
        raise FatalInput(path, f"manifest kan niet gelezen worden ({exc.__class__.__name__})")


def read_manifest(path: Path) -> list[Source]:
    return parse_manifest(_manifest_text(path), path.parent)


def read_limits(path: Path) -> Limits:
    """The manifest's optional `limits:` block (ingest/limits.py) over the defaults."""
    try:
        doc = yaml.safe_load(_manifest_text(path))
    except yaml.YAMLError as exc:
        raise FatalInput(None, f"manifest is geen geldige YAML ({exc.__class__.__name__})")
    return limits_from_manifest(doc.get("limits") if isinstance(doc, dict) else None)
