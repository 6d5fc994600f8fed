"""Accounts, sessions and what each role may see (the domain behind the app's access control)."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.access import AccessError, Accounts, can, household_counts, scope_households
from geo.dataexport import export_table
from geo.dataset import load
from geo.hazards import flag_register
from geo.workspace import Workspace

PASSWORD = "mật khẩu dài đủ"


@pytest.fixture
def accounts(tmp_path):
    accounts = Accounts(Workspace.create(tmp_path / "ws.gpkg"))
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "xem", PASSWORD, "viewer")
    accounts.add_user(admin, "kehoach", PASSWORD, "planner")
    accounts.add_user(admin, "canbo_a", PASSWORD, "officer", communes=["01267"])
    return accounts


@pytest.fixture(scope="module")
def flagged():
    ds = load()
    return flag_register(ds.households, ds.zones, ds.communes(2020))


def test_first_admin_only_once_and_passwords_hashed(accounts):
    with pytest.raises(AccessError):
        accounts.create_first_admin("other", PASSWORD)
    stored = accounts.workspace.read_table("users")
    assert stored["password_hash"].str.startswith("$argon2id$").all()
    assert PASSWORD not in stored.to_string()


def test_each_role_sees_what_it_should(accounts, flagged):
    viewer, planner = accounts.get("xem"), accounts.get("kehoach")
    officer, admin = accounts.get("canbo_a"), accounts.get("admin")
    for user in (viewer, planner):
        with pytest.raises(AccessError):
            scope_households(user, flagged)
    with pytest.raises(AccessError):
        household_counts(viewer, flagged)
    assert household_counts(planner, flagged).sum() == len(flagged)
    mine = scope_households(officer, flagged)
    assert len(mine) > 0 and set(mine["ma_xa_located"]) == {"01267"}  # nothing of another commune
    assert set(household_counts(officer, flagged, "ma_xa_located").index) == {"01267"}
    assert len(scope_households(admin, flagged)) == len(flagged)
    assert [can(u, "edit_status") for u in (viewer, planner, officer, admin)] == [False, False, True, True]
    assert [can(u, "import") for u in (viewer, planner, officer, admin)] == [False, False, False, True]


def test_a_viewers_export_holds_no_household(accounts, flagged, tmp_path):
    viewer = accounts.get("xem")
    with pytest.raises(AccessError):
        export_table(scope_households(viewer, flagged), tmp_path / "x.csv", "t", {})
    assert not (tmp_path / "x.csv").exists()


def test_wrong_passwords_lock_out_and_are_logged(accounts):
    now = dt.datetime(2026, 1, 1, 8, 0)
    for attempt in range(5):
        with pytest.raises(AccessError, match="wrong user name or password"):
            accounts.login("canbo_a", "sai mật khẩu", now + dt.timedelta(seconds=attempt))
    with pytest.raises(AccessError, match="locked"):
        accounts.login("canbo_a", PASSWORD, now + dt.timedelta(minutes=1))  # even the right one, for now
    session = accounts.login("canbo_a", PASSWORD, now + dt.timedelta(minutes=20))  # the lock has passed
    assert session.username == "canbo_a"
    log = accounts.log()
    assert list(log["event"]).count("login_failed") == 5 and "locked" in set(log["event"])
    assert PASSWORD not in log.to_string() and "sai mật khẩu" not in log.to_string()
    with pytest.raises(AccessError):
        accounts.login("nobody", PASSWORD)


def test_expired_session_and_removed_user_are_refused(accounts):
    start = dt.datetime(2026, 1, 1, 8, 0)
    session = accounts.login("kehoach", PASSWORD, start)
    assert accounts.user(session, start + dt.timedelta(minutes=29)).role == "planner"
    with pytest.raises(AccessError, match="expired"):
        accounts.user(session, start + dt.timedelta(minutes=29 + 31))
    session = accounts.login("canbo_a", PASSWORD)
    accounts.remove_user(accounts.get("admin"), "canbo_a")
    with pytest.raises(AccessError, match="no longer exists"):
        accounts.user(session)
    assert {"session_expired", "refused"} <= set(accounts.log()["event"])


def test_only_admins_manage_users_and_crafted_requests_are_logged(accounts):
    officer = accounts.get("canbo_a")
    with pytest.raises(AccessError):
        accounts.add_user(officer, "new", PASSWORD, "admin")
    with pytest.raises(ValueError, match="communes"):
        accounts.add_user(accounts.get("admin"), "canbo_b", PASSWORD, "officer")
    with pytest.raises(AccessError):
        accounts.refuse(officer, "households of commune 01303")
    assert accounts.log().iloc[-1][["username", "event", "detail"]].tolist() == [
        "canbo_a", "refused", "households of commune 01303"]


def test_cli_with_a_protected_workspace(tmp_path, monkeypatch, capsys):
    import shutil

    from geo.cli import main
    from geo.demo import DEMO_PATH

    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    accounts = Accounts(Workspace.open(path))
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "xem", PASSWORD, "viewer")
    accounts.add_user(admin, "canbo_a", PASSWORD, "officer", communes=["01267"])
    out = tmp_path / "h.csv"
    base = ["export-data", "--table", "households", "--min-level", "1", "--workspace", str(path), "--out", str(out)]
    assert main(base) == 2 and "--user" in capsys.readouterr().err  # no account given
    monkeypatch.setenv("GEO_PASSWORD", "sai mật khẩu")
    assert main(base + ["--user", "canbo_a"]) == 2 and "wrong user name or password" in capsys.readouterr().err
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    assert main(base + ["--user", "xem"]) == 2 and "may not see households" in capsys.readouterr().err
    assert not out.exists()
    assert main(base + ["--user", "canbo_a"]) == 0
    import pandas as pd

    rows = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(rows) > 0 and set(rows["ma_xa_located"]) == {"01267"}  # nothing of another commune
    assert main(base + ["--user", "canbo_a", "--commune", "01303"]) == 2  # another commune: refused
    assert "may not see communes 01303" in capsys.readouterr().err
    assert main(["indicators", "--workspace", str(path), "--user", "xem"]) == 0  # indicators are for everyone
    assert main(["import", "--kind", "sites", str(out), "--workspace", str(path), "--user", "canbo_a"]) == 2
    events = accounts.log()
    assert "export" in set(events["event"]) and "refused" in set(events["event"])
