"""A page's web map in a fragment of its own: what the map reports by itself reruns only the map.

A new map reports its view (bounds) once drawn, and again after every pan or
zoom; with the map in the page's own run, each report ran the whole page once
more (two of the five page runs of a visit). In a fragment, a report reruns
only the map, which sends nothing new to the browser. The map's last report is
kept in the session (:func:`last_report`) for the rest of the page (the
export's "view" extent), and a page reacts to clicks with ``react``, which may
rerun the whole page (``st.rerun()``) when a click changes more than the map.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit_folium import st_folium

from geo.maps import WebMap

__all__ = ["show_map", "last_report"]


@st.fragment
def show_map(make: Callable[[], WebMap], key: str, height: int, returned: list[str],
             react: Callable[[dict], None]) -> None:
    """Draw the map ``make()`` builds (its base kept in the browser, its layers redrawn in place), keep what it
    reports under ``key``, then ``react(report)``.

    The map is built on every run of the fragment: drawing a map changes it (its layers join its base), so the
    same map drawn twice would be a new map to the browser.
    """
    web = make()
    report = st_folium(web.base, feature_group_to_add=web.layers, height=height, use_container_width=True, key=key,
                       render=False, returned_objects=returned) or {}
    st.session_state[f"{key}-report"] = report
    react(report)


def last_report(key: str) -> dict:
    """What the map under ``key`` last reported (its ``bounds``, the last click ...); empty before it did."""
    return st.session_state.get(f"{key}-report") or {}
