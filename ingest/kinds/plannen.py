"""Plans export (CSV or XLSX in a mapped layout) -> validated public plan rows."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..errors import FatalInput
from ..mapping import Mapping, load_mapping, match_header
from ..problems import INFO, SourceReport
from ..read import Table, read_table
from ..validate import (FOUT, WAARSCHUWING, Gemeente, Problem, as_text, derive, is_blank,
                        openbaar_flag, validate_plan)

COLUMN_LABEL = {  # our column -> how the reference layout names it (for messages)
    "plan_id": "Plan-ID", "woningen": "Aantal woningen", "gemeentecode": "Gemeentecode",
    "naam": "Plannaam",
}


@dataclass
class PlanLoad:
    report: SourceReport
    rows: list[dict] = field(default_factory=list)
    # ids of Openbaar = nee plans, in memory only: their areas must not be reported by id either
    private_ids: set[str] = field(default_factory=set)


def header_problems(table: Table, mapping: Mapping, report: SourceReport):
    hm = match_header(table.header, mapping)
    if hm.missing:
        names = ", ".join(COLUMN_LABEL.get(c, c) for c in hm.missing)
        raise FatalInput(report.path, f"verplichte kolom ontbreekt: {names}")
    header_row = table.rows[0][0] - 1 if table.rows else 1
    for h in hm.unknown:
        report.note(h, INFO, "onbekende_kolom", "onbekende kolom; niet gepubliceerd", row=header_row)
    for h in hm.private:
        report.note(h, INFO, "niet_openbare_kolom", "niet-openbare kolom; nooit gepubliceerd", row=header_row)
    for h in hm.duplicates:
        report.note(h, WAARSCHUWING, "dubbele_kolom", "kolom komt twee keer voor; de eerste is gebruikt", row=header_row)
    return hm


def load(report: SourceReport, gemeenten: dict[str, Gemeente], gemeente_by_name: dict[str, Gemeente]) -> PlanLoad:
    mapping = load_mapping(report.mapping)
    table = read_table(report.path, mapping.score)
    report.notes.extend(table.notes)
    hm = header_problems(table, mapping, report)
    result = PlanLoad(report)
    header_of = {col: str(table.header[i]).strip() for col, i in hm.columns.items()}
    seen: dict[str, int] = {}
    fallback_peildatum = report.peildatum
    if fallback_peildatum is None and "peildatum" not in hm.columns:
        fallback_peildatum = dt.date.today().isoformat()
        report.note("Peildatum", WAARSCHUWING, "geen_peildatum",
                    f"geen peildatum in manifest of bestand; builddatum {fallback_peildatum} gebruikt")
    peildata = set()
    for rownum, cells in table.rows:
        report.read += 1
        if hm.openbaar is not None:
            flag_value = cells[hm.openbaar] if hm.openbaar < len(cells) else None
            flag = openbaar_flag(flag_value, mapping)
            if flag is False:
                report.not_public += 1  # counted only: nothing of this row is written
                pid = as_text(cells[hm.columns["plan_id"]]) if hm.columns["plan_id"] < len(cells) else None
                if pid:
                    result.private_ids.add(pid.casefold())
                continue
            if flag is None:
                if is_blank(flag_value):
                    report.add(rownum, None, str(table.header[hm.openbaar]).strip(),
                               Problem("openbaar", None, WAARSCHUWING, "openbaar_leeg", "Openbaar is leeg; als openbaar behandeld"))
                else:
                    # unknown flag: not provably public, so nothing but the flag is recorded
                    report.rejected += 1
                    report.add(rownum, None, str(table.header[hm.openbaar]).strip(),
                               Problem("openbaar", as_text(flag_value), FOUT, "onbekende_openbaarheid",
                                       "waarde van Openbaar niet herkend (ja/nee); rij niet geladen"))
                    continue
        raw = {col: (cells[i] if i < len(cells) else None) for col, i in hm.columns.items()}
        values, problems = validate_plan(raw, mapping, gemeenten, gemeente_by_name)
        plan_id = values["plan_id"]
        if plan_id is not None:
            if plan_id in seen:
                problems.append(Problem("plan_id", plan_id, FOUT, "dubbel_plan_id",
                                        f"Plan-ID komt al voor op rij {seen[plan_id]}; alleen de eerste is geladen"))
            else:
                seen[plan_id] = rownum
        for p in problems:
            report.add(rownum, plan_id, header_of.get(p.column, p.column), p)
        if any(p.severity == FOUT for p in problems):
            report.rejected += 1
            continue
        values["peildatum"] = values["peildatum"] or fallback_peildatum
        peildata.add(values["peildatum"])
        values["_rij"] = rownum
        result.rows.append(derive(values))
        report.loaded += 1
    if report.peildatum is None and peildata:
        report.peildatum = max(peildata)
    elif report.peildatum is None:
        report.peildatum = fallback_peildatum
    return result
