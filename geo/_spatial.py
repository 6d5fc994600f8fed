"""Shared point-in-polygon kernel (private)."""

from __future__ import annotations

import numpy as np
import shapely


def point_polygon_pairs(points: np.ndarray, polygons: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (point, polygon) pair where the point lies in or on the polygon.

    Candidates come from one STRtree bounding-box query; each is then tested
    with ``shapely.intersects_xy`` on prepared polygons, which is much faster
    than a predicate query that prepares the (trivial) point side.

    Returns
    -------
    (point_index, polygon_index), both sorted by point.
    """
    tree = shapely.STRtree(polygons)
    pt, poly = tree.query(points)
    if not len(pt):
        return pt, poly
    shapely.prepare(polygons)
    x, y = shapely.get_x(points[pt]), shapely.get_y(points[pt])
    keep = shapely.intersects_xy(polygons[poly], x, y)
    return pt[keep], poly[keep]
