"""The issue log (ingest_problemen) and provenance (bronnen), as plain rows."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .validate import FOUT, WAARSCHUWING, Problem

INFO = "info"


MAX_VALUE_QUOTED = 200  # a value quoted in the problem log: enough to find it in the file


def _quoted(value):
    """The offending value as the log shows it: a hostile 3 MB cell is cut, and says so."""
    if isinstance(value, str) and len(value) > MAX_VALUE_QUOTED:
        return value[:MAX_VALUE_QUOTED] + f"… ({len(value):,} tekens)".replace(",", ".")
    if isinstance(value, int) and not -(10**18) < value < 10**18:  # str() of a huge int may even refuse
        return f"getal van {value.bit_length()} bits"
    return value


@dataclass
class SourceReport:
    """What happened to one source file; becomes one row of `bronnen`."""

    id: int
    path: Path
    kind: str
    mapping: str
    sample: bool
    peildatum: str | None = None
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    not_public: int = 0
    notes: list[str] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    label: str | None = None  # how the file is named in bronnen and ingest_problemen (default: its name)
    herkomst: str | None = None  # the URL it was fetched from, when known
    opgehaald_op: str | None = None
    _counted: dict = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        return self.label or self.path.name

    def add(self, row: int | None, plan_id: str | None, header: str | None, problem: Problem) -> None:
        self.problems.append(
            {
                "bron_id": self.id,
                "bestand": self.name,
                "rij": row,
                "plan_id": plan_id,
                "kolom": header,
                "veld": problem.column,
                "waarde": _quoted(problem.value),
                "ernst": problem.severity,
                "code": problem.code,
                "melding": problem.message,
            }
        )

    def reject(self, row: int | None, plan_id: str | None, header: str | None, problem: Problem) -> None:
        """A row not loaded, and why: counted and reported in one step (read = loaded + rejected + not public)."""
        self.rejected += 1
        self.add(row, plan_id, header, problem)

    def add_counted(self, key, row: int | None, header: str | None, problem: Problem, unit: str = "rijen") -> None:
        """One problem per key (a status label, a name), whatever the number of rows: the first row is
        named and the message says how many rows had it."""
        hit = self._counted.get(key)
        if hit is None:
            self.add(row, None, header, problem)
            self._counted[key] = [self.problems[-1], 1, problem.message, row]
            return
        hit[1] += 1
        hit[0]["melding"] = f"{hit[2]} ({hit[1]} {unit}; eerste op rij {hit[3]})"

    def note(self, header: str | None, severity: str, code: str, message: str, row: int | None = None) -> None:
        self.add(row, None, header, Problem(header or "", None, severity, code, message))

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p["ernst"] == WAARSCHUWING)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p["ernst"] == FOUT)

    def bron_row(self) -> dict:
        data = self.path.read_bytes() if self.path.is_file() else b""
        return {
            "id": self.id,
            "bestand": self.name,
            "soort": self.kind,
            "mapping": self.mapping,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "peildatum": self.peildatum,
            "rijen_gelezen": self.read,
            "rijen_geladen": self.loaded,
            "rijen_afgewezen": self.rejected,
            "rijen_niet_openbaar": self.not_public,
            "waarschuwingen": self.warnings,
            "voorbeelddata": int(self.sample),
            "herkomst": self.herkomst,
            "opgehaald_op": self.opgehaald_op,
            "geladen_op": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "toelichting": "; ".join(self.notes) or None,
        }
