"""A page's web map in a fragment of its own: what the map reports by itself reruns only the map.

A new map reports its view (bounds) once drawn, and again after every pan or
zoom; with the map in the page's own run, each report ran the whole page once
more (two of the five page runs of a visit). In a fragment, a report reruns
only the map, which sends nothing new to the browser, and the map is not made
again: what it draws (its :class:`~geo.maps.MapPlan`) is kept in the session
with the arguments it was made from, and rebuilt as it was while they are the
same. The map's last report is kept in the session (:func:`last_report`) for
the rest of the page (the export's "view" extent), and a page reacts to clicks
with ``react``, which may rerun the whole page (``st.rerun()``) when a click
changes more than the map.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st
from streamlit_folium import st_folium


__all__ = ["show_map", "last_report"]

_VALUES = (str, int, float, bool, tuple, list, set, frozenset, type(None))


def _call_key(make: partial) -> tuple:
    """What a map maker (``functools.partial``) makes the map from: its function, the values among its arguments
    (filters, language) and the other arguments by identity, with the revision of those that have one (a
    dataset). Two makers with equal keys make the same map while the first is kept (so its objects live on).

    >>> import pandas as pd
    >>> table = pd.DataFrame({"x": [1]})
    >>> _call_key(partial(len, table, "vi")) == _call_key(partial(len, table, "vi"))
    True
    >>> _call_key(partial(len, table, "vi")) == _call_key(partial(len, table.copy(), "vi"))  # a copy: made again
    False
    >>> _call_key(partial(len, table, "vi")) == _call_key(partial(len, table, "en"))
    False
    """
    def part(x: object) -> object:
        return (type(x), x) if isinstance(x, _VALUES) else (id(x), getattr(x, "revision", None))
    return (id(make.func), tuple(map(part, make.args)), tuple((k, part(v)) for k, v in sorted(make.keywords.items())))


@st.fragment
def show_map(make: partial, key: str, height: int, returned: list[str],
             react: Callable[[dict], None]) -> None:
    """Draw the map ``make()`` makes (its base kept in the browser, its layers redrawn in place), keep what it
    reports under ``key``, then ``react(report)``.

    A map is drawn with new folium objects on every run (drawing a map changes them: its layers join its base,
    and the same objects drawn twice would be a new map to the browser); when ``make`` is the same call as last
    time, they are built from the plan kept then instead of making the map again.
    """
    kept = st.session_state.get(f"{key}-plan")  # (maker, its key then, the plan it made)
    call = _call_key(make)
    if kept is not None and kept[1] == call:
        web = kept[2].web()
    else:
        web = make()
        st.session_state[f"{key}-plan"] = (make, call, web.plan)
    report = st_folium(web.base, feature_group_to_add=web.layers, height=height, use_container_width=True, key=key,
                       render=False, returned_objects=returned) or {}
    st.session_state[f"{key}-report"] = report
    react(report)


def last_report(key: str) -> dict:
    """What the map under ``key`` last reported (its ``bounds``, the last click ...); empty before it did."""
    return st.session_state.get(f"{key}-report") or {}
