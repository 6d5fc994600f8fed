"""Place points in communes, deterministically, on imperfect boundaries.

Real commune boundaries leave gaps (slivers) between neighbours and overlap
along shared edges. Every point is given exactly one commune:

* ``inside``: the point lies in one commune;
* ``overlap``: it lies in several; the commune it lies deepest inside (largest
  distance to that commune's boundary) wins, ties going to the smaller code;
* ``gap``: it lies in none; the nearest commune wins (ties: smaller code), and
  the distance is reported;
* ``no_location``: the point is missing or empty; no commune is given.

Where the record names a commune (``declared``) and the point lies in another,
both are kept and ``mismatch`` is set, so that a clerk can check which is
right.

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box, points
>>> communes = gpd.GeoDataFrame({"ma_xa": ["A", "B"]}, geometry=[box(0, 0, 10, 10), box(9, 0, 20, 10)],
...                             crs="EPSG:9210")
>>> homes = gpd.GeoDataFrame(geometry=points([[5, 5], [9.8, 5], [25, 5]]), crs="EPSG:9210")
>>> assign_communes(homes, communes)[["ma_xa", "assignment"]].to_numpy().tolist()
[['A', 'inside'], ['B', 'overlap'], ['B', 'gap']]
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo._spatial import point_polygon_pairs
from geo.crs import to_metric
from geo.units import normalise_codes

__all__ = ["assign_communes"]


def assign_communes(
    points: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    code: str = "ma_xa",
    declared: pd.Series | None = None,
) -> pd.DataFrame:
    """Assign every point to exactly one commune.

    Parameters
    ----------
    points : GeoDataFrame
        Point features, any CRS.
    communes : GeoDataFrame
        Commune polygons with a ``code`` column, any CRS.
    code : str, default "ma_xa"
        The column of ``communes`` holding the commune code.
    declared : Series, optional
        The commune code each point's record names, aligned on ``points``.

    Returns
    -------
    DataFrame
        Aligned on ``points.index``: ``ma_xa`` (the assigned commune),
        ``assignment`` (``inside``, ``overlap`` or ``gap``), ``gap_m``
        (distance to the assigned commune for gaps, else 0) and, with
        ``declared``, ``ma_xa_declared`` and ``mismatch``.
    """
    if code not in communes:
        raise ValueError(f"communes have no '{code}' column")
    pts = to_metric(points, "points").geometry.values
    polys = to_metric(communes, "communes")
    geoms = polys.geometry.values
    codes = normalise_codes(polys[code]).to_numpy(dtype=object)
    # Sorting the communes by code makes every tie-break "smaller code first".
    order = np.argsort(codes, kind="stable")
    geoms, codes = geoms[order], codes[order]

    tree = shapely.STRtree(geoms)
    hit_pt, hit_poly = point_polygon_pairs(pts, geoms)
    counts = np.bincount(hit_pt, minlength=len(pts))
    chosen = np.full(len(pts), -1, dtype=np.int64)
    single = counts[hit_pt] == 1
    chosen[hit_pt[single]] = hit_poly[single]

    multi_pt, multi_poly = hit_pt[~single], hit_poly[~single]
    if len(multi_pt):
        depth = shapely.distance(pts[multi_pt], shapely.boundary(geoms[multi_poly]))
        # Deepest first, then smaller code (= smaller position after sorting).
        rank = np.lexsort((multi_poly, -depth, multi_pt))
        first = np.ones(len(rank), bool)
        first[1:] = multi_pt[rank][1:] != multi_pt[rank][:-1]
        chosen[multi_pt[rank][first]] = multi_poly[rank][first]

    gap_m = np.zeros(len(pts))
    missing = shapely.is_missing(pts) | shapely.is_empty(pts)
    outside = np.flatnonzero((counts == 0) & ~missing)
    if len(outside):
        near_pt, near_poly = tree.query_nearest(pts[outside], all_matches=True)
        dist = shapely.distance(pts[outside][near_pt], geoms[near_poly])
        rank = np.lexsort((near_poly, near_pt))
        first = np.ones(len(rank), bool)
        first[1:] = near_pt[rank][1:] != near_pt[rank][:-1]
        chosen[outside[near_pt[rank][first]]] = near_poly[rank][first]
        gap_m[outside[near_pt[rank][first]]] = dist[rank][first]

    result = pd.DataFrame(
        {
            "ma_xa": np.where(missing, None, codes[chosen]),
            "assignment": np.select([missing, counts == 1, counts > 1], ["no_location", "inside", "overlap"], "gap"),
            "gap_m": gap_m,
        },
        index=points.index,
    )
    if declared is not None:
        declared = normalise_codes(declared)
        result["ma_xa_declared"] = declared.to_numpy()
        # A point with no location lies in no other commune: not a mismatch.
        result["mismatch"] = (
            declared.notna().to_numpy() & ~missing & (result["ma_xa_declared"].astype(str) != result["ma_xa"])
        )
    return result
