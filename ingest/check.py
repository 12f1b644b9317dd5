"""`python -m ingest check FILE`: validate one file and print its report; writes nothing."""
from __future__ import annotations

from pathlib import Path

from .build import DEFAULT_GEMEENTEN
from .kinds import gemeenten as gemeenten_kind
from .gemeente_namen import GemeenteNamen
from .kinds import plannen as plannen_kind
from .kinds import woningbouwkaart as woningbouwkaart_kind
from .manifest import DEFAULT_MAPPING, Source
from .problems import SourceReport


def format_report(report: SourceReport, limit: int) -> str:
    lines = [
        f"Bestand:        {report.name}",
        f"Soort:          {report.kind} (mapping {report.mapping})",
        f"Peildatum:      {report.peildatum or '-'}",
        f"Rijen gelezen:  {report.read}",
        f"Geladen:        {report.loaded}",
        f"Afgewezen:      {report.rejected}",
        f"Niet openbaar:  {report.not_public}",
        f"Meldingen:      {len(report.problems)} ({report.errors} fouten, {report.warnings} waarschuwingen)",
    ]
    lines += [f"Toelichting:    {n}" for n in report.notes]
    if report.problems:
        lines.append("")
        lines.append("rij\tkolom\twaarde\ternst\tmelding")
        for p in report.problems[:limit]:
            lines.append(f"{p['rij'] or '-'}\t{p['kolom'] or '-'}\t{p['waarde'] if p['waarde'] is not None else ''}"
                         f"\t{p['ernst']}\t{p['melding']}")
        if len(report.problems) > limit:
            lines.append(f"... en nog {len(report.problems) - limit} meldingen")
    return "\n".join(lines)


def check(path: Path, kind: str, mapping: str | None, gemeenten_path: Path | None,
          peildatum: str | None, limit: int) -> int:
    ref = SourceReport(0, gemeenten_path or DEFAULT_GEMEENTEN, "gemeenten", "gemeenten", False)
    gemeenten = gemeenten_kind.load(ref)
    if kind == "gemeenten":
        report = SourceReport(1, path, "gemeenten", mapping or "gemeenten", False)
        gemeenten_kind.load(report)
        reports = [report]
    else:
        source = Source(kind, path, peildatum, mapping or DEFAULT_MAPPING.get(kind, kind))
        context = plannen_kind.Context(gemeenten, GemeenteNamen.build(gemeenten))
        load = (woningbouwkaart_kind if kind == "woningbouwkaart" else plannen_kind).load(source, context)
        reports = load.reports
    print("\n\n".join(format_report(r, limit) for r in reports))
    return 1 if any(r.errors for r in reports) else 0
