"""The workspace: the province's data, written safely, in a GeoPackage or in PostGIS.

A workspace is either one GeoPackage file (the default, ``data/workspace.gpkg``)
or a schema of a PostgreSQL + PostGIS database, named by a URL
``postgresql://user@host/db`` (:mod:`geo.pgstore`), which a whole department
can share. Both stores offer the same :class:`Workspace`:

* Every write is one transaction. In a GeoPackage: under an exclusive lock,
  the workspace is copied beside itself, changed, flushed to disk and
  atomically renamed over the original, so a process killed half-way leaves
  the workspace exactly as it was (and a stray ``.tmp`` copy that the next
  write removes); two writers at once queue, and neither loses the other's
  change. In PostGIS: a database transaction, writers queue on a row lock.
* Replacing a layer keeps the previous version as ``<layer>__v<N>``;
  ``import_history`` lists them and :meth:`Workspace.read_layer` reads any. A
  layer that was never imported (copied from the demo or another workspace)
  is kept as ``<layer>__v0`` by the first import, which is version 1.
* Personal fields (a household head's name, identity number) live apart, in
  ``household_people`` (keyed by ``household_id``), versioned with
  ``households``: replacing the households keeps the old personal fields as
  ``household_people__v<N>`` beside ``households__v<N>``.
* Accounts, the access log and every other write go through one lock and one
  transaction (:meth:`Workspace.transaction`), so a read-check-write (a new
  account, a login counted against the lock-out) never loses another's.
* :func:`check_workspace` lists what is wrong with a workspace, one line each.
* ``value_mappings`` remembers what users said an unknown word in their
  files means (:meth:`Workspace.value_mappings`).
* ``import_history`` records every import (when, file, SHA-256, kind, rows in,
  rows rejected, by whom); ``resettlement_audit`` every attempt to change a
  household's resettlement status (old, new, expected, when, by whom, and the
  ``outcome``: ``applied``, or ``conflict`` when someone else changed the
  status first, see :meth:`Workspace.set_resettlement_status`).
* The demo dataset is a read-only workspace.

Examples
--------
>>> import tempfile, pathlib
>>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg")
>>> ws.history().empty, ws.read_only
(True, False)
>>> target("postgresql://officer:secret@db.local/caobang")
PgLocation('postgresql://officer:***@db.local/caobang')
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Protocol

import pandas as pd
import pyogrio

from geo.demo import DEMO_PATH
from geo.pgstore import LOG_TABLES, PgLocation, PgStore, is_url

__all__ = ["Workspace", "ReadOnlyWorkspace", "ConflictError", "DEFAULT_WORKSPACE", "target", "exists",
           "copy_workspace", "check_workspace", "PEOPLE", "PEOPLE_COLUMNS", "PERSONAL_FIELDS"]

DEFAULT_WORKSPACE = DEMO_PATH.parent.parent / "workspace.gpkg"
_HISTORY = "import_history"
#: The GeoPackage table holding the token of its data's last change (see :meth:`GpkgStore.revision`).
_STATE = "workspace_state"
_AUDIT = "resettlement_audit"
_VALUES = "value_mappings"
_HISTORY_COLUMNS = ["imported_at", "file_name", "sha256", "kind", "layer", "version", "rows_in", "rows_rejected",
                    "imported_by"]
_AUDIT_COLUMNS = ["household_id", "old_status", "new_status", "changed_at", "changed_by", "expected_status",
                  "outcome", "site_id", "note"]
#: The table of personal fields, kept apart from the households layer and read only on request.
PEOPLE = "household_people"
PERSONAL_FIELDS = ("head_name", "id_number")
PEOPLE_COLUMNS = ["household_id", *PERSONAL_FIELDS]
#: Tables replaced and versioned together with a layer: {layer: {table: its columns}}.
_COMPANIONS: dict[str, dict[str, list[str]]] = {"households": {PEOPLE: PEOPLE_COLUMNS}}
_PARENT = {table: layer for layer, tables in _COMPANIONS.items() for table in tables}

Target = Path | PgLocation


class ReadOnlyWorkspace(PermissionError):
    """Raised on a write to a read-only workspace (the demo dataset)."""


class ConflictError(ValueError):
    """A status edit refused because the household's status changed since the editor read it.

    Attributes
    ----------
    household_id, expected, current : str
        The household, the status the editor saw, and its status now.
    """

    def __init__(self, household_id: str, expected: str, current: str) -> None:
        super().__init__(f"household {household_id}: its status is now {current!r}, not {expected!r} as shown; "
                         f"someone changed it meanwhile: reload and decide again")
        self.household_id, self.expected, self.current = household_id, expected, current


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def target(value: str | Path | PgLocation | None) -> Target:
    """A workspace's location from a path or a ``postgresql://`` URL (``None``: the default GeoPackage)."""
    if value is None or value == "":
        return DEFAULT_WORKSPACE
    if isinstance(value, (Path, PgLocation)):
        return value
    return PgLocation(value) if is_url(value) else Path(value)


def exists(location: str | Path | PgLocation) -> bool:
    """Whether a workspace is there: the GeoPackage file exists, or the database answers.

    A database always counts as a workspace: opening it creates its schema.
    """
    location = target(location)
    return True if isinstance(location, PgLocation) else location.exists()


# ---------------------------------------------------------------------- stores
class Transaction(Protocol):
    """What a store offers inside one write transaction."""

    def layers(self) -> set[str]: ...
    def read(self, name: str) -> pd.DataFrame: ...
    def write(self, name: str, frame: pd.DataFrame) -> None: ...
    def append(self, name: str, rows: pd.DataFrame) -> None: ...
    def keep_as(self, name: str, kept: str) -> None: ...
    def lock_value(self, table: str, key_column: str, key: str, column: str) -> object: ...
    def set_value(self, table: str, key_column: str, key: str, column: str, value: object,
                  expected: object) -> bool: ...


class Store(Protocol):
    """Where a workspace's tables live: :class:`GpkgStore` or :class:`geo.pgstore.PgStore`."""

    def layers(self) -> set[str]: ...
    def read(self, name: str) -> pd.DataFrame: ...
    def revision(self) -> str: ...
    def transaction(self) -> AbstractContextManager[Transaction]: ...


class GpkgTransaction:
    """Writes to the working copy of a GeoPackage (the lock is held by :meth:`GpkgStore.transaction`).

    ``changed`` tells whether data changed (any write but an entry appended to a log table).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.changed = False

    def layers(self) -> set[str]:
        return _layers(self.path)

    def read(self, name: str) -> pd.DataFrame:
        return pyogrio.read_dataframe(self.path, layer=name)

    def write(self, name: str, frame: pd.DataFrame) -> None:
        self.changed = True
        options = {"layer": name, "driver": "GPKG", "layer_options": {"OVERWRITE": "YES"}}
        try:  # through Arrow: 2.5 times faster for 120,000 households (same table read back)
            pyogrio.write_dataframe(frame, self.path, use_arrow=True, **options)
        except (TypeError, ValueError, NotImplementedError):  # a column Arrow cannot type (mixed objects)
            pyogrio.write_dataframe(frame, self.path, **options)

    def append(self, name: str, rows: pd.DataFrame) -> None:
        self.changed = self.changed or name not in LOG_TABLES
        if name not in self.layers():
            self.write(name, rows)
            return
        existing = self.read(name)
        if set(rows.columns) <= set(existing.columns):
            pyogrio.write_dataframe(rows, self.path, layer=name, driver="GPKG", append=True)
        else:  # new columns (an older workspace): rewrite the table with them
            self.write(name, pd.concat([existing, rows], ignore_index=True))

    def keep_as(self, name: str, kept: str) -> None:
        self.write(kept, self.read(name))

    def lock_value(self, table: str, key_column: str, key: str, column: str) -> object:
        frame = self.read(table)
        hit = frame[key_column] == key
        if not hit.any():
            raise KeyError(key)
        return frame.loc[hit, column].iloc[0]

    def set_value(self, table: str, key_column: str, key: str, column: str, value: object,
                  expected: object) -> bool:
        frame = self.read(table)
        hit = frame[key_column] == key
        if not hit.any() or not _same(frame.loc[hit, column].iloc[0], expected):
            return False
        frame.loc[hit, column] = value
        self.write(table, frame)
        return True


@dataclass(frozen=True)
class GpkgStore:
    """A workspace GeoPackage; writes are transactions on a copy under a file lock."""

    path: Path

    def layers(self) -> set[str]:
        return _layers(self.path)

    def read(self, name: str) -> pd.DataFrame:
        return pyogrio.read_dataframe(self.path, layer=name)

    def revision(self) -> str:
        """A token that changes whenever the workspace's data changes; an entry in a log (a login) leaves it.

        Every commit that changes data writes a new random token into the
        ``workspace_state`` table; a GeoPackage written before that table
        existed is known by its modification time and size.
        """
        try:
            with closing(sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)) as db:
                return "r" + db.execute(f"SELECT revision FROM {_STATE}").fetchone()[0]
        except (sqlite3.Error, TypeError):
            stat = self.path.stat()
            return f"{stat.st_mtime_ns}-{stat.st_size}"

    def _tmp_path(self) -> Path:
        # Unique per write (process, thread, random), and ending in .gpkg for GDAL.
        return self.path.with_name(f".{self.path.stem}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp{self.path.suffix}")

    def _commit(self, tmp: Path) -> None:
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)  # atomic on one file system
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @contextmanager
    def transaction(self, new: bool = False) -> Iterator[GpkgTransaction]:
        """Hold the workspace's write lock and yield a fresh copy to change; commit on success.

        Writers queue on an exclusive lock (``fcntl.flock`` on ``<name>.lock``), so each
        one copies the workspace as the previous one left it: no write is lost. While
        the lock is held no other write runs, so any temporary copy or SQLite journal
        lying beside the workspace was left by a killed write and is removed. ``new``
        starts from nothing (creating the workspace).
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{self.path.name}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for stale in self.path.parent.glob(f".{self.path.stem}.*.tmp{self.path.suffix}*"):
                stale.unlink(missing_ok=True)
            tmp = self._tmp_path()
            try:
                if not new:
                    shutil.copyfile(self.path, tmp)
                tx = GpkgTransaction(tmp)
                yield tx
                if tx.changed:
                    pyogrio.write_dataframe(pd.DataFrame({"revision": [uuid.uuid4().hex]}), tmp, layer=_STATE,
                                            driver="GPKG", layer_options={"OVERWRITE": "YES"})
                self._commit(tmp)
            finally:
                tmp.unlink(missing_ok=True)
                Path(f"{tmp}-journal").unlink(missing_ok=True)


def _layers(path: Path) -> set[str]:
    return set(pyogrio.list_layers(path)[:, 0]) - {_STATE} if path.exists() else set()


#: Key columns of companion tables (never moved out of a layer).
_KEYS = {"household_id"}


def _empty_table(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _personal_table(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A companion table with its columns (missing ones empty), as text, one row per key holding a value."""
    out = pd.DataFrame(index=rows.index)
    for column in columns:
        values = rows[column] if column in rows else pd.Series(None, index=rows.index, dtype=object)
        out[column] = values.astype(object).where(values.notna(), None)
    out = out.loc[out[columns[1:]].notna().any(axis=1) & out[columns[0]].notna()]
    return out.drop_duplicates(subset=columns[0], keep="first").reset_index(drop=True)


def _same(a: object, b: object) -> bool:
    """Equal values, a missing value being equal to a missing value only."""
    return bool(pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


# ---------------------------------------------------------------------- the workspace
@dataclass(frozen=True)
class Workspace:
    """A workspace (a GeoPackage, or a PostGIS schema). Use :meth:`open` or :meth:`create`.

    ``path`` is the GeoPackage's path, or a :class:`geo.pgstore.PgLocation`
    (whose ``repr`` and ``str`` mask the password).
    """

    path: Target
    read_only: bool = False

    @cached_property
    def store(self) -> GpkgStore | PgStore:
        return PgStore(self.path) if isinstance(self.path, PgLocation) else GpkgStore(self.path)

    @classmethod
    def open(cls, path: str | Path | PgLocation | None = None) -> Workspace:
        """Open a workspace; ``None`` opens the demo dataset, read-only.

        A ``postgresql://`` URL opens (and creates or migrates, if needed) the
        workspace's schema in that database.
        """
        if path is None:
            return cls(DEMO_PATH, read_only=True)
        path = target(path)
        if isinstance(path, PgLocation):
            workspace = cls(path)
            workspace.store.migrate()
            return workspace
        if not path.exists():
            raise FileNotFoundError(f"{path}: no workspace here (create it with `python -m geo import ... "
                                    f"--workspace {path}`, which starts an empty one)")
        return cls(path, read_only=path.resolve() == DEMO_PATH.resolve())

    @classmethod
    def create(cls, path: str | Path | PgLocation) -> Workspace:
        """Start an empty workspace at ``path`` (a file that must not exist, or a database without one)."""
        path = target(path)
        if isinstance(path, PgLocation):
            store = PgStore(path)
            if store.exists():
                raise FileExistsError(f"{path}: this database already holds a workspace in schema {path.schema}")
            store.migrate()  # the migrations create the empty tables and the metadata
            return cls(path)
        if path.exists():
            raise FileExistsError(f"{path}: already exists")
        if path.resolve() == DEMO_PATH.resolve():
            raise ReadOnlyWorkspace(f"{path}: the demo dataset is read-only")
        metadata = pd.DataFrame({"key": ["demo", "label", "created"], "value": ["false", "", _now()]})
        with GpkgStore(path).transaction(new=True) as tx:
            tx.write("metadata", metadata)
            tx.write(_HISTORY, pd.DataFrame({c: pd.Series(dtype="str") for c in _HISTORY_COLUMNS}))
            tx.write(_AUDIT, pd.DataFrame({c: pd.Series(dtype="str") for c in _AUDIT_COLUMNS}))
        return cls(path)

    def transaction(self) -> AbstractContextManager[Transaction]:
        """The workspace's one write lock and transaction: read, check and write inside it.

        Every write (layers, accounts, the access log, settings) goes through
        it: writers queue, each reads what the previous one committed, and
        either all of its changes are kept or none is.

        >>> import tempfile, pathlib
        >>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg")
        >>> with ws.transaction() as tx:
        ...     tx.write("settings", pd.DataFrame({"key": ["a"], "value": ["1"]}))
        >>> ws.read_table("settings")["value"].tolist()
        ['1']
        """
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[Transaction]:
        if self.read_only:
            raise ReadOnlyWorkspace(f"{self.path}: the demo dataset is read-only; import into a workspace of "
                                    f"your own with --workspace PATH")
        with self.store.transaction() as tx:
            yield tx

    def layers(self) -> set[str]:
        return self.store.layers()

    def revision(self) -> str:
        """A token that changes whenever the workspace's data changes (for caches)."""
        return self.store.revision()

    def history(self) -> pd.DataFrame:
        """The import history, newest last."""
        if _HISTORY not in self.layers():
            return pd.DataFrame(columns=_HISTORY_COLUMNS)
        return self.store.read(_HISTORY)

    def audit(self) -> pd.DataFrame:
        """Every attempt to change a household's resettlement status, oldest first.

        ``outcome`` is ``applied`` or ``conflict``; rows from before conflicts
        were recorded read as ``applied``.
        """
        if _AUDIT not in self.layers():
            return pd.DataFrame(columns=_AUDIT_COLUMNS)
        audit = self.store.read(_AUDIT)
        for column in _AUDIT_COLUMNS:
            if column not in audit:
                audit[column] = pd.Series(pd.NA, index=audit.index, dtype="str")
        audit["outcome"] = audit["outcome"].fillna("applied")
        return audit

    def versions(self, layer: str) -> list[int]:
        """Versions of ``layer`` held (the current one last); ``household_people`` has those of ``households``.

        Version 0 is the data a layer held before its first import (copied
        from the demo or another workspace), kept as ``<layer>__v0``.
        """
        history = self.history()
        layer = _PARENT.get(layer, layer)
        versions = sorted(int(v) for v in history.loc[history["layer"] == layer, "version"].dropna())
        return [0, *versions] if versions and f"{layer}__v0" in self.layers() else versions

    def read_layer(self, layer: str, version: int | None = None) -> pd.DataFrame:
        """A layer, the current version or an earlier one."""
        name = layer
        if version is not None and version != (self.versions(layer) or [None])[-1]:
            name = f"{layer}__v{version}"
        if name not in self.layers():
            raise KeyError(f"{self.path}: no layer {name!r}")
        return self.store.read(name)

    def write_layer(
        self,
        layer: str,
        frame: pd.DataFrame,
        kind: str,
        source: Path,
        sha256: str,
        rows_in: int,
        rows_rejected: int,
        imported_by: str = "",
        companions: Mapping[str, pd.DataFrame] | None = None,
    ) -> int:
        """Replace ``layer`` with ``frame`` in one transaction; returns the new version.

        The previous version is always kept as ``<layer>__v<N>``; a layer
        present but never imported (copied from the demo or another
        workspace) is kept as ``<layer>__v0``, version 0: what the workspace
        held before its first import (:meth:`versions` lists it).

        ``households`` come with their personal fields: ``companions``
        ``{"household_people": frame}`` (``household_id``, ``head_name``,
        ``id_number``) replaces that table in the same transaction, the old one
        kept as ``household_people__v<N>`` beside ``households__v<N>``; without
        it the new households have no personal fields (an empty table), so no
        old names stay attached to households that are gone. Personal columns
        left in ``frame`` are moved there too: they never enter the layer.

        >>> import tempfile, pathlib
        >>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg")
        >>> homes = pd.DataFrame({"household_id": ["H1"], "head_name": ["Nông Văn A"]})
        >>> ws.write_layer("households", homes, "households", Path("a.csv"), "", 1, 0)
        1
        >>> list(ws.read_layer("households").columns), ws.read_table("household_people")["head_name"].tolist()
        (['household_id'], ['Nông Văn A'])
        >>> ws.write_layer("households", homes[["household_id"]], "households", Path("b.csv"), "", 1, 0)
        2
        >>> len(ws.read_table("household_people")), ws.read_layer("household_people", 1)["head_name"].tolist()
        (0, ['Nông Văn A'])
        """
        companions = dict(companions or {})
        tables = _COMPANIONS.get(layer, {})
        unknown = set(companions) - set(tables)
        if unknown:
            raise ValueError(f"{layer}: no companion table {', '.join(sorted(unknown))}")
        for table, columns in tables.items():
            personal = [c for c in columns if c in frame.columns and c not in _KEYS]
            if personal:
                key = columns[0]
                moved = pd.DataFrame(frame[[key, *personal]])
                if table in companions:
                    raise ValueError(f"{layer}: personal fields {', '.join(personal)} both in the layer and in {table}")
                companions[table] = moved
                frame = frame.drop(columns=personal)
        with self._transaction() as tx:
            existing = tx.layers()
            history = tx.read(_HISTORY) if _HISTORY in existing else pd.DataFrame(columns=_HISTORY_COLUMNS)
            previous = [int(v) for v in history.loc[history["layer"] == layer, "version"].dropna()]
            # The version replaced: the last one imported, or 0 for data held before any import (copied).
            kept = max(previous, default=0)
            version = kept + 1
            for table in (layer, *tables):
                if table in existing:
                    tx.keep_as(table, f"{table}__v{kept}")
            for table, columns in tables.items():
                rows = companions.get(table)
                tx.write(table, _empty_table(columns) if rows is None else _personal_table(rows, columns))
            tx.write(layer, frame)
            tx.append(_HISTORY, pd.DataFrame([{
                "imported_at": _now(), "file_name": Path(source).name, "sha256": sha256, "kind": kind,
                "layer": layer, "version": str(version), "rows_in": str(rows_in),
                "rows_rejected": str(rows_rejected), "imported_by": imported_by,
            }]))
        return version

    def set_resettlement_status(self, household_id: str, new_status: str, changed_by: str,
                                expected_status: str | None = None, site_id: str | None = None,
                                note: str | None = None) -> str:
        """Change one household's resettlement status and record the attempt in the audit trail.

        Optimistic concurrency: pass as ``expected_status`` the status the
        editor was shown. If the household's status is no longer that (someone
        else changed it meanwhile), nothing is changed, the refused attempt is
        recorded with ``outcome="conflict"`` and :class:`ConflictError` is
        raised. The check and the change are one transaction (in PostGIS an
        ``UPDATE ... WHERE resettlement_status = <expected>`` under a row
        lock). ``expected_status=None`` changes the status whatever it is.

        ``site_id`` also sets the household's resettlement site in the same
        transaction (a plan proposal confirmed: :mod:`geo.placement`), and
        ``note`` says why; both are kept in the audit row.

        Returns
        -------
        str
            The status before the change.

        Raises
        ------
        ConflictError
            The status is not ``expected_status`` any more.
        KeyError
            No such household.
        """
        from geo.resettlement import STATUSES

        if new_status not in STATUSES:
            raise ValueError(f"unknown resettlement status {new_status!r}; use {', '.join(STATUSES)}")
        if not changed_by:
            raise ValueError("say who makes the change (changed_by)")
        conflict = None
        with self._transaction() as tx:
            try:
                current = tx.lock_value("households", "household_id", household_id, "resettlement_status")
            except KeyError:
                raise KeyError(f"no household {household_id!r} in {self.path}") from None
            current = None if pd.isna(current) else current
            applied = (expected_status is None or _same(current, expected_status)) and tx.set_value(
                "households", "household_id", household_id, "resettlement_status", new_status, current)
            if applied and site_id is not None:
                try:
                    site_before = tx.lock_value("households", "household_id", household_id, "site_id")
                except KeyError:  # the household was found above: its layer has no site column
                    raise ValueError(f"{self.path}: the households layer has no site_id column") from None
                tx.set_value("households", "household_id", household_id, "site_id", site_id,
                             None if pd.isna(site_before) else site_before)
            row = {"household_id": household_id, "old_status": current, "new_status": new_status,
                   "changed_at": _now(), "changed_by": changed_by, "expected_status": expected_status,
                   "outcome": "applied" if applied else "conflict"}
            if site_id is not None or note is not None:  # older audit tables gain the columns on their first use
                row.update(site_id=site_id, note=note)
            tx.append(_AUDIT, pd.DataFrame([row], dtype=object))
            if not applied:
                conflict = ConflictError(household_id, expected_status, current)
        if conflict is not None:  # raised after the commit, so the refusal stays in the audit trail
            raise conflict
        return current

    def value_mappings(self) -> dict[str, str]:
        """The meanings users gave to words an import did not understand, ``{word: meaning}``.

        The latest answer for a word wins; an import passes them on to
        :func:`geo.importer.prepare` so nobody is asked twice.
        """
        table = self.read_table(_VALUES)
        if table.empty:
            return {}
        return dict(zip(table["word"], table["meaning"]))

    def remember_values(self, mappings: dict[str, str], added_by: str = "") -> None:
        """Record value mappings (``{word: meaning}``) used by an import, in one transaction."""
        with self._transaction() as tx:
            table = tx.read(_VALUES) if _VALUES in tx.layers() else pd.DataFrame(columns=["word", "meaning"])
            known = dict(zip(table["word"], table["meaning"]))
            new = {w: m for w, m in mappings.items() if known.get(w) != m}
            if new:
                tx.append(_VALUES, pd.DataFrame({"word": list(new), "meaning": list(new.values()),
                                                 "added_by": added_by, "added_at": _now()}, dtype=object))

    def read_table(self, name: str) -> pd.DataFrame:
        """A non-spatial table of the workspace (empty if it does not exist yet)."""
        if name not in self.layers():
            return pd.DataFrame()
        return self.store.read(name)

    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace (or create) a non-spatial table, in one transaction."""
        with self._transaction() as tx:
            tx.write(name, frame)

    def append_rows(self, name: str, rows: pd.DataFrame) -> None:
        """Append rows to a non-spatial table (created if missing), in one transaction."""
        with self._transaction() as tx:
            tx.append(name, rows)


def copy_workspace(source: str | Path | PgLocation, destination: str | Path | PgLocation) -> list[str]:
    """Copy every table of a workspace or dataset into a new workspace (GeoPackage or PostGIS).

    Layers, their previous versions, the import history, the audit trail,
    accounts and the access log are copied as they are, in one transaction.
    Returns the names of the tables copied.

    Raises
    ------
    FileExistsError
        If the destination already holds a workspace.
    """
    src = Workspace.open(source)
    dst = Workspace.create(destination)
    names = sorted(src.layers())
    with dst._transaction() as tx:
        for name in names:
            tx.write(name, src.audit() if name == _AUDIT else src.store.read(name))
    return names


# ---------------------------------------------------------------------- checking
#: Tables a workspace must hold: a GeoPackage, and a PostGIS schema (created by its migrations).
_REQUIRED_GPKG = ("metadata",)
_REQUIRED_PG = ("metadata", _HISTORY, _AUDIT, "users", "access_log")
_USER_TABLE_COLUMNS = ["username", "password_hash", "role", "communes", "created_at"]
_VERSIONED = re.compile(r"^(?P<layer>.+)__v(?P<version>\d+)$")


def check_workspace(location: str | Path | PgLocation, lang: str = "vi") -> list[str]:
    """What is wrong with a workspace: one line per problem, in ``lang`` ("vi" or "en"); ``[]`` when sound.

    Checks, in order: the store itself (a GeoPackage's ``PRAGMA
    integrity_check``; a PostGIS schema and the tables its migrations create),
    that every version the import history lists exists as a layer, orphans
    (``household_people`` rows without a household, ``<layer>__v<N>`` tables
    the history does not list) and the account table (its columns, no empty
    password hash, only known roles, no name twice). Nothing is written.

    >>> import tempfile, pathlib
    >>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg")
    >>> check_workspace(ws.path)
    []
    >>> ws.replace_table("users", pd.DataFrame({"username": ["a"], "password_hash": [""], "role": ["boss"],
    ...                                         "communes": ["*"], "created_at": [""]}))
    >>> for line in check_workspace(ws.path, "en"): print(line)
    account table: user 'a' has no password hash
    account table: user 'a' has an unknown role 'boss' (use viewer, planner, officer, admin)
    """
    from geo.access import ROLES
    from geo.i18n import t

    location = target(location)
    problems: list[str] = []
    say = lambda key, **fields: problems.append(t(key, lang, **fields))
    if isinstance(location, PgLocation):
        store = PgStore(location)
        try:
            if not store.exists():
                say("ws_no_schema", path=location, schema=location.schema)
                return problems
            present = store.layers()
        except (ConnectionError, OSError) as error:
            say("ws_unreadable", path=location, error=error)
            return problems
        required = _REQUIRED_PG
    else:
        if not location.exists():
            say("ws_missing", path=location)
            return problems
        try:
            for line in _integrity(location):
                say("ws_integrity", path=location, error=line)
            present = _layers(location)
        except Exception as error:  # noqa: BLE001 - not an SQLite file, or one GDAL cannot read
            say("ws_unreadable", path=location, error=str(error).strip() or type(error).__name__)
            return problems
        if problems:
            return problems  # a damaged file: its tables are not to be trusted
        store = GpkgStore(location)
        required = _REQUIRED_GPKG
    for table in required:
        if table not in present:
            say("ws_no_table", table=table)

    history = store.read(_HISTORY) if _HISTORY in present else pd.DataFrame(columns=_HISTORY_COLUMNS)
    listed: dict[str, set[int]] = {}
    for layer, version in zip(history.get("layer", []), history.get("version", [])):
        number = pd.to_numeric(version, errors="coerce")
        if isinstance(layer, str) and pd.notna(number):
            listed.setdefault(layer, set()).add(int(number))
    for layer, versions in sorted(listed.items()):
        current = max(versions)
        for version in sorted(versions):
            name = layer if version == current else f"{layer}__v{version}"
            if name not in present:
                say("ws_version_missing", layer=layer, version=version, table=name)

    for name in sorted(present):
        found = _VERSIONED.match(name)
        if found is None:
            continue
        layer, version = found["layer"], int(found["version"])
        versions = listed.get(_PARENT.get(layer, layer), set())
        if version not in versions and not (version == 0 and versions):  # v0: held before the first import
            say("ws_orphan_version", table=name, layer=_PARENT.get(layer, layer), version=version)

    if PEOPLE in present:
        people = store.read(PEOPLE)
        homes = store.read("households") if "households" in present else pd.DataFrame(columns=["household_id"])
        if "household_id" not in people:
            say("ws_people_columns", table=PEOPLE, columns=", ".join(PEOPLE_COLUMNS))
        elif "household_id" in homes:
            lost = people.loc[people["household_id"].notna() & ~people["household_id"].isin(homes["household_id"]),
                              "household_id"]
            if len(lost):
                say("ws_orphan_people", n=len(lost), table=PEOPLE, examples=", ".join(map(str, lost.head(3))))

    if "users" in present:
        users = store.read("users")
        missing = [c for c in _USER_TABLE_COLUMNS if c not in users]
        if missing:
            say("ws_users_columns", columns=", ".join(missing))
        if "username" in users:
            names = users["username"]
            for name in names[names.isna() | (names.astype(str).str.strip() == "")].index:
                say("ws_user_no_name", row=int(name) + 1)
            for name in sorted(set(names[names.duplicated() & names.notna()])):
                say("ws_user_twice", user=name)
            if "password_hash" in users:
                hashes = users["password_hash"]
                for name in names[hashes.isna() | (hashes.astype(str).str.strip() == "")]:
                    say("ws_user_no_hash", user=name)
            if "role" in users:
                for name, role in zip(names, users["role"]):
                    if role not in ROLES:
                        say("ws_user_role", user=name, role=role, roles=", ".join(ROLES))
    return problems


def _integrity(path: Path) -> list[str]:
    """What SQLite's ``PRAGMA integrity_check`` finds wrong in a GeoPackage (``[]``: nothing), read-only."""
    import sqlite3

    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        lines = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    finally:
        connection.close()
    return [] if lines == ["ok"] else lines
