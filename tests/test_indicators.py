"""Tests of the status engine (geo/indicators.py): rules, path, aggregation.

Hand-worked examples follow TARGETS.md; the arithmetic is in the comments.
Properties use hypothesis and batch many units into one ``evaluate`` call.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from geo.catalogue import load_catalogue
from geo.indicators import (
    BASELINE_YEAR,
    STATUSES,
    TARGET_YEAR,
    VALUE_COLUMNS,
    aggregate,
    evaluate,
    normalise_values,
)

CAT = load_catalogue()
RANK = {"behind": 0, "on_track": 1, "achieved": 2}
# Example counts come from the hypothesis profile (tests/conftest.py): 200 in CI.
PROPS = settings(deadline=None)

# Target 12 counts from 2021 (its value is the programme's share): tested on its own.
MIN_SHARE = [k for k, v in CAT.items() if v.rule == "min_share" and v.counts_from is None]
MAX_SHARE = [k for k, v in CAT.items() if v.rule == "max_share"]
SHARES = MIN_SHARE + MAX_SHARE
PATH_RULES = [
    k for k, v in CAT.items()
    if v.rule in ("min_share", "max_share", "ratio_to_baseline", "yearly_reduction_pp", "yearly_relative_reduction")
]  # fmt: skip
RATIO_IDS = [k for k, v in CAT.items() if v.aggregate == "ratio"]


# ---------------------------------------------------------------- helpers
def rec(unit: str, ind: str, year: int, **cols) -> dict:
    return {"unit_code": unit, "indicator_id": ind, "year": year, **cols}


def run(records: list[dict], year: int, **kw) -> pd.DataFrame:
    return evaluate(pd.DataFrame(records), year, **kw)


def one(ind: str, year: int, baseline, value, province: bool = False, **cols) -> pd.Series:
    """Evaluate a single unit given by plain values (``None`` = no row)."""
    recs = []
    if baseline is not None:
        recs.append(rec("X", ind, BASELINE_YEAR, value=baseline, **cols))
    if value is not None and year != BASELINE_YEAR:
        recs.append(rec("X", ind, year, value=value, **cols))
    out = run(recs, year, province=province)
    assert len(out) == 1
    return out.iloc[0]


def parts(ind: str, year: int, base: tuple, now: tuple, province: bool = False) -> pd.Series:
    """Evaluate a single unit given by (numerator, denominator) pairs."""
    recs = [rec("X", ind, BASELINE_YEAR, numerator=base[0], denominator=base[1])]
    if year != BASELINE_YEAR:
        recs.append(rec("X", ind, year, numerator=now[0], denominator=now[1]))
    out = run(recs, year, province=province)
    assert len(out) == 1
    return out.iloc[0]


# ================================================================ hand-worked examples
class TestYearlyReductionPP:
    # Indicator 2, poverty: fall of >= 4 pp a year. Baseline 40 % in 2020:
    # target 2025 = 40 - 4*5 = 20 %; expected 2023 = 40 - 4*3 = 28 %.
    def test_target_and_expected(self):
        row = parts("2", 2023, (40, 100), (29, 100))
        assert row["target_value"] == pytest.approx(20.0)
        assert row["expected"] == pytest.approx(28.0)
        assert row["baseline"] == pytest.approx(40.0)
        assert row["value"] == pytest.approx(29.0)

    def test_behind_on_track_achieved(self):
        assert parts("2", 2023, (40, 100), (29, 100))["status"] == "behind"  # 29 > 28
        assert parts("2", 2023, (40, 100), (27, 100))["status"] == "on_track"  # 27 <= 28, > 20
        assert parts("2", 2023, (40, 100), (28, 100))["status"] == "on_track"  # exactly on the line
        assert parts("2", 2024, (400, 1000), (195, 1000))["status"] == "achieved"  # 19.5 <= 20
        assert parts("2", 2025, (40, 100), (20, 100))["status"] == "achieved"  # not strict: 20 <= 20
        assert parts("2", 2025, (40, 100), (21, 100))["status"] == "behind"

    def test_gap_and_behind_path(self):
        # 29 in 2023: gap to 20 is 9 pp; behind the 28 % line by 1 pp.
        row = parts("2", 2023, (40, 100), (29, 100))
        assert row["gap"] == pytest.approx(9.0)
        assert row["behind_path"] == pytest.approx(1.0)
        # 27 in 2023: on track, so nothing behind the path; gap 7.
        row = parts("2", 2023, (40, 100), (27, 100))
        assert row["gap"] == pytest.approx(7.0)
        assert row["behind_path"] == 0.0

    def test_no_floor_below_20_percent(self):
        # Baseline 10 %: 10 - 20 = -10, no floor (issue 16); only a rate of 0 meets it.
        row = parts("2", 2025, (10, 100), (1, 100))
        assert row["target_value"] == -10.0
        assert row["status"] == "behind"
        assert parts("2", 2025, (10, 100), (0, 100))["status"] == "achieved"

    def test_years_needed(self):
        # 40 -> 34 in 2023: pace = (40-34)/3 = 2 pp/yr, gap = 34 - 20 = 14 pp
        # -> 14 / 2 = 7 years.
        row = parts("2", 2023, (40, 100), (34, 100))
        assert row["years_needed"] == pytest.approx(7.0)
        assert row["gap"] == pytest.approx(14.0)
        # Not moving (40 -> 41, the wrong way): inf.
        assert parts("2", 2023, (40, 100), (41, 100))["years_needed"] == math.inf
        assert parts("2", 2023, (40, 100), (40, 100))["years_needed"] == math.inf
        # Achieved: 0.
        assert parts("2", 2024, (40, 100), (19, 100))["years_needed"] == 0.0
        # 2020: no pace yet.
        assert math.isnan(parts("2", 2020, (40, 100), (40, 100))["years_needed"])

    def test_docstring_example(self):
        poverty = pd.DataFrame({"unit_code": ["X"] * 2, "indicator_id": ["2"] * 2,
                                "year": [2020, 2023], "numerator": [40, 30],
                                "denominator": [100, 100]})  # fmt: skip
        row = evaluate(poverty, 2023).iloc[0]
        assert (row["target_value"], row["expected"], row["status"]) == (20.0, 28.0, "behind")


class TestRatioToBaseline:
    # Indicator 1, income "more than doubles" (strict): baseline 10 -> target 20.
    def test_strict_doubling(self):
        row = one("1", 2025, 10, 20)
        assert row["target_value"] == pytest.approx(20.0)
        assert row["status"] == "behind"  # 20 is not MORE than double
        assert one("1", 2025, 10, 20.1)["status"] == "achieved"

    def test_income_from_parts_is_not_percent(self):
        # 1000 million VND / 100 persons = 10 per person (no x100 for a non-% unit);
        # 2025: 2010 / 100 = 20.1 > 2 * 10.
        row = parts("1", 2025, (1000, 100), (2010, 100))
        assert row["baseline"] == pytest.approx(10.0)
        assert row["value"] == pytest.approx(20.1)
        assert row["status"] == "achieved"

    def test_on_track(self):
        # 2023 expected = 10 + (20 - 10) * 3/5 = 16.
        row = one("1", 2023, 10, 16)
        assert row["expected"] == pytest.approx(16.0)
        assert row["status"] == "on_track"
        assert one("1", 2023, 10, 15.9)["status"] == "behind"

    def test_missing_baseline_is_no_data(self):
        # No 2020 value: no target can be computed.
        row = one("1", 2025, None, 50)
        assert row["status"] == "no_data"
        assert math.isnan(row["gap"])
        assert one("2", 2023, None, 10)["status"] == "no_data"


class TestShares:
    def test_14a_strict_above(self):
        # "trên 98%": 98.0 is not above 98.
        assert parts("14a", 2025, (90, 100), (98, 100))["status"] == "behind"
        assert parts("14a", 2025, (90, 100), (981, 1000))["status"] == "achieved"

    def test_8_not_strict(self):
        # "95% trở lên": exactly 95 is enough.
        assert parts("8", 2025, (80, 100), (95, 100))["status"] == "achieved"
        assert parts("8", 2025, (80, 100), (949, 1000))["status"] == "behind"

    def test_8_on_track(self):
        # baseline 80, target 95: 2022 expected = 80 + 15 * 2/5 = 86.
        row = parts("8", 2022, (80, 100), (86, 100))
        assert row["expected"] == pytest.approx(86.0)
        assert row["status"] == "on_track"
        assert parts("8", 2022, (80, 100), (85, 100))["status"] == "behind"

    def test_19_strict_below(self):
        # "dưới 16,4%": 16.4 is not below 16.4; lower is better.
        assert parts("19", 2025, (30, 100), (164, 1000))["status"] == "behind"
        assert parts("19", 2025, (30, 100), (163, 1000))["status"] == "achieved"
        # baseline 30: 2023 expected = 30 + (16.4 - 30) * 3/5 = 21.84.
        row = parts("19", 2023, (30, 100), (218, 1000))
        assert row["expected"] == pytest.approx(21.84)
        assert row["status"] == "on_track"
        assert parts("19", 2023, (30, 100), (22, 100))["status"] == "behind"

    def test_baseline_already_past_target(self):
        # Roads 90 % in 2020 (target 85): the path is flat at 85; 86 in 2023 is achieved,
        # 84 is behind (below the target, which is also the expected value).
        row = parts("4", 2023, (90, 100), (84, 100))
        assert row["expected"] == pytest.approx(85.0)
        assert row["status"] == "behind"
        assert parts("4", 2023, (90, 100), (86, 100))["status"] == "achieved"

    def test_denominator_zero_is_not_applicable(self):
        # 12: no at-risk households at all -> 0/0 -> the share does not apply.
        row = parts("12", 2025, (0, 0), (0, 0))
        assert row["status"] == "not_applicable"
        assert math.isnan(row["gap"])

    def test_missing_value_is_no_data(self):
        assert parts("12", 2025, (10, 100), (np.nan, 100))["status"] == "no_data"

    def test_no_baseline_met_is_achieved(self):
        # A share needs no baseline to be met.
        assert one("8", 2023, None, 96)["status"] == "achieved"

    def test_no_baseline_unmet_before_2025_is_no_data(self):
        # Without a baseline the 2023 path is unknown: on_track vs behind undecidable.
        assert one("8", 2023, None, 50)["status"] == "no_data"

    def test_no_baseline_unmet_in_2025_is_behind(self):
        # In 2025 the status is only "met or not": the baseline is not needed.
        row = one("8", 2025, None, 50)
        assert row["status"] == "behind"
        assert row["gap"] == pytest.approx(45.0)
        assert row["expected"] == pytest.approx(95.0)
        assert row["behind_path"] == pytest.approx(45.0)


class TestRelativeReduction:
    def test_20a_target(self):
        # 100 couples, -3 %/yr: 100 * 0.97**5 = 85.873...
        row = one("20a", 2025, 100, 85)
        assert row["target_value"] == pytest.approx(100 * 0.97**5)
        assert row["target_value"] == pytest.approx(85.87, abs=0.01)
        assert row["status"] == "achieved"
        assert one("20a", 2025, 100, 86)["status"] == "behind"

    def test_20b_target(self):
        # 100 * 0.95**5 = 77.378...
        assert one("20b", 2025, 100, 77)["target_value"] == pytest.approx(77.378, abs=1e-3)

    def test_on_track_straight_line(self):
        # 2023 expected = 100 + (85.873 - 100) * 3/5 = 91.524
        row = one("20a", 2023, 100, 91.5)
        assert row["expected"] == pytest.approx(100 + (100 * 0.97**5 - 100) * 0.6)
        assert row["status"] == "on_track"
        assert one("20a", 2023, 100, 92)["status"] == "behind"

    def test_baseline_zero_not_applicable(self):
        # No child-marriage couples in 2020: "where rates are high" does not apply.
        assert one("20a", 2025, 0, 0)["status"] == "not_applicable"
        assert one("20a", 2023, 0, 3)["status"] == "not_applicable"

    def test_missing_baseline_no_data(self):
        assert one("20a", 2025, None, 3)["status"] == "no_data"


class TestUnitsLeaving:
    # 3a at province: 100 listed communes in 2020 (value = count on the list).
    def test_province_2025(self):
        # 38 still listed -> 100 - 38 = 62 left >= 62 -> achieved.
        row = one("3a", 2025, 100, 38, province=True)
        assert row["value"] == 62
        assert row["target_value"] == 62
        assert row["status"] == "achieved"
        # 39 still listed -> 61 left -> behind, gap 1.
        row = one("3a", 2025, 100, 39, province=True)
        assert row["status"] == "behind"
        assert row["gap"] == pytest.approx(1.0)

    def test_province_2023_path(self):
        # expected 2023 = 62 * 3/5 = 37.2: 38 left on track, 37 behind.
        row = one("3a", 2023, 100, 62, province=True)
        assert row["expected"] == pytest.approx(37.2)
        assert row["status"] == "on_track"
        assert one("3a", 2023, 100, 63, province=True)["status"] == "behind"

    def test_area_is_described_not_judged(self):
        # Not the province: the plan sets a province count only (issue 16), so an area is described.
        row = one("3a", 2025, 100, 38, province=False)
        assert math.isnan(row["target_value"])
        assert (row["status"], row["listing"], row["value"]) == ("not_applicable", "still_listed", 62)
        assert one("3a", 2025, 100, 0)["listing"] == "left"

    def test_commune_level(self):
        recs = [
            rec("A", "3a", 2020, value=1), rec("A", "3a", 2023, value=0),  # left
            rec("B", "3a", 2020, value=1), rec("B", "3a", 2023, value=1),  # still listed
            rec("C", "3a", 2020, value=0), rec("C", "3a", 2023, value=0),  # never listed
            rec("D", "3a", 2023, value=0),  # no 2020 row
        ]  # fmt: skip
        out = run(recs, 2023).set_index("unit_code")
        assert out["status"].to_dict() == {"A": "not_applicable", "B": "not_applicable", "C": "not_applicable",
                                           "D": "no_data"}
        assert out["listing"].drop("D").to_dict() == {"A": "left", "B": "still_listed", "C": "not_listed"}
        assert pd.isna(out.loc["D", "listing"])

    def test_from_communes_via_aggregate(self):
        # 120 communes, the first 100 listed in 2020, the first 62 of those off by 2025.
        codes = [f"c{i:03d}" for i in range(120)]
        recs = [rec(c, "3a", 2020, value=int(i < 100)) for i, c in enumerate(codes)]
        recs += [rec(c, "3a", 2025, value=int(62 <= i < 100)) for i, c in enumerate(codes)]
        prov = aggregate(pd.DataFrame(recs), {c: "CB" for c in codes})
        assert sorted(prov["value"].tolist()) == [38.0, 100.0]
        row = evaluate(prov, 2025, province=True).iloc[0]
        assert (row["value"], row["status"]) == (62.0, "achieved")


class TestParity:
    def test_parity_2025(self):
        # Cadres 70 % DTTS vs population 90 % DTTS -> behind; reference = 90.
        base = {"numerator": 60, "denominator": 100, "ref_numerator": 90, "ref_denominator": 100}
        recs = [rec("X", "25", 2020, **base),
                rec("X", "25", 2025, numerator=70, denominator=100, ref_numerator=90, ref_denominator=100)]
        row = run(recs, 2025).iloc[0]
        assert row["reference"] == pytest.approx(90.0)
        assert row["target_value"] == pytest.approx(90.0)
        assert row["status"] == "behind"
        assert row["gap"] == pytest.approx(20.0)
        recs[1]["numerator"] = 91
        assert run(recs, 2025).iloc[0]["status"] == "achieved"
        recs[1]["numerator"] = 90  # ">=": equal shares are parity
        assert run(recs, 2025).iloc[0]["status"] == "achieved"

    def test_parity_path(self):
        # 60 -> 90: 2023 expected 60 + 30 * 3/5 = 78.
        base = {"numerator": 60, "denominator": 100, "ref_numerator": 90, "ref_denominator": 100}
        recs = [rec("X", "25", 2020, **base), rec("X", "25", 2023, **{**base, "numerator": 78})]
        row = run(recs, 2023).iloc[0]
        assert row["expected"] == pytest.approx(78.0)
        assert row["status"] == "on_track"
        recs[1]["numerator"] = 77
        assert run(recs, 2023).iloc[0]["status"] == "behind"

    def test_parity_without_reference_is_no_data(self):
        recs = [rec("X", "25", 2020, numerator=60, denominator=100),
                rec("X", "25", 2025, numerator=95, denominator=100)]
        assert run(recs, 2025).iloc[0]["status"] == "no_data"


class TestQualitative:
    def test_levels_at_province(self):
        assert one("10", 2023, 0, 2, province=True)["status"] == "achieved"
        assert one("10", 2023, 0, 1, province=True)["status"] == "on_track"
        assert one("10", 2025, 0, 1, province=True)["status"] == "behind"
        assert one("10", 2023, 0, 0, province=True)["status"] == "behind"
        # No baseline needed for a qualitative level.
        assert one("10", 2025, None, 2, province=True)["status"] == "achieved"
        assert one("10", 2025, 0, np.nan, province=True)["status"] == "no_data"

    def test_years_needed(self):
        assert one("16", 2024, 0, 2, province=True)["years_needed"] == 0.0
        assert math.isnan(one("16", 2024, 0, 1, province=True)["years_needed"])

    @pytest.mark.parametrize("ind", ["10", "16", "22"])
    def test_commune_level_not_applicable(self, ind):
        for value in (0, 1, 2):
            row = one(ind, 2023, 0, value, province=False)
            assert row["status"] == "not_applicable"
            assert math.isnan(row["gap"])


# ================================================================ aggregation
class TestAggregate:
    def test_ratio_sums_parts(self):
        # 1/10 and 30/100 poor households: 31/110 = 28.18 %, not (10 + 30) / 2 = 20 %.
        v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "2", "year": 2020,
                          "numerator": [1, 30], "denominator": [10, 100]})  # fmt: skip
        out = aggregate(v, {"a": "P", "b": "P"})
        assert len(out) == 1
        row = out.iloc[0]
        assert (row["numerator"], row["denominator"]) == (31, 110)
        assert row["value"] == pytest.approx(100 * 31 / 110)
        assert round(row["value"], 2) == 28.18
        assert (row["n_units"], row["n_reported"]) == (2, 2)
        assert list(out.columns) == VALUE_COLUMNS + ["n_units", "n_reported", "n_value_only"]

    def test_ratio_income_not_percent(self):
        # 1000/100 and 3000/100 million VND / persons -> 4000/200 = 20 per person.
        v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "1", "year": 2020,
                          "numerator": [1000, 3000], "denominator": [100, 100]})  # fmt: skip
        assert aggregate(v, pd.Series({"a": "P", "b": "P"}))["value"].iloc[0] == pytest.approx(20.0)

    def test_ratio_partial_child_does_not_dilute(self):
        # b knows its households (100) but not its poor households: the parent rate
        # is over the children that report, 1/10 = 10 %, not 1/110 = 0.9 %.
        v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "2", "year": 2020,
                          "numerator": [1, np.nan], "denominator": [10, 100]})  # fmt: skip
        row = aggregate(v, {"a": "P", "b": "P"}).iloc[0]
        assert row["value"] == pytest.approx(10.0)
        assert (row["numerator"], row["denominator"]) == (1, 10)
        assert (row["n_units"], row["n_reported"]) == (2, 1)

    def test_parity_partial_child_does_not_dilute(self):
        # Cadres 7/10 and population 90/100 in a; b has population only.
        v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "25", "year": 2020,
                          "numerator": [7, np.nan], "denominator": [10, 10],
                          "ref_numerator": [90, 50], "ref_denominator": [100, 100]})  # fmt: skip
        row = aggregate(v, {"a": "P", "b": "P"}).iloc[0]
        assert row["value"] == pytest.approx(70.0)
        assert 100 * row["ref_numerator"] / row["ref_denominator"] == pytest.approx(90.0)

    def test_ratio_no_child_reports(self):
        v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "8", "year": 2020,
                          "numerator": [np.nan, np.nan], "denominator": [np.nan, 10]})  # fmt: skip
        row = aggregate(v, {"a": "P", "b": "P"}).iloc[0]
        assert math.isnan(row["value"]) and row["n_reported"] == 0

    def test_sum_missing_child(self):
        v = pd.DataFrame({"unit_code": ["a", "b", "c"], "indicator_id": "20a", "year": 2020,
                          "value": [3, np.nan, 4]})  # fmt: skip
        row = aggregate(v, {"a": "P", "b": "P", "c": "P"}).iloc[0]
        assert math.isnan(row["value"])
        assert (row["n_units"], row["n_reported"]) == (3, 2)
        row = aggregate(v, {"a": "P", "c": "P"}).iloc[0]  # b has no parent: dropped
        assert row["value"] == 7

    def test_leaving_missing_child(self):
        v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "3b", "year": 2023,
                          "value": [1, np.nan]})  # fmt: skip
        assert math.isnan(aggregate(v, {"a": "P", "b": "P"})["value"].iloc[0])
        v["value"] = [1, 1]
        assert aggregate(v, {"a": "P", "b": "P"})["value"].iloc[0] == 2

    def test_min_takes_lowest(self):
        v = pd.DataFrame({"unit_code": ["a", "b", "c"], "indicator_id": "10", "year": 2023,
                          "value": [2, 1, 2]})  # fmt: skip
        assert aggregate(v, {"a": "P", "b": "P", "c": "P"})["value"].iloc[0] == 1
        v["value"] = [2, 2, 0]
        assert aggregate(v, {"a": "P", "b": "P", "c": "P"})["value"].iloc[0] == 0

    def test_groups_by_parent_indicator_year(self):
        v = pd.DataFrame([
            rec("a", "2", 2020, numerator=1, denominator=10), rec("b", "2", 2020, numerator=3, denominator=10),
            rec("a", "2", 2025, numerator=0, denominator=10), rec("c", "2", 2020, numerator=5, denominator=10),
            rec("a", "8", 2020, numerator=9, denominator=10),
        ])  # fmt: skip
        out = aggregate(v, {"a": "P", "b": "P", "c": "Q"}).set_index(["unit_code", "indicator_id", "year"])
        assert out.loc[("P", "2", 2020), "value"] == pytest.approx(20.0)
        assert out.loc[("P", "2", 2025), "value"] == pytest.approx(0.0)
        assert out.loc[("Q", "2", 2020), "value"] == pytest.approx(50.0)
        assert out.loc[("P", "8", 2020), "value"] == pytest.approx(90.0)
        assert len(out) == 4

    def test_crosswalk_keeps_totals(self):
        from geo.units import crosswalk

        cw = crosswalk()
        mapping = dict(zip(cw.old_ma_xa, cw.new_ma_xa))
        rng = np.random.default_rng(2020)
        n = len(cw)
        den = rng.integers(50, 2000, n)
        recs = pd.concat([
            pd.DataFrame({"unit_code": cw.old_ma_xa, "indicator_id": "2", "year": 2020,
                          "numerator": rng.integers(0, 50, n), "denominator": den}),
            pd.DataFrame({"unit_code": cw.old_ma_xa, "indicator_id": "2", "year": 2025,
                          "numerator": rng.integers(0, 50, n), "denominator": den}),
            pd.DataFrame({"unit_code": cw.old_ma_xa, "indicator_id": "20a", "year": 2020,
                          "value": rng.integers(0, 9, n)}),
        ], ignore_index=True)  # fmt: skip
        out = aggregate(recs, mapping)
        assert set(out["unit_code"]) == set(cw.new_ma_xa)
        assert out["unit_code"].nunique() == cw.new_ma_xa.nunique()
        for (ind, year), before in normalise_values(recs).groupby(["indicator_id", "year"]):
            after = out[(out.indicator_id == ind) & (out.year == year)]
            assert after["numerator"].sum() == pytest.approx(before["numerator"].sum())
            assert after["n_units"].sum() == len(before)
            if ind == "2":
                assert after["denominator"].sum() == pytest.approx(before["denominator"].sum())
        # Each 2025 unit's rate is its old communes' poor households over households.
        sub = recs[(recs.indicator_id == "2") & (recs.year == 2020)].assign(new=lambda d: d.unit_code.map(mapping))
        sums = sub.groupby("new")[["numerator", "denominator"]].sum()
        got = out[(out.indicator_id == "2") & (out.year == 2020)].set_index("unit_code")["value"]
        np.testing.assert_allclose(got.loc[sums.index], 100 * sums.numerator / sums.denominator)
        # The aggregated table can be evaluated at the new units.
        statuses = evaluate(out, 2025, indicators=["2"])
        assert len(statuses) == cw.new_ma_xa.nunique()
        assert set(statuses["status"]) <= set(STATUSES)


# ================================================================ properties
share_ids = st.sampled_from(SHARES)
pct = st.floats(0, 100, allow_nan=False)
years = st.integers(BASELINE_YEAR + 1, TARGET_YEAR)


def _batch(ind: str, year: int, base: list, now: list, province: bool = False) -> pd.DataFrame:
    n = len(base)
    units = [f"u{i:04d}" for i in range(n)]
    frame = pd.DataFrame({
        "unit_code": units * 2, "indicator_id": ind,
        "year": [BASELINE_YEAR] * n + [year] * n, "value": list(base) + list(now),
    })  # fmt: skip
    if year == BASELINE_YEAR:
        frame = frame.iloc[:n]
    out = evaluate(frame, year, province=province)
    return out.set_index("unit_code").loc[units]


@PROPS
@given(ind=share_ids, year=years, data=st.lists(st.tuples(pct, pct, pct), min_size=1, max_size=30))
def test_status_monotone_in_value(ind, year, data):
    # Moving the value in the better direction never worsens the status.
    # Units 0..n-1 get the worse value, n..2n-1 the better one, same baselines.
    higher = CAT[ind].direction == "higher"
    base = [b for b, _, _ in data]
    worse = [min(x, y) if higher else max(x, y) for _, x, y in data]
    better = [max(x, y) if higher else min(x, y) for _, x, y in data]
    rank = _batch(ind, year, base * 2, worse + better)["status"].map(RANK).to_numpy()
    assert not np.isnan(rank).any()
    n = len(data)
    assert (rank[n:] >= rank[:n]).all()


@PROPS
@given(ind=st.sampled_from(MIN_SHARE), year=years,
       data=st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=1, max_size=30))
def test_lower_is_better_mirrors_higher(ind, year, data):
    # Symmetry: a lower-is-better copy of a min_share indicator (max_share, target
    # 100 - t, same strictness) fed 100 - x gives the same status and gap as the
    # original fed x. Integer percentages keep 100 - x exact.
    import dataclasses

    src = CAT[ind]
    mirror = dataclasses.replace(src, id="m", rule="max_share", direction="lower", target=100 - src.target)
    cat = {**CAT, "m": mirror}
    n = len(data)
    units = [f"u{i}" for i in range(n)]
    frame = pd.DataFrame({"unit_code": units * 2, "indicator_id": ind,
                          "year": [2020] * n + [year] * n,
                          "value": [b for b, _ in data] + [v for _, v in data]})  # fmt: skip
    mframe = frame.assign(indicator_id="m", value=100 - frame["value"])
    out = evaluate(pd.concat([frame, mframe]), year, catalogue=cat).set_index(["indicator_id", "unit_code"])
    a, b = out.loc[ind].loc[units], out.loc["m"].loc[units]
    assert set(a["status"]) <= set(RANK)
    assert (a["status"].to_numpy() == b["status"].to_numpy()).all()
    np.testing.assert_allclose(a["gap"], b["gap"], atol=1e-9)


@PROPS
@given(
    ind=share_ids,
    year=st.sampled_from([2021, 2023, 2025]),
    data=st.lists(
        st.integers(1, 5000).flatmap(lambda d: st.tuples(st.integers(0, d), st.integers(0, d), st.just(d))),
        min_size=1, max_size=30,
    ),
)  # fmt: skip
def test_achieved_iff_exact_condition(ind, year, data):
    # Rational values: achieved iff 100*n/d (exactly) beats the target, strictly or not.
    info = CAT[ind]
    target = Fraction(str(info.target))
    n = len(data)
    units = [f"u{i:04d}" for i in range(n)]
    frame = pd.DataFrame({
        "unit_code": units * 2, "indicator_id": ind, "year": [2020] * n + [year] * n,
        "numerator": [b for b, _, _ in data] + [v for _, v, _ in data],
        "denominator": [d for _, _, d in data] * 2,
    })  # fmt: skip
    out = evaluate(frame, year).set_index("unit_code").loc[units]
    for (_, v, d), status in zip(data, out["status"]):
        value = Fraction(100 * v, d)
        diff = value - target if info.direction == "higher" else target - value
        met = diff > 0 if info.strict else diff >= 0
        assert (status == "achieved") == met, (value, target, status)


@PROPS
@given(
    ind=st.sampled_from(sorted(CAT)),
    data=st.lists(st.tuples(st.floats(0, 200, allow_nan=False), st.floats(0, 200, allow_nan=False)),
                  min_size=1, max_size=30),
    province=st.booleans(),
)  # fmt: skip
def test_no_on_track_in_2025(ind, data, province):
    out = _batch(ind, 2025, [b for b, _ in data], [v for _, v in data], province=province)
    assert "on_track" not in set(out["status"])
    assert set(out["status"]) <= set(STATUSES)


@PROPS
@given(ind=st.sampled_from(PATH_RULES), year=st.integers(2020, 2025),
       data=st.lists(st.tuples(st.floats(0.5, 100), pct), min_size=1, max_size=30))  # fmt: skip
def test_expected_between_baseline_and_target(ind, year, data):
    out = _batch(ind, year, [b for b, _ in data], [v for _, v in data])
    lo = np.minimum(out["baseline"], out["target_value"]) - 1e-9
    hi = np.maximum(out["baseline"], out["target_value"]) + 1e-9
    assert out["expected"].notna().all()
    assert ((out["expected"] >= lo) & (out["expected"] <= hi)).all()
    if year == TARGET_YEAR:
        np.testing.assert_allclose(out["expected"], out["target_value"])


@PROPS
@given(ind=st.sampled_from(PATH_RULES), year=years,
       data=st.lists(st.tuples(st.floats(0.5, 100), st.one_of(pct, st.sampled_from([16.4, 60.0, 98.0, 100.0]))),
                     min_size=1, max_size=30))  # fmt: skip
def test_gap_nonnegative_and_zero_iff_achieved(ind, year, data):
    out = _batch(ind, year, [b for b, _ in data], [v for _, v in data])
    info = CAT[ind]
    assert (out["gap"] >= 0).all()
    assert (out["behind_path"] >= 0).all()
    achieved = out["status"] == "achieved"
    # The one exception: a strict target ("trên"/"dưới") hit exactly is not met,
    # yet nothing measurable remains to close.
    boundary = info.strict & (out["value"] == out["target_value"])
    assert ((out["gap"] == 0) == (achieved | boundary)).all()
    assert (out.loc[achieved, "years_needed"] == 0).all()
    assert (out.loc[~achieved & ~boundary, "years_needed"] > 0).all()


def _maybe(strategy):
    return st.one_of(st.just(np.nan), strategy)


# One village: numerator, denominator, ref numerator, ref denominator (each may be
# missing), and the commune it belongs to.
village = st.tuples(_maybe(st.integers(0, 500)), _maybe(st.integers(0, 500)),
                    _maybe(st.integers(0, 500)), _maybe(st.integers(1, 500)), st.integers(0, 5))  # fmt: skip
villages = st.lists(village, min_size=1, max_size=40).map(lambda rows: tuple(map(list, zip(*rows))))


@PROPS
@given(ind=st.sampled_from(RATIO_IDS + ["20a", "3b"]), v=villages)
def test_aggregate_two_steps_equals_one(ind, v):
    num, den, rnum, rden, commune = v
    codes = [f"v{i}" for i in range(len(num))]
    frame = pd.DataFrame({"unit_code": codes, "indicator_id": ind, "year": 2023,
                          "numerator": num, "denominator": den,
                          "ref_numerator": rnum, "ref_denominator": rden})  # fmt: skip
    if CAT[ind].aggregate != "ratio":
        frame = frame[["unit_code", "indicator_id", "year"]].assign(value=num)
    # One call does both villages -> communes and villages -> province, on two
    # copies of the villages; a second call takes the communes to the province.
    copy = frame.assign(unit_code="p:" + frame["unit_code"])
    parent = {**{c: f"C{k}" for c, k in zip(codes, commune)}, **{f"p:{c}": "P" for c in codes}}
    first = aggregate(pd.concat([frame, copy]), parent)
    one_step = first[first["unit_code"] == "P"]
    two = aggregate(first[first["unit_code"] != "P"], {f"C{k}": "P" for k in set(commune)})
    assert len(two) == len(one_step) == 1
    for column in ["numerator", "denominator", "value", "ref_numerator", "ref_denominator"]:
        np.testing.assert_allclose(two[column].to_numpy(float), one_step[column].to_numpy(float),
                                   rtol=1e-12, equal_nan=True, err_msg=column)  # fmt: skip
    assert one_step["n_units"].iloc[0] == len(codes)


@PROPS
@given(
    ind=st.sampled_from(sorted(CAT)),
    year=st.integers(2020, 2025),
    base=st.lists(st.one_of(st.just(np.nan), st.floats(0, 100)), min_size=1, max_size=20),
    province=st.booleans(),
)  # fmt: skip
@example(ind="3a", year=2021, base=[0.0], province=False)  # a commune off the 2020 list, no value now: described
def test_nan_values_give_no_data(ind, year, base, province):
    # Current value missing: never raises; status no_data (or not_applicable when
    # the rule does not apply at all); with a usable baseline, no_data.
    now = [np.nan] * len(base)
    out = _batch(ind, year, base if year != BASELINE_YEAR else now, now, province=province)
    assert set(out["status"]) <= {"no_data", "not_applicable"}
    assert out["gap"].isna().all() and out["years_needed"].isna().all()
    if province or CAT[ind].level != "province":
        # Only a zero baseline of couples or listed units makes the rule not apply; a unit below the
        # province is described, never judged, by units_leaving: its missing value is told as no data.
        usable = np.ones(len(base), bool)
        described = CAT[ind].rule == "units_leaving" and not province
        if year != BASELINE_YEAR and CAT[ind].rule in ("units_leaving", "yearly_relative_reduction") and not described:
            usable = np.array(base) != 0
        assert (out.loc[usable, "status"] == "no_data").all()
        assert (out.loc[~usable, "status"] == "not_applicable").all()


@PROPS
@given(
    ind=st.sampled_from(sorted(CAT)),
    year=st.integers(2020, 2025),
    data=st.lists(st.tuples(st.one_of(st.just(np.nan), st.floats(-10, 300)),
                            st.one_of(st.just(np.nan), st.floats(-10, 300)),
                            st.one_of(st.just(np.nan), st.integers(0, 300))), min_size=1, max_size=20),
    province=st.booleans(),
)  # fmt: skip
def test_statuses_always_valid(ind, year, data, province):
    n = len(data)
    units = [f"u{i}" for i in range(n)]
    frame = pd.DataFrame({"unit_code": units * 2, "indicator_id": ind, "year": [2020] * n + [year] * n,
                          "numerator": [b for b, _, _ in data] + [v for _, v, _ in data],
                          "denominator": [d for _, _, d in data] * 2,
                          "ref_numerator": 90, "ref_denominator": 100})  # fmt: skip
    if year == BASELINE_YEAR:
        frame = frame.iloc[:n]
    out = evaluate(frame, year, province=province)
    assert len(out) == n
    assert set(out["status"]) <= set(STATUSES)
    if year == TARGET_YEAR:
        assert "on_track" not in set(out["status"])


# ================================================================ input validation
class TestValidation:
    def _frame(self, **over):
        return pd.DataFrame([rec("X", "2", 2020, numerator=40, denominator=100),
                             rec("X", over.get("ind", "2"), over.get("year", 2023), numerator=30, denominator=100)])

    def test_unknown_indicator_in_values(self):
        with pytest.raises(ValueError, match="'99'"):
            evaluate(self._frame(ind="99"), 2023)
        with pytest.raises(ValueError, match="'99'"):
            normalise_values(self._frame(ind="99"))
        with pytest.raises(ValueError, match="'99'"):
            aggregate(self._frame(ind="99"), {"X": "P"})

    def test_unknown_indicator_requested(self):
        with pytest.raises(ValueError, match="'14e'"):
            evaluate(self._frame(), 2023, indicators=["2", "14e"])

    def test_duplicate_rows(self):
        frame = self._frame(year=2020)
        with pytest.raises(ValueError, match="duplicated"):
            evaluate(frame, 2023)
        with pytest.raises(ValueError, match="duplicated"):
            aggregate(frame, {"X": "P"})

    @pytest.mark.parametrize("year", [2019, 2026, 1900])
    def test_year_out_of_range(self, year):
        with pytest.raises(ValueError, match=str(year)):
            evaluate(self._frame(), year)

    def test_missing_key_column(self):
        with pytest.raises(ValueError, match="year"):
            evaluate(self._frame().drop(columns="year"), 2023)

    def test_int_ids_and_value_only_rows(self):
        # Ids given as numbers are read as strings; a share given only as value works.
        frame = pd.DataFrame({"unit_code": ["X", "X"], "indicator_id": [8, 8], "year": [2020, 2025],
                              "value": [80, 96]})  # fmt: skip
        row = evaluate(frame, 2025).iloc[0]
        assert (row["indicator_id"], row["status"]) == ("8", "achieved")

    def test_normalise_fills_both_ways(self):
        frame = pd.DataFrame([rec("X", "8", 2020, numerator=19, denominator=20),
                              rec("Y", "8", 2020, value=50, denominator=40),
                              rec("Z", "20a", 2020, numerator=6)])  # fmt: skip
        out = normalise_values(frame).set_index("unit_code")
        assert out.loc["X", "value"] == pytest.approx(95.0)
        assert out.loc["Y", "numerator"] == pytest.approx(20.0)
        assert out.loc["Z", "value"] == 6
        assert list(out.reset_index().columns[: len(VALUE_COLUMNS)]) == VALUE_COLUMNS

    def test_empty_selection(self):
        out = evaluate(self._frame(), 2023, indicators=["8"])
        assert out.empty and "status" in out.columns
