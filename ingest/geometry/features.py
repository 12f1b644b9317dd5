"""Features of a geometry source, cleaned and placed, with every problem reported.

Shared by the plangebieden and doorbraaklocaties kinds: each feature is either
yielded (valid polygon, in the Netherlands, with a key) or reported and counted
as rejected. Nothing is dropped silently.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Set
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from .. import limits
from ..errors import FatalInput
from ..manifest import Source
from ..mapping import norm
from ..problems import SourceReport
from ..validate import FOUT, Problem, plan_key
from . import shapes
from .read import read_layers


@dataclass
class Feature:
    row: int
    key: str
    attributes: dict
    geom: BaseGeometry  # valid polygon(s) in the source CRS
    geom_rd: BaseGeometry  # the same in RD New
    crs: CRS
    repaired: bool


def key_text(value) -> str | None:
    """An id as text: 12 and 12.0 (a Shapefile's number field) are both '12'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def find_column(columns, wanted: tuple[str, ...]) -> str | None:
    by_norm = {norm(c): c for c in columns}
    for w in wanted:
        if norm(w) in by_norm:
            return by_norm[norm(w)]
    return None


def vertex_counts(source: Source, layers) -> dict[str, np.ndarray]:
    """Vertices per feature, per layer; a file over the row or vertex limit is refused whole."""
    limit = limits.current()
    counts = {layer.name: shapely.get_num_coordinates(np.asarray(layer.frame.geometry.values)) for layer in layers}
    limits.check_row_count(source.path, sum(len(c) for c in counts.values()), limit)
    total = int(sum(int(c.sum()) for c in counts.values()))
    if total > limit.max_vertices_file:
        raise FatalInput(
            source.path,
            f"bestand heeft {limits.dutch(total)} hoekpunten (limiet "
            f"{limit.describe('max_vertices_file')}, aan te passen onder limits: "
            "in het manifest); niet geladen",
        )
    return counts


@dataclass
class Rejection:
    """Why one feature's geometry cannot be used (reported by the caller, per row)."""

    severity: str
    code: str
    message: str


def prepare(geom, crs: CRS, n_vertices: int, places: shapes.Places, limit: limits.Limits):
    """One feature's geometry -> (valid polygon(s) in its CRS, the same in RD New, repair issue or None),
    or a Rejection. Pure apart from the CRS transform; shared by every kind that reads outlines."""
    if n_vertices > limit.max_vertices_feature:
        # checked before make_valid and reprojection, which are slow on such shapes
        return Rejection(
            FOUT,
            "te_veel_hoekpunten",
            f"geometrie heeft {limits.dutch(n_vertices)} hoekpunten (limiet "
            f"{limit.describe('max_vertices_feature')}); vereenvoudig het vlak; niet geladen",
        )
    cleaned, issue = shapes.clean(geom)
    if cleaned is None:
        assert issue is not None  # clean() always says why it gives no geometry
        return Rejection(issue.severity, issue.code, issue.message)
    inside: bool | None
    measurable: bool | None
    try:
        geom_rd = shapes.reproject(cleaned, crs, shapes.RD)
        inside = places.in_nl(geom_rd)
        measurable = geom_rd.is_valid and math.isfinite(geom_rd.area)
    except shapely.errors.GEOSException:  # coordinates GEOS cannot handle (e.g. 1e308)
        inside = measurable = None
    if inside is None or (inside and not measurable):
        return Rejection(
            FOUT, "geometrie_onherstelbaar", "geometrie kan niet worden omgerekend naar RD New of gemeten; niet geladen"
        )
    if not inside:
        hint = " (de coördinaten lijken graden: klopt het CRS?)" if shapes.looks_like_degrees(cleaned, crs) else ""
        return Rejection(FOUT, "buiten_nederland", f"geometrie ligt buiten Nederland{hint}; niet geladen")
    return cleaned, geom_rd, issue


def layer_features(frame, crs: CRS, counts, places: shapes.Places):
    """(attributes, prepared geometry or Rejection) per feature of one layer, in file order."""
    limit = limits.current()
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for record, geom, n_vertices in zip(frame[columns].to_dict("records"), frame.geometry.values, counts):
        yield record, prepare(geom, crs, int(n_vertices), places, limit)


def features(
    source: Source,
    report: SourceReport,
    key_columns: tuple[str, ...],
    key_field: str,
    places: shapes.Places,
    private_ids: Set[str] = frozenset(),
) -> Iterator[Feature]:
    layers = read_layers(source.path, source.crs, source.options.get("layer"))
    vertices = vertex_counts(source, layers)
    row = 0
    for layer in layers:
        frame = layer.frame
        columns = [c for c in frame.columns if c != frame.geometry.name]
        key_col = find_column(columns, key_columns)
        if key_col is None:
            raise FatalInput(
                source.path,
                f"kolom {' of '.join(key_columns[:2])} ontbreekt"
                f"{' in laag ' + layer.name if len(layers) > 1 else ''} "
                f"(gevonden: {', '.join(map(str, columns)) or 'geen'})",
            )
        crs = CRS.from_user_input(frame.crs)
        where = f" (laag {layer.name})" if len(layers) > 1 else ""
        for record, prepared in layer_features(frame, crs, vertices[layer.name], places):
            row += 1
            report.read += 1
            key = key_text(record.get(key_col))
            plan_id = key if key_field == "plan_id" else None  # ingest_problemen.plan_id is for plans only
            if key is None:
                report.reject(
                    row,
                    None,
                    key_col,
                    Problem(
                        key_field, None, FOUT, "sleutel_ontbreekt", f"{key_col} is leeg; geometrie niet geladen{where}"
                    ),
                )
                continue
            if plan_key(key) in private_ids:
                report.not_public += 1  # a non-public plan's area: never checked, reported or kept
                continue
            if isinstance(prepared, Rejection):
                report.reject(
                    row,
                    plan_id,
                    "geometrie",
                    Problem("geometrie", key, prepared.severity, prepared.code, prepared.message + where),
                )
                continue
            cleaned, geom_rd, issue = prepared
            if issue is not None:
                report.add(
                    row,
                    plan_id,
                    "geometrie",
                    Problem("geometrie", key, issue.severity, issue.code, issue.message + where),
                )
            yield Feature(row, key, record, cleaned, geom_rd, crs, issue is not None)
