"""Source kinds: one module per `kind:` of the manifest, all with one call shape.

    load(source: Source, context: Context) -> Load

A kind reads its file(s), validates every row against what `context` holds and returns the rows
with the report of each file it read; it never writes and never numbers its reports (the pipeline
does, in manifest order: ingest/pipeline.py). Outlines are read and checked with the geometry
library (ingest/geometry/), which knows nothing of kinds.

To add a kind: a module here with load(source, context), its name in manifest.KINDS, and one line
in the pipeline's step that uses its rows (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..gemeente_namen import GemeenteNamen
from ..manifest import Source
from ..problems import SourceReport
from ..validate import Gemeente


@dataclass
class Context:
    """What the kinds validate against; the pipeline fills it in as the build goes (a plans source
    needs only the municipalities, a plan-area source also the newest plans). Plans sources are
    read in worker processes: the context goes there pickled, so it holds plain data only."""

    gemeenten: dict[str, Gemeente] = field(default_factory=dict)
    names: GemeenteNamen | None = None  # municipality names as exports spell them -> codes
    plans: dict[str, dict] = field(default_factory=dict)  # the newest plans by Plan-ID (plangebieden)
    areas: dict[str, dict] = field(default_factory=dict)  # Plan-ID -> the plangebieden row it already has
    sites: dict[str, dict] = field(default_factory=dict)  # doorbraaklocaties by name, from the seed
    private_ids: frozenset[str] = frozenset()  # plan_key of every plan no export made public


@dataclass
class Load:
    """What one source gave: its rows (what they are depends on the kind) and the report of each file."""

    report: SourceReport
    rows: list = field(default_factory=list)
    # ids of Openbaar = nee plans, in memory only: their areas must not be reported by id either
    private_ids: set[str] = field(default_factory=set)
    # the other files of the same source (a release's areas and aggregates), each a row of bronnen
    extra_reports: list[SourceReport] = field(default_factory=list)
    tables: dict[str, list[dict]] = field(default_factory=dict)  # extra published tables (lmvw_*)
    source: Source | None = None

    @property
    def reports(self) -> list[SourceReport]:
        return [self.report, *self.extra_reports]


def new_report(source: Source, kind: str | None = None) -> SourceReport:
    """The report of a source's file, unnumbered until the pipeline takes it."""
    return SourceReport(0, source.path, kind or source.kind, source.mapping, source.sample, source.peildatum)
