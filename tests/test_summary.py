"""cijfers_per_gebied (ingest/summary.py): build-time totals per area, checked against plain Python
over the plannen rows, and the pages that read them (home, municipality pages, /gemeenten)."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

from helpers import query

SEGMENTS = ("sociale_huur", "middenhuur", "dure_huur", "betaalbare_koop", "dure_koop")
CLASSES = (*SEGMENTS, "huur_onbekend", "koop_onbekend", "segment_onbekend")


def totals(plans: list[dict]) -> dict:
    n = lambda key: sum(p[key] or 0 for p in plans)  # noqa: E731
    out = {
        "plannen": len(plans),
        "gemeenten": len({p["gemeentecode"] for p in plans if p["gemeentecode"]}),
        "sloop": n("sloop"),
        **{s: n(s) for s in CLASSES},
        "betaalbaar": n("betaalbaar"),
        "woningen_segment_bekend": sum(n(s) for s in SEGMENTS),
        "peildatum": max((p["peildatum"] for p in plans), default=None),
    }
    for column, prefix in (("netto", "netto"), ("woningen", "woningen")):
        hard = sum(p[column] or 0 for p in plans if p["hardheid"] == "hard")
        soft = sum(p[column] or 0 for p in plans if p["hardheid"] == "zacht")
        out.update(
            {
                prefix: n(column),
                f"{prefix}_hard": hard,
                f"{prefix}_zacht": soft,
                f"{prefix}_onbekend": n(column) - hard - soft,
            }
        )
    return out


def recount(db):
    plans = [p for p in query(db, "select * from plannen") if p["planstatus"] not in ("vervallen", "opgeleverd")]
    expected = {("land", "NL"): totals(plans)}
    groups = defaultdict(list)
    for p in plans:
        if p["provincie"]:
            groups["provincie", p["provincie"]].append(p)
        groups["woondealregio", p["woondealregio"] or "(geen woondealregio)"].append(p)
        if p["gemeentecode"]:  # a plan whose municipality name matched none counts nationally only
            groups["gemeente", p["gemeentecode"]].append(p)
    for g in query(db, "select gemeentecode from gemeenten"):
        groups.setdefault(("gemeente", g["gemeentecode"]), [])  # municipalities without plans: zeros
    expected.update({key: totals(ps) for key, ps in groups.items()})
    stored = {(r["niveau"], r["code"]): r for r in query(db, "select * from cijfers_per_gebied")}
    return expected, stored


@pytest.fixture(scope="module")
def areas(sample_db):
    return recount(sample_db)


@pytest.mark.parametrize("which", ["sample_db", "export_db"])
def test_every_area_matches_a_recount_of_the_plans(request, which):
    expected, stored = recount(request.getfixturevalue(which))
    assert set(stored) == set(expected)
    assert sum(1 for niveau, _ in stored if niveau == "gemeente") == 342
    for key, want in expected.items():
        got = {k: stored[key][k] for k in want}
        assert got == want, key


def test_lapsed_and_delivered_plans_are_left_out_and_counted(export_db):
    _, stored = recount(export_db)
    every = query(export_db, "select count(*) as n from plannen")[0]["n"]
    lapsed = query(export_db, "select count(*) as n from plannen where planstatus = 'vervallen'")[0]["n"]
    delivered = query(export_db, "select count(*) as n from plannen where planstatus = 'opgeleverd'")[0]["n"]
    assert lapsed > 0 and delivered > 0
    land = stored["land", "NL"]
    assert land["plannen"] == every - lapsed - delivered
    assert (land["plannen_vervallen"], land["plannen_opgeleverd"]) == (lapsed, delivered)


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


async def test_home_shows_the_national_row(sample_app, areas):
    _, stored = areas
    land = stored["land", "NL"]
    html = (await sample_app.client.get("/")).text
    shown = re.search(r"<dt>Woningen gepland, netto</dt><dd>([\d.]+)</dd>", html)
    assert shown and number(shown.group(1)) == land["netto"]
    assert f"bruto {land['woningen']:,} min {land['sloop']:,} sloop".replace(",", ".") in html
    assert f"in {land['gemeenten']} gemeenten" in html


@pytest.mark.parametrize("which", ["sample_app", "export_app"])
async def test_municipality_page_lists_the_largest_plans_and_points_to_the_table(request, which):
    app = request.getfixturevalue(which)
    db = request.getfixturevalue(which.replace("_app", "_db"))
    code = "GM0363"
    plans = query(
        db,
        "select plan_id, woningen from plannen where gemeentecode = ? and lopend = 1 order by woningen desc, plan_id",
        (code,),
    )
    assert len(plans) > 100  # the sample's Amsterdam: more plans than the page lists
    html = (await app.client.get(f"/gemeente/{code}")).text
    listed = re.findall(r'<a href="/plan/([^"]+)">', html.split('id="plannen-kop"')[1])
    assert listed == [p["plan_id"] for p in plans[:100]]
    assert (
        f"100 van de {len(plans)} lopende plannen" in html and f"Alle {len(plans)} lopende plannen in de tabel" in html
    )
    assert f"/woningbouwplannen/plannen?gemeentecode={code}&amp;lopend=1" in html


async def test_municipalities_page_reads_the_totals(sample_app, areas):
    _, stored = areas
    html = (await sample_app.client.get("/gemeenten")).text
    amsterdam = stored["gemeente", "GM0363"]
    cell = r'</td><td class="getal"[^>]*>([\d.]+)'
    row = re.search(r'href="/gemeente/GM0363">Amsterdam</a>' + cell * 3, html)
    assert row and tuple(number(g) for g in row.groups()) == (
        amsterdam["plannen"],
        amsterdam["netto"],
        amsterdam["woningen"],
    )


async def test_municipality_page_shows_the_releases_own_total_beside_ours(sample_app, sample_db):
    """Where the release's total for a municipality differs from the sum of its projects, the page
    shows both figures (and the data-quality report has them)."""
    differ = query(
        sample_db,
        "select code, netto, netto_lmvw from cijfers_per_gebied where niveau = 'gemeente' "
        "and netto_lmvw is not null and netto_lmvw != netto",
    )
    same = query(
        sample_db,
        "select code, netto from cijfers_per_gebied where niveau = 'gemeente' and netto_lmvw = netto "
        "and plannen > 0 limit 1",
    )[0]
    assert differ
    for row in differ:
        html = (await sample_app.client.get(f"/gemeente/{row['code']}")).text
        official = f"{row['netto_lmvw']:,}".replace(",", ".")
        assert f"Totaal volgens de LMVW-release zelf: netto {official} woningen" in html
        assert f"Dat wijkt {abs(row['netto_lmvw'] - row['netto']):,} af".replace(",", ".") in html
    html = (await sample_app.client.get(f"/gemeente/{same['code']}")).text
    assert "Dat is gelijk aan de som van de plannen." in html


async def test_settings_reach_the_app_as_booleans(sample_app):
    # settings.json once said "off" as a string, which Datasette's Python API takes as true
    settings = (await sample_app.client.get("/-/settings.json")).json()
    assert settings["suggest_facets"] is False
    html = (await sample_app.client.get("/woningbouwplannen/plannen")).text
    assert "suggested-facets" not in html
