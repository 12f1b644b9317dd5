"""Harvestable metadata: the DCAT-AP catalogue (/catalog.jsonld) and schema.org JSON-LD in the page head."""
from __future__ import annotations

import json
import re

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

SDO = Namespace("https://schema.org/")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def index_of(sample_db) -> dict:
    return json.loads((sample_db.parent / "downloads" / "index.json").read_text(encoding="utf-8"))


async def test_catalog_is_dcat_jsonld_with_licence_and_a_distribution_per_download(sample_app, sample_db):
    r = await sample_app.client.get("/catalog.jsonld")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    graph = Graph().parse(data=r.text, format="json-ld")
    datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    dataset = datasets[0]
    assert (None, DCAT.dataset, dataset) in graph
    assert graph.value(dataset, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/deed.nl")
    languages = set(graph.objects(dataset, DCTERMS.language))
    assert {str(x).rsplit("/", 1)[1] for x in languages} == {"NLD", "ENG"}
    index = index_of(sample_db)
    expected = {f"http://localhost/downloads/{f['file']}": f for f in index["files"]}
    expected["http://localhost/woningbouwplannen.db"] = index["database"]
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert len(distributions) == len(expected)
    seen = set()
    for d in distributions:
        url = str(graph.value(d, DCAT.downloadURL))
        facts = expected[url]
        assert int(graph.value(d, DCAT.byteSize)) == facts["bytes"]
        assert str(graph.value(graph.value(d, SPDX.checksum), SPDX.checksumValue)) == facts["sha256"]
        assert str(graph.value(d, DCAT.mediaType)).endswith(facts["mediatype"])
        assert graph.value(d, DCAT.accessURL) is not None and graph.value(d, DCTERMS.license) is not None
        seen.add(url)
    assert seen == set(expected)
    temporal = graph.value(dataset, DCTERMS.temporal)
    assert str(graph.value(temporal, DCAT.startDate)) == "2025-04-01" and str(graph.value(temporal, DCAT.endDate)) == "2025-10-01"
    assert str(graph.value(dataset, DCTERMS.modified)) == "2025-10-01"


def page_jsonld(html: str) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert len(scripts) == 1
    return json.loads(scripts[0])


async def test_home_and_downloads_pages_carry_a_schema_org_dataset(sample_app, sample_db):
    files = len(index_of(sample_db)["files"]) + 1
    for path, lang in (("/", "nl"), ("/en/", "en"), ("/downloads", "nl"), ("/en/downloads", "en")):
        r = await sample_app.client.get(path)
        assert r.status_code == 200, path
        data = page_jsonld(r.text)
        # parsed as JSON-LD (schema.org context given inline: no network)
        graph = Graph().parse(data=json.dumps({**data, "@context": {"@vocab": "https://schema.org/"}}), format="json-ld")
        dataset = next(graph.subjects(RDF.type, SDO.Dataset))
        assert str(graph.value(dataset, SDO.license)) == "https://creativecommons.org/publicdomain/zero/1.0/"
        assert len(list(graph.objects(dataset, SDO.distribution))) == files
        assert data["name"] == ("Housing-construction plans in the Netherlands" if lang == "en" else "Woningbouwplannen in Nederland")
        assert data["temporalCoverage"] == "2025-04-01/2025-10-01"
