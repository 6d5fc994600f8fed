"""What a new version of the hazard zones changed for the households.

Each import of hazard zones into a workspace keeps the version before it.
:func:`hazard_changes` compares two of them: the households whose highest
level of some type differs, each placed in the commune its point lies in
(the same assignment as every other count, :func:`geo.risk.flagged_register`),
and per commune how many were raised, lowered, came to the chosen level or
above, or left it. The risk page and ``python -m geo hazard-changes`` both call it.

Examples
--------
>>> from geo.dataset import load
>>> zone_versions(load())  # the demo's zones were never imported: nothing to compare
[]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.access import User, within_scope
from geo.dataset import Dataset
from geo.hazards import changed_between
from geo.i18n import Refusal
from geo.risk import COMMUNE, flagged_register
from geo.workspace import Workspace

__all__ = ["HazardChanges", "zone_versions", "hazard_changes", "CHANGE_COLUMNS"]

#: Per-commune counts of :meth:`HazardChanges.by_commune`, in order.
CHANGE_COLUMNS = ("households_changed", "households_raised", "households_lowered", "households_entered",
                  "households_left")


def zone_versions(ds: Dataset) -> list[int]:
    """Versions of the hazard zones ``ds``'s workspace holds, oldest first (none before a first import)."""
    return Workspace.open(ds.path).versions("hazard_zones")


@dataclass(frozen=True)
class HazardChanges:
    """Households whose hazard levels differ between zone versions ``old`` and ``new``.

    ``households`` holds one row per changed household: its fields, the
    commune its point lies in (``ma_xa_located``), and ``old_``/``new_`` of
    every level column and of ``max_level``. ``compared`` holds the located
    commune of every household compared, changed or not.
    """

    old: int
    new: int
    households: pd.DataFrame
    compared: pd.DataFrame

    def scoped(self, user: User | None) -> HazardChanges:
        """The changes in ``user``'s communes (all of them for an administrator or without accounts)."""
        return HazardChanges(self.old, self.new, within_scope(user, self.households),
                             within_scope(user, self.compared))

    def by_commune(self, min_level: int = 4) -> pd.DataFrame:
        """Per commune (located), households changed, raised, lowered, now at ``min_level`` or above
        (``entered``) and no longer (``left``), with a ``province`` row that adds up.

        >>> changes = HazardChanges(1, 2, pd.DataFrame({"ma_xa_located": ["A", "A", "B"],
        ...     "old_max_level": [2, 5, 0], "new_max_level": [4, 3, 1]}), pd.DataFrame())
        >>> changes.by_commune(4).to_numpy().tolist()
        [[2, 1, 1, 1, 1], [1, 1, 0, 0, 0], [3, 2, 1, 1, 1]]
        """
        old = self.households["old_max_level"].to_numpy()
        new = self.households["new_max_level"].to_numpy()
        counts = pd.DataFrame(dict(zip(CHANGE_COLUMNS, (
            1, new > old, new < old, (new >= min_level) & (old < min_level), (old >= min_level) & (new < min_level),
        ))), index=self.households.index).astype(np.int64)
        table = counts.groupby(self.households[COMMUNE].to_numpy()).sum()
        table.loc["province"] = table.sum()
        return table.rename_axis(COMMUNE)


def hazard_changes(ds: Dataset, old: int | None = None, new: int | None = None,
                   buffer_m: float = 0.0) -> HazardChanges:
    """Compare zone versions ``old`` and ``new`` of ``ds``'s workspace (default: the last two).

    Raises :class:`~geo.i18n.Refusal` (``cli_err_versions``) when the two are not
    versions the workspace holds, in that order.
    """
    versions = zone_versions(ds)
    new = new if new is not None else (versions[-1] if versions else None)
    older = [v for v in versions if new is not None and v < new]
    old = old if old is not None else (older[-1] if older else None)
    if old is None or new is None or old not in versions or new not in versions or old >= new:
        raise Refusal("cli_err_versions", path=ds.path, versions=", ".join(map(str, versions)) or "–")
    workspace = Workspace.open(ds.path)
    households = ds.households.assign(**{COMMUNE: flagged_register(ds)[COMMUNE].to_numpy()})
    changed = changed_between(households, workspace.read_layer("hazard_zones", old),
                              workspace.read_layer("hazard_zones", new), buffer_m=buffer_m)
    first = [c for c in ("household_id", COMMUNE, "village_id", "old_max_level", "new_max_level") if c in changed]
    return HazardChanges(old, new, changed[first + [c for c in changed if c not in first]], households[[COMMUNE]])

