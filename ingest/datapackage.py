"""The Frictionless Data Package (datapackage.json) describing every published table's CSV download.

Field types come from the stored values (ingest.tables.table_columns), descriptions (Dutch and
English) from metadata.yml, keys from the database; a foreign key is declared only when it holds in
the data, because `frictionless validate` checks every one.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import yaml

from .schema import DATABASE as DB
from .tables import Column, primary_key, published_tables, table_columns

METADATA = Path(__file__).resolve().parent.parent / "metadata.yml"
LICENSE = {
    "name": "CC0-1.0",
    "title": "Creative Commons Zero v1.0 Universal",
    "path": "https://creativecommons.org/publicdomain/zero/1.0/",
}
# Columns that name a row of another table wherever they occur: (referenced table, its key).
REFERENCES = {
    "gemeentecode": ("gemeenten", "gemeentecode"),
    "plan_id": ("plannen", "plan_id"),
    "doorbraaklocatie": ("doorbraaklocaties", "naam"),
    "bron_id": ("bronnen", "id"),
}
FILE = "datapackage.json"


def split_language(text: str | None) -> tuple[str, str]:
    """'Nederlands / English' (metadata.yml's convention) or <p lang="nl">..</p><p lang="en">..</p>."""
    if not text:
        return "", ""
    if "<p" in text:
        parts = {
            lang: re.sub(r"<[^>]+>", "", body)
            for lang, body in re.findall(r'<p lang="(nl|en)">(.*?)</p>', text, flags=re.S)
        }
        return (" ".join(parts.get("nl", "").split()), " ".join(parts.get("en", "").split()))
    nl, _, en = text.partition(" / ")
    return nl.strip(), en.strip()


def load_metadata(path: Path = METADATA) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError:
        return {}


def foreign_keys(conn: sqlite3.Connection, table: str, columns: set[str], tables: set[str]) -> list[dict]:
    keys = []
    for column, (other, key) in REFERENCES.items():
        if column not in columns or other not in tables or (other == table):
            continue
        broken = conn.execute(
            f"select count(*) from [{table}] where [{column}] is not null "
            f"and [{column}] not in (select [{key}] from [{other}])"
        ).fetchone()[0]
        if not broken:
            keys.append({"fields": column, "reference": {"resource": other, "fields": key}})
    return keys


def field(column: Column, described: dict) -> dict:
    text = described.get(column.name)
    nl, en = split_language(text)
    out = {"name": column.name, "type": column.kind}
    if text:
        out.update({"description": text, "description_nl": nl, "description_en": en})
    return out


def sources(conn: sqlite3.Connection, metadata: dict, tables: list[str]) -> list[dict]:
    """The portal's source (metadata.yml) and every distinct sourced fact's source in the tables."""
    found = []
    if metadata.get("source"):
        found.append(
            {"title": metadata["source"], **({"path": metadata["source_url"]} if metadata.get("source_url") else {})}
        )
    for table in tables:
        names = {r[1] for r in conn.execute(f"pragma table_info([{table}])")}
        if {"bron", "bron_url"} <= names:
            for title, path in conn.execute(
                f"select distinct bron, bron_url from [{table}] "
                "where bron is not null and bron_url is not null order by 1, 2"
            ):
                found.append({"title": title, "path": path})
    unique = {(s["title"], s.get("path")): s for s in found}
    return list(unique.values())


def descriptor(conn: sqlite3.Connection, index: dict, metadata: dict) -> dict:
    tables = published_tables(conn)
    meta_tables = ((metadata.get("databases") or {}).get(DB) or {}).get("tables") or {}
    plan_columns = (meta_tables.get("plannen") or {}).get("columns") or {}
    csv_files = {e["table"]: e for e in index["files"] if e["format"] == "csv"}
    resources = []
    for table in tables:
        meta = meta_tables.get(table) or {}
        # a column described only on plannen (plan_historie repeats them) keeps that description
        described = {**plan_columns, **(meta.get("columns") or {})}
        columns = table_columns(conn, table)
        schema: dict[str, list] = {"fields": [field(c, described) for c in columns]}
        if pk := primary_key(conn, table):
            schema["primaryKey"] = pk
        if fks := foreign_keys(conn, table, {c.name for c in columns}, set(tables)):
            schema["foreignKeys"] = fks
        nl, en = split_language(meta.get("description") or meta.get("description_html"))
        title = meta.get("title") or table
        csv_file = csv_files[table]
        resources.append(
            {
                "name": table,
                "path": csv_file["file"],
                "title": title,
                "description": " / ".join(p for p in (nl, en) if p) or title,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": csv_file["bytes"],
                "hash": f"sha256:{csv_file['sha256']}",
                "licenses": [LICENSE],
                "schema": schema,
            }
        )
    title_nl, _, title_en = (metadata.get("title") or DB).partition(" / ")
    nl, en = split_language(metadata.get("description_html") or metadata.get("description"))
    return {
        "name": DB,
        "title": metadata.get("title") or DB,
        "title_nl": title_nl.strip(),
        "title_en": title_en.strip() or title_nl.strip(),
        "description": " / ".join(p for p in (nl, en) if p),
        "version": index.get("peildatum") or "0",
        "peildatum": index.get("peildatum"),
        "keywords": ["woningbouw", "woningbouwplannen", "housing", "LMVW", "Nederland"],
        "licenses": [LICENSE],
        "sources": sources(conn, metadata, tables),
        "resources": resources,
    }


def write(directory: Path, conn: sqlite3.Connection, index: dict, metadata: dict | None = None) -> Path:
    package = descriptor(conn, index, load_metadata() if metadata is None else metadata)
    path = directory / FILE
    path.write_text(json.dumps(package, ensure_ascii=False, indent=1), encoding="utf-8")
    return path
