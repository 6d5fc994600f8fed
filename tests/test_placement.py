"""The resettlement plan proposal (geo.placement), checked against direct computations.

The allocation is replayed by brute force (every household against every site,
in priority order, capacities counted down by hand), on a small case worked out
by hand and on the demo province; the per-commune figures against the risk
view's and a direct count; the command line's files against the function's
table; the page's section and its one-by-one confirmation.
"""

from __future__ import annotations

import math
import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import box

from geo import resettlement
from geo.cli import main
from geo.dataset import load
from geo.i18n import Refusal
from geo.placement import PlacementRule, parse_priority, propose
from geo.risk import RiskFilter, RiskView, risk_view

CRS = "EPSG:9210"


# ---------------------------------------------------------------------- a case worked out by hand
def _view(homes: gpd.GeoDataFrame, year: int = 2025) -> RiskView:
    """A risk view over hand-made households, built as :func:`geo.risk.risk_view` builds its parts."""
    flt = RiskFilter(min_level=4, year=year)
    levels = homes[["level"]].rename(columns={"level": "max_level"})
    progress = resettlement.progress(homes, levels, year, 4, by=homes["ma_xa_located"].rename("ma_xa"))
    path = resettlement.path_by_year(homes, levels, 4)
    return RiskView(flt, homes, homes, homes, progress, path, pd.DataFrame())


def _hand_case():
    rows = [  # id, commune, x, y, level, poor, members, status, site
        ("H1", "A", 10, 0, 5, False, 3, "not_planned", None),
        ("H2", "A", 20, 0, 4, True, 5, "not_planned", None),
        ("H3", "A", 100, 90, 5, False, 2, "not_planned", None),
        ("H4", "B", 20_000, 0, 4, False, 4, "not_planned", None),
        ("H5", "B", 30_000, 35_000, 5, False, 4, "not_planned", None),
        ("H6", "C", -39_000, 0, 5, False, 1, "not_planned", None),
        ("H7", "C", -39_500, 0, 4, True, 9, None, None),
        ("P1", "A", 30, 0, 4, False, 2, "planned", "S2"),
        ("D1", "A", 40, 0, 4, False, 2, "resettled", "S2"),
    ]
    frame = pd.DataFrame(rows, columns=["household_id", "ma_xa_located", "x", "y", "level", "poor", "members",
                                        "resettlement_status", "site_id"])
    homes = gpd.GeoDataFrame(frame.drop(columns=["x", "y"]), geometry=shapely.points(frame[["x", "y"]].to_numpy()),
                             crs=CRS)
    homes["ma_xa"] = homes["ma_xa_located"]
    homes["village_id"] = homes["ma_xa"] + "-01"
    homes["dtts"] = homes["scattered"] = homes["at_risk"] = True
    homes["resettlement_date"] = pd.to_datetime(["2024-01-01" if s == "resettled" else None
                                                 for s in homes["resettlement_status"]])
    sites = gpd.GeoDataFrame({
        "site_id": ["S1", "S2", "S3", "S4", "S5", "S6"],
        "name_vi": ["Một", "Hai", "Ba", "Bốn", "Năm", "Sáu"],
        "capacity": [1, 4, 10, 10, 10, 1],
    }, geometry=shapely.points([(0, 0), (3000, 0), (100, 100), (50_000, 0), (30_000, 30_000), (-40_000, 0)]),
        crs=CRS)
    zones = gpd.GeoDataFrame({"hazard_type": ["landslide", "flash_flood"], "level": [5, 4]},
                             geometry=[box(50, 50, 150, 150), box(29_000, 29_000, 31_000, 31_000)], crs=CRS)
    return homes, sites, zones


def _plain(column: pd.Series) -> dict:
    return {k: None if pd.isna(v) else v for k, v in column.items()}


def test_hand_case_places_and_explains_as_worked_out():
    homes, sites, zones = _hand_case()
    plan = propose(_view(homes), sites, zones, homes, PlacementRule(max_m=10_000))
    table = plan.households.set_index("household_id")
    # Priority: level 5 (H1 3 members, H5 4, H3 2, H6 1 -> by size: H5, H1, H3, H6), then level 4 (H2 and H7
    # poor: H7 9 members, H2 5; then H4).
    assert table.index.tolist() == ["H5", "H1", "H3", "H6", "H7", "H2", "H4"]
    # S2 holds 4, two taken (P1 planned, D1 resettled): room 2. S3 and S5 lie in zones: unsafe.
    assert _plain(table["site_id"]) == {"H5": None, "H1": "S1", "H3": "S2", "H6": "S6", "H7": None, "H2": "S2",
                                          "H4": None}
    assert _plain(table["reason"]) == {"H5": "only_unsafe_sites", "H1": None, "H3": None, "H6": None,
                                         "H7": "sites_full", "H2": None, "H4": "no_site_in_reach"}
    assert table.loc["H1", "distance_m"] == 10 and table.loc["H2", "distance_m"] == 2980
    assert table.loc["H3", "distance_m"] == round(math.hypot(2900, 90))
    assert table.loc["H5", "nearest_safe_site"] == "S4" and table.loc["H7", "nearest_safe_site"] == "S6"
    sites_out = plan.sites.set_index("site_id")
    assert sites_out["used"].to_dict() == {"S1": 0, "S2": 2, "S3": 0, "S4": 0, "S5": 0, "S6": 0}
    assert sites_out["remaining"].to_dict() == {"S1": 0, "S2": 0, "S3": 10, "S4": 10, "S5": 10, "S6": 0}
    assert sites_out["safe"].to_dict() == {"S1": True, "S2": True, "S3": False, "S4": True, "S5": False, "S6": True}
    # Commune A: 5 at risk, 1 done -> 60% line ceil(3) = 3, needed 2; P1 under way -> 1 more is enough: H1
    # (first proposed in A) fills it, H3 and H2 are beyond it. B: 2 at risk, line 2, none placed: short 2.
    communes = plan.communes
    assert communes.loc["A", ["needed", "under_way", "candidates", "proposed", "towards_target", "short"]].tolist() \
        == [2, 1, 3, 3, 1, 0]
    assert communes.loc["B", ["needed", "proposed", "short", "unplaced"]].tolist() == [2, 0, 2, 2]
    assert communes.loc["C", ["needed", "proposed", "towards_target", "short"]].tolist() == [2, 1, 1, 1]
    assert table["within_target"].to_dict() == {"H5": False, "H1": True, "H3": False, "H6": True, "H7": False,
                                                "H2": False, "H4": False}


def test_hand_case_other_rules():
    homes, sites, zones = _hand_case()
    view = _view(homes)
    near = propose(view, sites, zones, homes, PlacementRule(max_m=2000)).households.set_index("household_id")
    assert near.loc["H2", "reason"] == "sites_full"  # S2 is 2,980 m away: out of reach; S1 went to H1
    assert near.loc["H6", "site_id"] == "S6"  # 1 km
    by_size = propose(view, sites, zones, homes, PlacementRule(priority="size")).households
    assert by_size["household_id"].tolist() == ["H7", "H2", "H4", "H5", "H1", "H3", "H6"]  # members 9,5,4,4,3,2,1
    assert by_size.set_index("household_id").loc["H7", "site_id"] == "S6"  # now first, H7 takes S6
    # Only level-5 zones make a site unsafe: S5 (level 4) becomes usable for H5.
    lenient = propose(view, sites, zones, homes, PlacementRule(unsafe_level=5)).households.set_index("household_id")
    assert lenient.loc["H5", "site_id"] == "S5"
    with pytest.raises(Refusal):
        parse_priority("level,level")
    with pytest.raises(Refusal):
        PlacementRule(max_m=-1)


# ---------------------------------------------------------------------- the demo, by brute force
@pytest.fixture(scope="module")
def demo():
    return load()


def _site_unsafe(sites: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, level: int) -> set[str]:
    """Sites inside a zone at or above ``level``, by a plain shapely test of every pair."""
    high = zones.loc[zones["level"] >= level].geometry.to_numpy()
    return {s for s, g in zip(sites["site_id"], sites.geometry) if any(shapely.intersects(g, z) for z in high)}


def _check_plan(plan, view, sites, zones, households, rule):
    """Every rule of the proposal, replayed directly: candidates, order, safety, reach, capacity, nearest, reasons."""
    year = view.filter.year
    scope = view.in_scope
    date = pd.to_datetime(scope["resettlement_date"]).dt.year if "resettlement_date" in scope else None
    done = scope["resettlement_status"].isin(["resettled", "stabilised"])
    if date is not None:
        done &= date.isna() | (date <= year)
    status = scope["resettlement_status"]
    wanted = scope.loc[scope["at_risk"].astype(bool) & ~done & (status.isna() | (status == "not_planned"))]
    table = plan.households
    assert sorted(table["household_id"]) == sorted(wanted["household_id"])  # every candidate, once
    # priority order: each row's key is at most the next one's (level, poor, size: larger first; then the id)
    values = {"level": lambda r: -r["level"], "poor": lambda r: -int(bool(r["poor"])),
              "size": lambda r: -(r["members"] if pd.notna(r["members"]) else -1)}
    keys = [tuple(values[k](r) for k in rule.priority) + (str(r["household_id"]),) for _, r in table.iterrows()]
    assert all(a <= b for a, b in zip(keys, keys[1:]))
    # sites: safety by shapely, room from the register by hand
    unsafe = _site_unsafe(sites, zones, rule.unsafe_level or view.filter.min_level)
    taken = households.loc[households["site_id"].notna()
                           & households["resettlement_status"].isin(["planned", "moving", "resettled"])]
    room = {s: max(int(c) - int((taken["site_id"] == s).sum()), 0) if pd.notna(c) else 0
            for s, c in zip(sites["site_id"], sites["capacity"])}
    order = list(sites["site_id"])
    xy = {s: (g.x, g.y) for s, g in zip(sites["site_id"], sites.geometry)}
    points = {h: (g.x, g.y) for h, g in zip(wanted["household_id"], wanted.geometry)}
    for _, row in table.iterrows():  # replay in priority order
        hx, hy = points[row["household_id"]]
        dist = {s: math.hypot(hx - x, hy - y) for s, (x, y) in xy.items()}
        reach = [s for s in order if dist[s] <= rule.max_m]
        safe = [s for s in reach if s not in unsafe]
        free = [s for s in safe if room[s] > 0]
        if free:
            best = min(free, key=lambda s: (dist[s], order.index(s)))
            assert row["site_id"] == best, row["household_id"]
            assert row["distance_m"] == round(dist[best]) and row["distance_m"] <= rule.max_m + 0.5
            assert best not in unsafe
            room[best] -= 1
        else:
            assert row["site_id"] is None or pd.isna(row["site_id"])
            expected = "no_site_in_reach" if not reach else "only_unsafe_sites" if not safe else "sites_full"
            assert row["reason"] == expected, row["household_id"]
    assert all(v >= 0 for v in room.values())  # no site over capacity
    placed = table.loc[table["site_id"].notna()]
    counts = placed["site_id"].value_counts()
    out = plan.sites.set_index("site_id")
    for site, capacity in zip(sites["site_id"], sites["capacity"]):
        used = int((taken["site_id"] == site).sum())
        assert out.loc[site, "used"] == used
        assert int(counts.get(site, 0)) <= max((0 if pd.isna(capacity) else capacity) - used, 0)
    return table


def test_demo_plan_follows_every_rule(demo):
    view = risk_view(demo, RiskFilter(min_level=4))
    rule = PlacementRule(max_m=10_000)
    plan = propose(view, demo.sites, demo.hazard_zones, demo.households, rule)
    table = _check_plan(plan, view, demo.sites, demo.zones, demo.households, rule)
    # a real test of the rules: the demo has placed households and every kind of unplaced one
    assert table["site_id"].notna().sum() > 100
    assert {"no_site_in_reach", "only_unsafe_sites", "sites_full"} <= set(table["reason"].dropna())
    # the unsafe sites are the risk page's (one answer)
    assert set(plan.sites.loc[~plan.sites["safe"], "site_id"]) == set(view.unsafe_sites["site_id"])


@pytest.mark.parametrize("rule", [PlacementRule(("poor", "size"), 5_000), PlacementRule(("size",), 25_000, 1)])
def test_demo_plan_under_other_rules(demo, rule):
    view = risk_view(demo, RiskFilter(min_level=4, year=2023))
    plan = propose(view, demo.sites, demo.hazard_zones, demo.households, rule)
    _check_plan(plan, view, demo.sites, demo.zones, demo.households, rule)


@pytest.mark.parametrize("units", ["2020", "2025"])
def test_needed_per_commune_is_the_risk_pages_number(demo, units):
    view = risk_view(demo, RiskFilter(min_level=4, units=units))
    plan = propose(view, demo.sites, demo.hazard_zones, demo.households)
    communes = plan.communes
    progress = view.progress.drop(index="province")
    assert communes.index.tolist() == progress.index.tolist()
    assert communes["needed"].tolist() == progress["needed"].tolist()
    # and directly: 60% of the at-risk households, rounded up, less those done
    if units == "2020":
        scope = view.in_scope.loc[view.in_scope["at_risk"]]
        done = scope["resettlement_status"].isin(["resettled", "stabilised"])
        by = scope.assign(done=done).groupby("ma_xa_located").agg(at_risk=("done", "size"), done=("done", "sum"))
        direct = (np.ceil(0.6 * by["at_risk"] - 1e-9) - by["done"]).clip(lower=0).astype(int)
        assert communes.loc[by.index, "needed"].tolist() == direct.tolist()
        # under way, proposed and short, counted from the households
        under = scope.loc[~done & scope["resettlement_status"].isin(["planned", "moving"])].groupby(
            "ma_xa_located").size().reindex(by.index, fill_value=0)
        proposed = plan.proposal.groupby("ma_xa_located").size().reindex(by.index, fill_value=0)
        short = (direct - under - proposed).clip(lower=0)
        assert communes.loc[by.index, "short"].tolist() == short.tolist()
        within = plan.proposal.loc[plan.proposal["within_target"]].groupby("ma_xa_located").size()
        assert within.reindex(by.index, fill_value=0).tolist() == communes.loc[by.index, "towards_target"].tolist()
    assert plan.communes["candidates"].sum() == len(plan.households)


# ---------------------------------------------------------------------- the command line
def test_cli_files_hold_the_functions_tables(demo, tmp_path, capsys):
    out, communes = tmp_path / "plan.csv", tmp_path / "communes.xlsx"
    assert main(["plan", "--max-km", "8", "--priority", "poor,level", "--out", str(out),
                 "--communes-out", str(communes), "--lang", "en"]) == 0
    printed = capsys.readouterr().out
    view = risk_view(demo, RiskFilter(min_level=4))
    plan = propose(view, demo.sites, demo.hazard_zones, demo.households, PlacementRule(("poor", "level"), 8000))
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    table = plan.table()
    assert written["Household id"].tolist() == table["household_id"].tolist()
    assert written["Site id"].tolist() == table["site_id"].fillna("").tolist()
    distance = pd.to_numeric(written["Straight-line distance (m)"], errors="coerce")
    assert np.allclose(distance.fillna(-1), table["distance_m"].fillna(-1))
    assert written["Why not placed"].replace("–", None).dropna().nunique() >= 2
    assert f"{len(plan.proposal)} proposed" in printed and "straight line" in printed
    sheet = pd.read_excel(communes, sheet_name=0, dtype={"Commune code": str}, engine="openpyxl")
    assert sheet["Still short of 60%"].tolist() == plan.communes["short"].tolist()
    assert sheet["Still needed for 60%"].tolist() == plan.communes["needed"].tolist()


def test_cli_writes_site_pages_and_refuses_a_bad_rule(tmp_path, capsys):
    pdf = tmp_path / "plan.pdf"
    assert main(["plan", "--max-km", "10", "--pdf", str(pdf)]) == 0
    assert pdf.read_bytes()[:5] == b"%PDF-"
    capsys.readouterr()
    assert main(["plan", "--priority", "level,age"]) == 2
    assert "thứ tự ưu tiên không hợp lệ" in capsys.readouterr().err


# ---------------------------------------------------------------------- confirming, one household at a time
def _changed(before: pd.DataFrame, after: pd.DataFrame) -> pd.Series:
    """Rows where any column differs (a missing value equals a missing value), geometry included."""
    assert before["household_id"].tolist() == after["household_id"].tolist()
    differs = pd.Series(False, index=after.index)
    for column in before.columns:
        a, b = before[column], after[column]
        same = (a.to_numpy() == b.to_numpy()) if column != "geometry" else a.geom_equals(b).to_numpy()
        differs |= ~(same | (a.isna().to_numpy() & b.isna().to_numpy()))
    return differs


@pytest.fixture
def workspace(tmp_path):
    from geo.demo import DEMO_PATH

    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    return path


def test_confirming_one_household_writes_its_status_site_and_one_audit_row(workspace):
    from geo.workspace import Workspace

    ds = load(workspace)
    plan = propose(risk_view(ds, RiskFilter()), ds.sites, ds.hazard_zones, ds.households)
    first = plan.proposal.iloc[0]
    ws = Workspace.open(workspace)
    before = ws.read_layer("households")
    ws.set_resettlement_status(first["household_id"], "planned", "cán bộ", expected_status="not_planned",
                               site_id=first["site_id"], note="plan")
    after = ws.read_layer("households")
    changed = _changed(before, after)
    assert after.loc[changed, "household_id"].tolist() == [first["household_id"]]
    row = after.loc[changed].iloc[0]
    assert row["resettlement_status"] == "planned" and row["site_id"] == first["site_id"]
    audit = ws.audit()
    assert len(audit) == 1
    assert audit.iloc[0][["household_id", "new_status", "site_id", "note", "outcome"]].tolist() == [
        first["household_id"], "planned", first["site_id"], "plan", "applied"]
    # the next proposal counts the place taken and proposes the household no more
    again = load(workspace)
    plan2 = propose(risk_view(again, RiskFilter()), again.sites, again.hazard_zones, again.households)
    assert first["household_id"] not in set(plan2.households["household_id"])
    used = plan.sites.set_index("site_id")["used"]
    assert plan2.sites.set_index("site_id").loc[first["site_id"], "used"] == used[first["site_id"]] + 1


# ---------------------------------------------------------------------- the page
def _frame(at, column: str) -> pd.DataFrame:
    """The one table on the page with this header."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def _risk_page(at):
    at.sidebar.radio(key="view").set_value("risk").run()
    assert not at.exception, at.exception
    at.toggle(key="show-plan").set_value(True).run()
    assert not at.exception, at.exception
    return at


def test_page_shows_the_plan_of_the_risk_view(demo):
    from apptest import APP
    from streamlit.testing.v1 import AppTest

    at = _risk_page(AppTest.from_file(APP, default_timeout=300).run())
    headers = [s.value for s in at.subheader]
    assert {"Theo xã: cần để đạt 60%, đề xuất, còn thiếu", "Danh sách đề xuất (theo thứ tự ưu tiên)",
            "Hộ chưa bố trí được và lý do"} <= set(headers)
    plan = propose(risk_view(demo, RiskFilter()), demo.sites, demo.hazard_zones, demo.households)
    proposal = _frame(at, "Khoảng cách đường chim bay (m)")
    assert proposal["Mã hộ"].tolist() == plan.proposal["household_id"].head(200).tolist()
    shown = _frame(at, "Còn thiếu so với 60%").set_index("Mã xã")["Còn cần để đạt 60%"]
    assert (shown == plan.communes.loc[shown.index, "needed"]).all()
    assert any("đường chim bay" in m.value for m in at.markdown)  # the rule in words says straight line
    assert "plan-household" not in [b.key for b in at.selectbox]  # the shipped demo is read-only
    at.number_input(key="plan-km").set_value(3.0).run()  # a shorter reach: fewer proposed
    fewer = propose(risk_view(demo, RiskFilter()), demo.sites, demo.hazard_zones, demo.households,
                    PlacementRule(max_m=3000))
    proposal = _frame(at, "Khoảng cách đường chim bay (m)")
    assert proposal["Mã hộ"].tolist() == fewer.proposal["household_id"].head(200).tolist()
    assert len(fewer.proposal) < len(plan.proposal)


def test_page_confirms_one_household_and_nothing_else(workspace, monkeypatch):
    from geo.workspace import Workspace

    from apptest import PASSWORD, login

    from geo.access import Accounts

    Accounts(Workspace.open(workspace)).create_first_admin("admin", PASSWORD)
    monkeypatch.setenv("GEO_WORKSPACE", str(workspace))
    before = Workspace.open(workspace).read_layer("households")
    at = _risk_page(login("admin", timeout=300))
    household = at.selectbox(key="plan-household").value
    next(b for b in at.button if "Xác nhận hộ này" in b.label).click().run()
    assert not at.exception, at.exception
    assert any("Đã xác nhận hộ" in s.value for s in at.success)
    ws = Workspace.open(workspace)
    audit = ws.audit()
    assert audit["household_id"].tolist() == [household] and audit["changed_by"].tolist() == ["admin"]
    after = ws.read_layer("households")
    changed = _changed(before, after)
    assert after.loc[changed, "household_id"].tolist() == [household]
    assert after.loc[changed, "resettlement_status"].tolist() == ["planned"]
    assert audit["site_id"].iloc[0] == after.loc[changed, "site_id"].iloc[0] and audit["note"].iloc[0]


def test_confirming_in_postgis_sets_the_site_and_audits_it(pg_url, demo):
    from pathlib import Path

    from geo.workspace import Workspace

    workspace = Workspace.open(pg_url)
    homes = demo.households.iloc[:30].reset_index(drop=True)
    workspace.write_layer("households", homes, "households", Path("h.gpkg"), "0" * 64, len(homes), 0, "test")
    household = homes["household_id"].iloc[3]
    workspace.set_resettlement_status(household, "planned", "cán bộ", expected_status=homes["resettlement_status"].iloc[3],
                                      site_id="S9", note="đề xuất")
    after = workspace.read_layer("households")
    changed = _changed(homes.drop(columns="geometry"), after.drop(columns="geometry"))
    assert after.loc[changed, "household_id"].tolist() == [household]
    assert after.loc[changed, ["resettlement_status", "site_id"]].values.tolist() == [["planned", "S9"]]
    audit = workspace.audit()
    assert audit[["household_id", "site_id", "note", "outcome"]].values.tolist() == [[household, "S9", "đề xuất",
                                                                                      "applied"]]
