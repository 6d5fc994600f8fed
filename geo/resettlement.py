"""Progress towards target 12: resettle or stabilise 60% of at-risk households.

The at-risk set is the ethnic-minority (DTTS) households that live scattered
(``scattered``) at a place whose hazard level, of any type, is at or above a
chosen level (default 4, "high"). A household counts as done once its status
is ``resettled`` (moved to a concentrated site or interspersed into a
village) or ``stabilised`` (made safe in place) with a date on or before the
end of the year asked for. The household's point stays its original dwelling.

The programme window is explicit: :data:`PROGRAMME_START` (2021) to
:data:`PROGRAMME_END` (2025). The plan counts the households "đang cư trú phân
tán nơi có nguy cơ" (still living there when the programme starts), so a
household done before 2021 is out of both counts and reported apart
(``done_before_2021``). The one path to 60% is :func:`expected_share`: 0 at the
end of 2020, 60% at the end of 2025, 12 points a year. The indicator table
(:func:`geo.indicators.evaluate`, target 12), the risk page, the command line
and the exports all use it.

Examples
--------
>>> import pandas as pd
>>> homes = pd.DataFrame({"ma_xa": ["A", "A", "B"], "dtts": True, "scattered": True,
...                       "resettlement_status": ["resettled", "planned", "stabilised"],
...                       "resettlement_date": pd.to_datetime(["2022-05-01", None, "2024-01-09"])})
>>> flags = pd.DataFrame({"max_level": [4, 5, 4]})
>>> progress(homes, flags, year=2025)[["at_risk", "done", "needed"]].to_numpy().tolist()
[[2, 1, 1], [1, 1, 0], [3, 2, 0]]
>>> expected_share(2020), expected_share(2023), expected_share(2025)
(0.0, 0.36, 0.6)
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo._spatial import point_polygon_pairs
from geo.catalogue import load_catalogue
from geo.crs import to_metric
from geo.hazards import HAZARD_TYPES, HazardZones
from geo.text import loose_key

__all__ = [
    "YES_NO",
    "STATUSES",
    "FORMS",
    "DONE",
    "TARGET_SHARE",
    "PROGRAMME_START",
    "PROGRAMME_END",
    "expected_share",
    "path_status",
    "at_risk",
    "progress",
    "path_by_year",
    "check_sites",
]

STATUSES = ("not_planned", "planned", "moving", "resettled", "stabilised")
FORMS = ("concentrated", "interspersed", "in_place")
DONE = ("resettled", "stabilised")
_TARGET_12 = load_catalogue()["12"]
#: Target 12 of the catalogue: 60% of the at-risk households.
TARGET_SHARE = _TARGET_12.target / 100.0
#: The programme window: work done from 1 January 2021 to 31 December 2025 counts.
PROGRAMME_START = int(_TARGET_12.counts_from)
PROGRAMME_END = int(_TARGET_12.target_year)
BASELINE_YEAR = PROGRAMME_START - 1  # the end of 2020: nothing done yet within the programme
TARGET_YEAR = PROGRAMME_END
_EPS = 1e-9


def expected_share(year: int | np.ndarray) -> float | np.ndarray:
    """The one path to 60%: the share due by the end of ``year`` (0 at the end of 2020, 0.6 from 2025).

    >>> [round(expected_share(y), 2) for y in range(2020, 2026)]
    [0.0, 0.12, 0.24, 0.36, 0.48, 0.6]
    """
    years = np.clip(np.asarray(year, float), BASELINE_YEAR, PROGRAMME_END)
    share = np.round(TARGET_SHARE * (years - BASELINE_YEAR) / (PROGRAMME_END - BASELINE_YEAR), 12)
    return float(share) if np.ndim(share) == 0 else share


def path_status(share: float | np.ndarray, year: int) -> np.ndarray:
    """``achieved`` (60% reached), ``on_track`` (at or above :func:`expected_share`, before 2026),
    ``behind``, or ``no_data`` (share unknown) for shares (0-1) at the end of ``year``.

    >>> path_status([0.3, 0.0, 0.6, float("nan")], 2021).tolist()
    ['on_track', 'behind', 'achieved', 'no_data']
    """
    share = np.asarray(share, float)
    met = share >= TARGET_SHARE - _EPS
    on_path = (share >= expected_share(year) - _EPS) & (year < PROGRAMME_END)
    return np.select([np.isnan(share), met, on_path], ["no_data", "achieved", "on_track"], default="behind")
_TRUE = {"true", "1", "yes", "y", "x", "co", "dung", "t", "phai", "v"}
_FALSE = {"false", "0", "no", "n", "khong", "sai", "f", ""}
#: Yes/no words (compared by :func:`geo.text.loose_key`): English, Vietnamese, 1/0, "x" for a tick.
YES_NO: dict[str, bool] = {**{w: True for w in _TRUE}, **{w: False for w in _FALSE}}


def _as_bool(values: pd.Series, name: str) -> pd.Series:
    """Read a yes/no column: booleans, 0/1, or words (true/false, có/không, x)."""
    if values.dtype == bool:
        return values
    words = values.map(lambda v: loose_key(str(v)).removesuffix(".0") if pd.notna(v) else "")
    parsed = words.map(lambda w: True if w in _TRUE else (False if w in _FALSE else None))
    bad = parsed.isna()
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"column '{name}', row {first + 1}: {values.iloc[first]!r} is not yes/no "
                         "(use true/false, 1/0 or có/không)")
    return parsed.astype(bool)


def _check(households: pd.DataFrame, flags: pd.DataFrame, required: tuple[str, ...]) -> None:
    missing = [c for c in required if c not in households]
    if missing:
        raise ValueError(f"households lack column(s) {missing}")
    if "max_level" not in flags:
        raise ValueError("flags lack 'max_level' (use geo.hazards.flag_households)")
    if len(flags) != len(households):
        raise ValueError(f"{len(flags)} flag rows for {len(households)} households")


def at_risk(households: pd.DataFrame, flags: pd.DataFrame, min_level: int = 4) -> pd.Series:
    """Boolean Series: ethnic-minority, scattered and at or above ``min_level``."""
    _check(households, flags, ("dtts", "scattered"))
    level = pd.Series(flags["max_level"].to_numpy(), index=households.index)
    return _as_bool(households["dtts"], "dtts") & _as_bool(households["scattered"], "scattered") & (level >= min_level)


def _register(households: pd.DataFrame, flags: pd.DataFrame, min_level: int, by: str | pd.Series) -> pd.DataFrame:
    """One row per household: unit, at risk, year done (inf: not done; -inf: done, undated), status, form."""
    _check(households, flags, ("resettlement_status",))
    status = households["resettlement_status"]
    unknown = set(status.dropna().unique()) - set(STATUSES)
    if unknown:
        raise ValueError(f"unknown resettlement status(es) {sorted(unknown)}; use {', '.join(STATUSES)}")
    form = households["resettlement_form"] if "resettlement_form" in households else pd.Series(None, index=households.index)
    unknown = set(form.dropna().unique()) - set(FORMS)
    if unknown:
        raise ValueError(f"unknown resettlement form(s) {sorted(unknown)}; use {', '.join(FORMS)}")
    if "resettlement_date" in households:
        year = pd.to_datetime(households["resettlement_date"]).dt.year.astype(float).fillna(-np.inf)
    else:
        year = pd.Series(-np.inf, index=households.index)
    risk = at_risk(households, flags, min_level)
    unit = households[by] if isinstance(by, str) else pd.Series(by.to_numpy(), index=households.index)
    return pd.DataFrame({
        "unit": unit.astype(object),
        "risk": risk,
        "done_year": year.where(risk & status.isin(DONE), np.inf),
        "status": status,
        "form": form,
    })


def _summary(table: pd.DataFrame, year: int) -> pd.DataFrame:
    """Counts per unit of a :func:`_register` table at the end of ``year``.

    A household done (with a date) before :data:`PROGRAMME_START` is out of ``at_risk``
    and ``done`` and counted in ``done_before_2021``; an undated one counts as done
    within the programme, in every year (``undated`` says how many).
    """
    before = table["risk"] & (table["done_year"] < PROGRAMME_START) & ~np.isneginf(table["done_year"])
    done = (table["done_year"] <= year) & ~before
    counts = pd.DataFrame({
        "unit": table["unit"],
        "at_risk": table["risk"] & ~before,
        "done": done,
        "resettled": done & (table["status"] == "resettled"),
        "stabilised": done & (table["status"] == "stabilised"),
        "in_progress": table["risk"] & table["status"].isin(["planned", "moving"]),
        "undated": done & np.isneginf(table["done_year"]),
        **{f"form_{f}": done & (table["form"] == f) for f in FORMS},
        "done_before_2021": before,
    })
    # dropna=False: households with no unit still count, so units add up to the province.
    out = counts.groupby("unit", sort=True, dropna=False).sum().astype("int64")
    at_risk_n = out["at_risk"].to_numpy(float)
    out["share"] = np.divide(out["done"].to_numpy(float), at_risk_n, out=np.full(len(out), np.nan), where=at_risk_n > 0)
    out["target_share"] = TARGET_SHARE
    out["expected_share"] = expected_share(year)
    goal = np.ceil(np.round(TARGET_SHARE * at_risk_n, 9)).astype("int64")
    out["target_households"] = goal
    out["needed"] = np.maximum(goal - out["done"].to_numpy(), 0)
    # the same words as the indicator table's (geo.indicators.evaluate, target 12): one path, one answer
    out["status"] = np.where(at_risk_n > 0, path_status(out["share"].to_numpy(float), year), "not_applicable")
    return out


def progress(
    households: pd.DataFrame,
    flags: pd.DataFrame,
    year: int = TARGET_YEAR,
    min_level: int = 4,
    by: str | pd.Series = "ma_xa",
    total: bool = True,
) -> pd.DataFrame:
    """Resettlement progress per unit, and for the province, at the end of ``year``.

    Parameters
    ----------
    households : DataFrame
        With ``dtts``, ``scattered`` (yes/no), ``resettlement_status`` and
        optionally ``resettlement_date`` and ``resettlement_form``.
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
        ``form_in_place`` (done, by form), ``done_before_2021`` (done with a
        date before the programme: out of ``at_risk`` and ``done``), ``share``,
        ``target_share`` (0.6), ``expected_share`` (:func:`expected_share`),
        ``target_households`` (60% of the at-risk count, rounded up),
        ``needed`` (households still to resettle to reach it) and ``status``
        (:func:`path_status`, as the indicator table says it). Counts add up
        across units; ``needed`` of the province is computed from its totals.
    """
    table = _register(households, flags, min_level, by)
    out = _summary(table, year)
    out.index.name = by if isinstance(by, str) else "unit"
    if total:
        # nothing selected: a province row of zeros (share unknown), never a missing row
        whole = table.assign(unit="province") if len(table) else pd.DataFrame(
            {"unit": ["province"], "risk": [False], "done_year": [np.inf], "status": [None], "form": [None]})
        out = pd.concat([out, _summary(whole, year)])
    return out


def path_by_year(
    households: pd.DataFrame,
    flags: pd.DataFrame,
    min_level: int = 4,
    by: str | pd.Series | None = None,
) -> pd.DataFrame:
    """Progress at the end of each year 2020-2025 against the path to 60%.

    With ``by`` (a column or aligned Series of units) one row per unit and
    year, else one row per year for the province: ``at_risk``, ``done``,
    ``share``, ``expected_share``, ``target_households`` and ``needed``.
    """
    unit = pd.Series("province", index=households.index) if by is None else by
    table = _register(households, flags, min_level, unit)
    years = range(BASELINE_YEAR, TARGET_YEAR + 1)
    rows = pd.concat({year: _summary(table, year) for year in years}, names=["year", "unit"])
    columns = ["at_risk", "done", "share", "expected_share", "target_households", "needed"]
    if by is None:
        return rows[columns].droplevel("unit")
    return rows[columns].swaplevel().sort_index()


def check_sites(sites: gpd.GeoDataFrame, zones: HazardZones | gpd.GeoDataFrame, min_level: int = 1) -> pd.DataFrame:
    """Resettlement sites that lie inside a hazard zone (an error to fix).

    ``zones`` are prepared :class:`~geo.hazards.HazardZones`, used as they
    are, or a plain GeoDataFrame, prepared first. Returns one row per
    (site, zone) hit with the site's columns, ``hazard_type``, ``level`` and
    ``zone_index`` (the zone's index label); empty when every site is safe.

    >>> from shapely import box, points
    >>> zones = HazardZones.prepare(gpd.GeoDataFrame({"hazard_type": ["lũ quét"], "level": [5]},
    ...                                              geometry=[box(0, 0, 10, 10)], crs="EPSG:9210"))
    >>> sites = gpd.GeoDataFrame({"site_id": ["S1", "S2"]}, geometry=points([[5, 5], [50, 5]]), crs="EPSG:9210")
    >>> check_sites(sites, zones).to_numpy().tolist()
    [['S1', 'flash_flood', 5, 0]]
    """
    site_pts = to_metric(sites, "resettlement sites")
    zones = HazardZones.of(zones)
    site_idx, zone_idx = point_polygon_pairs(site_pts.geometry.values, zones.geometries, tree=zones.tree)
    high = zones.level[zone_idx] >= min_level
    site_idx, zone_idx = site_idx[high], zone_idx[high]
    hits = pd.DataFrame(site_pts.drop(columns=site_pts.geometry.name).iloc[site_idx]).reset_index(drop=True)
    hits["hazard_type"] = np.array(HAZARD_TYPES, dtype=object)[zones.type_code[zone_idx]]
    hits["level"] = zones.level[zone_idx]
    hits["zone_index"] = zones.frame.index.to_numpy()[zone_idx]
    return hits.sort_values(["level"], ascending=False, kind="stable").reset_index(drop=True)
