"""The home page without Datasette's listing of databases and tables.

Datasette's index view gathers every table of every database (columns, keys, counts, a
visibility check each: about 60 thread hops, 8 ms of a 23 ms request at national scale)
before it renders index.html, and our index.html, the portal's home page, shows none of it.
"/" renders the same template through the same view class, minus that listing; "/.json"
(the listing as data) stays Datasette's own.
"""
from datasette import __version__, hookimpl
from datasette.views.index import IndexView


class HomeView(IndexView):
    async def get(self, request):
        await self.ds.ensure_permissions(request.actor, ["view-instance"])
        return await self.render(["index.html"], request=request, context={
            "metadata": self.ds.metadata(),
            "datasette_version": __version__,
            "private": not await self.ds.permission_allowed(None, "view-instance", default=True),
        })


@hookimpl
def register_routes(datasette):
    view = HomeView.as_view(datasette)

    async def home(request, send):
        return await view(request, send)

    return [(r"^/$", home)]
