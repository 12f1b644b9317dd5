"""/-/kaartdata.json (plugins/map_data.py): the same plans as the table views it stands in for,
full-text search as the table page does it, the gzip it keeps ready (one layer only), and counts
per grid cell instead of plans when more match than it sends one by one."""

from __future__ import annotations

import importlib.util
from urllib.parse import urlencode

import pytest
from datasette.utils import MultiParams

from helpers import ROOT, make_datasette, query

# plugins/ is a Datasette plugins directory, not a package: load the module under another name
_spec = importlib.util.spec_from_file_location("map_data_under_test", ROOT / "plugins" / "map_data.py")
map_data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(map_data)
table_map_query = map_data.table_map_query


def args(**kw) -> MultiParams:
    return MultiParams({k: v if isinstance(v, list) else [v] for k, v in kw.items()})


@pytest.mark.parametrize(
    "given, want",
    [
        ({}, ""),
        (
            {"provincie": "Utrecht", "_sort_desc": "woningen", "_facet": ["gemeente", "planstatus"], "_size": "50"},
            "provincie=Utrecht",
        ),
        ({"gemeente__exact": "Utrecht", "hardheid": "hard", "_next": "500"}, "gemeente=Utrecht&hardheid=hard"),
        (
            {"_search": "tiny houses", "woondealregio": "Utrecht (voorbeeldregio)"},
            "_search=tiny+houses&woondealregio=Utrecht+%28voorbeeldregio%29",
        ),
        ({"woningen__gt": "100"}, None),  # another operator: the cluster map pages the JSON API
        ({"naam": "Dorpshart"}, None),  # not an indexed column
        ({"provincie": ["Utrecht", "Flevoland"]}, None),  # Datasette ANDs repeated filters
        ({"provincie": ""}, None),  # Datasette filters on ""
        ({"_search": "x", "_searchmode": "raw"}, None),
        ({"_where": "woningen > 5"}, None),
    ],
)
def test_table_map_query_keeps_only_filters_kaartdata_understands(given, want):
    assert table_map_query(args(**given)) == want


def test_kaartdata_filters_are_the_indexed_columns():
    from ingest.schema import FACET_COLUMNS

    assert set(map_data.FILTERS) == set(FACET_COLUMNS)


def test_table_metadata_raw_search_is_left_to_the_cluster_map():
    assert table_map_query(args(_search="x"), searchmode="raw") is None
    assert table_map_query(args(_search="x", _searchmode="escaped"), searchmode="raw") == "_search=x"


def plan_ids_of_table(rows_json) -> set[str]:
    return {r["plan_id"] for r in rows_json["rows"]}


@pytest.mark.parametrize(
    "view",
    [
        {"provincie": "Utrecht"},
        {"gemeente": "Utrecht", "planstatus": "vastgesteld"},
        {"hardheid": "zacht", "planstatus": "idee/visie"},
        {"_search": "zorgwoningen"},
        {"_search": "Utrecht", "hardheid": "hard"},
    ],
)
async def test_kaartdata_selects_the_same_plans_as_the_table_view(sample_app, sample_db, view):
    mapped = table_map_query(args(**view))
    data = (await sample_app.client.get("/-/kaartdata.json?" + mapped)).json()
    ids = [r[0] for r in data["rows"]]
    table = (
        await sample_app.client.get(
            "/woningbouwplannen/plannen.json?"
            + urlencode({**view, "_size": "max", "_shape": "objects", "_col": "latitude"})
        )
    ).json()
    assert table.get("next_url") is None  # one page: the comparison sees the whole view
    want = {r["plan_id"] for r in table["rows"] if r["latitude"] is not None}
    assert len(ids) == len(set(ids)) and set(ids) == want and len(want) > 0


async def test_kaartdata_search_matches_like_the_table_page(sample_app, sample_db):
    word = "zorgwoningen"
    n = query(
        sample_db,
        "select count(*) as n from plannen where rowid in "
        "(select rowid from plannen_fts where plannen_fts match ?) and latitude is not null",
        (f'"{word}"',),
    )[0]["n"]
    data = (await sample_app.client.get("/-/kaartdata.json?_search=" + word)).json()
    assert len(data["rows"]) == n > 0
    # an unbalanced quote is closed, as Datasette's escape_fts does; a bare quote leaves nothing to search for,
    # so it is no search (plugins/request_bounds.py), as an empty search box is
    assert (await sample_app.client.get('/-/kaartdata.json?_search="zorgwoningen')).status_code == 200
    bare = await sample_app.client.get('/-/kaartdata.json?_search="')
    assert bare.status_code == 200 and bare.json() == (await sample_app.client.get("/-/kaartdata.json")).json()


async def test_kaartdata_gzip_is_one_layer_and_plain_without_gzip(sample_app):
    zipped = await sample_app.client.get("/-/kaartdata.json?provincie=Utrecht", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["vary"]
    plain = await sample_app.client.get("/-/kaartdata.json?provincie=Utrecht", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    # httpx undoes one gzip layer: a second one (datasette-gzip on top of ours) would not parse as JSON
    assert zipped.json() == plain.json() and len(plain.json()["rows"]) > 0
    assert zipped.num_bytes_downloaded < len(plain.content) / 3


@pytest.fixture(scope="module")
def few_points_app(sample_db):
    """The portal with a map-data limit far below the sample's plans (metadata.yml's is 50,000)."""
    return make_datasette(sample_db, {"woningbouwplannen-kaartdata": {"punten_max": 100}})


async def test_kaartdata_above_its_limit_counts_every_plan_in_grid_cells(few_points_app, sample_db):
    want = query(
        sample_db,
        "select count(*) as n, sum(coalesce(netto, 0)) as w from plannen "
        "where latitude is not null and longitude is not null",
    )[0]
    data = (await few_points_app.client.get("/-/kaartdata.json")).json()
    cells = [dict(zip(data["cellen"]["columns"], c)) for c in data["cellen"]["rows"]]
    assert data["rows"] == [] and data["plannen"] == want["n"] > 100
    # nothing lost: the cells hold every plan and every home, each cell its own spot
    assert sum(c["plannen"] for c in cells) == want["n"] and sum(c["netto"] for c in cells) == want["w"]
    assert 1 < len(cells) <= map_data.GRID**2
    assert len({(c["latitude"], c["longitude"]) for c in cells}) == len(cells)
    # filters still apply to the counts
    utrecht = (await few_points_app.client.get("/-/kaartdata.json?provincie=Utrecht")).json()
    n = query(sample_db, "select count(*) as n from plannen where provincie = 'Utrecht' and latitude is not null")[0][
        "n"
    ]
    assert sum(c[2] for c in utrecht["cellen"]["rows"]) == utrecht["plannen"] == n


async def test_kaartdata_bbox_gives_the_plans_in_view(few_points_app, sample_app, sample_db):
    # a box around one plan's point, small enough to hold fewer plans than the limit
    lat, lon = query(
        sample_db, "select latitude, longitude from plannen where latitude is not null order by plan_id limit 1"
    )[0].values()
    bbox = (lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)
    want = {
        r["plan_id"]
        for r in query(
            sample_db,
            "select plan_id from plannen where longitude between ? and ? and latitude between ? and ?",
            (bbox[0], bbox[2], bbox[1], bbox[3]),
        )
    }
    assert 0 < len(want) <= 100
    path = "/-/kaartdata.json?bbox=" + ",".join(f"{v:.6f}" for v in bbox)
    for app in (few_points_app, sample_app):
        data = (await app.client.get(path)).json()
        assert {r[0] for r in data["rows"]} == want and data["plannen"] == len(want) > 0
    # above the limit, a bbox answer counts only what lies inside it
    wide = (await few_points_app.client.get("/-/kaartdata.json?bbox=3,50,8,54")).json()
    assert sum(c[2] for c in wide["cellen"]["rows"]) == wide["plannen"]


# (corners in either order are a box: 6,52,5,53 is 5,52,6,53; tests/test_bad_parameters.py)
@pytest.mark.parametrize("bbox", ["5,52,6", "a,b,c,d", "1e1,52,5,53", "5,52,6,95"])
async def test_kaartdata_bad_bbox_is_a_400_that_names_it(sample_app, bbox):
    r = await sample_app.client.get("/-/kaartdata.json?bbox=" + bbox)
    assert r.status_code == 400 and "bbox" in r.json()["error"]
