"""`python -m ingest check FILE`: validate one file and print its report; writes nothing."""

from __future__ import annotations

from pathlib import Path

from .gemeente_namen import GemeenteNamen
from .kinds import Context
from .kinds import gemeenten as gemeenten_kind
from .kinds import plannen as plannen_kind
from .kinds import woningbouwkaart as woningbouwkaart_kind
from .manifest import DEFAULT_MAPPING, Source, parse_defaults
from .pipeline import refuse_empty
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
            lines.append(
                f"{p['rij'] or '-'}\t{p['kolom'] or '-'}\t{p['waarde'] if p['waarde'] is not None else ''}"
                f"\t{p['ernst']}\t{p['melding']}"
            )
        if len(report.problems) > limit:
            lines.append(f"... en nog {len(report.problems) - limit} meldingen")
    return "\n".join(lines)


def check(
    path: Path,
    kind: str,
    mapping: str | None,
    gemeenten_path: Path | None,
    peildatum: str | None,
    limit: int,
    defaults: list[str] = (),  # type: ignore[assignment]
    strict: bool = False,
) -> int:
    """Print the report of one file. Exit 0 when it could be read (its rejected rows are in the
    report), 1 only with `strict` and rejected rows; a file that cannot be used raises FatalInput (2)."""
    gemeenten = gemeenten_kind.read(gemeenten_path or gemeenten_kind.DEFAULT)
    if kind == "gemeenten":
        reports = gemeenten_kind.load(Source("gemeenten", path, mapping=mapping or "gemeenten"), Context()).reports
    else:
        fill = parse_defaults(dict(d.partition("=")[::2] for d in defaults) or None, "--default")
        source = Source(kind, path, peildatum, mapping or DEFAULT_MAPPING.get(kind, kind), defaults=fill)
        context = Context(gemeenten, GemeenteNamen.build(gemeenten))
        load = (woningbouwkaart_kind if kind == "woningbouwkaart" else plannen_kind).load(source, context)
        load.source = source
        reports = load.reports
    print("\n\n".join(format_report(r, limit) for r in reports))
    if kind != "gemeenten":
        refuse_empty(load)  # what a build would refuse, check refuses too (after the report)
    return 1 if strict and any(r.errors for r in reports) else 0
