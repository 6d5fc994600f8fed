"""A new version of the hazard zones: which households changed level, checked directly and on every surface.

A workspace copied from the demo gets two imports of hazard zones (the second
raises some zones, lowers others and drops a few). The changed households and
the per-commune counts of :func:`geo.zoneversions.hazard_changes` are checked
against a point-in-polygon computation done here with shapely alone, then read
back from ``geo hazard-changes``'s file and from the risk page, for an
administrator and for an officer limited to one commune.
"""

from __future__ import annotations

import shutil

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from apptest import PASSWORD, login

from geo.access import Accounts, User
from geo.cli import main
from geo.dataset import load
from geo.demo import DEMO_PATH
from geo.workspace import Workspace
from geo.zoneversions import hazard_changes, zone_versions

OFFICER_COMMUNE = "01267"


def _versions(demo: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The demo's zones, then a new version: a third raised a level, a third lowered, one in ten dropped."""
    old = demo.copy()
    part = np.arange(len(old)) % 3
    new = old.assign(level=np.where(part == 0, np.minimum(old["level"] + 1, 5),
                                    np.where(part == 1, np.maximum(old["level"] - 1, 1), old["level"])))
    return old, new.loc[np.arange(len(new)) % 10 != 9]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zone-versions")
    path = folder / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    for number, zones in enumerate(_versions(load(path).zones), start=1):
        file = folder / f"vung_{number}.gpkg"
        zones.to_file(file)
        assert main(["import", "--kind", "hazards", str(file), "--workspace", str(path)]) == 0
    accounts = Accounts(Workspace.open(path))
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "canbo", PASSWORD, "officer", communes=[OFFICER_COMMUNE])
    return path


def _highest(points: np.ndarray, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Each point's highest level over the zones that cover it (0 outside every zone), one zone at a time."""
    highest = np.zeros(len(points), dtype=int)
    for shape, level in zip(zones.to_crs(9210).geometry.values, zones["level"].to_numpy()):
        highest = np.where(shapely.covers(shape, points), np.maximum(highest, level), highest)
    return highest


def _direct(path) -> pd.DataFrame:
    """Households with their commune by location, and highest level in each imported version (of any type,
    ``old``/``new``, and of each type, ``old_<type>``/``new_<type>``), computed here."""
    ds = load(path)
    old, new = _versions(load(DEMO_PATH).zones)
    homes = ds.households.to_crs(9210)
    points = homes.geometry.values
    communes = ds.communes(2020).to_crs(9210)
    located = np.full(len(homes), None, dtype=object)
    for code, shape in zip(communes["ma_xa"], communes.geometry.values):
        located[shapely.covers(shape, points) & pd.isna(located)] = code
    by_type = {f"{when}_{kind}": _highest(points, zones.loc[zones["hazard_type"] == kind])
               for when, zones in (("old", old), ("new", new)) for kind in sorted(set(old["hazard_type"]))}
    return pd.DataFrame({"household_id": homes["household_id"].to_numpy(), "located": located,
                         "old": _highest(points, old), "new": _highest(points, new), **by_type})


def test_changed_households_and_counts_against_a_direct_computation(workspace):
    assert zone_versions(load(workspace)) == [0, 1, 2]
    changes = hazard_changes(load(workspace))
    assert (changes.old, changes.new) == (1, 2)
    direct = _direct(workspace)
    kinds = [c.removeprefix("old_") for c in direct if c.startswith("old_")]
    differs = np.column_stack([direct[f"old_{k}"] != direct[f"new_{k}"] for k in kinds]).any(axis=1)
    changed = direct.loc[differs].set_index("household_id")  # a level of some type changed, the highest or not
    assert len(changed) > 100  # the second version moved many households: the test has something to check
    got = changes.households.set_index("household_id")
    assert sorted(got.index) == sorted(changed.index)
    assert (got.loc[changed.index, "old_max_level"].to_numpy() == changed["old"].to_numpy()).all()
    assert (got.loc[changed.index, "new_max_level"].to_numpy() == changed["new"].to_numpy()).all()
    table = changes.by_commune(4)
    for code, group in changed.groupby("located"):
        row = table.loc[code]
        assert row["households_changed"] == len(group)
        assert row["households_raised"] == (group["new"] > group["old"]).sum()
        assert row["households_lowered"] == (group["new"] < group["old"]).sum()
        assert row["households_entered"] == ((group["new"] >= 4) & (group["old"] < 4)).sum()
        assert row["households_left"] == ((group["old"] >= 4) & (group["new"] < 4)).sum()
    assert table.loc["province"].tolist() == table.drop(index="province").sum().tolist()
    assert len(changes.compared) == len(direct)
    mine = changes.scoped(_officer())
    assert len(mine.households) == (changed["located"] == OFFICER_COMMUNE).sum() > 0
    assert len(mine.compared) == (direct["located"] == OFFICER_COMMUNE).sum()


def _officer() -> User:
    return User("canbo", "officer", frozenset({OFFICER_COMMUNE}))


def _page_table(at, header: str) -> pd.DataFrame:
    frame = next(d.value for d in at.dataframe if header in getattr(d.value, "columns", []))
    return frame.data if hasattr(frame, "data") else frame


def _count(text) -> int:
    return int(str(text).replace(".", ""))


@pytest.mark.parametrize("user", ["admin", "canbo"])
def test_the_cli_file_and_the_page_hold_the_same_changes(workspace, user, tmp_path, capsys, monkeypatch):
    changes = hazard_changes(load(workspace))
    expected = changes if user == "admin" else changes.scoped(_officer())
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    out = tmp_path / "doi_muc.csv"
    capsys.readouterr()
    assert main(["hazard-changes", "--workspace", str(workspace), "--user", user, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    written = pd.read_csv(out, encoding="utf-8-sig", dtype={"Mã hộ": str})  # headers in words, as every export
    assert sorted(written["Mã hộ"]) == sorted(expected.households["household_id"])
    assert f"{len(expected.households):,}".replace(",", ".") + " trên " in printed
    monkeypatch.setenv("GEO_WORKSPACE", str(workspace))
    at = login(user, timeout=300)
    at.sidebar.radio(key="view").set_value("risk").run()
    at.toggle(key="show-zone-changes").set_value(True).run()
    assert not at.exception, at.exception
    communes = _page_table(at, "Số hộ đổi mức")
    by_commune = expected.by_commune(4)
    assert _count(communes["Số hộ đổi mức"].iloc[-1]) == by_commune.loc["province", "households_changed"]
    assert [_count(v) for v in communes["Tăng mức"]] == by_commune["households_raised"].tolist()
    shown = _page_table(at, "Mức nguy cơ cao nhất (phiên bản mới)")
    assert list(shown.columns[:5]) == ["Mã hộ", "Xã (theo tọa độ)", "Mã thôn", "Mức nguy cơ cao nhất (phiên bản cũ)",
                                       "Mức nguy cơ cao nhất (phiên bản mới)"]  # what changed comes first
    assert sorted(shown["Mã hộ"].astype(str)) == sorted(expected.households["household_id"].head(500))
    if user == "canbo":
        assert set(communes["Xã (theo tọa độ)"].iloc[:-1]) == {OFFICER_COMMUNE}
    assert communes["Xã (theo tọa độ)"].iloc[-1] == "Tổng (các địa bàn trên)"  # the total row in words, no code


def test_the_page_says_what_to_do_with_one_version(tmp_path, monkeypatch):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    Accounts(Workspace.open(path)).create_first_admin("admin", PASSWORD)
    monkeypatch.setenv("GEO_WORKSPACE", str(path))
    at = login("admin", timeout=300)
    at.sidebar.radio(key="view").set_value("risk").run()
    at.toggle(key="show-zone-changes").set_value(True).run()
    assert not at.exception, at.exception
    assert any("khi nhập một phiên bản mới" in info.value for info in at.info)


def test_the_cli_takes_the_page_buffer_and_refuses_a_format_before_any_work(workspace, tmp_path, capsys, monkeypatch):
    """--buffer-m gives the households the page gives with that buffer; a file it cannot write is refused first."""
    buffered = hazard_changes(load(workspace), buffer_m=200)
    assert set(buffered.households["household_id"]) != set(hazard_changes(load(workspace)).households["household_id"])
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    out = tmp_path / "doi_muc.xlsx"
    assert main(["hazard-changes", "--workspace", str(workspace), "--user", "admin", "--buffer-m", "200",
                 "--out", str(out)]) == 0
    written = pd.read_excel(out, sheet_name=0, dtype={"Mã hộ": str})
    assert sorted(written["Mã hộ"]) == sorted(buffered.households["household_id"])
    capsys.readouterr()
    assert main(["hazard-changes", "--workspace", str(workspace), "--user", "admin",
                 "--out", str(tmp_path / "doi_muc.txt")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("lỗi: ") and "định dạng" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "doi_muc.txt").exists()
