"""The banded point-in-polygon kernel against the plain pairwise test, case by case and by property."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely import MultiPolygon, Polygon, box

from geo._spatial import highest_covering_value, point_polygon_pairs


def reference(x, y, polygons, group, value, n_groups):
    """The answer by brute force: every (point, polygon) pair through GEOS."""
    out = np.zeros((len(x), n_groups), dtype=np.int8)
    live = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    pt, poly = point_polygon_pairs(shapely.points(x[live], y[live]), np.asarray(polygons, dtype=object))
    np.maximum.at(out, (live[pt], group[poly]), value[poly])
    return out


def check(x, y, polygons, group, value, n_groups=3, **kwargs):
    x, y = np.asarray(x, float), np.asarray(y, float)
    group, value = np.asarray(group), np.asarray(value)
    got = highest_covering_value(x, y, np.asarray(polygons, dtype=object), group, value, n_groups, **kwargs)
    want = reference(x, y, polygons, group, value, n_groups)
    wrong = np.flatnonzero((got != want).any(axis=1))
    assert not len(wrong), f"{len(wrong)} points differ, first at {x[wrong[0]]}, {y[wrong[0]]}: " \
                           f"{got[wrong[0]].tolist()} != {want[wrong[0]].tolist()}"
    return got


def lattice(lo, hi, step):
    grid = np.arange(lo, hi + step / 2, step)
    gx, gy = np.meshgrid(grid, grid)
    return gx.ravel(), gy.ravel()


@pytest.mark.parametrize("band", [None, 0.5, 1.0, 2.5, 100.0])
def test_points_on_vertices_edges_and_band_lines_are_inside(band):
    # Points on a lattice that hits every vertex, every (horizontal, vertical and diagonal)
    # edge and, for band 0.5/1/2.5, every band boundary exactly.
    polygons = [
        box(0, 0, 4, 4),
        Polygon([(2, 1), (6, 1), (6, 5), (2, 5)], [[(3, 2), (5, 2), (5, 4), (3, 4)]]),  # hole
        Polygon([(0, 0), (8, 4), (0, 8)]),  # diagonal edges
        Polygon([(1, 6), (3, 6), (3, 7), (5, 7), (5, 6), (7, 6), (7, 8), (1, 8)]),  # notch, flat edges on one line
    ]
    x, y = lattice(-1, 9, 0.5)
    check(x, y, polygons, [0, 1, 2, 2], [2, 4, 1, 3], band=band)


def test_point_in_a_hole_gets_nothing_and_on_the_hole_ring_gets_the_level():
    ring = Polygon([(0, 0), (10, 0), (10, 10), (0, 10)], [[(4, 4), (6, 4), (6, 6), (4, 6)]])
    got = check([5, 4, 5, 1], [5, 5, 6, 1], [ring], [0], [3], n_groups=1, band=1.0)
    assert got[:, 0].tolist() == [0, 3, 3, 3]


def test_multipolygons_collections_empty_and_missing_polygons():
    polygons = [
        MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]),
        shapely.GeometryCollection([box(0, 2, 1, 3), box(5, 5, 6, 6)]),
        Polygon(),
        None,
    ]
    got = check([0.5, 2.5, 1.5, 0.5, 5.5], [0.5, 0.5, 0.5, 2.5, 5.5], polygons, [0, 1, 2, 2], [5, 4, 1, 1])
    assert got.tolist() == [[5, 0, 0], [5, 0, 0], [0, 0, 0], [0, 4, 0], [0, 4, 0]]


def test_missing_points_duplicates_and_far_away_points():
    x = np.array([np.nan, 1, 1, 1e6, 1, np.inf])
    y = np.array([1, np.nan, 1, 1e6, 1, 1])
    got = check(x, y, [box(0, 0, 2, 2)], [0], [2], n_groups=1)
    assert got[:, 0].tolist() == [0, 0, 2, 0, 2, 0]


def test_highest_level_wins_within_a_group_and_groups_stay_apart():
    polygons = [box(0, 0, 10, 10), box(0, 0, 10, 10), box(2, 2, 8, 8), box(0, 0, 10, 10)]
    got = check([5, 1], [5, 1], polygons, [0, 0, 0, 1], [2, 1, 4, 3], n_groups=2)
    assert got.tolist() == [[4, 3], [2, 3]]


def test_projected_coordinates_keep_exactness():
    # EPSG:9210-sized coordinates (metres): rounding of the sort keys must not misclassify
    # points a millimetre from a boundary.
    e, n = 560_000.0, 2_510_000.0
    zone = Polygon([(e, n), (e + 1000, n + 3), (e + 990, n + 700), (e + 5, n + 690)])
    offsets = np.array([-1e-3, -1e-6, 0.0, 1e-6, 1e-3])
    x = np.r_[np.full(5, e + 500.0), e + offsets, e + 1000 + offsets]
    y = np.r_[n + 1.5 + offsets, np.full(5, n + 1e-3), np.full(5, n + 3)]
    for band in (None, 0.001, 7.0, 1000.0):
        check(x, y, [zone], [0], [1], n_groups=1, band=band)


def test_no_points_no_polygons():
    assert highest_covering_value(np.zeros(0), np.zeros(0), np.array([box(0, 0, 1, 1)]), [0], [1], 1).shape == (0, 1)
    empty = highest_covering_value(np.ones(3), np.ones(3), np.array([], dtype=object), [], [], 2)
    assert empty.tolist() == [[0, 0]] * 3


def test_single_point_and_single_row_of_points():
    check([1.0], [1.0], [box(0, 0, 2, 2)], [0], [1], n_groups=1)
    check(np.linspace(-1, 3, 41), np.full(41, 1.0), [box(0, 0, 2, 2), box(1, 1, 5, 1.5)], [0, 1], [1, 2], n_groups=2)


def test_bad_arguments_raise():
    polys = np.array([box(0, 0, 1, 1)])
    with pytest.raises(ValueError, match="same length"):
        highest_covering_value(np.zeros(2), np.zeros(3), polys, [0], [1], 1)
    with pytest.raises(ValueError, match="same length"):
        highest_covering_value(np.zeros(2), np.zeros(2), polys, [0, 1], [1], 1)
    with pytest.raises(ValueError, match="1..127"):
        highest_covering_value(np.zeros(2), np.zeros(2), polys, [0], [0], 1)
    with pytest.raises(ValueError, match="groups"):
        highest_covering_value(np.zeros(2), np.zeros(2), polys, [1], [1], 1)
    with pytest.raises(ValueError, match="band"):
        highest_covering_value(np.zeros(2), np.zeros(2), polys, [0], [1], 1, band=0)


def _random_polygons(rng: np.random.Generator, n: int, span: float) -> list:
    """Buffers, stars with holes and snapped (lattice) boxes: smooth, spiky and axis-aligned edges."""
    out = []
    for kind in rng.integers(0, 3, n):
        cx, cy = rng.uniform(0, span, 2)
        if kind == 0:
            line = shapely.linestrings(np.c_[cx + np.cumsum(rng.normal(0, span / 20, 4)),
                                             cy + np.cumsum(rng.normal(0, span / 20, 4))])
            out.append(shapely.buffer(line, rng.uniform(span / 100, span / 15), quad_segs=int(rng.integers(1, 12))))
        elif kind == 1:
            k = int(rng.integers(3, 25))
            angle = np.sort(rng.uniform(0, 2 * np.pi, k))
            radius = rng.uniform(span / 40, span / 6, k)
            star = Polygon(np.c_[cx + radius * np.cos(angle), cy + radius * np.sin(angle)])
            hole = shapely.buffer(shapely.points(cx, cy), radius.min() / 2, quad_segs=2)
            out.append(shapely.make_valid(shapely.difference(shapely.make_valid(star), hole)))
        else:
            x0, y0 = np.round(np.array([cx, cy]) / 5) * 5
            out.append(box(x0, y0, x0 + 5 * rng.integers(1, 6), y0 + 5 * rng.integers(1, 6)))
    return out


@given(seed=st.integers(0, 2**32 - 1), n_polygons=st.integers(1, 40), n_points=st.integers(1, 400),
       band=st.sampled_from([None, 0.7, 5.0, 13.0, 1e4]), workers=st.sampled_from([1, 2]))
def test_equals_the_pairwise_test(seed, n_polygons, n_points, band, workers):
    rng = np.random.default_rng(seed)
    polygons = _random_polygons(rng, n_polygons, 100.0)
    # Random points, lattice points (on box edges, vertices and often on band lines) and
    # polygon vertices themselves.
    vertices = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(np.array(polygons, dtype=object))))
    lattice_xy = np.round(rng.uniform(-5, 105, (n_points, 2)) / 5) * 5
    xy = np.r_[rng.uniform(-5, 105, (n_points, 2)), lattice_xy, vertices[rng.integers(0, len(vertices), n_points)]]
    check(xy[:, 0], xy[:, 1], polygons, rng.integers(0, 3, n_polygons), rng.integers(1, 6, n_polygons),
          band=band, workers=workers)


def test_dense_overlaps_skip_only_points_already_at_a_higher_value(monkeypatch):
    # 60 zones stacked over 30 points: most boundary points already hold a higher value from
    # an inside run, and the kernel filters whole runs before any exact test.
    import geo._spatial as kernel

    monkeypatch.setattr(kernel, "_BAND_FROM", 0)  # every zone cut into bands, however few its points
    monkeypatch.setattr(kernel, "_BAND_ROWS", 0)
    calls = []
    original = kernel._undecided
    monkeypatch.setattr(kernel, "_undecided", lambda *a: calls.append(1) or original(*a))
    rng = np.random.default_rng(7)
    polygons = [shapely.buffer(shapely.points(rng.uniform(40, 60, 2)), rng.uniform(20, 45), quad_segs=3)
                for _ in range(60)]
    x, y = rng.uniform(0, 100, 30), rng.uniform(0, 100, 30)
    check(x, y, polygons, rng.integers(0, 2, 60), rng.integers(1, 6, 60), n_groups=2, band=50.0)
    assert calls, "the dense-overlap filter was not used"


def test_the_callers_polygons_are_left_as_they_were():
    # The same object twice, one prepared, one not: neither is prepared or unprepared by the kernel
    # (another thread may be using them).
    zone, other = box(0, 0, 10, 10), box(5, 5, 20, 20)
    shapely.prepare(zone)
    polygons = np.array([zone, zone, other], dtype=object)
    x, y = np.linspace(-1, 21, 300), np.linspace(-1, 21, 300)
    highest_covering_value(x, y, polygons, np.array([0, 1, 0]), np.array([2, 3, 4]), 2, band=0.5, workers=2)
    assert shapely.is_prepared(zone) and not shapely.is_prepared(other)
    check(x, y, polygons, [0, 1, 0], [2, 3, 4], n_groups=2, workers=2, band=0.5)


def test_pairs_leave_the_callers_polygons_unprepared():
    polygons = np.array([box(0, 0, 10, 10), MultiPolygon([box(20, 0, 30, 10), box(40, 0, 50, 10)]), None])
    pt, poly = point_polygon_pairs(shapely.points([[5, 5], [45, 5], [15, 5]]), polygons)
    assert pt.tolist() == [0, 1] and poly.tolist() == [0, 1]
    assert not shapely.is_prepared(polygons[:2]).any()


def test_pairs_with_the_callers_tree_are_the_same():
    rng = np.random.default_rng(5)
    polygons = shapely.buffer(shapely.points(rng.uniform(0, 100, (40, 2))), rng.uniform(1, 15, 40))
    points = shapely.points(rng.uniform(0, 100, (500, 2)))
    tree = shapely.STRtree(polygons)
    pt, poly = point_polygon_pairs(points, polygons, tree=tree)
    want_pt, want_poly = shapely.STRtree(polygons).query(points, predicate="intersects")
    assert len(pt) > 100
    assert sorted(zip(pt.tolist(), poly.tolist())) == sorted(zip(want_pt.tolist(), want_poly.tolist()))
    assert (np.diff(pt) >= 0).all()
    assert not shapely.is_prepared(polygons).any()


@pytest.mark.parametrize("prepare_from", [0, 16, 10**9])
def test_sparse_zones_over_clustered_points_equal_the_pairwise_test(monkeypatch, prepare_from):
    # Most polygons have no point in their bounding box (dropped before banding); points sit on the
    # extreme vertices of others (on the box's edge) and in clusters; parts are tested on plain
    # polygons or prepared copies depending on how many points they have, over several chunks.
    import geo._spatial as kernel

    monkeypatch.setattr(kernel, "_PREPARE_FROM", prepare_from)
    monkeypatch.setattr(kernel, "_CHUNK_VERTICES", 500)
    rng = np.random.default_rng(11)
    polygons = _random_polygons(rng, 300, 1000.0)
    centres = rng.uniform(0, 1000, (6, 2))
    cluster = centres[rng.integers(0, 6, 3000)] + rng.normal(0, 15, (3000, 2))
    coords = shapely.get_coordinates(np.array(polygons[:40], dtype=object))
    extreme = np.r_[coords[coords[:, 0].argmin()][None], coords[coords[:, 1].argmax()][None], coords[:50]]
    xy = np.r_[cluster, extreme, [[-500.0, -500.0]]]
    check(xy[:, 0], xy[:, 1], polygons, rng.integers(0, 3, 300), rng.integers(1, 6, 300), workers=2)
    bounds = shapely.bounds(np.array(polygons, dtype=object))
    near, inner = kernel._overlapping(xy[:, 0], xy[:, 1], bounds)
    inside = ((xy[:, None, 0] >= bounds[:, 0]) & (xy[:, None, 0] <= bounds[:, 2])
              & (xy[:, None, 1] >= bounds[:, 1]) & (xy[:, None, 1] <= bounds[:, 3]))
    assert near[inside.any(axis=0)].all() and not near.all()
    assert inner[inside.any(axis=1)].all() and not inner[-1]


def test_a_caller_prepared_polygon_with_few_points_is_tested_on_a_copy(monkeypatch):
    import geo._spatial as kernel

    monkeypatch.setattr(kernel, "_PREPARE_FROM", 10**9)
    zone = box(0, 0, 10, 10)
    shapely.prepare(zone)
    check([5.0, 10.0, 11.0], [5.0, 3.0, 3.0], [zone], [0], [3], n_groups=1, band=100.0)
    assert shapely.is_prepared(zone)


@pytest.mark.parametrize("band_from, band_rows, wave", [(0, 0, 10**9), (0, 0, 1), (10**9, 0, 10**9), (16, 4, 1)])
def test_zones_tested_directly_or_cut_into_bands_in_waves_equal_the_pairwise_test(monkeypatch, band_from, band_rows,
                                                                                 wave):
    # Every zone cut into bands (in one wave, or one chunk of about 300 vertices per wave), every zone's
    # bounding-box points tested directly, and the default split between the two in many waves.
    import geo._spatial as kernel

    monkeypatch.setattr(kernel, "_BAND_FROM", band_from)
    monkeypatch.setattr(kernel, "_BAND_ROWS", band_rows)
    monkeypatch.setattr(kernel, "_CHUNK_VERTICES", 300)
    monkeypatch.setattr(kernel, "_WAVE_VERTICES", wave)
    banded, waves = [], []
    runs, cover = kernel._Bands.runs, kernel._cover
    monkeypatch.setattr(kernel._Bands, "runs", lambda self, parts, ids: banded.append(len(parts)) or runs(self, parts, ids))
    monkeypatch.setattr(kernel, "_cover", lambda *a: waves.append(1) or cover(*a))
    rng = np.random.default_rng(3)
    polygons = _random_polygons(rng, 200, 1000.0)
    centres = rng.uniform(0, 1000, (8, 2))
    xy = np.r_[centres[rng.integers(0, 8, 4000)] + rng.normal(0, 40, (4000, 2)), rng.uniform(0, 1000, (500, 2))]
    check(xy[:, 0], xy[:, 1], polygons, rng.integers(0, 3, 200), rng.integers(1, 6, 200), workers=2)
    assert (sum(banded) == 0) == (band_from == 10**9)
    assert band_from != 16 or 0 < sum(banded) < 150  # the default split: some zones of each kind
    assert (len(waves) > 1) == (wave == 1)
