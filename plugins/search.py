"""What people type into the search box: a Plan-ID, a CBS code, a municipality by any usual spelling.

`zoek_gemeenten(q)` (a template function for /zoeken) finds municipalities by CBS code (GM0344,
0344, 344), by name ignoring case, accents and punctuation, by the usual spellings in
data/reference/gemeente_aliassen.yml (Den Bosch, Sudwest) and by prefix ("Sudwest" ->
Súdwest-Fryslân); `bedoelde_u(q)` offers close spellings when nothing matches. Both read the
database's own `gemeenten` table once per process (it is immutable while served) and share the
name rules of the ingest (ingest/gemeente_namen.py), so search and build agree on what a name means.
Place names (a village, a street) are looked up in the browser with PDOK's Locatieserver
(static/zoeken.js), as "In de buurt" does.
"""

from __future__ import annotations

import difflib

from datasette import hookimpl

from ingest.gemeente_namen import key, read_aliases
from ingest.schema import DATABASE as DB
from ingest.validate import Invalid, normalise_gemeentecode
from portal import datasette_seam

MIN_PREFIX = 3


async def _index(datasette) -> dict:
    cached = datasette_seam.cache(datasette, "search_index")
    if not cached:
        db = datasette.get_database(DB)
        rows = [
            dict(r)
            for r in await db.execute(
                "select g.gemeentecode, g.gemeentenaam, g.provincie, coalesce(c.plannen, 0) as plannen "
                "from gemeenten g left join cijfers_per_gebied c on c.niveau = 'gemeente' and c.code = g.gemeentecode"
            )
        ]
        by_code = {r["gemeentecode"]: r for r in rows}
        names: dict[str, set[str]] = {}
        for r in rows:
            names.setdefault(key(r["gemeentenaam"]), set()).add(r["gemeentecode"])
        for code, spellings in read_aliases().items():
            if code in by_code:
                for spelling in spellings:
                    names.setdefault(key(spelling), set()).add(code)
        cached.update(by_code=by_code, names=names)
    return cached


def find(index: dict, q: str) -> list[dict]:
    """Municipalities for a search text, best first: code, whole name or spelling, then prefix."""
    text = (q or "").strip()
    if not text:
        return []
    by_code, names = index["by_code"], index["names"]
    try:
        code = normalise_gemeentecode(text)
        if code in by_code:
            return [by_code[code]]
    except Invalid:
        pass
    k = key(text)
    if not k:
        return []
    exact = names.get(k, set())
    prefix = {c for name, codes in names.items() if len(k) >= MIN_PREFIX and name.startswith(k) for c in codes} - exact
    ordered = sorted(exact, key=lambda c: by_code[c]["gemeentenaam"]) + sorted(
        prefix, key=lambda c: by_code[c]["gemeentenaam"]
    )
    return [by_code[c] for c in ordered][:20]


def suggestions(index: dict, q: str) -> list[dict]:
    k = key(q or "")
    if len(k) < MIN_PREFIX:
        return []
    close = difflib.get_close_matches(k, list(index["names"]), n=5, cutoff=0.75)
    codes = list(dict.fromkeys(c for name in close for c in sorted(index["names"][name])))
    return [index["by_code"][c] for c in codes][:5]


@hookimpl
def extra_template_vars(datasette, template):
    if template != "pages/zoeken.html":
        return {}

    async def zoek_gemeenten(q):
        return find(await _index(datasette), q)

    async def bedoelde_u(q):
        return suggestions(await _index(datasette), q)

    return {"zoek_gemeenten": zoek_gemeenten, "bedoelde_u": bedoelde_u}
