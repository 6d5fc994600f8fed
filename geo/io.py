"""Read and write the layers the command line works on.

A thin layer over pyogrio: any vector format GDAL reads (GeoPackage,
Shapefile, GeoJSON, KML, FlatGeobuf, ...) plus tables (CSV, XLSX) whose
points are given as ``lon``/``lat`` columns in WGS 84. Every problem is raised
as :class:`InputError`, whose message names the file and, where it can, the
row or column, and says what to do.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "homes.csv"
>>> _ = path.write_text("household_id,lon,lat\\nH1,106.25,22.66\\n", encoding="utf-8")
>>> read_points(path).crs.to_epsg(), len(read_points(path))
(4326, 1)
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.crs import WGS84, to_metric
from geo.hazards import HazardZones

__all__ = ["InputError", "read_layer", "read_points", "read_zones", "write_table", "csv_bytes"]

TABLE_SUFFIXES = (".csv", ".xlsx", ".xls")
WRITE_SUFFIXES = (".csv", ".gpkg", ".geojson")


class InputError(ValueError):
    """A problem with a user's file, explained in one line."""


def _exists(path: str | Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: file not found")
    if path.is_dir() and path.suffix.lower() not in (".gdb",):
        raise InputError(f"{path}: is a folder; give a file")
    return path


def read_layer(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read a vector layer with pyogrio; the first layer when ``layer`` is None."""
    path = _exists(path)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer)
    except Exception as exc:  # pyogrio raises several DataSourceError kinds
        raise InputError(f"{path}: cannot be read as a vector layer ({exc})") from exc
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise InputError(f"{path}: has no geometry; for a table give lon/lat columns in a .csv or .xlsx")
    if frame.crs is None:
        raise InputError(f"{path}: has no coordinate reference system (a Shapefile without .prj?); add one")
    try:
        to_metric(frame.iloc[:1], str(path))
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return frame


def _read_table(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() == ".csv":
            return pd.read_csv(path, dtype=str, encoding="utf-8-sig")
        return pd.read_excel(path, dtype=str, engine="calamine")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: is not UTF-8 text; save it as UTF-8 (legacy encodings: use `geo import`)") from exc
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as a table ({exc})") from exc


def _coordinates(table: pd.DataFrame, path: Path) -> tuple[np.ndarray, np.ndarray]:
    lower = {str(c).strip().lower(): c for c in table.columns}
    missing = [name for name in ("lon", "lat") if name not in lower]
    if missing:
        raise InputError(
            f"{path}: no column {' or '.join(missing)}; give longitude and latitude in WGS 84 as 'lon' and 'lat'"
        )
    coords = []
    for name in ("lon", "lat"):
        raw = table[lower[name]].astype(str).str.strip().str.replace(",", ".", regex=False)
        number = pd.to_numeric(raw, errors="coerce")
        bad = number.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                f"{path}: row {row + 2}, column '{lower[name]}': {table[lower[name]].iloc[row]!r} is not a number "
                f"({int(bad.sum())} such rows); fix or remove them"
            )
        coords.append(number.to_numpy(float))
    lon, lat = coords
    out = (np.abs(lon) > 180) | (np.abs(lat) > 90)
    if out.any():
        row = int(np.flatnonzero(out)[0])
        raise InputError(
            f"{path}: row {row + 2}: ({lon[row]}, {lat[row]}) is not a longitude/latitude; "
            "projected coordinates (VN-2000) need `geo import --crs`"
        )
    return lon, lat


def read_points(path: str | Path, layer: str | None = None) -> gpd.GeoDataFrame:
    """Read point features: a vector layer, or a CSV/XLSX with ``lon``/``lat``."""
    path = _exists(path)
    if path.suffix.lower() in TABLE_SUFFIXES:
        table = _read_table(path)
        lon, lat = _coordinates(table, path)
        frame = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
    else:
        frame = read_layer(path, layer)
    kinds = set(frame.geometry.dropna().geom_type)
    if kinds - {"Point"}:
        raise InputError(f"{path}: holds {', '.join(sorted(kinds))} features; households must be points")
    return frame


def read_zones(path: str | Path, layer: str | None = None) -> HazardZones:
    """Read hazard-zone polygons with ``hazard_type`` and ``level`` columns, validated once.

    Returns :class:`geo.hazards.HazardZones` (coded types and levels,
    EPSG:9210, invalid polygons repaired; the table is its ``frame``), which
    the flagging functions use without validating again.

    >>> import tempfile, pathlib
    >>> from shapely import box
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "zones.geojson"
    >>> gpd.GeoDataFrame({"hazard_type": ["Sạt lở"], "level": ["cao"]}, geometry=[box(106.2, 22.6, 106.3, 22.7)],
    ...                  crs=WGS84).to_file(path)
    >>> zones = read_zones(path)
    >>> len(zones), zones.frame["hazard_type"].tolist(), zones.level.tolist(), zones.frame.crs.to_epsg()
    (1, ['landslide'], [4], 9210)
    """
    path = _exists(path)
    frame = read_layer(path, layer)
    for column in ("hazard_type", "level"):
        if column not in frame:
            raise InputError(
                f"{path}: no '{column}' column (columns: {', '.join(map(str, frame.columns))}); "
                "see the README's input schema"
            )
    kinds = set(frame.geometry.dropna().geom_type)
    if kinds - {"Polygon", "MultiPolygon"}:
        raise InputError(f"{path}: holds {', '.join(sorted(kinds))} features; hazard zones must be polygons")
    try:
        return HazardZones.prepare(frame, name=str(path))
    except ValueError as exc:
        message = str(exc)
        raise InputError(message if message.startswith(str(path)) else f"{path}: {message}") from exc


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a result by the file's extension.

    ``.csv`` is UTF-8 with a byte-order mark (Excel shows Vietnamese
    correctly), with ``lon``/``lat`` columns for point geometries; ``.gpkg``
    keeps the CRS; ``.geojson`` is written in WGS 84 (RFC 7946).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise InputError(f"{path}: unknown output type; use one of {', '.join(WRITE_SUFFIXES)}")
    if not path.parent.exists():
        raise InputError(f"{path}: folder {path.parent} does not exist")
    if suffix == ".csv":
        path.write_bytes(csv_bytes(frame))
        return path
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputError(f"{path}: this result has no geometry; write it as .csv")
    out = frame.to_crs(WGS84) if suffix == ".geojson" else frame
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(out, path)
    return path


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as UTF-8 with a byte-order mark (so Excel reads Vietnamese).

    Points become ``lon``/``lat`` columns (WGS 84); other geometries are left
    out (a CSV is a table: use GeoPackage or GeoJSON for shapes).
    """
    table = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        if (frame.geom_type == "Point").all():
            points = frame.geometry.to_crs(WGS84)
            table["lon"], table["lat"] = points.x.round(7), points.y.round(7)
    return table.to_csv(index=False).encode("utf-8-sig")
