"""Work shared by every session of the app process, done once per dataset version.

The figures a page shows depend on the data, the filters and the user's
communes, never on who else is looking. Each function here keeps its result
per (dataset location, revision, arguments) in Streamlit's resource cache, so
ten officers opening the same page cost one computation, and a change to the
data (a new revision; log entries such as logins leave it) is computed afresh.
The results are shared objects: pages read them and never change them.
The computations themselves are :mod:`geo`'s, the same for the CLI and exports.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import pandas as pd
import streamlit as st

from geo import status, zoneversions
from geo.access import User
from geo.dataset import Dataset
from geo.risk import RiskFilter, RiskView, risk_view

__all__ = ["view_for", "impact", "province_summary", "commune_status", "status_grid", "status_change", "trajectory",
           "commune_profile", "hazard_changes"]

P = ParamSpec("P")
R = TypeVar("R")


@st.cache_resource(max_entries=256, show_spinner=False)
def _kept_table(_compute: Callable[[], object], name: str, path: str, revision: str, arguments: tuple) -> object:
    """The result of ``_compute()``, once per (function ``name``, dataset ``path`` and ``revision``, ``arguments``)."""
    return _compute()


@st.cache_resource(max_entries=24, show_spinner=False)  # a view holds its households: a few MB each
def _kept_view(_compute: Callable[[], object], name: str, path: str, revision: str, arguments: tuple) -> object:
    """As :func:`_kept_table`, for risk views."""
    return _compute()


def _per_version(function: Callable[P, R], kept: Callable[..., object] = _kept_table) -> Callable[P, R]:
    """``function(ds, *arguments)`` computed once per dataset version and arguments, for every session."""
    name = f"{function.__module__}.{function.__qualname__}"

    @wraps(function)
    def shared(ds: Dataset, *arguments, **options) -> R:
        return kept(lambda: function(ds, *arguments, **options), name, str(ds.path), ds.revision,
                    (arguments, tuple(sorted(options.items()))))
    return shared


province_summary = _per_version(status.province_summary)
commune_status = _per_version(status.commune_status)
status_grid = _per_version(status.status_grid)
status_change = _per_version(status.status_change)
trajectory = _per_version(status.trajectory)
commune_profile = _per_version(status.commune_profile)
hazard_changes = _per_version(zoneversions.hazard_changes)  # every household: a page scopes it to its user


def _view_of(ds: Dataset, flt: RiskFilter, role: str | None, communes: tuple[str, ...] | None) -> RiskView:
    return risk_view(ds, flt, None if communes is None else User("", role or "", frozenset(communes)))


def _impact_of(ds: Dataset, flt: RiskFilter, role: str | None, communes: tuple[str, ...] | None,
               by: str | None) -> pd.DataFrame:
    return _risk_view(ds, flt, role, communes).impact(by)


_risk_view = _per_version(_view_of, _kept_view)
_impact = _per_version(_impact_of)


def _scope(user: User | None) -> tuple[str | None, tuple[str, ...] | None]:
    """What of ``user`` a view depends on: their communes, sorted (a set's order would change the cache key)."""
    return (None, None) if user is None or user.communes is None else (user.role, tuple(sorted(user.communes)))


def view_for(ds: Dataset, flt: RiskFilter, user: User | None) -> RiskView:
    """The risk view of ``flt`` for ``user``: shared by every user with the same communes (only they matter)."""
    return _risk_view(ds, flt, *_scope(user))


def impact(ds: Dataset, flt: RiskFilter, user: User | None, by: str | None) -> pd.DataFrame:
    """The impact summary of :func:`view_for`'s view (:meth:`geo.risk.RiskView.impact`), kept like it."""
    return _impact(ds, flt, *_scope(user), by)
