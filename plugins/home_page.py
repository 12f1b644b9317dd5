"""The home page without Datasette's listing of databases and tables.

Datasette's index view gathers every table of every database (columns, keys, counts, a
visibility check each: about 60 thread hops, 8 ms of a 23 ms request at national scale)
before it renders index.html, and our index.html, the portal's home page, shows none of it.
"/" is a plain route (register_routes) that renders index.html through Datasette's documented
render_template as the index view does (view name "index", the JSON alternate, the
view-instance permission), minus that listing; "/.json" (the listing as data) stays Datasette's own.
"""

from datasette import hookimpl
from datasette.utils.asgi import Response

from portal import datasette_seam


async def home(datasette, request):
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    query = f"?{request.query_string}" if request.query_string else ""
    json_url = datasette.absolute_url(request, datasette.urls.path("/.json" + query))
    context = {
        "metadata": datasette.metadata(),
        "datasette_version": datasette_seam.DATASETTE_VERSION,
        "private": not await datasette.permission_allowed(None, "view-instance", default=True),
        "alternate_url_json": json_url,
        "select_templates": ["*index.html"],
    }
    html = await datasette.render_template(["index.html"], context, request=request, view_name="index")
    return Response.html(html, headers={"Link": f'{json_url}; rel="alternate"; type="application/json+datasette"'})


@hookimpl
def register_routes(datasette):
    return [(r"^/$", home)]
