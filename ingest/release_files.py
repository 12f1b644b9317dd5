"""The files of one LMVW release (the Nationale Woningbouwkaart): find them, unpack them, check their shape.

Shared by `python -m ingest fetch` (which stores a release only when every file passes) and the
source kind `woningbouwkaart` (which reads them). Everything wrong with a *file* is a FatalInput
naming it: not gzip, an HTML page, a truncated gzip, invalid JSON, JSON of another shape. What can
be wrong with one project or polygon is left to the kind, which reports it per row.

The release is gzip without Content-Encoding, so the bytes on disk are the bytes served and their
sha256 is the one `bronnen` shows.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import limits, safe_yaml
from .errors import FatalInput

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "data" / "woningbouwkaart.yml"
ROLES = ("projecten", "vlakken", "gemeenten", "woondealregios")
GZIP_MAGIC = b"\x1f\x8b"
FETCH_RECORD = "opgehaald.json"  # written by ingest/fetch.py next to the files it stored


@dataclass(frozen=True)
class Config:
    base_url: str
    bron: str
    bron_url: str | None
    licentie: str | None
    files: dict  # role -> file name as published
    required: tuple[str, ...]


def load_config(path: Path | None = None) -> Config:
    path = path or DEFAULT_CONFIG
    try:
        doc = safe_yaml.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FatalInput(path, f"configuratie van de release niet leesbaar ({exc.__class__.__name__})")
    files = doc.get("bestanden") if isinstance(doc, dict) else None
    if not isinstance(files, dict) or not all(isinstance(files.get(r), str) for r in ROLES):
        raise FatalInput(path, "configuratie mist 'bestanden:' met " + ", ".join(ROLES))
    return Config(
        base_url=str(doc.get("base_url") or ""),
        bron=str(doc.get("bron") or "LMVW"),
        bron_url=doc.get("bron_url"),
        licentie=doc.get("licentie"),
        files=dict(files),
        required=tuple(doc.get("verplicht") or ("projecten",)),
    )


# A release folder as fetched, or as a steward copied it by hand with the host's newer names.
_PATTERNS = {
    "vlakken": ("*topo*.json*", "*shape*.json*"),
    "projecten": ("project*.json*",),
    "gemeenten": ("gemeente*.json*",),
    "woondealregios": ("woondeal*.json*",),
}


def find_files(folder: Path, config: Config) -> dict[str, Path]:
    """role -> file of a release folder: the configured name, else the one file that looks like it."""
    if not folder.is_dir():
        raise FatalInput(folder, "releasemap bestaat niet of is geen map")
    found: dict[str, Path] = {}
    taken: set[Path] = set()
    for role in ("vlakken", "projecten", "gemeenten", "woondealregios"):  # topo first: it also starts with project
        exact = folder / config.files[role]
        if exact.is_file():
            found[role] = exact
        else:
            candidates = sorted(
                {
                    p
                    for pattern in _PATTERNS[role]
                    for p in folder.glob(pattern)
                    if p.is_file() and p not in taken and p.name != FETCH_RECORD
                }
            )
            if len(candidates) > 1:
                raise FatalInput(
                    folder, f"meerdere bestanden voor {config.files[role]}: " + ", ".join(p.name for p in candidates)
                )
            if candidates:
                found[role] = candidates[0]
        if role in found:
            taken.add(found[role])
    for role in config.required:
        if role not in found:
            raise FatalInput(folder, f"{config.files[role]} ontbreekt in de releasemap")
    return found


def _not_gzip(head: bytes) -> str:
    text = head.lstrip().lower()
    if not head:
        return "leeg bestand"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml")):
        return "geen gzip maar een HTML-pagina (een foutpagina van de server?)"
    if text.startswith((b"{", b"[")):
        return "geen gzip maar onverpakte JSON; verwacht het bestand zoals gepubliceerd (gzip)"
    return f"geen gzip-bestand (begint met {head[:8].hex(' ')})"


def gunzip(path: Path, data: bytes) -> bytes:
    """The bytes inside a gzip file, bounded by the build's limits; one line naming the file otherwise."""
    if not data.startswith(GZIP_MAGIC):
        raise FatalInput(path, _not_gzip(data[:64]))
    limit = limits.current()
    inflater = zlib.decompressobj(wbits=31)  # gzip header and CRC checked by zlib
    out = bytearray()
    view = memoryview(data)
    try:
        for start in range(0, len(data), 1 << 20):
            out += inflater.decompress(view[start : start + (1 << 20)], limit.max_uncompressed_bytes + 1 - len(out))
            if len(out) > limit.max_uncompressed_bytes or inflater.unconsumed_tail:
                raise FatalInput(
                    path,
                    f"gzip pakt uit tot meer dan {limits.dutch(limit.max_uncompressed_bytes)} bytes "
                    f"(limiet {limit.describe('max_uncompressed_bytes')}); niet gelezen",
                )
            if inflater.eof:
                break
        out += inflater.flush()
    except zlib.error as exc:
        raise FatalInput(path, f"gzip is beschadigd ({exc})")
    if not inflater.eof:
        raise FatalInput(path, "gzip is afgebroken (het bestand houdt op voor het einde; onvolledig gedownload?)")
    if len(data) > (1 << 20) and len(out) > limit.max_compression_ratio * len(data):
        raise FatalInput(
            path, f"gzip pakt verdacht sterk uit (limiet {limit.describe('max_compression_ratio')}); niet gelezen"
        )
    return bytes(out)


def parse_json(path: Path, raw: bytes):
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise FatalInput(path, f"inhoud is geen UTF-8 (byte {exc.start})")
    except json.JSONDecodeError as exc:
        raise FatalInput(path, f"inhoud is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}: {exc.msg})")
    except RecursionError:
        raise FatalInput(path, "inhoud is te diep genest om als JSON te lezen")


def records(doc) -> list[dict] | None:
    """The rows of an aggregate file, in any of the forms public code shows: a list of objects,
    an object holding one such list, or a GeoJSON FeatureCollection (its properties)."""
    if isinstance(doc, dict):
        if isinstance(doc.get("features"), list):
            doc = [f.get("properties") if isinstance(f, dict) else f for f in doc["features"]]
        else:
            lists = [v for v in doc.values() if isinstance(v, list) and v and all(isinstance(x, dict) for x in v)]
            if len(lists) != 1:
                return None
            doc = lists[0]
    if isinstance(doc, list) and all(isinstance(x, dict) for x in doc):
        return doc
    return None


def topology_object(doc) -> str | None:
    """The name of the TopoJSON object holding the areas: `data`, else the only one."""
    objects = doc.get("objects") if isinstance(doc, dict) else None
    if not isinstance(objects, dict) or not objects:
        return None
    if "data" in objects:
        return "data"
    return next(iter(objects)) if len(objects) == 1 else None


def check_shape(role: str, path: Path, doc) -> None:
    """Refuse JSON that is not what this file must hold (one line naming the file)."""
    if role == "projecten":
        if not (
            isinstance(doc, dict) and doc.get("type") == "FeatureCollection" and isinstance(doc.get("features"), list)
        ):
            raise FatalInput(
                path, "verwacht een GeoJSON FeatureCollection met projecten (type FeatureCollection, features)"
            )
        if not doc["features"]:
            raise FatalInput(path, "FeatureCollection bevat geen enkel project")
        if not any(isinstance(f, dict) and isinstance(f.get("properties"), dict) for f in doc["features"][:100]):
            raise FatalInput(path, "features hebben geen properties; is dit wel project2.json.gz?")
    elif role == "vlakken":
        if not (isinstance(doc, dict) and doc.get("type") == "Topology" and isinstance(doc.get("arcs"), list)):
            raise FatalInput(path, "verwacht een TopoJSON (type Topology, arcs, objects)")
        name = topology_object(doc)
        if name is None:
            raise FatalInput(path, "TopoJSON heeft geen object 'data' (en niet precies één ander object)")
        obj = doc["objects"][name]
        if not isinstance(obj, dict) or not isinstance(obj.get("geometries", []), list):
            raise FatalInput(path, f"TopoJSON-object {name!r} is geen GeometryCollection")
    else:
        rows = records(doc)
        key = "gemeente_naam" if role == "gemeenten" else "woondeal_regio"
        if rows is None:
            raise FatalInput(
                path,
                "verwacht een lijst met een object per " + ("gemeente" if role == "gemeenten" else "woondealregio"),
            )
        if not rows:
            raise FatalInput(path, "bevat geen enkele rij")
        if not any(key in r or (role == "gemeenten" and "gemeente_code" in r) for r in rows[:100]):
            raise FatalInput(path, f"rijen missen {key!r}; is dit wel het goede bestand?")


def read(role: str, path: Path, data: bytes | None = None):
    """(parsed JSON, the unpacked bytes) of one release file; FatalInput when it is not usable."""
    if data is None:
        if not path.is_file():
            raise FatalInput(path, "bestand bestaat niet")
        limits.check_file_size(path)
        data = path.read_bytes()
    raw = gunzip(path, data)
    doc = parse_json(path, raw)
    check_shape(role, path, doc)
    return doc, raw
