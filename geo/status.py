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

import pandas as pd

from geo.catalogue import load_catalogue
from geo.dataset import Dataset
from geo.indicators import STATUSES, aggregate, evaluate
from geo.units import PROVINCE_CODE, crosswalk

__all__ = ["UNITS", "unit_values", "commune_status", "province_summary"]

UNITS = ("2020", "2025", "province")


def _check_units(units: str) -> str:
    units = str(units)
    if units not in UNITS:
        raise ValueError(f"units must be one of {', '.join(UNITS)}, got {units!r}")
    return units


def unit_values(ds: Dataset, units: str = "2020") -> pd.DataFrame:
    """Indicator values of every unit of one kind, all years.

    Parameters
    ----------
    ds : Dataset
    units : {"2020", "2025", "province"}
        The 161 communes of 2020-2025, the 56 units of 2025, or the province.
    """
    units = _check_units(units)
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


def commune_status(ds: Dataset, indicator: str, year: int, units: str = "2020") -> pd.DataFrame:
    """Status of one indicator for every commune (or 2025 unit) in ``year``.

    Communes with no value at all are listed with status ``no_data``.

    Returns
    -------
    DataFrame
        One row per commune: ``ma_xa``, ``name_vi``, (``district_vi`` for
        2020) and the columns of :func:`geo.indicators.evaluate`, sorted by
        how far behind the path the commune is (furthest first).
    """
    units = _check_units(units)
    if units == "province":
        raise ValueError("commune_status needs units 2020 or 2025; use province_summary for the province")
    catalogue = load_catalogue()
    if indicator not in catalogue:
        raise ValueError(f"unknown indicator {indicator!r}; known: {', '.join(catalogue)}")
    result = evaluate(unit_values(ds, units), year, [indicator])
    names = ds.communes(int(units)).drop(columns="geometry")
    keep = ["ma_xa", "name_vi", "district_vi"] if units == "2020" else ["ma_xa", "name_vi"]
    table = names[keep].merge(result.rename(columns={"unit_code": "ma_xa"}), on="ma_xa", how="left")
    table["indicator_id"] = indicator
    table["year"] = year
    table["status"] = table["status"].fillna("no_data")
    rank = table["status"].map({s: i for i, s in enumerate(["behind", "on_track", "achieved", "no_data", "not_applicable"])})
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
        indicators measured below the province).
    """
    catalogue = load_catalogue()
    province = evaluate(unit_values(ds, "province"), year, list(catalogue), province=True).set_index("indicator_id")
    communes = evaluate(unit_values(ds, "2020"), year)
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
        rows.append(row)
    return pd.DataFrame(rows)
