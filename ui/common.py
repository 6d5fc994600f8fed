"""Pieces every page uses: the error boundary, "missing layer" notices, provenance, tables, exports."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.dataexport import FORMATS as DATA_FORMATS
from geo.i18n import TEXT, fmt_count, fmt_date, header, message, t
from geo.incidents import record_incident
from geo.mapexport import FORMATS as MAP_FORMATS, PAPERS, atlas_progress, save_figure
from geo.tables import markdown_text, readable, styled
from ui.context import Context

__all__ = ["guarded", "missing", "provenance", "workspace_status", "show_table", "export_panel", "prepared_download",
           "file_bytes",
           "words", "KIND_OF_LAYER"]

#: The import kind that fills each layer (for the "import it" buttons and the status panel).
KIND_OF_LAYER = {"communes_2020": "communes", "communes_2025": "communes", "villages": "households",
                 "households": "households", "hazard_zones": "hazards", "sites": "sites",
                 "indicator_values": "indicators"}

_MIME = {"png": "image/png", "pdf": "application/pdf", "svg": "image/svg+xml", "csv": "text/csv",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "geojson": "application/geo+json", "gpkg": "application/geopackage+sqlite3",
         "kml": "application/vnd.google-earth.kml+xml"}


def guarded(page: Callable[[Context], None], ctx: Context) -> None:
    """Run a page; an unexpected failure is logged with an incident id and shown as one translated line."""
    try:
        page(ctx)
    except Exception as error:  # the boundary: never a traceback in the browser
        if type(error).__module__.startswith("streamlit"):  # st.rerun / st.stop signal with exceptions
            raise
        incident = record_incident(error, f"page {ctx.view}")
        st.error(ctx.t("incident", incident=incident, error=markdown_text(message(error, ctx.lang))))


def _go_to_import(kind: str) -> None:
    st.session_state["view"] = "import"
    st.session_state["import-kind"] = kind


def missing(ctx: Context, layer: str) -> None:
    """Say in one sentence that ``layer`` is not in the workspace yet, with a button to import it."""
    kind = KIND_OF_LAYER[layer]
    text = ctx.t(f"missing_{layer}")
    if ctx.may_import:
        st.warning(text)
        st.button(ctx.t("go_import", what=ctx.t(f"kind_{kind}").lower()), key=f"go-import-{layer}",
                  on_click=_go_to_import, args=(kind,))
    else:
        st.warning(f"{text} {ctx.t('ask_admin')}")


def provenance(ctx: Context, layers: list[str]) -> None:
    """A caption under a map or table: each source layer, its version and date, who imported it."""
    parts = []
    for layer in layers:
        origin = ctx.ds.provenance(layer)
        name = ctx.t(f"layer_{layer}")
        if origin is not None:
            parts.append(ctx.t("provenance_import", layer=name, file=markdown_text(origin.get("file_name", "")),
                               version=origin.get("version", ""), by=markdown_text(origin.get("imported_by") or "–"),
                               when=fmt_date(origin.get("imported_at"), ctx.lang, time=True)))
        elif ctx.ds.is_demo:
            parts.append(ctx.t("provenance_demo", layer=name, when=fmt_date(ctx.ds.changed, ctx.lang)))
    if parts:
        st.caption(f"{ctx.t('sources')}: " + "; ".join(parts))


def workspace_status(ctx: Context, expanded: bool = False) -> None:
    """The status of every layer: present or not, rows, version, source file, who imported it and when."""
    table = ctx.ds.status()
    table["layer"] = table["layer"].map(lambda name: ctx.t(f"layer_{name}"))
    table["version"] = table["version"].replace("demo", ctx.t("source_demo"))
    with st.expander(ctx.t("workspace_status"), expanded=expanded):
        show_table(ctx, table, height=None, key="workspace-status")


def show_table(ctx: Context, frame: pd.DataFrame, height: int | None = 360, digits: Mapping[str, int] | None = None,
               keep: Mapping[str, str] | None = None, key: str | None = None, column_config=None) -> pd.DataFrame:
    """A table as users read it: headers and codes in words, numbers in the language's format."""
    shown = readable(frame.reset_index(drop=True), ctx.lang, keep)
    by_header = {(keep or {}).get(c) or header(c, ctx.lang): n for c, n in (digits or {}).items()}
    st.dataframe(styled(shown, ctx.lang, by_header), hide_index=True,
                 height=height if height is not None else "auto", key=key, column_config=column_config)
    return shown


def one_page(ctx: Context, table: pd.DataFrame, key: str, size: int = 500) -> pd.DataFrame:
    """One page of a long table (a page at a time reaches the browser), with where it is in the whole."""
    if len(table) <= size:
        return table
    pages = -(-len(table) // size)
    number = st.number_input(ctx.t("table_page"), 1, pages, 1, key=key)
    first = (min(number, pages) - 1) * size
    shown = table.iloc[first:first + size]
    st.caption(ctx.t("table_rows", first=fmt_count(first + 1, ctx.lang), last=fmt_count(first + len(shown), ctx.lang),
                     total=fmt_count(len(table), ctx.lang), size=fmt_count(size, ctx.lang)))
    return shown


def file_bytes(write: Callable[[Path], object], suffix: str) -> bytes:
    """Run ``write(path)`` into a temporary file and return its bytes (for a download button)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{suffix}"
        write(path)
        return path.read_bytes()


def _bbox(bounds: dict) -> tuple[float, float, float, float]:
    south_west, north_east = bounds["_southWest"], bounds["_northEast"]
    return south_west["lng"], south_west["lat"], north_east["lng"], north_east["lat"]


def prepared_download(ctx: Context, key: str, label: str, file_name: str, make: Callable[[], bytes],
                      contents: tuple = ()) -> None:
    """A "prepare" button that builds the file once, then its download button.

    The file is built only on request and kept in the session, so reruns (a map
    pan, another filter) never leave a button pointing at a file that is gone.
    The prepared file is dropped when what it would contain changes: the
    filters, the data's revision, or ``contents`` (e.g. personal fields asked for).
    """
    signature = (file_name, repr(st.session_state.get("filters-signature")), ctx.ds.revision, contents)
    if st.button(f"{ctx.t('prepare')}: {label.lower()}", key=f"{key}-prepare"):
        with st.spinner(ctx.t("preparing")):
            st.session_state[key] = (signature, make())
    prepared = st.session_state.get(key)
    if prepared and prepared[0] == signature:
        st.download_button(label, prepared[1], file_name, _MIME[file_name.rsplit(".", 1)[1]], key=f"{key}-download")


def export_panel(ctx: Context, page: str, figure, table, communes: list[str], bounds: dict | None,
                 personal: bool = False, atlas_pages=None, tabular: bool = False) -> None:
    """Map image, data and commune atlas downloads of what is on screen (built only when clicked)."""
    with st.expander(ctx.t("export")):
        a, b, c, d = st.columns(4)
        fmt = a.selectbox(ctx.t("format"), MAP_FORMATS, key=f"{page}-fmt", format_func=str.upper)
        paper = b.selectbox(ctx.t("paper"), list(PAPERS), key=f"{page}-paper", format_func=str.upper)
        dpi = c.selectbox(ctx.t("dpi"), [150, 300], key=f"{page}-dpi")
        turn = d.selectbox(ctx.t("exp_orientation"), ["auto", "portrait", "landscape"], key=f"{page}-orientation",
                           format_func=lambda o: ctx.t(f"exp_orientation_{o}"))
        landscape = {"auto": None, "portrait": False, "landscape": True}[turn]
        labels = d.checkbox(ctx.t("labels"), key=f"{page}-labels")
        extents = ["province"] + (["selection"] if communes else []) + (["view"] if bounds else [])
        extent = st.radio(ctx.t("extent"), extents, horizontal=True, key=f"{page}-extent",
                          format_func=lambda e: ctx.t(f"extent_{e}"))
        where = {"communes": communes if extent == "selection" else None,
                 "bbox": _bbox(bounds) if extent == "view" else None}
        options = {"paper": paper, "landscape": landscape, "lang": ctx.lang, "labels": labels, **where}
        prepared_download(ctx, f"{page}-map", ctx.t("download_map"), f"{page}_map.{fmt}",
                          lambda: file_bytes(lambda p: save_figure(figure(**options), p, dpi=dpi), fmt))
        # counts and totals have no geometry: spreadsheet formats only
        formats = [f for f in DATA_FORMATS if f in ("csv", "xlsx")] if tabular else list(DATA_FORMATS)
        data_fmt = st.selectbox(ctx.t("format"), formats, key=f"{page}-data-fmt", format_func=str.upper)
        prepared_download(ctx, f"{page}-data", ctx.t("download_data"), f"{page}_table.{data_fmt}",
                          lambda: file_bytes(lambda p: table(p, personal), data_fmt), contents=(personal,))
        if atlas_pages is not None:  # one page per commune: the chosen ones, else all (about 0.2 s a page)
            def pages_shown(path: Path) -> None:  # a progress bar under the button while the pages are drawn
                bar = st.progress(0.0, text=ctx.t("preparing"))
                with atlas_progress(lambda done, total: bar.progress(done / total, text=ctx.t(
                        "atlas_progress", done=done, total=total))):
                    atlas_pages(path)
                bar.empty()

            prepared_download(ctx, f"{page}-atlas", ctx.t("atlas"), f"{page}_atlas.pdf",
                              lambda: file_bytes(pages_shown, "pdf"))


def words(ctx: Context, key: str | None) -> str:
    """A code in the page's language ("–" when missing, the code itself when unknown)."""
    return "–" if key is None else t(key, ctx.lang) if key in TEXT else str(key)
