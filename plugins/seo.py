"""robots.txt and sitemap.xml: search engines get the pages, not the SQL or bulk endpoints.

The sitemap lists the public pages, every municipality and every plan (Dutch URLs with
their English alternates); past 45,000 URLs it becomes an index of numbered parts.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from ingest import site
from ingest.schema import DATABASE as DB
from portal import datasette_seam

PART = 45_000  # under the sitemap protocol's 50,000 URLs per file
PAGES = [
    "/",
    "/kaart",
    "/in-de-buurt",
    "/gemeenten",
    "/doorbraaklocaties",
    "/voortgang",
    "/over",
    "/voor-journalisten",
    "/voor-ontwikkelaars",
    "/downloads",
    "/api",
    "/toegankelijkheid",
    "/privacy",
]
ROBOTS = """# Woningbouwplannen: pages are for everyone; SQL and bulk data have their own doors.
# (Disallow lines first: some parsers take the first matching rule.)
User-agent: *
Allow: /datapackage.json
Allow: /catalog.jsonld
Allow: /openapi.json
Allow: /sitemap.xml
Disallow: /*?sql=
Disallow: /*&sql=
Disallow: /*.csv
Disallow: /*.json
Disallow: /*.geojson
Disallow: /*.atom
Disallow: /*.db
Disallow: /downloads/
Disallow: /-/
Disallow: /*?_
Allow: /
Sitemap: {base}/sitemap.xml
"""


def base_url(datasette) -> str:
    """The configured public address (ingest/site.py), never the request's Host header."""
    return site.base_url(datasette.plugin_config(site.PLUGIN))


async def all_paths(datasette) -> list[str]:
    cached = datasette_seam.cache(datasette, "sitemap", list)
    if cached:  # the database is immutable while served (every sitemap has the pages)
        return cached
    db = datasette.get_database(DB)
    gemeenten = [r[0] for r in await db.execute("select gemeentecode from gemeenten order by gemeentecode")]
    plannen = await db.execute_fn(
        lambda conn: [r[0] for r in conn.execute("select plan_id from plannen order by plan_id")]
    )
    paths = [*PAGES, *(f"/gemeente/{g}" for g in gemeenten), *(f"/plan/{tilde_encode(p)}" for p in plannen)]
    cached[:] = paths
    return cached


def urlset(base: str, paths: list[str]) -> str:
    entries = "".join(
        f"<url><loc>{escape(base + p)}</loc>"
        f'<xhtml:link rel="alternate" hreflang="nl" href="{escape(base + p)}"/>'
        f'<xhtml:link rel="alternate" hreflang="en" href="{escape(base + "/en" + p)}"/></url>\n'
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
        f"{entries}</urlset>\n"
    )


async def sitemap(datasette, request):
    paths = await all_paths(datasette)
    base = base_url(datasette)
    if len(paths) <= PART:
        body = urlset(base, paths)
    else:
        parts = "".join(
            f"<sitemap><loc>{escape(base)}/sitemap-{i + 1}.xml</loc></sitemap>\n"
            for i in range((len(paths) + PART - 1) // PART)
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{parts}</sitemapindex>\n'
        )
    return Response(body, content_type="application/xml; charset=utf-8")


async def sitemap_part(datasette, request):
    n = int(request.url_vars["n"])
    paths = (await all_paths(datasette))[(n - 1) * PART : n * PART]
    if n < 1 or not paths:
        return Response.text("Niet gevonden / not found", status=404)
    return Response(urlset(base_url(datasette), paths), content_type="application/xml; charset=utf-8")


async def robots(datasette):
    return Response.text(ROBOTS.format(base=base_url(datasette)))


@hookimpl
def register_routes():
    return [
        (r"^/robots\.txt$", robots),
        (r"^/sitemap\.xml$", sitemap),
        (r"^/sitemap-(?P<n>\d{1,4})\.xml$", sitemap_part),
    ]
