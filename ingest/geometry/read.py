"""Geometry files (GeoPackage, GeoJSON, zipped Shapefile) -> features with their CRS.

I/O at the edge: everything that can be wrong with the *file* (missing, corrupt,
unsafe zip, no CRS) is a FatalInput naming the file; what can be wrong with one
*feature* is left to the caller, which reports it per row.
"""

from __future__ import annotations

import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pyogrio
from pyproj import CRS
from pyproj.exceptions import CRSError

from .. import limits
from ..errors import FatalInput

if TYPE_CHECKING:
    import geopandas

SUFFIXES = (".gpkg", ".geojson", ".json", ".zip", ".shp")


@dataclass
class Layer:
    name: str
    frame: geopandas.GeoDataFrame  # in the file's (or the given) CRS


def _check_zip(path: Path) -> list[str]:
    """Entries of a zipped Shapefile; refuse anything that could escape or point elsewhere.

    We read through GDAL's /vsizip/ and never extract, but a zip with such entries is
    not what a supplier sends, so it is refused rather than half-read.
    """
    infos = limits.zip_entries(path, "zip-bestand")  # sizes, ratio, .. paths and links
    _verify_sizes(path, infos)
    names = [info.filename for info in infos]
    shps = [n for n in names if n.lower().endswith(".shp") and not n.startswith("__MACOSX/")]
    if not shps:
        raise FatalInput(path, "zip-bestand bevat geen .shp-bestand")
    return shps


def _verify_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Decompress each entry once, in chunks, to check it is no larger than it says.

    GDAL's /vsizip/ may trust the data over the declared size; Python's zipfile stops
    at the declared size and checks the CRC, so a lying entry is caught here, with
    memory bounded by the chunk size.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                with zf.open(info) as f:
                    while f.read(1 << 20):
                        pass
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise FatalInput(
            path, f"zip-bestand is beschadigd of niet leesbaar ({exc.__class__.__name__}: {str(exc)[:120]})"
        )


def _crs_from_manifest(path: Path, value: str) -> CRS:
    try:
        return CRS.from_user_input(value.strip())
    except CRSError:
        raise FatalInput(path, f"crs {value!r} uit het manifest is onbekend (bijvoorbeeld EPSG:28992)")


def _read(path: Path, gdal_path: str, layer: str | None):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # GDAL chatter (e.g. missing .prj) is handled below
            # a geometry GEOS cannot build (an unclosed ring, NaN) becomes None: reported per feature
            return pyogrio.read_dataframe(gdal_path, layer=layer, on_invalid="ignore")
    except (
        pyogrio.errors.DataSourceError,
        pyogrio.errors.DataLayerError,
        pyogrio.errors.FieldError,
        pyogrio.errors.GeometryError,
        pyogrio.errors.CRSError,
        ValueError,
    ) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        raise FatalInput(path, f"geometriebestand kan niet gelezen worden ({first[:200]})")


def read_layers(path: Path, crs: str | None = None, layer: str | None = None) -> list[Layer]:
    """Every layer of the file, each with a CRS (from the file, else from the manifest)."""
    if not path.is_file():
        raise FatalInput(path, "bestand bestaat niet")
    if path.stat().st_size == 0:
        raise FatalInput(path, "bestand is leeg")
    limits.check_file_size(path)
    if path.suffix.lower() not in SUFFIXES:
        raise FatalInput(
            path,
            "onbekend geometrieformaat; gebruik GeoPackage (.gpkg), GeoJSON (.geojson) of een gezipte Shapefile (.zip)",
        )
    sources: list[tuple[str, str, str | None]]  # (layer name, GDAL path, layer to read)
    if path.suffix.lower() == ".zip":
        sources = [(PurePosixPath(s).stem, f"/vsizip/{path}/{s}", None) for s in _check_zip(path)]
    else:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # GDAL chatter; a real problem raises below
                names = [n for n, _ in pyogrio.list_layers(str(path))] if layer is None else [layer]
        except (pyogrio.errors.DataSourceError, ValueError) as exc:
            raise FatalInput(path, f"geometriebestand kan niet gelezen worden ({str(exc).splitlines()[0][:200]})")
        sources = [(n, str(path), n) for n in names]
    given = _crs_from_manifest(path, crs) if crs else None
    layers = []
    for name, gdal_path, layer_name in sources:
        frame = _read(path, gdal_path, layer_name)
        if frame.crs is None:
            if given is None:
                raise FatalInput(
                    path,
                    "geen coördinatenstelsel (CRS) in het bestand (ontbreekt het .prj-bestand?); "
                    "geef het in het manifest, bijvoorbeeld crs: EPSG:28992",
                )
            frame = frame.set_crs(given)
        # a CRS in the file wins over the manifest's: it travels with the coordinates
        layers.append(Layer(name, frame))
    return layers
