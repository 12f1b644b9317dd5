"""Supplier headers -> our columns, driven by ingest/mappings/<name>.yml."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import yaml

from . import safe_yaml
from .errors import FatalInput
from .schema import PLAN_COLUMNS

MAPPINGS_DIR = Path(__file__).parent / "mappings"


def norm(label) -> str:
    """Case-, space- and punctuation-insensitive key for a header or label."""
    return _norm_text("" if label is None else str(label))


_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 16)
def _norm_text(text: str) -> str:
    # cached: the same statuses, municipalities and flags recur on every row of a big export
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


@dataclass(frozen=True)
class Mapping:
    name: str
    aliases: dict[str, str]  # normalised header -> our column
    required: tuple[str, ...]
    private: frozenset[str]  # normalised headers never published
    openbaar_headers: frozenset[str]
    openbaar_ja: frozenset[str]
    openbaar_nee: frozenset[str]
    planstatus: dict[str, tuple[str, str]]  # normalised label -> (status, hardheid)
    locatie: dict[str, str]
    raw: dict = field(repr=False, default_factory=dict)

    def score(self, header: list[str]) -> int:
        """How many of our columns a header row names (to find the header row)."""
        return len({self.aliases[norm(h)] for h in header if norm(h) in self.aliases})


def _labels(path: Path, where: str, value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise FatalInput(path, f"mapping: {where} moet een lijst met namen zijn")
    # YAML reads an unquoted yes/no/true as a boolean: taken as 'true'/'false'
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in value]


def _section(path: Path, raw: dict, name: str) -> dict:
    value = raw.get(name) or {}
    if not isinstance(value, dict):
        raise FatalInput(path, f"mapping: {name}: verwacht namen met waarden")
    return value


def mapping_path(name_or_path: str) -> Path:
    """A name in ingest/mappings/ (lmvw) or a path to a mapping file (the manifest makes it absolute)."""
    path = Path(name_or_path)
    return MAPPINGS_DIR / f"{name_or_path}.yml" if not path.suffix and len(path.parts) == 1 else path


@cache
def load_mapping(name_or_path: str) -> Mapping:
    path = mapping_path(name_or_path)
    if not path.exists():
        raise FatalInput(path, f"mapping {name_or_path!r} bestaat niet")
    text = safe_yaml.read_text(path, "mapping")
    try:
        raw = safe_yaml.load(text) or {}
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date YAML cannot build, or not UTF-8
        raise FatalInput(path, f"mapping is geen geldige YAML ({exc.__class__.__name__}: {str(exc)[:120]})")
    if not isinstance(raw, dict):
        raise FatalInput(path, "mapping: verwacht secties als columns:, required:, planstatus:")
    aliases = {}
    for column, labels in _section(path, raw, "columns").items():
        for label in [column, *_labels(path, f"columns: {column}", labels)]:
            aliases[norm(label)] = str(column)
    ob = _section(path, raw, "openbaar")
    statuses = {}
    for label, value in _section(path, raw, "planstatus").items():
        if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)):
            raise FatalInput(path, f"mapping: planstatus: {label}: verwacht [planstatus, hardheid]")
        statuses[norm(label)] = tuple(value)
    locaties = {}
    for value, labels in _section(path, raw, "locatie").items():
        for label in _labels(path, f"locatie: {value}", labels):
            locaties[norm(label)] = str(value)
    required = tuple(_labels(path, "required", raw.get("required")))
    # a required column the file never has (not under columns:) can come from the manifest's defaults:
    unknown = [c for c in required if norm(c) not in aliases and c not in PLAN_COLUMNS]
    if unknown:
        raise FatalInput(
            path,
            f"mapping: required noemt kolommen die niet onder columns staan en geen kolom van het portaal zijn: "
            f"{', '.join(unknown)}",
        )
    return Mapping(
        name=str(raw.get("name") or path.stem),
        aliases=aliases,
        required=required,
        private=frozenset(norm(h) for h in _labels(path, "private", raw.get("private"))),
        openbaar_headers=frozenset(norm(h) for h in _labels(path, "openbaar: header", ob.get("header"))),
        openbaar_ja=frozenset(norm(v) for v in _labels(path, "openbaar: ja", ob.get("ja"))),
        openbaar_nee=frozenset(norm(v) for v in _labels(path, "openbaar: nee", ob.get("nee"))),
        planstatus=statuses,
        locatie=locaties,
        raw=raw,
    )


@dataclass
class HeaderMatch:
    columns: dict[str, int]  # our column -> cell index (first match wins)
    openbaar: int | None
    private: list[str]  # headers of known non-public columns (names only)
    unknown: list[str]  # headers we do not know: never published
    duplicates: list[str]  # headers mapping to a column already taken
    missing: list[str]  # required columns absent
    flag_headers: list[str]  # every header that is the publication flag (more than one is fatal)


def match_header(header: list[str], mapping: Mapping) -> HeaderMatch:
    columns: dict[str, int] = {}
    openbaar = None
    private, unknown, duplicates, flags = [], [], [], []
    for i, label in enumerate(header):
        key = norm(label)
        if not key:
            continue
        if key in mapping.openbaar_headers:
            openbaar = i if openbaar is None else openbaar
            flags.append(str(label).strip())
        elif key in mapping.private:
            private.append(str(label).strip())
        elif key in mapping.aliases:
            column = mapping.aliases[key]
            if column in columns:
                duplicates.append(str(label).strip())
            else:
                columns[column] = i
        else:
            unknown.append(str(label).strip())
    missing = [c for c in mapping.required if c not in columns]
    return HeaderMatch(columns, openbaar, private, unknown, duplicates, missing, flags)
