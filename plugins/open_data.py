"""Open-data endpoints for catalogues and developers: /datapackage.json, /catalog.jsonld and page metadata.

The build writes the downloads, their manifest (downloads/index.json) and the Frictionless
descriptor (downloads/datapackage.json; ingest/downloads.py), and pins every release's set under
/downloads/<peildatum>/ (ingest/release_archive.py). This plugin only reads those files: it makes the
descriptor's paths absolute, describes the releases as a DCAT-AP-NL catalogue (ingest/dcat.py; what
data.overheid.nl and data.europa.eu harvest) and gives the home and downloads pages a schema.org
`Dataset` in JSON-LD as Google's dataset guidelines ask. Every absolute URL comes from the configured
base_url, the organisations from the configuration (ingest/site.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import Response

from ingest import dcat, release_archive, site
from ingest.downloads import DOWNLOADS_DIR, belongs_to, published_dir
from ingest.schema import DATABASE as DB
from portal import datasette_seam

LICENSE_SCHEMA = "https://creativecommons.org/publicdomain/zero/1.0/"
FORMAT_NAMES = {
    "csv": "CSV",
    "csv-excel": "CSV (Excel NL: ; en BOM)",
    "json": "JSON",
    "geojson": "GeoJSON",
    "xlsx": "XLSX (Excel)",
    "sqlite": "SQLite",
}
# Limits a developer needs, shown on the pages from the running settings (settings.json).
LIMIT_SETTINGS = ("sql_time_limit_ms", "max_returned_rows", "max_csv_mb", "facet_time_limit_ms", "default_cache_ttl")


def downloads_dir(datasette) -> Path | None:
    """Where the /downloads/ mount points (make serve, the tests), else next to the database file."""
    mounted = datasette_seam.static_mount(datasette, DOWNLOADS_DIR)
    if mounted is not None:
        return mounted
    db = datasette.databases.get(DB)
    return published_dir(Path(db.path)) if db is not None and db.path else None


def read_json(directory: Path | None, name: str) -> dict | None:
    """The build's file, re-read only when a new build replaced it (cached on path and mtime)."""
    if directory is None:
        return None
    path = directory / name
    try:
        key = (str(path.resolve()), path.stat().st_mtime_ns)
    except OSError:
        return None
    cached = _CACHE.get(name)
    if cached and cached[0] == key:
        return cached[1]
    data = json.loads(path.read_text(encoding="utf-8"))
    _CACHE[name] = (key, data)
    return data


_CACHE: dict[str, tuple] = {}


def current_index(datasette) -> dict | None:
    """downloads/index.json when it belongs to the database being served (ingest/downloads.py), else None."""
    index = read_json(downloads_dir(datasette), "index.json")
    db = datasette.databases.get(DB)
    return index if index is not None and db is not None and belongs_to(index, db.hash) else None


def first_sentence(text: str) -> str:
    """The question a canned query answers: its description's first sentence."""
    sentence = re.split(r"(?<=[.?!])\s", text.strip(), maxsplit=1)[0]
    return sentence if sentence.endswith((".", "?", "!")) else sentence + "."


def canned(name: str, q: dict) -> dict:
    """A canned query for the pages: title and one-line question in both languages, its parameters."""
    title_nl, title_en = both(q.get("title") or name)
    desc_nl, desc_en = both(" ".join((q.get("description") or "").split()))
    return {
        "name": name,
        "title": q.get("title") or name,
        "params": list(q.get("params") or []),
        "nl": {"title": title_nl, "question": first_sentence(desc_nl) if desc_nl else ""},
        "en": {"title": title_en, "question": first_sentence(desc_en) if desc_en else ""},
    }


both = dcat.both  # 'Nederlands / English' -> (nl, en)


def distributions(index: dict, base: str) -> list[dict]:
    """One entry per download file plus the whole database, with absolute URLs."""
    out = []
    for f in index.get("files", []):
        out.append({**f, "url": f"{base}/downloads/{f['file']}", "name": f"{f['table']} ({FORMAT_NAMES[f['format']]})"})
    if index.get("database"):
        d = index["database"]
        out.append(
            {
                **d,
                "table": None,
                "url": f"{base}/{d['file']}",
                "name": "woningbouwplannen.db (SQLite, alle tabellen / all tables)",
            }
        )
    return out


def organization(org: dict, lang: str) -> dict:
    """A configured organisation (ingest/site.py) as a schema.org Organization, named in the page language."""
    nl, en = both(org["name"])
    return {"@type": "Organization", "@id": org["uri"], "name": en if lang == "en" else nl, "url": org["uri"]}


def schema_org_dataset(
    index: dict, metadata: dict, base: str, temporal: tuple[str | None, str | None], lang: str, organisations: dict
) -> dict:
    """schema.org Dataset in the page language, with what Google's dataset guidelines ask: name, a
    description of 50 to 5,000 characters, identifier, licence, creator, distributions with their
    format and URL, temporal and spatial coverage, free access. The same releases as the catalogue's
    series (/catalog.jsonld), whose IRI identifies it; the distributions are the newest files."""
    nl, en = both(metadata.get("title"))
    desc_nl, desc_en = both(metadata.get("description_text") or "")
    start, end = temporal
    series = dcat.series_iri(base)
    out = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "@id": series,
        "identifier": series,
        "name": en if lang == "en" else nl,
        "alternateName": nl if lang == "en" else en,
        "description": desc_en if lang == "en" else desc_nl,
        "url": f"{base}/",
        "license": LICENSE_SCHEMA,
        "isAccessibleForFree": True,
        "inLanguage": "nl",
        "keywords": ["woningbouw", "woningbouwplannen", "LMVW", "housing", "Nederland"],
        "spatialCoverage": {
            "@type": "Place",
            "name": "Nederland" if lang == "nl" else "Netherlands",
            "sameAs": dcat.COUNTRY,
        },
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "@id": f"{base}/catalog.jsonld",
            "name": f"Catalogus {nl}" if lang == "nl" else f"Catalogue {en}",
            "url": f"{base}/catalog.jsonld",
        },
        "distribution": [
            {
                "@type": "DataDownload",
                "name": d["name"],
                "encodingFormat": d["mediatype"],
                "contentUrl": d["url"],
                "contentSize": str(d["bytes"]),
                "sha256": d["sha256"],
            }
            for d in distributions(index, base)
        ],
    }
    for role, org in organisations.items():
        if org:
            out[role] = organization(org, lang)
    if metadata.get("source_url"):
        out["isBasedOn"] = metadata["source_url"]
    if index.get("peildatum"):
        out["dateModified"] = out["version"] = index["peildatum"]
    if start or end:
        out["temporalCoverage"] = f"{start or '..'}/{end or '..'}"
    return out


def script_json(data: dict) -> str:
    """JSON safe inside <script>: no '</script>' or '<!--' can end or confuse the element."""
    return (
        json.dumps(data, ensure_ascii=False, indent=1)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def base_url(datasette, request=None) -> str:
    """The configured public address (ingest/site.py), never the request's Host header."""
    return site.base_url(datasette.plugin_config(site.PLUGIN))


def site_metadata(datasette) -> dict:
    """Top-level metadata with the description as plain text (description_html stripped)."""
    meta = dict(datasette.metadata() or {})
    html = meta.get("description_html") or ""
    parts = dict(re.findall(r'<p lang="(nl|en)">(.*?)</p>', html, flags=re.S))
    if parts:
        meta["description_text"] = " / ".join(
            " ".join(re.sub(r"<[^>]+>", "", parts.get(k, "")).split()) for k in ("nl", "en")
        )
    else:
        meta["description_text"] = meta.get("description") or ""
    return meta


async def temporal(datasette) -> tuple[str | None, str | None]:
    """First and last peildatum of the loaded plan exports."""
    db = datasette.databases.get(DB)
    if db is None or not await db.table_exists("bronnen"):
        return None, None
    row = (
        await db.execute(
            "select min(peildatum), max(peildatum) from bronnen where soort in ('plannen', 'woningbouwkaart')"
        )
    ).first()
    return row[0], row[1]


def not_built() -> Response:
    return Response.json(
        {
            "error": "downloads zijn nog niet gebouwd, of horen bij een andere versie van de database / "
            "downloads not built yet, or made for another version of the database"
        },
        status=404,
    )


async def datapackage(datasette, request):
    package = read_json(downloads_dir(datasette), "datapackage.json") if current_index(datasette) else None
    if package is None:
        return not_built()
    base = base_url(datasette, request)
    # the file in downloads/ has paths relative to itself; served here they point into /downloads/
    resources = [{**r, "path": f"{base}/downloads/{r['path']}"} for r in package["resources"]]
    return Response.json(
        {**package, "homepage": f"{base}/", "resources": resources}, headers={"Access-Control-Allow-Origin": "*"}
    )


def organisations(datasette) -> dict:
    config = datasette.plugin_config(site.PLUGIN)
    return {role: site.organisation(config, role) for role in site.ORGANISATIONS}


async def catalog(datasette, request):
    index = current_index(datasette)
    if index is None:
        return not_built()
    # a set published before the archive existed is described where it is, until a build pins it
    sets = release_archive.archived_sets(downloads_dir(datasette)) or [{**index, "path": "/downloads/"}]
    base = base_url(datasette, request)
    key = (
        base,
        (index.get("database") or {}).get("sha256"),
        tuple((s["peildatum"], s.get("database", {}).get("sha256")) for s in sets),
    )
    memo = datasette_seam.cache(datasette, "catalog_jsonld")
    if key not in memo:  # the catalogue only changes with a build: made once per set of releases
        orgs = organisations(datasette)
        start, _ = await temporal(datasette)
        body = dcat.catalogue(sets, index, site_metadata(datasette), base, orgs["publisher"], orgs["creator"], start)
        memo.clear()
        memo[key] = json.dumps(body, ensure_ascii=False, separators=(",", ":"))  # large: compact
    return Response(
        memo[key], content_type="application/ld+json; charset=utf-8", headers={"Access-Control-Allow-Origin": "*"}
    )


@hookimpl
def register_routes():
    return [
        (r"^/datapackage\.json$", datapackage),
        (r"^/catalog\.jsonld$", catalog),
    ]


@hookimpl
def extra_template_vars(template, datasette, request):
    if (
        template
        not in ("index.html", "pages/downloads.html", "pages/voor-ontwikkelaars.html", "pages/voor-journalisten.html")
        or request is None
    ):
        return {}

    async def inner():
        index = current_index(datasette)
        base = base_url(datasette, request)
        out = {"limits": {k: datasette.setting(k) for k in LIMIT_SETTINGS}, "base_url": base}
        # visitors' own SQL runs under plugins/sql_guard.py's limit, not the pages' one
        out["limits"]["own_sql_time_limit_ms"] = int(
            (datasette.plugin_config("sql-guard") or {}).get("time_limit_ms", datasette.setting("sql_time_limit_ms"))
        )
        # above this many plans the map data holds counts per cell (plugins/map_data.py)
        out["limits"]["punten_max"] = (datasette.plugin_config("woningbouwplannen-kaartdata") or {}).get("punten_max")
        if index is not None:
            out["downloads_index"] = index
            # both languages: the template picks the page's (plugins/i18n.py sets `lang`). Built once per
            # index file (read_json keeps the same object until a new build) and base URL: it was a fifth
            # of the home page's time.
            memo = datasette_seam.cache(datasette, "dataset_jsonld")
            key = (id(index), base)
            if key not in memo:
                meta, period = site_metadata(datasette), await temporal(datasette)
                memo.clear()
                orgs = organisations(datasette)
                memo[key] = {
                    lang: script_json(schema_org_dataset(index, meta, base, period, lang, orgs))
                    for lang in ("nl", "en")
                }
            out["dataset_jsonld"] = memo[key]
        queries = await datasette.get_canned_queries(DB, None) if DB in datasette.databases else {}
        out["canned_queries"] = [canned(name, q) for name, q in queries.items()]
        return {"open_data": out}

    return inner
