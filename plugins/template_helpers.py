"""Small functions our page templates need."""

import re

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode

from ingest.schema import DATABASE, PLANSTATUSSEN

MAX_WORDS = 8


def fts_query(text: str) -> str:
    """Plain words as an FTS5 prefix query ("word"*): user input never becomes FTS syntax."""
    words = re.findall(r"\w+", text or "")[:MAX_WORDS]
    return " ".join(f'"{w}"*' for w in words)


@hookimpl
def prepare_jinja2_environment(env):
    env.globals["fts_query"] = fts_query
    # the one database's name, for sql(..., database=db) and Datasette's urls.table(db, ...) in templates
    env.globals["db"] = DATABASE
    env.globals["planstatussen"] = PLANSTATUSSEN
    # plan ids may hold '/', '?' or '%': Datasette's tilde encoding keeps them one path segment
    env.filters["tilde"] = tilde_encode
    env.globals["tilde_decode"] = tilde_decode
