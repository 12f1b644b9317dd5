"""The Frictionless Data Package: `frictionless validate` on the descriptor and every file it lists."""

from __future__ import annotations

import json
import sqlite3

from frictionless import Package, validate

from ingest import site


def test_frictionless_validates_the_package_and_every_csv(sample_db):
    path = sample_db.parent / "downloads" / "datapackage.json"
    report = validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]
    assert len(report.tasks) >= 13 and all(task.stats["rows"] is not None for task in report.tasks)


def test_package_describes_every_table_with_types_descriptions_and_keys(sample_db):
    package = json.loads((sample_db.parent / "downloads" / "datapackage.json").read_text(encoding="utf-8"))
    conn = sqlite3.connect(sample_db)
    tables = {
        n
        for (n,) in conn.execute("select name from sqlite_master where type = 'table'")
        if not n.startswith(("sqlite_", "plannen_fts"))
    }
    resources = {r["name"]: r for r in package["resources"]}
    assert set(resources) == tables
    assert package["licenses"][0]["name"] == "CC0-1.0" and package["sources"]
    plannen = resources["plannen"]
    fields = {f["name"]: f for f in plannen["schema"]["fields"]}
    assert fields["woningen"]["type"] == "integer" and fields["latitude"]["type"] == "number"
    assert fields["naam"]["type"] == "string" and "popup" not in fields
    assert fields["woningen"]["description_nl"].startswith("Bruto plancapaciteit")
    assert fields["woningen"]["description_en"].startswith("gross planning capacity")
    assert plannen["schema"]["primaryKey"] == ["plan_id"]
    assert resources["plan_historie"]["schema"]["primaryKey"] == ["plan_id", "peildatum"]
    fks = {(fk["fields"], fk["reference"]["resource"]) for fk in plannen["schema"]["foreignKeys"]}
    assert {("gemeentecode", "gemeenten"), ("doorbraaklocatie", "doorbraaklocaties")} <= fks
    # withdrawn plans stay in the history but not in plannen: that key does not hold, so it is not declared
    assert conn.execute(
        "select count(*) from plan_historie where plan_id not in (select plan_id from plannen)"
    ).fetchone()[0]
    assert "plan_id" not in {fk["fields"] for fk in resources["plan_historie"]["schema"].get("foreignKeys", [])}
    assert Package(str(sample_db.parent / "downloads" / "datapackage.json")).get_resource(
        "plannen"
    ).schema.primary_key == ["plan_id"]


async def test_served_package_points_into_downloads(sample_app, sample_db):
    r = await sample_app.client.get("/datapackage.json")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    served = r.json()
    on_disk = json.loads((sample_db.parent / "downloads" / "datapackage.json").read_text(encoding="utf-8"))
    assert [x["name"] for x in served["resources"]] == [x["name"] for x in on_disk["resources"]]
    base = site.base_url(sample_app.plugin_config(site.PLUGIN))  # the configured address (tests/test_base_url.py)
    for resource, local in zip(served["resources"], on_disk["resources"]):
        assert resource["path"] == f"{base}/downloads/{local['path']}"
        got = await sample_app.client.get(resource["path"].removeprefix(base))
        assert got.status_code == 200 and len(got.content) == local["bytes"]
