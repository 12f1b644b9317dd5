"""The issue log (ingest_problemen) and provenance (bronnen), as plain rows."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from .validate import FOUT, WAARSCHUWING, Problem

INFO = "info"


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

    def add(self, row: int | None, plan_id: str | None, header: str | None, problem: Problem) -> None:
        self.problems.append({
            "bron_id": self.id,
            "bestand": self.path.name,
            "rij": row,
            "plan_id": plan_id,
            "kolom": header,
            "veld": problem.column,
            "waarde": problem.value,
            "ernst": problem.severity,
            "code": problem.code,
            "melding": problem.message,
        })

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
            "bestand": self.path.name,
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
            "geladen_op": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
            "toelichting": "; ".join(self.notes) or None,
        }
