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
user is removed or their password is changed or reset. Every login, failure,
lock-out, refusal and password change is written to the ``access_log`` table
(never a household's name, never a password).

Refusals are :class:`geo.i18n.Refusal` errors: ``str()`` is Vietnamese and
:func:`geo.i18n.message` words them in English too.

Examples
--------
>>> import tempfile, pathlib
>>> from geo.workspace import Workspace
>>> accounts = Accounts(Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg"))
>>> admin = accounts.create_first_admin("admin", "a long passphrase")
>>> session = accounts.login("admin", "a long passphrase")
>>> accounts.user(session).role, can(admin, "manage_users")
('admin', True)
>>> from geo.i18n import message
>>> try:
...     accounts.login("admin", "not the passphrase")
... except AccessError as error:
...     print(error); print(message(error, "en"))
sai tên đăng nhập hoặc mật khẩu
wrong user name or password
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.i18n import Refusal, t
from geo.workspace import Workspace

__all__ = ["ROLES", "PERMISSIONS", "User", "Session", "AccessError", "Accounts", "can", "require",
           "not_allowed", "scope_households", "within_scope", "household_counts", "USER_COLUMNS"]

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
#: Log events that count towards a lock-out, and those that prove the password (and end the count).
_FAILED = ("login_failed", "change_password_failed")
_PROVEN = ("login", "change_password")
#: What :meth:`Accounts.users_table` shows: never the password hash.
USER_COLUMNS = ["username", "role", "communes", "created_at"]


class AccessError(Refusal, PermissionError):
    """A refusal: wrong credentials, a locked account, an expired session, a forbidden action.

    A :class:`geo.i18n.Refusal` (so also a ``ValueError``) and a ``PermissionError``.
    """


class _Word(str):
    """An i18n word as a message field: Vietnamese as a string, ``{field:en}`` formats it in English."""

    def __new__(cls, key: str) -> _Word:
        word = super().__new__(cls, t(key, "vi"))
        word.key = key
        return word

    def __format__(self, spec: str) -> str:
        return t(self.key, spec) if spec in ("vi", "en") else format(str(self), spec)


def not_allowed(user: User, action: str) -> AccessError:
    """The refusal of ``action`` (a :data:`PERMISSIONS` name) to ``user``, role and action in words.

    >>> from geo.i18n import message
    >>> error = not_allowed(User("xem", "viewer"), "import")
    >>> str(error), message(error, "en")
    ('xem (xem) không có quyền nhập dữ liệu', 'xem (viewer) may not import data')
    """
    return AccessError("err_forbidden", user=user.username, role=_Word(f"role_{user.role}"),
                       action=_Word(f"action_{action}"))


@dataclass(frozen=True)
class User:
    """An account. ``communes`` is ``None`` for every commune (admins)."""

    username: str
    role: str
    communes: frozenset[str] | None = None


@dataclass
class Session:
    """A login: a random token, the user's name, the time of its last use and a stamp of the password.

    ``stamp`` is a digest of the stored password hash at login: a changed or
    reset password (a new hash, with a new salt) ends every older session.
    """

    username: str
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    last_seen: dt.datetime = field(default_factory=dt.datetime.now)
    stamp: str = ""


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:32]


def can(user: User, action: str) -> bool:
    """Whether ``user``'s role allows ``action`` (see :data:`PERMISSIONS`)."""
    return action in PERMISSIONS[user.role]


def require(user: User, action: str) -> None:
    """Raise :class:`AccessError` unless ``user`` may do ``action``."""
    if not can(user, action):
        raise not_allowed(user, action)


#: Where a household's point lies; the commune its record names when the data has no boundaries.
_LOCATED = "ma_xa_located"


def _commune_column(frame: pd.DataFrame) -> pd.Series:
    return frame[_LOCATED] if _LOCATED in frame else frame["ma_xa"]


def within_scope(user: User | None, frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` in ``user``'s communes (by located commune); all rows without a scope.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"ma_xa_located": ["01267", "01270"], "ma_xa": ["01270", "01270"]})
    >>> within_scope(User("canbo", "officer", frozenset({"01267"})), frame)["ma_xa"].tolist()
    ['01270']
    """
    if user is None or user.communes is None:
        return frame
    if _LOCATED not in frame and "ma_xa" not in frame:  # rows with no commune at all: none is in the scope
        return frame.iloc[:0]
    return frame.loc[_commune_column(frame).isin(user.communes)]


def scope_households(user: User, frame: pd.DataFrame) -> pd.DataFrame:
    """The household rows ``user`` may see: their communes only, and never for viewers or planners.

    Raises
    ------
    AccessError
        For roles that see no household rows.
    """
    require(user, "see_households")
    return within_scope(user, frame)


def household_counts(user: User, frame: pd.DataFrame, by: str = "ma_xa") -> pd.Series:
    """Households per commune (or per ``by``) within ``user``'s communes: no row, no name."""
    require(user, "see_household_counts")
    return within_scope(user, frame).groupby(by).size().rename("households")


class Accounts:
    """Local accounts stored in a workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    # ----------------------------------------------------------------- storage
    # Every change to the accounts, and every login counted against the lock-out, reads, checks and
    # writes inside one workspace transaction (its one write lock): concurrent changes queue, none is
    # lost, and no more than MAX_FAILURES passwords are tried before the lock.
    def _users(self) -> pd.DataFrame:
        return _users_of(self.workspace.read_table(_USERS))

    def _log(self, username: str, event: str, detail: str = "", at: dt.datetime | None = None) -> None:
        self.workspace.append_rows(_LOG, _log_row(username, event, detail, at))

    def log(self) -> pd.DataFrame:
        """The access log, oldest first."""
        return self.workspace.read_table(_LOG)

    def has_users(self) -> bool:
        return not self._users().empty

    def users_table(self) -> pd.DataFrame:
        """The accounts for display: user name, role, communes (``*`` for all) and creation time, no hash."""
        return self._users().reindex(columns=USER_COLUMNS).reset_index(drop=True)

    def _row(self, username: str) -> pd.Series | None:
        return _row_of(self._users(), username)

    @staticmethod
    def _user(row: pd.Series) -> User:
        communes = row["communes"]
        scope = None if communes in ("*", None) or pd.isna(communes) else frozenset(communes.split(";"))
        return User(row["username"], row["role"], scope)

    def get(self, username: str) -> User | None:
        row = self._row(username)
        return None if row is None else self._user(row)

    def _manage(self, by: User, what: str) -> None:
        """Refuse (and log) user management by anyone but an admin."""
        if not can(by, "manage_users"):
            self._log(by.username, "refused", what)
            raise not_allowed(by, "manage_users")

    # ----------------------------------------------------------------- management
    @staticmethod
    def _new_row(username: str, password: str, role: str, communes: Collection[str] | None) -> pd.DataFrame:
        """A checked account row, its password hashed (before any lock is taken: hashing takes time)."""
        if role not in ROLES:
            raise Refusal("err_role", roles=", ".join(ROLES), value=role)
        if not username or not username.strip():
            raise Refusal("err_no_username")
        _check_length(password)
        if role == "officer" and not communes:
            raise Refusal("err_officer_communes")
        scope = "*" if role == "admin" or communes is None else ";".join(sorted(communes))
        return pd.DataFrame([{"username": username, "password_hash": _HASHER.hash(password), "role": role,
                              "communes": scope, "created_at": dt.datetime.now().isoformat(timespec="seconds")}])

    def _add(self, row: pd.DataFrame, first: bool, log: pd.DataFrame) -> User:
        """Add an account in one transaction: refused if the name is taken (or, ``first``, if any account exists)."""
        username = row["username"].iloc[0]
        with self.workspace.transaction() as tx:
            users = _users_of(_table(tx, _USERS))
            if first and not users.empty:
                raise AccessError("err_accounts_exist")
            if username in set(users["username"]):
                raise Refusal("err_user_exists", value=username)
            tx.write(_USERS, pd.concat([users, row], ignore_index=True) if len(users) else row)
            tx.append(_LOG, log)
        return self._user(row.iloc[0])

    def create_first_admin(self, username: str, password: str) -> User:
        """The first-run step: the first account, an admin. Refused once any account exists."""
        if self.has_users():
            raise AccessError("err_accounts_exist")
        return self._add(self._new_row(username, password, "admin", None), True, _log_row(username, "first_admin"))

    def add_user(self, by: User, username: str, password: str, role: str,
                 communes: Collection[str] | None = None) -> User:
        self._manage(by, f"add_user {username}")
        row = self._new_row(username, password, role, communes)
        return self._add(row, False, _log_row(by.username, "add_user", f"{username} as {role}"))

    def remove_user(self, by: User, username: str) -> None:
        self._manage(by, f"remove_user {username}")
        with self.workspace.transaction() as tx:
            users = _users_of(_table(tx, _USERS))
            if username not in set(users["username"]):
                raise Refusal("err_no_user", value=username)
            tx.write(_USERS, users.loc[users["username"] != username])
            tx.append(_LOG, _log_row(by.username, "remove_user", username))

    def change_password(self, user: User, old: str, new: str, session: Session | None = None,
                        now: dt.datetime | None = None) -> None:
        """``user`` changes their own password; ``old`` must be the current one.

        Every session of ``user`` ends, except ``session`` if given (the one making
        the change). A wrong ``old`` counts towards the lock-out like a failed login;
        the count, the check and its record are one transaction.

        Raises
        ------
        AccessError
            For a wrong current password, a locked or removed account.
        geo.i18n.Refusal
            For a new password that is too short.
        """
        now = now or dt.datetime.now()
        _check_length(new)
        hashed = _HASHER.hash(new)
        refusal = None
        with self.workspace.transaction() as tx:
            if _recent_failures(_table(tx, _LOG), user.username, now) >= MAX_FAILURES:
                tx.append(_LOG, _log_row(user.username, "locked", "change_password", now))
                refusal = AccessError("err_locked", n=MAX_FAILURES, minutes=LOCK_MINUTES)
            else:
                users = _users_of(_table(tx, _USERS))
                row = _row_of(users, user.username)
                if row is None:
                    raise AccessError("err_account_gone")
                if not _verifies(row["password_hash"], old):
                    tx.append(_LOG, _log_row(user.username, "change_password_failed", at=now))
                    refusal = AccessError("err_wrong_password")
                else:
                    users.loc[users["username"] == user.username, "password_hash"] = hashed
                    tx.write(_USERS, users)
                    tx.append(_LOG, _log_row(user.username, "change_password", at=now))
        if refusal is not None:  # raised after the commit, so the attempt stays in the log
            raise refusal
        if session is not None and session.username == user.username:
            session.stamp = _stamp(hashed)

    def reset_password(self, by: User, username: str, new: str) -> None:
        """An admin sets ``username``'s password (a forgotten one): every session of that user ends."""
        self._manage(by, f"reset_password {username}")
        _check_length(new)
        hashed = _HASHER.hash(new)
        with self.workspace.transaction() as tx:
            users = _users_of(_table(tx, _USERS))
            if username not in set(users["username"]):
                raise Refusal("err_no_user", value=username)
            users.loc[users["username"] == username, "password_hash"] = hashed
            tx.write(_USERS, users)
            tx.append(_LOG, _log_row(by.username, "reset_password", username))

    # ----------------------------------------------------------------- sessions
    def _recent_failures(self, username: str, now: dt.datetime) -> int:
        return _recent_failures(self.log(), username, now)

    def login(self, username: str, password: str, now: dt.datetime | None = None) -> Session:
        """Check a password; return a session. Refusals say no more than "refused" or "locked".

        Counting the recent failures, checking the password and recording the
        outcome are one transaction under the workspace's write lock: however
        many attempts arrive at once, at most :data:`MAX_FAILURES` passwords are
        checked before the account locks, each one recorded in the access log.
        """
        now = now or dt.datetime.now()
        refusal = None
        with self.workspace.transaction() as tx:
            if _recent_failures(_table(tx, _LOG), username, now) >= MAX_FAILURES:
                tx.append(_LOG, _log_row(username, "locked", at=now))
                refusal = AccessError("err_locked", n=MAX_FAILURES, minutes=LOCK_MINUTES)
            else:
                row = _row_of(_users_of(_table(tx, _USERS)), username)
                if row is None or not _verifies(row["password_hash"], password):
                    tx.append(_LOG, _log_row(username, "login_failed", at=now))
                    refusal = AccessError("err_login")
                else:
                    tx.append(_LOG, _log_row(username, "login", at=now))
        if refusal is not None:  # raised after the commit, so the attempt stays in the log
            raise refusal
        return Session(username, last_seen=now, stamp=_stamp(row["password_hash"]))

    def user(self, session: Session, now: dt.datetime | None = None) -> User:
        """The session's user, if the session is alive, the user still exists and the password is unchanged."""
        now = now or dt.datetime.now()
        if now - session.last_seen > dt.timedelta(minutes=IDLE_MINUTES):
            self._log(session.username, "session_expired", at=now)
            raise AccessError("err_session_expired")
        row = self._row(session.username)
        if row is None:
            self._log(session.username, "refused", "user removed", at=now)
            raise AccessError("err_account_gone")
        if not secrets.compare_digest(getattr(session, "stamp", ""), _stamp(row["password_hash"])):
            self._log(session.username, "refused", "password changed since login", at=now)
            raise AccessError("err_password_changed")
        session.last_seen = now
        return self._user(row)

    def record(self, user: User, event: str, detail: str = "") -> None:
        """Record an event (an export, a status edit) in the access log."""
        self._log(user.username, event, detail)

    def refuse(self, user: User, what: str, communes: Collection[str] | None = None) -> None:
        """Record a refused request and raise; ``communes``: the other communes asked for (worded for the user).

        ``what`` goes into the log as it is; without ``communes`` it is also in the message.
        """
        self._log(user.username, "refused", what)
        if communes:
            raise AccessError("err_other_communes", user=user.username, communes=", ".join(sorted(communes)))
        raise AccessError("err_may_not_see", user=user.username, what=what)


_USER_TABLE = ["username", "password_hash", "role", "communes", "created_at"]


def _table(tx, name: str) -> pd.DataFrame:
    """A table read inside a transaction (empty if it does not exist yet)."""
    return tx.read(name) if name in tx.layers() else pd.DataFrame()


def _users_of(table: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(columns=_USER_TABLE) if table.empty else table


def _row_of(users: pd.DataFrame, username: str) -> pd.Series | None:
    row = users.loc[users["username"] == username]
    return None if row.empty else row.iloc[0]


def _log_row(username: str, event: str, detail: str = "", at: dt.datetime | None = None) -> pd.DataFrame:
    return pd.DataFrame([{"at": (at or dt.datetime.now()).isoformat(timespec="seconds"), "username": username,
                          "event": event, "detail": detail}])


def _recent_failures(log: pd.DataFrame, username: str, now: dt.datetime) -> int:
    """Failed password checks of ``username`` in the last LOCK_MINUTES, since the last proven one."""
    if log.empty:
        return 0
    mine = log.loc[log["username"] == username]
    since = now - dt.timedelta(minutes=LOCK_MINUTES)
    times = pd.to_datetime(mine["at"])
    last_ok = times[mine["event"].isin(_PROVEN)].max()
    failed = mine["event"].isin(_FAILED) & (times >= since)
    if pd.notna(last_ok):
        failed &= times > last_ok
    return int(failed.sum())


def _check_length(password: str) -> None:
    if len(password) < _MIN_PASSWORD:
        raise Refusal("err_password_short", n=_MIN_PASSWORD)


def _verifies(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):  # a damaged hash verifies nothing
        return False
