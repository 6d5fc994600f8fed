"""The workspace kept whole: versions of every replaced layer, personal fields apart, and its own check."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd
import pytest

from geo.access import AccessError, Accounts
from geo.dataset import load
from geo.demo import DEMO_PATH
from geo.importer import commit, known_to, prepare
from geo.workspace import Workspace, check_workspace

PASSWORD = "mật khẩu dài đủ"


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory):
    """A workspace copied from the demo (120,000 households, their personal fields, no import history)."""
    path = tmp_path_factory.mktemp("copy") / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    return path


def _households_csv(folder: Path, n: int = 40, names: bool = True) -> Path:
    """A small households table as an office writes it: Vietnamese headers, a head's name and a CCCD number."""
    ds = load()
    homes = ds.households.head(n).to_crs("EPSG:4326")
    table = pd.DataFrame({"Mã hộ": homes["household_id"].to_numpy(), "Kinh độ": homes.geometry.x.to_numpy(),
                          "Vĩ độ": homes.geometry.y.to_numpy()})
    if names:
        table["Họ tên chủ hộ"] = [f"Nông Văn {i}" for i in range(n)]
        table["Số CCCD"] = [f"0041{i:08d}" for i in range(n)]
    path = folder / ("ho_dan.csv" if names else "ho_dan_khong_ten.csv")
    table.to_csv(path, index=False)
    return path


def test_first_import_over_copied_data_keeps_the_copied_layer(tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    before = load(path)
    copied, copied_people = len(before.households), len(before.people())
    version = commit(prepare(_households_csv(tmp_path), "households", **known_to(path)), path, "tester")
    workspace = Workspace.open(path)
    # The first import is version 1; what the workspace held before it is version 0, kept.
    assert version == 1 and workspace.versions("households") == [0, 1]
    assert {"households__v0", "household_people__v0"} <= workspace.layers()
    assert len(workspace.read_layer("households", 0)) == copied
    assert len(workspace.read_layer("household_people", 0)) == copied_people  # and their personal fields
    assert len(workspace.read_layer("households")) == 40
    assert workspace.history()["file_name"].tolist() == ["ho_dan.csv"]  # the history lists imports only
    assert check_workspace(path, "en") == []  # no orphans: the old names went with the old households
    # The next import keeps the first one as version 1.
    assert commit(prepare(_households_csv(tmp_path, 30), "households"), path, "tester") == 2
    assert workspace.versions("households") == [0, 1, 2] and len(workspace.read_layer("households", 1)) == 40


def test_personal_fields_go_apart_and_are_versioned_with_households(tmp_path):
    path = tmp_path / "ws.gpkg"
    report = prepare(_households_csv(tmp_path), "households")
    assert report.columns["Họ tên chủ hộ"] == "head_name" and report.columns["Số CCCD"] == "id_number"
    assert not {"head_name", "id_number"} & set(report.good.columns)  # never in the layer's rows
    assert commit(report, path, "tester") == 1
    workspace = Workspace.open(path)
    assert not {"head_name", "id_number"} & set(workspace.read_layer("households").columns)
    people = load(path).people().set_index("household_id")
    first = report.good["household_id"].iloc[0]
    assert people.loc[first, "head_name"] == "Nông Văn 0" and people.loc[first, "id_number"] == "004100000000"
    assert set(people.index) == set(workspace.read_layer("households")["household_id"])
    # Households again, without names: the names of version 1 stay with version 1, none is left orphaned.
    assert commit(prepare(_households_csv(tmp_path, 30, names=False), "households"), path, "tester") == 2
    assert load(path).people().empty
    assert len(workspace.read_layer("household_people", 1)) == 40
    assert check_workspace(path) == []


def test_people_of_a_workspace_without_personal_fields(tmp_path):
    path = tmp_path / "ws.gpkg"
    Workspace.create(path)
    people = load(path).people()
    assert people.empty and list(people.columns) == ["household_id", "head_name", "id_number"]


def test_export_with_personal_fields_of_an_imported_workspace(tmp_path, capsys):
    import geopandas as gpd
    import shapely

    from geo.cli import main

    path = tmp_path / "ws.gpkg"
    commit(prepare(_households_csv(tmp_path), "households"), path, "tester")
    homes = Workspace.open(path).read_layer("households")
    zone = gpd.GeoDataFrame({"hazard_type": ["landslide"], "level": [5]},
                            geometry=[shapely.box(*homes.total_bounds).buffer(500)], crs=homes.crs)
    zone.to_file(tmp_path / "zone.geojson")
    commit(prepare(tmp_path / "zone.geojson", "hazards"), path, "tester")
    out = tmp_path / "h.csv"
    code = main(["export-data", "--table", "households", "--personal", "--workspace", str(path), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    rows = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(rows) == 40 and "Nông Văn 0" in set(rows["Họ tên chủ hộ"])  # read from household_people


# ---------------------------------------------------------------------- check_workspace
def test_a_sound_workspace_has_nothing_to_report(tmp_path, demo_copy):
    path = tmp_path / "ws.gpkg"
    accounts = Accounts(Workspace.create(path))
    accounts.create_first_admin("admin", PASSWORD)
    assert check_workspace(path) == [] and check_workspace(str(path), "en") == []
    assert check_workspace(demo_copy, "en") == []
    assert check_workspace(tmp_path / "none.gpkg", "en") == [f"{tmp_path / 'none.gpkg'}: no workspace here"]


def test_check_finds_missing_versions_orphans_and_bad_accounts(tmp_path):
    path = tmp_path / "ws.gpkg"
    report = prepare(_households_csv(tmp_path), "households")
    commit(report, path, "tester")
    commit(prepare(_households_csv(tmp_path, 30, names=False), "households"), path, "tester")
    workspace = Workspace.open(path)
    people = workspace.read_layer("household_people", 1)
    with workspace.transaction() as tx:
        tx.write("household_people", people.assign(household_id=people["household_id"] + "-x"))  # orphans
        tx.write("hazard_zones__v7", pd.DataFrame({"zone_id": ["Z"]}))  # a version nobody imported
        tx.write("households__v1", pd.DataFrame({"household_id": ["A"]}))
        tx.write("users", pd.DataFrame({"username": ["admin", "xem", "xem"], "password_hash": ["$argon2id$x", "", None],
                                        "role": ["admin", "viewer", "chief"]}))
    with sqlite3.connect(path) as db:  # version 1's personal fields vanish
        db.execute('DROP TABLE "household_people__v1"')
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'household_people__v1'")
    problems = check_workspace(path, "en")
    assert problems == [
        "table hazard_zones__v7 is not in the import history (hazard_zones version 7)",
        "40 rows of household_people belong to no household (e.g. 01267-00001-x, 01267-00002-x, 01267-00003-x)",
        "account table: missing columns communes, created_at",
        "account table: user 'xem' appears twice",
        "account table: user 'xem' has no password hash",
        "account table: user 'xem' has no password hash",
        "account table: user 'xem' has an unknown role 'chief' (use viewer, planner, officer, admin)",
    ]
    assert len(check_workspace(path, "vi")) == len(problems)
    with sqlite3.connect(path) as db:  # the current layer itself vanishes
        db.execute('DROP TABLE "households"')
        db.execute("DELETE FROM gpkg_contents WHERE table_name = 'households'")
    assert "the import history lists households version 2 but there is no table households" in check_workspace(
        path, "en")


def test_check_reports_a_damaged_file(tmp_path):
    path = tmp_path / "ws.gpkg"
    Workspace.create(path)
    data = bytearray(path.read_bytes())
    page = 4096
    data[page * 2:page * 2 + 200] = b"\xff" * 200  # a page of a table overwritten
    path.write_bytes(bytes(data))
    problems = check_workspace(path, "en")
    assert problems and all(str(path) in line for line in problems)
    garbage = tmp_path / "garbage.gpkg"
    garbage.write_bytes(b"not a geopackage at all" * 100)
    [line] = check_workspace(garbage, "en")
    assert line.startswith(f"{garbage}: ")


def test_a_copy_of_the_demo_loses_its_label_only_when_every_demo_layer_is_replaced():
    """Issue: a workspace made with copy-workspace demo kept the demo label after real data was imported."""
    from dataclasses import replace

    import pandas as pd

    from geo.dataset import HISTORY, LAYERS, load

    demo = load()
    filled = [name for name in LAYERS[:-1] if len(demo.layers[name])]
    history = pd.DataFrame({"layer": filled[:1], "version": ["1"], "file_name": ["ho.csv"]})
    partly = replace(demo, layers={**demo.layers, HISTORY: history})
    assert partly.is_demo  # the other layers are still the demo's
    history = pd.DataFrame({"layer": filled, "version": ["1"] * len(filled), "file_name": ["f"] * len(filled)})
    assert not replace(demo, layers={**demo.layers, HISTORY: history}).is_demo


def test_logins_leave_the_revision_and_data_changes_move_it(tmp_path):
    """Caches key on the revision: a login or an export entry reads nothing again; a status change does."""
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    accounts = Accounts(Workspace.open(path))
    admin = accounts.create_first_admin("quantri", PASSWORD)  # an account: data (users), a new revision
    before = load(path)
    assert before.revision.startswith("r")
    for _ in range(3):
        accounts.login("quantri", PASSWORD)
        with pytest.raises(AccessError):
            accounts.login("quantri", "sai mật khẩu")
    accounts.record(admin, "export", "risk table")
    assert len(accounts.log()) >= 7
    assert load(path) is before  # the same dataset: nothing read again
    household = before.households["household_id"].iloc[0]
    status = before.households["resettlement_status"].iloc[0]
    new = "planned" if status != "planned" else "moving"
    Workspace.open(path).set_resettlement_status(household, new, "quantri", expected_status=status)
    after = load(path)
    assert after.revision != before.revision
    assert after.households.set_index("household_id").loc[household, "resettlement_status"] == new
