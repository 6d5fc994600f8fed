"""Hazard zones and the flagging of households that lie in them.

Three hazard types (landslide, flash flood, tube flood) and five levels
(1 = very low … 5 = very high). A household gets, for every type, the highest
level among the zones of that type that contain it (or lie within
``buffer_m`` metres of it). All geometry work happens in the metric CRS
EPSG:9210 whatever the inputs' CRS, with one spatial-index query for all
households: no Python loop over households.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box, points
>>> zones = gpd.GeoDataFrame({"hazard_type": ["landslide", "lũ quét"], "level": ["cao", 5]},
...                          geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100)], crs="EPSG:9210")
>>> homes = gpd.GeoDataFrame(geometry=points([[10, 10], [60, 10], [500, 500]]), crs="EPSG:9210")
>>> flags = flag_households(homes, zones)
>>> flags[["level_landslide", "level_flash_flood", "max_level"]].to_numpy().tolist()
[[4, 0, 4], [4, 5, 5], [0, 0, 0]]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._spatial import highest_covering_value, in_threads
from geo.crs import to_metric
from geo.text import loose_key

__all__ = [
    "HAZARD_TYPES",
    "LEVELS",
    "LEVEL_COLUMNS",
    "parse_hazard_types",
    "parse_levels",
    "prepare_zones",
    "levels_at",
    "flag_households",
    "flag_register",
    "changed_between",
]

HAZARD_TYPES = ("landslide", "flash_flood", "tube_flood")
LEVELS = {1: "very_low", 2: "low", 3: "medium", 4: "high", 5: "very_high"}
LEVEL_COLUMNS = [f"level_{t}" for t in HAZARD_TYPES]

_TYPE_ALIASES = {
    "landslide": "landslide", "sat lo": "landslide", "sat lo dat": "landslide", "truot lo": "landslide",
    "flash_flood": "flash_flood", "flash flood": "flash_flood", "lu quet": "flash_flood",
    "tube_flood": "tube_flood", "tube flood": "tube_flood", "lu ong": "tube_flood",
}
_LEVEL_ALIASES = {
    **{name: code for code, name in LEVELS.items()},
    **{name.replace("_", " "): code for code, name in LEVELS.items()},
    **{str(code): code for code in LEVELS},
    "rat thap": 1, "thap": 2, "trung binh": 3, "cao": 4, "rat cao": 5,
}


def _parse(values: pd.Series, aliases: dict, what: str, allowed: str) -> pd.Series:
    # Each distinct value is parsed once. No strip after replacing "-": "-1" (a no-data
    # value) must not become level 1; loose_key already trims.
    codes, uniques = pd.factorize(values.astype(object))
    keys = [loose_key(str(v)).replace("-", " ").removesuffix(".0") for v in uniques]
    lookup = np.array([aliases.get(k) for k in keys] + [None], dtype=object)
    parsed = pd.Series(lookup[codes], index=values.index)  # code -1 (missing) takes the trailing None
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        value = values.iloc[first]
        shown = value.item() if hasattr(value, "item") else value
        raise ValueError(
            f"feature {first + 1}, column '{what}': {shown!r} is not a {what} ({int(bad.sum())} such); "
            f"use one of {allowed}"
        )
    return parsed


def parse_hazard_types(values: pd.Series) -> pd.Series:
    """Hazard types as codes, from English or Vietnamese names (any accents).

    >>> parse_hazard_types(pd.Series(["Sạt lở", "lũ ống", "flash_flood"])).tolist()
    ['landslide', 'tube_flood', 'flash_flood']
    """
    return _parse(values, _TYPE_ALIASES, "hazard_type", "landslide, flash_flood, tube_flood, sạt lở, lũ quét, lũ ống")


def parse_levels(values: pd.Series) -> pd.Series:
    """Hazard levels as integers 1-5, from numbers or English/Vietnamese names.

    >>> parse_levels(pd.Series([3, "very_high", "Rất thấp", "cao"])).tolist()
    [3, 5, 1, 4]
    """
    allowed = "1-5, very_low .. very_high, rất thấp .. rất cao"
    return _parse(values, _LEVEL_ALIASES, "level", allowed).astype("int8")


def prepare_zones(zones: gpd.GeoDataFrame, name: str = "hazard zones") -> gpd.GeoDataFrame:
    """Validate hazard zones and return them in EPSG:9210 with coded columns.

    ``hazard_type`` and ``level`` are parsed (see :func:`parse_hazard_types`,
    :func:`parse_levels`); invalid polygons are repaired with ``make_valid``
    and empty or non-polygonal features raise.
    """
    for column in ("hazard_type", "level"):
        if column not in zones:
            raise ValueError(f"{name} have no '{column}' column (columns: {', '.join(map(str, zones.columns))})")
    frame = to_metric(zones, name).copy()
    frame["hazard_type"] = parse_hazard_types(frame["hazard_type"])
    frame["level"] = parse_levels(frame["level"])
    geoms = frame.geometry.values
    invalid = ~in_threads(shapely.is_valid, geoms)
    if invalid.any():
        # "structure" with keep_collapsed=False gives polygonal output only: no dangling lines
        # (spikes) or points that a buffer would turn into hazard area.
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, [3, 6])
    collections = np.flatnonzero(kinds == 7)
    if len(collections):  # a GeometryCollection is polygonal when all its parts are
        parts, owner = shapely.get_parts(geoms[collections], return_index=True)
        polygonal[collections] = True
        polygonal[collections[owner[~np.isin(shapely.get_type_id(parts), [3, 6])]]] = False
    if (~polygonal | shapely.is_empty(geoms)).any():
        first = frame.index[~polygonal | shapely.is_empty(geoms)][0]
        raise ValueError(f"{name}: feature {first} is not a polygon (or is empty)")
    frame = frame.set_geometry(geoms)
    return frame


def levels_at(x: np.ndarray, y: np.ndarray, zones: gpd.GeoDataFrame, min_level: int = 1) -> np.ndarray:
    """Highest hazard level of each type at points given by their EPSG:9210 coordinates.

    The core of :func:`flag_households`, for callers that hold coordinates
    rather than point geometries (millions of households need no shapely
    objects). A point on a zone's boundary is inside it.

    Parameters
    ----------
    x, y : ndarray of float
        Eastings and northings in EPSG:9210; NaN for a household without a location.
    zones : GeoDataFrame
        Polygons with ``hazard_type`` and ``level`` columns, any CRS.
    min_level : int, default 1
        Zones below this level are ignored.

    Returns
    -------
    ndarray of int8, shape (n, 3)
        Levels in the order of :data:`HAZARD_TYPES`; 0 = in no zone of that type.

    Examples
    --------
    >>> from shapely import box
    >>> zones = gpd.GeoDataFrame({"hazard_type": ["sạt lở", "lũ ống"], "level": [2, "rất cao"]},
    ...                          geometry=[box(0, 0, 10, 10), box(5, 5, 20, 20)], crs="EPSG:9210")
    >>> levels_at(np.array([1.0, 10.0, 30.0]), np.array([1.0, 10.0, 30.0]), zones).tolist()
    [[2, 0, 0], [2, 0, 5], [0, 0, 0]]
    """
    if min_level not in LEVELS:
        raise ValueError(f"min_level must be 1-5, got {min_level}")
    return highest_covering_value(x, y, *_coded(zones, min_level), len(HAZARD_TYPES))


def _coded(zones: gpd.GeoDataFrame, min_level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated zones of ``min_level`` or above: geometries (EPSG:9210), type index, level."""
    zones = prepare_zones(zones)
    zones = zones.loc[zones["level"] >= min_level]
    type_index = zones["hazard_type"].map({t: i for i, t in enumerate(HAZARD_TYPES)}).to_numpy(dtype=np.int64)
    return np.asarray(zones.geometry.values), type_index, zones["level"].to_numpy()


def flag_households(
    households: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    buffer_m: float = 0.0,
    min_level: int = 1,
) -> pd.DataFrame:
    """Highest hazard level of each type for every household.

    Parameters
    ----------
    households : GeoDataFrame
        Point features, any CRS.
    zones : GeoDataFrame
        Polygons with ``hazard_type`` and ``level`` columns, any CRS.
    buffer_m : float, default 0
        A household also counts as inside a zone that lies within this many
        metres of it (measured in EPSG:9210).
    min_level : int, default 1
        Zones below this level are ignored.

    Returns
    -------
    DataFrame
        Aligned on ``households.index``: ``level_landslide``,
        ``level_flash_flood``, ``level_tube_flood`` (0 = in no zone of that
        type), ``max_level`` and ``hazard_types`` (``;``-joined codes of the
        types present).
    """
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be >= 0, got {buffer_m}")
    if min_level not in LEVELS:
        raise ValueError(f"min_level must be 1-5, got {min_level}")
    points = to_metric(households, "households").geometry.values
    if len(points) and not (shapely.get_type_id(points[~shapely.is_missing(points)]) == 0).all():
        raise ValueError("households must be points")
    if buffer_m > 0:
        geoms, type_index, zone_level = _coded(zones, min_level)
        home, zone = shapely.STRtree(geoms).query(points, predicate="dwithin", distance=buffer_m)
        levels = np.zeros((len(points), len(HAZARD_TYPES)), dtype="int8")
        np.maximum.at(levels, (home, type_index[zone]), zone_level[zone])
    else:
        levels = levels_at(shapely.get_x(points), shapely.get_y(points), zones, min_level=min_level)

    result = pd.DataFrame(levels, columns=LEVEL_COLUMNS, index=households.index)
    result["max_level"] = levels.max(axis=1) if len(points) else np.zeros(0, "int8")
    # Each combination of types present is one of 8 bit masks: look its label up.
    mask = (levels > 0) @ (1 << np.arange(len(HAZARD_TYPES)))
    labels = np.array(
        [";".join(t for i, t in enumerate(HAZARD_TYPES) if m >> i & 1) for m in range(1 << len(HAZARD_TYPES))],
        dtype=object,
    )
    result["hazard_types"] = labels[mask]
    return result


def flag_register(
    households: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
    buffer_m: float = 0.0,
    min_level: int = 1,
) -> gpd.GeoDataFrame:
    """The household register with hazard levels and, optionally, located communes.

    Combines :func:`flag_households` with :func:`geo.locate.assign_communes`:
    with ``communes``, the commune each point lies in is added as
    ``ma_xa_located`` with ``assignment`` and ``gap_m``; where the register has
    a ``ma_xa`` column and it differs, ``mismatch`` is set and both are kept.

    Returns
    -------
    GeoDataFrame
        ``households`` (same rows, order and CRS) plus the flag columns and
        ``in_hazard`` (in a zone of ``min_level`` or above).
    """
    from geo.locate import assign_communes

    flags = flag_households(households, zones, buffer_m=buffer_m, min_level=min_level)
    out = households.copy()
    for column in flags:
        out[column] = flags[column].to_numpy()
    out["in_hazard"] = out["max_level"] >= min_level
    if communes is not None and len(communes):
        declared = households["ma_xa"].astype(object).where(households["ma_xa"].notna()) if "ma_xa" in households else None
        located = assign_communes(households, communes, declared=declared)
        out["ma_xa_located"] = located["ma_xa"].to_numpy()
        out["assignment"] = located["assignment"].to_numpy()
        out["gap_m"] = located["gap_m"].round(1).to_numpy()
        if declared is not None:
            out["mismatch"] = located["mismatch"].to_numpy()
    return out


def changed_between(households: gpd.GeoDataFrame, old_zones: gpd.GeoDataFrame, new_zones: gpd.GeoDataFrame,
                    buffer_m: float = 0.0) -> pd.DataFrame:
    """Households whose hazard levels differ between two versions of the zones.

    Returns the rows of ``households`` (without geometry) that changed, with
    ``old_<column>`` and ``new_<column>`` for every level column and
    ``max_level``.

    Examples
    --------
    >>> from shapely import box, points
    >>> homes = gpd.GeoDataFrame({"household_id": ["A", "B"]}, geometry=points([[5, 5], [50, 50]]), crs="EPSG:9210")
    >>> v1 = gpd.GeoDataFrame({"hazard_type": ["landslide"], "level": [2]}, geometry=[box(0, 0, 10, 10)], crs="EPSG:9210")
    >>> v2 = v1.assign(level=[5])
    >>> changed_between(homes, v1, v2)[["household_id", "old_max_level", "new_max_level"]].values.tolist()
    [['A', 2, 5]]
    """
    columns = LEVEL_COLUMNS + ["max_level"]
    old = flag_households(households, old_zones, buffer_m=buffer_m)[columns]
    new = flag_households(households, new_zones, buffer_m=buffer_m)[columns]
    differs = (old.to_numpy() != new.to_numpy()).any(axis=1)
    base = pd.DataFrame(households.drop(columns=households.geometry.name)).loc[differs]
    return pd.concat([base, old.loc[differs].add_prefix("old_"), new.loc[differs].add_prefix("new_")], axis=1)
