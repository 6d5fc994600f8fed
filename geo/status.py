"""Indicator status of a dataset's communes, 2025 units and the province.

Values reported for villages are summed into their commune; commune values of
2020-2025 are summed into the 2025 units through the official crosswalk, or
into the province; values reported for the province itself are used as they
are. Every sum is of numerators and denominators (see
:func:`geo.indicators.aggregate`).

Examples
--------
>>> from geo.dataset import load
>>> table = commune_status(load(), "2", 2023)
>>> len(table), sorted(table["status"].unique())[:2]
(161, ['achieved', 'behind'])
"""

from __future__ import annotations

from functools import lru_cache
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from geo.catalogue import load_catalogue
from geo.dataset import Dataset, load
from geo.i18n import fmt_count, t
from geo.indicators import BASELINE_YEAR, LISTINGS, STATUSES, TARGET_YEAR, aggregate, evaluate
from geo.units import PROVINCE_CODE, communes as official_communes, crosswalk

__all__ = ["UNIT_SETS", "unit_values", "evaluated", "commune_status", "province_summary", "coverage_text",
           "indicator_notes", "commune_profile", "commune_profiles", "trajectory", "status_grid", "status_change", "CHANGES"]

#: How a commune's status moved between two years, best first; ``no_data`` when either year has no status to compare.
CHANGES = ("improved", "same", "worse", "no_data")
#: The order of the statuses that can be compared (a higher rank is better).
_RANK = {"behind": 0, "on_track": 1, "achieved": 2}

#: The sets of units a table can be made for: 2020-2025 communes, 2025 units, the province.
UNIT_SETS = ("2020", "2025", "province")
#: Order of a ranked table: furthest behind first.
_WORST_FIRST = ("behind", "on_track", "achieved", "no_data", "not_applicable")


def _check_units(units: str) -> str:
    units = str(units)
    if units not in UNIT_SETS:
        raise ValueError(f"units must be one of {', '.join(UNIT_SETS)}, got {units!r}")
    return units


def unit_values(ds: Dataset, units: str = "2020") -> pd.DataFrame:
    """Indicator values of every unit of one kind, all years.

    Parameters
    ----------
    ds : Dataset
    units : {"2020", "2025", "province"}
        The 161 communes of 2020-2025, the 56 units of 2025, or the province.

    Cached per dataset and revision; do not modify the result.
    """
    units = _check_units(units)
    return _unit_values(ds.path, ds.revision, units)


@lru_cache(maxsize=16)
def _unit_values(path: Path, revision: str, units: str) -> pd.DataFrame:
    ds = load(path)
    values = ds.values
    village_parent = dict(zip(ds.villages["village_id"], ds.villages["ma_xa"]))
    from_villages = aggregate(values.loc[values["level"] == "village"], village_parent)
    communes = pd.concat([values.loc[values["level"] == "commune"], from_villages], ignore_index=True)
    if units == "2020":
        return communes
    if units == "2025":
        cw = crosswalk()
        return aggregate(communes, dict(zip(cw["old_ma_xa"], cw["new_ma_xa"])))
    codes = ds.communes(2020)["ma_xa"]
    province = aggregate(communes, dict.fromkeys(codes, PROVINCE_CODE))
    return pd.concat([province, values.loc[values["level"] == "province"]], ignore_index=True)


@lru_cache(maxsize=64)
def _evaluated(path: Path, revision: str, units: str, year: int) -> pd.DataFrame:
    return evaluate(_unit_values(path, revision, units), year, province=units == "province")


def evaluated(ds: Dataset, units: str, year: int) -> pd.DataFrame:
    """:func:`geo.indicators.evaluate` of every indicator and unit (cached)."""
    units = _check_units(units)
    return _evaluated(ds.path, ds.revision, units, year)


def commune_status(ds: Dataset, indicator: str, year: int, units: str = "2020") -> pd.DataFrame:
    """Status of one indicator for every commune (or 2025 unit) in ``year``.

    Communes with no value at all are listed with status ``no_data``.

    Returns
    -------
    DataFrame
        One row per commune: ``ma_xa``, ``name_vi``, (``district_vi`` for
        2020), ``boundary`` (False for a unit with values but no boundary in
        the dataset) and the columns of :func:`geo.indicators.evaluate`, sorted
        by how far behind the path the commune is (furthest first).
    """
    units = _check_units(units)
    if units == "province":
        raise ValueError("commune_status needs units 2020 or 2025; use province_summary for the province")
    catalogue = load_catalogue()
    if indicator not in catalogue:
        raise ValueError(f"unknown indicator {indicator!r}; known: {', '.join(catalogue)}")
    all_rows = evaluated(ds, units, year)
    result = all_rows.loc[all_rows["indicator_id"] == indicator]
    names = ds.communes(int(units)).drop(columns="geometry")
    keep = [c for c in ("ma_xa", "name_vi", "district_vi") if c in names]  # imported boundaries may lack districts
    # Units with values but no boundary in the dataset (none imported yet, or a partial layer) are kept, named
    # from the official list, with ``boundary`` False: a table never drops them without a word.
    official = official_communes(int(units)).set_index("ma_xa")
    unbounded = sorted(set(result["unit_code"].dropna()) - set(names["ma_xa"]))
    extra = pd.DataFrame({"ma_xa": unbounded, "name_vi": official["name_vi"].reindex(unbounded).to_numpy()})
    if "district_vi" in keep and "district_vi" in official:
        extra["district_vi"] = official["district_vi"].reindex(unbounded).to_numpy()
    listed = pd.concat([names[keep].assign(boundary=True), extra.assign(boundary=False)], ignore_index=True)
    table = listed.merge(result.rename(columns={"unit_code": "ma_xa"}), on="ma_xa", how="left")
    table["indicator_id"] = indicator
    table["year"] = year
    table["status"] = table["status"].fillna("no_data")
    if catalogue[indicator].level == "province":  # assessed for the province only
        table["status"] = "not_applicable"
    rank = table["status"].map({s: i for i, s in enumerate(_WORST_FIRST)})
    if catalogue[indicator].rule == "units_leaving":  # described, not judged: entered and still listed first
        rank = rank * 10 + table["listing"].map({s: i for i, s in enumerate(("entered", "still_listed", "left"))}).fillna(9)
    return (
        table.assign(_rank=rank)
        .sort_values(["_rank", "behind_path", "gap", "ma_xa"], ascending=[True, False, False, True])
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def province_summary(ds: Dataset, year: int, lang: str = "vi") -> pd.DataFrame:
    """One row per indicator: the province's status and communes per status.

    Returns
    -------
    DataFrame
        ``indicator_id``, ``name``, ``unit``, ``target``, ``value``,
        ``target_value``, ``expected``, ``status``, ``gap``, ``years_needed``
        and ``communes_<status>`` counts over the 2020-2025 communes (for
        indicators measured below the province); then what the status rests
        on: ``n_units``, ``n_reported``, ``n_value_only`` (communes), ``coverage``
        ("từ 143 trên 161 xã" in ``lang``; a status is "no data" below the
        catalogue's ``min_coverage``), ``entered`` (targets 3a, 3b: units that
        entered the list since 2020, counted apart), ``communes_<listing>``
        (3a, 3b: communes left, still listed, entered) and ``notes`` (changes of
        standard that matter in ``year``).
    """
    catalogue = load_catalogue()
    province = evaluated(ds, "province", year).set_index("indicator_id")
    communes = evaluated(ds, "2020", year)
    counts = communes.pivot_table(index="indicator_id", columns="status", values="unit_code", aggfunc="count")
    counts = counts.reindex(columns=list(STATUSES), fill_value=0).fillna(0).astype(int)
    n_communes = len(ds.communes(2020))
    reported = counts.sum(axis=1)
    counts["no_data"] += (n_communes - reported).clip(lower=0)
    rows = []
    for ind_id, ind in catalogue.items():
        p = province.loc[ind_id] if ind_id in province.index else None
        row = {
            "indicator_id": ind_id,
            "name": ind.name(lang),
            "unit": ind.unit,
            "rule": ind.rule,
            "target": ind.target,
            "value": None if p is None else p["value"],
            "target_value": None if p is None else p["target_value"],
            "expected": None if p is None else p["expected"],
            "status": "no_data" if p is None else p["status"],
            "gap": None if p is None else p["gap"],
            "years_needed": None if p is None else p["years_needed"],
        }
        for status in STATUSES:
            row[f"communes_{status}"] = int(counts.loc[ind_id, status]) if ind.level != "province" and ind_id in counts.index else None
        for key in ("n_units", "n_reported", "n_value_only", "entered"):
            row[key] = None if p is None or pd.isna(p[key]) else p[key]
        row["coverage"] = coverage_text(row, ind, lang)
        listed = communes.loc[communes["indicator_id"] == ind_id, "listing"].value_counts()
        for listing in LISTINGS[:3]:
            row[f"communes_{listing}"] = int(listed.get(listing, 0)) if ind.rule == "units_leaving" else None
        row["notes"] = " ".join(ind.notes(year, lang))
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_text(row, ind, lang: str = "vi") -> str:
    """What a province value rests on, in words: "từ 143 trên 161 xã" (and what was left out).

    ``row`` holds ``n_units``, ``n_reported``, ``n_value_only`` (and optionally
    ``entered``); empty for an indicator assessed for the province itself.

    >>> from geo.catalogue import get_indicator
    >>> coverage_text({"n_units": 161, "n_reported": 143, "n_value_only": 2}, get_indicator("2"), "en")
    'from 143 of 161 communes; 2 communes gave only a share (no numerator, denominator), not added into the province share'
    >>> coverage_text({"n_units": 161, "n_reported": 120, "n_value_only": 0}, get_indicator("2"))
    'từ 120 trên 161 xã; dưới mức tối thiểu 80% số xã: chưa đánh giá'
    """
    units, reported = row.get("n_units"), row.get("n_reported")
    if units is None or reported is None or pd.isna(units) or pd.isna(reported):
        return ""
    parts = [t("cov_units", lang, n=fmt_count(reported, lang), total=fmt_count(units, lang))]
    value_only = row.get("n_value_only")
    if value_only is not None and pd.notna(value_only) and value_only > 0:
        parts.append(t("cov_value_only", lang, n=fmt_count(value_only, lang)))
    if units > 0 and reported / units < ind.min_coverage - 1e-9:
        parts.append(t("cov_too_few", lang, share=f"{round(100 * ind.min_coverage)}%"))
    entered = row.get("entered")
    if ind.rule == "units_leaving" and entered is not None and pd.notna(entered) and entered > 0:
        parts.append(t("entered_apart", lang, n=fmt_count(entered, lang)))
    return "; ".join(parts)


def indicator_notes(indicator: str, year: int | None = None, lang: str = "vi") -> str:
    """The changes of standard of ``indicator`` that matter in ``year`` (every one when None), one text.

    >>> indicator_notes("2", 2021), indicator_notes("2", 2023, "en")[:40]
    ('', 'From 2022 the poverty rate is measured b')
    """
    return " ".join(load_catalogue()[indicator].notes(year, lang))


def commune_profile(ds: Dataset, ma_xa: str, year: int, units: str = "2020", lang: str = "vi") -> pd.DataFrame:
    """Every indicator's status for one commune (or 2025 unit) in ``year``.

    Indicators without a value for the commune are listed as ``no_data``.
    """
    return commune_profiles(ds, [ma_xa], year, units, lang).drop(columns="unit_code").reset_index(drop=True)


def commune_profiles(ds: Dataset, codes: Sequence[str], year: int, units: str = "2020",
                     lang: str = "vi") -> pd.DataFrame:
    """:func:`commune_profile` of each of ``codes`` at once, one after the other, with their ``unit_code``.

    >>> from geo.dataset import load
    >>> both = commune_profiles(load(), ["01267", "01303"], 2024)
    >>> list(both["unit_code"].unique()), len(both) == 2 * len(load_catalogue())
    (['01267', '01303'], True)
    """
    units = _check_units(units)
    unknown = sorted(set(codes) - set(ds.communes(int(units))["ma_xa"]))
    if unknown:
        raise ValueError(f"unknown commune code {unknown[0]!r} for the {units} units")
    catalogue = load_catalogue()
    table = pd.DataFrame({"indicator_id": list(catalogue),
                          "theme": [i.theme for i in catalogue.values()],
                          "name": [i.name(lang) for i in catalogue.values()],
                          "unit": [i.unit for i in catalogue.values()]})
    province_level = table["indicator_id"].map(lambda i: catalogue[i].level == "province").to_numpy()
    every = table.iloc[np.tile(np.arange(len(table)), len(codes))].reset_index(drop=True)
    every.insert(0, "unit_code", np.repeat(np.asarray(codes, dtype=object), len(table)))
    rows = evaluated(ds, units, year)
    joined = every.merge(rows.loc[rows["unit_code"].isin(list(codes))], on=["unit_code", "indicator_id"], how="left")
    joined["status"] = joined["status"].fillna("no_data")
    joined.loc[np.tile(province_level, len(codes)), "status"] = "not_applicable"
    return joined


def status_change(ds: Dataset, indicator: str, since: int, year: int, units: str = "2020") -> pd.DataFrame:
    """How every commune's status of ``indicator`` moved from ``since`` to ``year``.

    Each year's status is :func:`commune_status`'s (each against its own year's
    path). ``change`` is ``improved`` (behind → on track or achieved, on track
    → achieved), ``same``, ``worse`` or ``no_data`` (no status to compare in
    either year, or not applicable). Communes that moved come first.

    >>> from geo.dataset import load
    >>> moved = status_change(load(), "2", 2021, 2025)
    >>> sorted(set(moved["change"])) <= sorted(CHANGES), list(moved.columns[:3])
    (True, ['ma_xa', 'name_vi', 'status_before'])
    """
    keep = ["ma_xa", "value", "status"]
    before = commune_status(ds, indicator, since, units)
    after = commune_status(ds, indicator, year, units)
    table = after[["ma_xa", "name_vi"]].merge(before[keep], on="ma_xa", how="outer").merge(
        after[keep], on="ma_xa", how="left", suffixes=("_before", "_after"))
    table["name_vi"] = table["name_vi"].fillna(table["ma_xa"].map(before.set_index("ma_xa")["name_vi"]))
    rank_since, rank_year = table["status_before"].map(_RANK), table["status_after"].map(_RANK)
    table["change"] = np.select([rank_since.isna() | rank_year.isna(), rank_year > rank_since,
                                 rank_year < rank_since], ["no_data", "improved", "worse"], "same")
    table["value_change"] = table["value_after"] - table["value_before"]
    moved = table["change"].isin(["improved", "worse"])
    order = ["ma_xa", "name_vi", "status_before", "status_after", "change", "value_before", "value_after", "value_change"]
    return table.assign(_moved=~moved).sort_values(["_moved", "change", "ma_xa"])[order].reset_index(drop=True)


def trajectory(ds: Dataset, indicator: str, unit_code: str, units: str = "2020") -> pd.DataFrame:
    """Values of one unit by year, 2020-2025, beside the straight path to its target.

    Returns one row per year with ``value`` (missing where not reported),
    ``expected`` (the path from the 2020 value to the 2025 target) and
    ``target_value``.
    """
    units = _check_units(units)
    rows = [evaluated(ds, units, year) for year in range(BASELINE_YEAR, TARGET_YEAR + 1)]
    table = pd.concat(rows, ignore_index=True)
    table = table.loc[(table["indicator_id"] == indicator) & (table["unit_code"] == unit_code)]
    years = pd.DataFrame({"year": range(BASELINE_YEAR, TARGET_YEAR + 1)})
    return years.merge(table[["year", "value", "expected", "target_value", "status"]], on="year", how="left")


def reported_years(ds: Dataset, indicator: str) -> list[int]:
    """The years for which the dataset holds values of ``indicator`` (any unit), in order.

    >>> from geo.dataset import load
    >>> reported_years(load(), "2")
    [2020, 2021, 2022, 2023, 2024, 2025]
    """
    values = ds.values
    years = pd.to_numeric(values.loc[values["indicator_id"].astype(str) == indicator, "year"], errors="coerce")
    return sorted(int(y) for y in years.dropna().unique())


def status_grid(ds: Dataset, year: int, units: str = "2020") -> pd.DataFrame:
    """Commune x indicator table of statuses in ``year`` (rows: communes, columns: ids).

    Indicators assessed only for the province are left out. Communes are
    ordered by how many indicators they are behind on, most first.
    """
    units = _check_units(units)
    catalogue = load_catalogue()
    rows = evaluated(ds, units, year)
    grid = rows.pivot(index="unit_code", columns="indicator_id", values="status")
    columns = [i for i, ind in catalogue.items() if ind.level != "province"]
    names = ds.communes(int(units)).set_index("ma_xa")["name_vi"]
    grid = grid.reindex(index=names.index, columns=columns).fillna("no_data")
    grid.insert(0, "name_vi", names)
    behind = (grid[columns] == "behind").sum(axis=1)
    return grid.assign(_behind=behind).sort_values(["_behind", "name_vi"], ascending=[False, True]).drop(columns="_behind")
