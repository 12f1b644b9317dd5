"""The DCAT-AP-NL 3.0 catalogue (/catalog.jsonld) of the portal's releases, as data.overheid.nl harvests it.

One dcat:DatasetSeries, the plans of the LMVW release after release; in it one dcat:Dataset per
archived peildatum (ingest/release_archive.py) whose distributions are that set's files at their stable
URLs /downloads/<peildatum>/<file>, plus the whole database (newest release only: /woningbouwplannen.db
always serves the newest) and the JSON API (a dcat:DataService described by /openapi.json).

Every value that DCAT-AP-NL ties to a value list (151-Waardelijsten.md) comes from it: EU vocabularies
for theme, access rights, language, file type, frequency, place and availability, IANA for media types,
the DCAT-AP-NL licence list, TOOI for the organisations (configuration, ingest/site.py). Each value is
typed here with the class DCAT-AP gives its property (dct:LicenseDocument, dct:LinguisticSystem, ...),
so the class ranges hold for a harvester that has the vocabularies and for one that has not.

Recommended properties left out on purpose (each a warning of the recommended shapes, checked by
tests/test_dcat.py, which lists the same):
- dcat:accessService on a file distribution: a file is downloaded as it is, no data service stands in
  between; the API distribution has one.
- dcat:downloadURL on the API distribution: an API has an access URL, there is no file to download.
- dcat:bbox and dcat:centroid of the EU country concept NLD (dct:spatial): the geometry of a concept of
  the EU's country list is the EU's to give, not ours (and only one box may exist for it).
- a publisher from the EU corporate-body list (mdr-vocabularies, a warning): that list is for EU
  institutions; a Dutch organisation takes its TOOI URI, as DCAT-AP-NL prescribes.
"""

from __future__ import annotations

from .release_archive import same_data

EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
# DCAT-AP-NL's licence list (definities.geostandaarden.nl/dcat-ap-nl/id/waardelijst/licenties): CC0 1.0
LICENSE = "https://definities.geostandaarden.nl/dcat-ap-nl/id/waardelijst/licenties/cc0"
LICENSE_CC = "https://creativecommons.org/publicdomain/zero/1.0/"
LICENSE_TYPE = "http://purl.org/adms/licencetype/PublicDomain"
THEME = f"{EU}data-theme/REGI"  # regions and cities: housing and spatial planning
ACCESS = f"{EU}access-right/PUBLIC"
DUTCH, ENGLISH = f"{EU}language/NLD", f"{EU}language/ENG"
COUNTRY = f"{EU}country/NLD"
FREQUENCY = f"{EU}frequency/ANNUAL_2"  # the LMVW release appears twice a year (spring and autumn)
STABLE, AVAILABLE = f"{EU}planned-availability/STABLE", f"{EU}planned-availability/AVAILABLE"
# The EU file-type list has no SQLite entry: BIN (binary data), the media type says which.
FILE_TYPES = {"csv": "CSV", "csv-excel": "CSV", "json": "JSON", "geojson": "GEOJSON", "xlsx": "XLSX", "sqlite": "BIN"}
FORMATS = {  # (nl, en) of each format, for titles and descriptions
    "csv": ("CSV (UTF-8, komma als scheidingsteken)", "CSV (UTF-8, comma-separated)"),
    "csv-excel": (
        "CSV voor Nederlandse Excel (puntkomma, UTF-8 met BOM, decimale komma)",
        "CSV for Dutch Excel (semicolon, UTF-8 with BOM, decimal comma)",
    ),
    "json": ("JSON (een lijst van objecten, één per rij)", "JSON (an array of objects, one per row)"),
    "geojson": ("GeoJSON (RFC 7946, WGS84)", "GeoJSON (RFC 7946, WGS84)"),
    "xlsx": ("Excel-werkmap (XLSX)", "Excel workbook (XLSX)"),
    "sqlite": ("SQLite-database", "SQLite database"),
}
# The schema a file follows (DCAT-AP "linked schemas"): the Table Schemas of the set's data package,
# else the format's own specification.
SPECS = {
    "geojson": ("https://www.rfc-editor.org/rfc/rfc7946", "RFC 7946: The GeoJSON Format"),
    "sqlite": ("https://www.sqlite.org/fileformat2.html", "SQLite Database File Format"),
}
DATA_PACKAGE = ("https://specs.frictionlessdata.io/data-package/", "Frictionless Data Package")
OPENAPI = ("https://spec.openapis.org/oas/v3.0.3", "OpenAPI Specification 3.0.3")
# DCAT-AP 3.0.1's vocabulary shape asks for an https://spdx.org/rdf/terms IRI (mdr-vocabularies.shape.ttl)
SHA256 = "https://spdx.org/rdf/terms#checksumAlgorithm_sha256"
KEYWORDS = {
    "nl": ("woningbouw", "woningbouwplannen", "volkshuisvesting", "plancapaciteit", "LMVW"),
    "en": ("housing", "housing construction", "planning capacity"),
}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "spdx": "http://spdx.org/rdf/terms#",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def series_iri(base: str) -> str:
    return f"{base}/catalog.jsonld#reeks"


def dataset_iri(base: str, peildatum: str) -> str:
    return f"{base}/catalog.jsonld#peildatum-{peildatum}"


def lit(value, datatype: str | None = None, lang: str | None = None) -> dict:
    out = {"@value": value}
    if datatype:
        out["@type"] = datatype
    if lang:
        out["@language"] = lang
    return out


def both(text: str | None) -> tuple[str, str]:
    """'Nederlands / English' (metadata.yml's convention) -> (nl, en)."""
    nl, _, en = (text or "").partition(" / ")
    return nl.strip(), (en or nl).strip()


def texts(nl: str, en: str) -> list[dict]:
    return [lit(nl, lang="nl"), lit(en, lang="en")]


def ref(iri: str, kind: str | None = None) -> dict:
    """A value by its IRI, typed with the class its property's range asks for."""
    return {"@id": iri, "@type": kind} if kind else {"@id": iri}


def standard(spec: tuple[str, str]) -> dict:
    return {"@id": spec[0], "@type": "dct:Standard", "dct:title": spec[1]}


def agent(org: dict) -> dict:
    """A configured organisation (ingest/site.py) as a foaf:Agent named in both languages."""
    nl, en = both(org["name"])
    out = {
        "@id": org["uri"],
        "@type": ["foaf:Agent", "foaf:Organization"],
        "foaf:name": texts(nl, en) if en != nl else lit(nl, lang="nl"),
    }
    if org.get("type"):
        out["dct:type"] = ref(org["type"])
    return out


class Catalogue:
    """Builds the catalogue for one base URL; the common values are made once."""

    def __init__(
        self, base: str, metadata: dict, publisher: dict | None, creator: dict | None, first_peildatum: str | None
    ):
        self.base = base
        self.title = both(metadata.get("title"))
        self.description = both(metadata.get("description_text"))
        self.source = metadata.get("source")
        self.source_url = metadata.get("source_url")
        self.first = first_peildatum
        self.contact = {"@id": f"{base}/#contact"}
        self.common = {
            "dct:accessRights": ref(ACCESS, "dct:RightsStatement"),
            "dcat:contactPoint": self.contact,
            "dcat:theme": ref(THEME),
            "dct:spatial": ref(COUNTRY, "dct:Location"),
            "dcat:keyword": [lit(k, lang=lang) for lang, words in KEYWORDS.items() for k in words],
            "dct:language": ref(DUTCH, "dct:LinguisticSystem"),
        }
        for role, org in (("dct:publisher", publisher), ("dct:creator", creator)):
            if org:
                self.common[role] = {"@id": org["uri"]}
        self.agents = [agent(o) for o in {o["uri"]: o for o in (publisher, creator) if o}.values()]

    def page(self, path: str) -> dict:
        return ref(f"{self.base}{path}", "foaf:Document")

    def license(self) -> dict:
        return {"@id": LICENSE}

    def distribution(self, dataset_id: str, peil: str, d: dict, url: str, schema: str | None, stable: bool) -> dict:
        """One file: a table in one format (d: an index.json entry), or the database (table None)."""
        fmt_nl, fmt_en = FORMATS[d["format"]]
        table = d.get("table")
        if table:
            what_nl, what_en = f"De tabel {table} ({d['rows']} rijen)", f"The table {table} ({d['rows']} rows)"
        else:
            what_nl, what_en = "Alle tabellen samen", "Every table together"
        # a table's file follows its Table Schema in the set's data package; GeoJSON and SQLite their own spec
        spec = SPECS.get(d["format"]) or (
            (schema, f"Table Schemas (Frictionless Data Package) van {peil}") if schema else DATA_PACKAGE
        )
        return {
            "@id": f"{dataset_id}/{d['file']}",
            "@type": "dcat:Distribution",
            "dct:title": texts(f"{d['file']} ({fmt_nl.split(' (')[0]})", f"{d['file']} ({fmt_en.split(' (')[0]})"),
            "dct:description": texts(
                f"{what_nl} als {fmt_nl}, peildatum {peil}.", f"{what_en} as {fmt_en}, reference date {peil}."
            ),
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": ref(IANA + d["mediatype"], "dct:MediaType"),
            "dct:format": ref(EU + "file-type/" + FILE_TYPES[d["format"]], "dct:MediaTypeOrExtent"),
            "dcat:byteSize": lit(str(d["bytes"]), "xsd:nonNegativeInteger"),
            "spdx:checksum": {
                "@type": "spdx:Checksum",
                "spdx:algorithm": ref(SHA256, "spdx:ChecksumAlgorithm"),
                "spdx:checksumValue": lit(d["sha256"], "xsd:hexBinary"),
            },
            "dct:license": self.license(),
            "dct:language": ref(DUTCH, "dct:LinguisticSystem"),
            "dct:conformsTo": standard(spec),
            "dcatap:availability": ref(STABLE if stable else AVAILABLE),
            "dct:modified": lit(peil, "xsd:date"),
        }

    def dataset(self, entry: dict, series_id: str, database: dict | None, api: dict | None) -> tuple[dict, list]:
        """One peildatum's download set; returns the dataset and its distributions."""
        peil, path = entry["peildatum"], entry["path"]
        dataset_id = dataset_iri(self.base, peil)
        stable = path != "/downloads/"
        schema = f"{self.base}{path}datapackage.json"
        dists = [
            self.distribution(dataset_id, peil, f, f"{self.base}{path}{f['file']}", schema, stable)
            for f in entry.get("files", [])
        ]
        if database:
            dists.append(
                self.distribution(
                    dataset_id, peil, {**database, "table": None}, f"{self.base}/{database['file']}", None, False
                )
            )
        if api:
            dists.append(api)
        (title_nl, title_en), (desc_nl, desc_en) = self.title, self.description
        dataset = {
            "@id": dataset_id,
            "@type": "dcat:Dataset",
            "dct:identifier": dataset_id,
            "dct:title": texts(f"{title_nl}, peildatum {peil}", f"{title_en}, reference date {peil}"),
            "dct:description": texts(
                f"{desc_nl} Deze uitgave: de stand op peildatum {peil}.",
                f"{desc_en} This release: the state on reference date {peil}.",
            ),
            "dcat:version": peil,
            "dct:modified": lit(peil, "xsd:date"),
            "dcat:inSeries": {"@id": series_id},
            **self.common,
            "dct:temporal": self.period(peil),
            "dcat:landingPage": self.page("/downloads"),
            "foaf:page": [self.page("/voor-ontwikkelaars"), self.page("/over")],
            "dct:conformsTo": standard(DATA_PACKAGE),
            "dcat:distribution": [{"@id": d["@id"]} for d in dists],
        }
        if self.source:
            statement = self.source + (f" ({self.source_url})" if self.source_url else "")
            dataset["dct:provenance"] = {"@type": "dct:ProvenanceStatement", "rdfs:label": lit(statement, lang="nl")}
        return dataset, dists

    def period(self, end: str) -> dict:
        start = min(self.first or end, end)
        return {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": lit(start, "xsd:date"),
            "dcat:endDate": lit(end, "xsd:date"),
        }

    def service(self, newest_id: str) -> dict:
        """The JSON API (Datasette) that serves the newest release."""
        return {
            "@id": f"{self.base}/#api",
            "@type": "dcat:DataService",
            "dct:identifier": f"{self.base}/#api",
            "dct:title": texts("JSON-API van Woningbouwplannen", "Woningbouwplannen JSON API"),
            "dct:description": texts(
                "Elke tabel en elke vaste vraag als JSON, CSV of GeoJSON, met filters, sorteren, zoeken en eigen SQL; "
                "CORS staat open. De OpenAPI-beschrijving noemt elk endpoint.",
                "Every table and every ready-made query as JSON, CSV or GeoJSON, with filters, sorting, search and "
                "your own SQL; CORS is open. The OpenAPI description lists every endpoint.",
            ),
            "dcat:endpointURL": {"@id": f"{self.base}/"},
            "dcat:endpointDescription": {"@id": f"{self.base}/openapi.json"},
            "dct:conformsTo": standard(OPENAPI),
            "dcat:servesDataset": {"@id": newest_id},
            "dct:license": self.license(),
            "dcat:landingPage": self.page("/voor-ontwikkelaars"),
            **self.common,
        }

    def api_distribution(self, dataset_id: str, peil: str) -> dict:
        return {
            "@id": f"{dataset_id}/api",
            "@type": "dcat:Distribution",
            "dct:title": texts("JSON-API", "JSON API"),
            "dct:description": texts(
                f"De tabellen van peildatum {peil} (en de geschiedenis ervoor) via de JSON-API.",
                f"The tables of reference date {peil} (and the history before it) through the JSON API.",
            ),
            "dcat:accessURL": {"@id": f"{self.base}/"},
            "dcat:accessService": {"@id": f"{self.base}/#api"},
            "dcat:mediaType": ref(IANA + "application/json", "dct:MediaType"),
            "dct:format": ref(EU + "file-type/JSON", "dct:MediaTypeOrExtent"),
            "dct:license": self.license(),
            "dct:language": ref(DUTCH, "dct:LinguisticSystem"),
            "dct:conformsTo": {
                "@id": f"{self.base}/openapi.json",
                "@type": "dct:Standard",
                "dct:title": "OpenAPI-beschrijving / OpenAPI description",
            },
            "dcatap:availability": ref(AVAILABLE),
        }

    def build(self, sets: list[dict], served: dict | None) -> dict:
        """sets: the archived download sets, newest first (release_archive.archived_sets); served: the
        index of the set the running database was built with, whose database file is downloadable."""
        base = self.base
        series_id = series_iri(base)
        newest = sets[0]["peildatum"] if sets else None
        nodes, datasets = [], []
        for entry in sets:
            # /woningbouwplannen.db is the database being served: a distribution of the release it was
            # built as, unless that peildatum was pinned earlier with other data
            current = served is not None and entry["peildatum"] == served.get("peildatum") and same_data(entry, served)
            dataset_id = dataset_iri(base, entry["peildatum"])
            dataset, dists = self.dataset(
                entry,
                series_id,
                database=served.get("database") if current and served is not None and served.get("database") else None,
                api=self.api_distribution(dataset_id, entry["peildatum"]) if entry["peildatum"] == newest else None,
            )
            datasets.append(dataset)
            nodes += dists
        (title_nl, title_en), (desc_nl, desc_en) = self.title, self.description
        series = {
            "@id": series_id,
            "@type": "dcat:DatasetSeries",
            "dct:title": texts(f"{title_nl}: alle uitgaven", f"{title_en}: every release"),
            "dct:description": texts(
                f"{desc_nl} Elke uitgave (peildatum) blijft met haar eigen bestanden beschikbaar.",
                f"{desc_en} Every release (reference date) stays available with its own files.",
            ),
            "dct:accrualPeriodicity": ref(FREQUENCY, "dct:Frequency"),
            "dct:spatial": self.common["dct:spatial"],
            "dcat:contactPoint": self.contact,
        }
        if "dct:publisher" in self.common:
            series["dct:publisher"] = self.common["dct:publisher"]
        if newest:
            series["dct:temporal"] = self.period(newest)
            series["dct:modified"] = lit(newest, "xsd:date")
        catalogue = {
            "@id": f"{base}/catalog.jsonld",
            "@type": "dcat:Catalog",
            "dct:title": texts(f"Catalogus {title_nl}", f"Catalogue {title_en}"),
            "dct:description": texts(desc_nl, desc_en),
            "dct:license": self.license(),
            "dct:language": [ref(DUTCH, "dct:LinguisticSystem"), ref(ENGLISH, "dct:LinguisticSystem")],
            "dct:spatial": self.common["dct:spatial"],
            "dcat:themeTaxonomy": {"@id": f"{EU}data-theme"},
            "foaf:homepage": self.page("/"),
            "dcat:contactPoint": self.contact,
            "dcat:dataset": [{"@id": d["@id"]} for d in datasets],
        }
        if self.first:
            catalogue["dct:issued"] = lit(min(self.first, newest or self.first), "xsd:date")
        if newest:
            catalogue["dct:modified"] = lit(newest, "xsd:date")
            catalogue["dcat:service"] = {"@id": f"{base}/#api"}
            nodes.append(self.service(datasets[0]["@id"]))
        # the catalogue is made by whoever publishes it (DCAT-AP: at most one creator)
        if "dct:publisher" in self.common:
            catalogue["dct:publisher"] = catalogue["dct:creator"] = self.common["dct:publisher"]
        licence = {
            "@id": LICENSE,
            "@type": "dct:LicenseDocument",
            "dct:type": ref(LICENSE_TYPE),
            "dct:title": "Creative Commons Zero 1.0 (CC0)",
            "skos:exactMatch": {"@id": LICENSE_CC},
        }
        contact = {
            **self.contact,
            "@type": "vcard:Kind",
            "vcard:fn": f"{title_nl} / {title_en}",
            "vcard:hasURL": {"@id": f"{base}/over"},
        }
        return {"@context": CONTEXT, "@graph": [catalogue, series, *datasets, *nodes, *self.agents, licence, contact]}


def catalogue(
    sets: list[dict],
    served: dict | None,
    metadata: dict,
    base: str,
    publisher: dict | None,
    creator: dict | None,
    first_peildatum: str | None,
) -> dict:
    """The catalogue as JSON-LD; metadata: the portal's (title, description_text, source, source_url)."""
    return Catalogue(base, metadata, publisher, creator, first_peildatum).build(sets, served)
