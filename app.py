"""Streamlit front end: widgets and layout only; every figure comes from ``geo``.

Two pages: planners' indicator map (status of every commune against the 2025
targets) and disaster officers' hazard and resettlement map. Start with
``bash scripts/run`` (see the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.catalogue import THEMES, load_catalogue
from geo.dataset import load
from geo.importer import KINDS, commit, known_to, prepare
from geo.access import AccessError, Accounts, User, can, household_counts, scope_households
from geo.workspace import DEFAULT_WORKSPACE, ConflictError, Workspace, exists as workspace_exists, target
from geo.hazards import HAZARD_TYPES, flag_register
from geo.i18n import TEXT, fmt_count, t
from geo.indicators import STATUSES
from geo.dataexport import FORMATS as DATA_FORMATS, export_table, with_personal_fields
from geo.mapexport import FORMATS as MAP_FORMATS, PAPERS, atlas, indicator_figure, risk_figure, save_figure
from geo.maps import commune_code_in, indicator_map, install_assets, risk_map, with_lonlat
from geo.resettlement import FORMS, STATUSES as RESETTLEMENT_STATUSES, check_sites, path_by_year, progress
from geo.risk import filter_register, nearest_household
from geo.status import commune_profile, commune_status, province_summary, status_grid, trajectory
from geo.style import STATUS_COLOURS

HERE = Path(__file__).resolve().parent
# A GeoPackage path or a postgresql:// URL (one database shared by several app processes).
WORKSPACE = target(os.environ.get("GEO_WORKSPACE") or DEFAULT_WORKSPACE)
LOCAL_TILES = os.environ.get("GEO_LOCAL_TILES") or None
PUBLIC_COLUMNS = ["household_id", "ma_xa", "ma_xa_located", "village_id", "ethnicity", "members", "poor",
                  "scattered", "level", "level_landslide", "level_flash_flood", "level_tube_flood",
                  "resettlement_status", "resettlement_form", "resettlement_date", "site_id", "assignment", "mismatch"]

st.set_page_config(page_title="Cao Bằng DTTS&MN 2021-2025", page_icon="🗺️", layout="wide")


@st.cache_resource
def _assets() -> None:
    install_assets(HERE / "static")


@st.cache_resource(show_spinner=False, max_entries=8)  # shared, not copied: callers never modify it
def _flagged(path, revision: str, buffer_m: float):  # keyed on the data's revision: re-read when it changes
    ds = load(path)
    return with_lonlat(flag_register(ds.households, ds.zones, ds.communes(2020), buffer_m=buffer_m))


_assets()
catalogue = load_catalogue()

lang = st.sidebar.radio("Ngôn ngữ / Language", ["vi", "en"], horizontal=True,
                        format_func={"vi": "Tiếng Việt", "en": "English"}.get, key="lang")
def _sso_configured() -> bool:
    """Whether the department configured OIDC single sign-on ([auth] in .streamlit/secrets.toml)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def _single_sign_on(accounts: Accounts) -> User | None:
    """Single sign-on through Streamlit's OIDC support, when configured.

    The identity provider vouches for the e-mail address; the account with that
    address as its user name decides the role and communes. No account, no access.
    """
    if not _sso_configured():
        return None
    if not st.user.is_logged_in:
        st.sidebar.button(t("login_sso", lang), on_click=st.login)
        return None
    user = accounts.get(st.user.email)
    if user is None:
        st.sidebar.error(t("sso_no_account", lang))
        st.sidebar.button(t("logout", lang), on_click=st.logout)
        return None
    st.sidebar.caption(f"{user.username} ({t(f'role_{user.role}', lang)})")
    st.sidebar.button(t("logout", lang), on_click=st.logout, key="sso-logout")
    return user


def _signed_in(accounts: Accounts | None) -> User | None:
    """The signed-in user; None in demo mode (no workspace, or no account yet)."""
    if accounts is None:
        return None
    if not accounts.has_users():  # first run: the first account is the admin
        with st.sidebar.form("first-admin"):
            st.write(t("first_admin", lang))
            name = st.text_input(t("username", lang))
            password = st.text_input(t("password", lang), type="password")
            if st.form_submit_button(t("create", lang)):
                try:
                    accounts.create_first_admin(name.strip(), password)
                    st.session_state["session"] = accounts.login(name.strip(), password)
                    st.rerun()
                except (AccessError, ValueError) as exc:
                    st.error(str(exc))
        return None
    sso = _single_sign_on(accounts)
    if sso is not None:
        return sso
    session = st.session_state.get("session")
    if session is not None:
        try:
            user = accounts.user(session)
        except AccessError as exc:  # expired, or the account was removed
            st.session_state.pop("session")
            st.sidebar.warning(str(exc))
        else:
            st.sidebar.caption(f"{user.username} ({t(f'role_{user.role}', lang)})")
            if st.sidebar.button(t("logout", lang)):
                st.session_state.pop("session")
                st.rerun()
            return user
    with st.sidebar.form("login"):
        name = st.text_input(t("username", lang), key="login-user")
        password = st.text_input(t("password", lang), type="password", key="login-password")
        if st.form_submit_button(t("login", lang)):
            try:
                st.session_state["session"] = accounts.login(name.strip(), password)
                st.rerun()
            except AccessError as exc:
                st.error(str(exc))
    return None


accounts = Accounts(Workspace.open(WORKSPACE)) if workspace_exists(WORKSPACE) else None
user = _signed_in(accounts)
if user is None:  # demo mode: the demo data only
    ds = load(None)
    views = ["indicators", "risk"] + (["import"] if accounts is None or not accounts.has_users() else [])
else:
    source = st.sidebar.radio(t("data_source", lang), ["workspace", "demo"], key="source",
                              format_func=lambda v: t(f"source_{v}", lang))
    ds = load(WORKSPACE if source == "workspace" else None)
    views = ["indicators", "risk"] + (["import"] if can(user, "import") else [])
view = st.sidebar.radio(t("view", lang), views, key="view", format_func=lambda v: t(f"view_{v}", lang))
basemaps = ["none", "osm"] + (["local"] if LOCAL_TILES else [])
basemap = st.sidebar.selectbox(t("basemap", lang), basemaps, key="basemap",
                               format_func=lambda b: t(f"basemap_{b}", lang))

st.title(t("app_title", lang))
if ds.is_demo:
    st.warning(f"**{ds.label}** — {t('demo_banner', lang)}")
if user is None and accounts is not None and accounts.has_users():
    st.info(t("demo_mode_login", lang))
elif user is None:
    st.info(t("demo_mode", lang))


_MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml", "csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
         "kml": "application/vnd.google-earth.kml+xml"}


def _file_bytes(write, suffix: str) -> bytes:
    """Run ``write(path)`` into a temporary file and return its bytes (for a download button)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{suffix}"
        write(path)
        return path.read_bytes()


def _export_panel(page: str, figure, table, communes: list[str], bounds: dict | None, personal: bool = False,
                  atlas_pages=None) -> None:
    """Map image, data and commune atlas downloads of what is on screen (built only when clicked)."""
    with st.expander(t("export", lang)):
        a, b, c, d = st.columns(4)
        fmt = a.selectbox(t("format", lang), MAP_FORMATS, key=f"{page}-fmt")
        paper = b.selectbox(t("paper", lang), list(PAPERS), key=f"{page}-paper", format_func=str.upper)
        dpi = c.selectbox(t("dpi", lang), [150, 300], key=f"{page}-dpi")
        landscape = d.checkbox(t("landscape", lang), key=f"{page}-landscape")
        labels = d.checkbox(t("labels", lang), key=f"{page}-labels")
        extents = ["province"] + (["selection"] if communes else []) + (["view"] if bounds else [])
        extent = st.radio(t("extent", lang), extents, horizontal=True, key=f"{page}-extent",
                          format_func=lambda e: t(f"extent_{e}", lang))
        where = {"communes": communes if extent == "selection" else None,
                 "bbox": _bbox(bounds) if extent == "view" else None}
        options = {"paper": paper, "landscape": landscape, "lang": lang, "labels": labels, **where}
        _prepared_download(f"{page}-map", t("download_map", lang), f"{page}_map.{fmt}",
                           lambda: _file_bytes(lambda p: save_figure(figure(**options), p, dpi=dpi), fmt))
        data_fmt = st.selectbox(t("format", lang), DATA_FORMATS, key=f"{page}-data-fmt")
        _prepared_download(f"{page}-data", t("download_data", lang), f"{page}_table.{data_fmt}",
                           lambda: _file_bytes(lambda p: table(p, personal), data_fmt))
        if atlas_pages is not None:  # one page per commune: the chosen ones, else all (about 0.5 s a page)
            _prepared_download(f"{page}-atlas", t("atlas", lang), f"{page}_atlas.pdf",
                               lambda: _file_bytes(atlas_pages, "pdf"))


def _prepared_download(key: str, label: str, file_name: str, make) -> None:
    """A "prepare" button that builds the file once, then its download button.

    The file is built only on request and kept in the session, so reruns (a map
    pan, another filter) never leave a button pointing at a file that is gone.
    The prepared file is dropped when what it would contain changes.
    """
    signature = (file_name, repr(st.session_state.get("filters-signature")))
    if st.button(f"{t('prepare', lang)}: {label.lower()}", key=f"{key}-prepare"):
        with st.spinner(t("preparing", lang)):
            st.session_state[key] = (signature, make())
    prepared = st.session_state.get(key)
    if prepared and prepared[0] == signature:
        st.download_button(label, prepared[1], file_name, _MIME[file_name.rsplit(".", 1)[1]], key=f"{key}-download")


def _bbox(bounds: dict) -> tuple[float, float, float, float]:
    south_west, north_east = bounds["_southWest"], bounds["_northEast"]
    return south_west["lng"], south_west["lat"], north_east["lng"], north_east["lat"]


def _status_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(status=frame["status"].map(lambda s: t(s, lang)))


def indicators_page() -> None:
    themes = st.sidebar.selectbox(t("theme", lang), THEMES, key="theme", format_func=lambda th: t(th, lang))
    in_theme = [i for i, ind in catalogue.items() if ind.theme == themes]
    indicator = st.sidebar.selectbox(t("indicator", lang), in_theme, key="indicator",
                                     format_func=lambda i: f"{i}. {catalogue[i].name(lang)}")
    year = st.sidebar.select_slider(t("year", lang), options=list(range(2020, 2026)), value=2025, key="year")
    units = st.sidebar.radio(t("units", lang), ["2020", "2025"], key="units",
                             format_func=lambda u: t(f"units_{u}", lang))
    ind = catalogue[indicator]
    st.session_state["filters-signature"] = (view, indicator, year, units, lang)

    summary = province_summary(ds, year, lang).set_index("indicator_id")
    cards = st.columns(4)
    row = summary.loc[indicator]
    cards[0].metric(t("province_status", lang), t(row["status"], lang),
                    help=f"{ind.name(lang)}: {row['value']:.2f} / {t('target', lang)} {row['target_value']:.2f}"
                    if pd.notna(row["value"]) and pd.notna(row["target_value"]) else None)
    for card, key, label in ((cards[1], "3a", "communes_leaving"), (cards[2], "3b", "villages_leaving")):
        leaving = summary.loc[key]
        value = "–" if pd.isna(leaving["value"]) else f"{int(leaving['value'])} {t('of', lang)} {int(catalogue[key].target)}"
        card.metric(t(label, lang), value)
    behind = int((summary["status"] == "behind").sum())
    cards[3].metric(t("indicators_behind", lang), f"{behind} / {len(summary)}")

    table = commune_status(ds, indicator, year, units)
    title = f"{ind.name(lang)} — {year}"
    left, right = st.columns([3, 2])
    with left:
        m = indicator_map(ds, table, title, units, lang, basemap, LOCAL_TILES)
        clicked = st_folium(m, height=560, use_container_width=True, key=f"imap-{units}", render=False,
                            returned_objects=["last_object_clicked_tooltip", "bounds"])
        code = commune_code_in((clicked or {}).get("last_object_clicked_tooltip"))
        if code and code != st.session_state.get("last_clicked"):
            st.session_state["last_clicked"] = code
            st.session_state[f"profile-{units}"] = code
    with right:
        st.subheader(t("furthest_behind", lang))
        shown = _status_text(table)[["ma_xa", "name_vi", "value", "expected", "target_value", "status", "gap",
                                     "years_needed"]]
        number = {c: st.column_config.NumberColumn(t(c if c != "target_value" else "target", lang), format="%.1f")
                  for c in ("value", "expected", "target_value", "gap", "years_needed")}
        st.dataframe(shown, hide_index=True, height=520,
                     column_config={"ma_xa": st.column_config.TextColumn(t("code", lang)),
                                    "name_vi": t("commune", lang), "status": t("status", lang), **number})

    names = ds.communes(int(units)).set_index("ma_xa")["name_vi"]
    commune = st.session_state.get(f"profile-{units}", names.index[0])
    st.subheader(f"{t('profile', lang)}: {names.get(commune, commune)} ({commune})")
    commune = st.selectbox(t("profile_hint", lang), list(names.index), key=f"profile-{units}",
                           format_func=lambda c: f"{names[c]} ({c})")
    profile = commune_profile(ds, commune, year, units, lang)
    a, b = st.columns([3, 2])
    a.dataframe(_status_text(profile)[["indicator_id", "name", "value", "target_value", "expected", "status", "gap"]],
                hide_index=True, height=420)
    path = trajectory(ds, indicator, commune, units).set_index("year")
    b.caption(f"{t('trajectory', lang)}: {ind.name(lang)}")
    b.line_chart(path[["value", "expected"]].rename(columns={"value": t("value", lang), "expected": t("path", lang)}))

    def indicator_table(path: Path, personal: bool) -> None:
        shapes = ds.communes(int(units))[["ma_xa", "geometry"]].merge(table, on="ma_xa")
        export_table(shapes, path, title, {"indicator": indicator, "year": year, "units": units}, ds.label)

    _export_panel("indicator", lambda **o: indicator_figure(ds, indicator, year, units, **o), indicator_table,
                  [], (clicked or {}).get("bounds"),
                  # the atlas has a page per 2020-2025 commune
                  atlas_pages=(lambda p: atlas(ds, p, "indicator", year, lang=lang)) if units == "2020" else None)

    st.subheader(t("grid", lang))
    st.caption(t("grid_hint", lang))
    grid = status_grid(ds, year, units)
    colours = {t(s, lang): STATUS_COLOURS[s] for s in STATUSES}
    labelled = grid.apply(lambda col: col.map(lambda s: t(s, lang)) if col.name != "name_vi" else col)
    st.dataframe(labelled.style.map(lambda v: f"background-color: {colours.get(v, 'white')}"), height=480)


def risk_page() -> None:
    st.sidebar.subheader(t("filters", lang))
    types = st.sidebar.multiselect(t("hazard_types", lang), list(HAZARD_TYPES), default=list(HAZARD_TYPES),
                                   key="types", format_func=lambda h: t(h, lang))
    min_level = st.sidebar.select_slider(t("min_level", lang), options=[1, 2, 3, 4, 5], value=4, key="min_level",
                                         format_func=lambda v: f"{v} — {t(f'level_{v}', lang)}")
    buffer_m = st.sidebar.number_input(t("buffer_m", lang), 0, 1000, 0, step=50, key="buffer_m")
    names = ds.communes(2020).set_index("ma_xa")["name_vi"]
    # Roles: household rows only for officers (their communes) and admins; demo mode shows the demo's.
    detail = user is None or can(user, "see_households")
    allowed = list(names.index) if user is None or user.communes is None else sorted(user.communes)
    communes = st.sidebar.multiselect(t("communes_filter", lang), allowed, key="communes",
                                      format_func=lambda c: f"{names.get(c, c)} ({c})", placeholder=t("all", lang))
    ethnic = sorted(ds.households["ethnicity"].dropna().unique())
    ethnicities = st.sidebar.multiselect(t("ethnicity", lang), ethnic, key="ethnicities", placeholder=t("all", lang))
    statuses = st.sidebar.multiselect(t("resettlement_status", lang), list(RESETTLEMENT_STATUSES), key="statuses",
                                      format_func=lambda s: t(s, lang), placeholder=t("all", lang))
    at_risk_only = st.sidebar.checkbox(t("at_risk_only", lang), key="at_risk_only")

    flagged = _flagged(ds.path, ds.revision, float(buffer_m))
    if user is not None and user.communes is not None:  # an officer: nothing of other communes, anywhere
        flagged = scope_households(user, flagged)
    st.session_state["filters-signature"] = (view, tuple(types), min_level, buffer_m, tuple(communes),
                                             tuple(ethnicities), tuple(statuses), at_risk_only, lang)
    shown = filter_register(flagged, types, min_level, communes or None, ethnicities or None, statuses or None,
                            at_risk_only)
    in_scope = filter_register(flagged, types, min_level, communes or None)
    totals = progress(in_scope, in_scope[["level"]].rename(columns={"level": "max_level"}), 2025, min_level,
                      by="ma_xa_located").loc["province"]
    cards = st.columns(4)
    cards[0].metric(t("in_zones", lang), f"{len(shown):,}")
    cards[1].metric(t("at_risk", lang), f"{int(totals['at_risk']):,}")
    cards[2].metric(t("done", lang), f"{int(totals['done']):,}",
                    f"{totals['share']:.1%}" if pd.notna(totals["share"]) else None)
    cards[3].metric(t("needed", lang), f"{int(totals['needed']):,}")

    unsafe = check_sites(ds.sites, ds.zones, min_level=min_level)
    if not unsafe.empty:
        st.error(f"**{t('site_errors', lang)}**: " + "; ".join(
            f"{r.name_vi} ({r.site_id}) — {t(r.hazard_type, lang)}, {t(f'level_{r.level}', lang)}"
            for r in unsafe.itertuples()))
    area = ds.communes(2020)
    bounds = None
    if communes:
        bounds = tuple(area.loc[area["ma_xa"].isin(communes)].to_crs("EPSG:4326").total_bounds)
    points = shown if detail else shown.iloc[:0]  # viewers and planners: no household on the map
    m = risk_map(ds, points, ds.sites, set(unsafe["site_id"]), types, min_level, lang, basemap, LOCAL_TILES, bounds)
    clicked = st_folium(m, height=600, use_container_width=True, key="rmap", render=False,
                        returned_objects=["last_object_clicked", "bounds"])
    st.caption(t("map_points_note", lang) if detail else t("counts_by_commune", lang))
    point = (clicked or {}).get("last_object_clicked")
    if point and detail:
        record = nearest_household(shown, point["lng"], point["lat"])
        if record is not None:
            st.info(f"**{t('household_record', lang)}**")
            st.json({k: (None if pd.isna(v) else str(v)) for k, v in record[PUBLIC_COLUMNS].items()})

    st.subheader(t("progress", lang))
    table = progress(in_scope, in_scope[["level"]].rename(columns={"level": "max_level"}), 2025, min_level,
                     by="ma_xa_located")
    a, b, c = st.columns(3)
    if user is None or can(user, "see_household_counts"):  # viewers: province figures only
        by_commune = table.drop(index="province").sort_values("needed", ascending=False).head(15)
        by_commune.index = by_commune.index.map(lambda code: names.get(code, code))
        a.caption(t("progress_by_commune", lang))
        a.bar_chart(by_commune[["done", "needed"]].rename(columns={"done": t("done", lang),
                                                                   "needed": t("needed", lang)}),
                    horizontal=True, stack=True)
    years = path_by_year(in_scope, in_scope[["level"]].rename(columns={"level": "max_level"}), min_level)
    b.caption(t("progress_by_year", lang))
    b.line_chart(years[["share", "expected_share"]].rename(columns={"share": t("share", lang),
                                                                     "expected_share": t("line_60", lang)}))
    forms = pd.Series({t(f, lang): int(totals[f"form_{f}"]) for f in FORMS}, name=t("done", lang))
    c.caption(t("progress_by_form", lang))
    c.bar_chart(forms)

    filters = {"types": types, "min_level": min_level, "buffer_m": buffer_m, "communes": communes,
               "ethnicities": ethnicities, "statuses": statuses, "at_risk_only": at_risk_only}
    by = user.username if user is not None else ""
    if detail:
        st.subheader(t("flagged_table", lang))
        columns = [col for col in PUBLIC_COLUMNS if col in shown]
        st.dataframe(shown[columns], hide_index=True, height=360)
    elif can(user, "see_household_counts"):  # planners: counts per commune and village, no household
        st.subheader(t("counts_by_commune", lang))
        counts = household_counts(user, shown, "ma_xa_located").rename_axis("ma_xa").reset_index()
        counts.insert(1, "name_vi", counts["ma_xa"].map(names))
        st.dataframe(counts, hide_index=True, height=360)
        st.caption(t("counts_by_village", lang))
        st.dataframe(household_counts(user, shown, "village_id").reset_index(), hide_index=True, height=240)
    else:  # viewers: the province totals above, nothing finer
        counts = pd.DataFrame([{"in_zones": len(shown), **totals[["at_risk", "done", "needed"]].to_dict()}])

    def households_table(path: Path, personal: bool) -> None:
        if detail:
            frame = shown[columns + ["geometry"]]
            if personal:
                frame = with_personal_fields(frame, ds.people())
        else:
            frame = counts
        export_table(frame, path, t("flagged_table", lang), filters, ds.label, personal=personal, exported_by=by)
        if user is not None:
            accounts.record(user, "export", f"risk table, {len(frame)} rows, personal={personal}")

    if detail:
        _status_editor(shown)
    personal = detail and (user is None or can(user, "export_personal")) and st.checkbox(
        t("personal_fields", lang), key="personal")
    def risk_image(communes_extent: list[str] | None, **options):
        # The on-screen filters always apply; the extent is the province, the communes or the view.
        return risk_figure(ds, flagged, types, min_level, communes or None, ethnicities or None, statuses or None,
                           at_risk_only, buffer_m, province_extent=communes_extent is None,
                           show_households=detail, **options)

    _export_panel("risk", lambda communes=None, **o: risk_image(communes, **o), households_table, communes,
                  (clicked or {}).get("bounds"), personal,
                  atlas_pages=(lambda p: atlas(ds, p, "risk", communes=communes or None, flagged=flagged,
                                               min_level=min_level, lang=lang)) if detail else None)


def _word(key: str | None) -> str:
    """A status in the page's language ("–" when missing, the code itself when unknown)."""
    return "–" if key is None else t(key, lang) if key in TEXT else str(key)


def _status_editor(shown: pd.DataFrame) -> None:
    """Change a household's resettlement status (workspace only); every change goes to the audit trail."""
    if ds.is_demo or shown.empty:
        return
    with st.expander(t("edit_status", lang)):
        with st.form("edit-status"):
            # The status each household had when the officer saw the page (the previous run: a submit reruns
            # the script on fresh data first): the edit applies only if the household still has it.
            status = shown["resettlement_status"].astype(object)
            displayed = dict(zip(shown["household_id"], status.where(status.notna(), None)))
            seen = {**displayed, **st.session_state.get("status-seen", {})}
            st.session_state["status-seen"] = displayed
            # Plain ids as options: a label that changed with the status would reset the choice after a save.
            household = st.selectbox(t("household_record", lang), shown["household_id"].tolist()[:5000])
            new_status = st.selectbox(t("resettlement_status", lang), list(RESETTLEMENT_STATUSES),
                                      format_func=lambda s: t(s, lang))
            who = user.username if user is not None else st.text_input(t("changed_by", lang))
            if st.form_submit_button(t("save", lang)):
                try:
                    if user is not None and not can(user, "edit_status"):
                        raise AccessError(f"{user.username} may not edit statuses")
                    Workspace.open(ds.path).set_resettlement_status(household, new_status, who.strip(),
                                                                    expected_status=seen.get(household))
                    # This page still shows the data read before the save: the officer has now seen the new status.
                    st.session_state["status-seen"][household] = new_status
                    st.success(t("saved", lang))
                except ConflictError as exc:
                    st.error(t("status_conflict", lang).format(
                        household=exc.household_id, current=_word(exc.current), expected=_word(exc.expected)))
                except Exception as exc:  # a message, never a traceback
                    st.error(str(exc))


def _users_panel() -> None:
    """Admins: the accounts, a form to add one, and removal."""
    st.subheader(t("accounts", lang))
    table = accounts.workspace.read_table("users").drop(columns=["password_hash"], errors="ignore")
    st.dataframe(table, hide_index=True)
    names = ds.communes(2020).set_index("ma_xa")["name_vi"]
    with st.form("add-user"):
        a, b, c = st.columns(3)
        name = a.text_input(t("username", lang), key="new-user")
        password = b.text_input(t("password", lang), type="password", key="new-password")
        role = c.selectbox(t("role", lang), ["viewer", "planner", "officer", "admin"], key="new-role",
                           format_func=lambda r: t(f"role_{r}", lang))
        scope = st.multiselect(t("communes_filter", lang), list(names.index), key="new-communes",
                               format_func=lambda code: f"{names[code]} ({code})")
        if st.form_submit_button(t("add_user", lang)):
            try:
                accounts.add_user(user, name.strip(), password, role, scope or None)
                st.success(t("saved", lang))
            except (AccessError, ValueError) as exc:
                st.error(str(exc))
    others = [u for u in table.get("username", []) if u != user.username]
    if others:
        gone = st.selectbox(t("remove_user", lang), others, key="remove-user")
        if st.button(t("remove_user", lang), key="remove-user-button"):
            accounts.remove_user(user, gone)
            st.rerun()


def import_page() -> None:
    st.subheader(t("view_import", lang))
    st.caption(f"{t('workspace', lang)}: {WORKSPACE}")
    a, b, c = st.columns(3)
    kind = a.selectbox(t("import_kind", lang), KINDS, key="import-kind", format_func=lambda k: t(f"kind_{k}", lang))
    encoding = b.selectbox(t("encoding", lang), ["auto", "utf-8", "tcvn3", "vni"], key="import-encoding")
    crs = c.selectbox(t("crs", lang), ["auto", "EPSG:9210", "EPSG:4326", "EPSG:3405", "EPSG:32648"],
                      key="import-crs", help=t("crs_help", lang))
    layer = a.text_input(t("gpkg_layer", lang), key="import-layer")
    mapping = b.text_input(t("column_map", lang), key="import-columns", placeholder="Ma_HGD=household_id")
    who = c.text_input(t("imported_by", lang), key="import-by")
    hazard_type = None
    if kind == "hazards":
        hazard_type = a.selectbox(t("single_hazard", lang), [None, *HAZARD_TYPES], key="import-hazard-type",
                                  format_func=lambda h: t("single_hazard_none", lang) if h is None else t(h, lang))
    known = known_to(WORKSPACE)
    values = {**known["values"], **st.session_state.get("import-values", {})}
    upload = st.file_uploader(t("upload", lang), key=f"upload-{st.session_state.get('upload-round', 0)}",
                              type=["zip", "gpkg", "geojson", "json", "kml", "kmz", "fgb", "parquet", "csv", "xlsx",
                                    "tab", "mif"])
    if upload is not None:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / Path(upload.name).name  # messages name the officer's own file
            path.write_bytes(upload.getvalue())
            try:
                columns = dict(item.split("=", 1) for item in mapping.replace(";", ",").split(",") if "=" in item)
                report = prepare(path, kind, layer or None, None if crs == "auto" else crs, encoding,
                                 columns or None, values, hazard_type, known["boundaries"], lang)
            except Exception as exc:  # whatever the file, a message, never a traceback
                st.error(f"{t('import_refused', lang)}: {exc}")
                return
        cards = st.columns(4)
        cards[0].metric(t("rows_in", lang), fmt_count(report.rows_in, lang))
        cards[1].metric(t("rows_good", lang), fmt_count(len(report.good), lang))
        cards[2].metric(t("rows_rejected", lang), fmt_count(len(report.rejected), lang))
        cards[3].metric(t("rows_warned", lang), fmt_count(report.warnings["row"].nunique(), lang))
        st.code(report.summary().split("\n" + t("imp_notes", lang))[0], language=None, wrap_lines=True)
        if len(report.unknown):
            st.markdown(f"**{t('imp_values', lang)}**")
            table = report.unknown.assign(meaning=report.unknown["suggestion"])[["column", "value", "count", "meaning"]]
            edited = st.data_editor(table, hide_index=True, disabled=["column", "value", "count"],
                                    key=f"values-{st.session_state.get('upload-round', 0)}",
                                    column_config={"column": t("column", lang), "value": t("value", lang),
                                                   "count": t("rows", lang), "meaning": t("meaning", lang)})
            if st.button(t("apply_values", lang)):
                given = {r.value: r.meaning for r in edited.itertuples(index=False) if str(r.meaning or "").strip()}
                st.session_state["import-values"] = {**st.session_state.get("import-values", {}), **given}
                st.rerun()
        for note in report.notes:
            st.info(note)
        shown = {"row": t("row_in_file", lang), "reason": t("reason", lang), "message": t("remark", lang)}
        if not report.rejected.empty:
            rejected = report.rejected.drop(columns=["what", "code"]).rename(columns=shown)
            st.dataframe(rejected, hide_index=True, height=240)
            st.download_button(t("download_rejects", lang), rejected.to_csv(index=False).encode("utf-8-sig"),
                               "rejected_rows.csv", "text/csv")
        if not report.warnings.empty:
            with st.expander(t("imp_warnings", lang)):
                st.dataframe(report.warnings.drop(columns=["what", "code"]).rename(columns=shown), hide_index=True,
                             height=240)
        go, cancel = st.columns(2)
        if go.button(t("import_confirm", lang), type="primary", disabled=report.good.empty):
            try:
                version = commit(report, WORKSPACE, who.strip())
            except Exception as exc:  # a locked or read-only workspace: say so
                st.error(f"{t('import_refused', lang)}: {exc}")
                return
            st.session_state["upload-round"] = st.session_state.get("upload-round", 0) + 1
            st.session_state.pop("import-values", None)
            st.success(f"{t('imported', lang)}: {report.layer} v{version}")
        if cancel.button(t("import_cancel", lang)):
            st.session_state["upload-round"] = st.session_state.get("upload-round", 0) + 1
            st.session_state.pop("import-values", None)
            st.rerun()
    if user is not None and can(user, "manage_users"):
        _users_panel()
    if workspace_exists(WORKSPACE):
        workspace = Workspace.open(WORKSPACE)
        st.subheader(t("import_history", lang))
        st.dataframe(workspace.history(), hide_index=True)
        st.subheader(t("audit_trail", lang))
        st.dataframe(workspace.audit(), hide_index=True)


{"indicators": indicators_page, "risk": risk_page, "import": import_page}[view]()
