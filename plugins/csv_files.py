"""CSV of a table or a query comes as a file that names what it holds and when; with a Dutch-Excel variant.

- Content-Disposition on every .csv (and .csvnl) answer of the database: `woningbouwplannen-<table or
  query>-<peildatum>.csv`, so a downloaded file says where it came from and which state it holds;
- the output format `csvnl` ("CSV voor Nederlandse Excel", linked on every table and query page next
  to csv and json): `;` between fields, UTF-8 with BOM, a decimal comma, and a text that starts like a
  formula behind a ' (ingest/download_writers.excel_safe, the rule of the downloads). It holds the rows
  of the page asked for (up to max_returned_rows with _size=max); whole tables: /downloads.
"""

from __future__ import annotations

import csv
import io
import re

from datasette import hookimpl
from datasette.utils.asgi import Response

from ingest.download_writers import excel_safe
from ingest.manifest import PLAN_KINDS
from ingest.schema import DATABASE as DB

PATH = re.compile(rf"^/{DB}(?:/(?P<name>[^/]+?))?\.(?P<ext>csv|csvnl)$")
_KINDS = ", ".join(f"'{k}'" for k in PLAN_KINDS)


def filename(name: str | None, peildatum: str | None, excel: bool) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name or "query").strip("-") or "query"
    return f"{DB}-{safe}-{peildatum or 'onbekend'}{'-excel' if excel else ''}.csv"


def render_csvnl(columns, rows, request, table, query_name):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([excel_safe(v) for v in row] for row in rows)
    return Response("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")


@hookimpl
def register_output_renderer():
    return {"extension": "csvnl", "render": render_csvnl}


@hookimpl
def asgi_wrapper(datasette):
    state = {}

    async def newest_peildatum():
        if "peildatum" not in state:
            db = datasette.databases.get(DB)
            row = (
                (await db.execute(f"select max(peildatum) from bronnen where soort in ({_KINDS})")).first()
                if db is not None and await db.table_exists("bronnen")
                else None
            )
            state["peildatum"] = row[0] if row else None
        return state["peildatum"]

    def wrap(app):
        async def named(scope, receive, send):
            match = PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
            if not match:
                await app(scope, receive, send)
                return
            peildatum = await newest_peildatum()
            name = (match["name"] or "query").replace("~2E", ".")

            async def send_named(message):
                if message["type"] == "http.response.start" and message["status"] == 200:
                    headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-disposition"]
                    value = f'attachment; filename="{filename(name, peildatum, match["ext"] == "csvnl")}"'
                    message = {**message, "headers": [*headers, (b"content-disposition", value.encode("latin-1"))]}
                await send(message)

            await app(scope, receive, send_named)

        return named

    return wrap
