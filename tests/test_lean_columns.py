"""The plannen table page shows its default columns (metadata.yml default_columns, plugins/lean_columns.py);
every column is one click away and every download still has them all."""

from __future__ import annotations

import re

import yaml

from helpers import ROOT

META = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
DEFAULT = META["databases"]["woningbouwplannen"]["tables"]["plannen"]["default_columns"]


def header_columns(html: str) -> list[str]:
    return re.findall(r'<th [^>]*data-column="([^"]+)"', html)


async def test_table_page_shows_the_default_columns_and_links_to_all(sample_app):
    html = (await sample_app.client.get("/woningbouwplannen/plannen?provincie=Utrecht")).text
    assert header_columns(html) == ["plan_id", *DEFAULT]
    link = re.search(r'<a href="([^"]*_kolommen=alle[^"]*)">Alle (\d+) kolommen tonen</a>', html)
    assert link and "provincie=Utrecht" in link.group(1)
    everything = (await sample_app.client.get(link.group(1).replace("&amp;", "&"))).text
    assert len(header_columns(everything)) == int(link.group(2)) > len(DEFAULT) + 10
    assert 'class="kolommen-keuze"' not in everything


async def test_hiding_a_column_hides_it_from_the_default_set_and_a_choice_of_columns_wins(sample_app):
    html = (await sample_app.client.get("/woningbouwplannen/plannen?_nocol=naam")).text
    assert header_columns(html) == ["plan_id", *(c for c in DEFAULT if c != "naam")]
    html = (await sample_app.client.get("/woningbouwplannen/plannen?_col=omschrijving")).text
    assert header_columns(html) == ["plan_id", "omschrijving"]
    assert (await sample_app.client.get("/woningbouwplannen/plannen?_nocol=bestaat_niet")).status_code == 400


async def test_downloads_and_json_keep_every_column_and_english_says_so(sample_app, sample_db):
    import sqlite3

    columns = [r[1] for r in sqlite3.connect(sample_db).execute("pragma table_info(plannen)")]
    data = (await sample_app.client.get("/woningbouwplannen/plannen.json?_size=1")).json()
    assert data["columns"] == columns
    csv_head = (await sample_app.client.get("/woningbouwplannen/plannen.csv?_size=1")).text.splitlines()[0]
    assert csv_head.split(",") == columns
    html = (await sample_app.client.get("/en/woningbouwplannen/plannen")).text
    assert f"Show all {len(columns)} columns" in html and "always contain every column" in html
