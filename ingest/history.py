"""History between peildatums: the newest state per plan and what changed.

Exports may cover part of the country (one province, say). A plan counts as
withdrawn only when a later export covers its municipality and no longer lists
it; a plan whose municipality no later export covers keeps its last state.
"""
from __future__ import annotations

import sqlite3
from collections import defaultdict
from itertools import pairwise

from .validate import SEGMENTS
from .write import create_table, insert

STATUS_ORDER = {
    "idee/visie": 1, "in voorbereiding": 2, "ontwerp": 3, "vastgesteld": 4,
    "onherroepelijk": 5, "in aanbouw": 6, "opgeleverd": 7,
}

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


def coverage(rows: list[dict]) -> dict[str, list[str]]:
    """gemeentecode -> sorted peildatums of the exports that list any plan there."""
    cov: dict[str, set] = defaultdict(set)
    for row in rows:
        cov[row["gemeentecode"]].add(row["peildatum"])
    return {k: sorted(v) for k, v in cov.items()}


def by_plan(rows: list[dict]) -> dict[str, list[dict]]:
    plans: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        plans[row["plan_id"]].append(row)
    for versions in plans.values():
        versions.sort(key=lambda r: r["peildatum"])
    return plans


def withdrawn_after(last: dict, cov: dict[str, list[str]]) -> str | None:
    """The first later peildatum that covers the plan's municipality without it."""
    later = [p for p in cov.get(last["gemeentecode"], []) if p > last["peildatum"]]
    return later[0] if later else None


def current_plans(rows: list[dict]) -> list[dict]:
    cov = coverage(rows)
    current = []
    for versions in by_plan(rows).values():
        last = versions[-1]
        if withdrawn_after(last, cov) is None:
            current.append(dict(last))
    current.sort(key=lambda r: r["plan_id"])
    return current


def _change(row, soort, kolom, old, new, p_old, p_new, verschil=None):
    return {
        "plan_id": row["plan_id"], "naam": row["naam"], "gemeentecode": row["gemeentecode"],
        "gemeente": row["gemeente"], "provincie": row["provincie"], "soort": soort, "kolom": kolom,
        "oude_waarde": None if old is None else str(old), "nieuwe_waarde": None if new is None else str(new),
        "verschil": verschil, "peildatum_oud": p_old, "peildatum_nieuw": p_new,
    }


def diff(a: dict, b: dict) -> list[dict]:
    """What changed for one plan between two consecutive versions."""
    pa, pb = a["peildatum"], b["peildatum"]
    out = []
    if a["planstatus"] != b["planstatus"]:
        ra, rb = STATUS_ORDER.get(a["planstatus"]), STATUS_ORDER.get(b["planstatus"])
        soort = "status_gewijzigd" if ra is None or rb is None else ("status_vooruit" if rb > ra else "status_terug")
        out.append(_change(b, soort, "planstatus", a["planstatus"], b["planstatus"], pa, pb))
    if a["start_bouw"] != b["start_bouw"]:
        if a["start_bouw"] is not None and b["start_bouw"] is not None:
            delta = b["start_bouw"] - a["start_bouw"]
            soort = "start_bouw_later" if delta > 0 else "start_bouw_eerder"
        else:
            delta, soort = None, "start_bouw_gewijzigd"
        out.append(_change(b, soort, "start_bouw", a["start_bouw"], b["start_bouw"], pa, pb, delta))
    if a["woningen"] != b["woningen"]:
        delta = b["woningen"] - a["woningen"]
        out.append(_change(b, "meer_woningen" if delta > 0 else "minder_woningen", "woningen",
                           a["woningen"], b["woningen"], pa, pb, delta))
    for segment in SEGMENTS:
        if (a.get(segment) or 0) != (b.get(segment) or 0):
            delta = (b.get(segment) or 0) - (a.get(segment) or 0)
            out.append(_change(b, "segment_verschuiving", segment, a.get(segment), b.get(segment), pa, pb, delta))
    return out


def changes(rows: list[dict], current: list[dict]) -> list[dict]:
    cov = coverage(rows)
    out = []
    for versions in by_plan(rows).values():
        first, last = versions[0], versions[-1]
        earlier = [p for p in cov.get(first["gemeentecode"], []) if p < first["peildatum"]]
        if earlier:
            out.append(_change(first, "nieuw", None, None, first["woningen"], earlier[-1], first["peildatum"], first["woningen"]))
        for a, b in pairwise(versions):
            out.extend(diff(a, b))
        gone = withdrawn_after(last, cov)
        if gone:
            out.append(_change(last, "ingetrokken", None, last["woningen"], None, last["peildatum"], gone, -last["woningen"]))
    out.sort(key=lambda c: (c["peildatum_nieuw"], c["plan_id"], c["soort"], c["kolom"] or ""))
    for i, c in enumerate(out, start=1):
        c["id"] = i
    return out


def write_changes(conn: sqlite3.Connection, rows: list[dict]) -> None:
    create_table(conn, "plan_wijzigingen", CHANGE_COLUMNS, pk="id")
    insert(conn, "plan_wijzigingen", CHANGE_COLUMNS, rows)
    for column in ("plan_id", "soort", "peildatum_nieuw", "gemeentecode"):
        conn.execute(f"CREATE INDEX idx_plan_wijzigingen_{column} ON plan_wijzigingen({column})")
