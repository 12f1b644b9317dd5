"""History between peildatums: the newest state per plan and what changed.

An export has a scope (dekking): the area whose plans it lists completely. LMVW
exports are national; provincial monitors deliver one province. The manifest can
declare it (`dekking: landelijk`, or a list of province names and GM codes); when
it does not, an export listing plans in two or more provinces counts as national
and one confined to a single province as that province's export.

A plan counts as withdrawn (ingetrokken) when a later export whose scope covers it
no longer lists it, and as new (nieuw) when an earlier export whose scope covered
it did not list it. A plan that no later export covers keeps its last state.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from itertools import pairwise
from operator import itemgetter
from pathlib import Path

from .errors import FatalInput
from .mapping import norm
from .schema import PLANSTATUS_STAPPEN
from .validate import FOUT, SEGMENTS, Problem, plan_key
from .write import create_table, insert

STATUS_ORDER = {status: step for step, status in enumerate(PLANSTATUS_STAPPEN, start=1)}
VERVALLEN = "vervallen"

NATIONAL = "landelijk"  # scope sentinel: the whole country
NATIONAL_WORDS = {norm(w) for w in ("landelijk", "nationaal", "Nederland", "NL", "heel Nederland")}

CHANGE_COLUMNS: dict[str, str] = {
    "id": "INTEGER",
    "plan_id": "TEXT",
    "naam": "TEXT",
    "gemeentecode": "TEXT",
    "gemeente": "TEXT",
    "provincie": "TEXT",
    "soort": "TEXT",
    "kolom": "TEXT",
    "oude_waarde": "TEXT",
    "nieuwe_waarde": "TEXT",
    "verschil": "INTEGER",
    "peildatum_oud": "TEXT",
    "peildatum_nieuw": "TEXT",
}

# Kinds of change, with a Dutch and English label (published in metadata and the feed).
SOORTEN = {
    "nieuw": "nieuw plan / new plan",
    "ingetrokken": "ingetrokken: niet meer in de export / withdrawn: no longer in the export",
    "weer_opgenomen": "weer opgenomen na ontbreken / back after being absent",
    "status_vooruit": "planstatus vooruit / status advanced",
    "status_terug": "planstatus terug / status went back",
    "status_vervallen": "planstatus vervallen / status lapsed",
    "status_gewijzigd": "planstatus gewijzigd / status changed",
    "start_bouw_later": "start bouw later (vertraagd) / construction start later (delayed)",
    "start_bouw_eerder": "start bouw eerder / construction start earlier",
    "start_bouw_gewijzigd": "start bouw ingevuld of leeggemaakt / construction start set or cleared",
    "meer_woningen": "meer woningen / more homes",
    "minder_woningen": "minder woningen / fewer homes",
    "segment_verschuiving": "verschuiving tussen prijssegmenten / shift between price segments",
}


# --- scope -------------------------------------------------------------------------------------


def parse_scope(value, where: str):
    """A manifest `dekking` value -> NATIONAL, a frozenset of keys, or None when not declared."""
    if value is None or value == "":
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, (str, int)) for v in items):
        raise FatalInput(None, f"{where}: dekking moet 'landelijk' of een lijst provincies/gemeentecodes zijn")
    keys = set()
    for item in items:
        key = norm(item)
        if key in NATIONAL_WORDS:
            return NATIONAL
        keys.add(key)
    return frozenset(keys)


def declared_scopes(sources) -> dict[Path, object]:
    """Source path -> declared scope, for plan sources whose manifest entry names one. The release
    (woningbouwkaart) is national unless the manifest says otherwise."""
    out = {}
    for n, source in enumerate(sources, start=1):
        if source.kind in ("plannen", "woningbouwkaart"):
            scope = parse_scope(source.options.get("dekking"), f"bron {n} ({source.path.name})")
            if scope is None and source.kind == "woningbouwkaart":
                scope = NATIONAL
            if scope is not None:
                out[source.path] = scope
    return out


def infer_scope(rows: list[dict]):
    # norm() once per distinct name, not per row: an export has tens of thousands of rows, 12 provinces
    provinces = {norm(p) for p in {r.get("provincie") for r in rows} if p}
    return NATIONAL if len(provinces) >= 2 else frozenset(provinces)


def scopes(rows: list[dict], declared: dict | None = None) -> dict[str, object]:
    """peildatum -> the union of the scopes of the files that delivered it."""
    declared = declared or {}
    groups: dict[tuple[str, str | None], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row["peildatum"], row.get("bron"))].append(row)
    out: dict[str, object] = {}
    for (peildatum, bron), group in groups.items():
        scope = declared.get(bron) or infer_scope(group)
        have = out.get(peildatum, frozenset())
        out[peildatum] = NATIONAL if NATIONAL in (scope, have) else have | scope
    return dict(sorted(out.items()))


def covers(scope, row: dict) -> bool:
    if scope == NATIONAL:
        return True
    return norm(row.get("provincie")) in scope or norm(row.get("gemeentecode")) in scope


def covering(peildatums: dict[str, object], row: dict) -> list[str]:
    """Sorted peildatums whose exports cover this plan's area."""
    return [p for p, scope in peildatums.items() if covers(scope, row)]


def coverage(peildatums: dict[str, object]):
    """covering() as a function of a row, worked out once per area: the plans of one municipality
    share the answer (a national history asks for it ~400,000 times). Callers do not change the list."""
    memo: dict[tuple, list[str]] = {}

    def of(row: dict) -> list[str]:
        key = (row.get("provincie"), row.get("gemeentecode"))
        found = memo.get(key)
        if found is None:
            found = memo[key] = covering(peildatums, row)
        return found

    return of


# --- history -----------------------------------------------------------------------------------


def by_plan(rows: list[dict]) -> dict[str, list[dict]]:
    plans: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        plans[row["plan_id"]].append(row)
    for versions in plans.values():
        versions.sort(key=itemgetter("peildatum"))
    return plans


def withdrawn_after(last: dict, cov: list[str]) -> str | None:
    """The first later covering peildatum (the plan is absent there), if any."""
    later = [p for p in cov if p > last["peildatum"]]
    return later[0] if later else None


def combine(loads, declared: dict | None = None) -> tuple[list[dict], list[dict]]:
    """History (one row per plan per peildatum) and the newest state per plan, from every plans
    source's load (ingest/kinds: rows and report).

    A Plan-ID is the same plan whatever its case, Unicode form or invisible characters
    (validate.plan_key); it is published as the newest source spells it."""
    spelling: dict[str, str] = {}
    for load in sorted(loads, key=lambda ld: ld.report.peildatum or "", reverse=True):
        for row in load.rows:
            spelling.setdefault(plan_key(row["plan_id"]), row["plan_id"])
    historie: dict[tuple[str, str], dict] = {}
    for load in loads:
        for row in load.rows:
            row["plan_id"] = spelling[plan_key(row["plan_id"])]
            key = (row["plan_id"], row["peildatum"])
            if key in historie:
                # same plan twice in one peildatum across files: the first file wins
                load.report.add(
                    row["_rij"],
                    row["plan_id"],
                    "Plan-ID",
                    Problem(
                        "plan_id",
                        row["plan_id"],
                        FOUT,
                        "dubbel_plan_id",
                        f"Plan-ID staat al in {historie[key]['bron']} met dezelfde peildatum",
                    ),
                )
                load.report.loaded -= 1
                load.report.rejected += 1
                continue
            row["bron"] = load.report.name
            historie[key] = row
    rows = sorted(historie.values(), key=lambda r: (r["plan_id"], r["peildatum"]))
    return rows, current_plans(rows, declared)


def current_plans(rows: list[dict], declared: dict | None = None) -> list[dict]:
    cover = coverage(scopes(rows, declared))
    current = []
    for versions in by_plan(rows).values():
        last = versions[-1]
        if withdrawn_after(last, cover(last)) is None:
            current.append(dict(last))
    current.sort(key=lambda r: r["plan_id"])
    return current


def _change(row, soort, kolom, old, new, p_old, p_new, verschil=None):
    return {
        "plan_id": row["plan_id"],
        "naam": row["naam"],
        "gemeentecode": row["gemeentecode"],
        "gemeente": row["gemeente"],
        "provincie": row["provincie"],
        "soort": soort,
        "kolom": kolom,
        "oude_waarde": None if old is None else str(old),
        "nieuwe_waarde": None if new is None else str(new),
        "verschil": verschil,
        "peildatum_oud": p_old,
        "peildatum_nieuw": p_new,
    }


def status_change(old: str | None, new: str | None) -> tuple[str, int | None]:
    if new == VERVALLEN:
        return "status_vervallen", None
    ra = STATUS_ORDER.get(old) if old is not None else None
    rb = STATUS_ORDER.get(new) if new is not None else None
    if ra is None or rb is None:
        return "status_gewijzigd", None  # to or from 'onbekend' or 'vervallen': no direction
    return ("status_vooruit" if rb > ra else "status_terug"), rb - ra


def diff(a: dict, b: dict) -> list[dict]:
    """What changed for one plan between two of its versions (a earlier than b)."""
    pa, pb = a["peildatum"], b["peildatum"]
    out = []
    if a["planstatus"] != b["planstatus"]:
        soort, steps = status_change(a["planstatus"], b["planstatus"])
        out.append(_change(b, soort, "planstatus", a["planstatus"], b["planstatus"], pa, pb, steps))
    if a["start_bouw"] != b["start_bouw"]:
        if a["start_bouw"] is not None and b["start_bouw"] is not None:
            delta = b["start_bouw"] - a["start_bouw"]
            soort = "start_bouw_later" if delta > 0 else "start_bouw_eerder"
        else:
            delta, soort = None, "start_bouw_gewijzigd"
        out.append(_change(b, soort, "start_bouw", a["start_bouw"], b["start_bouw"], pa, pb, delta))
    if a["woningen"] != b["woningen"] and a["woningen"] is not None and b["woningen"] is not None:
        delta = b["woningen"] - a["woningen"]
        out.append(
            _change(
                b,
                "meer_woningen" if delta > 0 else "minder_woningen",
                "woningen",
                a["woningen"],
                b["woningen"],
                pa,
                pb,
                delta,
            )
        )
    for segment in SEGMENTS:
        # a blank segment and 0 both mean "none in this segment"
        if (a.get(segment) or 0) != (b.get(segment) or 0):
            delta = (b.get(segment) or 0) - (a.get(segment) or 0)
            out.append(_change(b, "segment_verschuiving", segment, a.get(segment), b.get(segment), pa, pb, delta))
    return out


def plan_changes(versions: list[dict], peildatums: dict[str, object], cover=None) -> list[dict]:
    """Every change of one plan, given the scope of every peildatum (`cover`: coverage() of it)."""
    cover = cover or coverage(peildatums)
    out = []
    first, last = versions[0], versions[-1]
    earlier = [p for p in cover(first) if p < first["peildatum"]]
    if earlier:
        out.append(
            _change(first, "nieuw", None, None, first["woningen"], earlier[-1], first["peildatum"], first["woningen"])
        )
    for a, b in pairwise(versions):
        gap = [p for p in cover(a) if a["peildatum"] < p < b["peildatum"]]
        if gap:  # absent from a covering export in between: withdrawn, then back
            out.append(_change(a, "ingetrokken", None, a["woningen"], None, a["peildatum"], gap[0], -a["woningen"]))
            out.append(_change(b, "weer_opgenomen", None, None, b["woningen"], gap[-1], b["peildatum"], b["woningen"]))
        out.extend(diff(a, b))
    gone = withdrawn_after(last, cover(last))
    if gone:
        out.append(
            _change(last, "ingetrokken", None, last["woningen"], None, last["peildatum"], gone, -last["woningen"])
        )
    return out


def changes(rows: list[dict], current: list[dict] | None = None, declared: dict | None = None) -> list[dict]:
    peildatums = scopes(rows, declared)
    cover = coverage(peildatums)
    out = []
    for versions in by_plan(rows).values():
        out.extend(plan_changes(versions, peildatums, cover))
    out.sort(key=lambda c: (c["peildatum_nieuw"], c["plan_id"], c["soort"], c["kolom"] or ""))
    for i, c in enumerate(out, start=1):
        c["id"] = i
    return out


def write_changes(conn: sqlite3.Connection, rows: list[dict]) -> None:
    create_table(conn, "plan_wijzigingen", CHANGE_COLUMNS, pk="id")
    insert(conn, "plan_wijzigingen", CHANGE_COLUMNS, rows)
    for column in ("plan_id", "soort", "peildatum_nieuw"):
        conn.execute(f"CREATE INDEX idx_plan_wijzigingen_{column} ON plan_wijzigingen({column})")
    # a municipality page lists the changes of the newest export only
    conn.execute("CREATE INDEX idx_plan_wijzigingen_gemeentecode ON plan_wijzigingen(gemeentecode, peildatum_nieuw)")
