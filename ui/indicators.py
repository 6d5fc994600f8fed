"""Planners' page: communes coloured by each indicator's status against its 2025 target."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st

from geo.catalogue import THEMES, load_catalogue
from geo.dataexport import export_table
from geo.i18n import UNIT_DIGITS, fmt_count, fmt_value, header, unit_text
from geo.indicators import STATUSES
from geo.mapexport import atlas, indicator_figure
from geo.maps import CHANGE_TIPS, commune_code_in, indicator_map
from geo.status import reported_years
from geo.style import CHANGE_COLOURS, STATUS_COLOURS
from geo.tables import markdown_text
from ui.charts import in_language, lines, long_table
from ui.common import export_panel, missing, provenance, show_table
from ui.context import Context
from ui.mapview import last_report, show_map
from ui.shared import commune_profile, commune_status, province_summary, status_change, status_grid, trajectory

__all__ = ["page"]


def page(ctx: Context) -> None:
    """The indicator map, the communes furthest behind, a commune's profile and the status grid."""
    catalogue = load_catalogue()
    theme = st.sidebar.selectbox(ctx.t("theme"), THEMES, key="theme", format_func=ctx.t)
    in_theme = [i for i, ind in catalogue.items() if ind.theme == theme]
    indicator = st.sidebar.selectbox(ctx.t("indicator"), in_theme, key="indicator",
                                     format_func=lambda i: f"{i}. {catalogue[i].name(ctx.lang)}")
    year = st.sidebar.select_slider(ctx.t("year"), options=list(range(2020, 2026)), value=2025, key="year")
    since = st.sidebar.selectbox(ctx.t("compare_since"), [None, *range(2020, 2025)], key="since",
                                 format_func=lambda y: ctx.t("compare_none") if y is None else str(y))
    if since is not None and since >= year:  # only an earlier year compares
        st.sidebar.caption(ctx.t("compare_earlier", year=year))
        since = None
    units = st.sidebar.radio(ctx.t("units"), ["2020", "2025"], key="units", format_func=lambda u: ctx.t(f"units_{u}"))
    ind = catalogue[indicator]
    st.session_state["filters-signature"] = (ctx.view, indicator, year, units, since, ctx.lang)
    layer = f"communes_{units}"
    communes = ctx.ds.communes(int(units))
    with st.container():  # one place on the page whatever is missing (the map below keeps its own)
        if communes.empty:
            missing(ctx, layer)
        if ctx.ds.values.empty:
            missing(ctx, "indicator_values")

    _cards(ctx, indicator, year)
    # Notes come and go with the indicator and year: held in one container, so the map after them keeps its
    # place on the page and the browser redraws its layers in place instead of building a new map.
    notes = st.container()
    notes.caption(f"{ind.name(ctx.lang)} — {ctx.t('unit')}: {unit_text(ind.unit, ctx.lang)}; "
                  f"{ctx.t('rule')}: {ind.text(ctx.lang)}; " + ctx.t("target_source", source=ind.source_ref))
    for note in ind.notes(year, ctx.lang):  # a change of standard (poverty 2022): beside the map, never hidden
        notes.caption(f"{ctx.t('standard_note')}: {note}")
    years = reported_years(ctx.ds, indicator)
    if years and year not in years:
        earlier = [y for y in years if y < year]
        notes.info(ctx.t("no_values_for_year", year=year, years=", ".join(map(str, years)))
                   + (f" {ctx.t('latest_values', year=earlier[-1])}" if earlier else ""))

    table = commune_status(ctx.ds, indicator, year, units)
    title = f"{ind.name(ctx.lang)} — {year}"
    left, right = st.columns([3, 2])
    with left:
        if since is None:
            m = partial(indicator_map, ctx.ds, table, title, units, ctx.lang, ctx.basemap, ctx.local_tiles, ctx.layers)
        else:  # coloured by how each commune's status moved since the earlier year
            moved = status_change(ctx.ds, indicator, since, year, units)
            m = partial(indicator_map, ctx.ds, moved.rename(columns={"change": "status"}),
                        ctx.t("change_title", name=ind.name(ctx.lang), since=since, year=year), units, ctx.lang,
                        ctx.basemap, ctx.local_tiles, ctx.layers, classes=CHANGE_COLOURS, tips=CHANGE_TIPS)
        # the base map stays in the browser (the same for both sets of units); only the layers that changed are
        # sent and redrawn in place
        show_map(m, "imap", 560, ["last_object_clicked_tooltip", "bounds"], partial(_clicked_commune, units))
        provenance(ctx, [layer, "indicator_values"])
    with right:
        if since is not None:
            _moved(ctx, moved, since, year, ind.unit)
        else:
            _furthest_behind(ctx, table, ind)

    if not communes.empty:
        _profile(ctx, communes, indicator, year, units)
    export_panel(ctx, "indicator", lambda **o: indicator_figure(ctx.ds, indicator, year, units, **o),
                 lambda path, personal: _table_file(ctx, table, units, path, title, indicator, year),
                 [], last_report("imap").get("bounds"),
                 # the atlas has a page per 2020-2025 commune
                 atlas_pages=(lambda p: atlas(ctx.ds, p, "indicator", year, lang=ctx.lang))
                 if units == "2020" and not communes.empty else None)
    if not communes.empty:
        _grid(ctx, year, units)


def _clicked_commune(units: str, report: dict) -> None:
    """A commune clicked on the map becomes the profile below it: the whole page runs again to show it."""
    code = commune_code_in(report.get("last_object_clicked_tooltip"))
    if code and code != st.session_state.get("last_clicked"):
        st.session_state["last_clicked"] = code
        st.session_state[f"profile-{units}"] = code
        st.rerun()


def _furthest_behind(ctx: Context, table: pd.DataFrame, ind) -> None:
    """The communes furthest behind their path, each value with its unit."""
    st.subheader(ctx.t("furthest_behind"))
    if ind.rule == "units_leaving":  # a province count: communes are left / still listed / entered, never behind
        shown = table[["ma_xa", "name_vi", "listing", "value", "entered"]].assign(
            listing=table["listing"].map(lambda s: ctx.t(s) if isinstance(s, str) else ctx.t("no_data")))
    else:
        shown = table[["ma_xa", "name_vi", "value", "expected", "target_value", "status", "gap", "years_needed"]]
    digits = UNIT_DIGITS.get(ind.unit, 1)
    measured = ("value", "expected", "target_value", "gap")
    unit = unit_text(ind.unit, ctx.lang)
    show_table(ctx, shown, height=520, keep={"name_vi": ctx.t("commune")}
               | {c: f"{header(c, ctx.lang)} ({unit})" for c in measured},
               digits={c: digits for c in measured} | {"years_needed": 1})


def _moved(ctx: Context, moved: pd.DataFrame, since: int, year: int, unit: str) -> None:
    """The communes whose status moved between the two years, improved first."""
    st.subheader(ctx.t("change_table", since=since, year=year))
    changed = moved.loc[moved["change"].isin(["improved", "worse"])]
    if changed.empty:
        st.info(ctx.t("no_change"))
        return
    digits = UNIT_DIGITS.get(unit, 1)
    words = unit_text(unit, ctx.lang)
    show_table(ctx, changed, height=520, keep={"name_vi": ctx.t("commune"), "status_before": f"{ctx.t('status')} {since}",
                                               "status_after": f"{ctx.t('status')} {year}",
                                               "value_before": f"{ctx.t('value')} {since} ({words})",
                                               "value_after": f"{ctx.t('value')} {year} ({words})",
                                               "value_change": f"{header('value_change', ctx.lang)} ({words})"},
               digits={c: digits for c in ("value_before", "value_after", "value_change")})


def _cards(ctx: Context, indicator: str, year: int) -> None:
    catalogue = load_catalogue()
    ind = catalogue[indicator]
    summary = province_summary(ctx.ds, year, ctx.lang).set_index("indicator_id")
    cards = st.columns(4)
    row = summary.loc[indicator]
    help_text = None
    if pd.notna(row["value"]) and pd.notna(row["target_value"]):
        help_text = (f"{ind.name(ctx.lang)}: {fmt_value(row['value'], ind.unit, ctx.lang)} / {ctx.t('target')} "
                     f"{fmt_value(row['target_value'], ind.unit, ctx.lang)}")
    # what the province status rests on ("từ 143 trên 161 xã"), as the card's caption
    cards[0].metric(ctx.t("province_status"), ctx.t(row["status"]), help=help_text)
    if row["coverage"]:
        cards[0].caption(row["coverage"])
    for card, key, label in ((cards[1], "3a", "communes_leaving"), (cards[2], "3b", "villages_leaving")):
        leaving = summary.loc[key]
        value = "–" if pd.isna(leaving["value"]) else \
            ctx.t("of_target", value=fmt_count(leaving["value"], ctx.lang),
                  target=fmt_count(catalogue[key].target, ctx.lang))  # 26 of a target of 24: "26 (mục tiêu 24)"
        card.metric(ctx.t(label), value)
    behind = int((summary["status"] == "behind").sum())
    cards[3].metric(ctx.t("indicators_behind"), f"{behind} / {len(summary)}")


def _profile(ctx: Context, communes, indicator: str, year: int, units: str) -> None:
    ind = load_catalogue()[indicator]
    names = communes.set_index("ma_xa")["name_vi"]
    commune = st.session_state.get(f"profile-{units}")
    if commune not in names.index:
        commune = names.index[0]
        st.session_state[f"profile-{units}"] = commune
    st.subheader(f"{ctx.t('profile')}: {markdown_text(names.get(commune, commune))} ({markdown_text(commune)})")
    commune = st.selectbox(ctx.t("profile_hint"), list(names.index), key=f"profile-{units}",
                           format_func=lambda c: f"{names[c]} ({c})")
    profile = commune_profile(ctx.ds, commune, year, units, ctx.lang)
    a, b = st.columns([3, 2])
    with a:
        # each value at its own indicator's precision and with its unit
        shown = profile.assign(**{c: [fmt_value(v, u, ctx.lang) for v, u in zip(profile[c], profile["unit"])]
                                  for c in ("value", "target_value", "expected", "gap")})
        show_table(ctx, shown[["indicator_id", "name", "value", "target_value", "expected", "status", "gap"]],
                   height=420)
    path = trajectory(ctx.ds, indicator, commune, units).set_index("year")
    path.index = path.index.astype(str)  # years as labels, never "2,020"
    b.caption(f"{ctx.t('trajectory')}: {ind.name(ctx.lang)} ({unit_text(ind.unit, ctx.lang)})")
    if path["value"].notna().any():
        series = {"value": ctx.t("value"), "expected": ctx.t("path")}
        b.vega_lite_chart(long_table(path, "year", series),
                          in_language(lines("year", series, unit_text(ind.unit, ctx.lang)), ctx.lang),
                          width="stretch")
    else:
        b.info(ctx.t("no_values_commune"))


def _grid(ctx: Context, year: int, units: str) -> None:
    st.subheader(ctx.t("grid"))
    if not st.toggle(ctx.t("grid_show"), key="show-grid"):  # 161 x 30 coloured cells: drawn when asked for
        return
    st.caption(ctx.t("grid_hint"))
    grid = status_grid(ctx.ds, year, units)
    colours = {ctx.t(s): STATUS_COLOURS[s] for s in STATUSES}
    labelled = grid.apply(lambda col: col.map(ctx.t) if col.name != "name_vi" else col)
    labelled = labelled.rename(columns={"name_vi": ctx.t("commune")}).rename_axis(ctx.t("code"))
    st.dataframe(labelled.style.map(lambda v: f"background-color: {colours.get(v, 'white')}"), height=480)


def _table_file(ctx: Context, table: pd.DataFrame, units: str, path: Path, title: str, indicator: str,
                year: int) -> None:
    # every commune of the table, with its boundary when the dataset has one
    shapes = gpd.GeoDataFrame(table.merge(ctx.ds.communes(int(units))[["ma_xa", "geometry"]], on="ma_xa", how="left"),
                              geometry="geometry", crs=ctx.ds.communes(int(units)).crs)
    export_table(shapes, path, title, {"indicator": indicator, "year": year, "units": units}, ctx.ds.label,
                 lang=ctx.lang)

