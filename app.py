"""Streamlit front end: widgets and layout only; every figure comes from ``geo``.

Three pages (``ui/``): planners' indicator map, disaster officers' hazard and
resettlement map, and the import page. Each runs inside an error boundary that
logs an unexpected failure with an incident id and shows one translated line.
Start with ``bash scripts/run`` (see the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from geo.access import Accounts
from geo.dataset import load
from geo.i18n import t
from geo.maps import LayerStore, install_assets
from geo.workspace import DEFAULT_WORKSPACE, Workspace, exists as workspace_exists, target
from ui import imports, indicators, risk
from ui.accounts import password_change, signed_in
from ui.common import guarded, workspace_status
from ui.context import Context

HERE = Path(__file__).resolve().parent
PAGES = {"indicators": indicators.page, "risk": risk.page, "import": imports.page}

st.set_page_config(page_title="Cao Bằng DTTS&MN 2021-2025", page_icon="🗺️", layout="wide")


@st.cache_resource
def _assets() -> LayerStore:
    """Leaflet's files, and where the maps publish their layers (a secret of this process in each URL)."""
    install_assets(HERE / "static")
    return LayerStore(HERE / "static" / "layers", "app/static/layers", os.urandom(32))


def main() -> None:
    """One run of the script: language, sign-in, data source, page; then the page in its boundary."""
    layers = _assets()
    # A GeoPackage path or a postgresql:// URL (one database shared by several app processes).
    workspace = target(os.environ.get("GEO_WORKSPACE") or DEFAULT_WORKSPACE)
    lang = st.sidebar.radio("Ngôn ngữ / Language", ["vi", "en"], horizontal=True,
                            format_func={"vi": "Tiếng Việt", "en": "English"}.get, key="lang")
    accounts = Accounts(Workspace.open(workspace)) if workspace_exists(workspace) else None
    user = signed_in(accounts, lang)
    if user is None:  # demo mode: the demo data only
        ds = load(None)
    else:
        source = st.sidebar.radio(t("data_source", lang), ["workspace", "demo"], key="source",
                                  format_func=lambda v: t(f"source_{v}", lang))
        ds = load(workspace if source == "workspace" else None)
    probe = Context(lang, ds, user, accounts, workspace, "", "none", None, HERE / "static")
    views = ["indicators", "risk"] + (["import"] if probe.may_import else [])
    if st.session_state.get("view") not in views:
        st.session_state["view"] = "indicators"
    view = st.sidebar.radio(t("view", lang), views, key="view", format_func=lambda v: t(f"view_{v}", lang))
    local_tiles = os.environ.get("GEO_LOCAL_TILES") or None
    basemaps = ["none", "osm"] + (["local"] if local_tiles else [])
    basemap = st.sidebar.selectbox(t("basemap", lang), basemaps, key="basemap",
                                   format_func=lambda b: t(f"basemap_{b}", lang))
    ctx = Context(lang, ds, user, accounts, workspace, view, basemap, local_tiles, HERE / "static", layers)
    password_change(ctx)

    st.title(t("app_title", lang))
    if ds.is_demo:
        st.warning(f"**{ds.label}** — {t('demo_banner', lang)}")
    if user is None and accounts is not None and accounts.has_users():
        st.info(t("demo_mode_login", lang))
    elif user is None:
        st.info(t("demo_mode", lang))
    if not ds.is_demo and view != "import":
        workspace_status(ctx)
    guarded(PAGES[view], ctx)


main()
