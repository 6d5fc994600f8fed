"""Tests of geo.resettlement: the at-risk set, progress towards 60%, yearly path and site checks."""

from __future__ import annotations

import itertools
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

import geo.hazards
from geo.crs import METRIC_CRS, WGS84
from geo.hazards import HazardZones
from geo.resettlement import FORMS, STATUSES, at_risk, check_sites, path_by_year, progress

COUNTS = ["at_risk", "done", "resettled", "stabilised", "in_progress", "undated", "done_before_2021"] + [f"form_{f}" for f in FORMS]


def _homes(n: int, **columns) -> pd.DataFrame:
    base = {"ma_xa": "A", "dtts": True, "scattered": True, "resettlement_status": "not_planned"}
    base.update(columns)
    return pd.DataFrame({k: (v if np.ndim(v) else [v] * n) for k, v in base.items()})


def _flags(levels) -> pd.DataFrame:
    return pd.DataFrame({"max_level": list(levels)})


# --------------------------------------------------------------------------- at risk


@pytest.mark.parametrize("min_level", [1, 3, 4, 5])
def test_at_risk_needs_dtts_scattered_and_level(min_level):
    grid = list(itertools.product([True, False], [True, False], [0, 1, 2, 3, 4, 5]))
    homes = pd.DataFrame(
        {"dtts": [g[0] for g in grid], "scattered": [g[1] for g in grid], "resettlement_status": "planned"},
        index=np.arange(len(grid)) * 10 + 3,
    )
    flags = _flags(g[2] for g in grid)  # positionally aligned, default index
    result = at_risk(homes, flags, min_level=min_level)
    assert result.index.equals(homes.index)
    expected = [d and s and lv >= min_level for d, s, lv in grid]
    assert result.tolist() == expected
    assert sum(expected) == 6 - min_level


def test_at_risk_default_level_is_high():
    homes = _homes(3)
    assert at_risk(homes, _flags([3, 4, 5])).tolist() == [False, True, True]


def test_flags_must_match():
    homes = _homes(3)
    with pytest.raises(ValueError, match="max_level"):
        at_risk(homes, pd.DataFrame({"level": [1, 2, 3]}))
    with pytest.raises(ValueError, match="2 flag rows for 3 households"):
        at_risk(homes, _flags([4, 4]))
    with pytest.raises(ValueError, match="dtts"):
        progress(homes.drop(columns="dtts"), _flags([4, 4, 4]))


def test_unknown_status_raises():
    homes = _homes(3, resettlement_status=["resettled", "relocated", "planned"])
    with pytest.raises(ValueError, match="relocated"):
        progress(homes, _flags([5, 5, 5]))
    with pytest.raises(ValueError, match="unknown resettlement status"):
        path_by_year(homes, _flags([5, 5, 5]))


# --------------------------------------------------------------------------- target arithmetic


@pytest.mark.parametrize(
    ("n_risk", "n_done", "target", "needed"),
    [(10, 5, 6, 1), (7, 0, 5, 5), (7, 3, 5, 2), (7, 6, 5, 0), (5, 0, 3, 3), (5, 3, 3, 0), (1, 0, 1, 1), (0, 0, 0, 0),
     (15, 8, 9, 1), (25, 14, 15, 1)],
)
def test_needed_is_ceil_60_percent_minus_done(n_risk, n_done, target, needed):
    status = ["resettled"] * n_done + ["planned"] * (n_risk - n_done) + ["not_planned"]
    homes = _homes(n_risk + 1, resettlement_status=status)
    flags = _flags([4] * n_risk + [1])  # the last one is not at risk
    row = progress(homes, flags, year=2025).loc["A"]
    assert (row["at_risk"], row["done"], row["target_households"], row["needed"]) == (n_risk, n_done, target, needed)
    if n_risk:
        assert row["share"] == pytest.approx(n_done / n_risk)
    else:
        assert np.isnan(row["share"])


def test_target_households_exact_for_many_sizes():
    # ceil(0.6 n) in exact integer arithmetic; 0.6 * 5 = 3.0000000000000004 in floating point.
    n = 200
    homes = _homes(n, ma_xa=[f"u{i:03d}" for i in range(n)])
    unit_size = np.arange(n)  # unit u_i has i at-risk households
    homes = homes.loc[homes.index.repeat(unit_size + 1)].reset_index(drop=True)
    first = ~homes["ma_xa"].duplicated()
    flags = _flags(np.where(first, 1, 4))  # one not-at-risk household per unit so that every unit appears
    table = progress(homes, flags, total=False)
    assert table["at_risk"].tolist() == unit_size.tolist()
    assert table["target_households"].tolist() == [-(-3 * k // 5) for k in unit_size]
    assert table["target_households"].tolist() == [math.ceil(k * 3 / 5) for k in unit_size]


# --------------------------------------------------------------------------- dates


def test_dates_after_the_end_of_the_year_do_not_count():
    dates = pd.to_datetime(
        ["2023-06-01", "2024-12-31", "2025-01-01", "2025-12-31 23:30", "2026-01-01", None, "2021-03-03"], format="ISO8601"
    )
    status = ["resettled", "stabilised", "resettled", "stabilised", "resettled", "resettled", "planned"]
    homes = _homes(7, resettlement_status=status, resettlement_date=dates)
    flags = _flags([5] * 7)
    done = {year: progress(homes, flags, year=year).loc["province", "done"] for year in range(2020, 2027)}
    # undated counts every year; dated ones from their year on.
    assert done == {2020: 1, 2021: 1, 2022: 1, 2023: 2, 2024: 3, 2025: 5, 2026: 6}
    assert progress(homes, flags, year=2025).loc["province", "undated"] == 1
    assert progress(homes, flags, year=2025).loc["province", "in_progress"] == 1


def test_dates_as_strings():
    homes = _homes(3, resettlement_status="resettled", resettlement_date=["2022-05-01", "2025-07-01", None])
    assert progress(homes, _flags([4, 4, 4]), year=2024).loc["A", "done"] == 2


# --------------------------------------------------------------------------- progress adds up


def random_register(seed: int, n: int = 3000) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-01-01").value
    end = pd.Timestamp("2027-01-01").value
    dates = pd.to_datetime(rng.integers(start, end, n))
    dates = pd.Series(dates).where(rng.random(n) > 0.1)  # 10% undated
    units = pd.Series(rng.choice(["01267", "01270", "01465", "01702", "01738"], n), dtype=object)
    units = units.where(rng.random(n) > 0.02)  # a few households with no unit
    homes = pd.DataFrame(
        {
            "ma_xa": units,
            "dtts": rng.random(n) < 0.8,
            "scattered": rng.random(n) < 0.7,
            "resettlement_status": rng.choice(STATUSES, n),
            "resettlement_date": dates,
            "resettlement_form": rng.choice(list(FORMS) + [None], n),
        },
        index=rng.permutation(n) + 500,
    )
    flags = _flags(rng.integers(0, 6, n))
    return homes, flags


@pytest.mark.parametrize(("seed", "year", "min_level"), [(0, 2025, 4), (1, 2023, 3), (2, 2020, 5)])
def test_units_add_up_to_the_province(seed, year, min_level):
    homes, flags = random_register(seed)
    table = progress(homes, flags, year=year, min_level=min_level)
    assert table.index[-1] == "province"
    units, province = table.iloc[:-1], table.iloc[-1]
    for column in COUNTS:
        assert units[column].sum() == province[column], column
    # households done (dated) before 2021 are out of the programme's counts and reported apart
    assert province["at_risk"] + province["done_before_2021"] == at_risk(homes, flags, min_level).sum()
    assert province["done_before_2021"] == _before_mask(homes, flags, min_level).sum()
    assert province["done"] == province["resettled"] + province["stabilised"]
    assert province["done"] == sum(province[f"form_{f}"] for f in FORMS) + (
        homes["resettlement_form"].isna() & _done_mask(homes, flags, year, min_level)
    ).sum()
    assert province["target_households"] == math.ceil(round(0.6 * province["at_risk"], 9))
    assert province["needed"] == max(province["target_households"] - province["done"], 0)
    assert province["expected_share"] == pytest.approx(0.6 * (year - 2020) / 5)


def _done_mask(homes, flags, year, min_level) -> pd.Series:
    """Brute force, row by row: done within the programme (2021 to ``year``; undated counts)."""
    out = []
    for (_, row), level in zip(homes.iterrows(), flags["max_level"]):
        risk = row["dtts"] and row["scattered"] and level >= min_level
        undated = pd.isna(row["resettlement_date"])
        dated_ok = undated or 2021 <= row["resettlement_date"].year <= year
        out.append(bool(risk and row["resettlement_status"] in ("resettled", "stabilised") and dated_ok))
    return pd.Series(out, index=homes.index)


def _before_mask(homes, flags, min_level) -> pd.Series:
    """Brute force: at risk and done with a date before 2021 (outside the programme)."""
    out = []
    for (_, row), level in zip(homes.iterrows(), flags["max_level"]):
        risk = row["dtts"] and row["scattered"] and level >= min_level
        dated = not pd.isna(row["resettlement_date"])
        out.append(bool(risk and row["resettlement_status"] in ("resettled", "stabilised") and dated
                        and row["resettlement_date"].year < 2021))
    return pd.Series(out, index=homes.index)


def test_progress_equals_brute_force_per_unit():
    homes, flags = random_register(5, n=800)
    year, min_level = 2024, 4
    table = progress(homes, flags, year=year, min_level=min_level, total=False)
    done = _done_mask(homes, flags, year, min_level)
    level = pd.Series(flags["max_level"].to_numpy(), index=homes.index)
    risk = homes["dtts"] & homes["scattered"] & (level >= min_level)
    for unit in homes["ma_xa"].dropna().unique():
        in_unit = homes["ma_xa"] == unit
        row = table.loc[unit]
        assert row["at_risk"] == (risk & in_unit & ~_before_mask(homes, flags, min_level)).sum()
        assert row["done"] == (done & in_unit).sum()
        assert row["stabilised"] == (done & in_unit & (homes["resettlement_status"] == "stabilised")).sum()
        assert row["in_progress"] == (risk & in_unit & homes["resettlement_status"].isin(["planned", "moving"])).sum()
        for form in FORMS:
            assert row[f"form_{form}"] == (done & in_unit & (homes["resettlement_form"] == form)).sum()


def test_by_series_unit():
    homes, flags = random_register(3, n=500)
    by = pd.Series(np.where(np.arange(500) % 2, "odd", "even"))
    table = progress(homes, flags, by=by)
    assert table.index.tolist() == ["even", "odd", "province"]
    assert table.loc["even", "at_risk"] + table.loc["odd", "at_risk"] == table.loc["province", "at_risk"]


# --------------------------------------------------------------------------- path by year


def test_path_by_year_is_non_decreasing():
    homes, flags = random_register(7)
    path = path_by_year(homes, flags)
    assert path.index.tolist() == list(range(2020, 2026))
    assert list(path.columns) == ["at_risk", "done", "share", "expected_share", "target_households", "needed"]
    assert path["done"].is_monotonic_increasing
    assert path["needed"].is_monotonic_decreasing
    assert path["done"].iloc[-1] > path["done"].iloc[0]
    assert path["at_risk"].nunique() == 1
    assert path["expected_share"].tolist() == pytest.approx([0, 0.12, 0.24, 0.36, 0.48, 0.6])
    for year in (2020, 2023, 2025):
        assert path.loc[year, "done"] == progress(homes, flags, year=year).loc["province", "done"]


# --------------------------------------------------------------------------- sites


def _zones_and_sites() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    x0, y0 = 551_000, 2_506_000
    zones = gpd.GeoDataFrame(
        {"hazard_type": ["sạt lở", "lũ quét", "landslide"], "level": ["cao", 5, 2]},
        geometry=[box(x0, y0, x0 + 100, y0 + 100), box(x0 + 50, y0, x0 + 150, y0 + 100), box(x0 + 500, y0, x0 + 600, y0 + 100)],
        crs=METRIC_CRS,
    )
    sites = gpd.GeoDataFrame(
        {"site": ["in-both", "safe", "low-zone", "in-one"]},
        geometry=shapely.points([[x0 + 60, y0 + 50], [x0 + 300, y0 + 50], [x0 + 550, y0 + 50], [x0 + 10, y0 + 10]]),
        crs=METRIC_CRS,
    ).to_crs(WGS84)
    return zones, sites


@pytest.mark.parametrize("prepared", [False, True])
def test_check_sites_finds_sites_in_zones(prepared):
    zones, sites = _zones_and_sites()
    if prepared:
        zones = HazardZones.prepare(zones.to_crs(WGS84))
    hits = check_sites(sites, zones)
    assert "safe" not in set(hits["site"])
    assert sorted(zip(hits["site"], hits["hazard_type"], hits["level"])) == [
        ("in-both", "flash_flood", 5), ("in-both", "landslide", 4), ("in-one", "landslide", 4), ("low-zone", "landslide", 2),
    ]
    assert hits["level"].is_monotonic_decreasing
    assert set(hits.loc[hits["site"] == "in-both", "zone_index"]) == {0, 1}
    assert "geometry" not in hits

    high = check_sites(sites, zones, min_level=3)
    assert set(high["site"]) == {"in-both", "in-one"}
    none = check_sites(sites.iloc[[1]], zones)
    assert len(none) == 0


def test_check_sites_trusts_prepared_zones(monkeypatch):
    zones, sites = _zones_and_sites()
    prepared = HazardZones.prepare(zones.set_index(pd.Index([30, 10, 20])))
    expected = check_sites(sites, zones.set_index(pd.Index([30, 10, 20])), min_level=2)
    calls = []
    monkeypatch.setattr(geo.hazards, "prepare_zones", lambda *a, **k: calls.append(1) or pytest.fail("validated"))
    pd.testing.assert_frame_equal(check_sites(sites, prepared, min_level=2), expected)
    assert set(expected["zone_index"]) == {10, 20, 30}
    assert not calls


def test_check_sites_prepares_plain_zones_once(monkeypatch):
    zones, sites = _zones_and_sites()
    calls = []
    original = geo.hazards.prepare_zones
    monkeypatch.setattr(geo.hazards, "prepare_zones", lambda *a, **k: calls.append(1) or original(*a, **k))
    assert len(check_sites(sites, zones)) == 4
    assert len(calls) == 1


def test_ranking_every_commune_by_households_still_needed():
    """The progress view's ranking: every unit, most still needed first, the share of its 60% line from its counts."""
    import math

    from geo.dataset import load
    from geo.risk import RiskFilter, risk_view

    view = risk_view(load(), RiskFilter(min_level=3))
    ranked = view.ranking
    assert list(ranked.index) == list(view.by_unit.index) and len(ranked) == len(view.progress) - 1
    assert ranked["needed"].is_monotonic_decreasing
    for _, row in ranked.iterrows():
        assert row["target_households"] == math.ceil(0.6 * row["at_risk"] - 1e-9)
        expected = 1.0 if row["target_households"] == 0 else min(1.0, row["done"] / row["target_households"])
        assert row["line_reached"] == pytest.approx(expected)
        assert row["needed"] == max(0, row["target_households"] - row["done"])
    assert ranked["at_risk"].sum() == view.totals["at_risk"] and ranked["done"].sum() == view.totals["done"]
