"""The import page: check a file (dry run), answer what the tool did not know, then import; history and audit."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from geo.dataexport import csv_bytes
from geo.hazards import HAZARD_TYPES
from geo.i18n import fmt_count, message
from geo.importer import KINDS, commit, known_to, prepare
from geo.tables import markdown_text
from geo.workspace import Workspace, exists as workspace_exists
from ui.accounts import users_panel
from ui.common import show_table, workspace_status
from ui.context import Context

__all__ = ["page"]

#: File types offered by the upload box.
UPLOAD_TYPES = ["zip", "gpkg", "geojson", "json", "kml", "kmz", "fgb", "parquet", "csv", "xlsx", "tab", "mif"]


def page(ctx: Context) -> None:
    """The upload form, the report of the dry run, the import; then accounts, history and audit."""
    st.subheader(ctx.t("view_import"))
    st.caption(f"{ctx.t('workspace')}: {markdown_text(ctx.workspace)}")
    if not ctx.ds.is_demo:
        workspace_status(ctx, expanded=True)
    _upload(ctx)
    if ctx.user is not None and ctx.can("manage_users"):
        users_panel(ctx)
    if workspace_exists(ctx.workspace):
        workspace = Workspace.open(ctx.workspace)
        st.subheader(ctx.t("import_history"))
        show_table(ctx, workspace.history(), height=None, key="import-history")
        st.subheader(ctx.t("audit_trail"))
        show_table(ctx, workspace.audit(), height=None, key="audit-trail")


def _upload(ctx: Context) -> None:
    a, b, c = st.columns(3)
    kind = a.selectbox(ctx.t("import_kind"), KINDS, key="import-kind", format_func=lambda k: ctx.t(f"kind_{k}"))
    encoding = b.selectbox(ctx.t("encoding"), ["auto", "utf-8", "tcvn3", "vni"], key="import-encoding",
                           format_func=lambda e: ctx.t("auto") if e == "auto" else e.upper())
    crs = c.selectbox(ctx.t("crs"), ["auto", "EPSG:9210", "EPSG:4326", "EPSG:3405", "EPSG:32648"],
                      key="import-crs", help=ctx.t("crs_help"),
                      format_func=lambda e: ctx.t("auto") if e == "auto" else e)
    layer = a.text_input(ctx.t("gpkg_layer"), key="import-layer", placeholder=ctx.t("gpkg_layer_hint"))
    mapping = b.text_input(ctx.t("column_map"), key="import-columns", placeholder="Ma_HGD=household_id")
    # a signed-in user is recorded as themselves; only the first run (no account yet) types a name
    who = ctx.user.username if ctx.user is not None else c.text_input(ctx.t("imported_by"), key="import-by")
    if ctx.user is not None:
        c.text_input(ctx.t("imported_by"), value=ctx.user.username, disabled=True, key="import-by-user")
    hazard_type = None
    if kind == "hazards":
        hazard_type = a.selectbox(ctx.t("single_hazard"), [None, *HAZARD_TYPES], key="import-hazard-type",
                                  format_func=lambda h: ctx.t("single_hazard_none") if h is None else ctx.t(h))
    known = known_to(ctx.workspace)
    values = {**known["values"], **st.session_state.get("import-values", {})}
    round_ = st.session_state.get("upload-round", 0)
    upload = st.file_uploader(ctx.t("upload"), key=f"upload-{round_}", type=UPLOAD_TYPES, help=ctx.t("upload_help"))
    if upload is None:
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name  # messages name the officer's own file
        path.write_bytes(upload.getvalue())
        try:
            columns = dict(item.split("=", 1) for item in mapping.replace(";", ",").split(",") if "=" in item)
            report = prepare(path, kind, layer or None, None if crs == "auto" else crs, encoding,
                             columns or None, values, hazard_type, known["boundaries"], ctx.lang)
        except Exception as exc:  # whatever the file, a message, never a traceback
            st.error(f"{ctx.t('import_refused')}: {markdown_text(message(exc, ctx.lang))}")
            return
    cards = st.columns(4)
    cards[0].metric(ctx.t("rows_in"), fmt_count(report.rows_in, ctx.lang))
    cards[1].metric(ctx.t("rows_good"), fmt_count(len(report.good), ctx.lang))
    cards[2].metric(ctx.t("rows_rejected"), fmt_count(len(report.rejected), ctx.lang))
    cards[3].metric(ctx.t("rows_warned"), fmt_count(report.warnings["row"].nunique(), ctx.lang))
    st.code(report.summary().split("\n" + ctx.t("imp_notes"))[0], language=None, wrap_lines=True)
    if len(report.unknown):
        _values_table(ctx, report, round_)
    for note in report.notes:
        st.info(markdown_text(note))
    shown = {"row": ctx.t("row_in_file"), "reason": ctx.t("reason"), "message": ctx.t("remark")}
    if not report.rejected.empty:
        rejected = report.rejected.drop(columns=["what", "code"]).rename(columns=shown)
        st.dataframe(rejected, hide_index=True, height=240)
        st.download_button(ctx.t("download_rejects"), csv_bytes(rejected), "rejected_rows.csv", "text/csv")
    if not report.warnings.empty:
        with st.expander(ctx.t("imp_warnings")):
            st.dataframe(report.warnings.drop(columns=["what", "code"]).rename(columns=shown), hide_index=True,
                         height=240)
    go, cancel = st.columns(2)
    if go.button(ctx.t("import_confirm"), type="primary", disabled=report.good.empty):
        try:
            version = commit(report, ctx.workspace, who.strip())
        except Exception as exc:  # a locked or read-only workspace: say so
            st.error(f"{ctx.t('import_refused')}: {markdown_text(message(exc, ctx.lang))}")
            return
        st.session_state["upload-round"] = round_ + 1
        st.session_state.pop("import-values", None)
        st.success(ctx.t("imported_layer", layer=ctx.t(f"layer_{report.layer}"), version=version))
    if cancel.button(ctx.t("import_cancel")):
        st.session_state["upload-round"] = round_ + 1
        st.session_state.pop("import-values", None)
        st.rerun()


def _values_table(ctx: Context, report, round_: int) -> None:
    """Values the import did not understand: the user gives each a meaning once; the workspace remembers."""
    st.markdown(f"**{ctx.t('imp_values')}**")
    table = report.unknown.assign(meaning=report.unknown["suggestion"])[["column", "value", "count", "meaning"]]
    edited = st.data_editor(table, hide_index=True, disabled=["column", "value", "count"], key=f"values-{round_}",
                            column_config={"column": ctx.t("column"), "value": ctx.t("value"),
                                           "count": ctx.t("rows"), "meaning": ctx.t("meaning")})
    if st.button(ctx.t("apply_values")):
        given = {r.value: r.meaning for r in edited.itertuples(index=False) if str(r.meaning or "").strip()}
        st.session_state["import-values"] = {**st.session_state.get("import-values", {}), **given}
        st.rerun()
