"""Coordinate reference systems used by the project.

All distances and areas are computed in :data:`METRIC_CRS`, VN-2000 / TM-3 zone
with central meridian 105°45' (EPSG:9210), the provincial zone of Cao Bằng.
WGS 84 is used only at the edges (web maps, GeoJSON). CRSs are always named by
EPSG code: a proj4 string drops the VN-2000 datum shift (about 200 m).

Files name VN-2000 in many ways and often without its datum shift (a .prj from
ArcGIS, QGIS or MapInfo has no TOWGS84); :func:`recognise_crs` replaces such a
CRS with the EPSG one, so the shift is kept.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pyproj
import shapely

__all__ = ["METRIC_CRS", "WGS84", "VN2000_EPSG", "recognise_crs", "to_metric", "lonlat", "with_lonlat"]

METRIC_CRS = "EPSG:9210"
WGS84 = "EPSG:4326"

#: VN-2000 and its projected systems in the EPSG dataset: geographic (4756),
#: UTM zones 48N and 49N (3405, 3406), and the TM-3 zones (k = 0.9999) with
#: central meridians 102°, 105°, 108°, 107°45' (5896-5899) and 103° to 108°30'
#: (9205-9218; Cao Bằng's 105°45' is 9210, its neighbours 105°30', 106°,
#: 106°15' and 106°30' are 9209, 9211-9213).
VN2000_EPSG = (4756, 3405, 3406, 5896, 5897, 5898, 5899, *range(9205, 9219))

_VN2000_NAME = re.compile(r"(?:vn|vietnam)2000")  # in a name stripped of all but letters and digits
_VN2000_SHIFT = (-191.90441429, -39.30318279, -111.45032835)  # metres, VN-2000 to WGS 84 (EPSG dataset)
_SHIFT_TOLERANCE = 2.0  # metres: both EPSG transformations of VN-2000 are this close
_WGS84_ELLIPSOID = (6378137.0, 298.257223563)  # VN-2000 uses the WGS 84 ellipsoid
_TM3_SCALE = 0.9999  # only VN-2000's 3° zones use Transverse Mercator with this scale in Vietnam


def _projection(crs: pyproj.CRS) -> tuple | None:
    """What places coordinates, datum aside: method and parameters, or None if not in metres or degrees."""
    if crs.is_geographic:
        return ("geographic",)
    operation = crs.coordinate_operation
    if operation is None or crs.axis_info[0].unit_conversion_factor != 1.0:
        return None
    return (operation.method_name, *sorted((p.name, round(p.value, 7)) for p in operation.params))


@lru_cache(maxsize=1)
def _vn2000_by_projection() -> dict[tuple, int]:
    return {_projection(pyproj.CRS.from_epsg(code)): code for code in VN2000_EPSG}


def _names_vn2000(crs: pyproj.CRS) -> bool:
    names = [crs.name, crs.datum.name if crs.datum else "", crs.geodetic_crs.name if crs.geodetic_crs else ""]
    return any(_VN2000_NAME.search(re.sub(r"[^a-z0-9]", "", name.lower())) for name in names)


def _shifts_like_vn2000(crs: pyproj.CRS) -> bool:
    """A TOWGS84 (bound CRS) whose translation is VN-2000's, whatever the datum is called."""
    if not crs.is_bound or crs.coordinate_operation is None:
        return False
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    shift = [params.get(f"{axis}-axis translation") for axis in "XYZ"]
    return None not in shift and all(abs(a - b) <= _SHIFT_TOLERANCE for a, b in zip(shift, _VN2000_SHIFT))


def _on_wgs84_ellipsoid(crs: pyproj.CRS) -> bool:
    ellipsoid = crs.ellipsoid
    return ellipsoid is not None and all(
        abs(a - b) < 1e-6 for a, b in zip((ellipsoid.semi_major_metre, ellipsoid.inverse_flattening), _WGS84_ELLIPSOID)
    )


def _tm3_zone(projection: tuple | None) -> bool:
    return projection is not None and ("Scale factor at natural origin", _TM3_SCALE) in projection


def recognise_crs(crs: Any) -> pyproj.CRS | None:
    """The CRS to read a file's coordinates with: VN-2000 in any spelling becomes its EPSG CRS.

    VN-2000 is recognised by a name (``D_Vietnam_2000``, ``Vietnam_2000``,
    ``VN_2000``, ``VN-2000``, ``GCS_VN_2000`` ...) on the WGS 84 ellipsoid, by a
    TOWGS84 with VN-2000's shift, or by a 3° Transverse Mercator zone
    (k = 0.9999) on the WGS 84 ellipsoid, which MapInfo and GDAL write with
    the WGS 84 datum, dropping the shift. It is replaced by the EPSG CRS with
    the same projection (:data:`VN2000_EPSG`), or, for a projection without
    one, by the same projection on the EPSG VN-2000 datum, whose transformation
    to WGS 84 is the TOWGS84 (-191.90441429, -39.30318279, -111.45032835,
    -0.00928836, 0.01975479, -0.00427372, 0.252906278). Any other CRS is
    returned as it is; one that places nothing on the earth (MapInfo
    "NonEarth", a local engineering CRS) gives ``None``: guess it from the
    coordinates.

    Examples
    --------
    >>> prj = ('PROJCS["VN_2000_TM3_105_45",GEOGCS["GCS_VN_2000",DATUM["D_Vietnam_2000",'
    ...        'SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],'
    ...        'UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    ...        'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],'
    ...        'PARAMETER["Central_Meridian",105.75],PARAMETER["Scale_Factor",0.9999],'
    ...        'PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')
    >>> recognise_crs(prj).to_epsg()
    9210
    >>> recognise_crs("+proj=utm +zone=48 +ellps=WGS84 +towgs84=-191.9,-39.3,-111.5 +units=m").to_epsg()
    3405
    >>> recognise_crs("EPSG:32648").to_epsg(), recognise_crs('LOCAL_CS["Nonearth",UNIT["Meter",1]]') is None
    (32648, True)
    """
    crs = pyproj.CRS.from_user_input(crs)
    if crs.is_engineering:
        return None
    base = crs.source_crs if crs.is_bound else crs
    projection = _projection(base)
    if projection is None or not _on_wgs84_ellipsoid(base):
        return crs
    code = _vn2000_by_projection().get(projection)
    if not (_names_vn2000(base) or _shifts_like_vn2000(crs) or (code and _tm3_zone(projection))):
        return crs
    if code:
        return pyproj.CRS.from_epsg(code)
    return pyproj.crs.ProjectedCRS(
        base.coordinate_operation, name=f"VN-2000 / {base.name}", geodetic_crs=pyproj.CRS.from_epsg(4756)
    )


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


@lru_cache(maxsize=16)
def _to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)


def lonlat(points: gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 longitudes and latitudes of point geometries (NaN where a point is missing or empty).

    The coordinates are transformed as arrays, without building new geometries
    (what ``points.to_crs(WGS84).x`` gives, in a fraction of the time).

    >>> import shapely
    >>> lon, lat = lonlat(gpd.GeoSeries([shapely.Point(552000, 2508000), None], crs="EPSG:9210"))
    >>> [round(float(lon[0]), 4), round(float(lat[0]), 4)], bool(np.isnan(lon[1]))
    ([106.2579, 22.6705], True)
    """
    x, y = shapely.get_x(points.values), shapely.get_y(points.values)
    if points.crs is None or points.crs == WGS84:
        return x, y
    lon, lat = _to_wgs84(points.crs).transform(x, y)
    missing = np.isnan(x) | np.isnan(y)  # PROJ makes NaN infinite
    return np.where(missing, np.nan, lon), np.where(missing, np.nan, lat)


def with_lonlat(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """``points`` with WGS 84 ``lon``/``lat`` columns rounded to 5 decimals (about 1 m), for the web map.

    >>> import shapely
    >>> frame = gpd.GeoDataFrame(geometry=[shapely.Point(106.251234, 22.663456)], crs=WGS84)
    >>> with_lonlat(frame)[["lon", "lat"]].values.tolist()
    [[106.25123, 22.66346]]
    """
    lon, lat = lonlat(points.geometry)
    return points.assign(lon=np.round(lon, 5), lat=np.round(lat, 5))
