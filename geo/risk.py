"""The disaster-prevention officer's view: flagged households under filters.

One function, :func:`filter_register`, applies the filters that the app's risk
page and the exports share, so that the map, the counts and the table always
agree.

Examples
--------
>>> from geo.dataset import load
>>> from geo.hazards import flag_register
>>> ds = load()
>>> flagged = flag_register(ds.households, ds.zones, ds.communes(2020))
>>> high = filter_register(flagged, min_level=4)
>>> bool((high["level"] >= 4).all()), len(high) < len(flagged)
(True, True)
"""

from __future__ import annotations

from collections.abc import Collection

import geopandas as gpd
import pandas as pd
import shapely

from geo import resettlement
from geo.crs import METRIC_CRS, WGS84
from geo.hazards import HAZARD_TYPES

__all__ = ["filter_register", "selected_level", "nearest_household"]


def selected_level(flagged: pd.DataFrame, types: Collection[str] = HAZARD_TYPES) -> pd.Series:
    """Highest level over the chosen hazard types (0 = in none of them)."""
    unknown = set(types) - set(HAZARD_TYPES)
    if unknown:
        raise ValueError(f"unknown hazard type(s) {sorted(unknown)}; use {', '.join(HAZARD_TYPES)}")
    if not types:
        return pd.Series(0, index=flagged.index, dtype="int8")
    return flagged[[f"level_{t}" for t in types]].max(axis=1).astype("int8")


def filter_register(
    flagged: pd.DataFrame,
    types: Collection[str] = HAZARD_TYPES,
    min_level: int = 4,
    communes: Collection[str] | None = None,
    ethnicities: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    at_risk_only: bool = False,
) -> pd.DataFrame:
    """Households in zones of the chosen types at or above ``min_level``, filtered.

    Parameters
    ----------
    flagged : DataFrame
        The output of :func:`geo.hazards.flag_register` (with ``ma_xa_located``
        when commune polygons were given).
    types : collection of str
        Hazard types that count.
    min_level : int
        Lowest level that counts (1-5).
    communes, ethnicities, statuses : collection of str, optional
        Keep only these communes (by located commune when known, else the
        register's), ethnic groups, resettlement statuses; ``None`` keeps all.
    at_risk_only : bool
        Keep only the programme's at-risk households: ethnic-minority and
        living scattered.

    Returns
    -------
    DataFrame
        The matching rows of ``flagged`` with a ``level`` column (highest level
        over ``types``) and ``at_risk``.
    """
    if not 1 <= min_level <= 5:
        raise ValueError(f"min_level must be 1-5, got {min_level}")
    level = selected_level(flagged, types)
    keep = level >= min_level
    commune = flagged["ma_xa_located"] if "ma_xa_located" in flagged else flagged["ma_xa"]
    if communes is not None:
        keep &= commune.isin(list(communes))
    if ethnicities is not None:
        keep &= flagged["ethnicity"].isin(list(ethnicities))
    if statuses is not None:
        keep &= flagged["resettlement_status"].isin(list(statuses))
    at_risk = resettlement.at_risk(flagged, pd.DataFrame({"max_level": level}), min_level)
    if at_risk_only:
        keep &= at_risk
    out = flagged.loc[keep].copy()
    out["level"] = level[keep]
    out["at_risk"] = at_risk[keep]
    return out


def nearest_household(frame: gpd.GeoDataFrame, lon: float, lat: float, max_m: float = 50.0) -> pd.Series | None:
    """The household of ``frame`` nearest to a clicked point (WGS 84), if within ``max_m``."""
    if frame.empty:
        return None
    click = gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    points = frame.geometry.to_crs(METRIC_CRS).values
    distance = shapely.distance(points, click)
    best = int(distance.argmin())
    return frame.iloc[best] if distance[best] <= max_m else None
