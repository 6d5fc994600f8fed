"""Who may see households and who may change them: accounts, sessions, roles, scopes.

The household register holds personal data protected by Decree 13/2023/NĐ-CP;
commune indicators may be public, households may not. Four roles:

* ``viewer``: indicator maps and aggregated counts only;
* ``planner``: indicators, and household counts per commune and village;
* ``officer``: household-level map and table for the communes assigned to
  them, resettlement status edits;
* ``admin``: imports, user management, all communes.

Accounts live in the workspace (table ``users``); passwords are hashed with
Argon2id. Five failed logins within 15 minutes lock an account for 15
minutes; a session ends after 30 minutes without activity or as soon as its
user is removed. Every login, failure, lock-out and refusal is written to the
``access_log`` table (never a household's name).

Examples
--------
>>> import tempfile, pathlib
>>> from geo.workspace import Workspace
>>> accounts = Accounts(Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg"))
>>> admin = accounts.create_first_admin("admin", "a long passphrase")
>>> session = accounts.login("admin", "a long passphrase")
>>> accounts.user(session).role, can(admin, "manage_users")
('admin', True)
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from geo.workspace import Workspace

__all__ = ["ROLES", "PERMISSIONS", "User", "Session", "AccessError", "Accounts", "can", "require",
           "scope_households", "household_counts"]

ROLES = ("viewer", "planner", "officer", "admin")
#: What each role may do.
PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": frozenset({"see_indicators"}),
    "planner": frozenset({"see_indicators", "see_household_counts"}),
    "officer": frozenset({"see_indicators", "see_household_counts", "see_households", "edit_status",
                          "export_personal"}),
    "admin": frozenset({"see_indicators", "see_household_counts", "see_households", "edit_status",
                        "export_personal", "import", "manage_users"}),
}
MAX_FAILURES = 5
LOCK_MINUTES = 15
IDLE_MINUTES = 30
_USERS = "users"
_LOG = "access_log"
_HASHER = PasswordHasher()
_MIN_PASSWORD = 10


class AccessError(PermissionError):
    """A refusal: wrong credentials, a locked account, an expired session, a forbidden action."""


@dataclass(frozen=True)
class User:
    """An account. ``communes`` is ``None`` for every commune (admins)."""

    username: str
    role: str
    communes: frozenset[str] | None = None


@dataclass
class Session:
    """A login: a random token, the user's name and the time of its last use."""

    username: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    last_seen: dt.datetime = field(default_factory=dt.datetime.now)


def can(user: User, action: str) -> bool:
    """Whether ``user``'s role allows ``action`` (see :data:`PERMISSIONS`)."""
    return action in PERMISSIONS[user.role]


def require(user: User, action: str) -> None:
    """Raise :class:`AccessError` unless ``user`` may do ``action``."""
    if not can(user, action):
        raise AccessError(f"{user.username} ({user.role}) may not {action.replace('_', ' ')}")


def _commune_column(frame: pd.DataFrame) -> pd.Series:
    return frame["ma_xa_located"] if "ma_xa_located" in frame else frame["ma_xa"]


def scope_households(user: User, frame: pd.DataFrame) -> pd.DataFrame:
    """The household rows ``user`` may see: their communes only, and never for viewers or planners.

    Raises
    ------
    AccessError
        For roles that see no household rows.
    """
    require(user, "see_households")
    if user.communes is None:
        return frame
    return frame.loc[_commune_column(frame).isin(user.communes)]


def household_counts(user: User, frame: pd.DataFrame, by: str = "ma_xa") -> pd.Series:
    """Households per commune (or per ``by``) within ``user``'s communes: no row, no name."""
    require(user, "see_household_counts")
    if user.communes is not None:
        frame = frame.loc[_commune_column(frame).isin(user.communes)]
    return frame.groupby(by).size().rename("households")


class Accounts:
    """Local accounts stored in a workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    # ----------------------------------------------------------------- storage
    def _users(self) -> pd.DataFrame:
        table = self.workspace.read_table(_USERS)
        if table.empty:
            return pd.DataFrame(columns=["username", "password_hash", "role", "communes", "created_at"])
        return table

    def _log(self, username: str, event: str, detail: str = "", at: dt.datetime | None = None) -> None:
        row = pd.DataFrame([{"at": (at or dt.datetime.now()).isoformat(timespec="seconds"), "username": username,
                             "event": event, "detail": detail}])
        self.workspace.append_rows(_LOG, row)

    def log(self) -> pd.DataFrame:
        """The access log, oldest first."""
        return self.workspace.read_table(_LOG)

    def has_users(self) -> bool:
        return not self._users().empty

    def get(self, username: str) -> User | None:
        users = self._users()
        row = users.loc[users["username"] == username]
        if row.empty:
            return None
        communes = row["communes"].iloc[0]
        scope = None if communes in ("*", None) or pd.isna(communes) else frozenset(communes.split(";"))
        return User(username, row["role"].iloc[0], scope)

    # ----------------------------------------------------------------- management
    def _store(self, username: str, password: str, role: str, communes: Collection[str] | None) -> User:
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        if not username or not username.strip():
            raise ValueError("give a user name")
        if len(password) < _MIN_PASSWORD:
            raise ValueError(f"a password needs at least {_MIN_PASSWORD} characters")
        if role == "officer" and not communes:
            raise ValueError("an officer needs the communes assigned to them")
        users = self._users()
        if username in set(users["username"]):
            raise ValueError(f"user {username!r} exists already")
        scope = "*" if role == "admin" or communes is None else ";".join(sorted(communes))
        row = pd.DataFrame([{"username": username, "password_hash": _HASHER.hash(password), "role": role,
                             "communes": scope, "created_at": dt.datetime.now().isoformat(timespec="seconds")}])
        self.workspace.replace_table(_USERS, pd.concat([users, row], ignore_index=True))
        return self.get(username)

    def create_first_admin(self, username: str, password: str) -> User:
        """The first-run step: the first account, an admin. Refused once any account exists."""
        if self.has_users():
            raise AccessError("accounts exist already: an admin adds users")
        user = self._store(username, password, "admin", None)
        self._log(username, "first_admin")
        return user

    def add_user(self, by: User, username: str, password: str, role: str,
                 communes: Collection[str] | None = None) -> User:
        require(by, "manage_users")
        user = self._store(username, password, role, communes)
        self._log(by.username, "add_user", f"{username} as {role}")
        return user

    def remove_user(self, by: User, username: str) -> None:
        require(by, "manage_users")
        users = self._users()
        if username not in set(users["username"]):
            raise ValueError(f"no user {username!r}")
        self.workspace.replace_table(_USERS, users.loc[users["username"] != username])
        self._log(by.username, "remove_user", username)

    # ----------------------------------------------------------------- sessions
    def _recent_failures(self, username: str, now: dt.datetime) -> int:
        log = self.log()
        if log.empty:
            return 0
        mine = log.loc[log["username"] == username]
        since = now - dt.timedelta(minutes=LOCK_MINUTES)
        times = pd.to_datetime(mine["at"])
        last_ok = times[mine["event"] == "login"].max()
        failed = (mine["event"] == "login_failed") & (times >= since)
        if pd.notna(last_ok):
            failed &= times > last_ok
        return int(failed.sum())

    def login(self, username: str, password: str, now: dt.datetime | None = None) -> Session:
        """Check a password; return a session. Refusals say no more than "refused" or "locked"."""
        now = now or dt.datetime.now()
        if self._recent_failures(username, now) >= MAX_FAILURES:
            self._log(username, "locked", at=now)
            raise AccessError(f"account locked after {MAX_FAILURES} failed logins; try again in {LOCK_MINUTES} minutes")
        users = self._users()
        row = users.loc[users["username"] == username]
        try:
            if row.empty:
                raise VerifyMismatchError
            _HASHER.verify(row["password_hash"].iloc[0], password)
        except (VerifyMismatchError, VerificationError):
            self._log(username, "login_failed", at=now)
            raise AccessError("wrong user name or password") from None
        self._log(username, "login", at=now)
        return Session(username, last_seen=now)

    def user(self, session: Session, now: dt.datetime | None = None) -> User:
        """The session's user, if the session is alive and the user still exists."""
        now = now or dt.datetime.now()
        if now - session.last_seen > dt.timedelta(minutes=IDLE_MINUTES):
            self._log(session.username, "session_expired", at=now)
            raise AccessError("session expired: log in again")
        user = self.get(session.username)
        if user is None:
            self._log(session.username, "refused", "user removed")
            raise AccessError("this account no longer exists")
        session.last_seen = now
        return user

    def record(self, user: User, event: str, detail: str = "") -> None:
        """Record an event (an export, a status edit) in the access log."""
        self._log(user.username, event, detail)

    def refuse(self, user: User, what: str) -> None:
        """Record a refused request (for example another commune's data) and raise."""
        self._log(user.username, "refused", what)
        raise AccessError(f"{user.username} may not see {what}")
