"""Error pages in the portal's layout and language: banner, peildatum, a working language switch.

Datasette 0.65 renders its error page without the template variables plugins add (no language,
no banner, an empty language switch), in English. This hook renders the same errors through
Datasette's documented render_template, so every plugin's variables are there, with the message
in the page's language; a visitor's SQL that failed comes back in an editor, ready to be fixed.
JSON requests and unexpected errors are left to Datasette and plugins/security_headers.py.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils.asgi import Response

from portal import datasette_seam

# Datasette's own (0.65.5's, portal/datasette_seam.py) messages a visitor can meet, in Dutch (the English
# pages show them as they are)
DUTCH = {
    "Database not found": "Database niet gevonden",
    "Table not found": "Tabel niet gevonden",
    "Record not found": "Rij niet gevonden",
    "Row not found": "Rij niet gevonden",
    "Not found": "Niet gevonden",
    "Forbidden": "Geen toegang",
    "Statement must be a SELECT": "Alleen SELECT-query's zijn toegestaan",
    "Invalid SQL": "Ongeldige SQL",
    "SQL Interrupted": "Query afgebroken",
}
TITLES = {
    400: ("Foute vraag", "Bad request"),
    403: ("Geen toegang", "Forbidden"),
    404: ("Niet gevonden", "Not found"),
    405: ("Niet toegestaan", "Method not allowed"),
}


def dutch(message: str) -> str:
    for english, dutch in DUTCH.items():
        if message.startswith(english):
            return dutch + message[len(english) :]
    return message


@hookimpl
def handle_exception(datasette, request, exception):
    if request.path.split("?")[0].endswith(".json"):
        return None
    parts = datasette_seam.error_parts(exception)
    if parts is None or parts[0] >= 500:
        return None  # unexpected: plugins/security_headers.py answers without internals
    status, message, title = parts

    async def inner():
        nl, en = TITLES.get(status, ("Fout", "Error"))
        # both languages: the template shows the page's (plugins/i18n.py sets `lang`)
        context = {
            "status": status,
            "error_message": {"nl": dutch(message), "en": message},
            "error_title": {"nl": dutch(title) if title else nl, "en": title or en},
            "visitor_sql": request.args.get("sql"),
            "sql_action": "/" + request.url_vars.get("database", "woningbouwplannen") if request.url_vars else None,
        }
        html = await datasette.render_template(["error.html"], context, request=request)
        return Response.html(html, status=status)

    return inner
