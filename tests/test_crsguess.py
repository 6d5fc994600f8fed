"""Tests for geo.crsguess: guessing the CRS of coordinate columns without one."""

import numpy as np
import pandas as pd
import pyproj
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from geo.crs import METRIC_CRS, WGS84
from geo.crsguess import CANDIDATES, MIN_SHARE, CrsGuess, guess_crs, to_points
from geo.units import communes

_GEOD = pyproj.Geod(ellps="WGS84")

#: What the guess must be for data truly in each CRS, with every commune centre.
#: WGS 84 / UTM and VN-2000 / UTM differ only by the datum shift (about 200 m),
#: which no test on the province's extent can see: the preferred 3405 wins.
_EXPECTED = {"EPSG:4326": "EPSG:4326", "EPSG:9210": "EPSG:9210", "EPSG:3405": "EPSG:3405", "EPSG:32648": "EPSG:3405"}


@pytest.fixture(scope="module")
def centres() -> pd.DataFrame:
    """Commune centres of Cao Bằng (2020 vintage), WGS 84 degrees."""
    return communes(2020)[["lon", "lat", "district_vi"]].reset_index(drop=True)


def _project(lon, lat, crs: str) -> tuple[np.ndarray, np.ndarray]:
    return pyproj.Transformer.from_crs(WGS84, crs, always_xy=True).transform(np.asarray(lon), np.asarray(lat))


@pytest.mark.parametrize("swapped", [False, True])
@pytest.mark.parametrize("crs", CANDIDATES)
def test_guesses_crs_and_column_order(centres, crs, swapped):
    east, north = _project(centres.lon, centres.lat, crs)
    guess = guess_crs(north, east) if swapped else guess_crs(east, north)
    assert guess.crs == _EXPECTED[crs]
    assert guess.swapped is swapped
    assert guess.share_inside == 1.0
    assert (crs, swapped, 1.0) in guess.alternatives
    assert len(guess.alternatives) == 2 * len(CANDIDATES)
    assert guess.alternatives[0] == (guess.crs, guess.swapped, guess.share_inside)


def test_utm_datums_both_reported(centres):
    east, north = _project(centres.lon, centres.lat, "EPSG:32648")
    guess = guess_crs(east, north)
    shares = {(crs, swapped): share for crs, swapped, share in guess.alternatives}
    assert shares[("EPSG:32648", False)] == shares[("EPSG:3405", False)] == 1.0
    assert guess.ambiguous
    assert "EPSG:32648" in guess.describe()


def test_tm3_points_spread_over_province_are_not_ambiguous(centres):
    east, north = _project(centres.lon, centres.lat, "EPSG:9210")
    guess = guess_crs(east, north)
    assert not guess.ambiguous
    assert guess.describe() == "VN-2000 / TM-3 105-45 (EPSG:9210), X = easting: 100% of points in Cao Bằng"


def test_western_district_in_utm_is_flagged_ambiguous(centres):
    # A known limit: Bảo Lâm in UTM, read as TM-3, moves 0.75° east and stays in
    # the province. The preference gives TM-3; the guess must say it is unsure.
    west = centres[centres.district_vi == "Huyện Bảo Lâm"]
    east, north = _project(west.lon, west.lat, "EPSG:3405")
    guess = guess_crs(east, north)
    assert guess.crs == "EPSG:9210"
    assert guess.ambiguous
    assert "EPSG:3405" in guess.describe()


def test_nan_ignored(centres):
    east, north = _project(centres.lon, centres.lat, "EPSG:9210")
    east, north = east.copy(), north.copy()
    east[::3], north[1::5] = np.nan, np.nan
    guess = guess_crs(pd.Series(east), pd.Series(north))
    assert (guess.crs, guess.swapped, guess.share_inside) == ("EPSG:9210", False, 1.0)


def test_text_columns_are_read_as_numbers():
    guess = guess_crs(["106.25", "105.9", "n/a"], ["22.67", "22.95", ""])
    assert (guess.crs, guess.share_inside) == ("EPSG:4326", 1.0)


def test_no_valid_points():
    guess = guess_crs([np.nan, np.nan], [1.0, np.nan])
    assert guess == CrsGuess(None, False, 0.0, ())
    assert guess.describe() == "No coordinates to place"
    assert guess_crs([], []).crs is None


def test_lengths_must_match():
    with pytest.raises(ValueError, match="length"):
        guess_crs([1.0, 2.0], [1.0])


@pytest.mark.parametrize("crs", CANDIDATES)
def test_points_from_elsewhere_are_not_placed(crs):
    rng = np.random.default_rng(0)
    lon, lat = 105.85 + rng.normal(0, 0.05, 50), 21.03 + rng.normal(0, 0.05, 50)  # Hà Nội
    east, north = _project(lon, lat, crs)
    for x, y in ((east, north), (north, east)):
        guess = guess_crs(x, y)
        assert guess.crs is None
        assert guess.share_inside < MIN_SHARE
        assert guess.describe().startswith("No candidate CRS places the points in Cao Bằng")


@given(
    arrays(np.float64, st.integers(1, 30), elements=st.floats(allow_nan=True, allow_infinity=True)),
    st.randoms(use_true_random=False),
)
def test_any_numbers_give_a_consistent_guess(values, random):
    other = np.array(values)
    random.shuffle(other)
    guess = guess_crs(values, other)
    assert 0.0 <= guess.share_inside <= 1.0
    if guess.alternatives:
        assert len(guess.alternatives) == 2 * len(CANDIDATES)
    if guess.crs is not None:
        assert guess.share_inside >= MIN_SHARE


def test_uniform_random_numbers_give_no_crs():
    rng = np.random.default_rng(1)
    for scale in (1.0, 200.0, 1e6, 1e7):
        guess = guess_crs(rng.uniform(-scale, scale, 500), rng.uniform(-scale, scale, 500))
        assert guess.crs is None or guess.share_inside < MIN_SHARE


@pytest.mark.parametrize("swapped", [False, True])
@pytest.mark.parametrize("crs", CANDIDATES)
def test_to_points_round_trip_within_a_metre(centres, crs, swapped):
    east, north = _project(centres.lon, centres.lat, crs)
    x, y = (pd.Series(north), pd.Series(east)) if swapped else (pd.Series(east), pd.Series(north))
    points = to_points(x, y, crs, swapped=swapped)
    assert points.crs.to_epsg() == 9210
    back = points.to_crs(WGS84)
    _, _, dist = _GEOD.inv(back.x.to_numpy(), back.y.to_numpy(), centres.lon.to_numpy(), centres.lat.to_numpy())
    assert np.max(dist) < 1.0


def test_to_points_keeps_index_and_missing():
    x = pd.Series([546000.0, np.nan, 550000.0], index=[10, 11, 12])
    y = pd.Series([2508000.0, 2509000.0, None], index=[10, 11, 12])
    points = to_points(x, y, METRIC_CRS)
    assert points.index.tolist() == [10, 11, 12]
    assert points.iloc[0].coords[0] == (546000.0, 2508000.0)
    assert points.isna().tolist() == [False, True, True]


@pytest.mark.parametrize("crs", ["+proj=utm +zone=48 +datum=WGS84", "VN-2000", ""])
def test_to_points_refuses_non_epsg(crs):
    with pytest.raises(ValueError, match="EPSG code"):
        to_points([1.0], [2.0], crs)


def test_to_points_accepts_code_spellings():
    assert to_points([106.25], [22.67], "epsg:4326").iloc[0].equals(to_points([106.25], [22.67], 4326).iloc[0])


def test_vn2000_datum_shift_matters(centres):
    # Why CRSs are named by EPSG code: the same numbers in VN-2000 / UTM and in
    # WGS 84 / UTM are ≥ 100 m apart (the VN-2000 datum shift, which a bare
    # proj4 string drops).
    east, north = _project(centres.lon, centres.lat, "EPSG:32648")
    vn2000 = to_points(east, north, "EPSG:3405")
    wgs84 = to_points(east, north, "EPSG:32648")
    assert (vn2000.distance(wgs84) >= 100).all()


def test_the_ambiguous_guess_reads_in_the_users_language(centres, tmp_path):
    """An import of UTM coordinates (VN-2000 and WGS 84 both fit) with X = northing, as survey tables have it,
    is refused in one line that is Vietnamese throughout for a Vietnamese user: no English fragment of the
    readings ("X = easting", "also fits", "of points")."""
    from geo.importer import prepare

    east, north = _project(centres.lon, centres.lat, "EPSG:32648")
    path = tmp_path / "ho.csv"
    pd.DataFrame({"household_id": [f"H{i}" for i in range(len(east))], "x": north, "y": east,
                  "members": 4}).to_csv(path, index=False)
    with pytest.raises(ValueError) as refused:
        prepare(path, "households", lang="vi")
    line = str(refused.value)
    assert "\n" not in line and "X = tọa độ hướng Bắc" in line and "cũng khớp" in line and "EPSG:32648" in line
    assert "100% số điểm nằm trong Cao Bằng" in line
    for english in ("northing", "easting", "also fits", "of points", "confirm", "columns are"):
        assert english not in line
    with pytest.raises(ValueError, match="X = northing: 100% of points in Cao Bằng; also fits"):
        prepare(path, "households", lang="en")
