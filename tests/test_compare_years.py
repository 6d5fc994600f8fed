"""Compare years: how each commune's status of an indicator moved between two years, on the page and in the CLI."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from apptest import APP
from geo.cli import main
from geo.dataset import load
from geo.status import CHANGES, commune_status, status_change

RANK = {"behind": 0, "on_track": 1, "achieved": 2}


@pytest.fixture(scope="module")
def ds():
    return load()


@pytest.mark.parametrize("indicator, since, year, units", [("2", 2022, 2025, "2020"), ("12", 2021, 2024, "2025"),
                                                           ("14a", 2020, 2023, "2020")])
def test_each_change_from_both_years_statuses(ds, indicator, since, year, units):
    moved = status_change(ds, indicator, since, year, units).set_index("ma_xa")
    before = commune_status(ds, indicator, since, units).set_index("ma_xa")["status"]
    after = commune_status(ds, indicator, year, units).set_index("ma_xa")["status"]
    assert set(moved.index) == set(before.index) | set(after.index)
    for code, row in moved.iterrows():
        a, b = RANK.get(before.get(code)), RANK.get(after.get(code))
        expected = "no_data" if a is None or b is None else "improved" if b > a else "worse" if b < a else "same"
        assert row["change"] == expected, code
    assert set(moved["change"]) <= set(CHANGES)
    first_unmoved = (~moved["change"].isin(["improved", "worse"])).to_numpy().argmax()
    assert moved["change"].iloc[:first_unmoved].isin(["improved", "worse"]).all()  # communes that moved first


def test_the_page_and_the_command_line_show_the_same_communes_moved(ds, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("GEO_WORKSPACE", str(tmp_path / "none.gpkg"))  # demo mode
    at = AppTest.from_file(APP, default_timeout=300).run()
    at.sidebar.selectbox(key="since").set_value(2022).run()
    assert not at.exception, at.exception
    moved = status_change(ds, "1", 2022, 2025)
    changed = moved.loc[moved["change"].isin(["improved", "worse"])]
    table = next(d.value for d in at.dataframe if "Thay đổi" in getattr(d.value, "columns", []))
    table = table.data if hasattr(table, "data") else table
    assert sorted(table["Mã xã"]) == sorted(changed["ma_xa"])
    assert any("chỉ tiêu số 1 của Kế hoạch" in c.value for c in at.caption)  # the rule and its source beside the map
    at.sidebar.select_slider(key="year").set_value(2021).run()  # 2022 is not earlier than 2021: no comparison
    assert not at.exception and not any("Thay đổi" in getattr(d.value, "columns", []) for d in at.dataframe)
    assert main(["status", "--indicator", "1", "--since", "2022", "--out", str(tmp_path / "t.csv")]) == 0
    written = pd.read_csv(tmp_path / "t.csv", dtype={"ma_xa": str})
    assert sorted(written.loc[written["change"].isin(["improved", "worse"]), "ma_xa"]) == sorted(changed["ma_xa"])
    capsys.readouterr()
