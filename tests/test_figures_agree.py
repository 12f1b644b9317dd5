"""One definition per figure (issue 14): every page that shows a count or total for the Netherlands, a
province or a municipality shows the same number, counted over the same population (lopende plannen).
Crawled through the real app on the release sample and on the exports sample (which has lapsed and
delivered plans, so a page that forgot the population would disagree)."""

from __future__ import annotations

import re

import pytest

from helpers import query


def number(text: str) -> int:
    return int(re.sub(r"[^\d-]", "", text))


def visible(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def json(app, path):
    response = await app.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


async def table_count(app, query_string: str) -> int:
    return (await json(app, f"/woningbouwplannen/plannen.json?{query_string}&_size=0"))["filtered_table_rows_count"]


async def map_count(app, query_string: str) -> int:
    """Plans the map data selects, with and without a known location (the map page says both)."""
    data = await json(app, f"/-/kaartdata.json?{query_string}")
    return data["plannen"] + data["zonder_punt"]


@pytest.fixture(params=["sample", "export"])
def portal(request):
    return request.getfixturevalue(f"{request.param}_app"), request.getfixturevalue(f"{request.param}_db")


async def test_the_netherlands(portal):
    app, db = portal
    land = query(db, "select * from cijfers_per_gebied where niveau = 'land'")[0]
    truth = query(
        db, "select count(*) n, sum(netto) netto from plannen where planstatus not in ('vervallen', 'opgeleverd')"
    )[0]
    assert (land["plannen"], land["netto"]) == (truth["n"], truth["netto"])
    home = visible((await app.client.get("/")).text)
    shown = re.search(r"Lopende plannen ([\d.]+)", home)
    assert shown and number(shown.group(1)) == truth["n"]
    assert re.search(r"Woningen gepland, netto ([\d.-]+)", home).group(1) == f"{truth['netto']:,}".replace(",", ".")
    assert await table_count(app, "lopend=1") == truth["n"]
    assert await map_count(app, "lopend=1") == truth["n"]
    per_province = await json(app, "/woningbouwplannen/woningen_per_provincie.json?_shape=array&_size=max")
    no_province = query(db, "select count(*) n from plannen where lopend = 1 and provincie is null")[0]["n"]
    assert sum(r["plannen"] for r in per_province) + no_province == truth["n"]
    facet = await json(app, "/woningbouwplannen/plannen.json?lopend=1&_facet=provincie&_size=0")
    assert sum(f["count"] for f in facet["facet_results"]["provincie"]["results"]) + no_province == truth["n"]
    # what is left out is said, with its numbers
    lapsed = query(db, "select count(*) n from plannen where planstatus = 'vervallen'")[0]["n"]
    delivered = query(db, "select count(*) n from plannen where planstatus = 'opgeleverd'")[0]["n"]
    assert f"{lapsed} vervallen en {delivered} opgeleverde plannen tellen niet mee" in home


async def test_a_province(portal):
    app, db = portal
    row = query(db, "select * from cijfers_per_gebied where niveau = 'provincie' and code = 'Utrecht'")[0]
    n = row["plannen"]
    assert n == query(db, "select count(*) n from plannen where provincie = 'Utrecht' and lopend = 1")[0]["n"]
    assert await table_count(app, "provincie=Utrecht&lopend=1") == n
    assert await map_count(app, "provincie=Utrecht&lopend=1") == n
    canned = await json(app, "/woningbouwplannen/woningen_per_provincie.json?_shape=array")
    assert next(r for r in canned if r["provincie"] == "Utrecht")["plannen"] == n
    facet = await json(app, "/woningbouwplannen/plannen.json?lopend=1&_facet=provincie&_size=0")
    assert next(f for f in facet["facet_results"]["provincie"]["results"] if f["value"] == "Utrecht")["count"] == n


@pytest.mark.parametrize("code", ["GM0363", "GM1963", "GM0344"])
async def test_a_municipality(portal, code):
    app, db = portal
    row = query(db, "select * from cijfers_per_gebied where niveau = 'gemeente' and code = ?", (code,))[0]
    n, netto = row["plannen"], row["netto"]
    page = visible((await app.client.get(f"/gemeente/{code}")).text)
    assert re.search(r"([\d.]+) lopende plannen met samen netto ([\d.-]+) woningen", page).groups() == (
        f"{n:,}".replace(",", "."),
        f"{netto:,}".replace(",", "."),
    )
    assert await table_count(app, f"gemeentecode={code}&lopend=1") == n
    assert await map_count(app, f"gemeentecode={code}&lopend=1") == n
    listing = visible((await app.client.get("/gemeenten")).text)
    assert re.search(rf"{re.escape(row['naam'])} ([\d.]+) ([\d.-]+) ", listing).groups() == (
        f"{n:,}".replace(",", "."),
        f"{netto:,}".replace(",", "."),
    )
    canned = await json(app, f"/woningbouwplannen/woningen_per_gemeente.json?_shape=array&provincie={row['provincie']}")
    mine = next(r for r in canned if r["gemeentecode"] == code)
    assert (mine["plannen"], mine["netto_woningen"]) == (n, netto)
    search = visible((await app.client.get(f"/zoeken?q={code}")).text)
    count = f"{n:,}".replace(",", ".")
    assert f"{row['naam']} ({row['provincie']}, {code}) — {count} lopende plannen" in search


async def test_shares_name_their_denominator(portal):
    app, db = portal
    land = query(db, "select woningen, woningen_segment_bekend from cijfers_per_gebied where niveau = 'land'")[0]
    home = visible((await app.client.get("/")).text)
    known, total = f"{land['woningen_segment_bekend']:,}".replace(",", "."), f"{land['woningen']:,}".replace(",", ".")
    assert f"prijsklasse bekend is ({known} van {total})" in home
