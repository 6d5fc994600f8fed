"""Progress towards target 12: resettle or stabilise 60% of at-risk households.

The at-risk set is the ethnic-minority (DTTS) households that live scattered
(``scattered``) at a place whose hazard level, of any type, is at or above a
chosen level (default 4, "high"). A household counts as done once its status
is ``resettled`` (moved to a concentrated site or interspersed into a
village) or ``stabilised`` (made safe in place) with a date on or before the
end of the year asked for. The household's point stays its original dwelling.

Examples
--------
>>> import pandas as pd
>>> homes = pd.DataFrame({"ma_xa": ["A", "A", "B"], "dtts": True, "scattered": True,
...                       "resettlement_status": ["resettled", "planned", "stabilised"],
...                       "resettlement_date": pd.to_datetime(["2022-05-01", None, "2024-01-09"])})
>>> flags = pd.DataFrame({"max_level": [4, 5, 4]})
>>> progress(homes, flags, year=2025)[["at_risk", "done", "needed"]].to_numpy().tolist()
[[2, 1, 1], [1, 1, 0], [3, 2, 0]]
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._spatial import point_polygon_pairs
from geo.crs import to_metric
from geo.hazards import prepare_zones

__all__ = [
    "STATUSES",
    "FORMS",
    "DONE",
    "TARGET_SHARE",
    "at_risk",
    "progress",
    "path_by_year",
    "check_sites",
]

STATUSES = ("not_planned", "planned", "moving", "resettled", "stabilised")
FORMS = ("concentrated", "interspersed", "in_place")
DONE = ("resettled", "stabilised")
TARGET_SHARE = 0.60
_FIRST_YEAR, _LAST_YEAR = 2020, 2025
def _check(households: pd.DataFrame, flags: pd.DataFrame, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in households]
    if missing:
        raise ValueError(f"households lack column(s) {missing}")
    if "max_level" not in flags:
        raise ValueError("flags lack 'max_level' (use geo.hazards.flag_households)")
    if len(flags) != len(households):
        raise ValueError(f"{len(flags)} flag rows for {len(households)} households")
    statuses = households["resettlement_status"] if "resettlement_status" in households else pd.Series(dtype=object)
    unknown = set(statuses.dropna()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown resettlement status(es) {sorted(unknown)}; use {', '.join(STATUSES)}")


def at_risk(households: pd.DataFrame, flags: pd.DataFrame, min_level: int = 4) -> pd.Series:
    """Boolean Series: ethnic-minority, scattered and at or above ``min_level``."""
    _check(households, flags, ("dtts", "scattered"))
    level = pd.Series(flags["max_level"].to_numpy(), index=households.index)
    return households["dtts"].astype(bool) & households["scattered"].astype(bool) & (level >= min_level)


def _done_by(households: pd.DataFrame, year: int) -> pd.Series:
    done = households["resettlement_status"].isin(DONE)
    if "resettlement_date" in households:
        date = pd.to_datetime(households["resettlement_date"])
        # Before 1 January of the next year, so that 31 December with a time of day counts.
        done &= date.isna() | (date < pd.Timestamp(year=year + 1, month=1, day=1))
    return done


def _summary(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "at_risk": frame["risk"].sum(),
            "done": frame["done"].sum(),
            "resettled": frame["resettled"].sum(),
            "stabilised": frame["stabilised"].sum(),
            "in_progress": frame["in_progress"].sum(),
            "undated": frame["undated"].sum(),
        }
    ).astype("int64")
    for form in FORMS:
        out[f"form_{form}"] = frame[f"form_{form}"].sum().astype("int64")
    out["share"] = np.where(out["at_risk"] > 0, out["done"] / out["at_risk"].where(out["at_risk"] > 0, 1), np.nan)
    out["target_share"] = TARGET_SHARE
    out["expected_share"] = TARGET_SHARE * (year - _FIRST_YEAR) / (_LAST_YEAR - _FIRST_YEAR)
    goal = np.ceil(np.round(TARGET_SHARE * out["at_risk"].to_numpy(float), 9)).astype("int64")
    out["target_households"] = goal
    out["needed"] = np.maximum(goal - out["done"].to_numpy(), 0)
    return out


def progress(
    households: pd.DataFrame,
    flags: pd.DataFrame,
    year: int = _LAST_YEAR,
    min_level: int = 4,
    by: str | pd.Series = "ma_xa",
    total: bool = True,
) -> pd.DataFrame:
    """Resettlement progress per unit, and for the province, at the end of ``year``.

    Parameters
    ----------
    households : DataFrame
        With ``dtts``, ``scattered``, ``resettlement_status`` and optionally
        ``resettlement_date`` and ``resettlement_form``.
    flags : DataFrame
        Positionally aligned hazard flags with ``max_level``.
    year : int, default 2025
    min_level : int, default 4 ("high")
    by : str or Series
        Column of ``households`` (or a Series aligned on it) giving the unit,
        for example the 2020 commune ``ma_xa`` or the 2025 unit.
    total : bool, default True
        Append a ``"province"`` row computed from the province totals.

    Returns
    -------
    DataFrame
        Indexed by unit: ``at_risk``, ``done`` (resettled + stabilised by the
        end of ``year``), ``resettled``, ``stabilised``, ``in_progress``
        (planned or moving), ``undated`` (done but with no date: counted in
        every year), ``form_concentrated``, ``form_interspersed``,
        ``form_in_place`` (done, by form), ``share``, ``target_share`` (0.6),
        ``expected_share`` (the straight path to 60% for ``year``),
        ``target_households`` (60% of the at-risk count, rounded up) and
        ``needed`` (households still to resettle to reach it). Counts add up
        across units; ``needed`` of the province is computed from its totals.
    """
    _check(households, flags, ("resettlement_status",))
    risk = at_risk(households, flags, min_level)
    done = _done_by(households, year) & risk
    status = households["resettlement_status"]
    form = households["resettlement_form"] if "resettlement_form" in households else pd.Series(None, index=households.index)
    undated = households["resettlement_date"].isna() if "resettlement_date" in households else pd.Series(True, index=households.index)
    unit = households[by] if isinstance(by, str) else pd.Series(by.to_numpy(), index=households.index)
    frame = pd.DataFrame(
        {
            "unit": unit.astype(str),
            "risk": risk,
            "done": done,
            "resettled": done & (status == "resettled"),
            "stabilised": done & (status == "stabilised"),
            "in_progress": risk & status.isin(["planned", "moving"]),
            "undated": done & undated,
            **{f"form_{f}": done & (form == f) for f in FORMS},
        }
    )
    # dropna=False: households with no unit still count, so units add up to the province.
    grouped = frame.groupby("unit", sort=True, dropna=False)
    out = _summary(grouped, year)
    out.index.name = by if isinstance(by, str) else "unit"
    if total:
        province = _summary(frame.assign(unit="province").groupby("unit"), year)
        out = pd.concat([out, province])
    return out


def path_by_year(
    households: pd.DataFrame,
    flags: pd.DataFrame,
    min_level: int = 4,
) -> pd.DataFrame:
    """Province progress at the end of each year 2020-2025 against the path to 60%.

    Returns one row per year with ``at_risk``, ``done``, ``share``,
    ``expected_share`` and ``needed``.
    """
    rows = [
        progress(households, flags, year, min_level, by=pd.Series("province", index=households.index), total=False)
        .assign(year=year)
        for year in range(_FIRST_YEAR, _LAST_YEAR + 1)
    ]
    table = pd.concat(rows).set_index("year")
    return table[["at_risk", "done", "share", "expected_share", "target_households", "needed"]]


def check_sites(sites: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, min_level: int = 1) -> pd.DataFrame:
    """Resettlement sites that lie inside a hazard zone (an error to fix).

    Returns one row per (site, zone) hit with the site's columns,
    ``hazard_type``, ``level`` and ``zone_index``; empty when every site is
    safe.
    """
    site_pts = to_metric(sites, "resettlement sites")
    zones = prepare_zones(zones)
    zones = zones.loc[zones["level"] >= min_level]
    site_idx, zone_idx = point_polygon_pairs(site_pts.geometry.values, zones.geometry.values)
    hits = pd.DataFrame(site_pts.drop(columns=site_pts.geometry.name).iloc[site_idx]).reset_index(drop=True)
    hits["hazard_type"] = zones["hazard_type"].to_numpy()[zone_idx]
    hits["level"] = zones["level"].to_numpy()[zone_idx]
    hits["zone_index"] = zones.index.to_numpy()[zone_idx]
    return hits.sort_values(["level"], ascending=False, kind="stable").reset_index(drop=True)
