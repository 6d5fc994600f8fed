"""Infer the coordinate reference system of coordinates that come without one.

Tables from communes and surveyors often give two coordinate columns and no
CRS. Four readings are plausible in Cao Bằng (:data:`CANDIDATES`):

* WGS 84 longitude/latitude in degrees (EPSG:4326), e.g. from a phone;
* VN-2000 / TM-3 zone 105°45' (EPSG:9210), the province's official zone;
* VN-2000 / UTM zone 48N (EPSG:3405);
* WGS 84 / UTM zone 48N (EPSG:32648), e.g. from a handheld GPS.

Each candidate is tried with the columns as given and swapped (Vietnamese
survey tables often call the northing "X" and the easting "Y", the opposite of
the GIS habit); the reading that puts the largest share of points inside a
padded box around the province (:data:`PROVINCE_BOX`) wins.

Degrees are told from metres by magnitude, and the TM-3 zone from UTM by its
central meridian (105°45' against 105°, both with a false easting of
500 000 m), which shifts points by about 0.75° of longitude. VN-2000 / UTM and
WGS 84 / UTM differ only by the datum shift (about 200 m), which no box can
see. Nor can it tell TM-3 from UTM for points covering only part of the
province (one western district, say): shifted by 0.75° they still fall inside.
When several readings put at least :data:`SURE_SHARE` of the points inside,
the province's official zone EPSG:9210 is preferred, then EPSG:3405; the
guess is then :attr:`CrsGuess.ambiguous` and the others are named in
:meth:`CrsGuess.describe`, so that the user can confirm.

CRSs are named by EPSG code only: a proj4 string drops the VN-2000 datum shift.

Examples
--------
>>> g = guess_crs([106.25, 105.9], [22.67, 22.95])
>>> g.crs, g.swapped, g.share_inside
('EPSG:4326', False, 1.0)
>>> guess_crs([22.67, 22.95], [106.25, 105.9]).swapped  # (lat, lon) columns
True
>>> g = guess_crs([2508000.0, 2540000.0], [552000.0, 520000.0])  # X = northing
>>> g.crs, g.swapped
('EPSG:9210', True)
>>> g.describe()
'VN-2000 / TM-3 105-45 (EPSG:9210), X = northing: 100% of points in Cao Bằng'
>>> to_points([106.25], [22.67], "EPSG:4326").crs.to_epsg()
9210
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from numpy.typing import ArrayLike, NDArray

from geo.crs import METRIC_CRS, WGS84
from geo.i18n import fmt_percent, t

__all__ = [
    "CANDIDATES",
    "PROVINCE_BOX",
    "SURE_SHARE",
    "MIN_SHARE",
    "CrsGuess",
    "guess_crs",
    "to_points",
]

#: The CRSs tried, as EPSG codes.
CANDIDATES = ("EPSG:4326", "EPSG:9210", "EPSG:3405", "EPSG:32648")

#: Cao Bằng (lon 105.27–106.84, lat 22.35–23.12) padded by about 10 km:
#: (min lon, min lat, max lon, max lat) in WGS 84 degrees.
PROVINCE_BOX = (105.2, 22.25, 106.95, 23.2)

#: A reading that puts at least this share of the points in the box is taken
#: as fitting; among several such readings the preferred CRS wins.
SURE_SHARE = 0.95

#: Below this share no CRS is given (:attr:`CrsGuess.crs` is ``None``).
MIN_SHARE = 0.5

# Order of preference among readings that fit equally well: the province's
# official zone first, then the VN-2000 UTM zone.
_PREFERENCE = ("EPSG:9210", "EPSG:3405", "EPSG:32648", "EPSG:4326")


@dataclass(frozen=True)
class CrsGuess:
    """The outcome of :func:`guess_crs`.

    Attributes
    ----------
    crs : str or None
        Best EPSG code, ``None`` if no reading puts at least
        :data:`MIN_SHARE` of the points in the province.
    swapped : bool
        ``True`` if the columns are (northing, easting) or (lat, lon) and must
        be swapped before use.
    share_inside : float
        Share (0–1) of the valid points inside :data:`PROVINCE_BOX` with the
        best reading (also given when ``crs`` is ``None``).
    alternatives : tuple of (str, bool, float)
        Every reading tried, as ``(crs, swapped, share)``, best first.

    Examples
    --------
    >>> g = CrsGuess("EPSG:4326", True, 0.5, (("EPSG:4326", True, 0.5),))
    >>> g.describe()
    'WGS 84 (EPSG:4326), columns are (lat, lon): 50% of points in Cao Bằng'
    """

    crs: str | None
    swapped: bool
    share_inside: float
    alternatives: tuple[tuple[str, bool, float], ...]

    def describe(self, lang: str = "en") -> str:
        """One line for the user: the reading chosen and the share of points it puts in the province.

        Other readings that fit as well (typically WGS 84 / UTM beside
        VN-2000 / UTM, which differ by the datum shift only) are named, so that
        the user can check the source.

        Examples
        --------
        >>> CrsGuess(None, False, 0.0, ()).describe()
        'No coordinates to place'
        >>> CrsGuess(None, False, 0.1, (("EPSG:3405", False, 0.1),)).describe()
        'No candidate CRS places the points in Cao Bằng (best: VN-2000 / UTM zone 48N (EPSG:3405), X = easting, 10%)'
        >>> CrsGuess("EPSG:9210", True, 1.0, (("EPSG:9210", True, 1.0),)).describe("vi")
        'VN-2000 / TM-3 105-45 (EPSG:9210), X = tọa độ hướng Bắc: 100% số điểm nằm trong Cao Bằng'
        """
        if not self.alternatives:
            return t("crs_no_points", lang)
        if self.crs is None:
            crs, swapped, share = self.alternatives[0]
            return t("crs_none_fits", lang, best=f"{_reading(crs, swapped, lang)}, {fmt_percent(share, 0, lang)}")
        line = t("crs_fits", lang, reading=_reading(self.crs, self.swapped, lang),
                 share=fmt_percent(self.share_inside, 0, lang))
        also = [f"{_reading(crs, swapped, lang)} ({fmt_percent(share, 0, lang)})" for crs, swapped, share in self._rivals()]
        if also:
            line += t("crs_also_fits", lang, others=", ".join(also))
        return line

    @property
    def ambiguous(self) -> bool:
        """``True`` if another CRS also puts at least :data:`SURE_SHARE` of the points in the province.

        Always so for UTM coordinates (VN-2000 and WGS 84 differ by about
        200 m only), and for points that cover only part of the province, such
        as one western district: shifted by the 0.75° between the TM-3 and UTM
        central meridians, they still fall in the province. Ask the user to
        confirm an ambiguous guess.

        Examples
        --------
        >>> guess_crs([546000.0], [2508000.0]).ambiguous  # one point fits TM-3 and UTM
        True
        >>> guess_crs([106.25], [22.67]).ambiguous
        False
        """
        return bool(self._rivals())

    def _rivals(self) -> list[tuple[str, bool, float]]:
        return [
            (crs, swapped, share)
            for crs, swapped, share in self.alternatives
            if share >= SURE_SHARE and self.crs is not None and crs != self.crs
        ]


@lru_cache(maxsize=None)
def _crs_name(crs: str) -> str:
    return pyproj.CRS.from_user_input(crs).name


def _reading(crs: str, swapped: bool, lang: str = "en") -> str:
    if pyproj.CRS.from_user_input(crs).is_geographic:
        order = "crs_lat_lon" if swapped else "crs_lon_lat"
    else:
        order = "crs_x_north" if swapped else "crs_x_east"
    return f"{_crs_name(crs)} ({crs}), {t(order, lang)}"


@lru_cache(maxsize=None)
def _transformer(source: str, target: str) -> pyproj.Transformer:
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def _epsg(crs: str | int) -> str:
    """Return ``crs`` as ``"EPSG:<code>"``, refusing anything that is not an EPSG code."""
    text = str(crs).strip().upper()
    code = text.removeprefix("EPSG:")
    if not code.isdigit():
        raise ValueError(f"give the CRS as an EPSG code such as 'EPSG:9210', not {crs!r}")
    return f"EPSG:{int(code)}"


def _as_float(values: ArrayLike) -> NDArray[np.float64]:
    array = np.asarray(values)
    if array.ndim != 1:
        array = array.reshape(-1)
    if array.dtype.kind in "biuf":
        return array.astype(float)
    # Text or mixed columns: anything that is not a number becomes NaN.
    return pd.to_numeric(pd.Series(array, dtype=object), errors="coerce").to_numpy(float)


def _columns(x: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    xs, ys = _as_float(x), _as_float(y)
    if xs.shape != ys.shape:
        raise ValueError(f"x and y differ in length ({xs.size} and {ys.size})")
    return xs, ys


def _share_inside(xs: NDArray[np.float64], ys: NDArray[np.float64], crs: str) -> float:
    """Share of the points (given in ``crs``, x = easting/lon) inside the province box."""
    if xs.size == 0:
        return 0.0
    if crs == WGS84:
        lon, lat = xs, ys
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            lon, lat = _transformer(crs, WGS84).transform(xs, ys)
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    min_lon, min_lat, max_lon, max_lat = PROVINCE_BOX
    # Non-finite results (out of the projection's domain) compare False: outside.
    inside = (lon >= min_lon) & (lon <= max_lon) & (lat >= min_lat) & (lat <= max_lat)
    return float(inside.mean())


def _rank(reading: tuple[str, bool, float]) -> tuple[bool, float, int, bool]:
    crs, swapped, share = reading
    sure = share >= SURE_SHARE
    # Fitting readings by preference; the others by share, then preference.
    return (not sure, 0.0 if sure else -share, _PREFERENCE.index(crs), swapped)


def guess_crs(x: ArrayLike, y: ArrayLike) -> CrsGuess:
    """Guess the CRS and column order of coordinates in Cao Bằng.

    Parameters
    ----------
    x, y : array_like
        The two coordinate columns, in the order the table gives them. Missing
        values (NaN, or text that is not a number) are ignored, pairwise.

    Returns
    -------
    CrsGuess
        The best reading and every reading tried.

    Raises
    ------
    ValueError
        If ``x`` and ``y`` differ in length.

    Examples
    --------
    >>> g = guess_crs([546000.0, float("nan")], [2508000.0, 2510000.0])
    >>> g.crs, g.swapped, g.share_inside
    ('EPSG:9210', False, 1.0)
    >>> guess_crs([105.85], [21.03]).crs is None  # Hà Nội
    True
    """
    xs, ys = _columns(x, y)
    valid = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[valid], ys[valid]
    readings = [
        (crs, swapped, _share_inside(ys, xs, crs) if swapped else _share_inside(xs, ys, crs))
        for crs in CANDIDATES
        for swapped in (False, True)
    ]
    if xs.size == 0:
        return CrsGuess(None, False, 0.0, ())
    ranked = tuple(sorted(readings, key=_rank))
    crs, swapped, share = ranked[0]
    if share < MIN_SHARE:
        return CrsGuess(None, False, share, ranked)
    return CrsGuess(crs, swapped, share, ranked)


def to_points(x: ArrayLike, y: ArrayLike, crs: str, swapped: bool = False) -> gpd.GeoSeries:
    """Build points in :data:`geo.crs.METRIC_CRS` (EPSG:9210) from raw columns.

    Parameters
    ----------
    x, y : array_like
        The two coordinate columns as the table gives them. Where either is
        missing (or not a number) the point is missing (``None``).
    crs : str
        EPSG code of the coordinates, e.g. from :func:`guess_crs`. Proj4 strings
        are refused: they drop the VN-2000 datum shift.
    swapped : bool, default False
        ``True`` if the columns are (northing, easting) or (lat, lon).

    Returns
    -------
    geopandas.GeoSeries
        One point per row, in EPSG:9210, with the index of ``x`` if it has one.

    Raises
    ------
    ValueError
        If ``crs`` is not an EPSG code or ``x`` and ``y`` differ in length.

    Examples
    --------
    >>> s = to_points([2508000.0, None], [552000.0, 520000.0], "EPSG:9210", swapped=True)
    >>> s.iloc[0].wkt, s.iloc[1] is None
    ('POINT (552000 2508000)', True)
    """
    source = _epsg(crs)
    xs, ys = _columns(x, y)
    if swapped:
        xs, ys = ys, xs
    valid = np.isfinite(xs) & np.isfinite(ys)
    east, north = np.full(xs.shape, np.nan), np.full(ys.shape, np.nan)
    if valid.any():
        east[valid], north[valid] = _transformer(source, METRIC_CRS).transform(xs[valid], ys[valid])
    valid &= np.isfinite(east) & np.isfinite(north)
    geometry = np.where(valid, shapely.points(np.where(valid, east, 0.0), np.where(valid, north, 0.0)), None)
    index = x.index if isinstance(x, pd.Series) and len(x.index) == xs.size else None
    return gpd.GeoSeries(geometry, index=index, crs=METRIC_CRS)
