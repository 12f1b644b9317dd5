"""Harvestable metadata as clients read it: the DCAT catalogue (/catalog.jsonld; its conformance to DCAT-AP
and DCAT-AP-NL: tests/test_dcat.py) and the schema.org Dataset in the home and downloads pages, extracted
from the served HTML with extruct as a search engine does and held to Google's dataset guidelines."""

from __future__ import annotations

import json

import extruct
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF

from ingest import dcat, site

DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def index_of(sample_db) -> dict:
    return json.loads((sample_db.parent / "downloads" / "index.json").read_text(encoding="utf-8"))


def configured_base(app) -> str:
    return site.base_url(app.plugin_config(site.PLUGIN))


async def test_catalog_lists_the_served_release_with_a_distribution_per_download(sample_app, sample_db):
    r = await sample_app.client.get("/catalog.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    graph = Graph().parse(data=r.text, format="json-ld")
    index, base = index_of(sample_db), configured_base(sample_app)
    (dataset,) = graph.subjects(RDF.type, DCAT.Dataset)  # the sample is one published release
    assert (None, DCAT.dataset, dataset) in graph and (dataset, DCAT.inSeries, None) in graph
    assert str(graph.value(dataset, DCAT.version)) == index["peildatum"] == "2025-10-01"
    expected = {f"{base}/downloads/{index['peildatum']}/{f['file']}": f for f in index["files"]}
    expected[f"{base}/woningbouwplannen.db"] = index["database"]
    seen = set()
    for d in graph.objects(dataset, DCAT.distribution):
        url = graph.value(d, DCAT.downloadURL)
        if url is None:  # the JSON API
            assert graph.value(d, DCAT.accessService) == URIRef(f"{base}/#api")
            continue
        facts = expected[str(url)]
        assert int(graph.value(d, DCAT.byteSize)) == facts["bytes"]
        assert str(graph.value(graph.value(d, SPDX.checksum), SPDX.checksumValue)) == facts["sha256"]
        assert str(graph.value(d, DCAT.mediaType)).endswith(facts["mediatype"])
        assert graph.value(d, DCTERMS.license) == URIRef(dcat.LICENSE) and graph.value(d, DCTERMS.format) is not None
        seen.add(str(url))
    assert seen == set(expected)
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert (
        str(graph.value(temporal, DCAT.startDate)) == "2025-04-01"
        and str(graph.value(temporal, DCAT.endDate)) == "2025-10-01"
    )
    assert str(graph.value(dataset, DCTERMS.modified)) == "2025-10-01"


def page_dataset(html: str) -> dict:
    found = extruct.extract(html, syntaxes=["json-ld"])["json-ld"]
    datasets = [d for d in found if d.get("@type") == "Dataset"]
    assert len(datasets) == 1, found
    return datasets[0]


async def test_home_and_downloads_pages_carry_a_dataset_as_google_asks(sample_app, sample_db):
    """developers.google.com/search/docs/appearance/structured-data/dataset: required name and description
    (50 to 5,000 characters); the recommended properties this data has, each in a form Google accepts."""
    index, base = index_of(sample_db), configured_base(sample_app)
    config = sample_app.plugin_config(site.PLUGIN)
    files = len(index["files"]) + 1
    for path, lang in (("/", "nl"), ("/en/", "en"), ("/downloads", "nl"), ("/en/downloads", "en")):
        r = await sample_app.client.get(path)
        assert r.status_code == 200, path
        data = page_dataset(r.text)
        assert data["name"] == (
            "Housing-construction plans in the Netherlands" if lang == "en" else "Woningbouwplannen in Nederland"
        )
        assert 50 <= len(data["description"]) <= 5000 and data["description"] != data["name"]
        assert data["identifier"] == data["@id"] == dcat.series_iri(base)  # the catalogue's series
        assert data["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
        assert data["isAccessibleForFree"] is True
        for role in ("creator", "publisher"):
            assert data[role]["@type"] == "Organization" and data[role]["url"] == config[role]["uri"]
            assert data[role]["name"] == site.organisation(config, role)["name"].split(" / ")[lang == "en"]
        assert data["temporalCoverage"] == "2025-04-01/2025-10-01"
        assert data["spatialCoverage"]["@type"] == "Place" and data["spatialCoverage"]["name"]
        assert len(data["distribution"]) == files
        for d in data["distribution"]:
            assert (
                d["@type"] == "DataDownload" and "/" in d["encodingFormat"] and d["contentUrl"].startswith(f"{base}/")
            )
        got = await sample_app.client.get(data["distribution"][0]["contentUrl"].removeprefix(base))
        assert got.status_code == 200
