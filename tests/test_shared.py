"""Work shared by every session (ui/shared.py): the same figures as geo computes them, once per dataset version."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from geo.access import User
from geo.dataset import load
from geo.demo import DEMO_PATH
from geo.risk import RiskFilter, risk_view
from geo.status import commune_status as direct_status
from geo.workspace import Workspace
from ui.shared import commune_status, view_for


@pytest.fixture(scope="module")
def ds():
    return load()


def test_officers_with_the_same_communes_share_one_view_with_the_direct_figures(ds):
    flt = RiskFilter(min_level=3)
    a = User("canbo_a", "officer", frozenset({"01267", "01270"}))
    b = User("canbo_b", "officer", frozenset({"01270", "01267"}))
    other = User("canbo_c", "officer", frozenset({"01273"}))
    shared = view_for(ds, flt, a)
    assert view_for(ds, flt, b) is shared  # computed once for both
    assert view_for(ds, flt, other) is not shared
    direct = risk_view(ds, flt, a)
    assert shared.totals.equals(direct.totals)
    assert shared.shown["household_id"].tolist() == direct.shown["household_id"].tolist()
    assert set(shared.shown["ma_xa_located"]) <= {"01267", "01270"}
    everyone = view_for(ds, flt, None)
    assert view_for(ds, flt, User("quantri", "admin")) is everyone  # no commune scope: the whole province
    assert len(everyone.shown) > len(shared.shown)


def test_a_data_change_is_computed_afresh(tmp_path):
    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    before = load(path)
    first = view_for(before, RiskFilter(min_level=4), None)
    assert commune_status(before, "2", 2025).equals(direct_status(before, "2", 2025))
    household = first.shown["household_id"].iloc[0]
    status = first.shown["resettlement_status"].iloc[0]
    new = "resettled" if status != "resettled" else "planned"
    Workspace.open(path).set_resettlement_status(household, new, "test", expected_status=status)
    after = load(path)
    again = view_for(after, RiskFilter(min_level=4), None)
    assert again is not first
    assert again.shown.set_index("household_id").loc[household, "resettlement_status"] == new


@pytest.mark.parametrize("buffer_m", [60.0, 250.0])
def test_a_buffered_register_is_the_direct_flagging_with_that_buffer(ds, buffer_m):
    """Only the levels are flagged again for a buffer (communes and lon/lat kept from the unbuffered register):
    the result is what flagging the households afresh with the buffer gives, column for column."""
    from geo.crs import with_lonlat
    from geo.hazards import flag_register
    from geo.risk import flagged_register

    shared = flagged_register(ds, buffer_m)
    direct = with_lonlat(flag_register(ds.households, ds.zones, ds.communes(2020), buffer_m=buffer_m))
    assert list(shared.columns) == list(direct.columns)
    pd.testing.assert_frame_equal(shared, direct)
    assert shared["in_hazard"].sum() > flagged_register(ds)["in_hazard"].sum()  # the buffer does reach more
