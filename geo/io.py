"""Write the command line's result tables (CSV, GeoPackage, GeoJSON).

Users' files are read by :mod:`geo.importer` (the same readers, words and
checks as an import); reports for people are written by :mod:`geo.dataexport`.
This module writes machine-readable results: column names as they are.

Examples
--------
>>> import tempfile, pathlib, geopandas as gpd, shapely
>>> frame = gpd.GeoDataFrame({"household_id": ["H1"]}, geometry=[shapely.Point(106.25, 22.66)], crs=4326)
>>> path = write_table(frame, pathlib.Path(tempfile.mkdtemp()) / "homes.csv")
>>> path.read_text(encoding="utf-8-sig").splitlines()
['household_id,lon,lat', 'H1,106.25,22.66']
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.crs import WGS84
from geo.dataexport import csv_bytes
from geo.i18n import Refusal

__all__ = ["write_table"]

WRITE_SUFFIXES = (".csv", ".gpkg", ".geojson")


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a result by the file's extension.

    ``.csv`` is UTF-8 with a byte-order mark (Excel shows Vietnamese
    correctly), with ``lon``/``lat`` columns for point geometries; ``.gpkg``
    keeps the CRS; ``.geojson`` is written in WGS 84 (RFC 7946).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WRITE_SUFFIXES:
        raise Refusal("out_err_type", path=path, choices=", ".join(WRITE_SUFFIXES))
    if not path.parent.exists():
        raise Refusal("cli_err_no_folder", path=path.parent)
    if suffix == ".csv":
        path.write_bytes(csv_bytes(frame))
        return path
    if not isinstance(frame, gpd.GeoDataFrame):
        raise Refusal("out_err_geometry", path=path)
    out = frame.to_crs(WGS84) if suffix == ".geojson" else frame
    path.unlink(missing_ok=True)
    pyogrio.write_dataframe(out, path)
    return path
