"""Municipality names -> CBS municipalities, for sources that name a municipality but give no code.

Pure lookups over the CBS list (ingest/kinds/gemeenten.py), tried in this order:
1. pairs of code and name a source gives itself (the release's gemeente.json.gz);
2. the CBS name, ignoring case, accents, spaces and punctuation ('Sudwest Fryslan');
3. the spellings in data/reference/gemeente_aliassen.yml ('Den Haag' = 's-Gravenhage);
4. the CBS name without its qualifier, when only one municipality has it ('Hengelo' = Hengelo (O.)).
A name that matches none, or more than one municipality, is not resolved: the caller reports it,
and the plan is never placed in a guessed municipality.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from . import safe_yaml
from .errors import FatalInput

ALIASES = Path(__file__).resolve().parent.parent / "data" / "reference" / "gemeente_aliassen.yml"
ONBEKEND, DUBBELZINNIG = "onbekend", "dubbelzinnig"

_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")
_PREFIX = re.compile(r"^gemeente\s+", re.IGNORECASE)


@lru_cache(maxsize=1 << 14)
def key(name: str) -> str:
    """'Súdwest-Fryslân' and 'sudwest fryslan' -> 'sudwestfryslan'."""
    text = unicodedata.normalize("NFKD", _PREFIX.sub("", str(name).strip())).casefold()
    return "".join(c for c in text if c.isalnum())


def read_aliases(path: Path = ALIASES) -> dict[str, list[str]]:
    try:
        doc = safe_yaml.load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise FatalInput(path, f"lijst met gemeentenamen niet leesbaar ({exc.__class__.__name__})")
    if not isinstance(doc, dict) or not all(isinstance(v, list) for v in doc.values()):
        raise FatalInput(path, "verwacht per CBS-code een lijst met namen")
    return {str(k): [str(n) for n in v] for k, v in doc.items()}


@dataclass
class GemeenteNamen:
    """name key -> set of CBS codes it can mean; built once per build, picklable for the workers."""

    gemeenten: dict  # code -> Gemeente
    index: dict[str, set[str]] = field(default_factory=dict)
    pairs: dict[str, str] = field(default_factory=dict)  # a source's own names -> code

    @classmethod
    def build(cls, gemeenten: dict, aliases: dict[str, list[str]] | None = None) -> GemeenteNamen:
        index: dict[str, set[str]] = {}
        bases: dict[str, set[str]] = {}
        for g in gemeenten.values():
            index.setdefault(key(g.naam), set()).add(g.code)
            bases.setdefault(key(_QUALIFIER.sub("", g.naam)), set()).add(g.code)
        for code, names in (read_aliases() if aliases is None else aliases).items():
            if code in gemeenten:  # an alias of a municipality that no longer exists is left out
                for name in names:
                    index.setdefault(key(name), set()).add(code)
        for base, codes in bases.items():
            if base not in index:  # 'Hengelo' -> Hengelo (O.); 'Bergen' stays ambiguous
                index[base] = codes
        return cls(gemeenten, index)

    def with_pairs(self, pairs: dict[str, str]) -> GemeenteNamen:
        """The same lookup, trying a source's own (name -> code) pairs first."""
        return GemeenteNamen(self.gemeenten, self.index, {key(n): c for n, c in pairs.items() if c in self.gemeenten})

    def resolve(self, name: str | None):
        """(Gemeente, None) or (None, ONBEKEND | DUBBELZINNIG)."""
        k = key(name or "")
        if not k:
            return None, ONBEKEND
        if k in self.pairs:
            return self.gemeenten[self.pairs[k]], None
        codes = self.index.get(k)
        if not codes:
            return None, ONBEKEND
        if len(codes) > 1:
            return None, DUBBELZINNIG
        return self.gemeenten[next(iter(codes))], None

    def province(self, name: str | None) -> str | None:
        """The CBS spelling of a province name, or None when it is not one."""
        k = key(name or "")
        return next((g.provincie for g in self.gemeenten.values() if key(g.provincie) == k), None) if k else None

    def candidates(self, name: str) -> list[str]:
        return sorted(self.gemeenten[c].naam for c in self.index.get(key(name), ()))
