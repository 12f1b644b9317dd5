"""Build-time totals per area: the figures the home page, the municipality pages and the
per-area canned queries show, computed once per build instead of on every request.

`cijfers_per_gebied` has one row for the Netherlands, one per province, one per woondeal
region and one per CBS municipality (also those without plans, with zeros). Lapsed plans
(planstatus 'vervallen') are left out, as in every aggregate of the portal. Pages read one
row by primary key, so their cost no longer grows with the number of plans.
"""
from __future__ import annotations

import sqlite3

from .schema import SEGMENT_COLUMNS, SUMMARY_COLUMNS
from .write import create_table

TABLE = "cijfers_per_gebied"
NO_REGION = "(geen woondealregio)"

# The sums every level shares; `p` is plannen, already restricted to active plans.
_SUMS = ",\n  ".join([
    "count(p.plan_id)",
    "count(distinct p.gemeentecode)",
    "coalesce(sum(p.woningen), 0)",
    "coalesce(sum(case when p.hardheid = 'hard' then p.woningen end), 0)",
    "coalesce(sum(case when p.hardheid = 'zacht' then p.woningen end), 0)",
    # everything neither hard nor soft (also a missing hardheid), so the three add up
    "coalesce(sum(p.woningen), 0) - coalesce(sum(case when p.hardheid in ('hard', 'zacht') then p.woningen end), 0)",
    *(f"coalesce(sum(p.{s}), 0)" for s in SEGMENT_COLUMNS),
    "coalesce(sum(p.segment_onbekend), 0)",
    "coalesce(sum(p.betaalbaar), 0)",
    "coalesce(sum(" + " + ".join(f"coalesce(p.{s}, 0)" for s in SEGMENT_COLUMNS) + "), 0)",
    "max(p.peildatum)",
])
_ACTIVE = "(select * from plannen where planstatus is not 'vervallen')"

# niveau, code, naam, provincie and the FROM/GROUP BY of each level
_LEVELS = (
    ("'land'", "'NL'", "'Nederland'", "null", f"{_ACTIVE} p", ""),
    ("'provincie'", "p.provincie", "p.provincie", "p.provincie", f"{_ACTIVE} p", "group by p.provincie"),
    ("'woondealregio'", f"coalesce(p.woondealregio, '{NO_REGION}')", f"coalesce(p.woondealregio, '{NO_REGION}')",
     "null", f"{_ACTIVE} p", "group by 2"),
    ("'gemeente'", "g.gemeentecode", "g.gemeentenaam", "g.provincie",
     f"gemeenten g left join {_ACTIVE} p on p.gemeentecode = g.gemeentecode", "group by g.gemeentecode"),
)


def write(conn: sqlite3.Connection) -> int:
    """Create and fill the table from plannen and gemeenten in the same database; returns its rows."""
    create_table(conn, TABLE, SUMMARY_COLUMNS, extra=",\n  PRIMARY KEY (niveau, code)")
    names = ", ".join(f"[{c}]" for c in SUMMARY_COLUMNS)
    for niveau, code, naam, provincie, source, group in _LEVELS:
        conn.execute(f"insert into [{TABLE}] ({names})\n"
                     f"select {niveau}, {code}, {naam}, {provincie},\n  {_SUMS}\nfrom {source}\n"
                     f"where {code} is not null {group}")
    conn.execute(f"create index [idx_{TABLE}_provincie] on [{TABLE}] (niveau, provincie)")
    return conn.execute(f"select count(*) from [{TABLE}]").fetchone()[0]
