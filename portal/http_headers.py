"""Response headers several wrappers add to: one Vary header, whoever adds to it.

ASGI headers are a list of (name, value) pairs; datasette-gzip, the outermost wrapper, keeps only
the first Vary it finds when it adds Accept-Encoding, so a second Vary (the language's) was lost and
a shared cache served one language's page to the other's visitors.
"""

from __future__ import annotations


def add_vary(headers: list[tuple[bytes, bytes]], *names: str) -> list[tuple[bytes, bytes]]:
    """`headers` with one Vary header holding what it held plus `names` (each once, first spelling kept)."""
    values: list[str] = []
    for k, v in headers:
        if k.lower() == b"vary":
            values += [part.strip() for part in v.decode("latin-1").split(",") if part.strip()]
    for name in names:
        values.append(name)
    seen, merged = set(), []
    for value in values:
        if value.lower() not in seen:
            seen.add(value.lower())
            merged.append(value)
    kept = [(k, v) for k, v in headers if k.lower() != b"vary"]
    return kept + [(b"vary", ", ".join(merged).encode("latin-1"))]
