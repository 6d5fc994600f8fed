"""Disaster-prevention officers' page: hazard zones, the households inside them, progress to 60%."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.access import require
from geo.dataexport import export_table, with_personal_fields
from geo.demo import DEMO_PATH
from geo.hazards import HAZARD_TYPES
from geo.i18n import fmt_count, fmt_percent, message
from geo.mapexport import atlas, risk_figure
from geo.maps import risk_map
from geo.pgstore import PgLocation
from geo.resettlement import FORMS, STATUSES as RESETTLEMENT_STATUSES
from geo.risk import COMMUNE, PUBLIC_COLUMNS, RiskFilter, RiskView, nearest_household
from geo.tables import markdown_text, record_card
from geo.text import one_line
from geo.workspace import ConflictError, Workspace
from ui.charts import in_language, lines, long_table, stacked_bars
from ui.common import export_panel, file_bytes, missing, one_page, prepared_download, provenance, show_table, words
from ui.context import Context
from ui.mapview import last_report, show_map
from ui.placement import section as plan_section
from ui.shared import impact, view_for
from ui.zonechanges import section as zone_changes

__all__ = ["page"]



def _filter(ctx: Context, names: pd.Series, known: list[str]) -> RiskFilter:
    """The sidebar's filters as one :class:`RiskFilter`."""
    st.sidebar.subheader(ctx.t("filters"))
    types = st.sidebar.multiselect(ctx.t("hazard_types"), list(HAZARD_TYPES), default=list(HAZARD_TYPES),
                                   key="types", format_func=ctx.t, placeholder=ctx.t("choose"))
    min_level = st.sidebar.select_slider(ctx.t("min_level"), options=[1, 2, 3, 4, 5], value=4, key="min_level",
                                         format_func=lambda v: f"{v} — {ctx.t(f'level_{v}')}")
    buffer_m = st.sidebar.number_input(ctx.t("buffer_m"), 0, 1000, 0, step=50, key="buffer_m")
    user = ctx.user
    allowed = known if user is None or user.communes is None else sorted(user.communes)
    communes = st.sidebar.multiselect(ctx.t("communes_filter"), allowed, key="communes",
                                      format_func=lambda c: f"{one_line(names.get(c, c))} ({one_line(c)})",
                                      placeholder=ctx.t("all"))
    households = ctx.ds.households
    ethnic = sorted(households["ethnicity"].dropna().unique()) if "ethnicity" in households else []
    ethnicities = st.sidebar.multiselect(ctx.t("ethnicity"), ethnic, key="ethnicities", placeholder=ctx.t("all"))
    statuses = st.sidebar.multiselect(ctx.t("resettlement_status"), list(RESETTLEMENT_STATUSES), key="statuses",
                                      format_func=ctx.t, placeholder=ctx.t("all"))
    at_risk_only = st.sidebar.checkbox(ctx.t("at_risk_only"), key="at_risk_only")
    return RiskFilter(types, min_level, buffer_m, communes or None, ethnicities or None, statuses or None,
                      at_risk_only)


def page(ctx: Context) -> None:
    """Filters, the four cards, the map, progress charts and the household table or counts."""
    ds = ctx.ds
    communes_2020 = ds.communes(2020)
    names = communes_2020.set_index("ma_xa")["name_vi"]
    known = list(names.index) if len(names) else sorted(ds.households["ma_xa"].dropna().unique()) \
        if "ma_xa" in ds.households else []
    flt = _filter(ctx, names, known)
    for layer in ("households", "hazard_zones", "communes_2020", "sites"):
        if ds.layers[layer].empty:
            missing(ctx, layer)
    st.session_state["filters-signature"] = (ctx.view, flt, ctx.lang)
    view = view_for(ds, flt, ctx.user)  # shared by every session with the same filters and communes
    # Roles: household rows only for officers (their communes) and admins; demo mode shows the demo's.
    detail = ctx.can("see_households")
    totals = view.totals
    cards = st.columns(4)
    cards[0].metric(ctx.t("in_zones"), fmt_count(len(view.shown), ctx.lang))
    cards[1].metric(ctx.t("at_risk"), fmt_count(totals["at_risk"], ctx.lang))
    share = f" ({fmt_percent(totals['share'], 1, ctx.lang)})" if pd.notna(totals["share"]) else ""
    cards[2].metric(ctx.t("done"), fmt_count(totals["done"], ctx.lang) + share)  # a share, not a change: no arrow
    cards[3].metric(ctx.t("needed"), fmt_count(totals["needed"], ctx.lang))

    unsafe = view.unsafe_sites
    warning = st.container()  # always there, so the map below keeps its place and is redrawn in place
    if not unsafe.empty:
        warning.error(f"**{ctx.t('site_errors')}**: " + "; ".join(
            f"{markdown_text(r.name_vi)} ({markdown_text(r.site_id)}) — {ctx.t(r.hazard_type)}, "
            f"{ctx.t(f'level_{r.level}')}" for r in unsafe.itertuples()))
    bounds = None
    focus = flt.communes or (ctx.user.communes if ctx.user is not None else None)  # an officer's own communes
    if focus and len(communes_2020):
        chosen = communes_2020.loc[communes_2020["ma_xa"].isin(list(focus))]
        bounds = tuple(chosen.to_crs("EPSG:4326").total_bounds) if len(chosen) else None
    points = view.shown if detail else view.no_households  # viewers and planners: no household on the map
    m = partial(risk_map, ds, points, ds.sites, set(unsafe["site_id"]), flt.types, flt.min_level, ctx.lang,
                ctx.basemap, ctx.local_tiles, bounds, store=ctx.layers, buffer_m=flt.buffer_m)
    # the base map stays in the browser; only the layers that changed are sent and redrawn in place
    show_map(m, "rmap", 600, ["last_object_clicked", "bounds"], partial(_under_the_map, ctx, view, detail, names))

    _progress(ctx, view, names)
    _impact(ctx, view, names)
    zone_changes(ctx, flt, names)
    table = view.table_for(ctx.user)  # the rows, counts or totals this user may see: on screen and exported
    _table(ctx, view, table, detail, names)
    user = ctx.user

    def households_table(path: Path, personal: bool) -> None:
        frame = with_personal_fields(table, ds.people()) if personal else table
        export_table(frame, path, ctx.t("flagged_table"), flt.filters(), ds.label, personal=personal,
                     exported_by=user.username if user is not None else "", lang=ctx.lang)
        if user is not None:
            ctx.accounts.record(user, "export", f"risk table, {len(frame)} rows, personal={personal}")

    if detail:
        _status_editor(ctx, view.shown)
    plan_section(ctx, view, names)  # the resettlement plan proposal (officers, administrators, demo mode)
    personal = detail and ctx.can("export_personal") and st.checkbox(ctx.t("personal_fields"), key="personal")

    def risk_image(communes_extent: list[str] | None, **options):
        # The on-screen filters always apply; the extent is the province, the communes or the view.
        return risk_figure(ds, view, province_extent=communes_extent is None, show_households=detail, **options)

    chosen = list(flt.communes or [])
    every = detail and st.checkbox(ctx.t("exp_all_communes"), key="risk-atlas-all")
    export_panel(ctx, "risk", lambda communes=None, **o: risk_image(communes, **o), households_table, chosen,
                 last_report("rmap").get("bounds"), personal,
                 atlas_pages=(lambda p: atlas(ds, p, "risk", communes=chosen or None, view=view, lang=ctx.lang,
                                              all_communes=every, personal=personal))
                 if detail and len(communes_2020) else None, tabular=not detail)


def _under_the_map(ctx: Context, view: RiskView, detail: bool, names: pd.Series, report: dict) -> None:
    """What the map shows, where its layers come from, and the record of the household clicked (if any)."""
    st.caption(ctx.t("map_points_note") if detail else ctx.t("counts_by_commune"))
    provenance(ctx, ["hazard_zones", "households", "sites", "communes_2020"])
    point = report.get("last_object_clicked")
    if point and detail:
        record = nearest_household(view.shown, point["lng"], point["lat"])
        if record is not None:
            columns = [c for c in PUBLIC_COLUMNS if c in record.index]
            st.info(f"**{ctx.t('household_record')}**  \n" + record_card(record[columns], ctx.lang, names.to_dict()))


def _progress(ctx: Context, view: RiskView, names: pd.Series) -> None:
    st.subheader(ctx.t("progress"))
    totals = view.totals
    if not totals["at_risk"]:
        st.info(ctx.t("nothing_at_risk"))
        return
    a, b, c = st.columns(3)
    done, needed = ctx.t("done"), ctx.t("needed")
    if ctx.can("see_household_counts"):  # viewers: province figures only
        by_commune = view.by_unit.head(15)  # most households still needed first
        by_commune.index = by_commune.index.map(lambda code: names.get(code, code))
        a.caption(ctx.t("progress_by_commune"))
        a.vega_lite_chart(long_table(by_commune, "unit", {"done": done, "needed": needed}),
                          in_language(stacked_bars("unit", {"done": done, "needed": needed},
                                                   list(by_commune.index)), ctx.lang), width="stretch")
    years = view.path.copy()
    years.index = years.index.astype(str)  # years as labels, never "2,020"
    b.caption(ctx.t("progress_by_year") + " (%)")
    shares = {"share": ctx.t("share"), "expected_share": ctx.t("line_60")}
    b.vega_lite_chart(long_table(100 * years[list(shares)], "year", shares),
                      in_language(lines("year", shares, "%"), ctx.lang), width="stretch")
    forms = pd.DataFrame({"done": {ctx.t(f): int(totals[f"form_{f}"]) for f in FORMS}})
    c.caption(ctx.t("progress_by_form"))
    c.vega_lite_chart(long_table(forms, "form", {"done": done}),
                      in_language(stacked_bars("form", {"done": done}, list(forms.index)), ctx.lang),
                      width="stretch")
    if ctx.can("see_household_counts") and st.toggle(ctx.t("ranking"), key="show-ranking"):  # drawn when asked for
        with st.container():
            ranked = view.ranking.reset_index(names="ma_xa")
            ranked.insert(1, "name_vi", ranked["ma_xa"].map(names))
            ranked["line_reached"] = 100 * ranked["line_reached"]
            show_table(ctx, ranked, height=400, keep={"name_vi": ctx.t("commune")}, digits={"line_reached": 1})


def _impact(ctx: Context, view: RiskView, names: pd.Series) -> None:
    """The impact summary (households and people by hazard type, level and commune or village), with its download."""
    communes = view.filter.communes or []
    by = None if not ctx.can("see_household_counts") else "village_id" if len(communes) == 1 else COMMUNE
    if not st.toggle(ctx.t("impact"), key="show-impact"):  # computed and drawn when asked for
        return
    with st.container(border=True):
        st.caption(ctx.t("impact_hint"))
        table = impact(ctx.ds, view.filter, ctx.user, by)
        shown = table.assign(area=table["area"].map(
            lambda a: ctx.t("impact_total") if a == "province" else f"{names.get(a, a)} ({a})" if by == COMMUNE else a))
        show_table(ctx, shown, height=400)
        fmt = st.selectbox(ctx.t("format"), ["xlsx", "csv"], key="impact-fmt", format_func=str.upper)
        prepared_download(ctx, "impact-download", ctx.t("download_data"), f"tac_dong.{fmt}", lambda: file_bytes(
            lambda path: export_table(table, path, ctx.t("impact"), view.filter.filters(), ctx.ds.label,
                                      lang=ctx.lang), fmt))


def _table(ctx: Context, view: RiskView, table: pd.DataFrame, detail: bool, names: pd.Series) -> None:
    """The household table (officers, admins), counts per commune and village (planners), or nothing (viewers)."""
    if detail:
        st.subheader(ctx.t("flagged_table"))
        show_table(ctx, one_page(ctx, table.drop(columns="geometry"), "households-page"), height=360,
                   digits={"members": 0})
        provenance(ctx, ["households", "hazard_zones"])
    elif ctx.can("see_household_counts"):  # planners: counts per commune and village, no household
        st.subheader(ctx.t("counts_by_commune"))
        counts = table.assign(name_vi=table["ma_xa"].map(names))[["ma_xa", "name_vi", "households"]]
        show_table(ctx, counts, height=360, keep={"name_vi": ctx.t("commune")})
        st.caption(ctx.t("counts_by_village"))
        show_table(ctx, view.counts("village_id").reset_index(), height=240)


def _status_editor(ctx: Context, shown: pd.DataFrame) -> None:
    """Change a household's resettlement status (workspace only); every change goes to the audit trail."""
    if shown.empty or not isinstance(ctx.ds.path, PgLocation) and ctx.ds.path.resolve() == DEMO_PATH.resolve():
        return  # the shipped demo is read-only; a workspace copied from it is not
    with st.expander(ctx.t("edit_status")):
        with st.form("edit-status"):
            # The status each household had when the officer saw the page (the previous run: a submit reruns
            # the script on fresh data first): the edit applies only if the household still has it.
            status = shown["resettlement_status"].astype(object)
            displayed = dict(zip(shown["household_id"], status.where(status.notna(), None)))
            seen = {**displayed, **st.session_state.get("status-seen", {})}
            st.session_state["status-seen"] = displayed
            # Plain ids as options: a label that changed with the status would reset the choice after a save.
            household = st.selectbox(ctx.t("household_record"), shown["household_id"].tolist()[:5000])
            new_status = st.selectbox(ctx.t("resettlement_status"), list(RESETTLEMENT_STATUSES), format_func=ctx.t)
            who = ctx.user.username if ctx.user is not None else st.text_input(ctx.t("changed_by"))
            if st.form_submit_button(ctx.t("save")):
                try:
                    if ctx.user is not None:
                        require(ctx.user, "edit_status")
                    Workspace.open(ctx.ds.path).set_resettlement_status(household, new_status, who.strip(),
                                                                        expected_status=seen.get(household))
                    # This page still shows the data read before the save: the officer has now seen the new status.
                    st.session_state["status-seen"][household] = new_status
                    st.success(ctx.t("saved"))
                except ConflictError as exc:
                    st.error(ctx.t("status_conflict", household=markdown_text(exc.household_id),
                                   current=words(ctx, exc.current),
                                   expected=words(ctx, exc.expected)))
                except (ValueError, PermissionError, OSError) as exc:  # a message, never a traceback
                    st.error(markdown_text(message(exc, ctx.lang)))
