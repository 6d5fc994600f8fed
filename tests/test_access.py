"""Accounts, sessions and what each role may see (the domain behind the app's access control)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from concurrently import at_once

from geo.access import (MAX_FAILURES, PERMISSIONS, ROLES, USER_COLUMNS, AccessError, Accounts, User, can,
                         household_counts, not_allowed, require, scope_households)
from geo.dataexport import export_table
from geo.dataset import load
from geo.hazards import flag_register
from geo.i18n import Refusal, message, t
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
        with pytest.raises(AccessError, match="sai tên đăng nhập hoặc mật khẩu"):
            accounts.login("canbo_a", "sai mật khẩu", now + dt.timedelta(seconds=attempt))
    with pytest.raises(AccessError, match="bị khóa"):
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
    with pytest.raises(AccessError, match="hết hạn"):
        accounts.user(session, start + dt.timedelta(minutes=29 + 31))
    session = accounts.login("canbo_a", PASSWORD)
    accounts.remove_user(accounts.get("admin"), "canbo_a")
    with pytest.raises(AccessError, match="không còn"):
        accounts.user(session)
    assert {"session_expired", "refused"} <= set(accounts.log()["event"])


def test_only_admins_manage_users_and_crafted_requests_are_logged(accounts):
    officer = accounts.get("canbo_a")
    with pytest.raises(AccessError):
        accounts.add_user(officer, "new", PASSWORD, "admin")
    with pytest.raises(ValueError, match="cán bộ cần được giao"):
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
    assert main(base + ["--user", "canbo_a"]) == 2 and "sai tên đăng nhập hoặc mật khẩu" in capsys.readouterr().err
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    import pandas as pd

    assert main(base + ["--user", "xem"]) == 0  # a viewer takes away the province totals, as on the page
    totals = pd.read_csv(out, encoding="utf-8-sig")
    assert len(totals) == 1 and "Mã hộ" not in totals.columns and "Hộ trong vùng nguy cơ" in totals.columns
    out.unlink()
    assert main(base + ["--user", "canbo_a"]) == 0

    rows = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert len(rows) > 0 and set(rows["Xã (theo tọa độ)"]) == {"01267"}  # nothing of another commune
    assert main(base + ["--user", "canbo_a", "--commune", "01303"]) == 2  # another commune: refused
    err = capsys.readouterr().err
    assert "canbo_a không được xem" in err and "01303" in err
    assert main(["indicators", "--workspace", str(path), "--user", "xem"]) == 0  # indicators are for everyone
    assert main(["import", "--kind", "sites", str(out), "--workspace", str(path), "--user", "canbo_a"]) == 2
    events = accounts.log()
    assert "export" in set(events["event"]) and "refused" in set(events["event"])


# ---------------------------------------------------------------------- refusals in both languages
def _refusal(call) -> Refusal:
    with pytest.raises(Refusal) as caught:
        call()
    return caught.value


def test_every_refusal_reads_in_vietnamese_and_english(accounts):
    admin, officer = accounts.get("admin"), accounts.get("canbo_a")
    start = dt.datetime(2026, 1, 1, 8, 0)
    session = accounts.login("kehoach", PASSWORD, start)
    cases = [
        (lambda: accounts.add_user(admin, "x", PASSWORD, "boss"),
         "vai trò phải là một trong viewer, planner, officer, admin, không phải boss",
         "role must be one of viewer, planner, officer, admin, got boss"),
        (lambda: accounts.add_user(admin, " ", PASSWORD, "viewer"), "hãy nhập tên đăng nhập", "give a user name"),
        (lambda: accounts.add_user(admin, "x", "ngắn", "viewer"),
         "mật khẩu cần ít nhất 10 ký tự", "a password needs at least 10 characters"),
        (lambda: accounts.add_user(admin, "x", PASSWORD, "officer"),
         "cán bộ cần được giao ít nhất một xã", "an officer needs the communes assigned to them"),
        (lambda: accounts.add_user(admin, "xem", PASSWORD, "viewer"), "tài khoản xem đã có", "user xem exists already"),
        (lambda: accounts.remove_user(admin, "ai"), "không có tài khoản ai", "no user ai"),
        (lambda: accounts.create_first_admin("x", PASSWORD),
         "đã có tài khoản: quản trị viên thêm người dùng", "accounts exist already: an admin adds users"),
        (lambda: accounts.login("xem", "sai mật khẩu"), "sai tên đăng nhập hoặc mật khẩu", "wrong user name or password"),
        (lambda: accounts.user(session, start + dt.timedelta(hours=1)),
         "phiên làm việc đã hết hạn: hãy đăng nhập lại", "session expired: log in again"),
        (lambda: accounts.add_user(officer, "x", PASSWORD, "viewer"),
         "canbo_a (cán bộ) không có quyền quản lý tài khoản", "canbo_a (officer) may not manage accounts"),
        (lambda: require(accounts.get("xem"), "see_households"),
         "xem (xem) không có quyền xem danh sách hộ", "xem (viewer) may not see households"),
        (lambda: accounts.refuse(officer, "01303", communes=["01303", "01270"]),
         "canbo_a không được xem dữ liệu của xã 01270, 01303", "canbo_a may not see communes 01270, 01303"),
        (lambda: accounts.change_password(officer, "sai mật khẩu", "mật khẩu mới đủ dài"),
         "mật khẩu hiện tại không đúng", "the current password is wrong"),
    ]
    for call, vi, en in cases:
        error = _refusal(call)
        assert (str(error), message(error, "vi"), message(error, "en")) == (vi, vi, en)
        assert isinstance(error, ValueError)  # callers catching ValueError still catch every refusal


def test_locked_and_removed_accounts_read_in_both_languages(accounts):
    now = dt.datetime(2026, 1, 1, 8, 0)
    session = accounts.login("canbo_a", PASSWORD, now)
    for attempt in range(5):
        _refusal(lambda: accounts.login("canbo_a", "sai mật khẩu", now + dt.timedelta(seconds=1 + attempt)))
    locked = _refusal(lambda: accounts.login("canbo_a", PASSWORD, now + dt.timedelta(minutes=1)))
    assert str(locked) == "tài khoản bị khóa sau 5 lần đăng nhập sai; thử lại sau 15 phút"
    assert message(locked, "en") == "account locked after 5 failed logins; try again in 15 minutes"
    accounts.remove_user(accounts.get("admin"), "canbo_a")
    gone = _refusal(lambda: accounts.user(session, now + dt.timedelta(minutes=2)))
    assert (str(gone), message(gone, "en")) == ("tài khoản này không còn nữa", "this account no longer exists")
    assert isinstance(gone, AccessError) and isinstance(gone, PermissionError)  # old `except` clauses still match


def test_every_role_and_action_has_words_in_both_languages():
    for role in ROLES:
        for action in sorted(set().union(*PERMISSIONS.values())):
            error = not_allowed(User("u", role), action)
            vi, en = str(error), message(error, "en")
            assert vi == f"u ({t(f'role_{role}', 'vi')}) không có quyền {t(f'action_{action}', 'vi')}"
            assert en == f"u ({t(f'role_{role}', 'en')}) may not {t(f'action_{action}', 'en')}"
            assert "_" not in vi + en and vi != en


# ---------------------------------------------------------------------- passwords
def test_a_user_changes_their_own_password(accounts):
    officer = accounts.get("canbo_a")
    new = "mật khẩu mới đủ dài"
    wrong = _refusal(lambda: accounts.change_password(officer, "sai mật khẩu", new))
    assert wrong.key == "err_wrong_password" and isinstance(wrong, AccessError)
    short = _refusal(lambda: accounts.change_password(officer, PASSWORD, "ngắn"))
    assert short.key == "err_password_short"
    accounts.login("canbo_a", PASSWORD)  # neither attempt changed anything
    this, other = accounts.login("canbo_a", PASSWORD), accounts.login("canbo_a", PASSWORD)
    accounts.change_password(officer, PASSWORD, new, session=this)
    assert accounts.user(this).username == "canbo_a"  # the session that made the change goes on
    refused = _refusal(lambda: accounts.user(other))  # any other session of the account ends
    assert message(refused, "en") == "the account's password was changed: log in again"
    assert _refusal(lambda: accounts.login("canbo_a", PASSWORD)).key == "err_login"
    assert accounts.login("canbo_a", new).username == "canbo_a"
    log = accounts.log()
    mine = log.loc[log["username"] == "canbo_a", "event"].tolist()
    assert "change_password_failed" in mine and mine.count("change_password") == 1
    assert PASSWORD not in log.to_string() and new not in log.to_string() and "sai mật khẩu" not in log.to_string()


def test_wrong_current_passwords_count_towards_the_lock_out(accounts):
    officer, now = accounts.get("canbo_a"), dt.datetime(2026, 1, 1, 8, 0)
    for attempt in range(5):
        _refusal(lambda: accounts.change_password(officer, "sai mật khẩu", "mật khẩu mới đủ dài",
                                                  now=now + dt.timedelta(seconds=attempt)))
    assert _refusal(lambda: accounts.login("canbo_a", PASSWORD, now + dt.timedelta(minutes=1))).key == "err_locked"
    assert accounts.login("canbo_a", PASSWORD, now + dt.timedelta(minutes=20)).username == "canbo_a"


def test_only_an_admin_resets_a_password_and_older_sessions_end(accounts):
    new = "mật khẩu do quản trị đặt"
    before = accounts.login("canbo_a", PASSWORD)
    for someone in ("canbo_a", "kehoach", "xem"):
        refused = _refusal(lambda: accounts.reset_password(accounts.get(someone), "canbo_a", new))
        assert isinstance(refused, AccessError) and refused.key == "err_forbidden"
    assert "may not manage accounts" in message(refused, "en")
    assert accounts.log().iloc[-1][["username", "event", "detail"]].tolist() == ["xem", "refused",
                                                                                 "reset_password canbo_a"]
    assert accounts.user(before).username == "canbo_a"  # refused resets changed nothing
    admin = accounts.get("admin")
    assert _refusal(lambda: accounts.reset_password(admin, "ai", new)).key == "err_no_user"
    assert _refusal(lambda: accounts.reset_password(admin, "canbo_a", "ngắn")).key == "err_password_short"
    accounts.reset_password(admin, "canbo_a", new)
    assert _refusal(lambda: accounts.login("canbo_a", PASSWORD)).key == "err_login"
    after = accounts.login("canbo_a", new)
    assert accounts.user(after).username == "canbo_a"
    stale = _refusal(lambda: accounts.user(before))
    assert (str(stale), message(stale, "en")) == ("mật khẩu của tài khoản đã được đổi: hãy đăng nhập lại",
                                                  "the account's password was changed: log in again")
    log = accounts.log()
    assert ["admin", "reset_password", "canbo_a"] in log[["username", "event", "detail"]].values.tolist()
    assert new not in log.to_string() and PASSWORD not in log.to_string()
    assert accounts.login("admin", PASSWORD).username == "admin"  # nobody else's password changed


def test_users_table_shows_no_password_hash(accounts):
    table = accounts.users_table()
    assert list(table.columns) == USER_COLUMNS
    assert table.set_index("username")[["role", "communes"]].to_dict("index") == {
        "admin": {"role": "admin", "communes": "*"}, "xem": {"role": "viewer", "communes": "*"},
        "kehoach": {"role": "planner", "communes": "*"}, "canbo_a": {"role": "officer", "communes": "01267"}}
    assert "$argon2" not in table.to_string()


# ---------------------------------------------------------------------- many hands at once
def test_concurrent_account_changes_lose_none(accounts):
    admin = accounts.get("admin")
    results = at_once([lambda i=i: accounts.add_user(admin, f"moi_{i}", PASSWORD, "viewer") for i in range(3)]
                       + [lambda: accounts.remove_user(admin, "xem")])
    assert not [r for r in results if isinstance(r, Exception)]
    names = set(accounts.users_table()["username"])
    assert {"moi_0", "moi_1", "moi_2"} <= names and "xem" not in names  # every change kept, none undone
    with pytest.raises(AccessError):
        accounts.login("xem", PASSWORD)  # the removed viewer cannot log in
    events = accounts.log()["event"]
    assert (events == "add_user").sum() == 3 + 3 and (events == "remove_user").sum() == 1


def test_the_same_account_added_twice_at_once_is_added_once(accounts):
    admin = accounts.get("admin")
    results = at_once([lambda: accounts.add_user(admin, "trung", PASSWORD, "viewer") for _ in range(3)])
    assert sum(isinstance(r, Refusal) for r in results) == 2
    assert (accounts.users_table()["username"] == "trung").sum() == 1


def _password_checks(accounts, username: str) -> pd.Series:
    log = accounts.log()
    return log.loc[log["username"] == username, "event"]


def test_parallel_logins_cannot_beat_the_lock_out(accounts):
    results = at_once([lambda: accounts.login("kehoach", "sai mật khẩu nhé") for _ in range(12)])
    assert all(isinstance(r, AccessError) for r in results)
    with pytest.raises(AccessError) as locked:
        accounts.login("kehoach", PASSWORD)  # the right password, after the lock
    assert locked.value.key == "err_locked"
    events = _password_checks(accounts, "kehoach")
    # At most MAX_FAILURES passwords were checked, each one recorded; every later attempt found the lock.
    assert (events == "login_failed").sum() == MAX_FAILURES
    assert (events == "locked").sum() == 12 - MAX_FAILURES + 1 and (events == "login").sum() == 0


def test_parallel_password_changes_cannot_beat_the_lock_out(accounts):
    user = accounts.get("kehoach")
    results = at_once([lambda: accounts.change_password(user, "sai mật khẩu nhé", "mật khẩu mới dài đủ")
                        for _ in range(8)])
    assert all(isinstance(r, AccessError) for r in results)
    events = _password_checks(accounts, "kehoach")
    assert (events == "change_password_failed").sum() == MAX_FAILURES and (events == "locked").sum() == 3


def _login_in_process(path: str, username: str, password: str, ready, start) -> str:
    from geo.access import AccessError, Accounts
    from geo.workspace import Workspace

    accounts = Accounts(Workspace.open(path))
    ready.wait()
    start.wait()
    try:
        accounts.login(username, password)
        return "login"
    except AccessError as error:
        return error.key


def test_logins_from_several_processes_cannot_beat_the_lock_out(accounts):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    n = 8
    with context.Manager() as manager:
        ready, start = manager.Barrier(n), manager.Event()
        with context.Pool(n) as pool:
            jobs = [pool.apply_async(_login_in_process, (str(accounts.workspace.path), "xem", "sai mật khẩu nhé",
                                                         ready, start)) for _ in range(n)]
            start.set()
            outcomes = [job.get(timeout=600) for job in jobs]
    assert sorted(outcomes) == sorted(["err_login"] * MAX_FAILURES + ["err_locked"] * (n - MAX_FAILURES))
    events = _password_checks(accounts, "xem")
    assert (events == "login_failed").sum() == MAX_FAILURES and (events == "locked").sum() == n - MAX_FAILURES
