"""History between peildatums: two small exports (XLSX then CSV) through the real build.

Each kind of change a journalist asks about must land in plan_wijzigingen as what it
is, with old value, new value and both peildatums; plannen holds the newest state.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
from openpyxl import Workbook

from ingest import history
from ingest.errors import FatalInput

from helpers import ROOT, query, write_manifest

HEADER = [
    "Plan-ID",
    "Plannaam",
    "Gemeentecode",
    "Planstatus",
    "Aantal woningen",
    "Sociale huur",
    "Middenhuur",
    "Betaalbare koop",
    "Dure koop",
    "Start bouw",
    "Openbaar",
]
OLD, NEW = "2025-04-01", "2025-10-01"


def plan(pid, naam, code, status, homes, social, mid, afford, dure, start, openbaar="ja"):
    return [pid, naam, code, status, homes, social, mid, afford, dure, start, openbaar]


# Amsterdam (NH), Rotterdam (ZH), Utrecht (UT), Groningen (GR), Hoeksche Waard (ZH), Almere (FL)
EXPORT_OLD = [
    plan("H-1", "Vertraagd Kwartier", "GM0363", "Vastgesteld", 100, 30, 20, 20, 30, 2026),
    plan("H-2", "Statuswijk", "GM0599", "Ontwerp", 200, 60, 40, 40, 60, 2027),
    plan("H-3", "Groeipark", "GM0344", "Onherroepelijk", 300, 90, 60, 60, 90, 2026),
    plan("H-4", "Verdwenen Veld", "GM0014", "Idee/visie", 50, 10, 10, 10, 20, 2029),  # only plan in Groningen
    plan("H-5", "Segmenthaven", "GM1963", "Vastgesteld", 400, 40, 40, 40, 280, 2027),
    plan("H-6", "Ongewijzigd", "GM0034", "In aanbouw", 80, 20, 20, 20, 20, 2025),
    plan("H-7", "Teruggezet", "GM0363", "Vastgesteld", 60, 20, 10, 10, 20, 2026),
]
EXPORT_NEW = [
    plan("H-1", "Vertraagd Kwartier", "GM0363", "Vastgesteld", 100, 30, 20, 20, 30, 2028),  # start +2 years
    plan("H-2", "Statuswijk", "GM0599", "Vastgesteld", 200, 60, 40, 40, 60, 2027),  # ontwerp -> vastgesteld
    plan("H-3", "Groeipark", "GM0344", "Onherroepelijk", 360, 90, 60, 60, 150, 2026),  # +60 homes
    plan("H-5", "Segmenthaven", "GM1963", "Vastgesteld", 400, 120, 40, 40, 200, 2027),  # dure koop -> sociaal
    plan("H-6", "Ongewijzigd", "GM0034", "In aanbouw", 80, 20, 20, 20, 20, 2025),
    plan("H-7", "Teruggezet", "GM0363", "Ontwerp", 60, 20, 10, 10, 20, 2026),  # status back
    plan("H-8", "Nieuwe Buurt", "GM0034", "In voorbereiding", 120, 40, 30, 10, 40, 2030),  # new plan
    plan("H-9", "Geheim Plan", "GM0599", "Ontwerp", 70, 10, 10, 10, 40, 2029, openbaar="nee"),
]


def write_xlsx(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["Export woningbouwplannen (testbestand)"])  # a title block above the header
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    wb.save(path)


def write_csv(path, rows):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode("cp1252"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("history")
    write_xlsx(d / "export_oud.xlsx", EXPORT_OLD)
    write_csv(d / "export_nieuw.csv", EXPORT_NEW)
    manifest = write_manifest(
        d,
        [
            {"kind": "plannen", "path": "export_oud.xlsx", "peildatum": OLD},
            {"kind": "plannen", "path": "export_nieuw.csv", "peildatum": NEW},
        ],
    )
    db = d / "woningbouwplannen.db"
    # the command a data steward runs, as a subprocess: exit code and output as they see them
    proc = subprocess.run(
        [sys.executable, "-m", "ingest", "build", "--sources", str(manifest), "--db", str(db)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return db


def changes_of(db, plan_id):
    return query(db, "select * from plan_wijzigingen where plan_id = ? order by soort, kolom", (plan_id,))


def only(rows, **match):
    hits = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(hits) == 1, (match, rows)
    return hits[0]


def test_delayed_plan_is_start_bouw_later_by_two_years(built):
    c = only(changes_of(built, "H-1"), soort="start_bouw_later")
    assert (c["kolom"], c["oude_waarde"], c["nieuwe_waarde"], c["verschil"]) == ("start_bouw", "2026", "2028", 2)
    assert (c["peildatum_oud"], c["peildatum_nieuw"]) == (OLD, NEW)
    assert len(changes_of(built, "H-1")) == 1  # nothing else changed


def test_status_forward_and_back(built):
    fwd = only(changes_of(built, "H-2"), soort="status_vooruit")
    assert (fwd["oude_waarde"], fwd["nieuwe_waarde"], fwd["peildatum_oud"], fwd["peildatum_nieuw"]) == (
        "ontwerp",
        "vastgesteld",
        OLD,
        NEW,
    )
    back = only(changes_of(built, "H-7"), soort="status_terug")
    assert (back["oude_waarde"], back["nieuwe_waarde"]) == ("vastgesteld", "ontwerp")


def test_more_homes_with_difference(built):
    c = only(changes_of(built, "H-3"), soort="meer_woningen")
    assert (c["oude_waarde"], c["nieuwe_waarde"], c["verschil"]) == ("300", "360", 60)
    shifted = only(changes_of(built, "H-3"), soort="segment_verschuiving")
    assert (shifted["kolom"], shifted["verschil"]) == ("dure_koop", 60)


def test_withdrawn_plan_even_when_alone_in_its_municipality(built):
    c = only(changes_of(built, "H-4"), soort="ingetrokken")
    assert (c["oude_waarde"], c["nieuwe_waarde"], c["verschil"]) == ("50", None, -50)
    assert (c["peildatum_oud"], c["peildatum_nieuw"]) == (OLD, NEW)
    assert query(built, "select count(*) n from plannen where plan_id = 'H-4'")[0]["n"] == 0


def test_new_plan(built):
    c = only(changes_of(built, "H-8"), soort="nieuw")
    assert (c["oude_waarde"], c["nieuwe_waarde"], c["peildatum_oud"], c["peildatum_nieuw"]) == (None, "120", OLD, NEW)
    assert c["gemeente"] == "Almere" and c["provincie"] == "Flevoland"


def test_segment_shift_per_segment(built):
    rows = changes_of(built, "H-5")
    assert {r["soort"] for r in rows} == {"segment_verschuiving"}
    by_col = {r["kolom"]: (r["oude_waarde"], r["nieuwe_waarde"], r["verschil"]) for r in rows}
    assert by_col == {"sociale_huur": ("40", "120", 80), "dure_koop": ("280", "200", -80)}


def test_unchanged_and_non_public_plans_have_no_changes(built):
    assert changes_of(built, "H-6") == []
    assert changes_of(built, "H-9") == []
    assert query(built, "select count(*) n from plan_historie where plan_id = 'H-9'")[0]["n"] == 0


def test_plannen_holds_newest_state_and_history_every_version(built):
    plans = {r["plan_id"]: r for r in query(built, "select * from plannen")}
    assert sorted(plans) == ["H-1", "H-2", "H-3", "H-5", "H-6", "H-7", "H-8"]
    assert plans["H-1"]["start_bouw"] == 2028 and plans["H-1"]["peildatum"] == NEW
    assert plans["H-2"]["planstatus"] == "vastgesteld" and plans["H-2"]["hardheid"] == "hard"
    assert plans["H-3"]["woningen"] == 360 and plans["H-5"]["sociale_huur"] == 120
    assert all(p["peildatum"] == NEW for p in plans.values())
    hist = query(built, "select plan_id, peildatum, start_bouw, bron from plan_historie order by plan_id, peildatum")
    assert len(hist) == len(EXPORT_OLD) + len(EXPORT_NEW) - 1  # the non-public plan is not in it
    h1 = [r for r in hist if r["plan_id"] == "H-1"]
    assert [(r["peildatum"], r["start_bouw"], r["bron"]) for r in h1] == [
        (OLD, 2026, "export_oud.xlsx"),
        (NEW, 2028, "export_nieuw.csv"),
    ]


def test_every_change_kind_counted_once(built):
    counts = {r["soort"]: r["n"] for r in query(built, "select soort, count(*) n from plan_wijzigingen group by soort")}
    assert counts == {
        "start_bouw_later": 1,
        "status_vooruit": 1,
        "status_terug": 1,
        "meer_woningen": 1,
        "ingetrokken": 1,
        "nieuw": 1,
        "segment_verschuiving": 3,
    }


# --- scope of partial exports (pure functions, no I/O) -------------------------------------------


def v(pid, peildatum, code="GM0363", provincie="Noord-Holland", bron="a.csv", **kw):
    base = {
        "plan_id": pid,
        "naam": pid,
        "gemeentecode": code,
        "gemeente": "x",
        "provincie": provincie,
        "peildatum": peildatum,
        "bron": bron,
        "planstatus": "ontwerp",
        "start_bouw": 2027,
        "woningen": 10,
    }
    base.update(kw)
    return base


def test_provincial_export_does_not_withdraw_other_provinces():
    rows = [
        v("A", OLD),
        v("B", OLD, "GM0344", "Utrecht"),
        v("A", NEW, bron="nh.csv"),
    ]  # the later file lists only Noord-Holland
    assert [r["plan_id"] for r in history.current_plans(rows)] == ["A", "B"]
    assert history.changes(rows) == []


def test_national_export_withdraws_anywhere():
    rows = [
        v("A", OLD),
        v("B", OLD, "GM0344", "Utrecht"),
        v("C", OLD, "GM0599", "Zuid-Holland"),
        v("A", NEW),
        v("C", NEW, "GM0599", "Zuid-Holland"),
    ]
    assert [r["plan_id"] for r in history.current_plans(rows)] == ["A", "C"]
    assert [(c["plan_id"], c["soort"]) for c in history.changes(rows)] == [("B", "ingetrokken")]


def test_declared_scope_overrides_inference():
    rows = [v("A", OLD), v("B", OLD, "GM0344", "Utrecht"), v("A", NEW, bron="nh.csv")]
    declared = {"nh.csv": history.parse_scope("landelijk", "bron 1")}
    assert [r["plan_id"] for r in history.current_plans(rows, declared)] == ["A"]
    declared = {"nh.csv": history.parse_scope(["Noord-Holland", "GM0344"], "bron 1")}
    assert [c["soort"] for c in history.changes(rows, None, declared)] == ["ingetrokken"]
    with pytest.raises(FatalInput, match="dekking"):
        history.parse_scope({"provincie": "Utrecht"}, "bron 2")


def test_absent_then_back_is_withdrawn_then_readmitted():
    p3 = "2026-04-01"
    rows = [
        v("A", OLD),
        v("Z", OLD, "GM0344", "Utrecht"),
        v("Z", NEW, "GM0344", "Utrecht"),
        v("Y", NEW, "GM0599", "Zuid-Holland"),
        v("A", p3, start_bouw=2029),
        v("Z", p3, "GM0344", "Utrecht"),
    ]
    got = [(c["soort"], c["peildatum_oud"], c["peildatum_nieuw"]) for c in history.changes(rows) if c["plan_id"] == "A"]
    assert got == [("ingetrokken", OLD, NEW), ("start_bouw_later", OLD, p3), ("weer_opgenomen", NEW, p3)]


@pytest.mark.parametrize(
    "old,new,soort,steps",
    [
        ("idee/visie", "ontwerp", "status_vooruit", 2),
        ("onherroepelijk", "in voorbereiding", "status_terug", -3),
        ("ontwerp", "vervallen", "status_vervallen", None),
        ("onbekend", "ontwerp", "status_gewijzigd", None),
    ],
)
def test_status_direction(old, new, soort, steps):
    assert history.status_change(old, new) == (soort, steps)


def test_start_bouw_cleared_has_no_direction():
    out = history.diff(v("A", OLD), v("A", NEW, start_bouw=None))
    assert [(c["soort"], c["oude_waarde"], c["nieuwe_waarde"], c["verschil"]) for c in out] == [
        ("start_bouw_gewijzigd", "2027", None, None)
    ]


@pytest.mark.parametrize(
    "which,kinds",
    [
        (
            "export_db",
            ("nieuw", "ingetrokken", "start_bouw_later", "status_vooruit", "meer_woningen", "segment_verschuiving"),
        ),
        # the release gives no start year: the other kinds of change, keyed on project_id
        (
            "sample_db",
            (
                "nieuw",
                "ingetrokken",
                "status_vooruit",
                "status_terug",
                "meer_woningen",
                "minder_woningen",
                "segment_verschuiving",
            ),
        ),
    ],
)
def test_sample_ships_two_peildatums_with_every_kind_of_change(request, which, kinds):
    sample_db = request.getfixturevalue(which)
    counts = {
        r["soort"]: r["n"] for r in query(sample_db, "select soort, count(*) n from plan_wijzigingen group by soort")
    }
    for soort in kinds:
        assert counts.get(soort, 0) > 10, (soort, counts)
    peil = query(sample_db, "select distinct peildatum from plan_historie order by 1")
    assert [r["peildatum"] for r in peil] == [OLD, NEW]
    # plannen is exactly the newest version of every plan not withdrawn
    newest = query(
        sample_db,
        """select count(*) n from plannen p join plan_historie h
        on h.plan_id = p.plan_id and h.peildatum = (select max(peildatum) from plan_historie where plan_id = p.plan_id)
        where h.woningen = p.woningen and h.planstatus = p.planstatus and h.start_bouw is p.start_bouw""",
    )[0]["n"]
    assert newest == query(sample_db, "select count(*) n from plannen")[0]["n"]
    gone = query(
        sample_db,
        "select count(*) n from plannen where plan_id in "
        "(select plan_id from plan_wijzigingen where soort = 'ingetrokken')",
    )[0]["n"]
    assert gone == 0
