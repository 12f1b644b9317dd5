"""Template variables every page needs: is this sample data, which peildatum, which sources.

Computed once per app (datasette_seam.cache): the database is immutable while served.
"""

from datasette import hookimpl

from ingest import site
from ingest.manifest import PLAN_KINDS
from ingest.release_files import load_config
from ingest.schema import DATABASE as DB
from portal import datasette_seam

_PLAN_KINDS = ", ".join(f"'{k}'" for k in PLAN_KINDS)


async def portal_state(datasette) -> dict:
    state = datasette_seam.cache(datasette, "portal_state")
    if state:
        return state
    found = {"voorbeelddata": False, "peildatum": None, "bronnen_bestanden": [], "release": None}
    db = datasette.databases.get(DB)
    if db is not None and await db.table_exists("bronnen"):
        row = (
            await db.execute(
                f"select max(voorbeelddata) as sample, max(case when soort in ({_PLAN_KINDS}) then peildatum end) as peildatum "
                "from bronnen"
            )
        ).first()
        found["voorbeelddata"] = bool(row["sample"])
        found["peildatum"] = row["peildatum"]
        newest = [
            dict(r)
            for r in await db.execute(
                f"select bestand, soort, herkomst, opgehaald_op from bronnen where soort in ({_PLAN_KINDS}) "
                "and peildatum = ? order by id",
                [row["peildatum"]],
            )
        ]
        found["bronnen_bestanden"] = [r["bestand"] for r in newest]
        release = next((r for r in newest if r["soort"] == "woningbouwkaart"), None)
        if release is not None:
            # the public LMVW release: its publisher is named on every page, with when it was fetched
            config = load_config()
            found["release"] = {
                "bron": config.bron,
                "bron_url": config.bron_url,
                "licentie": config.licentie,
                "opgehaald_op": (release["opgehaald_op"] or "")[:10] or None,
                "herkomst": release["herkomst"],
            }
    state.update(found)
    return state


def map_assets(datasette) -> dict:
    """Basemap and Leaflet files for our own maps: one tile setting for every map (metadata.yml)."""
    config = datasette.plugin_config("datasette-cluster-map") or {}
    options = config.get("tile_layer_options") or {}
    static = datasette.urls.static_plugins
    return {
        "tiles": config.get("tile_layer"),
        "attribution": options.get("attribution", ""),
        "leaflet_js": static("datasette-leaflet", "leaflet-v1.7.1.js"),
        "leaflet_css": static("datasette-leaflet", "leaflet-v1.7.1.css"),
        "cluster_js": static("datasette-cluster-map", "leaflet.markercluster.min.js"),
        "cluster_css": static("datasette-cluster-map", "leaflet.markercluster.css"),
    }


@hookimpl
def prepare_connection(conn, datasette):
    # SQL (the Atom feed's canned query) builds absolute links from the configured address
    address = site.base_url(datasette.plugin_config(site.PLUGIN))
    conn.create_function("portal_base_url", 0, lambda: address, deterministic=True)


@hookimpl
def extra_template_vars(datasette, view_name):
    async def inner():
        # view_name: base.html loads datasette-vega's charting assets (~1 MB) only where its charts work
        return {
            "portal": await portal_state(datasette),
            "kaart": map_assets(datasette),
            "view_name": view_name,
            "site_url": site.base_url(datasette.plugin_config(site.PLUGIN)),
        }

    return inner
