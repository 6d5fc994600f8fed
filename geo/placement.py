"""A resettlement plan proposal: who moves first, and to which safe site.

:func:`propose` takes the officers' view (:func:`geo.risk.risk_view`: its
at-risk households, its progress to 60% and its year) and the resettlement
sites, and proposes, without writing anything:

* **Who.** Every at-risk household of the view (ethnic-minority, scattered, in
  a zone at or above the minimum level, in the chosen communes) that is not
  done by the end of the view's year and has no plan yet (status "not
  planned"). Households already planned or moving, or done after the year, are
  *under way*: they keep their plan, are never proposed again, and count
  towards their commune's 60% line.
* **In which order.** The priority rule (:class:`PlacementRule`): by default
  the highest hazard level first, then poor households, then the largest
  households; ties by household id, so the same data gives the same plan. The
  keys and their order are adjustable (:data:`PRIORITY_KEYS`).
* **Where.** Greedy in that order: each household goes to the nearest *safe*
  site that still has room, within ``max_m`` metres. Distance is the straight
  line between the household's dwelling and the site in VN-2000 / TM-3
  (EPSG:9210): road distance needs a road network the tool does not have
  offline, and a road is always longer. A site is unsafe when it lies in a
  hazard zone at or above the view's minimum level (the same sites the risk
  page lists as errors; :func:`geo.resettlement.check_sites`), or at or above
  ``unsafe_level`` when given. A site's room is its capacity minus the
  households already planned, moving or resettled there (any commune, any
  officer's scope), minus those proposed before in the plan; a site without a
  capacity has no room.
* **What remains.** Households that could not be placed, each with one reason
  (:data:`REASONS`): ``no_location`` (no point), ``no_site_in_reach`` (no site
  at all within the distance), ``only_unsafe_sites`` (only unsafe sites
  within it) or ``sites_full`` (safe sites within it, all full), with the
  nearest safe site at any distance.
* **Per commune** (the view's units: 2020 communes or 2025 units): at risk,
  done, the 60% line and ``needed`` *taken from the view's progress* (the
  number the risk page shows), under way, candidates, proposed,
  ``towards_target`` (proposed households that fill the commune's line once
  those under way are counted: ``min(proposed, max(needed - under_way, 0))``)
  and ``short`` (households still missing from the line after the proposal).
  All remaining households are proposed, not only those the line needs: an
  officer sees the whole queue, and the households' ``within_target`` flag marks, in each
  commune, the first proposed households in priority order that fill the line.
* **Per site**: capacity, already used, proposed, remaining, safe or not.

The plan is a proposal: :func:`propose` never writes. An officer confirms
households one by one on the risk page (status "planned" and the site, written
with an audit row by :meth:`geo.workspace.Workspace.set_resettlement_status`).

Examples
--------
>>> import geopandas as gpd, pandas as pd, shapely
>>> homes = pd.DataFrame({"household_id": ["H1", "H2", "H3"], "level": [4, 5, 4],
...                       "poor": [False, False, True], "members": [3, 2, 6]})
>>> homes.iloc[priority_order(homes, ("level", "poor", "size"))]["household_id"].tolist()
['H2', 'H3', 'H1']
>>> PlacementRule(max_m=5000).describe("en")
'Priority: highest hazard level first, then poor households, then larger households (ties by household id); each \
household to the nearest safe site with room within 5 km, in a straight line (EPSG:9210; road distance is not \
available offline)'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import to_metric
from geo.i18n import Refusal, fmt_number, t
from geo.resettlement import DONE, check_sites
from geo.risk import COMMUNE, RiskView

__all__ = ["PRIORITY_KEYS", "REASONS", "OCCUPYING", "DEFAULT_MAX_M", "PlacementRule", "Placement", "propose",
           "priority_order", "site_occupancy", "parse_priority"]

#: The keys a priority rule may order by: highest hazard level, poor first, larger household first.
PRIORITY_KEYS = ("level", "poor", "size")
#: Why a household stays unplaced, in the order they are tested.
REASONS = ("no_location", "no_site_in_reach", "only_unsafe_sites", "sites_full")
#: Statuses of a household that take a place at its ``site_id``.
OCCUPYING = ("planned", "moving", "resettled")
#: The default reach, in metres (straight line).
DEFAULT_MAX_M = 10_000.0


def parse_priority(text: str | Sequence[str]) -> tuple[str, ...]:
    """A priority rule from ``"level,poor,size"`` (or a list): known keys, each once, at least one.

    >>> parse_priority("poor, level"), parse_priority(["size"])
    (('poor', 'level'), ('size',))
    >>> parse_priority("level,age")
    Traceback (most recent call last):
    ...
    geo.i18n.Refusal: thứ tự ưu tiên không hợp lệ: 'level,age' (dùng level, poor, size, mỗi khóa một lần)
    """
    keys = [k.strip() for k in text.split(",")] if isinstance(text, str) else [str(k).strip() for k in text]
    keys = [k for k in keys if k]
    if not keys or set(keys) - set(PRIORITY_KEYS) or len(set(keys)) != len(keys):
        shown = text if isinstance(text, str) else ",".join(map(str, text))
        raise Refusal("plan_err_priority", value=repr(shown), keys=", ".join(PRIORITY_KEYS))
    return tuple(keys)


@dataclass(frozen=True)
class PlacementRule:
    """How a plan is proposed: priority keys in order, reach in metres, and which sites count unsafe.

    ``unsafe_level`` None: a site in a zone at or above the view's minimum level is unsafe (as the risk page says).

    >>> PlacementRule(priority="size,level").priority
    ('size', 'level')
    >>> PlacementRule(max_m=0)
    Traceback (most recent call last):
    ...
    geo.i18n.Refusal: khoảng cách tối đa phải lớn hơn 0 m, không phải 0
    """

    priority: tuple[str, ...] = PRIORITY_KEYS
    max_m: float = DEFAULT_MAX_M
    unsafe_level: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "priority", parse_priority(self.priority))
        if not float(self.max_m) > 0:
            raise Refusal("plan_err_distance", value=fmt_number(self.max_m, 0))
        object.__setattr__(self, "max_m", float(self.max_m))
        if self.unsafe_level is not None:
            if not 1 <= int(self.unsafe_level) <= 5:
                raise Refusal("risk_err_level", value=self.unsafe_level)
            object.__setattr__(self, "unsafe_level", int(self.unsafe_level))

    def describe(self, lang: str = "vi") -> str:
        """The rule in one sentence, as the page, the command line and the print pages show it."""
        keys = [t(f"plan_key_{k}", lang) for k in self.priority]
        order = keys[0] + "".join(t("plan_then", lang, item=k) for k in keys[1:])
        km = self.max_m / 1000
        return t("plan_rule", lang, order=order, km=fmt_number(km, 0 if km.is_integer() else 1, lang))


def priority_order(households: pd.DataFrame, priority: Sequence[str] = PRIORITY_KEYS) -> np.ndarray:
    """Positions of ``households`` in priority order (``level``, ``poor``, ``members``, ``household_id``).

    ``level``: higher first; ``poor``: poor first; ``size``: more members first
    (unknown last); then the household id, so the order is total.

    >>> priority_order(pd.DataFrame({"household_id": ["b", "a"], "level": [4, 4], "poor": [True, True],
    ...                              "members": [None, 2]}), ["size"]).tolist()
    [1, 0]
    """
    columns = {
        "level": -households["level"].fillna(0).to_numpy(float),
        "poor": -households["poor"].fillna(False).astype(bool).to_numpy(int),
        "size": -pd.to_numeric(households["members"], errors="coerce").fillna(-1).to_numpy(float),
    }
    ids = households["household_id"].astype(str).to_numpy()
    # lexsort sorts by the last key first: the id breaks ties, the first priority key decides
    return np.lexsort([ids] + [columns[k] for k in reversed(parse_priority(priority))])


def site_occupancy(households: pd.DataFrame) -> pd.Series:
    """Households taking a place at each site: ``site_id`` set and status planned, moving or resettled.

    >>> site_occupancy(pd.DataFrame({"site_id": ["S1", "S1", "S2", None],
    ...                              "resettlement_status": ["planned", "stabilised", "resettled", "planned"]}))
    site_id
    S1    1
    S2    1
    Name: used, dtype: int64
    """
    if "site_id" not in households or "resettlement_status" not in households:
        return pd.Series(dtype="int64", name="used")
    taking = households["site_id"].notna() & households["resettlement_status"].isin(OCCUPYING)
    return households.loc[taking].groupby("site_id").size().rename("used").astype("int64")


@dataclass(frozen=True)
class Placement:
    """A proposed plan (see :func:`propose`); nothing of it is written anywhere.

    ``households``: every candidate in priority order (``rank`` from 1) with
    its site and distance, or its ``reason``; ``communes``: per unit of the
    view; ``sites``: per site. :attr:`proposal` and :attr:`unplaced` are its two parts.
    """

    rule: PlacementRule
    year: int
    min_level: int
    households: gpd.GeoDataFrame = field(repr=False)
    communes: pd.DataFrame = field(repr=False)
    sites: gpd.GeoDataFrame = field(repr=False)

    @property
    def proposal(self) -> gpd.GeoDataFrame:
        """The households proposed a site, in priority order."""
        return self.households.loc[self.households["site_id"].notna()].drop(
            columns=["reason", "nearest_safe_site", "nearest_safe_m"])

    @property
    def unplaced(self) -> gpd.GeoDataFrame:
        """The households left unplaced, with their reason and the nearest safe site at any distance."""
        return self.households.loc[self.households["site_id"].isna()].drop(
            columns=["site_id", "site_name", "distance_m", "within_target"])

    def table(self) -> gpd.GeoDataFrame:
        """The plan as one table for a file: every candidate in priority order, its site or its reason.

        ``target_unit`` only when it differs from the located commune (2025 units).
        """
        table = self.households
        if table["target_unit"].equals(table[COMMUNE]):
            table = table.drop(columns="target_unit")
        return table

    def filters(self, flt: dict[str, object], lang: str = "vi") -> dict[str, object]:
        """The view's filters (:meth:`geo.risk.RiskFilter.filters`) and the rule, as an export records them."""
        return {**flt, "plan_rule": self.rule.describe(lang),
                "plan_unsafe_level": self.rule.unsafe_level or self.min_level}

    @property
    def totals(self) -> pd.Series:
        """Candidates, proposed, within target, unplaced by reason, needed and short, for the whole view."""
        reasons = self.households["reason"].value_counts()
        sums = self.communes[["needed", "under_way", "candidates", "proposed", "towards_target", "short"]].sum()
        return pd.concat([sums, pd.Series({f"unplaced_{r}": int(reasons.get(r, 0)) for r in REASONS})]).astype("int64")


def _units(view: RiskView, frame: pd.DataFrame) -> pd.Series:
    """The unit each household counts in, as :attr:`RiskView.progress` counts it (2020 commune or 2025 unit)."""
    unit = frame[COMMUNE]
    if view.filter.units == "2025":
        from geo.units import to_2025

        unit = to_2025(unit).set_axis(frame.index)
    return unit.astype(object)


def _done_by(frame: pd.DataFrame, year: int) -> pd.Series:
    """Done (resettled or stabilised) by the end of ``year``, as :func:`geo.resettlement.progress` counts it."""
    done = frame["resettlement_status"].isin(DONE)
    if "resettlement_date" in frame:
        when = pd.to_datetime(frame["resettlement_date"]).dt.year
        done &= when.isna() | (when <= year)
    return done


def propose(view: RiskView, sites: gpd.GeoDataFrame, zones, households: pd.DataFrame | None = None,
            rule: PlacementRule = PlacementRule()) -> Placement:
    """Propose who moves first and to which safe site (see the module's description).

    Parameters
    ----------
    view : RiskView
        The officers' view: its ``in_scope`` households, ``progress`` and year.
    sites : GeoDataFrame
        Resettlement sites with ``site_id``, ``capacity`` (households), and
        optionally ``name_vi``, ``ma_xa``.
    zones : HazardZones or GeoDataFrame
        The hazard zones, for the site check (:func:`geo.resettlement.check_sites`); none: every site is safe.
    households : DataFrame, optional
        Every household of the register (``site_id``, ``resettlement_status``)
        for the places already taken at each site; default the view's, which
        an officer's scope may narrow: pass the whole register.
    rule : PlacementRule

    Returns
    -------
    Placement
    """
    year, min_level = view.filter.year, view.filter.min_level
    at_risk = view.in_scope.loc[view.in_scope["at_risk"].astype(bool)]
    at_risk = to_metric(at_risk, "households") if len(at_risk) else at_risk
    done = _done_by(at_risk, year)
    status = at_risk["resettlement_status"]
    candidate = ~done & (status.isna() | (status == "not_planned"))
    homes = at_risk.loc[candidate]
    homes = homes.iloc[priority_order(homes, rule.priority)]
    unit = _units(view, homes)

    # sites: metric, with room; unsafe as the view's check says (or at the rule's level)
    site_pts = to_metric(sites, "resettlement sites") if len(sites) else sites
    site_pts = site_pts.loc[site_pts["site_id"].notna()].reset_index(drop=True) if len(site_pts) else site_pts
    level = rule.unsafe_level if rule.unsafe_level is not None else min_level
    unsafe_ids = set(check_sites(site_pts, zones, min_level=level)["site_id"]) \
        if len(site_pts) and zones is not None and len(zones) else set()
    ids = site_pts["site_id"].astype(str).to_numpy() if len(site_pts) else np.array([], dtype=object)
    capacity = pd.to_numeric(site_pts["capacity"], errors="coerce").to_numpy(float) if len(site_pts) \
        else np.array([], float)
    used = site_occupancy(view.flagged if households is None else households).reindex(ids).fillna(0).to_numpy(int)
    room = np.maximum(np.nan_to_num(capacity, nan=0.0) - used, 0).astype(int)
    geoms = site_pts.geometry.to_numpy() if len(site_pts) else np.array([], dtype=object)
    located = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.array([], bool)
    safe = ~np.isin(ids, np.array(list(unsafe_ids), dtype=object)) & located

    points = homes.geometry.to_numpy() if len(homes) else np.array([], dtype=object)
    has_point = ~(shapely.is_missing(points) | shapely.is_empty(points)) if len(points) else np.array([], bool)
    n = len(homes)
    chosen = np.full(n, -1)
    distance = np.full(n, np.nan)
    in_reach = np.zeros(n, bool)
    safe_in_reach = np.zeros(n, bool)
    if n and located.any():
        tree = shapely.STRtree(np.where(located, geoms, None))
        home_idx, site_idx = tree.query(np.where(has_point, points, None), predicate="dwithin", distance=rule.max_m)
        gap = shapely.distance(points[home_idx], geoms[site_idx])
        in_reach[home_idx] = True
        safe_in_reach[home_idx[safe[site_idx]]] = True
        keep = safe[site_idx]
        home_idx, site_idx, gap = home_idx[keep], site_idx[keep], gap[keep]
        # each household's safe sites in reach, nearest first (ties: the site listed first)
        order = np.lexsort((site_idx, gap, home_idx))
        home_idx, site_idx, gap = home_idx[order], site_idx[order], gap[order]
        starts = np.searchsorted(home_idx, np.arange(n + 1))
        left = room.copy()
        for h in range(n):  # sequential by nature: each placement takes room from those after
            for k in range(starts[h], starts[h + 1]):
                if left[site_idx[k]] > 0:
                    left[site_idx[k]] -= 1
                    chosen[h], distance[h] = site_idx[k], gap[k]
                    break
    placed = chosen >= 0
    reason = np.select([placed, ~has_point, ~in_reach, ~safe_in_reach], [None, "no_location", "no_site_in_reach",
                                                                         "only_unsafe_sites"], "sites_full")
    # the nearest safe site at any distance, for the households left out
    nearest_id = np.full(n, None, dtype=object)
    nearest_m = np.full(n, np.nan)
    out = ~placed & has_point
    if out.any() and safe.any():
        safe_geoms = geoms[safe]
        _, best = shapely.STRtree(safe_geoms).query_nearest(points[out], return_distance=False, all_matches=False)
        nearest_id[out] = ids[safe][best]
        nearest_m[out] = np.round(shapely.distance(points[out], safe_geoms[best]))

    names = site_pts["name_vi"].astype(object).to_numpy() if "name_vi" in site_pts else ids
    table = gpd.GeoDataFrame({
        "rank": np.arange(1, n + 1),
        "household_id": homes["household_id"].to_numpy(),
        "target_unit": unit.to_numpy(),
        COMMUNE: homes[COMMUNE].to_numpy(),
        "village_id": homes["village_id"].to_numpy() if "village_id" in homes else None,
        "level": homes["level"].to_numpy(int),
        "poor": homes["poor"].fillna(False).astype(bool).to_numpy(),
        "members": pd.to_numeric(homes["members"], errors="coerce").to_numpy(),
        "site_id": np.where(placed, ids[np.maximum(chosen, 0)] if len(ids) else None, None),
        "site_name": np.where(placed, names[np.maximum(chosen, 0)] if len(ids) else None, None),
        "distance_m": np.round(distance),
        "within_target": False,
        "reason": reason,
        "nearest_safe_site": nearest_id,
        "nearest_safe_m": nearest_m,
    }, geometry=points, crs=homes.crs if len(homes) else view.in_scope.crs, index=pd.RangeIndex(n))

    # per unit: the view's own numbers, then what the plan adds
    progress = view.progress.drop(index="province")
    units = progress.index
    all_units = _units(view, at_risk)
    candidates = unit.value_counts().reindex(units, fill_value=0)
    under_way = (all_units.loc[~done & ~candidate]).value_counts().reindex(units, fill_value=0)
    proposed = table.loc[placed, "target_unit"].value_counts().reindex(units, fill_value=0)
    line = np.maximum(progress["needed"] - under_way, 0)
    # the first proposed households of each unit (priority order) that fill its line
    nth = table.loc[placed].groupby("target_unit", sort=False).cumcount()
    table.loc[nth.index, "within_target"] = (nth.to_numpy() < table.loc[nth.index, "target_unit"].map(line).fillna(0).to_numpy())
    communes = pd.DataFrame({
        "at_risk": progress["at_risk"], "done": progress["done"], "target_households": progress["target_households"],
        "needed": progress["needed"], "under_way": under_way, "candidates": candidates, "proposed": proposed,
        "towards_target": np.minimum(proposed, line), "short": np.maximum(line - proposed, 0),
        "unplaced": candidates - proposed,
    }).astype("int64")
    communes.index.name = "ma_xa"  # the unit code (a 2025 unit with units="2025")

    take = np.bincount(chosen[placed], minlength=len(ids)) if len(ids) else np.array([], int)
    site_table = gpd.GeoDataFrame({
        "site_id": ids, "name_vi": names,
        "ma_xa": site_pts["ma_xa"].to_numpy() if "ma_xa" in site_pts else None,
        "capacity": capacity, "used": used, "safe": safe, "proposed": take,
        "remaining": room - take,
    }, geometry=geoms, crs=site_pts.crs if len(site_pts) else None)
    return Placement(rule, year, min_level, table, communes, site_table)
