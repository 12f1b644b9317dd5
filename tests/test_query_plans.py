"""The queries behind the busiest pages read indexes, not the whole table (issue 7).

Checked with SQLite's own EXPLAIN QUERY PLAN on the built sample database, so a dropped or
renamed index fails here instead of showing up only in `make bench`.
"""

from __future__ import annotations

import sqlite3

import pytest
import yaml

from ingest.schema import DEFAULT_FACETS

from helpers import ROOT


def plan(db, sql, params=()) -> str:
    conn = sqlite3.connect(db)
    try:
        return " | ".join(row[-1] for row in conn.execute("explain query plan " + sql, params))
    finally:
        conn.close()


def test_default_facets_match_the_metadata():
    meta = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    table = meta["databases"]["woningbouwplannen"]["tables"]["plannen"]
    assert tuple(table["facets"]) == DEFAULT_FACETS
    assert table["sort_desc"] == "woningen"


# plugins/stable_sort_paging.py orders every page by the sort column and the key; a later page adds
# Datasette's start condition (the last row's value and key)
LATER_PAGE = "(woningen < :p or woningen is null or (woningen = :p and plan_id > :k))"


@pytest.mark.parametrize("column", DEFAULT_FACETS)
def test_facets_of_the_table_page_read_only_an_index(sample_db, column):
    sql = (
        f"select {column} as value, count(*) as count from (select * from plannen) "
        f"where {column} is not null group by {column} order by count desc, value limit 31"
    )
    assert "COVERING INDEX" in plan(sample_db, sql)


@pytest.mark.parametrize("column", DEFAULT_FACETS)
def test_facets_and_count_of_a_filtered_page_read_only_an_index(sample_db, column):
    where = "provincie = 'Utrecht' and hardheid = 'hard'"
    facet = (
        f"select {column} as value, count(*) as count from (select * from plannen where {where}) "
        f"where {column} is not null group by {column} order by count desc, value limit 31"
    )
    assert "COVERING INDEX" in plan(sample_db, facet)
    assert "COVERING INDEX" in plan(sample_db, f"select count(*) from plannen where {where}")


async def test_first_and_later_pages_of_the_default_sort_read_the_sort_index_in_order(sample_app, sample_db):
    """The SQL the app runs (shown under the table) for page one and page two: the same ORDER BY,
    read from the (woningen desc, plan_id) index, no sorting, no filter on the first page."""
    first = (await sample_app.client.get("/woningbouwplannen/plannen.json?_size=5")).json()
    assert "order by woningen desc, plan_id limit" in first["query"]["sql"]
    assert "where" not in first["query"]["sql"]
    second = (await sample_app.client.get(first["next_url"].replace("http://localhost", ""))).json()
    assert "order by woningen desc, plan_id limit" in second["query"]["sql"]
    for sql, params in ((first["query"]["sql"], {}), (second["query"]["sql"], second["query"]["params"])):
        got = plan(sample_db, sql, params)
        assert "idx_plannen_woningen" in got and "TEMP B-TREE" not in got, got
    assert not {r[0] for r in first["rows"]} & {r[0] for r in second["rows"]}


async def test_html_table_page_uses_the_same_order_as_the_api(sample_app):
    html = (await sample_app.client.get("/woningbouwplannen/plannen?_sort=planstatus")).text
    assert "order+by+planstatus%2C+plan_id" in html or "order by planstatus, plan_id" in html


@pytest.mark.parametrize(
    "sql",
    [
        "select plan_id, naam from plannen where gemeentecode = 'GM0363' order by woningen desc, plan_id limit 100",
        "select planstatus, hardheid, count(*), sum(woningen) from plannen where gemeentecode = 'GM0363' group by 1, 2",
        "select * from cijfers_per_gebied where niveau = 'gemeente' and code = 'GM0363'",
    ],
)
def test_municipality_page_queries_use_an_index(sample_db, sql):
    got = plan(sample_db, sql)
    assert "SEARCH" in got and "SCAN plannen" not in got, got


def test_map_data_of_a_view_reads_a_range_of_the_point_index(sample_db):
    # the condition plugins/map_data.py adds for bbox=
    sql = (
        "select count(*) from plannen where latitude is not null and longitude is not null and "
        "longitude between 5.0 and 5.2 and latitude between 52.0 and 52.2"
    )
    assert "idx_plannen_latitude_longitude (latitude>? AND latitude<?)" in plan(sample_db, sql)


async def test_the_app_reads_the_database_memory_mapped(sample_app):
    # plugins/sqlite_tuning.py: on every connection Datasette opens to the published file
    db = sample_app.get_database("woningbouwplannen")
    assert (await db.execute("pragma mmap_size")).first()[0] == 1 << 30


async def test_home_page_asks_sqlite_a_handful_of_questions(sample_app, monkeypatch):
    # plugins/home_page.py: Datasette's index view lists every table of every database (about 60
    # thread hops per request) before rendering index.html, which shows none of that listing
    from datasette.database import Database

    await sample_app.client.get("/")
    calls = []
    original = Database.execute_fn

    async def counted(self, fn):
        calls.append(self.name)
        return await original(self, fn)

    monkeypatch.setattr(Database, "execute_fn", counted)
    assert (await sample_app.client.get("/")).status_code == 200
    assert 0 < len(calls) <= 12
    # the listing itself stays Datasette's, as data
    listing = (await sample_app.client.get("/.json")).json()
    assert "plannen" in {t["name"] for t in listing["woningbouwplannen"]["tables_and_views_truncated"]}


def test_municipality_page_changes_read_only_the_newest_export(sample_db):
    # the query of templates/pages/gemeente/{code}.html
    sql = (
        "select plan_id from plan_wijzigingen where gemeentecode = 'GM0363' and peildatum_nieuw = "
        "(select max(peildatum_nieuw) from plan_wijzigingen) and soort != 'segment_verschuiving' "
        "order by soort, naam limit 100"
    )
    assert "idx_plan_wijzigingen_gemeentecode (gemeentecode=? AND peildatum_nieuw=?)" in plan(sample_db, sql)


def test_municipality_page_lists_its_largest_plans_from_an_index(sample_db):
    # the list of templates/pages/gemeente/{code}.html
    sql = (
        "select plan_id, naam, woningen, planstatus, start_bouw from plannen where gemeentecode = :code "
        "order by woningen desc, plan_id limit 100"
    )
    got = plan(sample_db, sql, {"code": "GM0363"})
    assert "idx_plannen_gemeentecode (gemeentecode=?)" in got and "TEMP B-TREE FOR ORDER BY" not in got
