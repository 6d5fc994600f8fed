"""The workspace: one GeoPackage that holds the province's data, written safely.

* Every write is a transaction on a copy: under an exclusive lock, the
  workspace is copied beside itself, changed, flushed to disk and atomically
  renamed over the original. A process killed half-way leaves the workspace
  exactly as it was (and a stray ``.tmp`` copy that the next write removes);
  two writers at once queue, and neither loses the other's change.
* Re-importing a layer keeps the previous version as ``<layer>__v<N>``;
  ``layer_versions`` lists them and :meth:`Workspace.read_layer` reads any.
* ``import_history`` records every import (when, file, SHA-256, kind, rows in,
  rows rejected, by whom); ``resettlement_audit`` every change of a
  household's resettlement status (old, new, when, by whom).
* The demo dataset is a read-only workspace.

Examples
--------
>>> import tempfile, pathlib
>>> ws = Workspace.create(pathlib.Path(tempfile.mkdtemp()) / "ws.gpkg")
>>> ws.history().empty, ws.read_only
(True, False)
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.demo import DEMO_PATH

__all__ = ["Workspace", "ReadOnlyWorkspace", "DEFAULT_WORKSPACE"]

DEFAULT_WORKSPACE = DEMO_PATH.parent.parent / "workspace.gpkg"
_HISTORY = "import_history"
_VERSIONS = "layer_versions"
_AUDIT = "resettlement_audit"
_HISTORY_COLUMNS = ["imported_at", "file_name", "sha256", "kind", "layer", "version", "rows_in", "rows_rejected",
                    "imported_by"]
_AUDIT_COLUMNS = ["household_id", "old_status", "new_status", "changed_at", "changed_by"]


class ReadOnlyWorkspace(PermissionError):
    """Raised on a write to a read-only workspace (the demo dataset)."""


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def _layers(path: Path) -> set[str]:
    return set(pyogrio.list_layers(path)[:, 0]) if path.exists() else set()


@dataclass(frozen=True)
class Workspace:
    """A workspace GeoPackage. Use :meth:`open` or :meth:`create`."""

    path: Path
    read_only: bool = False

    @classmethod
    def open(cls, path: str | Path | None = None) -> Workspace:
        """Open a workspace; ``None`` opens the demo dataset, read-only."""
        if path is None:
            return cls(DEMO_PATH, read_only=True)
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no workspace here (create it with `python -m geo import ... "
                                    f"--workspace {path}`, which starts an empty one)")
        return cls(path, read_only=path.resolve() == DEMO_PATH.resolve())

    @classmethod
    def create(cls, path: str | Path) -> Workspace:
        """Start an empty workspace at ``path`` (which must not exist)."""
        path = Path(path)
        if path.exists():
            raise FileExistsError(f"{path}: already exists")
        if path.resolve() == DEMO_PATH.resolve():
            raise ReadOnlyWorkspace(f"{path}: the demo dataset is read-only")
        path.parent.mkdir(parents=True, exist_ok=True)
        metadata = pd.DataFrame({"key": ["demo", "label", "created"], "value": ["false", "", _now()]})
        tmp = cls._tmp_path(path)
        pyogrio.write_dataframe(metadata, tmp, layer="metadata", driver="GPKG")
        pyogrio.write_dataframe(pd.DataFrame({c: pd.Series(dtype="str") for c in _HISTORY_COLUMNS}), tmp,
                                layer=_HISTORY, driver="GPKG")
        pyogrio.write_dataframe(pd.DataFrame({c: pd.Series(dtype="str") for c in _AUDIT_COLUMNS}), tmp,
                                layer=_AUDIT, driver="GPKG")
        cls._commit(tmp, path)
        return cls(path)

    @staticmethod
    def _tmp_path(path: Path) -> Path:
        # Unique per write (process, thread, random), and ending in .gpkg for GDAL.
        return path.with_name(f".{path.stem}.{os.getpid()}-{uuid.uuid4().hex[:12]}.tmp{path.suffix}")

    @staticmethod
    def _commit(tmp: Path, path: Path) -> None:
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)  # atomic on one file system
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    @contextmanager
    def _transaction(self) -> Iterator[Path]:
        """Hold the workspace's write lock and yield a fresh copy to change; commit on success.

        Writers queue on an exclusive lock (``fcntl.flock`` on ``<name>.lock``), so each
        one copies the workspace as the previous one left it: no write is lost. While
        the lock is held no other write runs, so any temporary copy or SQLite journal
        lying beside the workspace was left by a killed write and is removed.
        """
        if self.read_only:
            raise ReadOnlyWorkspace(f"{self.path}: the demo dataset is read-only; import into a workspace of "
                                    f"your own with --workspace PATH")
        with open(self.path.with_name(f".{self.path.name}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for stale in self.path.parent.glob(f".{self.path.stem}.*.tmp{self.path.suffix}*"):
                stale.unlink(missing_ok=True)
            tmp = self._tmp_path(self.path)
            try:
                shutil.copyfile(self.path, tmp)
                yield tmp
                self._commit(tmp, self.path)
            finally:
                tmp.unlink(missing_ok=True)
                Path(f"{tmp}-journal").unlink(missing_ok=True)

    def layers(self) -> set[str]:
        return _layers(self.path)

    def history(self) -> pd.DataFrame:
        """The import history, newest last."""
        if _HISTORY not in self.layers():
            return pd.DataFrame(columns=_HISTORY_COLUMNS)
        return pyogrio.read_dataframe(self.path, layer=_HISTORY)

    def audit(self) -> pd.DataFrame:
        """Every change of a household's resettlement status, oldest first."""
        if _AUDIT not in self.layers():
            return pd.DataFrame(columns=_AUDIT_COLUMNS)
        return pyogrio.read_dataframe(self.path, layer=_AUDIT)

    def versions(self, layer: str) -> list[int]:
        """Versions of ``layer`` held (the current one last)."""
        history = self.history()
        return sorted(int(v) for v in history.loc[history["layer"] == layer, "version"].dropna())

    def read_layer(self, layer: str, version: int | None = None) -> pd.DataFrame:
        """A layer, the current version or an earlier one."""
        name = layer
        if version is not None and version != (self.versions(layer) or [None])[-1]:
            name = f"{layer}__v{version}"
        if name not in self.layers():
            raise KeyError(f"{self.path}: no layer {name!r}")
        return pyogrio.read_dataframe(self.path, layer=name)

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
    ) -> int:
        """Replace ``layer`` with ``frame`` in one transaction; returns the new version.

        The previous version, if any, is kept as ``<layer>__v<N>``.
        """
        with self._transaction() as tmp:
            existing = _layers(tmp)
            history = pyogrio.read_dataframe(tmp, layer=_HISTORY) if _HISTORY in existing else pd.DataFrame(
                columns=_HISTORY_COLUMNS)
            previous = [int(v) for v in history.loc[history["layer"] == layer, "version"].dropna()]
            version = max(previous, default=0) + 1
            if layer in existing and previous:
                old = pyogrio.read_dataframe(tmp, layer=layer)
                pyogrio.write_dataframe(old, tmp, layer=f"{layer}__v{max(previous)}", driver="GPKG")
            pyogrio.write_dataframe(frame, tmp, layer=layer, driver="GPKG", layer_options={"OVERWRITE": "YES"})
            row = pd.DataFrame([{
                "imported_at": _now(), "file_name": source.name, "sha256": sha256, "kind": kind, "layer": layer,
                "version": str(version), "rows_in": str(rows_in), "rows_rejected": str(rows_rejected),
                "imported_by": imported_by,
            }])
            pyogrio.write_dataframe(row, tmp, layer=_HISTORY, driver="GPKG", append=_HISTORY in existing)
        return version

    def set_resettlement_status(self, household_id: str, new_status: str, changed_by: str) -> None:
        """Change one household's resettlement status and record it in the audit trail."""
        from geo.resettlement import STATUSES

        if new_status not in STATUSES:
            raise ValueError(f"unknown resettlement status {new_status!r}; use {', '.join(STATUSES)}")
        if not changed_by:
            raise ValueError("say who makes the change (changed_by)")
        with self._transaction() as tmp:
            homes = gpd.read_file(tmp, layer="households")
            hit = homes["household_id"] == household_id
            if not hit.any():
                raise KeyError(f"no household {household_id!r} in {self.path}")
            old = homes.loc[hit, "resettlement_status"].iloc[0]
            homes.loc[hit, "resettlement_status"] = new_status
            pyogrio.write_dataframe(homes, tmp, layer="households", driver="GPKG", layer_options={"OVERWRITE": "YES"})
            row = pd.DataFrame([{"household_id": household_id, "old_status": old, "new_status": new_status,
                                 "changed_at": _now(), "changed_by": changed_by}])
            pyogrio.write_dataframe(row, tmp, layer=_AUDIT, driver="GPKG", append=_AUDIT in _layers(tmp))

    def read_table(self, name: str) -> pd.DataFrame:
        """A non-spatial table of the workspace (empty if it does not exist yet)."""
        if name not in self.layers():
            return pd.DataFrame()
        return pyogrio.read_dataframe(self.path, layer=name)

    def replace_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace (or create) a non-spatial table, in one transaction."""
        with self._transaction() as tmp:
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", layer_options={"OVERWRITE": "YES"})

    def append_rows(self, name: str, rows: pd.DataFrame) -> None:
        """Append rows to a non-spatial table (created if missing), in one transaction."""
        with self._transaction() as tmp:
            pyogrio.write_dataframe(rows, tmp, layer=name, driver="GPKG", append=name in _layers(tmp))
