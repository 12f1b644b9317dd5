"""Supplier headers -> our columns, driven by ingest/mappings/<name>.yml."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import FatalInput

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


@lru_cache(maxsize=None)
def load_mapping(name_or_path: str) -> Mapping:
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPPINGS_DIR / f"{name_or_path}.yml"
    if not path.exists():
        raise FatalInput(path, f"mapping {name_or_path!r} bestaat niet")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise FatalInput(path, f"mapping is geen geldige YAML ({exc.__class__.__name__})")
    aliases = {}
    for column, labels in (raw.get("columns") or {}).items():
        for label in [column, *labels]:
            aliases[norm(label)] = column
    ob = raw.get("openbaar") or {}
    statuses = {norm(k): tuple(v) for k, v in (raw.get("planstatus") or {}).items()}
    locaties = {}
    for value, labels in (raw.get("locatie") or {}).items():
        for label in labels:
            locaties[norm(label)] = value
    return Mapping(
        name=raw.get("name", path.stem),
        aliases=aliases,
        required=tuple(raw.get("required") or ()),
        private=frozenset(norm(h) for h in raw.get("private") or ()),
        openbaar_headers=frozenset(norm(h) for h in ob.get("header") or ()),
        openbaar_ja=frozenset(norm(v) for v in ob.get("ja") or ()),
        openbaar_nee=frozenset(norm(v) for v in ob.get("nee") or ()),
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


def match_header(header: list[str], mapping: Mapping) -> HeaderMatch:
    columns: dict[str, int] = {}
    openbaar = None
    private, unknown, duplicates = [], [], []
    for i, label in enumerate(header):
        key = norm(label)
        if not key:
            continue
        if key in mapping.openbaar_headers:
            openbaar = i if openbaar is None else openbaar
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
    return HeaderMatch(columns, openbaar, private, unknown, duplicates, missing)
