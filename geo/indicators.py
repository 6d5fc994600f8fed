"""Status of the programme's indicators: rules, straight-line path, aggregation.

Indicator values are a long table, one row per unit, indicator and year, with
the columns of :data:`VALUE_COLUMNS`. Shares are carried as numerator and
denominator so that they add up correctly when units are combined (a merged
commune's poverty rate is poor households over households, never a mean of
percentages).

The status of a unit in a year is

* ``achieved``: the 2025 target is met (strictly where the target says "more
  than" or "below");
* ``on_track``: not met, but at or better than the straight path from the
  unit's 2020 baseline to its 2025 target for that year (never in 2025);
* ``behind``: neither;
* ``no_data``: the value, or the baseline a rule needs, is missing;
* ``not_applicable``: the rule does not apply to the unit (no couples to reduce
  in 2020, no households to count, an indicator assessed only for the province,
  and "units leaving the extremely-difficult list" below the province, whose
  units are described by ``listing`` instead: ``left``, ``still_listed``,
  ``entered`` or ``not_listed``).

A unit built from sub-units (a merged commune, the province) is judged only when
at least the catalogue's ``min_coverage`` of them report (``n_reported`` of
``n_units``); below it its status is ``no_data``. A sub-unit that gives only a
value where numerator and denominator are needed cannot be weighted into the
share: it is left out of the sums and counted in ``n_value_only``.

Examples
--------
>>> import pandas as pd
>>> poverty = pd.DataFrame({"unit_code": ["X"] * 2, "indicator_id": ["2"] * 2,
...                         "year": [2020, 2023], "numerator": [40, 30],
...                         "denominator": [100, 100]})
>>> row = evaluate(poverty, 2023).iloc[0]
>>> float(row["target_value"]), float(row["expected"]), row["status"]
(20.0, 28.0, 'behind')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from geo import resettlement
from geo.catalogue import Indicator, load_catalogue

__all__ = [
    "BASELINE_YEAR",
    "TARGET_YEAR",
    "STATUSES",
    "LISTINGS",
    "VALUE_COLUMNS",
    "normalise_values",
    "aggregate",
    "evaluate",
]

BASELINE_YEAR = 2020
TARGET_YEAR = 2025
STATUSES = ("achieved", "on_track", "behind", "no_data", "not_applicable")
#: Where a unit stands on the ĐBKK list (targets 3a, 3b) against 2020: below the province
#: the plan sets no count, so units are described, never judged.
LISTINGS = ("left", "still_listed", "entered", "not_listed")
VALUE_COLUMNS = [
    "unit_code",
    "indicator_id",
    "year",
    "numerator",
    "denominator",
    "value",
    "ref_numerator",
    "ref_denominator",
]
_PARTS = ["numerator", "denominator", "ref_numerator", "ref_denominator"]
_EPS = 1e-9


def _scale(ind: Indicator) -> float:
    return 100.0 if ind.unit == "%" else 1.0


def normalise_values(values: pd.DataFrame, catalogue: Mapping[str, Indicator] | None = None,
                     _derive_leaving: bool = True) -> pd.DataFrame:
    """Complete a value table: every column of :data:`VALUE_COLUMNS`, with
    ``value`` derived from numerator and denominator where both are given and
    the numerator derived from ``value`` where only it and the denominator are.

    Raises
    ------
    ValueError
        On a missing ``unit_code``/``indicator_id``/``year`` column, an unknown
        indicator id or a duplicated (unit, indicator, year).
    """
    catalogue = catalogue or load_catalogue()
    missing = {"unit_code", "indicator_id", "year"} - set(values.columns)
    if missing:
        raise ValueError(f"indicator values lack column(s) {sorted(missing)}")
    frame = values.copy()
    for column in VALUE_COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    frame = frame[VALUE_COLUMNS + [c for c in frame.columns if c not in VALUE_COLUMNS]]
    frame["unit_code"] = frame["unit_code"].astype(str)
    frame["indicator_id"] = frame["indicator_id"].astype(str)
    frame["year"] = frame["year"].astype(int)
    for column in _PARTS + ["value"]:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    unknown = sorted(set(frame["indicator_id"]) - set(catalogue))
    if unknown:
        raise ValueError(f"unknown indicator id(s) {unknown}; known: {', '.join(catalogue)}")
    dupes = frame.duplicated(["unit_code", "indicator_id", "year"])
    if dupes.any():
        first = frame.loc[dupes].iloc[0]
        raise ValueError(
            f"{int(dupes.sum())} duplicated value rows, first: unit {first['unit_code']}, "
            f"indicator {first['indicator_id']}, year {first['year']}"
        )
    scale = frame["indicator_id"].map({k: _scale(v) for k, v in catalogue.items()}).astype(float)
    ratio = frame["indicator_id"].map({k: v.aggregate == "ratio" for k, v in catalogue.items()}).astype(bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        from_parts = scale * frame["numerator"] / frame["denominator"]
    has_parts = ratio & frame["numerator"].notna() & (frame["denominator"] > 0)
    frame.loc[has_parts, "value"] = from_parts[has_parts]
    fill_num = ratio & frame["numerator"].isna() & frame["value"].notna() & frame["denominator"].notna()
    frame.loc[fill_num, "numerator"] = (frame["value"] * frame["denominator"] / scale)[fill_num]
    frame.loc[~ratio, "value"] = frame.loc[~ratio, "value"].fillna(frame.loc[~ratio, "numerator"])
    frame.loc[~ratio, "numerator"] = frame.loc[~ratio, "numerator"].fillna(frame.loc[~ratio, "value"])
    if _derive_leaving:
        _leaving_parts(frame, catalogue)
    return frame


def _leaving_parts(frame: pd.DataFrame, catalogue: Mapping[str, Indicator]) -> None:
    """Units leaving the ĐBKK list: ``value`` is the count on the list that year; the parts are derived.

    A row as reported (no denominator) gets ``denominator`` = its unit's count on the
    list in 2020 and ``numerator`` = how many of those are off it now, max(2020 - now, 0):
    for one unit (1 on the list, 0 off) that is exactly "on the list in 2020 and off it
    now", and a unit that enters (0 -> 1) leaves nothing, it is counted apart as
    ``entered`` = now - (2020 - left). Sums of these parts over units (aggregate) count each
    unit once; a count given for a whole area can only be read as its net change.
    """
    leaving = frame["indicator_id"].map({k: v.aggregate == "leaving" for k, v in catalogue.items()}).astype(bool)
    raw = leaving & frame["denominator"].isna()
    if "n_units" in frame:  # a value summed from sub-units (aggregate) is never re-derived: it would be the net
        raw &= frame["n_units"].isna()
    if not raw.any():
        return
    rows = frame.loc[raw]
    base = rows.loc[rows["year"] == BASELINE_YEAR].drop_duplicates(["unit_code", "indicator_id"])
    on_2020 = pd.Series(base["value"].to_numpy(), index=pd.MultiIndex.from_frame(base[["unit_code", "indicator_id"]]))
    keys = pd.MultiIndex.from_frame(rows[["unit_code", "indicator_id"]])
    b = on_2020.reindex(keys).to_numpy(float)
    v = rows["value"].to_numpy(float)
    with np.errstate(invalid="ignore"):
        frame.loc[raw, "denominator"] = b
        frame.loc[raw, "numerator"] = np.where(np.isnan(v) | np.isnan(b), np.nan, np.maximum(b - v, 0.0))


def aggregate(
    values: pd.DataFrame,
    parent: Mapping[str, str] | pd.Series,
    catalogue: Mapping[str, Indicator] | None = None,
) -> pd.DataFrame:
    """Combine unit values into their parent units.

    Shares and incomes (``aggregate: ratio``) are summed numerators over summed
    denominators; counts (``sum``) and "units leaving a list" (``leaving``)
    are sums, and are left missing where any child of the mapping lacks a value
    (a partial sum would understate); qualitative levels (``min``) take the
    lowest level, also only when every child has one.

    Parameters
    ----------
    values : DataFrame
        Unit values (see :func:`normalise_values`).
    parent : mapping or Series
        Child ``unit_code`` → parent code. Children without a parent are
        dropped; pass a constant mapping to aggregate to the province.

    Returns
    -------
    DataFrame
        Parent values with :data:`VALUE_COLUMNS` plus ``n_units`` (children
        in the mapping), ``n_reported`` (children counted in the value) and
        ``n_value_only`` (children that gave a share as a value alone, without
        numerator and denominator: it cannot be weighted, so it is left out of
        the parent's share and counted here). For "units leaving the list" the
        parts are summed (``numerator``: units of the 2020 list off it,
        ``denominator``: units on it in 2020) and ``value`` is the count on the
        list that year, so each unit counts once.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"unit_code": ["a", "b"], "indicator_id": "2", "year": 2020,
    ...                   "numerator": [1, 30], "denominator": [10, 100]})
    >>> aggregate(v, {"a": "P", "b": "P"})["value"].round(2).tolist()  # 31/110, not (10+30)/2
    [28.18]
    """
    catalogue = catalogue or load_catalogue()
    frame = normalise_values(values, catalogue)
    parent = pd.Series(parent, dtype=object) if not isinstance(parent, pd.Series) else parent
    frame["parent"] = frame["unit_code"].map(parent)
    frame = frame.loc[frame["parent"].notna()]
    kind = frame["indicator_id"].map({k: v.aggregate for k, v in catalogue.items()})
    both = frame["numerator"].notna() & frame["denominator"].notna()
    frame["reported"] = np.where(kind == "ratio", both, frame["value"].notna())
    frame["has_parts"] = both
    # A share given as a value alone cannot be weighted into the parent's share: counted apart.
    frame["value_only"] = (kind == "ratio") & ~frame["reported"] & frame["value"].notna()
    # A ratio child adds its parts only when both are known: a lone denominator
    # (or population) would dilute the parent's share.
    is_ratio = (kind == "ratio").to_numpy()
    frame.loc[is_ratio & ~frame["reported"].to_numpy(), _PARTS] = np.nan
    no_ref = (frame["ref_numerator"].isna() | frame["ref_denominator"].isna()).to_numpy()
    frame.loc[is_ratio & no_ref, ["ref_numerator", "ref_denominator"]] = np.nan
    keys = ["parent", "indicator_id", "year"]
    grouped = frame.groupby(keys, sort=True)
    out = grouped[_PARTS].sum(min_count=1)
    out["value_min"] = grouped["value"].min()
    out["value_sum"] = grouped["value"].sum(min_count=1)
    # counts as integers even with no row at all (an empty group sum has no numeric dtype)
    out["n_reported"] = grouped["reported"].sum().astype("int64")
    out["n_value_only"] = grouped["value_only"].sum().astype("int64")
    out["n_parts"] = grouped["has_parts"].sum().astype("int64")
    out = out.reset_index().rename(columns={"parent": "unit_code"})
    # Every child in the mapping is expected to report, whether or not it has a row.
    out["n_units"] = out["unit_code"].map(parent.value_counts()).fillna(0).astype("int64")
    kind = out["indicator_id"].map({k: v.aggregate for k, v in catalogue.items()})
    complete = out["n_reported"] == out["n_units"]
    out.loc[kind.isin(["sum", "leaving", "min"]) & ~complete, _PARTS + ["value_min", "value_sum"]] = np.nan
    out["value"] = np.where(kind == "min", out["value_min"], np.where(kind == "leaving", out["value_sum"], np.nan))
    # Units leaving: the count on the list needs every child's value, who left also its 2020 value.
    out.loc[(kind == "leaving") & (out["n_parts"] < out["n_units"]), ["numerator", "denominator"]] = np.nan
    out = out.drop(columns=["value_min", "value_sum", "n_parts"])
    out.loc[(kind == "ratio") & (out["n_reported"] == 0), _PARTS] = np.nan
    # parts of "units leaving" are sums of the children's: never re-derived from the parent's counts
    return normalise_values(out, catalogue, _derive_leaving=False)[VALUE_COLUMNS + ["n_units", "n_reported",
                                                                                     "n_value_only"]]


def evaluate(
    values: pd.DataFrame,
    year: int,
    indicators: Iterable[str] | None = None,
    catalogue: Mapping[str, Indicator] | None = None,
    province: bool = False,
) -> pd.DataFrame:
    """Status of every unit and indicator in ``year`` against the 2025 target.

    Parameters
    ----------
    values : DataFrame
        Values of one kind of unit for 2020 (the baseline) and ``year``.
    year : int
        2020 to 2025.
    indicators : iterable of str, optional
        Indicator ids to evaluate (default: those present in ``values``).
    province : bool
        Whether the units are the whole province: then "units leaving the
        list" is judged against the catalogue's count (62 communes) rather than
        every listed unit of the area, and province-level indicators apply.

    Returns
    -------
    DataFrame
        One row per (unit, indicator): ``unit_code, indicator_id, year, value,
        baseline, reference, target_value, expected, status, gap, behind_path,
        years_needed``. ``gap`` is what remains to the 2025 target and
        ``behind_path`` what remains to this year's expected value, both in the
        indicator's unit and 0 once reached; ``years_needed`` is how many more
        years the unit needs at its average pace since 2020 (0 once achieved,
        ``inf`` when it is not moving towards the target).
    """
    if not BASELINE_YEAR <= year <= TARGET_YEAR:
        raise ValueError(f"year must be between {BASELINE_YEAR} and {TARGET_YEAR}, got {year}")
    catalogue = catalogue or load_catalogue()
    frame = normalise_values(values, catalogue)
    wanted = list(dict.fromkeys(indicators)) if indicators is not None else list(dict.fromkeys(frame["indicator_id"]))
    unknown = [i for i in wanted if i not in catalogue]
    if unknown:
        raise ValueError(f"unknown indicator id(s) {unknown}")
    frame = frame.loc[frame["indicator_id"].isin(wanted)]
    base = frame.loc[frame["year"] == BASELINE_YEAR].set_index(["unit_code", "indicator_id"])
    now = frame.loc[frame["year"] == year].set_index(["unit_code", "indicator_id"])
    index = base.index.union(now.index)
    table = pd.DataFrame(index=index).reset_index()
    table["year"] = year
    table["value"] = now["value"].reindex(index).to_numpy()
    table["baseline"] = base["value"].reindex(index).to_numpy()
    table["reference"] = (100.0 * now["ref_numerator"] / now["ref_denominator"]).reindex(index).to_numpy()
    table["numerator"] = now["numerator"].reindex(index).to_numpy()
    table["denominator"] = now["denominator"].reindex(index).to_numpy()
    table["base_numerator"] = base["numerator"].reindex(index).to_numpy()
    # Sub-units behind the value (NaN for a unit reported as it is): coverage is judged on them.
    for column in ("n_units", "n_reported", "n_value_only"):
        table[column] = (now[column].reindex(index).to_numpy(float) if column in now
                         else np.full(len(table), np.nan))
    parts = [_evaluate_indicator(group, catalogue[ind], year, province) for ind, group in table.groupby("indicator_id", sort=False)]
    columns = ["unit_code", "indicator_id", "year", "value", "baseline", "reference", "target_value",
               "expected", "status", "gap", "behind_path", "years_needed", "entered", "listing",
               "n_units", "n_reported", "n_value_only", "done_before"]
    if not parts:
        return pd.DataFrame(columns=columns)
    result = pd.concat(parts, ignore_index=True)[columns]
    order = {k: i for i, k in enumerate(catalogue)}
    return result.sort_values(["indicator_id", "unit_code"], key=lambda s: s.map(order) if s.name == "indicator_id" else s, ignore_index=True)


def _evaluate_indicator(table: pd.DataFrame, ind: Indicator, year: int, province: bool) -> pd.DataFrame:
    """Vectorised status of one indicator's rows (one row per unit)."""
    t = table.copy()
    v = t["value"].to_numpy(float)
    b = t["baseline"].to_numpy(float)
    higher = ind.direction == "higher"
    applicable = np.ones(len(t), bool)
    rule, goal = ind.rule, ind.target

    entered = np.full(len(t), np.nan)
    listing = np.full(len(t), None, dtype=object)
    done_before = np.full(len(t), np.nan)
    if rule in ("min_share", "max_share"):
        target = np.full(len(t), goal, float)
        if ind.counts_from is not None:
            # Target 12: only work from the programme's start counts; what the 2020 figure already
            # holds was done before it and is left out of both counts (reported as ``done_before``).
            n0 = t["base_numerator"].to_numpy(float)
            n, d = t["numerator"].to_numpy(float), t["denominator"].to_numpy(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                from_parts = np.where(d - n0 > 0, 100.0 * (n - n0) / (d - n0), np.nan)
                from_shares = np.where(b < 100, 100.0 * (v - b) / (100.0 - b), np.nan)
            v = np.where(np.isnan(n) | np.isnan(n0) | np.isnan(d), from_shares, from_parts)
            applicable = ~(d - np.nan_to_num(n0) == 0)
            done_before = n0
            b = np.where(np.isnan(b), np.nan, 0.0)  # the programme starts from nothing done
    elif rule == "ratio_to_baseline":
        target = goal * b
    elif rule == "yearly_reduction_pp":
        # No floor: the plan asks 4 points a year whatever the baseline. Below a 20% baseline the
        # 2025 target is under 0; a rate of 0 (nothing left to fall) meets it, see ``met`` below.
        target = b - goal * (TARGET_YEAR - BASELINE_YEAR)
    elif rule == "yearly_relative_reduction":
        target = b * (1.0 - goal / 100.0) ** (TARGET_YEAR - BASELINE_YEAR)
        applicable = ~(b == 0)
    elif rule == "units_leaving":
        # numerator: units of the 2020 list off it this year (each counted once); denominator:
        # units on the list in 2020; value: units on it this year. Entries are counted apart.
        left = t["numerator"].to_numpy(float)
        listed_2020 = t["denominator"].to_numpy(float)
        on_now = v
        entered = on_now - (listed_2020 - left)
        v = left
        b = np.where(np.isnan(listed_2020), np.nan, 0.0)
        target = np.full(len(t), goal, float)
        listing = np.select([np.isnan(left) | np.isnan(on_now), entered > 0, on_now > 0, left > 0],
                            [None, "entered", "still_listed", "left"], default="not_listed").astype(object)
        listing[np.isnan(left) | np.isnan(on_now)] = None
        # The plan sets a province count only: below the province a unit is described, never judged.
        applicable = np.full(len(t), province) & ~(listed_2020 == 0)
    elif rule == "parity":
        target = t["reference"].to_numpy(float)
    elif rule == "qualitative":
        target = np.full(len(t), 2.0)
        applicable = np.full(len(t), province or ind.level != "province")
    else:  # pragma: no cover - the catalogue loader rejects unknown rules
        raise ValueError(f"unknown rule {rule!r}")
    if ind.level == "province" and not province:
        applicable[:] = False
    if ind.aggregate == "ratio":
        applicable &= ~(t["denominator"].to_numpy(float) == 0)

    sign = 1.0 if higher else -1.0
    frac = (year - BASELINE_YEAR) / (TARGET_YEAR - BASELINE_YEAR)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        # The path starts at the baseline, or at the target if the unit began past it.
        start = np.where(sign * (b - target) >= 0, target, b)
        expected = np.where(frac >= 1, target, start + (target - start) * frac)
        if ind.counts_from is not None:  # the one path of target 12, in geo.resettlement
            expected = 100.0 * resettlement.expected_share(year) * np.ones(len(t))
        if ind.strict:
            met = sign * (v - target) > _EPS
        else:
            met = sign * (v - target) >= -_EPS
        on_path = sign * (v - expected) >= -_EPS
        gap = np.maximum(sign * (target - v), 0.0)
        behind_path = np.maximum(sign * (expected - v), 0.0)
        if rule == "yearly_reduction_pp":
            # A rate cannot fall below 0: reaching 0 meets any target, and what remains is measured to 0.
            met = met | (v <= _EPS)
            gap = np.maximum(v - np.maximum(target, 0.0), 0.0)
            behind_path = np.maximum(v - np.maximum(expected, 0.0), 0.0)
        elapsed = year - BASELINE_YEAR
        pace = sign * (v - b) / elapsed if elapsed else np.full(len(t), np.nan)
        years_needed = np.where(pace > 0, gap / np.where(pace > 0, pace, 1.0), np.inf)
        years_needed[np.isnan(pace)] = np.nan

    if rule == "qualitative":
        met = v >= 2
        on_path = (v >= 1) & (year < TARGET_YEAR)
        expected = np.full(len(t), np.nan)
        years_needed = np.where(met, 0.0, np.nan)
    needs_baseline = rule not in ("min_share", "max_share", "qualitative", "parity")
    # Without a baseline the path is unknown, which matters only before 2025.
    missing = np.isnan(v) | np.isnan(target) | (np.isnan(b) & (needs_baseline | (~met & (year < TARGET_YEAR))))
    if rule == "qualitative":
        missing = np.isnan(v)

    described = rule == "units_leaving" and not province  # no data is still told, never "not applicable"
    if described:
        missing = np.isnan(v) | np.isnan(t["value"].to_numpy(float))
    # A value resting on too few of its sub-units is not judged (catalogue: min_coverage).
    n_units, n_reported = t["n_units"].to_numpy(float), t["n_reported"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        thin = (n_units > 0) & (n_reported / n_units < ind.min_coverage - _EPS)
    missing = missing | thin
    status = np.select(
        [missing & (applicable | described), ~applicable, met, on_path & (year < TARGET_YEAR)],
        ["no_data", "not_applicable", "achieved", "on_track"],
        default="behind",
    )
    years_needed = np.where(met, 0.0, years_needed)
    gap = np.where(met, 0.0, gap)  # met within _EPS: nothing remains
    behind_path = np.where(met, 0.0, behind_path)
    t["value"] = v
    t["baseline"] = b
    t["target_value"] = target
    t["expected"] = expected
    t["status"] = status
    t["gap"] = gap
    t["behind_path"] = behind_path
    t["years_needed"] = years_needed
    if described:  # the plan's count is the province's: a unit below it has no target of its own
        t["target_value"] = np.nan
        t["expected"] = np.nan
    t["entered"] = entered
    t["listing"] = listing
    t["done_before"] = done_before
    blank = np.isin(status, ["no_data", "not_applicable"])
    t.loc[blank, ["gap", "behind_path", "years_needed"]] = np.nan
    return t
