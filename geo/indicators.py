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
  in 2020, no unit on the extremely-difficult list, no households to count, an
  indicator assessed only for the province).

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

from geo.catalogue import Indicator, load_catalogue

__all__ = [
    "BASELINE_YEAR",
    "TARGET_YEAR",
    "STATUSES",
    "VALUE_COLUMNS",
    "normalise_values",
    "aggregate",
    "evaluate",
]

BASELINE_YEAR = 2020
TARGET_YEAR = 2025
STATUSES = ("achieved", "on_track", "behind", "no_data", "not_applicable")
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


def normalise_values(values: pd.DataFrame, catalogue: Mapping[str, Indicator] | None = None) -> pd.DataFrame:
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
    return frame


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
        in the mapping) and ``n_reported`` (children with a value).

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
    frame["reported"] = np.where(kind == "ratio", frame["numerator"].notna() & frame["denominator"].notna(), frame["value"].notna())
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
    out["n_reported"] = grouped["reported"].sum()
    out = out.reset_index().rename(columns={"parent": "unit_code"})
    # Every child in the mapping is expected to report, whether or not it has a row.
    out["n_units"] = out["unit_code"].map(parent.value_counts())
    kind = out["indicator_id"].map({k: v.aggregate for k, v in catalogue.items()})
    complete = out["n_reported"] == out["n_units"]
    out.loc[kind.isin(["sum", "leaving", "min"]) & ~complete, _PARTS + ["value_min"]] = np.nan
    out["value"] = np.where(kind == "min", out["value_min"], np.nan)
    out = out.drop(columns="value_min")
    out.loc[(kind == "ratio") & (out["n_reported"] == 0), _PARTS] = np.nan
    return normalise_values(out, catalogue)[VALUE_COLUMNS + ["n_units", "n_reported"]]


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
    table["denominator"] = now["denominator"].reindex(index).to_numpy()
    parts = [_evaluate_indicator(group, catalogue[ind], year, province) for ind, group in table.groupby("indicator_id", sort=False)]
    columns = ["unit_code", "indicator_id", "year", "value", "baseline", "reference", "target_value",
               "expected", "status", "gap", "behind_path", "years_needed"]
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

    if rule in ("min_share", "max_share"):
        target = np.full(len(t), goal, float)
    elif rule == "ratio_to_baseline":
        target = goal * b
    elif rule == "yearly_reduction_pp":
        target = np.maximum(b - goal * (TARGET_YEAR - BASELINE_YEAR), 0.0)
    elif rule == "yearly_relative_reduction":
        target = b * (1.0 - goal / 100.0) ** (TARGET_YEAR - BASELINE_YEAR)
        applicable = ~(b == 0)
    elif rule == "units_leaving":
        # value: units on the list this year; progress: units that have left.
        on_list_2020 = b
        v = on_list_2020 - v
        b = np.zeros(len(t))
        b[np.isnan(on_list_2020)] = np.nan
        target = np.full(len(t), goal, float) if province else on_list_2020
        applicable = ~(on_list_2020 == 0)
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
        if ind.strict:
            met = sign * (v - target) > _EPS
        else:
            met = sign * (v - target) >= -_EPS
        on_path = sign * (v - expected) >= -_EPS
        gap = np.maximum(sign * (target - v), 0.0)
        behind_path = np.maximum(sign * (expected - v), 0.0)
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

    status = np.select(
        [~applicable, missing, met, on_path & (year < TARGET_YEAR)],
        ["not_applicable", "no_data", "achieved", "on_track"],
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
    blank = np.isin(status, ["no_data", "not_applicable"])
    t.loc[blank, ["gap", "behind_path", "years_needed"]] = np.nan
    return t
