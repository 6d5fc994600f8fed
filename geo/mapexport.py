"""Print-quality maps (PNG, PDF, SVG) and commune atlases, drawn on the server.

Maps are drawn with matplotlib in VN-2000 / TM-3 (EPSG:9210), so the scale bar
measures true metres; text uses DejaVu Sans, which carries every Vietnamese
letter, and PDFs embed it as TrueType (text stays selectable). Every page
carries a title and subtitle, a legend with class counts, a scale bar, a north
arrow, the data source, the date of export and, for demo data, "Dữ liệu minh
họa / DEMO DATA". No basemap tiles are needed, so exports work offline.

Examples
--------
>>> from geo.dataset import load
>>> fig = indicator_figure(load(), "2", 2023, paper="a4", landscape=True)
>>> [round(v / 25.4 * 10) / 10 for v in (297, 210)] == [round(x, 1) for x in fig.get_size_inches()]
True
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import tempfile
import threading
import warnings
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from pathlib import Path
from queue import Empty

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Bbox, ScaledTranslation
from matplotlib_scalebar.scalebar import ScaleBar
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from geo.catalogue import load_catalogue
from geo.crs import METRIC_CRS, WGS84
from geo.crsguess import PROVINCE_BOX
from geo.dataexport import with_personal_fields
from geo.dataset import Dataset
from geo.hazards import HAZARD_TYPES, grown_zones
from geo.hazardtypes import HAZARD_VOCAB
from geo.i18n import (
    UNIT_DIGITS,
    Refusal,
    fmt_count,
    fmt_date,
    fmt_number,
    fmt_value,
    header,
    t,
    unit_text,
)
from geo.indicators import STATUSES
from geo.risk import COMMUNE, RiskFilter, RiskView, risk_view
from geo.status import commune_profiles, commune_status
from geo.style import (
    BUFFER_COLOUR,
    HAZARD_COLOURS,
    NO_DATA_HATCH,
    RESETTLEMENT_COLOURS,
    STATUS_COLOURS,
    text_colour,
)
from geo.text import drawable

__all__ = ["FORMATS", "PAPERS", "PRINT_RC", "DEMO_MARK", "atlas", "atlas_progress", "indicator_figure", "risk_figure",
           "save_figure"]

#: Paper sizes in millimetres, portrait (width, height).
PAPERS = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
FORMATS = ("png", "pdf", "svg")
#: The print settings of every printed page: DejaVu Sans (every Vietnamese letter), fonts embedded.
PRINT_RC = {"font.family": "DejaVu Sans", "pdf.fonttype": 42, "svg.fonttype": "none", "hatch.linewidth": 0.6}
#: What every printed page of demo data says.
DEMO_MARK = "Dữ liệu minh họa / DEMO DATA"
#: Hatch of each hazard type's zones (colour shows the level), from data/hazards.yaml.
_HAZARD_HATCH = {h.code: h.hatch for h in HAZARD_VOCAB}
_MEASURE = TextToPath()
#: Who hears of an atlas's pages when the caller gives no ``progress`` (:func:`atlas_progress`).
_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar("atlas_progress", default=None)


def _wrapped(text: str, width_in: float, size: float, bold: bool = False) -> str:
    """``text`` broken at spaces into lines no wider than ``width_in`` inches (DejaVu Sans, ``size`` points).

    >>> print(_wrapped("Điểm tái định cư: nằm trong vùng nguy cơ thiên tai (2)", 1.8, 7.5))
    Điểm tái định cư: nằm trong
    vùng nguy cơ thiên tai (2)
    """
    text = drawable(text)
    font = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    room = 0.92 * 72 * width_in  # a PNG's hinted glyphs run up to 5% wider than the font's outlines
    if _MEASURE.get_text_width_height_descent(text, font, ismath=False)[0] <= room:
        return text  # most titles fit: one measure instead of one per word
    lines: list[str] = []
    for word in text.split(" "):  # a few dozen words: measured one by one
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and _MEASURE.get_text_width_height_descent(joined, font, ismath=False)[0] <= room:
            lines[-1] = joined
        else:
            lines.append(word)
    return "\n".join(lines)


def _inches(paper: str, landscape: bool) -> tuple[float, float]:
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    width, height = PAPERS[paper]
    if landscape:
        width, height = height, width
    return width / 25.4, height / 25.4


def _extent(ds: Dataset, communes: Collection[str] | None, bbox: Sequence[float] | None,
            vintage: int = 2020) -> tuple[float, float, float, float]:
    """Map extent in EPSG:9210: chosen communes, a WGS 84 box, or the province."""
    if bbox is not None:
        minx, miny, maxx, maxy = bbox
        if not (minx < maxx and miny < maxy):
            raise ValueError(f"bbox must be (min lon, min lat, max lon, max lat), got {tuple(bbox)}")
        return tuple(gpd.GeoSeries([shapely.box(minx, miny, maxx, maxy)], crs=WGS84).to_crs(METRIC_CRS).total_bounds)
    frame = ds.communes(vintage)
    if communes and len(frame):
        chosen = frame.loc[frame["ma_xa"].isin(list(communes))]
        unknown = set(communes) - set(chosen["ma_xa"])
        if unknown:
            raise Refusal("map_err_communes", value=", ".join(sorted(unknown)), units=vintage)
        frame = chosen
    if frame.empty:  # no boundaries yet: whatever the dataset holds, else the province's box
        layers = [layer for layer in (ds.zones, ds.households, ds.sites) if len(layer)]
        frame = layers[0] if layers else gpd.GeoSeries([shapely.box(*PROVINCE_BOX)], crs=WGS84).to_crs(METRIC_CRS)
    minx, miny, maxx, maxy = frame.total_bounds
    pad = 0.04 * max(maxx - minx, maxy - miny)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


@dataclass(frozen=True)
class _Layout:
    """Where a page puts its map and its legend panel (fractions of the page), and the legend's columns."""

    landscape: bool
    frame: tuple[float, float, float, float]
    panel: tuple[float, float, float, float]
    columns: int

    @property
    def beside(self) -> bool:
        """Whether the legend is beside the map (else under it)."""
        return self.panel[0] >= self.frame[0] + self.frame[2]


#: Portrait with the legend under the map; landscape with it beside the map, or under it for very wide maps.
_LAYOUTS = (_Layout(False, (0.05, 0.26, 0.90, 0.62), (0.05, 0.08, 0.90, 0.16), 2),
            _Layout(True, (0.03, 0.09, 0.70, 0.78), (0.75, 0.09, 0.22, 0.78), 1),
            _Layout(True, (0.03, 0.25, 0.94, 0.62), (0.03, 0.08, 0.94, 0.15), 4))


def _layout(extent: tuple[float, float, float, float], paper: str, landscape: bool | None) -> _Layout:
    """The layout that prints the map of ``extent`` largest, on the orientation asked for (None: either).

    >>> [(x.landscape, x.beside) for x in (_layout((0, 0, 160_000, 80_000), "a4", None),
    ...  _layout((0, 0, 20_000, 30_000), "a4", None), _layout((0, 0, 100_000, 80_000), "a4", True))]
    [(True, False), (False, False), (True, True)]
    """
    width, height = extent[2] - extent[0], extent[3] - extent[1]

    def scale(layout: _Layout) -> float:
        page_w, page_h = _inches(paper, layout.landscape)
        return min(layout.frame[2] * page_w / width, layout.frame[3] * page_h / height)
    return max((x for x in _LAYOUTS if landscape is None or x.landscape == landscape), key=scale)


def _page(paper: str, layout: _Layout) -> tuple[Figure, matplotlib.axes.Axes, matplotlib.axes.Axes]:
    """A page with a title band, the map, a legend panel and a footer."""
    fig = Figure(figsize=_inches(paper, layout.landscape))
    ax = fig.add_axes(layout.frame)
    side = fig.add_axes(layout.panel)
    side.set_axis_off()
    return fig, ax, side


def _frame_map(ax: matplotlib.axes.Axes, extent: tuple[float, float, float, float]) -> None:
    # Widen the extent to the frame's shape, so the map fills the frame.
    minx, miny, maxx, maxy = extent
    box = ax.get_position(original=True)
    width_in, height_in = ax.figure.get_size_inches()
    frame_ratio = (box.width * width_in) / (box.height * height_in)
    cx, cy, w, h = (minx + maxx) / 2, (miny + maxy) / 2, maxx - minx, maxy - miny
    if w / h < frame_ratio:
        w = h * frame_ratio
    else:
        h = w / frame_ratio
    minx, maxx, miny, maxy = cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal", adjustable="box")  # the frame shrinks to the extent's shape...
    ax.set_anchor("N")  # ...and stays under the title
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for spine in ax.spines.values():
        spine.set_linewidth(0.6)
    ax.add_artist(ScaleBar(1.0, units="m", location="lower left", length_fraction=0.22, box_alpha=0.8,
                           font_properties={"size": 7}))
    # North arrow: grid north, within a degree of true north in this projection.
    ax.annotate("N", xy=(0.955, 0.96), xytext=(0.955, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold", bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
                arrowprops={"arrowstyle": "-|>", "facecolor": "black", "linewidth": 1.2})


@dataclass(frozen=True)
class _Furniture:
    """What every printed page carries besides its map and title: the subtitle, footers and the demo mark."""

    footer: str
    demo: str | None

    @classmethod
    def of(cls, ds: Dataset, lang: str) -> _Furniture:
        source = ds.meta.get("source", str(ds.path.name))
        made = fmt_date(ds.meta.get("generated", "") or ds.changed, lang)
        footer = t("exp_footer", lang, source=source, made=made, today=fmt_date(dt.date.today(), lang))
        return cls(footer, DEMO_MARK + " — " + t("demo_note", lang) if ds.is_demo else None)

    def draw(self, fig: Figure, subtitle: str) -> float:
        """Subtitle and footers, each wrapped within the page's margins (3% of its width each side), never cut.

        The subtitle takes two lines at most in a smaller font, more lines if it
        must; returns its bottom (a fraction of the page's height).
        """
        width = 0.94 * fig.get_size_inches()[0]
        text = subtitle + (f"  —  {DEMO_MARK}" if self.demo else "")
        size = next((s for s in (9.5, 8.5, 7.5) if _wrapped(text, width, s).count("\n") < 2), 6.5)
        wrapped = _wrapped(text, width, size)
        fig.text(0.5, 0.925, wrapped, ha="center", va="top", fontsize=size,
                 color="#b2182b" if self.demo else "#333333")
        fig.text(0.03, 0.035, _wrapped(self.footer, width, 6.5), fontsize=6.5, color="#444444", va="bottom")
        if self.demo:
            fig.text(0.97, 0.012, _wrapped(self.demo, width, 7, bold=True), fontsize=7, color="#b2182b", ha="right",
                     va="bottom", fontweight="bold", multialignment="right")
        return 0.925 - (wrapped.count("\n") + 1) * size * 1.25 / 72 / fig.get_size_inches()[1]


def _decorate(fig: Figure, ds: Dataset, title: str, subtitle: str, lang: str) -> float:
    """Title, subtitle and footers; the map's frame is lowered under a subtitle of more than two lines.

    Returns the bottom of the subtitle (a fraction of the page's height).
    """
    fig.text(0.5, 0.965, _title_text(fig, title), ha="center", va="top", fontsize=14, fontweight="bold")
    bottom = _Furniture.of(ds, lang).draw(fig, subtitle)
    ax = fig.axes[0]
    box = ax.get_position(original=True)
    if box.y1 > bottom - 0.01:
        ax.set_position((box.x0, box.y0, box.width, bottom - 0.01 - box.y0))
    return bottom


def _title_text(fig: Figure, title: str) -> str:
    """A page title wrapped within the page's margins."""
    return _wrapped(title, 0.94 * fig.get_size_inches()[0], 14, bold=True)


def _labels(ax: matplotlib.axes.Axes, frame: gpd.GeoDataFrame, fills: Sequence[str], size: float = 5.0) -> list[Text]:
    """Commune names on the framed map, never two overprinted; returns the names drawn.

    Largest communes first: a name that would overprint one already placed (or
    leave the frame) is tried a line above and below its point, then left out.
    Each name is in the text colour that reads on its commune's fill
    (:func:`geo.style.text_colour`), edged with that fill.
    """
    fig = ax.figure
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax.apply_aspect()
    inside = ax.get_window_extent(renderer)
    points = frame.geometry.representative_point()
    order = np.argsort(-frame.area.to_numpy(), kind="stable")
    placed: list[Bbox] = []
    drawn = []
    for i in order:
        fill = fills[i]
        label = ax.text(points.x.iloc[i], points.y.iloc[i], drawable(frame["name_vi"].iloc[i]), fontsize=size,
                        ha="center", va="center", color=text_colour(fill), gid=f"commune-label {frame['ma_xa'].iloc[i]}",
                        path_effects=[patheffects.withStroke(linewidth=1.2, foreground=fill)], parse_math=False)
        base = label.get_transform()
        for shift in (0.0, 1.2 * size, -1.2 * size):  # points
            label.set_transform(base + ScaledTranslation(0, shift / 72, fig.dpi_scale_trans))
            box = label.get_window_extent(renderer).expanded(1.1, 1.15)
            if inside.containsx(box.x0) and inside.containsx(box.x1) and inside.containsy(box.y0) \
                    and inside.containsy(box.y1) and not any(box.overlaps(other) for other in placed):
                placed.append(box)
                drawn.append(label)
                break
        else:
            label.remove()
    return drawn


def _legend(side: matplotlib.axes.Axes, handles: list, title: str, columns: int = 1) -> None:
    """The legend in the side panel, its labels wrapped to the width of a column (less the key)."""
    width = side.get_position().width * side.figure.get_size_inches()[0]
    for handle in handles:
        handle.set_label(_wrapped(handle.get_label(), width / columns - 0.45, 7.5))
    side.legend(handles=handles, loc="upper left", frameon=False, fontsize=7.5, title=_wrapped(title, width, 8.5),
                title_fontsize=8.5, alignment="left", ncols=columns)


def indicator_figure(
    ds: Dataset,
    indicator: str,
    year: int,
    units: str = "2020",
    communes: Collection[str] | None = None,
    bbox: Sequence[float] | None = None,
    paper: str = "a4",
    landscape: bool | None = None,
    lang: str = "vi",
    labels: bool = False,
) -> Figure:
    """The indicator map: communes coloured by status in ``year``.

    Parameters
    ----------
    communes : collection of str, optional
        Codes whose extent is shown (default: the province).
    bbox : (min lon, min lat, max lon, max lat), optional
        A WGS 84 extent, for example the view zoomed to on the web map.
    paper, landscape : page size ("a4" or "a3") and orientation (None: the
        one that prints the map larger).
    labels : bool
        Write commune names on the map (never two overprinted).
    """
    with matplotlib.rc_context(PRINT_RC):
        catalogue = load_catalogue()
        if indicator not in catalogue:
            raise ValueError(f"unknown indicator {indicator!r}; known: {', '.join(catalogue)}")
        ind = catalogue[indicator]
        table = commune_status(ds, indicator, year, units)
        frame = ds.communes(int(units))
        shapes = frame[["ma_xa", "name_vi", "geometry"]].merge(table[["ma_xa", "status", "value"]], on="ma_xa")
        extent = _extent(ds, communes, bbox, int(units))
        layout = _layout(extent, paper, landscape)
        fig, ax, side = _page(paper, layout)
        _decorate(fig, ds, f"{ind.id}. {ind.name(lang)} — {year}",
                  f"{t('map_title', lang)}; {t(f'units_{units}', lang)}", lang)
        # The legend counts the communes on the page.
        counts = shapes.loc[shapes.intersects(shapely.box(*extent))]["status"].value_counts()
        word = t("unit_xã", lang)
        handles = []
        for status in STATUSES:
            part = shapes.loc[shapes["status"] == status]
            hatch = NO_DATA_HATCH if status == "no_data" else None
            if len(part):
                part.plot(ax=ax, color=STATUS_COLOURS[status], edgecolor="#555555", linewidth=0.35, hatch=hatch)
            handles.append(Patch(facecolor=STATUS_COLOURS[status], edgecolor="#555555", hatch=hatch,
                                 label=f"{t(status, lang)} ({fmt_count(counts.get(status, 0), lang)} {word})"))
        districts = _district_lines(frame)
        if len(districts):
            ax.add_collection(LineCollection(_lines_path(districts), **_DISTRICT_STYLE, zorder=2))
            handles.append(Line2D([], [], color=_DISTRICT_STYLE["colors"], linewidth=0.8,
                                  linestyle=_DISTRICT_STYLE["linestyles"], label=t("exp_district_lines", lang)))
        if communes:
            shapes.loc[shapes["ma_xa"].isin(list(communes))].boundary.plot(ax=ax, color="black", linewidth=1.2,
                                                                            zorder=3)
        _frame_map(ax, extent)
        if labels:
            near = shapes.cx[extent[0]:extent[2], extent[1]:extent[3]]
            _labels(ax, near, near["status"].map(STATUS_COLOURS).tolist())
        _legend(side, handles, t("communes_by_status", lang), columns=min(layout.columns, 3))
        rule = ind.text_vi if lang == "vi" else ind.text_en
        side_width = side.get_position().width * fig.get_size_inches()[0]
        # the target's rule: under the legend, or at the foot of a wide panel under the map
        y, anchor = (0.45, "top") if layout.beside else (0.0, "bottom" if layout.landscape else "top")
        side.text(0.0, y, _wrapped(f"{t('target', lang)}: {rule}", side_width, 7.5), fontsize=7.5, va=anchor,
                  transform=side.transAxes, color="#333333")
        return fig


def _locator(fig: Figure, box: Sequence[float], area: gpd.GeoDataFrame, codes: Collection[str]) -> None:
    """A small map of the province at ``box`` (page fractions): its districts, the communes ``codes`` in red."""
    inset = fig.add_axes(box)
    inset.set_axis_off()
    minx, miny, maxx, maxy = area.total_bounds
    width_in, height_in = box[2] * fig.get_size_inches()[0], box[3] * fig.get_size_inches()[1]
    tolerance = max((maxx - minx) / width_in, (maxy - miny) / height_in) / 72 / 2
    shapes = shapely.simplify(area.geometry.to_numpy(), tolerance, preserve_topology=True)
    chosen = area["ma_xa"].isin(list(codes)).to_numpy()
    inset.add_collection(PatchCollection([PathPatch(_outline(g)) for g in shapes],
                                         facecolor=np.where(chosen, "#b2182b", "#eeeeee").tolist(),
                                         edgecolor="#bbbbbb", linewidth=0.15))
    inset.add_collection(LineCollection(_lines_path(shapely.simplify(_district_lines(area), tolerance)),
                                        colors="#4d4d4d", linewidths=0.5))
    inset.set_xlim(minx, maxx)
    inset.set_ylim(miny, maxy)
    inset.set_aspect("equal")
    inset.set_anchor("SE")


def risk_figure(
    ds: Dataset,
    view: RiskView,
    bbox: Sequence[float] | None = None,
    paper: str = "a4",
    landscape: bool | None = None,
    lang: str = "vi",
    labels: bool = False,
    province_extent: bool = False,
    show_households: bool = True,
    locator: bool = False,
) -> Figure:
    """The risk map of a :func:`geo.risk.risk_view`: hazard zones, its households and resettlement sites.

    The map shows the view's communes (outlined), unless ``bbox`` is given or
    ``province_extent`` asks for the whole province; district lines are drawn,
    and ``locator`` adds a small map of the province with the communes marked.
    ``landscape`` None: the orientation that prints the map larger. With
    ``show_households=False`` (viewers, planners) no household is drawn: the
    legend keeps only the counts per level.
    """
    flt = view.filter
    types, min_level, communes = flt.types, flt.min_level, flt.communes
    with matplotlib.rc_context(PRINT_RC):
        shown = view.shown
        extent = _extent(ds, None if province_extent else communes, bbox)
        layout = _layout(extent, paper, landscape)
        in_view = shown.cx[extent[0]:extent[2], extent[1]:extent[3]]
        households = t("households", lang).lower()
        area = ds.communes(2020)
        fig, ax, side = _page(paper, layout)
        _decorate(fig, ds, f"{t('view_risk', lang)} — {fmt_count(len(in_view), lang)} {households}",
                  "; ".join(_risk_subtitle(flt, area, lang)), lang)
        if len(area):
            area.plot(ax=ax, facecolor="#f7f7f7", edgecolor="#999999", linewidth=0.3)
        zones = ds.zones.loc[ds.zones["hazard_type"].isin(list(types)) & (ds.zones["level"] >= min_level)]
        zones = zones.cx[extent[0]:extent[2], extent[1]:extent[3]]
        for (hazard, level), part in zones.groupby(["hazard_type", "level"]):
            part.plot(ax=ax, color=HAZARD_COLOURS[level], edgecolor=HAZARD_COLOURS[level], linewidth=0.2,
                      hatch=_HAZARD_HATCH[hazard], alpha=0.85)
        outlined = flt.buffer_m > 0 and len(zones) > 0
        if outlined:  # what the buffer counts, outlined as on the web map
            grown = grown_zones(ds, flt.buffer_m, min_level)
            grown.loc[grown["hazard_type"].isin(list(types))].boundary.plot(
                ax=ax, color=BUFFER_COLOUR, linewidth=0.9, linestyle=(0, (4, 2)), zorder=2.4)
        districts = _district_lines(area)
        if len(districts):
            ax.add_collection(LineCollection(_lines_path(districts), **_DISTRICT_STYLE, zorder=2.5))
        if communes and len(area):
            area.loc[area["ma_xa"].isin(list(communes))].boundary.plot(ax=ax, color="black", linewidth=1.8, zorder=2.6)
        size = 1.5 if len(in_view) > 5000 else 5
        # Thousands of dots are drawn as one image inside the vector PDF/SVG: a light file,
        # and its text (titles, legend) stays vector and selectable.
        many = len(in_view) > 2000
        for status, colour in RESETTLEMENT_COLOURS.items():
            part = in_view.loc[in_view["resettlement_status"] == status]
            if len(part) and show_households:
                ax.scatter(part.geometry.x, part.geometry.y, s=size, c=colour, linewidths=0, zorder=3,
                           rasterized=many)
        unsafe = set(view.unsafe_sites["site_id"])
        sites = ds.sites
        bad = sites["site_id"].isin(unsafe).to_numpy()
        ax.scatter(sites.geometry.x[~bad], sites.geometry.y[~bad], marker="^", s=40, c="#1a9641",
                   edgecolors="black", linewidths=0.5, zorder=4)
        ax.scatter(sites.geometry.x[bad], sites.geometry.y[bad], marker="^", s=60, c="#b2182b",
                   edgecolors="black", linewidths=0.8, zorder=4)
        _frame_map(ax, extent)
        if labels and len(area):
            near = area.cx[extent[0]:extent[2], extent[1]:extent[3]]
            _labels(ax, near, ["#f7f7f7"] * len(near))

        level_counts = in_view["level"].value_counts()
        handles = [Patch(facecolor=HAZARD_COLOURS[v], edgecolor="#555555",
                         label=f"{t(f'level_{v}', lang)} ({fmt_count(level_counts.get(v, 0), lang)} {households})")
                   for v in range(5, min_level - 1, -1)]
        handles += [Patch(facecolor="white", edgecolor="#555555", hatch=_HAZARD_HATCH[h], label=t(h, lang))
                    for h in HAZARD_TYPES if h in types]
        status_counts = in_view["resettlement_status"].value_counts()
        handles += [Line2D([], [], marker="o", linestyle="", color=c, markersize=5,
                           label=f"{t(s, lang)} ({fmt_count(status_counts.get(s, 0), lang)} {households})")
                    for s, c in RESETTLEMENT_COLOURS.items() if show_households]
        sites_word = t("exp_sites_unit", lang)
        handles += [Line2D([], [], marker="^", linestyle="", color="#1a9641", markeredgecolor="black",
                           label=t("sites", lang)),
                    Line2D([], [], marker="^", linestyle="", color="#b2182b", markeredgecolor="black",
                           label=f"{t('sites', lang)}: {t('site_unsafe', lang)} ({fmt_count(bad.sum(), lang)} "
                                 f"{sites_word})")]
        if outlined:
            distance = fmt_number(flt.buffer_m, 0 if float(flt.buffer_m).is_integer() else 1, lang)
            handles.append(Line2D([], [], color=BUFFER_COLOUR, linewidth=0.9, linestyle=(0, (4, 2)),
                                  label=t("legend_buffer", lang, m=distance)))
        if len(districts):
            handles.append(Line2D([], [], color=_DISTRICT_STYLE["colors"], linewidth=0.8,
                                  linestyle=_DISTRICT_STYLE["linestyles"], label=t("exp_district_lines", lang)))
        if communes and len(area):
            handles.append(Line2D([], [], color="black", linewidth=1.8, label=t("exp_commune_line", lang)))
        if locator and len(area):  # under a legend beside the map, or beside a legend under it; never over it
            panel = side.get_position()
            wide = 0.26 if not layout.landscape else 0.17
            box = ((panel.x0, panel.y0, panel.width, 0.22) if layout.beside
                   else (panel.x1 - wide, panel.y0, wide, panel.height))
            side.set_position((panel.x0, panel.y0 + 0.23, panel.width, panel.height - 0.23) if layout.beside
                              else (panel.x0, panel.y0, panel.width - wide - 0.02, panel.height))
            _locator(fig, box, area, communes or ())
        _legend(side, handles, t("risk_legend", lang), columns=layout.columns)
        return fig


def _risk_subtitle(flt: RiskFilter, area: gpd.GeoDataFrame, lang: str) -> list[str]:
    """The filters ``flt`` in words, for a risk map's subtitle."""
    chosen = [t(h, lang) for h in HAZARD_TYPES if h in flt.types]
    parts = [", ".join(chosen), f"{t('min_level', lang)} {flt.min_level} ({t(f'level_{flt.min_level}', lang)})"]
    if flt.buffer_m:
        parts.append(f"{t('buffer_m', lang)} {fmt_number(flt.buffer_m, 0 if float(flt.buffer_m).is_integer() else 1, lang)}")
    if flt.communes:
        names = area.set_index("ma_xa")["name_vi"] if len(area) else pd.Series(dtype=object)
        named = [names.get(c, c) for c in list(flt.communes)[:5]]  # the first five by name, then a count
        more = [t("exp_more_communes", lang, n=fmt_count(len(flt.communes) - 5, lang))] if len(flt.communes) > 5 else []
        parts.append(f"{t('communes_filter', lang)}: " + ", ".join(named + more))
    if flt.ethnicities:
        parts.append(f"{t('ethnicity', lang)}: " + ", ".join(flt.ethnicities))
    if flt.statuses:
        parts.append(f"{t('resettlement_status', lang)}: " + ", ".join(t(s, lang) for s in flt.statuses))
    if flt.at_risk_only:
        parts.append(t("at_risk_only", lang))
    return parts


def save_figure(fig: Figure, path: str | Path, dpi: int = 150, fmt: str | None = None) -> Path:
    """Write ``fig`` as PNG, PDF or SVG (by ``fmt`` or the file's extension).

    Raises
    ------
    ValueError
        On an unknown format, or if a glyph is missing from the font (a
        character that would print as a box).
    """
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in FORMATS:
        raise ValueError(f"{path}: format must be one of {', '.join(FORMATS)}")
    if not 72 <= dpi <= 600:
        raise ValueError(f"dpi must be between 72 and 600, got {dpi}")
    with matplotlib.rc_context(PRINT_RC), warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph .* missing from font.*")
        fig.savefig(path, format=fmt, dpi=dpi, metadata=_metadata(fig, fmt))
    return path


def _metadata(fig: Figure, fmt: str) -> dict:
    title = fig.texts[0].get_text() if fig.texts else ""
    if fmt == "png":
        return {"Title": title, "Software": "geo (Cao Bằng programme tracker)"}
    if fmt == "pdf":
        return {"Title": title, "Creator": "geo (Cao Bằng programme tracker)"}
    return {"Title": title}


def _printed(value: object, unit: str, lang: str) -> str:
    """An indicator value at its unit's precision; a percentage with its sign.

    >>> _printed(46.4876, "%", "vi"), _printed(2.0, "cặp", "vi"), _printed(31.25, "triệu đồng/người/năm", "en")
    ('46,5%', '2', '31.2')
    """
    return fmt_value(value, unit, lang) if unit == "%" else fmt_number(value, UNIT_DIGITS.get(unit, 1), lang)


def _outline(shape: shapely.Geometry | None) -> MplPath:
    """A (multi)polygon as one matplotlib path, holes included (as geopandas draws it)."""
    rings = [ring for part in shapely.get_parts(shape) for ring in (part.exterior, *part.interiors)]
    return MplPath.make_compound_path(*(MplPath(np.asarray(ring.coords)[:, :2], closed=True) for ring in rings))


def _district_lines(frame: gpd.GeoDataFrame) -> np.ndarray:
    """The boundaries of the districts of ``frame``'s communes (dissolved by ``ma_huyen``), as line geometries.

    >>> from geo.dataset import load
    >>> len(_district_lines(load().communes(2020)))
    10
    """
    if frame.empty or "ma_huyen" not in frame or frame["ma_huyen"].isna().all():
        return np.array([], dtype=object)
    return shapely.boundary(frame.dissolve("ma_huyen").geometry.to_numpy())


def _lines_path(lines: np.ndarray) -> list[np.ndarray]:
    """Line geometries as the vertex arrays of a LineCollection (every part of a multi-line)."""
    return [np.asarray(part.coords)[:, :2] for part in shapely.get_parts(lines)]


#: How district lines are printed: darker and heavier than commune lines, dash-dot.
_DISTRICT_STYLE = {"colors": "#4d4d4d", "linewidths": 0.8, "linestyles": (0, (5, 1.5, 1, 1.5))}


@dataclass(frozen=True)
class _Profile:
    """What one commune's page of the indicator atlas prints: the parts that change from commune to commune."""

    code: str
    title: str
    counts: tuple[str, ...]
    values: tuple[str, ...]
    targets: tuple[str, ...]
    statuses: tuple[str, ...]


class _ProfileSheet:
    """The indicator atlas's page: what every commune's page shares, laid out and drawn once, and what changes.

    Built in the parent process from the dataset, it holds plain data (shapes
    as paths, texts, positions), so worker processes can draw pages from it.
    :meth:`background` draws the shared page: subtitle and footers, the
    province's communes and district lines, the table's grid, headers,
    indicators (wrapped, never cut) and units; :meth:`stamp_pages` each
    status cell once (its colour, its word in the text colour that reads on
    it), which :meth:`placed` puts in a commune's rows; :meth:`overlay` draws
    what else one commune adds on top: title, highlighted shape, counts,
    values and targets. :func:`_compose` lays them over one another.

    >>> from geo.dataset import load
    >>> sheet = _ProfileSheet(load(), 2024, "vi")
    >>> sheet.overlay(sheet.profiles(load(), ["01267"])[0]).texts[0].get_text()
    'Sông Hiến (01267), Thành phố Cao Bằng'
    """

    #: Columns: share of the table's width; the table's font size, line pitch and cell padding (points).
    WIDTHS = (0.05, 0.45, 0.14, 0.10, 0.10, 0.16)
    SIZE, PITCH, PAD = 7.0, 8.6, 2.5
    MAP = (0.03, 0.675, 0.56, 0.235)
    TOP = 0.655

    def __init__(self, ds: Dataset, year: int, lang: str) -> None:
        self.year, self.lang = year, lang
        self.size = _inches("a4", False)
        width_in, height_in = self.size
        area = ds.communes(2020)
        self.names = dict(zip(area["ma_xa"], area["name_vi"]))
        self.districts = dict(zip(area["ma_xa"], area["district_vi"])) if "district_vi" in area else {}
        # The province's map: limits widened to the frame's shape, shapes simplified to a quarter point.
        frame_w, frame_h = self.MAP[2] * width_in, self.MAP[3] * height_in
        minx, miny, maxx, maxy = area.total_bounds if len(area) else (0.0, 0.0, 1.0, 1.0)
        scale = max((maxx - minx) / frame_w, (maxy - miny) / frame_h) * 1.03
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        self.limits = (cx - scale * frame_w / 2, cx + scale * frame_w / 2, cy - scale * frame_h / 2, cy + scale * frame_h / 2)
        shapes = shapely.simplify(area.geometry.to_numpy(), scale / 72 / 4, preserve_topology=True)
        self.outlines = dict(zip(area["ma_xa"], map(_outline, shapes)))
        self.district_lines = _lines_path(shapely.simplify(_district_lines(area), scale / 72 / 4))
        # The table: each row as tall as its longest wrapped cell; the same rows on every page.
        catalogue = load_catalogue()
        table_w = 0.94 * width_in
        room = [w * table_w - 2 * self.PAD / 72 for w in self.WIDTHS]
        self.rows = [(i.id, _wrapped(i.name(lang), room[1], self.SIZE), _wrapped(unit_text(i.unit, lang), room[2], self.SIZE))
                     for i in catalogue.values()]
        self.units = [i.unit for i in catalogue.values()]
        headers = ["#", t("indicator", lang), t("unit", lang), t("value", lang), t("target", lang), t("status", lang)]
        self.headers = [_wrapped(h, r, self.SIZE, bold=True) for h, r in zip(headers, room)]
        lines = [max(cell.count("\n") + 1 for cell in cells) for cells in [self.headers, *self.rows]]
        heights = (np.array(lines) * self.PITCH + 2 * self.PAD) / 72 / height_in
        self.row_tops = self.TOP - np.concatenate(([0.0], np.cumsum(heights)[:-1]))
        self.row_heights = heights
        # A status cell (its colour and word) is one of a few drawings, made once and placed in each row.
        self.row_lines = lines[1:]
        self.stamps = [(status, n) for status in STATUSES for n in sorted(set(self.row_lines))]
        self.lefts = 0.03 + 0.94 * np.concatenate(([0.0], np.cumsum(self.WIDTHS)[:-1]))
        self.subtitle = f"{t('profile', lang)} — {year}"
        self.furniture = _Furniture.of(ds, lang)
        self._overlay: tuple | None = None

    def profiles(self, ds: Dataset, codes: Sequence[str]) -> list[_Profile]:
        """The texts of each commune's page (all communes' statuses found at once)."""
        lang = self.lang
        table = commune_profiles(ds, codes, self.year, "2020", lang)
        units = table["unit"].to_numpy()
        values = [_printed(v, u, lang) for v, u in zip(table["value"], units)]
        targets = [_printed(v, u, lang) for v, u in zip(table["target_value"], units)]
        statuses = table["status"].tolist()
        n = len(self.rows)
        pages = []
        for i, code in enumerate(codes):
            mine = statuses[i * n:(i + 1) * n]
            district = self.districts.get(code)
            title = f"{self.names[code]} ({code})" + (f", {district}" if isinstance(district, str) else "")
            pages.append(_Profile(code, title, tuple(f"{t(s, lang)}: {fmt_count(mine.count(s), lang)}" for s in STATUSES),
                                  tuple(values[i * n:(i + 1) * n]), tuple(targets[i * n:(i + 1) * n]), tuple(mine)))
        return pages

    def _figure(self) -> tuple[Figure, matplotlib.axes.Axes]:
        fig = Figure(figsize=self.size)
        ax = fig.add_axes(self.MAP)
        ax.set_xlim(*self.limits[:2])
        ax.set_ylim(*self.limits[2:])
        ax.set_axis_off()
        return fig, ax

    def background(self) -> Figure:
        """The page every commune shares."""
        fig, ax = self._figure()
        ax.add_collection(PatchCollection([PathPatch(path) for path in self.outlines.values()],
                                          facecolor="#eeeeee", edgecolor="#aaaaaa", linewidth=0.2))
        ax.add_collection(LineCollection(self.district_lines, **_DISTRICT_STYLE))
        self.furniture.draw(fig, self.subtitle)
        # The counts' keys: one swatch per status, beside the counts the overlay writes.
        for i, status in enumerate(STATUSES):
            fig.patches.append(Rectangle((0.63, self._count_y(i) - 0.004), 0.018, 0.011, transform=fig.transFigure,
                                         facecolor=STATUS_COLOURS[status], edgecolor="#555555", linewidth=0.4,
                                         hatch=NO_DATA_HATCH if status == "no_data" else None))
        fig.patches.append(PatchCollection(
            [Rectangle((x, top - h), 0.94 * w, h) for top, h in zip(self.row_tops, self.row_heights)
             for x, w in zip(self.lefts, self.WIDTHS)],
            facecolor=["#eeeeee"] * len(self.WIDTHS) + ["white"] * (len(self.rows) * len(self.WIDTHS)),
            edgecolor="black", linewidth=0.4, transform=fig.transFigure))
        top = self.row_tops[0] - self.PAD / 72 / self.size[1]
        for x, w, text in zip(self.lefts, self.WIDTHS, self.headers):
            fig.text(x + 0.47 * w, top, text, fontsize=self.SIZE, fontweight="bold", ha="center", va="top",
                     multialignment="center")
        pad = self.PAD / 72 / self.size[0]
        for row_top, cells in zip(self.row_tops[1:] - self.PAD / 72 / self.size[1], self.rows):
            for x, cell in zip(self.lefts, cells):
                fig.text(x + pad, row_top, cell, fontsize=self.SIZE, va="top", linespacing=1.15)
        return fig

    def _count_y(self, i: int) -> float:
        return 0.895 - i * 0.02

    def overlay(self, page: _Profile) -> Figure:
        """What ``page``'s commune adds to :meth:`background`: a transparent page, laid out once and refilled."""
        if self._overlay is None:
            self._overlay = self._overlay_page()
        fig, highlight, title, counts, columns = self._overlay
        highlight.set_path(self.outlines[page.code])
        title.set_text(_title_text(fig, page.title))
        for text, count in zip(counts, page.counts):
            text.set_text(count)
        for texts, words in zip(columns, (page.values, page.targets)):
            for text, word in zip(texts, words):
                text.set_text(word)
        return fig

    def stamp_pages(self) -> list[Figure]:
        """Each status cell of :attr:`stamps` (its colour, its word in the colour that reads on it), in row 1."""
        pages = []
        pad = self.PAD / 72 / self.size[0]
        x, w, top = self.lefts[-1], 0.94 * self.WIDTHS[-1], self.row_tops[1]
        for status, lines in self.stamps:
            fig = Figure(figsize=self.size)
            fig.patch.set_visible(False)
            fill = STATUS_COLOURS[status]
            height = (lines * self.PITCH + 2 * self.PAD) / 72 / self.size[1]
            fig.patches.append(Rectangle((x, top - height), w, height, facecolor=fill, edgecolor="black", linewidth=0.4,
                                         transform=fig.transFigure, hatch=NO_DATA_HATCH if status == "no_data" else None))
            fig.text(x + pad, top - self.PAD / 72 / self.size[1], t(status, self.lang), fontsize=self.SIZE, va="top",
                     color=text_colour(fill), bbox={"boxstyle": "square,pad=0.1", "facecolor": fill, "edgecolor": "none"}
                     if status == "no_data" else None)
            pages.append(fig)
        return pages

    def placed(self, page: _Profile) -> list[tuple[int, float]]:
        """Where ``page`` shows its status cells: (its form, 1 + its place in :attr:`stamps`; shift down in points)."""
        number = {key: i for i, key in enumerate(self.stamps, start=1)}  # form 0: the page all communes share
        shift = (self.row_tops[1] - self.row_tops[1:]) * self.size[1] * 72
        return [(number[status, lines], dy) for status, lines, dy in zip(page.statuses, self.row_lines, shift)]

    def _overlay_page(self) -> tuple[Figure, PathPatch, Text, list[Text], list[list[Text]]]:
        fig, ax = self._figure()
        fig.patch.set_visible(False)
        highlight = ax.add_patch(PathPatch(MplPath(np.zeros((1, 2))), facecolor="#b2182b", edgecolor="black",
                                           linewidth=0.8))
        title = fig.text(0.5, 0.965, "", ha="center", va="top", fontsize=14, fontweight="bold", parse_math=False)
        counts = [fig.text(0.655, self._count_y(i), "", fontsize=9, va="center") for i in range(len(STATUSES))]
        pad = self.PAD / 72 / self.size[0]
        tops = self.row_tops[1:] - self.PAD / 72 / self.size[1]
        rows = [[fig.text(self.lefts[c] + pad, top, "", fontsize=self.SIZE, va="top") for c in (3, 4)]
                for top in tops]  # row by row: a row's value and target read together
        return fig, highlight, title, counts, [list(column) for column in zip(*rows)]

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_overlay": None}  # a worker lays its own page out


#: What an atlas draws from one of its items (a commune): one page, or several.
Drawing = Callable[[object], "Figure | list[Figure]"]


def _draw_pages(draw: Drawing, items: Sequence[tuple[int, object]], path: Path,
                done: Callable[[tuple[int, int]], None]) -> Path:
    """The pages ``draw(item)`` of each (index, item) into one PDF at ``path``; ``done((index, pages))`` after each."""
    with matplotlib.rc_context(PRINT_RC), warnings.catch_warnings(), PdfPages(path) as pdf:
        warnings.filterwarnings("error", message=".*Glyph .* missing from font.*")
        for index, item in items:
            figures = draw(item)
            figures = figures if isinstance(figures, list) else [figures]
            for figure in figures:
                pdf.savefig(figure)
            done((index, len(figures)))
    return path


def _page_order(counts: Sequence[int], parts: Sequence[Path]) -> list[tuple[Path, int]]:
    """Where each page is, items in order: item i's ``counts[i]`` pages are in ``parts[i % len(parts)]``.

    >>> _page_order([1, 2, 1], ["a", "b"])
    [('a', 0), ('b', 0), ('b', 1), ('a', 1)]
    """
    seen = dict.fromkeys(parts, 0)
    order = []
    for i, count in enumerate(counts):
        part = parts[i % len(parts)]
        order += [(part, seen[part] + k) for k in range(count)]
        seen[part] += count
    return order


def _draw_atlas(draw: Drawing, items: Sequence[object], folder: Path, workers: int,
                progress: Callable[[int, int], None] | None, meanwhile: Callable[[], None] = lambda: None
                ) -> list[tuple[Path, int]]:
    """Every item's pages, in this process or by ``workers`` processes; for each page in order, its PDF and number."""
    if workers > 1:
        return _draw_in_parallel(draw, items, folder, workers, progress, meanwhile)
    meanwhile()
    counts: list[int] = []

    def done(report: tuple[int, int]) -> None:
        counts.append(report[1])
        if progress is not None:
            progress(report[0] + 1, len(items))
    part = _draw_pages(draw, list(enumerate(items)), folder / "part0.pdf", done)
    return _page_order(counts, [part])


#: In an atlas's worker process: where it says which page it has drawn (set by :func:`_listen`).
_REPORTS: list = []


def _listen(queue: object) -> None:
    _REPORTS[:] = [queue]


def _draw_in_worker(draw: Drawing, items: Sequence[tuple[int, object]], path: Path) -> Path:
    return _draw_pages(draw, items, path, _REPORTS[0].put)


def _draw_in_parallel(draw: Drawing, items: Sequence[object], folder: Path, workers: int,
                      progress: Callable[[int, int], None] | None, meanwhile: Callable[[], None]
                      ) -> list[tuple[Path, int]]:
    """Every item drawn by ``workers`` processes (item i by worker i mod ``workers``), ``meanwhile()`` run here.

    Progress is reported here, in the items' order, as the workers draw.
    Returns, for each page in order, the PDF and the page number it is in.
    """
    total = len(items)
    numbered = list(enumerate(items))
    parts = [folder / f"part{w}.pdf" for w in range(workers)]
    # A process with one thread (the command line) forks its workers at once; one with threads (the app's
    # server) has them forked by a server process of their own, started once with this module loaded.
    context = multiprocessing.get_context("fork" if threading.active_count() == 1 else "forkserver")
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    queue = context.Queue()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_listen, initargs=(queue,)) as pool:
        futures = [pool.submit(_draw_in_worker, draw, numbered[w::workers], part) for w, part in enumerate(parts)]
        meanwhile()
        drawn: dict[int, int] = {}
        reported = 0
        while reported < total:
            try:
                index, count = queue.get(timeout=0.5)
                drawn[index] = count
            except Empty:
                failed = next((f for f in futures if f.done() and f.exception() is not None), None)
                if failed is not None:
                    failed.result()
                continue
            while reported in drawn:
                reported += 1
                if progress is not None:
                    progress(reported, total)
        for future in futures:
            future.result()
    return _page_order([drawn[i] for i in range(total)], parts)


def _compose(shared: Path | None, pages: Sequence[tuple[Path, int, Sequence[tuple[int, float]]]], path: Path,
             metadata: dict) -> Path:
    """One PDF of ``pages`` (PDF, page number, placements), each shown over pages of ``shared``, stored once.

    Every page of ``shared`` becomes a form (a PDF XObject): a page shows
    form 0 (what all pages share), then each (form, shift down in points)
    of its placements, then its own content. Shared text and shapes are
    drawn and stored once, and stay text (selectable) on every page.
    """
    writer = PdfWriter()
    forms = []
    for number, page in enumerate(PdfReader(shared).pages if shared is not None else []):
        stream = page[NameObject("/Contents")].get_object()
        stream.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form"),
                       NameObject("/BBox"): page.mediabox, NameObject("/Resources"): page[NameObject("/Resources")]})
        forms.append((NameObject(f"/Shared{number}"), stream.clone(writer).indirect_reference))
    readers = {part: PdfReader(part) for part in dict.fromkeys(part for part, _, _ in pages)}
    for part, number, placements in pages:
        page = writer.add_page(readers[part].pages[number])
        if not forms:
            continue
        resources = page[NameObject("/Resources")].get_object()
        shown = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
        shown.update(forms)
        shows = [f"q 1 0 0 1 0 {-dy:.3f} cm {forms[form][0]} Do Q\n" for form, dy in [(0, 0.0), *placements]]
        content = DecodedStreamObject()
        content.set_data("".join(shows).encode() + page[NameObject("/Contents")].get_object().get_data())
        page.replace_contents(content.flate_encode())
    writer.add_metadata(metadata)
    with open(path, "wb") as out:
        writer.write(out)
    return path


def _household_rows(ds: Dataset, view: RiskView, lang: str, show_households: bool,
                    personal: bool) -> tuple[list[str], list[tuple[bool, list[str]]]]:
    """The household list of a one-commune view, by village: headers, then (village line?, cells) per line.

    Each village opens with its name and totals; then, for those who may see
    households, one line per household, highest level first (personal fields
    only with ``personal``); for the others, the households per level.
    """
    shown = view.shown
    villages = dict(zip(ds.villages["village_id"], ds.villages["name_vi"]))
    village = shown["village_id"].map(villages).astype(object).fillna(t("exp_no_village", lang)).astype(str)
    levels = list(range(5, view.filter.min_level - 1, -1))
    if show_households:
        frame = with_personal_fields(shown, ds.people()) if personal else shown
        headers = [header("household_id", lang), *([t("exp_col_head_name", lang)] if personal else []),
                   header("members", lang), t("level", lang), t("exp_col_hazard_types", lang),
                   header("resettlement_status", lang)]
    else:
        frame = shown
        headers = [header("village", lang), header("households", lang), header("members", lang),
                   *(t(f"level_{v}", lang) for v in levels)]
    frame = frame.assign(_village=village.to_numpy()).sort_values(["_village", "level", "household_id"],
                                                                 ascending=[True, False, True])
    people = t("exp_people_unit", lang)
    lines: list[tuple[bool, list[str]]] = []
    for name, group in frame.groupby("_village", sort=False):
        members = fmt_count(int(group["members"].fillna(0).sum()), lang)
        if not show_households:
            counts = group["level"].value_counts()
            lines.append((False, [drawable(name), fmt_count(len(group), lang), members,
                                  *(fmt_count(counts.get(v, 0), lang) for v in levels)]))
            continue
        lines.append((True, [f"{header('village', lang)} {drawable(name)}: {fmt_count(len(group), lang)} "
                             f"{t('households', lang).lower()}, {members} {people}"]))
        types = [", ".join(t(h, lang) for h in str(v).split(";") if h) or "–" for v in group["hazard_types"]]
        for row, hazards in zip(group.itertuples(), types):
            cells = [str(row.household_id), *([str(getattr(row, "head_name", "") or "–")] if personal else []),
                     fmt_count(int(row.members), lang) if pd.notna(row.members) else "–", str(int(row.level)),
                     hazards, t(row.resettlement_status, lang)]
            lines.append((False, cells))
    return headers, lines


def _household_pages(ds: Dataset, view: RiskView, title: str, lang: str, show_households: bool,
                     personal: bool) -> list[Figure]:
    """The pages of a one-commune view's household list by village (A4 portrait, about 70 lines a page)."""
    headers, lines = _household_rows(ds, view, lang, show_households, personal)
    furniture = _Furniture.of(ds, lang)
    subtitle = "; ".join(_risk_subtitle(replace(view.filter, communes=None), ds.communes(2020), lang))
    size, pitch = 7.0, 9.2
    width_in, height_in = _inches("a4", False)
    widths = np.array([len(h) for h in headers], dtype=float)  # columns sized to their longest cell...
    for _, cells in lines:
        if len(cells) == len(headers):
            widths = np.maximum(widths, [len(c) for c in cells])
    widths = np.minimum(widths, 36)  # ...up to 36 letters: a longer cell is wrapped, never cut
    share = (widths + 2) / (widths + 2).sum()  # and two letters apart
    lefts = 0.05 + 0.90 * np.concatenate(([0.0], np.cumsum(share)[:-1]))
    room = share * 0.90 * width_in - 0.06
    # Each line of the list as (left, line within the row, text, bold); a row as tall as its longest cell.
    rows = []
    for village, cells in lines:
        if village:
            rows.append([(lefts[0], j, part, True)
                         for j, part in enumerate(_wrapped(cells[0], 0.9 * width_in, size, bold=True).split("\n"))])
        else:
            rows.append([(x, j, part, False) for x, chars, inches, cell in zip(lefts, widths, room, cells)
                         for j, part in enumerate((_wrapped(cell, inches, size) if len(cell) > chars
                                                   else drawable(cell)).split("\n"))])
    per_page = int((0.80 * height_in * 72) // pitch) - 3
    sheets: list[list[tuple[int, list]]] = [[]]
    used = 0
    for row in rows:
        tall = 1 + max(j for _, j, _, _ in row)
        if sheets[-1] and used + tall > per_page:
            sheets.append([])
            used = 0
        sheets[-1].append((used, row))
        used += tall
    pages = []
    for number, sheet in enumerate(sheets):
        fig = Figure(figsize=(width_in, height_in))
        more = f" {t('exp_list_continued', lang)}" if number else ""
        fig.text(0.5, 0.965, _title_text(fig, title + more), ha="center", va="top", fontsize=14, fontweight="bold",
                 parse_math=False)
        top = furniture.draw(fig, subtitle) - 0.015
        step = pitch / 72 / height_in
        for x, text in zip(lefts, headers):  # on one baseline per line, whatever the letters' heights
            fig.text(x, top - step, text, fontsize=size, fontweight="bold", va="baseline")
        fig.add_artist(Line2D([0.05, 0.95], [top - 1.4 * step] * 2, color="black", linewidth=0.5))
        for slot, row in sheet:
            for x, j, text, bold in row:
                fig.text(x, top - (3 + slot + j) * step, text, fontsize=size, va="baseline", parse_math=False,
                         fontweight="bold" if bold else "normal")
        pages.append(fig)
    return pages


@dataclass(frozen=True)
class _RiskPages:
    """A commune's pages of the risk atlas: its map (the view narrowed to it), then its households by village.

    Sent whole (dataset and view) to the worker processes that draw them.
    """

    ds: Dataset
    view: RiskView
    lang: str
    show_households: bool
    personal: bool

    def __call__(self, code: str | None) -> list[Figure]:
        ds, lang = self.ds, self.lang
        if code is None:  # no commune to print
            figure = Figure(figsize=_inches("a4", False))
            _Furniture.of(ds, lang).draw(figure, t("exp_no_households", lang))
            return [figure]
        page = risk_view(ds, replace(self.view.filter, communes=(code,)), flagged=self.view.flagged)
        names = ds.communes(2020).set_index("ma_xa")["name_vi"]
        title = f"{t('exp_household_list', lang)} — {drawable(names.get(code, code))} ({code})"
        return [risk_figure(ds, page, lang=lang, labels=True, show_households=self.show_households, locator=True),
                *_household_pages(ds, page, title, lang, self.show_households, self.personal)]


@contextmanager
def atlas_progress(progress: Callable[[int, int], None]) -> Iterator[None]:
    """Within this block, every :func:`atlas` built without a ``progress`` of its own reports to ``progress``.

    For a caller that hands the atlas over as a ready-made function (the app's download buttons).

    >>> import tempfile, pathlib
    >>> from geo.dataset import load
    >>> with atlas_progress(lambda done, total: print(f"{done}/{total}")):
    ...     _ = atlas(load(), pathlib.Path(tempfile.mkdtemp()) / "a.pdf", communes=["01267"])
    1/1
    """
    token = _PROGRESS.set(progress)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def _workers(items: int, least: int) -> int:
    """Worker processes for an atlas of ``items`` communes: one per CPU, each with ``least`` communes at least."""
    return max(1, min(len(os.sched_getaffinity(0)), items // least))


def atlas(
    ds: Dataset,
    path: str | Path,
    kind: str = "indicator",
    year: int = 2025,
    communes: Collection[str] | None = None,
    view: RiskView | None = None,
    lang: str = "vi",
    show_households: bool = True,
    progress: Callable[[int, int], None] | None = None,
    all_communes: bool = False,
    personal: bool = False,
    workers: int | None = None,
) -> Path:
    """A multi-page PDF with one page per commune (2020-2025 communes).

    ``kind="indicator"``: the commune's location and every indicator's
    status in ``year``; ``kind="risk"``: for each commune with
    households under the filters of ``view`` (a :func:`geo.risk.risk_view`;
    ``all_communes`` keeps the others too), its map, outlined, with a locator
    and district lines, then its households by village (personal fields
    with ``personal``); with ``show_households=False`` (viewers, planners)
    the zones and the counts only. Pages are drawn by ``workers`` processes
    (default: one per CPU when there are enough communes to share);
    ``progress(done, total)`` is called after each commune, in order.

    >>> import tempfile, pathlib
    >>> from geo.dataset import load
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "atlas.pdf"
    >>> _ = atlas(load(), out, communes=["01267", "01303"], progress=lambda done, total: print(f"{done}/{total}"))
    1/2
    2/2
    """
    if kind not in ("indicator", "risk"):
        raise ValueError(f"kind must be 'indicator' or 'risk', got {kind!r}")
    if kind == "risk" and view is None:
        raise ValueError("a risk atlas needs the officers' view (geo.risk.risk_view)")
    codes = list(communes) if communes is not None and len(communes) else ds.communes(2020)["ma_xa"].tolist()
    path = Path(path)
    progress = progress or _PROGRESS.get()
    metadata = {"/Title": t("exp_atlas", lang, kind=t({"indicator": "view_indicators", "risk": "view_risk"}[kind],
                                                        lang), year=year) + (f" — {DEMO_MARK}" if ds.is_demo else ""),
                "/Creator": "geo (Cao Bằng programme tracker)"}
    with tempfile.TemporaryDirectory(prefix="atlas-") as tmp:
        folder = Path(tmp)
        if kind == "risk":
            if not all_communes:
                counted = view.shown[COMMUNE].value_counts()
                codes = [c for c in codes if counted.get(c, 0)]
            draw = _RiskPages(ds, view, lang, show_households, personal and show_households)
            items = codes or [None]  # nothing to print: one page that says so
            order = _draw_atlas(draw, items, folder, _workers(len(items), 3) if workers is None else workers, progress)
            return _compose(None, [(part, n, []) for part, n in order], path, metadata)
        sheet = _ProfileSheet(ds, year, lang)
        pages = sheet.profiles(ds, codes)
        shared = folder / "shared.pdf"

        def background() -> None:  # the page all communes share, then each status cell
            _draw_pages(lambda figure: figure, list(enumerate([sheet.background(), *sheet.stamp_pages()])), shared,
                        lambda _: None)

        order = _draw_atlas(sheet.overlay, pages, folder, _workers(len(pages), 12) if workers is None else workers,
                            progress, background)
        return _compose(shared, [(part, n, sheet.placed(page)) for (part, n), page in zip(order, pages)], path,
                        metadata)
