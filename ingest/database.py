"""The write step: every table, index and the full-text index into a new database file.

The file is a temporary one next to the published database; the publish step
(ingest/publish.py) swaps it in. Nothing here changes a plan row: the steps before made them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import history, reference, summary
from .manifest import PLAN_KINDS, Source
from .mapping import load_mapping
from .problems import SourceReport
from .schema import (
    BRONNEN_COLUMNS,
    DEFAULT_FACETS,
    DOORBRAAK_COLUMNS,
    FACET_COLUMNS,
    FTS_COLUMNS,
    GEMEENTE_COLUMNS,
    HISTORY_COLUMNS,
    LMVW_GEMEENTE_COLUMNS,
    LMVW_WOONDEAL_COLUMNS,
    PLAN_COLUMNS,
    PLANGEBIED_COLUMNS,
    PLANSTATUS_COLUMNS,
    PROBLEMEN_COLUMNS,
)
from .write import create_table, insert, write_table


@dataclass
class Contents:
    """Everything the database holds, as the steps before left it."""

    sources: list[Source]
    reports: list[SourceReport]  # numbered: a report's id is its row of bronnen
    gemeenten: dict
    loads: list = field(default_factory=list)  # the plans sources' loads (their lmvw_* tables)
    realisatie: list[dict] = field(default_factory=list)
    historie: list[dict] = field(default_factory=list)
    current: list[dict] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)
    plangebieden: list[dict] = field(default_factory=list)
    sites: list[dict] = field(default_factory=list)  # doorbraaklocaties


def write(path: Path, c: Contents, progress: Callable[[str], None]) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        with conn:
            create_table(
                conn,
                "plannen",
                PLAN_COLUMNS,
                pk="plan_id",
                extra=",\n  FOREIGN KEY (doorbraaklocatie) REFERENCES doorbraaklocaties(naam)",
            )
            insert(conn, "plannen", PLAN_COLUMNS, c.current)
            progress(f"plannen: {len(c.current)} rijen geschreven")
            create_table(conn, "plan_historie", HISTORY_COLUMNS, extra=",\n  PRIMARY KEY (plan_id, peildatum)")
            insert(conn, "plan_historie", HISTORY_COLUMNS, c.historie)
            history.write_changes(conn, c.changes)
            create_table(conn, "gemeenten", GEMEENTE_COLUMNS, pk="gemeentecode")
            insert(
                conn,
                "gemeenten",
                GEMEENTE_COLUMNS,
                (
                    {
                        "gemeentecode": g.code,
                        "gemeentenaam": g.naam,
                        "provincie": g.provincie,
                        "latitude": g.latitude,
                        "longitude": g.longitude,
                    }
                    for g in c.gemeenten.values()
                ),
            )
            create_table(conn, "planstatus_mapping", PLANSTATUS_COLUMNS)
            for name in sorted(
                {s.mapping for s in c.sources if s.kind in PLAN_KINDS}
            ):  # fixed order, whatever the hash seed
                mapping = load_mapping(name)
                labels = mapping.raw.get("planstatus") or {}
                insert(
                    conn,
                    "planstatus_mapping",
                    PLANSTATUS_COLUMNS,
                    (
                        {"label": label, "planstatus": v[0], "hardheid": v[1], "mapping": mapping.name}
                        for label, v in labels.items()
                    ),
                )
            create_table(conn, "bronnen", BRONNEN_COLUMNS, pk="id")
            insert(conn, "bronnen", BRONNEN_COLUMNS, (r.bron_row() for r in c.reports))
            create_table(conn, "ingest_problemen", PROBLEMEN_COLUMNS, pk="id")
            problems = []
            for r in c.reports:
                for p in r.problems:
                    p["bron_id"] = r.id  # reports are numbered after their workers filled them
                    problems.append(p)
            for i, p in enumerate(problems, start=1):
                p["id"] = i
            insert(conn, "ingest_problemen", PROBLEMEN_COLUMNS, problems)
            reference.write(conn, c.realisatie)
            # the release's own totals, as published (one row per area per peildatum)
            for table, columns, key in (
                ("lmvw_gemeenten", LMVW_GEMEENTE_COLUMNS, ("gemeentecode", "peildatum")),
                ("lmvw_woondealregios", LMVW_WOONDEAL_COLUMNS, ("woondealregio", "peildatum")),
            ):
                rows: dict[
                    tuple, dict
                ] = {}  # two releases of one peildatum: the first in the manifest wins, as for plans
                for ld in c.loads:
                    for r in ld.tables.get(table, ()):
                        rows.setdefault(tuple(r[k] for k in key), r)
                write_table(conn, table, columns, rows.values(), extra=f",\n  PRIMARY KEY ({', '.join(key)})")
            write_table(
                conn,
                "plangebieden",
                PLANGEBIED_COLUMNS,
                c.plangebieden,
                pk="plan_id",
                extra=",\n  FOREIGN KEY (plan_id) REFERENCES plannen(plan_id)",
            )
            write_table(conn, "doorbraaklocaties", DOORBRAAK_COLUMNS, c.sites, pk="naam")
            progress(f"{summary.TABLE}: {summary.write(conn)} gebieden")
        db = sqlite_utils.Database(conn)
        for column in FACET_COLUMNS:
            # A default facet's index carries the other default facets, the default sort and the key: the
            # facets and counts of a page filtered on those columns, and of a paged JSON or CSV request
            # (plugins/stable_sort_paging.py), then read the index alone instead of every wide row.
            # Every other filter column carries the default sort (a municipality page's plans by size).
            others = [c for c in DEFAULT_FACETS if c != column] if column in DEFAULT_FACETS else []
            db.table("plannen").create_index(
                [column, *others, "woningen", "plan_id"], index_name=f"idx_plannen_{column}", if_not_exists=True
            )
        # the default sort with its tie-breaker, in the direction Datasette pages it
        conn.execute("create index idx_plannen_woningen on plannen (woningen desc, plan_id)")
        # municipality pages: the status table from the index alone
        db.table("plannen").create_index(["gemeentecode", "planstatus", "hardheid", "woningen"], if_not_exists=True)
        # the map data of the part of the country in view (plugins/map_data.py, bbox): a range of latitudes
        db.table("plannen").create_index(["latitude", "longitude"], if_not_exists=True)
        # the plan areas of a map view (plugins/map_data.py, /-/plangebieden.json): a range on west, the other
        # edges and the order (largest first) read from the index alone
        conn.execute(
            "create index idx_plangebieden_omtrek on plangebieden (west, oost, zuid, noord, oppervlakte_ha, plan_id)"
        )
        db.table("plan_historie").create_index(["peildatum"], if_not_exists=True)
        db.table("ingest_problemen").create_index(["bron_id"], if_not_exists=True)
        db.table("ingest_problemen").create_index(["ernst"], if_not_exists=True)
        progress("indexen gemaakt")
        db.table("plannen").enable_fts(list(FTS_COLUMNS), fts_version="FTS5", tokenize="unicode61 remove_diacritics 2")
        progress("zoekindex (FTS5) gemaakt")
        conn.execute("ANALYZE")
        conn.commit()
    finally:
        conn.close()
