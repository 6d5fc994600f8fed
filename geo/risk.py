"""The disaster-prevention officers' view: one filter, one function, every surface.

:class:`RiskFilter` holds what an officer chooses (hazard types, minimum level,
buffer, communes, ethnicities, statuses, at-risk only, year, unit vintage) and
:func:`risk_view` turns (dataset, filter, user) into everything the officers see:
households flagged and placed in the commune their point lies in, the rows
under the filters, progress to 60% per commune and for the province, the path by
year and the unsafe resettlement sites. The app's risk page, the command line,
the print map, the atlas and the data export all call it, so they agree.

Examples
--------
>>> from geo.dataset import load
>>> view = risk_view(load(), RiskFilter(min_level=4))
>>> bool((view.shown["level"] >= 4).all()), int(view.totals["at_risk"]) <= len(view.in_scope)
(True, True)
>>> view.filter.types == HAZARD_TYPES  # every type of data/hazards.yaml by default
True
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import geopandas as gpd
import pandas as pd
import shapely

from geo import resettlement
from geo.access import User, can, within_scope
from geo.crs import METRIC_CRS, WGS84, with_lonlat
from geo.dataexport import filter_table
from geo.dataset import Dataset, load
from geo.hazards import HAZARD_TYPES, LEVEL_COLUMNS, flag_register, with_flags
from geo.i18n import Refusal
from geo.indicators import BASELINE_YEAR, TARGET_YEAR

__all__ = ["PUBLIC_COLUMNS", "RiskFilter", "RiskView", "risk_view", "flagged_register", "filter_register",
           "selected_level", "nearest_household", "COMMUNE"]

#: The commune column every count uses: where the household's point lies (its record's when no boundaries).
COMMUNE = "ma_xa_located"
#: The household fields any surface may show (page, print, export); personal fields (names, identity
#: numbers) live apart and are added only on request, by those allowed to (see :mod:`geo.access`).
PUBLIC_COLUMNS = ("household_id", "ma_xa_located", "ma_xa", "village_id", "ethnicity", "members", "poor",
                  "scattered", "level", *LEVEL_COLUMNS,  # level_<type> for each type of data/hazards.yaml
                  "resettlement_status", "resettlement_form", "resettlement_date", "site_id", "assignment", "mismatch")


def _tuple(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(dict.fromkeys(str(v) for v in values))


@dataclass(frozen=True)
class RiskFilter:
    """What the officer chose; ``None`` for communes, ethnicities or statuses keeps all.

    >>> RiskFilter(types=["tube_flood"], min_level=3, communes=["01267"]).describe("en")[:2]
    [('Hazard types', 'Tube flood'), ('Minimum hazard level', '3 (Medium)')]
    >>> RiskFilter(min_level=7)
    Traceback (most recent call last):
    ...
    geo.i18n.Refusal: mức nguy cơ phải từ 1 đến 5, không phải 7
    """

    types: tuple[str, ...] = HAZARD_TYPES
    min_level: int = 4
    buffer_m: float = 0.0
    communes: tuple[str, ...] | None = None
    ethnicities: tuple[str, ...] | None = None
    statuses: tuple[str, ...] | None = None
    at_risk_only: bool = False
    year: int = TARGET_YEAR
    units: str = "2020"

    def __post_init__(self) -> None:
        for name in ("types", "communes", "ethnicities", "statuses"):
            value = getattr(self, name)
            object.__setattr__(self, name, _tuple(value) if value is not None and len(value) else
                               (() if name == "types" else None))
        unknown = sorted(set(self.types) - set(HAZARD_TYPES))
        if unknown:
            raise Refusal("risk_err_types", value=", ".join(unknown), choices=", ".join(HAZARD_TYPES))
        if not 1 <= int(self.min_level) <= 5:
            raise Refusal("risk_err_level", value=self.min_level)
        if not float(self.buffer_m) >= 0:
            raise Refusal("risk_err_buffer", value=self.buffer_m)
        if not BASELINE_YEAR <= int(self.year) <= TARGET_YEAR:
            raise Refusal("risk_err_year", value=self.year, first=BASELINE_YEAR, last=TARGET_YEAR)
        if self.units not in ("2020", "2025"):
            raise Refusal("risk_err_units", value=self.units)
        unknown = sorted(set(self.statuses or ()) - set(resettlement.STATUSES))
        if unknown:
            raise Refusal("risk_err_statuses", value=", ".join(unknown), choices=", ".join(resettlement.STATUSES))
        object.__setattr__(self, "min_level", int(self.min_level))
        object.__setattr__(self, "buffer_m", float(self.buffer_m))
        object.__setattr__(self, "year", int(self.year))

    def filters(self) -> dict[str, object]:
        """The filter as codes by name (what an export records; :func:`geo.dataexport.filter_table` words it)."""
        return {"types": list(self.types), "min_level": self.min_level, "buffer_m": self.buffer_m,
                "communes": self.communes, "ethnicities": self.ethnicities, "statuses": self.statuses,
                "at_risk_only": self.at_risk_only, "year": self.year, "units": self.units}

    def describe(self, lang: str = "vi") -> list[tuple[str, str]]:
        """The filter as (label, words) pairs, for a subtitle, a report line or a filters sheet."""
        return [tuple(row) for row in filter_table(self.filters(), lang).to_numpy().tolist()]


@dataclass(frozen=True)
class RiskView:
    """Everything the officers see for one (dataset, filter, user); see :func:`risk_view`.

    ``flagged``: every household the user may see, with its levels and located
    commune; ``in_scope``: those in a zone of the chosen types at or above the
    minimum level in the chosen communes (what progress counts); ``shown``: those
    also matching ethnicity, status and at-risk-only (the map and the table);
    ``progress``: per unit (2020 commune or 2025 unit) plus a ``province`` row;
    ``path``: the province by year; ``unsafe_sites``: sites in a zone of any type
    at or above the minimum level.
    """

    filter: RiskFilter
    flagged: gpd.GeoDataFrame = field(repr=False)
    in_scope: gpd.GeoDataFrame = field(repr=False)
    shown: gpd.GeoDataFrame = field(repr=False)
    progress: pd.DataFrame = field(repr=False)
    path: pd.DataFrame = field(repr=False)
    unsafe_sites: pd.DataFrame = field(repr=False)

    @cached_property
    def no_households(self) -> gpd.GeoDataFrame:
        """:attr:`shown` without its rows, the same object each time: the map of a user who may not see
        households (a map drawn again from the same objects is not made again).

        >>> view = risk_view(load())
        >>> len(view.no_households), list(view.no_households.columns) == list(view.shown.columns)
        (0, True)
        >>> view.no_households is view.no_households
        True
        """
        return self.shown.iloc[:0]

    @property
    def totals(self) -> pd.Series:
        """The province row of :attr:`progress`."""
        return self.progress.loc["province"]

    @property
    def by_unit(self) -> pd.DataFrame:
        """:attr:`progress` without the province row, most households still needed first."""
        return self.progress.drop(index="province").sort_values(["needed", "at_risk"], ascending=False)

    @property
    def ranking(self) -> pd.DataFrame:
        """Every unit ranked by households still needed for its 60% line, with the share of that line reached.

        ``line_reached`` is ``done / target_households`` (1 when the line is met or nobody is at risk).

        >>> from geo.dataset import load
        >>> ranked = risk_view(load(), RiskFilter(min_level=4)).ranking
        >>> bool(ranked["needed"].is_monotonic_decreasing), bool((ranked["line_reached"] <= 1).all())
        (True, True)
        """
        units = self.by_unit
        target = units["target_households"]
        reached = (units["done"] / target.where(target > 0)).clip(upper=1).fillna(1.0)
        return units[["at_risk", "done", "target_households", "needed", "status"]].assign(line_reached=reached)

    def impact(self, by: str | None = COMMUNE) -> pd.DataFrame:
        """Households and people by hazard type, level and ``by`` (a commune, a village; None: the province alone).

        The impact summary: for each chosen hazard type and each level from the
        filter's minimum, the households whose highest level of that type it is,
        then level 0: those in no zone of that type at that minimum. Counted
        among the households the filter keeps apart from the hazard (its
        communes, ethnicities, statuses, at-risk only). A household in zones of
        two types counts under each type. Columns: ``hazard_type``,
        ``impact_level``, ``area``, ``households``, ``people``,
        ``dtts_households``, ``scattered_households``, ``poor_households``; each
        type's rows add up to the households kept; the ``province`` rows add up
        the units.

        >>> from geo.dataset import load
        >>> view = risk_view(load(), RiskFilter(["landslide"], min_level=4))
        >>> table = view.impact(None)
        >>> list(table["impact_level"]), int(table["households"].sum()) == len(view.flagged)
        ([4, 5, 0], True)
        """
        flt = self.filter
        keep = _chosen(self.flagged, flt.communes, flt.ethnicities, flt.statuses)
        if flt.at_risk_only:  # the programme's households: ethnic-minority and scattered, wherever they live
            keep &= self.flagged["dtts"].fillna(False).astype(bool) & self.flagged["scattered"].fillna(False).astype(bool)
        kept = self.flagged.loc[keep]
        counted = pd.DataFrame({"households": 1, "people": kept["members"].fillna(0).astype(int)}, index=kept.index)
        for column in ("dtts", "scattered", "poor"):
            counted[f"{column}_households"] = kept[column].fillna(False).astype(bool).astype(int)
        unit = kept[by].fillna("–") if by is not None else pd.Series("province", index=kept.index)
        parts = []
        for hazard in flt.types:
            level = kept[f"level_{hazard}"].where(kept[f"level_{hazard}"] >= flt.min_level)
            parts.append(counted.assign(hazard_type=hazard, impact_level=level.fillna(0).astype(int),
                                        area=unit.to_numpy()))
        if not parts:
            return pd.DataFrame(columns=["hazard_type", "impact_level", "area", *counted.columns])
        rows = (pd.concat(parts).groupby(["hazard_type", "impact_level", "area"], sort=False).sum().reset_index())
        if by is not None:  # the province rows: each (type, level) over every unit
            province = rows.groupby(["hazard_type", "impact_level"], sort=False)[list(counted.columns)].sum()
            rows = pd.concat([rows, province.reset_index().assign(area="province")], ignore_index=True)
        order = {h: i for i, h in enumerate(flt.types)}
        rank = rows["impact_level"].where(rows["impact_level"] > 0, 99)  # affected levels first, "none" last
        rows = rows.assign(_t=rows["hazard_type"].map(order), _l=rank, _p=rows["area"].eq("province"))
        return rows.sort_values(["_t", "_p", "area", "_l"]).drop(columns=["_t", "_l", "_p"]).reset_index(drop=True)

    def counts(self, by: str = COMMUNE) -> pd.Series:
        """Households shown per commune (or per ``by``): counts only, no row."""
        return self.shown.groupby(by, dropna=False).size().rename("households")  # adds up to the rows

    def table_for(self, user: User | None) -> pd.DataFrame:
        """What ``user`` may see and take away of the view, the same on the page and in every export.

        Officers and administrators (and demo mode, ``user`` None): the household
        rows, public fields only, with their geometry; planners: households per
        commune; viewers: the province totals.

        >>> from geo.dataset import load
        >>> view = risk_view(load(), RiskFilter(min_level=5))
        >>> list(view.table_for(User("kh", "planner")).columns), len(view.table_for(User("xem", "viewer")))
        (['ma_xa', 'households'], 1)
        """
        if user is None or can(user, "see_households"):
            return self.shown[[c for c in PUBLIC_COLUMNS if c in self.shown] + ["geometry"]]
        if can(user, "see_household_counts"):
            return self.counts().rename_axis("ma_xa").reset_index()
        return pd.DataFrame([{"in_zones": len(self.shown),
                              **{k: int(self.totals[k]) for k in ("at_risk", "done", "needed")}}])


def _register(ds: Dataset, buffer_m: float, unbuffered: gpd.GeoDataFrame | None = None) -> gpd.GeoDataFrame:
    if buffer_m > 0:  # only the levels change with the buffer: the located communes and lon/lat are kept
        return with_flags(_register(ds, 0.0) if unbuffered is None else unbuffered, ds.hazard_zones, buffer_m)
    return with_lonlat(flag_register(ds.households, ds.hazard_zones, ds.communes(2020)))


@lru_cache(maxsize=8)
def _shared_register(path, revision: str, buffer_m: float) -> gpd.GeoDataFrame:
    unbuffered = _shared_register(path, revision, 0.0) if buffer_m > 0 else None
    return _register(load(path), buffer_m, unbuffered)


def flagged_register(ds: Dataset, buffer_m: float = 0.0) -> gpd.GeoDataFrame:
    """Every household of ``ds`` with its hazard levels, located commune and WGS 84 ``lon``/``lat``.

    Computed once per dataset version and buffer and shared by every caller in
    the process (never modify it); a dataset built in memory (no revision) is
    flagged on each call.
    """
    if ds.revision:
        return _shared_register(ds.path, ds.revision, float(buffer_m))
    return _register(ds, float(buffer_m))


def risk_view(ds: Dataset, flt: RiskFilter = RiskFilter(), user: User | None = None,
              flagged: gpd.GeoDataFrame | None = None) -> RiskView:
    """Everything the officers see, computed once for every surface (page, CLI, print, export).

    A household counts in the commune its point lies in (the commune its record
    names when the dataset has no boundaries yet); ``user`` limits every row and
    count to their communes. ``flagged`` reuses the households of another view of
    the same dataset and buffer (an atlas narrows one view to each commune).
    """
    if flagged is None:
        flagged = flagged_register(ds, flt.buffer_m)
    flagged = within_scope(user, flagged)
    in_scope = filter_register(flagged, flt.types, flt.min_level, flt.communes)
    shown = filter_register(flagged, flt.types, flt.min_level, flt.communes, flt.ethnicities, flt.statuses,
                            flt.at_risk_only)
    levels = in_scope[["level"]].rename(columns={"level": "max_level"})
    unit = in_scope[COMMUNE]
    if flt.units == "2025":
        from geo.units import to_2025

        unit = to_2025(unit).set_axis(in_scope.index)
    table = resettlement.progress(in_scope, levels, flt.year, flt.min_level, by=unit.rename("ma_xa"))
    path = resettlement.path_by_year(in_scope, levels, flt.min_level)
    # A site in any zone at the level asked is an error, whatever types are chosen: a filter never hides it.
    no_site = pd.DataFrame(columns=["site_id", "name_vi", "ma_xa", "hazard_type", "level"])
    unsafe = (resettlement.check_sites(ds.sites, ds.hazard_zones, min_level=flt.min_level)
              if len(ds.sites) and len(ds.zones) else no_site)
    return RiskView(flt, flagged, in_scope, shown, table, path, within_scope(user, unsafe))


def selected_level(flagged: pd.DataFrame, types: Collection[str] = HAZARD_TYPES) -> pd.Series:
    """Highest level over the chosen hazard types (0 = in none of them)."""
    unknown = set(types) - set(HAZARD_TYPES)
    if unknown:
        raise ValueError(f"unknown hazard type(s) {sorted(unknown)}; use {', '.join(HAZARD_TYPES)}")
    if not types:
        return pd.Series(0, index=flagged.index, dtype="int8")
    return flagged[[f"level_{t}" for t in types]].max(axis=1).astype("int8")


def filter_register(
    flagged: pd.DataFrame,
    types: Collection[str] = HAZARD_TYPES,
    min_level: int = 4,
    communes: Collection[str] | None = None,
    ethnicities: Collection[str] | None = None,
    statuses: Collection[str] | None = None,
    at_risk_only: bool = False,
) -> pd.DataFrame:
    """Households in zones of the chosen types at or above ``min_level``, filtered.

    Parameters
    ----------
    flagged : DataFrame
        The output of :func:`geo.hazards.flag_register` (with ``ma_xa_located``
        when commune polygons were given).
    types : collection of str
        Hazard types that count.
    min_level : int
        Lowest level that counts (1-5).
    communes, ethnicities, statuses : collection of str, optional
        Keep only these communes (by located commune when known, else the
        register's), ethnic groups, resettlement statuses; ``None`` keeps all.
    at_risk_only : bool
        Keep only the programme's at-risk households: ethnic-minority and
        living scattered.

    Returns
    -------
    DataFrame
        The matching rows of ``flagged`` with a ``level`` column (highest level
        over ``types``) and ``at_risk``.
    """
    if not 1 <= min_level <= 5:
        raise ValueError(f"min_level must be 1-5, got {min_level}")
    level = selected_level(flagged, types)
    keep = (level >= min_level) & _chosen(flagged, communes, ethnicities, statuses)
    at_risk = resettlement.at_risk(flagged, pd.DataFrame({"max_level": level}), min_level)
    if at_risk_only:
        keep &= at_risk
    out = flagged.loc[keep].copy()
    out["level"] = level[keep]
    out["at_risk"] = at_risk[keep]
    return out


def _chosen(flagged: pd.DataFrame, communes: Collection[str] | None, ethnicities: Collection[str] | None,
            statuses: Collection[str] | None) -> pd.Series:
    """The rows in these communes (located when known), ethnic groups and statuses (None: any)."""
    keep = pd.Series(True, index=flagged.index)
    commune = flagged["ma_xa_located"] if "ma_xa_located" in flagged else flagged["ma_xa"]
    for column, values in ((commune, communes), (flagged["ethnicity"], ethnicities),
                           (flagged["resettlement_status"], statuses)):
        if values is not None:
            keep &= column.isin(list(values))
    return keep


def nearest_household(frame: gpd.GeoDataFrame, lon: float, lat: float, max_m: float = 50.0) -> pd.Series | None:
    """The household of ``frame`` nearest to a clicked point (WGS 84), if within ``max_m``."""
    if frame.empty:
        return None
    click = gpd.GeoSeries([shapely.Point(lon, lat)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    points = frame.geometry.to_crs(METRIC_CRS).values
    distance = shapely.distance(points, click)
    best = int(distance.argmin())
    return frame.iloc[best] if distance[best] <= max_m else None
