"""Tests of geo.locate.assign_communes: one commune per point on imperfect boundaries."""

from __future__ import annotations


import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from geo.crs import METRIC_CRS, WGS84
from geo.locate import assign_communes



def _communes(codes, geoms, crs=METRIC_CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"ma_xa": codes}, geometry=list(geoms), crs=crs)


def _points(xy, index=None, crs=METRIC_CRS) -> gpd.GeoDataFrame:
    geoms = [None if p is None else shapely.Point(p) for p in xy]
    return gpd.GeoDataFrame(geometry=geoms, index=index, crs=crs)


# A at [0,10]², B at [9,20]x[0,10] (overlap 9..10), C at [0,10]x[12,20] (gap 10..12 from A).
COMMUNES = _communes(["A", "B", "C"], [box(0, 0, 10, 10), box(9, 0, 20, 10), box(0, 12, 10, 20)])


def test_inside_overlap_gap():
    pts = _points([[5, 5], [9.8, 5], [9.2, 5], [15, 5], [5, 11.5], [5, 10.5], [25, 5]], index=list("abcdefg"))
    result = assign_communes(pts, COMMUNES)
    assert result.index.tolist() == list("abcdefg")
    assert list(result.columns) == ["ma_xa", "assignment", "gap_m"]
    assert result["ma_xa"].tolist() == ["A", "B", "A", "B", "C", "A", "B"]
    assert result["assignment"].tolist() == ["inside", "overlap", "overlap", "inside", "gap", "gap", "gap"]
    assert result["gap_m"].to_numpy() == pytest.approx([0, 0, 0, 0, 0.5, 0.5, 5])


def test_point_on_an_edge_is_inside():
    result = assign_communes(_points([[0, 5], [20, 10]]), COMMUNES)
    assert result["ma_xa"].tolist() == ["A", "B"]
    assert result["assignment"].tolist() == ["inside", "inside"]
    assert result["gap_m"].tolist() == [0, 0]


@pytest.mark.parametrize("order", [[0, 1, 2], [2, 1, 0], [1, 2, 0]])
def test_ties_go_to_the_smaller_code_whatever_the_row_order(order):
    # "K20" and "K100": as strings "K100" < "K20". Overlap at depth tie; gap at distance tie.
    # (Codes of digits only would be padded to 5 digits first: see test_integer_codes_...)
    geoms = [box(0, 0, 10, 10), box(8, 0, 18, 10), box(0, 14, 18, 20)]
    communes = _communes(["K20", "K100", "K300"], geoms).iloc[order]
    pts = _points([[9, 5], [4, 12], [13, 12], [9, 12], [9, 10]])
    result = assign_communes(pts, communes)
    # (9,5): depth 1 in both → "K100"; (4,12): 2 m from "K20" and "K300" → "K20";
    # (13,12): 2 m from "K100" and "K300" → "K100"; (9,12): 2 m from all three → "K100";
    # (9,10): on the edge of both → depth 0 tie → "K100".
    assert result["ma_xa"].tolist() == ["K100", "K20", "K100", "K100", "K100"]
    assert result["assignment"].tolist() == ["overlap", "gap", "gap", "gap", "overlap"]
    assert result["gap_m"].tolist() == [0, 2, 2, 2, 0]


def test_deepest_commune_wins_over_smaller_code():
    communes = _communes(["01001", "01002"], [box(0, 0, 10, 10), box(5, 0, 30, 10)])
    result = assign_communes(_points([[9, 5], [6, 5]]), communes)
    # (9,5): depth 1 in "01001", 4 in "01002" → "01002"; (6,5): depth 4 in "01001" → "01001".
    assert result["ma_xa"].tolist() == ["01002", "01001"]


def test_missing_and_empty_points_have_no_location():
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(5, 5), None, shapely.Point(), shapely.Point(30, 5)],
                           index=[7, 8, 9, 10], crs=METRIC_CRS)
    result = assign_communes(pts, COMMUNES)
    assert result["assignment"].tolist() == ["inside", "no_location", "no_location", "gap"]
    assert result.loc[7, "ma_xa"] == "A" and result.loc[10, "ma_xa"] == "B"
    assert result.loc[[8, 9], "ma_xa"].isna().all()
    assert result["gap_m"].tolist() == [0, 0, 0, 10]


def test_declared_mismatch_keeps_both_codes():
    pts = _points([[5, 5], [15, 5], [5, 15], [9.5, 5]], index=[3, 1, 2, 0])
    declared = pd.Series(["A", "C", None, "A"], index=[3, 1, 2, 0])
    result = assign_communes(pts, COMMUNES, declared=declared)
    assert result["ma_xa"].tolist() == ["A", "B", "C", "A"]
    assert result["ma_xa_declared"].tolist()[:2] == ["A", "C"]
    assert pd.isna(result["ma_xa_declared"].iloc[2])
    assert result["mismatch"].tolist() == [False, True, False, False]


def test_declared_code_without_location_is_not_a_mismatch():
    pts = _points([[5, 5], None, [15, 5]])
    result = assign_communes(pts, COMMUNES, declared=pd.Series(["B", "A", "C"]))
    assert result["assignment"].tolist() == ["inside", "no_location", "inside"]
    assert result["ma_xa_declared"].tolist() == ["B", "A", "C"]
    assert result["mismatch"].tolist() == [True, False, True]


def test_code_column_and_crs():
    other = COMMUNES.rename(columns={"ma_xa": "code"})
    pts = _points([[5, 5], [15, 5]])
    assert assign_communes(pts, other, code="code")["ma_xa"].tolist() == ["A", "B"]
    with pytest.raises(ValueError, match="'ma_xa' column"):
        assign_communes(pts, other)
    with pytest.raises(ValueError, match="points has no coordinate reference system"):
        assign_communes(pts.set_crs(None, allow_override=True), COMMUNES)
    with pytest.raises(ValueError, match="communes has no coordinate reference system"):
        assign_communes(pts, COMMUNES.set_crs(None, allow_override=True))


def test_integer_codes_come_back_as_padded_strings():
    # Excel and integer fields drop the leading zero of GSO codes; it is put back on both sides,
    # so a register with 1465 and boundaries with "01465" agree.
    communes = _communes([1465, 1702], [box(0, 0, 10, 10), box(10, 0, 20, 10)])
    result = assign_communes(_points([[5, 5], [15, 5]]), communes, declared=pd.Series(["01465", 1465.0]))
    assert result["ma_xa"].tolist() == ["01465", "01702"]
    assert result["mismatch"].tolist() == [False, True]


# --------------------------------------------------------------------------- brute force


def brute_force(points: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> tuple[list, list, list]:
    """Plain loops: deepest containing commune (ties: smaller code), else the nearest (ties: smaller code)."""
    codes = communes["ma_xa"].astype(str).tolist()
    geoms = list(communes.geometry)
    out_code, out_how, out_gap = [], [], []
    for point in points.geometry:
        if point is None or point.is_empty:
            out_code.append(None), out_how.append("no_location"), out_gap.append(0.0)
            continue
        inside = [(-shapely.distance(point, g.boundary), c) for g, c in zip(geoms, codes) if point.intersects(g)]
        if inside:
            out_code.append(min(inside)[1])
            out_how.append("inside" if len(inside) == 1 else "overlap")
            out_gap.append(0.0)
        else:
            dist, code = min((point.distance(g), c) for g, c in zip(geoms, codes))
            out_code.append(code), out_how.append("gap"), out_gap.append(dist)
    return out_code, out_how, out_gap


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_boxes_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = 40
    lo = rng.integers(0, 90, size=(n, 2))
    size = rng.integers(3, 25, size=(n, 2))
    geoms = shapely.box(lo[:, 0], lo[:, 1], lo[:, 0] + size[:, 0], lo[:, 1] + size[:, 1])
    codes = [f"{c:05d}" for c in rng.choice(99_999, size=n, replace=False)]
    communes = _communes(codes, geoms)
    # Integer (and half-integer) coordinates make ties of depth and distance common.
    xy = rng.integers(-10, 230, size=(3000, 2)) / 2
    pts = gpd.GeoDataFrame(geometry=shapely.points(xy), index=rng.permutation(3000), crs=METRIC_CRS)
    pts.loc[pts.index[:5], "geometry"] = None
    result = assign_communes(pts, communes)
    code, how, gap = brute_force(pts, communes)
    assert result["assignment"].tolist() == how
    assert [None if pd.isna(c) else c for c in result["ma_xa"]] == code
    assert result["gap_m"].tolist() == pytest.approx(gap)
    assert {"inside", "overlap", "gap", "no_location"} <= set(how)
    # Row order of the communes does not matter.
    shuffled = assign_communes(pts, communes.sample(frac=1, random_state=seed))
    pd.testing.assert_frame_equal(shuffled, result)


def test_wgs84_points_are_reprojected():
    pts = _points([[5, 5], [15, 5]]).to_crs(WGS84)
    # EPSG:9210 near (0, 0) is far from its zone but still a valid transformation.
    assert assign_communes(pts, COMMUNES)["ma_xa"].tolist() == ["A", "B"]


# --------------------------------------------------------------------------- real boundaries


def test_real_boundaries_near_shared_edges(real_file):
    communes = gpd.read_file(real_file("caobang_communes_2025.geojson")).to_crs(METRIC_CRS)
    assert len(communes) == 56
    rng = np.random.default_rng(2025)
    per = 90
    rings = shapely.boundary(communes.geometry.values)
    fractions = rng.uniform(0, 1, size=(len(rings), per))
    on_edge = shapely.line_interpolate_point(np.repeat(rings, per), fractions.ravel(), normalized=True)
    angle = rng.uniform(0, 2 * np.pi, len(on_edge))
    dist = rng.uniform(0.5, 8, len(on_edge))
    xy = shapely.get_coordinates(on_edge) + np.c_[dist * np.cos(angle), dist * np.sin(angle)]
    pts = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=METRIC_CRS)
    assert len(pts) == 5040

    result = assign_communes(pts, communes)
    assert result["ma_xa"].notna().all()
    assert result["ma_xa"].isin(communes["ma_xa"]).all()
    counts = result["assignment"].value_counts()
    print("assignments near shared edges:", counts.to_dict())
    assert set(counts.index) <= {"inside", "overlap", "gap"}
    assert counts.get("gap", 0) > 0
    assert counts.get("overlap", 0) > 0
    assert (result.loc[result["assignment"] == "gap", "gap_m"] > 0).all()
    assert (result.loc[result["assignment"] != "gap", "gap_m"] == 0).all()
    assert result["gap_m"].max() < 100  # points are a few metres from a real boundary

    # Same result from WGS 84 points (reprojected by the function).
    again = assign_communes(pts.to_crs(WGS84), communes.to_crs(WGS84))
    agree = (again["ma_xa"] == result["ma_xa"]).mean()
    assert agree > 0.999

    # Check against an independent computation on a sample.
    sample = pts.iloc[rng.choice(len(pts), 600, replace=False)]
    code, how, gap = brute_force(sample, communes)
    assert result.loc[sample.index, "ma_xa"].tolist() == code
    assert result.loc[sample.index, "assignment"].tolist() == how
    assert result.loc[sample.index, "gap_m"].tolist() == pytest.approx(gap)
