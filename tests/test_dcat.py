"""/catalog.jsonld against the shapes data.overheid.nl validates with (../shared/standards, read its README):
DCAT-AP 3.0.1 (shapes, ranges, controlled vocabularies) together with DCAT-AP-NL 3.0, checked by pyshacl.

Two releases are built one after the other, as the portal gets them, so the catalogue has a series with
two datasets. The EU vocabularies are not available offline: the few concepts the catalogue uses are
declared in tests/vocabularies/dcat-ap-concepts.ttl, as their lists define them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json

import pytest
import yaml
from pyshacl import validate
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SH

from ingest import dcat, site
from ingest.build import build

from helpers import GEMEENTEN, ROOT, SHARED, make_datasette, needs_shared

STANDARDS = SHARED / "standards"
pytestmark = needs_shared(STANDARDS)
MANDATORY = [
    "dcat-ap-3.0.1/shapes.ttl",
    "dcat-ap-3.0.1/range.ttl",
    "dcat-ap-3.0.1/mdr-vocabularies.shape.ttl",
    "dcat-ap-nl-3.0/dcat-ap-nl-SHACL.ttl",
    "dcat-ap-nl-3.0/dcat-ap-nl-SHACL-klassebereik.ttl",
    "dcat-ap-nl-3.0/dcat-ap-nl-SHACL-klassebereik-codelijsten.ttl",
]
RECOMMENDED = ["dcat-ap-3.0.1/shapes_recommended.ttl", "dcat-ap-nl-3.0/dcat-ap-nl-SHACL-aanbevolen.ttl"]
VOCABULARIES = ROOT / "tests" / "vocabularies" / "dcat-ap-concepts.ttl"
RELEASES = ROOT / "data" / "sample" / "woningbouwkaart"
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (rdflib's DCAT lacks DatasetSeries, inSeries, version)
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """The sample's first release built alone, then both (the newest published second), into one place."""
    directory = tmp_path_factory.mktemp("releases")
    db = directory / "woningbouwplannen.db"
    for folders in (["2025-04-01"], ["2025-04-01", "2025-10-01"]):
        manifest = directory / "sources.yml"
        manifest.write_text(
            yaml.safe_dump(
                {
                    "sources": [
                        {"kind": "gemeenten", "path": str(GEMEENTEN), "mapping": "gemeenten"},
                        *({"kind": "woningbouwkaart", "path": str(RELEASES / f), "sample": True} for f in folders),
                    ]
                }
            )
        )
        build(manifest, db, quiet=True)
    return db


@pytest.fixture(scope="module")
def catalogue(two_releases):
    app = make_datasette(two_releases)
    response = asyncio.run(app.client.get("/catalog.jsonld"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    return app, response.json()


def graph_of(document: dict) -> Graph:
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    return graph.parse(VOCABULARIES)


def shapes(files: list[str]) -> Graph:
    graph = Graph()
    for name in files:
        graph.parse(STANDARDS / name)
    return graph


def results(data: Graph, files: list[str]) -> tuple[Graph, list]:
    _, report, _ = validate(data, shacl_graph=shapes(files), inference="none", allow_warnings=True)
    return report, list(report.objects(None, SH.result))


def describe(report: Graph, found: list) -> list[str]:
    return sorted(
        {
            f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: {report.value(r, SH.resultMessage)}"
            for r in found
        }
    )[:20]


async def test_catalogue_conforms_to_dcat_ap_3_and_dcat_ap_nl(catalogue):
    _, document = catalogue
    report, found = results(graph_of(document), MANDATORY)
    violations = [r for r in found if report.value(r, SH.resultSeverity) == SH.Violation]
    assert not violations, describe(report, violations)
    # what stays is a warning of the vocabulary shapes: a Dutch publisher is not in the EU's corporate-body
    # list, and DCAT-AP-NL names TOOI for it (151-Waardelijsten.md)
    assert {report.value(r, SH.resultPath) for r in found} <= {DCTERMS.publisher}, describe(report, found)


async def test_recommended_shapes_report_only_what_cannot_be_supplied(catalogue):
    """Each warning left is one of those ingest/dcat.py lists, with its reason."""
    _, document = catalogue
    data = graph_of(document)
    report, found = results(data, RECOMMENDED)
    unexplained = []
    for r in found:
        focus, path = report.value(r, SH.focusNode), report.value(r, SH.resultPath)
        if path == DCAT.accessService and (focus, DCAT.downloadURL, None) in data:
            continue  # a downloaded file: no data service in between
        if path == DCAT.downloadURL and (focus, DCAT.accessService, None) in data:
            continue  # the API: an access URL, no file
        if path in (DCAT.bbox, DCAT.centroid) and focus == URIRef(dcat.COUNTRY):
            continue  # the EU's country concept: its geometry is the EU's to give
        unexplained.append(r)
    assert not unexplained, describe(report, unexplained)


async def test_releases_are_a_series_with_one_dataset_per_peildatum_at_stable_urls(catalogue, two_releases):
    app, document = catalogue
    data = graph_of(document)
    base = site.base_url(app.plugin_config(site.PLUGIN))
    (series,) = data.subjects(RDF.type, DCAT.DatasetSeries)
    datasets = set(data.subjects(RDF.type, DCAT.Dataset))
    assert datasets == set(data.subjects(DCAT.inSeries, series)) == set(data.objects(None, DCAT.dataset))
    assert sorted(str(data.value(d, DCAT.version)) for d in datasets) == ["2025-04-01", "2025-10-01"]
    for peil in ("2025-04-01", "2025-10-01"):
        (dataset,) = data.subjects(DCAT.version, Literal(peil))
        index = json.loads((two_releases.parent / "downloads-archive" / peil / "index.json").read_text())
        downloads = {
            str(data.value(d, DCAT.downloadURL)): d
            for d in data.objects(dataset, DCAT.distribution)
            if (d, DCAT.downloadURL, None) in data
        }
        files = {f"{base}/downloads/{peil}/{f['file']}": f for f in index["files"]}
        newest = peil == "2025-10-01"
        assert set(downloads) == set(files) | ({f"{base}/woningbouwplannen.db"} if newest else set())
        for url, f in files.items():
            d = downloads[url]
            assert int(data.value(d, DCAT.byteSize)) == f["bytes"]
            assert str(data.value(data.value(d, SPDX.checksum), SPDX.checksumValue)) == f["sha256"]
            assert data.value(d, DCATAP.availability) == URIRef(dcat.STABLE)
            assert (d, DCTERMS.description, None) in data and (d, DCTERMS.language, None) in data
        # the stable URL serves exactly the file the catalogue describes
        for url in [u for u in files if u.endswith((".csv", ".geojson"))][:3]:
            got = await app.client.get(url.removeprefix(base))
            assert got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == files[url]["sha256"], url
        # the newest release is also served by the JSON API
        served = [d for d in data.objects(dataset, DCAT.distribution) if (d, DCAT.accessService, None) in data]
        assert len(served) == (1 if newest else 0)
    db = next(data.subjects(DCAT.downloadURL, URIRef(f"{base}/woningbouwplannen.db")))
    assert data.value(db, DCTERMS.format) == URIRef(dcat.EU + "file-type/BIN")
    assert str(data.value(db, DCAT.mediaType)).endswith("application/vnd.sqlite3")


async def test_organisations_and_value_lists(catalogue, two_releases):
    app, document = catalogue
    data = graph_of(document)
    config = app.plugin_config(site.PLUGIN)
    publisher, creator = (URIRef(config[role]["uri"]) for role in ("publisher", "creator"))
    assert str(publisher).startswith("https://identifier.overheid.nl/tooi/id/")  # the TOOI register
    for dataset in data.subjects(RDF.type, DCAT.Dataset):
        assert data.value(dataset, DCTERMS.publisher) == publisher and data.value(dataset, DCTERMS.creator) == creator
        assert data.value(dataset, DCAT.theme) == URIRef(dcat.THEME)
        assert data.value(dataset, DCTERMS.accessRights) == URIRef(dcat.ACCESS)
        assert (dataset, DCTERMS.source, None) not in data  # the source is a web page, not a dcat:Dataset
    assert data.value(publisher, FOAF.name, any=True) is not None
    # another operator is configuration, not code: the catalogue names whoever metadata.yml names
    other = {
        "uri": "https://identifier.overheid.nl/tooi/id/gemeente/gm0363",
        "name": "Gemeente Amsterdam / City of Amsterdam",
        "type": "http://purl.org/adms/publishertype/LocalAuthority",
    }
    app = make_datasette(two_releases, {site.PLUGIN: {**config, "publisher": other}})
    data = graph_of((await app.client.get("/catalog.jsonld")).json())
    (catalog,) = data.subjects(RDF.type, DCAT.Catalog)
    assert data.value(catalog, DCTERMS.publisher) == URIRef(other["uri"])
    assert data.value(next(data.subjects(RDF.type, DCAT.Dataset)), DCTERMS.creator) == creator
