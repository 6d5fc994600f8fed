"""Coordinate reference systems used by the project.

All distances and areas are computed in :data:`METRIC_CRS`, VN-2000 / TM-3 zone
with central meridian 105°45' (EPSG:9210), the provincial zone of Cao Bằng.
WGS 84 is used only at the edges (web maps, GeoJSON). CRSs are always named by
EPSG code: a proj4 string drops the VN-2000 datum shift (about 200 m).
"""

from __future__ import annotations

import geopandas as gpd
import pyproj

__all__ = ["METRIC_CRS", "WGS84", "to_metric"]

METRIC_CRS = "EPSG:9210"
WGS84 = "EPSG:4326"


def to_metric(frame: gpd.GeoDataFrame, name: str = "layer") -> gpd.GeoDataFrame:
    """Return ``frame`` in :data:`METRIC_CRS`.

    Raises
    ------
    ValueError
        If ``frame`` has no CRS (a guess would silently misplace features) or
        one that cannot be converted (a local engineering CRS).
    """
    if frame.crs is None:
        raise ValueError(f"{name} has no coordinate reference system; set one (for example EPSG:4326)")
    if frame.crs.to_epsg() == 9210:
        return frame
    try:
        return frame.to_crs(METRIC_CRS)
    except pyproj.exceptions.ProjError as exc:
        raise ValueError(f"{name}: cannot convert from {frame.crs.name} to {METRIC_CRS} ({exc})") from exc
