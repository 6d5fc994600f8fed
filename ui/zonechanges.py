"""The risk page's section on a new version of the hazard zones: which households changed level, per commune."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.dataexport import export_table
from geo.i18n import fmt_count, fmt_number
from geo.risk import COMMUNE, RiskFilter
from geo.zoneversions import zone_versions
from ui.common import file_bytes, one_page, prepared_download, show_table
from ui.context import Context
from ui.shared import hazard_changes

__all__ = ["section"]


def section(ctx: Context, flt: RiskFilter, names: pd.Series) -> None:
    """Counts per commune for anyone who sees counts; the households themselves for those who see households."""
    if not ctx.can("see_household_counts") or not st.toggle(ctx.t("zone_changes"), key="show-zone-changes"):
        return
    with st.container(border=True):
        versions = zone_versions(ctx.ds)
        if len(versions) < 2:  # zones held but never imported (copied from another workspace) are one version
            st.info(ctx.t("zone_changes_one", n=max(len(versions), int(not ctx.ds.zones.empty))))
            return
        left, right = st.columns(2)
        new = right.selectbox(ctx.t("zone_version_new"), versions[:0:-1], key="zone-new")
        old = left.selectbox(ctx.t("zone_version_old"), [v for v in versions[::-1] if v < new], key="zone-old")
        changes = hazard_changes(ctx.ds, old, new, flt.buffer_m).scoped(ctx.user)
        st.markdown(ctx.t("zone_changes_summary", old=old, new=new, changed=fmt_count(len(changes.households),
                          ctx.lang), total=fmt_count(len(changes.compared), ctx.lang)))
        st.caption(ctx.t("zone_changes_hint", buffer=fmt_number(flt.buffer_m, 0, ctx.lang), level=flt.min_level))
        table = changes.by_commune(flt.min_level).reset_index()
        total = table[COMMUNE] == "province"
        table.insert(1, "name_vi", table[COMMUNE].map(names).where(~total, ""))
        table[COMMUNE] = table[COMMUNE].where(~total, ctx.t("impact_total"))
        show_table(ctx, table, height=None if len(table) < 12 else 400, key="zone-changes-communes")
        if not ctx.can("see_households") or changes.households.empty:
            return
        households = changes.households.drop(columns="geometry", errors="ignore")
        show_table(ctx, one_page(ctx, households, "zone-changes-page"), key="zone-changes-households")
        fmt = st.selectbox(ctx.t("format"), ["xlsx", "csv"], key="zone-changes-fmt", format_func=str.upper)
        recorded = {"min_level": flt.min_level, "buffer_m": flt.buffer_m, ctx.t("zone_version_old"): old,
                    ctx.t("zone_version_new"): new}
        user = ctx.user

        def households_file() -> bytes:  # household rows leave the app: the access log says who took how many
            if user is not None:
                ctx.accounts.record(user, "export", f"hazard changes v{old}-v{new}, {len(households)} rows")
            return file_bytes(lambda path: export_table(households, path, ctx.t("zone_changes"), recorded, ctx.ds.label,
                                                        exported_by=user.username if user is not None else "",
                                                        lang=ctx.lang), fmt)

        prepared_download(ctx, "zone-changes-download", ctx.t("download_data"), f"doi_muc_nguy_co.{fmt}",
                          households_file, contents=(old, new))
