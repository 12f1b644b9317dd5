"""Template variables every page needs: is this sample data, which peildatum, which sources.

Computed once per process: the database is immutable while served.
"""
from datasette import hookimpl

DB = "woningbouwplannen"
_CACHE_ATTR = "_woningbouwplannen_state"


async def portal_state(datasette) -> dict:
    state = getattr(datasette, _CACHE_ATTR, None)
    if state is not None:
        return state
    state = {"voorbeelddata": False, "peildatum": None, "bronnen_bestanden": []}
    db = datasette.databases.get(DB)
    if db is not None and await db.table_exists("bronnen"):
        row = (await db.execute(
            "select max(voorbeelddata) as sample, max(case when soort = 'plannen' then peildatum end) as peildatum "
            "from bronnen")).first()
        state["voorbeelddata"] = bool(row["sample"])
        state["peildatum"] = row["peildatum"]
        state["bronnen_bestanden"] = [r["bestand"] for r in await db.execute(
            "select bestand from bronnen where soort = 'plannen' order by peildatum desc, id")]
    setattr(datasette, _CACHE_ATTR, state)
    return state


@hookimpl
def extra_template_vars(datasette):
    async def inner():
        return {"portal": await portal_state(datasette)}

    return inner
