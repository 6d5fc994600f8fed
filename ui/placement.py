"""The risk page's resettlement plan proposal: controls, the rule in words, the tables, downloads, confirmations.

The figures come from :func:`geo.placement.propose` on the page's own risk view
(one answer with the cards and the progress charts). Nothing is written unless
an officer confirms one proposed household (status "planned" and its site, with
one audit row); the shipped demo is read-only, so there the section only proposes.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.access import require
from geo.dataexport import export_table
from geo.demo import DEMO_PATH
from geo.i18n import fmt_count, fmt_number, header, message
from geo.pgstore import PgLocation
from geo.placement import DEFAULT_MAX_M, PRIORITY_KEYS, REASONS, Placement, PlacementRule, propose
from geo.placementprint import site_pages
from geo.risk import RiskView
from geo.tables import markdown_text
from geo.text import one_line
from geo.workspace import ConflictError, Workspace
from ui.common import file_bytes, one_page, prepared_download, show_table, words
from ui.context import Context

__all__ = ["section"]


def _rule(ctx: Context, view: RiskView) -> PlacementRule:
    """The plan's controls: distance, priority keys in order, and the level from which a site is unsafe."""
    a, b, c = st.columns(3)
    km = a.number_input(ctx.t("plan_max_km"), min_value=0.5, max_value=100.0, value=DEFAULT_MAX_M / 1000, step=0.5,
                        key="plan-km")
    keys = b.multiselect(ctx.t("plan_priority"), list(PRIORITY_KEYS), default=list(PRIORITY_KEYS), key="plan-keys",
                         format_func=lambda k: ctx.t(f"plan_key_{k}"), placeholder=ctx.t("choose"))
    level = c.select_slider(ctx.t("plan_unsafe_level"), options=[1, 2, 3, 4, 5], value=view.filter.min_level,
                            key="plan-unsafe", format_func=lambda v: f"{v} — {ctx.t(f'level_{v}')}")
    return PlacementRule(tuple(keys) or PRIORITY_KEYS, km * 1000, level)


def section(ctx: Context, view: RiskView, names: pd.Series) -> None:
    """The plan proposal, drawn when asked for (officers, administrators, and demo mode)."""
    if not ctx.can("see_households") or not st.toggle(ctx.t("plan"), key="show-plan"):
        return
    ds = ctx.ds
    with st.container(border=True):
        st.caption(ctx.t("plan_hint"))
        if ds.sites.empty:
            st.info(ctx.t("plan_no_sites"))
            return
        rule = _rule(ctx, view)
        st.markdown(f"**{markdown_text(rule.describe(ctx.lang))}**")
        plan = propose(view, ds.sites, ds.hazard_zones, ds.households, rule)
        no_capacity = plan.sites.loc[plan.sites["capacity"].isna()]
        if len(no_capacity):  # such a site takes no one: said here, or its households read "sites full"
            named = [f"{one_line(name)} ({one_line(site)})" for site, name in zip(no_capacity["site_id"], no_capacity["name_vi"])]
            st.warning(ctx.t("plan_no_capacity", n=fmt_count(len(named), ctx.lang),
                             sites=markdown_text("; ".join(named[:10]) + ("; …" if len(named) > 10 else ""))))
        total = plan.totals
        n = lambda v: fmt_count(v, ctx.lang)  # noqa: E731
        st.info(ctx.t("plan_totals", candidates=n(total["candidates"]), proposed=n(total["proposed"]),
                      within=n(total["towards_target"]), unplaced=n(len(plan.unplaced)), short=n(total["short"]),
                      under_way=n(total["under_way"])))
        if plan.households.empty:
            st.info(ctx.t("plan_none"))
            return
        communes = _communes(plan, names)
        st.subheader(ctx.t("plan_by_commune"))
        shown = communes.loc[(communes["candidates"] > 0) | (communes["short"] > 0)].sort_values(
            ["short", "needed"], ascending=False)
        show_table(ctx, _first(shown, COMMUNE_FIRST), height=300, keep={"name_vi": ctx.t("commune")},
                   key="plan-communes")
        st.subheader(ctx.t("plan_proposal"))
        proposal = _first(_one_unit(plan.proposal.drop(columns="geometry")), PROPOSAL_FIRST)
        show_table(ctx, one_page(ctx, proposal, "plan-page", 200), height=360, digits={"members": 0, "distance_m": 0},
                   key="plan-proposal")
        st.subheader(ctx.t("plan_unplaced"))
        reasons = plan.unplaced["reason"].value_counts()
        st.caption("; ".join(f"{ctx.t('reason_' + r)}: {n(reasons.get(r, 0))}" for r in REASONS if reasons.get(r, 0)))
        unplaced = _first(_one_unit(plan.unplaced.drop(columns="geometry")), UNPLACED_FIRST)
        show_table(ctx, one_page(ctx, unplaced, "plan-unplaced-page", 200), height=240,
                   digits={"members": 0, "nearest_safe_m": 0}, key="plan-unplaced")
        st.subheader(ctx.t("plan_sites"))
        sites = _first(plan.sites.drop(columns="geometry"), SITE_FIRST)
        show_table(ctx, sites, height=240, keep={"name_vi": header("site_name", ctx.lang)},
                   digits={"capacity": 0}, key="plan-sites")
        _downloads(ctx, plan, view, communes)
        _confirm(ctx, plan)


#: What an officer reads first in each table (the rest follows, as computed): who goes where and how far; why
#: not; how short of 60% each commune is; how much room each site has left.
PROPOSAL_FIRST = ("rank", "household_id", "site_name", "site_id", "distance_m", "within_target")
UNPLACED_FIRST = ("rank", "household_id", "reason", "nearest_safe_site", "nearest_safe_m")
COMMUNE_FIRST = ("ma_xa", "name_vi", "needed", "under_way", "proposed", "towards_target", "short")
SITE_FIRST = ("site_id", "name_vi", "safe", "capacity", "used", "proposed", "remaining")


def _first(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``table`` with ``columns`` (those it has) first, so that what matters is on screen without scrolling."""
    first = [c for c in columns if c in table.columns]
    return table[first + [c for c in table.columns if c not in first]]


def _one_unit(table: pd.DataFrame) -> pd.DataFrame:
    """Without ``target_unit`` when it is the located commune on every row (2020 communes): one column, not two."""
    if "target_unit" in table and table["target_unit"].equals(table["ma_xa_located"]):
        return table.drop(columns="target_unit")
    return table


def _communes(plan: Placement, names: pd.Series) -> pd.DataFrame:
    """The per-commune table with each commune's name (2020 communes; a 2025 unit keeps its code)."""
    table = plan.communes.reset_index()
    table.insert(1, "name_vi", table["ma_xa"].map(names.to_dict()).fillna("–"))
    return table


def _downloads(ctx: Context, plan: Placement, view: RiskView, communes: pd.DataFrame) -> None:
    """The plan (per household) and the per-commune table as XLSX or CSV, and the site pages as PDF."""
    ds, user = ctx.ds, ctx.user
    recorded = plan.filters(view.filter.filters(), ctx.lang)
    who = user.username if user is not None else ""
    fmt = st.selectbox(ctx.t("format"), ["xlsx", "csv"], key="plan-fmt", format_func=str.upper)
    contents = (plan.rule, plan.year)  # a file prepared for another rule is not offered for this one

    def table_file(frame: pd.DataFrame, title: str) -> bytes:
        if user is not None:
            ctx.accounts.record(user, "export", f"plan table, {len(frame)} rows")
        return file_bytes(lambda path: export_table(frame, path, title, recorded, ds.label, exported_by=who,
                                                    lang=ctx.lang), fmt)

    a, b, c = st.columns(3)
    with a:
        prepared_download(ctx, "plan-download", ctx.t("plan_proposal"), f"de_xuat_bo_tri.{fmt}",
                          lambda: table_file(plan.table(), ctx.t("plan")), contents)
    with b:
        prepared_download(ctx, "plan-communes-download", ctx.t("plan_by_commune"), f"de_xuat_theo_xa.{fmt}",
                          lambda: table_file(communes, ctx.t("plan_by_commune")), contents)
    with c:
        if (plan.sites["proposed"] > 0).any():
            prepared_download(ctx, "plan-pdf", ctx.t("plan_pages"), "de_xuat_theo_diem.pdf",
                              lambda: _pdf(ctx, plan), contents)


def _pdf(ctx: Context, plan: Placement) -> bytes:
    if ctx.user is not None:
        ctx.accounts.record(ctx.user, "export", "plan site pages")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.pdf"
        site_pages(ctx.ds, plan, path, ctx.lang)
        return path.read_bytes()


def _confirm(ctx: Context, plan: Placement) -> None:
    """Confirm one proposed household at a time: status "planned" and its site, one audit row each."""
    path = ctx.ds.path
    if not isinstance(path, PgLocation) and path.resolve() == DEMO_PATH.resolve():
        return  # the shipped demo is read-only; a workspace copied from it is not
    if not ctx.can("edit_status"):
        return
    proposal = plan.proposal
    done = st.session_state.pop("plan-confirmed", None)  # the message of the confirmation before this run
    with st.expander(ctx.t("plan_confirm"), expanded=done is not None):
        st.caption(ctx.t("plan_confirm_hint"))
        if done is not None:
            st.success(done)
        rows = proposal.set_index("household_id")
        with st.form("plan-confirm"):
            # plain ids as options (a label that changed with the plan would reset the choice after a save)
            household = st.selectbox(ctx.t("household_record"), rows.index.tolist()[:5000], key="plan-household",
                                     format_func=lambda h: f"#{rows.at[h, 'rank']} {one_line(h)} → "
                                                           f"{fmt_number(rows.at[h, 'distance_m'] / 1000, 1, ctx.lang)}"
                                                           f" km: {one_line(rows.at[h, 'site_name'])} "
                                                           f"({one_line(rows.at[h, 'site_id'])})")
            who = ctx.user.username if ctx.user is not None else st.text_input(ctx.t("changed_by"), key="plan-who")
            if st.form_submit_button(ctx.t("plan_confirm_button")) and household is not None:
                row = rows.loc[household]
                note = ctx.t("plan_note", site=row["site_id"], km=fmt_number(row["distance_m"] / 1000, 1, ctx.lang),
                             rank=int(row["rank"]))
                try:
                    if ctx.user is not None:
                        require(ctx.user, "edit_status")
                    # the status the plan was made from ("not planned" or none): the change applies only if still so
                    status = ctx.ds.households.loc[ctx.ds.households["household_id"] == household,
                                                   "resettlement_status"]
                    seen = None if status.empty or pd.isna(status.iloc[0]) else status.iloc[0]
                    Workspace.open(path).set_resettlement_status(household, "planned", who.strip(),
                                                                 expected_status=seen,
                                                                 site_id=row["site_id"], note=note)
                except ConflictError as exc:
                    st.error(ctx.t("status_conflict", household=markdown_text(one_line(exc.household_id)),
                                   current=words(ctx, exc.current), expected=words(ctx, exc.expected)))
                except (ValueError, KeyError, PermissionError, OSError) as exc:  # a message, never a traceback
                    st.error(markdown_text(message(exc, ctx.lang)))
                else:  # the page again from the new data: the household leaves the proposal, its place is taken
                    st.session_state["plan-confirmed"] = ctx.t("plan_confirmed",
                                                                household=markdown_text(one_line(household)),
                                                                site=markdown_text(one_line(row["site_id"])))
                    st.rerun()
