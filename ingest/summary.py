"""Build-time totals per area: the figures the home page, the municipality pages and the
per-area canned queries show, computed once per build instead of on every request.

`cijfers_per_gebied` has one row for the Netherlands, one per province, one per woondeal
region and one per CBS municipality (also those without plans, with zeros). It counts lopende
plannen (lopend = 1: neither lapsed nor delivered), as every figure of the portal does; the lapsed
and delivered plans left out are counted beside them, so that a page can say what it left out. Pages read one
row by primary key, so their cost no longer grows with the number of plans.
"""

from __future__ import annotations

import sqlite3

from .schema import NIET_LOPEND, PRICE_CLASS_COLUMNS, SEGMENT_COLUMNS, SUMMARY_COLUMNS
from .write import create_table

LMVW_COLUMNS = ("netto_lmvw", "peildatum_lmvw", "plannen_vervallen", "plannen_opgeleverd")  # filled by updates

TABLE = "cijfers_per_gebied"
NO_REGION = "(geen woondealregio)"


def _split(column: str) -> list[str]:
    """Total, hard, soft and the rest (also a missing hardheid), so the last three add up to the first."""
    return [
        f"coalesce(sum(p.{column}), 0)",
        f"coalesce(sum(case when p.hardheid = 'hard' then p.{column} end), 0)",
        f"coalesce(sum(case when p.hardheid = 'zacht' then p.{column} end), 0)",
        f"coalesce(sum(p.{column}), 0) - coalesce(sum(case when p.hardheid in ('hard', 'zacht') then p.{column} end), 0)",
    ]


# The sums every level shares; `p` is plannen, already restricted to active plans.
_SUMS = ",\n  ".join(
    [
        "count(p.plan_id)",
        "count(distinct p.gemeentecode)",
        *_split("netto"),
        *_split("woningen"),
        "coalesce(sum(p.sloop), 0)",
        *(f"coalesce(sum(p.{s}), 0)" for s in PRICE_CLASS_COLUMNS),
        "coalesce(sum(p.betaalbaar), 0)",
        "coalesce(sum(" + " + ".join(f"coalesce(p.{s}, 0)" for s in SEGMENT_COLUMNS) + "), 0)",
        "max(p.peildatum)",
    ]
)
_ACTIVE = "(select * from plannen where lopend = 1)"

# niveau, code, naam, provincie and the FROM/GROUP BY of each level
_LEVELS = (
    ("'land'", "'NL'", "'Nederland'", "null", f"{_ACTIVE} p", ""),
    ("'provincie'", "p.provincie", "p.provincie", "p.provincie", f"{_ACTIVE} p", "group by p.provincie"),
    (
        "'woondealregio'",
        f"coalesce(p.woondealregio, '{NO_REGION}')",
        f"coalesce(p.woondealregio, '{NO_REGION}')",
        "null",
        f"{_ACTIVE} p",
        "group by 2",
    ),
    (
        "'gemeente'",
        "g.gemeentecode",
        "g.gemeentenaam",
        "g.provincie",
        f"gemeenten g left join {_ACTIVE} p on p.gemeentecode = g.gemeentecode",
        "group by g.gemeentecode",
    ),
)


def write(conn: sqlite3.Connection) -> int:
    """Create and fill the table from plannen and gemeenten in the same database; returns its rows."""
    create_table(conn, TABLE, SUMMARY_COLUMNS, extra=",\n  PRIMARY KEY (niveau, code)")
    names = ", ".join(f"[{c}]" for c in SUMMARY_COLUMNS if c not in LMVW_COLUMNS)
    for niveau, code, naam, provincie, source, group in _LEVELS:
        conn.execute(
            f"insert into [{TABLE}] ({names})\n"
            f"select {niveau}, {code}, {naam}, {provincie},\n  {_SUMS}\nfrom {source}\n"
            f"where {code} is not null {group}"
        )
    # what each level leaves out, so that the pages can say it
    for niveau, match in (
        ("land", "1"),
        ("provincie", "p.provincie = c.code"),
        ("woondealregio", f"coalesce(p.woondealregio, '{NO_REGION}') = c.code"),
        ("gemeente", "p.gemeentecode = c.code"),
    ):
        for status in NIET_LOPEND:
            conn.execute(
                f"update [{TABLE}] as c set plannen_{status} = (select count(*) from plannen p "
                f"where p.planstatus = '{status}' and {match}) where c.niveau = '{niveau}'"
            )
    # beside ours, the release's own figure where it publishes one (its newest peildatum)
    for niveau, table, key in (
        ("gemeente", "lmvw_gemeenten", "gemeentecode"),
        ("woondealregio", "lmvw_woondealregios", "woondealregio"),
    ):
        conn.execute(f"""update [{TABLE}] set (netto_lmvw, peildatum_lmvw) = (
              select l.netto, l.peildatum from [{table}] l
              where l.{key} = [{TABLE}].code and l.peildatum = (select max(peildatum) from [{table}]))
            where niveau = '{niveau}'""")
    conn.execute(f"create index [idx_{TABLE}_provincie] on [{TABLE}] (niveau, provincie)")
    return conn.execute(f"select count(*) from [{TABLE}]").fetchone()[0]
