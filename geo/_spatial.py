"""Point-in-polygon kernels shared by flagging, commune assignment and site checks (private).

Two kernels:

* :func:`point_polygon_pairs`: every (point, polygon) pair where the point lies
  in or on the polygon, from one STRtree query and exact tests. Use it when the
  pairs themselves are needed (which commune, which zone).
* :func:`highest_covering_value`: for every point and group, only the highest
  value among the polygons that cover it. It never materialises the pairs, so
  it scales to millions of points in hundreds of thousands of overlapping
  polygons; results are exactly those of the pairwise test.

How :func:`highest_covering_value` works
------------------------------------------
The plane is cut into horizontal bands of height ``band``. Within one band, the
boundary of a polygon occupies a few x-intervals (the x-extents of its edges
clipped to the band, merged). Between two such intervals the band holds no
boundary, so every point there is on the same side: inside if the number of
edges crossing the band's centre line to the left is odd (crossing-number
rule). Points are sorted by (band, x), so each inside interval is a contiguous
run of points, recorded as a range of that order; coverage of all runs of one
(group, value) is a cumulative sum. Only points in the boundary intervals are
tested exactly (GEOS ``intersects_xy`` on prepared private copies of the
polygons), and only when the polygon could still raise the point's value. All
intervals are widened by a margin larger than any rounding error of the sort
keys, so a point is never classified without an exact test when it lies near a
boundary. Polygons are processed in chunks (sorted by their southern edge, so
a chunk searches only a few bands' points) on a pool of threads: NumPy and
GEOS release the GIL; the runs of a few chunks at a time (a wave) are held.

Banding pays for large polygons over many points. Before it, a grid of point
counts drops the polygons with no point in their bounding box and the points in
no bounding box; polygons with few points in their bounding box, or only a few
bands high, are not banded: each point of their bounding box is tested exactly.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

#: Polygon vertices handled per chunk: keeps each chunk's arrays small (fast, bounded memory).
_CHUNK_VERTICES = 200_000
#: Polygon vertices whose band runs are held at once (a wave of chunks): bounds the memory of the runs.
_WAVE_VERTICES = 1_000_000
#: Candidate points expanded per exact-test batch.
_TEST_BATCH = 200_000
#: A part is prepared (indexed) for its exact tests from this many candidate points; below, testing each point
#: on the plain polygon is cheaper than building the index (GEOS 3.14, 50-500 vertices: 0.8 us a point either way
#: at about 16 points, preparing costs as much as ~10 plain tests).
_PREPARE_FROM = 16
#: Cells of the grid that drops polygon parts with no point in their bounding box, and points in no bounding box.
_GRID_CELLS = 4_000_000
#: A part is cut into bands from this many points in the grid cells of its bounding box (an upper bound of the
#: points in the box) and this many band rows; below either, each point of its bounding box is tested exactly
#: (about 0.8 us a point on a plain polygon, while banding costs about 90 ns an edge and leaves the points of
#: the boundary runs to test, most of a zone only a few bands high). Measured with bench/flag.py, both shapes.
_BAND_FROM = 16
_BAND_ROWS = 4


def in_threads(func, geometries: np.ndarray, workers: int | None = None) -> np.ndarray:
    """``func(geometries)`` for a vectorised shapely function, split over threads.

    GEOS releases the GIL, so a slow per-geometry test (``shapely.is_valid``
    on hundreds of thousands of polygons) runs on every core.

    >>> from shapely import box
    >>> in_threads(shapely.area, np.array([box(0, 0, 1, 1), box(0, 0, 2, 2), None]), workers=2).tolist()
    [1.0, 4.0, nan]
    """
    workers = workers or _default_workers()
    if workers == 1 or len(geometries) < 1000:
        return func(geometries)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return np.concatenate(list(pool.map(func, np.array_split(np.asarray(geometries), workers * 4))))


def _default_workers() -> int:
    """Threads to use: the CPUs this process may run on, at most 4."""
    return min(4, len(os.sched_getaffinity(0)))


def point_polygon_pairs(points: np.ndarray, polygons: np.ndarray,
                        tree: shapely.STRtree | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Every (point, polygon) pair where the point lies in or on the polygon.

    Candidates come from one STRtree bounding-box query (on ``tree``, an
    index of ``polygons`` built once by the caller, or on a new one); each
    is then tested with ``shapely.intersects_xy`` on prepared copies of the
    candidate polygons, which is much faster than a predicate query that
    prepares the (trivial) point side.

    Returns
    -------
    (point_index, polygon_index), both sorted by point.

    >>> from shapely import box, points
    >>> polygons = np.array([box(0, 0, 10, 10), box(5, 5, 20, 20)])
    >>> [a.tolist() for a in point_polygon_pairs(points([[1, 1], [7, 7], [30, 30]]), polygons)]
    [[0, 1, 1], [0, 0, 1]]
    """
    pt, poly = (shapely.STRtree(polygons) if tree is None else tree).query(points)
    if not len(pt):
        return pt, poly
    candidates, which = np.unique(poly, return_inverse=True)
    prepared = _private_copies(polygons[candidates])
    shapely.prepare(prepared)
    x, y = shapely.get_x(points[pt]), shapely.get_y(points[pt])
    keep = shapely.intersects_xy(prepared[which], x, y)
    return pt[keep], poly[keep]


def _private_copies(geometries: np.ndarray) -> np.ndarray:
    """Copies of ``geometries`` to prepare: the caller's objects may be in use by another thread
    (another app session), and GEOS builds a prepared geometry's index lazily, on first use."""
    return shapely.set_srid(geometries, shapely.get_srid(geometries))  # set_srid clones


def highest_covering_value(
    x: np.ndarray,
    y: np.ndarray,
    polygons: np.ndarray,
    group: np.ndarray,
    value: np.ndarray,
    n_groups: int,
    band: float | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """For each point and group, the highest value of the polygons of that group that cover it.

    A point is covered as by ``shapely.intersects_xy``: points on a boundary
    count as inside.

    Parameters
    ----------
    x, y : ndarray of float
        Point coordinates; NaN marks a missing point (all zeros in the result).
    polygons : ndarray of shapely geometries
        Valid Polygons or MultiPolygons (or collections of polygons), in the
        same CRS as the points. Empty or missing ones are ignored.
    group : ndarray of int
        Group of each polygon, ``0 <= group < n_groups``.
    value : ndarray of int
        Value of each polygon, ``1..127``.
    n_groups : int
    band : float, optional
        Band height in coordinate units; by default chosen from the data
        (where exact tests and band bookkeeping cost about the same).
    workers : int, optional
        Threads (GEOS and NumPy release the GIL); default: the CPUs available, at most 4.

    Returns
    -------
    ndarray of int8, shape (n_points, n_groups)
        0 where no polygon of the group covers the point.

    Examples
    --------
    >>> from shapely import box, Polygon
    >>> ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(4, 4), (6, 4), (6, 6), (4, 6)]])
    >>> polys = np.array([ring, box(8, 8, 20, 20), box(0, 0, 1, 1)])
    >>> x, y = np.array([5.0, 2, 9, 15, 10, np.nan]), np.array([5.0, 2, 9, 15, 3, 0])
    >>> highest_covering_value(x, y, polys, np.array([0, 0, 1]), np.array([3, 5, 2]), 2).tolist()
    [[0, 0], [3, 0], [5, 0], [5, 0], [3, 0], [0, 0]]
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    group, value = np.asarray(group, dtype=np.int64), np.asarray(value, dtype=np.int64)
    if not (x.shape == y.shape and x.ndim == 1):
        raise ValueError("x and y must be 1-D arrays of the same length")
    if not (len(polygons) == len(group) == len(value)):
        raise ValueError("polygons, group and value must have the same length")
    if len(value) and (value.min() < 1 or value.max() > 127):
        raise ValueError("values must be integers in 1..127")
    if len(group) and (group.min() < 0 or group.max() >= n_groups):
        raise ValueError(f"groups must be in 0..{n_groups - 1}")
    if band is not None and not band > 0:
        raise ValueError(f"band must be > 0, got {band}")
    result = np.zeros((n_groups, len(x)), dtype=np.int8)  # returned transposed: rows are written whole
    located = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    polygons = np.asarray(polygons, dtype=object)
    if (shapely.get_type_id(polygons) == 3).all():  # plain polygons: no copies
        parts, owner = polygons, np.arange(len(polygons))
    else:
        parts, owner = shapely.get_parts(polygons, return_index=True)
    keep = ~(shapely.is_empty(parts) | shapely.is_missing(parts))
    parts, owner = parts[keep], owner[keep]
    if not len(located) or not len(parts):
        return result.T
    if len(located) < len(x):
        x, y = x[located], y[located]
    bounds = shapely.bounds(parts)
    # Parts whose bounding box holds no point cover none, and points in no part's bounding box are in
    # none: zones over a small share of the area, away from most households, are never cut into bands,
    # and households away from every zone are never sorted.
    held, inner = _overlapping(x, y, bounds)
    near = held > 0
    parts, owner, bounds, held = parts[near], owner[near], bounds[near], held[near]
    if not len(parts):
        return result.T
    band = band or _default_band(parts, x, y)
    x, y, located = x[inner], y[inner], located[inner]
    # Parts in order of their southern edge: a chunk of parts then covers a few bands only, whose
    # points are searched in a slice of the sorted keys that stays in the CPU's cache.
    by_south = np.argsort(bounds[:, 1], kind="stable")
    parts, owner, bounds, held = parts[by_south], owner[by_south], bounds[by_south], held[by_south]
    workers = workers or _default_workers()
    total = np.r_[bounds[:, :2].min(axis=0), bounds[:, 2:].max(axis=0)]
    points = _Bands(x, y, band, total)
    part_group, part_value = group[owner], value[owner]
    # Parts with few points near them, or only a few bands high, are not cut into bands: the points in
    # their bounding box go straight to the exact tests (most zones of a province hold a few households,
    # and bands through a small zone leave few points inside).
    first, last = points.rows_of(bounds)
    few = np.flatnonzero((held < _BAND_FROM) | (last - first + 1 < _BAND_ROWS))
    box = points.boxes(bounds[few], few)
    banded = np.setdiff1d(np.arange(len(parts)), few, assume_unique=True)
    del x, y
    best = np.zeros((n_groups, len(located)), dtype=np.int8)  # in the points' sorted order
    chunks = _chunks(parts[banded])
    step = max(1, _WAVE_VERTICES // _CHUNK_VERTICES)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Chunks in waves (southern parts first): only one wave's runs are held at a time.
        for wave in (chunks[i:i + step] for i in range(0, len(chunks), step)):
            pieces = list(pool.map(lambda s: points.runs(parts[banded[s]], banded[s]), wave))
            inside, boundary = (tuple(np.concatenate(c) for c in zip(*(p[k] for p in pieces))) for k in (0, 1))
            del pieces
            _cover(best, part_group[inside[0]], part_value[inside[0]], inside[1], inside[2], pool)
            part, begin, end = boundary
            span = int(end.max(initial=0)) - int(begin.min(initial=0))
            if (end - begin).sum() > span * len(np.unique(part_group * 128 + part_value)):
                # Dense overlaps: most boundary points already hold a higher value from an inside run.
                part, begin, end = _undecided(best, part_group[part], part_value[part], part, begin, end)
            _exact_tests(best, parts, bounds, part_group, part_value, points, (part, begin, end), pool, workers)
        _exact_tests(best, parts, bounds, part_group, part_value, points, box, pool, workers)
    result[:, located[points.order]] = best
    return result.T


def _overlapping(x: np.ndarray, y: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How many points each bounding box (minx, miny, maxx, maxy) may hold (at least those it holds),
    and whether each point may lie in a box: exact for "none" and "no".

    Points are counted in the cells of a grid (at most ``_GRID_CELLS``); a box may hold the points of
    the range of cells of its corners, and a point lie in a box when its cell is in the range of a box
    that may hold points. The cell of a coordinate is a monotone function of it, so a point inside a
    box always lies in a cell of the box's range.
    """
    x0, y0 = x.min(), y.min()
    span_x, span_y = max(x.max() - x0, 1e-9), max(y.max() - y0, 1e-9)
    cells = min(_GRID_CELLS, max(16 * len(x), 1024))
    cell = max(np.sqrt(span_x * span_y / cells), span_x / 4096, span_y / 4096)
    nx, ny = int(span_x / cell) + 1, int(span_y / cell) + 1

    def index(v: np.ndarray, v0: float, n: int) -> np.ndarray:  # 1-based cell, 0 below the grid, n + 1 above
        with np.errstate(invalid="ignore"):
            return np.clip(np.floor((v - v0) / cell), -1, n).astype(np.int32) + 1

    width = nx + 3  # cells 0 .. nx + 1, and one more column for the ends of the difference array below
    cell_of_point = index(y, y0, ny) * width + index(x, x0, nx)
    # Points up to (row, column), both included: a box's count from its four corners.
    count = np.bincount(cell_of_point, minlength=(ny + 3) * width).astype(np.int32).reshape(ny + 3, width)
    np.cumsum(count, axis=0, out=count)
    np.cumsum(count, axis=1, out=count)
    lx, hx = index(bounds[:, 0], x0, nx), index(bounds[:, 2], x0, nx)
    ly, hy = index(bounds[:, 1], y0, ny), index(bounds[:, 3], y0, ny)
    below, left = np.maximum(ly - 1, 0), np.maximum(lx - 1, 0)
    held = count[hy, hx] - count[below, hx] - count[hy, left] + count[below, left]
    # The ranges of the boxes that hold points as a difference array: cells in one add up to more than 0.
    near = held > 0
    lx, hx, ly, hy = lx[near], hx[near] + 1, ly[near] * width, (hy[near] + 1) * width
    covered = np.bincount(np.r_[ly + lx, hy + hx], minlength=count.size)
    covered -= np.bincount(np.r_[ly + hx, hy + lx], minlength=count.size)
    covered = covered.astype(np.int32).reshape(count.shape)
    np.cumsum(covered, axis=0, out=covered)
    np.cumsum(covered, axis=1, out=covered)
    return held, covered.ravel().take(cell_of_point) > 0


def _exact_tests(best: np.ndarray, parts: np.ndarray, bounds: np.ndarray, part_group: np.ndarray,
                 part_value: np.ndarray, points: _Bands, boundary_runs: tuple[np.ndarray, np.ndarray, np.ndarray],
                 pool: ThreadPoolExecutor, workers: int) -> None:
    """Test the points of the boundary runs exactly, where the part could raise ``best`` and the point
    lies in the part's bounding box (``bounds``).

    Each batch prepares private copies of its parts that have at least
    ``_PREPARE_FROM`` points to test, and tests the points of the others on
    the plain polygons (copies too where the caller prepared them): the
    caller's polygons are never prepared or unprepared here, nor their
    prepared index used (another thread, another app session, may be using
    them), and only one batch's indexes are held at a time (those of all
    parts at once can take gigabytes).
    """
    by_part = np.argsort(boundary_runs[0], kind="stable")
    part, begin, end = (a[by_part] for a in boundary_runs)

    def test(rows: slice) -> tuple[np.ndarray, np.ndarray]:
        count = end[rows] - begin[rows]
        run = np.repeat(np.arange(rows.start, rows.stop), count)
        point = np.arange(len(run)) + np.repeat(begin[rows] - np.cumsum(count) + count, count)
        need = best[part_group[part[run]], point] < part_value[part[run]]
        point, run = point[need], run[need]
        px, py, mine = points.x[point], points.y[point], part[run]
        need = (px >= bounds[mine, 0]) & (px <= bounds[mine, 2]) & (py >= bounds[mine, 1]) & (py <= bounds[mine, 3])
        point, run, px, py = point[need], run[need], px[need], py[need]
        ids = part[rows][np.r_[True, part[rows][1:] != part[rows][:-1]]]  # runs are sorted by part
        which = np.searchsorted(ids, part[run])
        mine = parts[ids]
        index = np.bincount(which, minlength=len(ids)) >= _PREPARE_FROM
        copy = index | shapely.is_prepared(mine)
        mine[copy] = _private_copies(mine[copy])
        shapely.prepare(mine[index])
        hit = shapely.intersects_xy(mine[which], px, py)
        return point[hit], part[run[hit]]

    for point, hit in pool.map(test, _batches(part, end - begin, workers)):
        np.maximum.at(best, (part_group[hit], point), part_value[hit].astype(np.int8))


def _batches(part: np.ndarray, count: np.ndarray, workers: int) -> list[slice]:
    """Slices of runs sorted by part, cut only between parts: at most ``_TEST_BATCH`` points, at
    least two slices per worker."""
    if not len(part):
        return []
    total = np.cumsum(count)
    size = max(1, min(_TEST_BATCH, int(total[-1]) // (2 * workers)))
    cuts = np.searchsorted(total, np.arange(size, total[-1], size))
    first_run = np.r_[np.flatnonzero(np.r_[True, part[1:] != part[:-1]]), len(part)]
    cuts = np.unique(np.r_[0, first_run[np.searchsorted(first_run, cuts)], len(part)])
    return [slice(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]


def _chunks(parts: np.ndarray) -> list[slice]:
    """Consecutive slices of ``parts`` with about ``_CHUNK_VERTICES`` vertices each."""
    if not len(parts):
        return []
    vertices = np.cumsum(shapely.get_num_coordinates(parts))
    cuts = np.searchsorted(vertices, np.arange(_CHUNK_VERTICES, vertices[-1], _CHUNK_VERTICES), "right")
    cuts = np.unique(np.r_[0, cuts, len(parts)])
    return [slice(int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:])]


def _default_band(parts: np.ndarray, x: np.ndarray, y: np.ndarray) -> float:
    """Band height that balances band records against exact tests, from a sample of parts.

    Edges cut into bands grow as sum|dy| / band; points in boundary runs as
    band x edge length x point density.
    """
    sample = parts[np.linspace(0, len(parts) - 1, min(len(parts), 2000)).astype(np.int64)]
    coords, ring = shapely.get_coordinates(shapely.get_rings(sample), return_index=True)
    edge = ring[1:] == ring[:-1]
    dx, dy = np.diff(coords[:, 0])[edge], np.diff(coords[:, 1])[edge]
    length, area = np.hypot(dx, dy).sum(), np.ptp(x) * np.ptp(y)
    if length == 0 or area == 0:
        return max(float(np.abs(dy).max(initial=0.0)), np.ptp(y), 1.0)
    # The factor 1.6 was measured: python bench/flag.py at 1e6 x 1e4 and 4e6 x 3e5, band x 0.6 .. 3.
    return float(1.6 * np.sqrt(np.abs(dy).sum() / length * area / len(x)))


def _cover(best: np.ndarray, group: np.ndarray, value: np.ndarray, begin: np.ndarray, end: np.ndarray,
           pool: ThreadPoolExecutor) -> None:
    """Raise ``best[group]`` to at least ``value`` over every run ``begin:end``.

    One cumulative sum per (group, value) over the span of the runs, computed in parallel.
    """
    if not len(begin):
        return
    low, high = int(begin.min()), int(end.max())
    layers = np.unique(group * 128 + value)

    def covered(layer: int) -> np.ndarray:
        these = group * 128 + value == layer
        depth = np.bincount(begin[these] - low, minlength=high - low + 1)  # far faster than np.add.at
        depth -= np.bincount(end[these] - low, minlength=high - low + 1)
        np.cumsum(depth, out=depth)
        return depth[:-1] > 0

    for layer, mask in zip(layers, pool.map(covered, layers)):
        row = best[layer // 128, low:high]
        np.putmask(row, mask & (row < layer % 128), layer % 128)


def _undecided(best: np.ndarray, group: np.ndarray, value: np.ndarray, part: np.ndarray, begin: np.ndarray,
               end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The boundary runs that hold at least one point whose value their polygon could raise."""
    low, high = int(begin.min()), int(end.max())
    layer = group * 128 + value
    keep = np.zeros(len(part), dtype=bool)
    for code in np.unique(layer):
        mine = np.flatnonzero(layer == code)
        below = np.r_[0, np.cumsum(best[code // 128, low:high] < code % 128)]  # points still below, as a prefix count
        keep[mine] = below[end[mine] - low] > below[begin[mine] - low]
    return part[keep], begin[keep], end[keep]


class _Bands:
    """Points sorted by (band, x), and the classification of polygon parts against the bands."""

    def __init__(self, x: np.ndarray, y: np.ndarray, band: float, bounds: np.ndarray) -> None:
        self.band = float(band)
        self.y0 = y.min()
        self.rows = int(np.floor((y.max() - self.y0) / self.band)) + 1
        # Sort key: row * width + (x - x0). A row's slot is wider than the points and the
        # polygons together, so no boundary run spills into the next row.
        self.x0 = min(x.min(), bounds[0]) - 1.0
        self.width = max(x.max(), bounds[2]) + 1.0 - self.x0
        key = np.floor((y - self.y0) / self.band) * self.width + (x - self.x0)
        self.order = np.argsort(key)
        self.key, self.x, self.y = key[self.order], x[self.order], y[self.order]
        scale = max(self.rows * self.width, np.abs(bounds).max(), abs(self.x0), abs(self.y0), abs(y.max()), 1.0)
        self.eps = 1024 * np.spacing(scale)  # far above any rounding of coordinates or keys

    def rows_of(self, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The first and last band rows of each bounding box (minx, miny, maxx, maxy), widened by ``eps``."""
        first = np.floor((bounds[:, 1] - self.eps - self.y0) / self.band)
        last = np.floor((bounds[:, 3] + self.eps - self.y0) / self.band)
        return np.clip(first, 0, self.rows - 1).astype(np.int64), np.clip(last, 0, self.rows - 1).astype(np.int64)

    def boxes(self, bounds: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The points of each bounding box's band rows within its x-range (widened by ``eps``):
        (id, begin, end), a range of the sorted points for each row of each box that holds points."""
        first, last = self.rows_of(bounds)
        count = last - first + 1
        which = np.repeat(np.arange(len(bounds)), count)
        row = first[which] + np.arange(len(which)) - np.repeat(np.cumsum(count) - count, count)
        slot = row * self.width
        begin = np.searchsorted(self.key, slot + bounds[which, 0] - self.x0 - self.eps, "left").astype(np.int32)
        end = np.searchsorted(self.key, slot + bounds[which, 2] - self.x0 + self.eps, "right").astype(np.int32)
        some = end > begin
        return ids[which[some]].astype(np.int32), begin[some], end[some]

    def runs(self, parts: np.ndarray, ids: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Inside runs and boundary runs of ``parts``, numbered by ``ids``.

        Each is (part, begin, end): a polygon part and a range of the sorted points.
        """
        coords = shapely.get_coordinates(parts)  # exterior ring, then holes, part after part
        ring_size, ring_part = _ring_sizes(parts)
        ring_end = np.cumsum(ring_size)
        # Edge i runs from vertex i to vertex i + 1; the step from a ring's last vertex to the
        # next ring's first is no edge, and gets no band below.
        ax, ay, bx, by = coords[:-1, 0], coords[:-1, 1], coords[1:, 0], coords[1:, 1]
        ring = np.repeat(np.arange(len(ring_size), dtype=np.int32), ring_size)[:-1]
        first = np.floor((np.minimum(ay, by) - self.eps - self.y0) / self.band)
        last = np.floor((np.maximum(ay, by) + self.eps - self.y0) / self.band)
        np.clip(first, 0, None, out=first)
        np.clip(last, None, self.rows - 1, out=last)
        count = (last - first + 1).astype(np.int32)
        np.clip(count, 0, None, out=count)
        count[ring_end[:-1] - 1] = 0
        first = first.astype(np.int32)
        # Pieces of boundary in one band: runs of consecutive edges of a ring that stay in one
        # band are merged into one piece (most edges, when edges are shorter than bands); longer
        # edges are cut at the bands they cross.
        single = np.flatnonzero(count == 1)
        s_row, s_ring = first[single], ring[single]
        centre = self.y0 + (s_row + 0.5) * self.band
        s_ay, s_by = ay[single], by[single]
        s_cross = ((s_ay <= centre) != (s_by <= centre)).astype(np.int32)  # crossing number, half-open rule
        s_ax, s_bx = ax[single], bx[single]
        s_left, s_right = np.minimum(s_ax, s_bx), np.maximum(s_ax, s_bx)
        run = np.ones(len(single), dtype=bool)
        run[1:] = (s_row[1:] != s_row[:-1]) | (single[1:] != single[:-1] + 1)  # consecutive edges, one band
        run[1:] |= s_ring[1:] != s_ring[:-1]
        run = np.flatnonzero(run)
        s_row, s_ring = s_row[run], s_ring[run]
        s_left, s_right = np.minimum.reduceat(s_left, run), np.maximum.reduceat(s_right, run)
        s_cross = np.add.reduceat(s_cross, run)
        multi = np.flatnonzero(count > 1)
        m_count = count[multi]
        cut = np.repeat(multi, m_count)
        m_row = first[cut] + np.arange(len(cut), dtype=np.int32) - np.repeat(np.cumsum(m_count) - m_count, m_count)
        m_ax, m_ay, m_bx, m_by = ax[cut], ay[cut], bx[cut], by[cut]
        low = self.y0 + m_row * self.band - self.eps
        dy = m_by - m_ay
        flat = dy == 0  # a flat edge within eps of a band's edge lies in two widened bands
        with np.errstate(divide="ignore", invalid="ignore"):
            t_low = np.where(flat, 0.0, np.clip((low - m_ay) / dy, 0.0, 1.0))
            t_high = np.where(flat, 1.0, np.clip((low + self.band + 2 * self.eps - m_ay) / dy, 0.0, 1.0))
        xa, xb = m_ax + t_low * (m_bx - m_ax), m_ax + t_high * (m_bx - m_ax)
        centre = self.y0 + (m_row + 0.5) * self.band
        row = np.concatenate([s_row, m_row])
        if not len(row):
            empty = (np.zeros(0, np.int32),) * 3
            return empty, empty
        part = ring_part[np.concatenate([s_ring, ring[cut]])]
        left = np.concatenate([s_left, np.minimum(xa, xb)]) - self.x0
        right = np.concatenate([s_right, np.maximum(xa, xb)]) - self.x0
        crossing = np.concatenate([s_cross, ((m_ay <= centre) != (m_by <= centre)).astype(np.int32)])
        # Sort the pieces by (row, part, left) with one float key, row-major so that the searches
        # below walk forward through the points. Each (row, part) "cell" has its own slot a row
        # width apart. Pieces closer than `tolerance` merge (it covers the key's rounding and the
        # widening by eps below), so the widened runs of a cell never overlap.
        cell = row.astype(np.int64) * len(parts) + part
        base = cell * self.width
        order = np.argsort(base + left)
        cell, base, left, right = cell[order], base[order], left[order], right[order]
        crossing, part, row = crossing[order], part[order], row[order]
        tolerance = 1024 * np.spacing(base[-1] + self.width) + 2 * self.eps
        reach = np.maximum.accumulate(base + right)
        start = np.ones(len(cell), dtype=bool)
        new_cell = cell[1:] != cell[:-1]
        start[1:] = new_cell | (base[1:] + left[1:] > reach[:-1] + tolerance)
        start = np.flatnonzero(start)
        lo = np.minimum.reduceat(left, start) - self.eps
        hi = np.maximum.reduceat(right, start) + self.eps
        crossings = np.add.reduceat(crossing, start)
        new_cell = np.r_[True, new_cell][start]
        part, row = ids[part[start]].astype(np.int32), row[start]
        # Search only the keys of the bands these parts touch, with sorted needles (each search
        # starts where the last one ended).
        slot = row * self.width
        first_key, last_key = np.searchsorted(self.key, [row.min() * self.width, (row.max() + 1) * self.width])
        keys = self.key[first_key:last_key]
        by_key = np.argsort(slot + lo)
        begin, end = np.empty(len(lo), np.int32), np.empty(len(lo), np.int32)
        begin[by_key] = np.searchsorted(keys, (slot + lo)[by_key], "left") + first_key
        end[by_key] = np.searchsorted(keys, (slot + hi)[by_key], "right") + first_key
        # A gap between two boundary runs of one cell is inside when the crossings left of it are odd.
        total = np.cumsum(crossings)
        first = np.maximum.accumulate(np.where(new_cell, np.arange(len(part)), 0))
        odd = (total - total[first] + crossings[first]) % 2 == 1
        gap = np.flatnonzero(odd[:-1] & ~new_cell[1:])
        return (part[gap], end[gap], begin[gap + 1]), (part, begin, end)


def _ring_sizes(parts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of each ring of each polygon, in ``get_coordinates`` order, and the ring's polygon."""
    holes = shapely.get_num_interior_rings(parts)
    if not holes.any():
        return shapely.get_num_coordinates(parts), np.arange(len(parts), dtype=np.int32)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    return shapely.get_num_coordinates(rings), ring_part.astype(np.int32)
