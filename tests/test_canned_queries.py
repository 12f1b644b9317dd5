"""Every canned query in metadata.yml, run through the real Datasette app on the sample exports' database
(it has lapsed plans, start years and their history; the release sample gives none), and each once on
the release sample.

Each answer is checked against an independent computation in plain Python over rows fetched
with sqlite3 (`select * from <table>`), never against the same SQL. History questions are
recomputed from plan_historie, not from plan_wijzigingen, where that is possible.
"""

from __future__ import annotations

import math
import shutil
import sqlite3
from collections import Counter, defaultdict
from urllib.parse import urlencode

import pytest
import yaml

from helpers import ROOT, make_datasette

QUERIES = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))["databases"]["woningbouwplannen"][
    "queries"
]
TESTED: set[str] = set()


def covers(name):
    TESTED.add(name)
    return lambda f: f


def table(db, name):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(f"select * from [{name}]")]
    finally:
        conn.close()


async def run(app, name, **params):
    query = urlencode({"_shape": "array", "_size": "max", **params})
    response = await app.client.get(f"/woningbouwplannen/{name}.json?{query}")
    assert response.status_code == 200, (name, response.text[:800])
    return response.json()


@pytest.fixture(scope="module")
def data(export_db):
    names = ("plannen", "gemeenten", "plan_historie", "plan_wijzigingen", "doelen", "bronnen", "ingest_problemen")
    out = {n: table(export_db, n) for n in names}
    # lapsed and delivered plans are no longer planned homes: every aggregate leaves them out
    out["actief"] = [p for p in out["plannen"] if p["planstatus"] not in ("vervallen", "opgeleverd")]
    assert len(out["actief"]) < len(out["plannen"])
    return out


def target(data, key):
    return next(d["waarde"] for d in data["doelen"] if d["id"] == key)


def hard_soft(plans, column="netto"):
    hard = sum(p[column] for p in plans if p["hardheid"] == "hard")
    soft = sum(p[column] for p in plans if p["hardheid"] == "zacht")
    return hard, soft, sum(p[column] for p in plans) - hard - soft


def total(plans, column="netto"):
    return sum(p[column] or 0 for p in plans)


def peildatums(data):
    return sorted({h["peildatum"] for h in data["plan_historie"]})


def versions(data):
    """plan_id -> {peildatum: row}, from plan_historie."""
    out = defaultdict(dict)
    for h in data["plan_historie"]:
        out[h["plan_id"]][h["peildatum"]] = h
    return out


def test_every_canned_query_has_bilingual_title_description_and_a_test():
    for name, q in QUERIES.items():
        assert " / " in q["title"], name
        assert len(q["description"]) > 80 and " / " in q["description"], name
        for param in q.get("params", []):
            assert f":{param}" in q["sql"], (name, param)
        # targets are read from doelen, never typed into the SQL
        for literal in ("100000", "0.6667", "0.3 ", "2.0 / 3", "2/3"):
            assert literal not in q["sql"], (name, literal)
    assert TESTED == set(QUERIES), set(QUERIES) ^ TESTED


@covers("woningen_per_gemeente")
async def test_woningen_per_gemeente(export_app, data):
    by_gm = defaultdict(list)
    for p in data["actief"]:
        by_gm[p["gemeentecode"]].append(p)
    for provincie in ("", "Utrecht"):
        rows = await run(export_app, "woningen_per_gemeente", provincie=provincie)
        gemeenten = [g for g in data["gemeenten"] if not provincie or g["provincie"] == provincie]
        assert len(rows) == len(gemeenten)
        for r in rows:
            plans = by_gm[r["gemeentecode"]]
            assert (r["plannen"], r["netto_woningen"], r["bruto_woningen"]) == (
                len(plans),
                total(plans),
                total(plans, "woningen"),
            )
            assert (r["netto_hard"], r["netto_zacht"], r["netto_onbekend"]) == hard_soft(plans)
            assert r["sloop"] == total(plans, "sloop")
        assert [r["netto_woningen"] for r in rows] == sorted((r["netto_woningen"] for r in rows), reverse=True)
    assert sum(r["netto_woningen"] for r in rows) == total(p for p in data["actief"] if p["provincie"] == "Utrecht")


@covers("woningen_per_woondealregio")
async def test_woningen_per_woondealregio(export_app, data):
    groups = defaultdict(list)
    for p in data["actief"]:
        groups[p["woondealregio"] or "(geen woondealregio)"].append(p)
    rows = await run(export_app, "woningen_per_woondealregio")
    assert {r["woondealregio"] for r in rows} == set(groups)
    for r in rows:
        plans = groups[r["woondealregio"]]
        assert (r["plannen"], r["netto_woningen"], r["bruto_woningen"]) == (
            len(plans),
            total(plans),
            total(plans, "woningen"),
        )
        assert (r["netto_hard"], r["netto_zacht"]) == hard_soft(plans)[:2]
        assert r["gemeenten"] == len({p["gemeentecode"] for p in plans})


@covers("woningen_per_provincie")
async def test_woningen_per_provincie(export_app, data):
    groups = defaultdict(list)
    for p in data["actief"]:
        groups[p["provincie"]].append(p)
    rows = await run(export_app, "woningen_per_provincie")
    assert [r["provincie"] for r in rows] == sorted(groups) and len(rows) == 12
    for r in rows:
        plans = groups[r["provincie"]]
        hard, soft, unknown = hard_soft(plans)
        netto = total(plans)
        assert (r["plannen"], r["netto_woningen"], r["netto_hard"], r["netto_zacht"], r["netto_onbekend"]) == (
            len(plans),
            netto,
            hard,
            soft,
            unknown,
        )
        assert r["aandeel_hard"] == pytest.approx(hard / netto, abs=1e-4)
        assert r["bruto_woningen"] == total(plans, "woningen")


@covers("hard_en_zacht")
async def test_hard_en_zacht(export_app, data):
    for provincie in ("", "Gelderland"):
        plans = [p for p in data["actief"] if not provincie or p["provincie"] == provincie]
        netto = total(plans)
        expected, bruto = Counter(), Counter()
        for p in plans:
            expected[p["hardheid"]] += p["netto"]
            bruto[p["hardheid"]] += p["woningen"]
        rows = await run(export_app, "hard_en_zacht", provincie=provincie)
        assert {r["hardheid"]: r["netto_woningen"] for r in rows} == dict(expected)
        assert {r["hardheid"]: r["bruto_woningen"] for r in rows} == dict(bruto)
        for r in rows:
            assert r["aandeel"] == pytest.approx(expected[r["hardheid"]] / netto, abs=1e-4)
            assert r["plannen"] == sum(1 for p in plans if p["hardheid"] == r["hardheid"])


def shares(plans):
    """Shares of the homes whose price segment is known, and how much of all homes that is."""
    total = sum(p["woningen"] for p in plans)
    known = sum(
        p[s] or 0 for p in plans for s in ("sociale_huur", "middenhuur", "dure_huur", "betaalbare_koop", "dure_koop")
    )
    afford = sum(p["betaalbaar"] or 0 for p in plans)
    social = sum(p["sociale_huur"] or 0 for p in plans)
    if not known:  # a municipality whose plans all lack a segment: no share, as SQL's nullif gives
        return total, None, None, 0.0
    return total, afford / known, social / known, known / total


@covers("betaalbaar_per_gebied")
@pytest.mark.parametrize(
    "niveau,key", [("", "provincie"), ("gemeente", "gemeente"), ("woondealregio", "woondealregio"), ("nederland", None)]
)
async def test_betaalbaar_per_gebied(export_app, data, niveau, key):
    goal_b, goal_s = target(data, "aandeel_betaalbaar"), target(data, "aandeel_sociaal")
    groups = defaultdict(list)
    if key:
        for p in data["actief"]:
            groups[p[key] or "(geen woondealregio)"].append(p)
    rows = await run(export_app, "betaalbaar_per_gebied", niveau=niveau)
    assert rows[0]["gebied"] == "Nederland"
    assert [r["gebied"] for r in rows[1:]] == sorted(groups)
    for r in rows:
        plans = groups[r["gebied"]] if r is not rows[0] else data["actief"]
        bruto, afford, social, known = shares(plans)
        assert r["bruto_woningen"] == bruto
        if afford is None:
            assert (r["aandeel_betaalbaar"], r["haalt_doel_betaalbaar"], r["aandeel_sociaal"]) == (None, "nee", None)
            continue
        assert r["aandeel_betaalbaar"] == pytest.approx(afford, abs=1e-4)
        assert r["aandeel_sociaal"] == pytest.approx(social, abs=1e-4)
        assert r["aandeel_segment_bekend"] == pytest.approx(known, abs=1e-4)
        assert (r["doel_betaalbaar"], r["doel_sociaal"]) == (
            pytest.approx(goal_b, abs=1e-4),
            pytest.approx(goal_s, abs=1e-4),
        )
        assert r["haalt_doel_betaalbaar"] == ("ja" if afford >= goal_b else "nee")
        assert r["haalt_doel_sociaal"] == ("ja" if social >= goal_s else "nee")


@covers("woningen_per_startjaar")
async def test_woningen_per_startjaar(export_app, data):
    goal = target(data, "nieuwbouw_per_jaar")
    groups = defaultdict(list)
    for p in data["actief"]:
        groups[p["start_bouw"]].append(p)
    rows = await run(export_app, "woningen_per_startjaar")
    years = [r["startjaar"] for r in rows]
    assert years == sorted(y for y in groups if y is not None) + ([None] if None in groups else [])
    for r in rows:
        plans = groups[r["startjaar"]]
        netto = total(plans)
        assert (r["plannen"], r["netto_woningen"], r["bruto_woningen"]) == (len(plans), netto, total(plans, "woningen"))
        assert (r["netto_hard"], r["netto_zacht"]) == hard_soft(plans)[:2]
        assert (r["doel"], r["verschil"]) == (goal, netto - goal)
        assert r["aandeel_van_doel"] == pytest.approx(netto / goal, abs=1e-4)


@covers("vertraagde_plannen")
async def test_vertraagde_plannen(export_app, data):
    old, new = peildatums(data)[-2:]
    expected = {}
    for pid, v in versions(data).items():
        if (
            old in v
            and new in v
            and v[old]["start_bouw"]
            and v[new]["start_bouw"]
            and v[new]["start_bouw"] > v[old]["start_bouw"]
        ):
            expected[pid] = (v[old]["start_bouw"], v[new]["start_bouw"], v[new]["netto"])
    assert len(expected) > 50
    for params in ({}, {"peildatum": new}):
        rows = await run(export_app, "vertraagde_plannen", **params)
        got = {r["plan_id"]: (r["start_bouw_oud"], r["start_bouw_nieuw"], r["netto_woningen"]) for r in rows}
        assert got == expected
        assert all(r["jaren_later"] == r["start_bouw_nieuw"] - r["start_bouw_oud"] > 0 for r in rows)
        assert [r["jaren_later"] for r in rows] == sorted((r["jaren_later"] for r in rows), reverse=True)
    rows = await run(export_app, "vertraagde_plannen", provincie="Limburg")
    assert {r["plan_id"] for r in rows} == {
        pid for pid in expected if versions(data)[pid][new]["provincie"] == "Limburg"
    }
    assert await run(export_app, "vertraagde_plannen", peildatum=old) == []  # nothing before the first export


@covers("ingetrokken_plannen")
async def test_ingetrokken_plannen(export_app, data):
    old, new = peildatums(data)[-2:]
    v = versions(data)
    # both sample exports are national: absent from the newer one = withdrawn
    gone = {pid: h[old]["netto"] for pid, h in v.items() if old in h and new not in h}
    lapsed = {
        pid: h[old]["netto"]
        for pid, h in v.items()
        if old in h and new in h and h[new]["planstatus"] == "vervallen" != h[old]["planstatus"]
    }
    rows = await run(export_app, "ingetrokken_plannen")
    assert {r["plan_id"]: r["netto_woningen"] for r in rows if r["soort"] == "ingetrokken"} == gone
    assert {r["plan_id"]: r["netto_woningen"] for r in rows if r["soort"] == "status_vervallen"} == lapsed
    assert len(gone) > 20
    assert not {r["plan_id"] for r in rows} & {p["plan_id"] for p in data["plannen"] if p["plan_id"] in gone}


@covers("nieuwe_plannen")
async def test_nieuwe_plannen(export_app, data):
    old, new = peildatums(data)[-2:]
    fresh = {pid: h[new]["netto"] for pid, h in versions(data).items() if new in h and old not in h}
    rows = await run(export_app, "nieuwe_plannen", peildatum=new)
    assert {r["plan_id"]: r["netto_woningen"] for r in rows} == fresh and len(fresh) > 50
    assert [r["netto_woningen"] for r in rows] == sorted(fresh.values(), reverse=True)


@covers("wijzigingen_per_soort")
async def test_wijzigingen_per_soort(export_app, data):
    newest = peildatums(data)[-1]
    plans, diff = defaultdict(set), Counter()
    for w in data["plan_wijzigingen"]:
        if w["peildatum_nieuw"] == newest:
            plans[w["soort"]].add(w["plan_id"])
            diff[w["soort"]] += w["verschil"] or 0
    rows = await run(export_app, "wijzigingen_per_soort")
    assert {r["soort"]: r["plannen"] for r in rows} == {k: len(v) for k, v in plans.items()}
    assert {r["soort"]: r["verschil"] for r in rows} == dict(diff)
    # cross-check two kinds against plan_historie directly
    old = peildatums(data)[-2]
    v = versions(data)
    by_kind = {r["soort"]: r["plannen"] for r in rows}
    assert by_kind["nieuw"] == sum(1 for h in v.values() if newest in h and old not in h)
    assert by_kind["ingetrokken"] == sum(1 for h in v.values() if old in h and newest not in h)


@covers("grootste_plannen")
async def test_grootste_plannen(export_app, data):
    ranked = sorted(data["actief"], key=lambda p: (-p["woningen"], p["plan_id"]))
    rows = await run(export_app, "grootste_plannen")
    assert [r["plan_id"] for r in rows] == [p["plan_id"] for p in ranked[:25]]
    rows = await run(export_app, "grootste_plannen", aantal="7", provincie="Zeeland")
    assert [r["plan_id"] for r in rows] == [p["plan_id"] for p in ranked if p["provincie"] == "Zeeland"][:7]


@covers("plannen_per_doorbraaklocatie")
async def test_plannen_per_doorbraaklocatie(export_app, data):
    groups = defaultdict(list)
    for p in data["actief"]:
        if p["doorbraaklocatie"]:
            groups[p["doorbraaklocatie"]].append(p)
    rows = await run(export_app, "plannen_per_doorbraaklocatie")
    assert {r["doorbraaklocatie"] for r in rows} == set(groups) and groups
    for r in rows:
        plans = groups[r["doorbraaklocatie"]]
        assert (r["plannen"], r["netto_woningen"], r["bruto_woningen"]) == (
            len(plans),
            total(plans),
            total(plans, "woningen"),
        )
        assert r["netto_hard"] == hard_soft(plans)[0]
        assert r["betaalbaar"] == sum(p["betaalbaar"] or 0 for p in plans)
        assert r["eerste_start_bouw"] == min((p["start_bouw"] for p in plans if p["start_bouw"]), default=None)
        assert set(r["gemeenten"].split(",")) == {p["gemeente"] for p in plans}


@covers("datakwaliteit_per_bron")
async def test_datakwaliteit_per_bron(export_app, data):
    per = defaultdict(Counter)
    codes = defaultdict(Counter)
    for p in data["ingest_problemen"]:
        per[p["bron_id"]][p["ernst"]] += 1
        codes[p["bron_id"]][p["code"]] += 1
    rows = await run(export_app, "datakwaliteit_per_bron")
    assert [r["bron_id"] for r in rows] == sorted(b["id"] for b in data["bronnen"])
    bronnen = {b["id"]: b for b in data["bronnen"]}
    for r in rows:
        b = bronnen[r["bron_id"]]
        assert (r["bestand"], r["rijen_gelezen"], r["rijen_afgewezen"], r["rijen_niet_openbaar"]) == (
            b["bestand"],
            b["rijen_gelezen"],
            b["rijen_afgewezen"],
            b["rijen_niet_openbaar"],
        )
        assert (r["fouten"], r["waarschuwingen"], r["info"]) == (
            per[b["id"]]["fout"],
            per[b["id"]]["waarschuwing"],
            per[b["id"]]["info"],
        )
        if codes[b["id"]]:
            top = max(codes[b["id"]].values())
            assert r["meest_voorkomende_melding"] == min(c for c, n in codes[b["id"]].items() if n == top)
    assert sum(r["fouten"] for r in rows) > 0  # the sample has rejected rows


def haversine_km(lat1, lon1, lat2, lon2):
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


@covers("plannen_in_de_buurt")
@pytest.mark.parametrize("lat,lon,km", [(52.3731, 4.8922, 3), (51.9225, 4.4792, 12.5), (53.2194, 6.5665, 40)])
async def test_plannen_in_de_buurt(export_app, data, lat, lon, km):
    expected = {
        p["plan_id"]: haversine_km(lat, lon, p["latitude"], p["longitude"])
        for p in data["plannen"]
        if p["latitude"] is not None
    }
    expected = {k: d for k, d in expected.items() if d <= km}
    rows = await run(export_app, "plannen_in_de_buurt", lat=str(lat), lon=str(lon), km=str(km))
    assert {r["plan_id"] for r in rows} == set(expected) and expected
    for r in rows:
        assert r["afstand_km"] == pytest.approx(expected[r["plan_id"]], abs=2e-3)
    assert [r["afstand_km"] for r in rows] == sorted(r["afstand_km"] for r in rows)
    assert await run(export_app, "plannen_in_de_buurt") == []  # no point given: no answer, no error


@covers("wijzigingen_feed")
async def test_wijzigingen_feed_rows(export_app, data):
    wanted = [w for w in data["plan_wijzigingen"] if w["soort"] in ("nieuw", "ingetrokken", "start_bouw_later")]
    rows = await run(export_app, "wijzigingen_feed")
    assert len(rows) == len(wanted) == len({r["atom_id"] for r in rows})
    assert Counter(r["soort"] for r in rows) == Counter(w["soort"] for w in wanted)
    assert all(r["atom_updated"] == r["peildatum_nieuw"] + "T00:00:00Z" for r in rows)


async def test_targets_come_from_the_doelen_table(export_db, tmp_path):
    """Change the targets in a copy of the database: the answers follow, nothing is hard-coded."""
    copy = tmp_path / "woningbouwplannen.db"
    shutil.copy(export_db, copy)
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute("update doelen set waarde = 50000 where id = 'nieuwbouw_per_jaar'")
        conn.execute("update doelen set waarde = 0.5 where id = 'aandeel_betaalbaar'")
        conn.execute("update doelen set waarde = 0.2 where id = 'aandeel_sociaal'")
    conn.close()
    app = make_datasette(copy)
    year = (await run(app, "woningen_per_startjaar"))[0]
    assert year["doel"] == 50000 and year["verschil"] == year["netto_woningen"] - 50000
    national = (await run(app, "betaalbaar_per_gebied", niveau="nederland"))[0]
    assert (national["doel_betaalbaar"], national["doel_sociaal"]) == (0.5, 0.2)
    assert national["haalt_doel_betaalbaar"] == ("ja" if national["aandeel_betaalbaar"] >= 0.5 else "nee")


async def test_every_canned_query_answers_on_the_release_sample(sample_app, sample_db):
    """The release gives no start year or lapsed plans; every query still answers, and the municipality
    totals carry the release's own figure beside ours."""
    for name, q in QUERIES.items():
        params = {p: "" for p in q.get("params", [])}
        response = await sample_app.client.get(
            f"/woningbouwplannen/{name}.json?" + urlencode({"_shape": "array", **params})
        )
        assert response.status_code == 200, (name, response.text[:300])
    official = {
        r["gemeentecode"]: r["netto"]
        for r in table(sample_db, "lmvw_gemeenten")
        if r["peildatum"] == max(x["peildatum"] for x in table(sample_db, "lmvw_gemeenten"))
    }
    rows = await run(sample_app, "woningen_per_gemeente", provincie="")
    assert {r["gemeentecode"]: r["netto_lmvw"] for r in rows if r["netto_lmvw"] is not None} == official
    differ = {r["gemeentecode"] for r in rows if r["netto_lmvw"] is not None and r["netto_lmvw"] != r["netto_woningen"]}
    reported = {
        p["melding"].split()[0]
        for p in table(sample_db, "ingest_problemen")
        if p["code"] == "totaal_wijkt_af"
        and p["bestand"].startswith(max(x["peildatum"] for x in table(sample_db, "lmvw_gemeenten")))
    }
    assert differ == reported and differ
