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
import unicodedata
import warnings
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
from matplotlib_scalebar.scalebar import ScaleBar

from geo.catalogue import load_catalogue
from geo.crs import METRIC_CRS, WGS84
from geo.crsguess import PROVINCE_BOX
from geo.dataset import Dataset
from geo.hazards import HAZARD_TYPES
from geo.hazardtypes import HAZARD_VOCAB
from geo.i18n import (
    UNIT_DIGITS,
    Refusal,
    fmt_count,
    fmt_date,
    fmt_number,
    fmt_value,
    t,
    unit_text,
)
from geo.indicators import STATUSES
from geo.risk import RiskView, risk_view
from geo.status import commune_profile, commune_status
from geo.style import (
    HAZARD_COLOURS,
    NO_DATA_HATCH,
    RESETTLEMENT_COLOURS,
    STATUS_COLOURS,
)

__all__ = ["FORMATS", "PAPERS", "atlas", "atlas_progress", "indicator_figure", "risk_figure", "save_figure"]

#: Paper sizes in millimetres, portrait (width, height).
PAPERS = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
FORMATS = ("png", "pdf", "svg")
_RC = {"font.family": "DejaVu Sans", "pdf.fonttype": 42, "svg.fonttype": "none", "hatch.linewidth": 0.6}
_DEMO_MARK = "Dữ liệu minh họa / DEMO DATA"
#: Hatch of each hazard type's zones (colour shows the level), from data/hazards.yaml.
_HAZARD_HATCH = {h.code: h.hatch for h in HAZARD_VOCAB}
_MEASURE = TextToPath()
#: Who hears of an atlas's pages when the caller gives no ``progress`` (:func:`atlas_progress`).
_PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar("atlas_progress", default=None)


def _printable(text: object) -> str:
    """Text from a file as a printed map can draw it: control and format characters (no glyph) left out.

    >>> _printable("Nà\x01 Pài\u200f")
    'Nà Pài'
    """
    return "".join(c for c in str(text) if c == "\n" or unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs"))


def _wrapped(text: str, width_in: float, size: float, bold: bool = False) -> str:
    """``text`` broken at spaces into lines no wider than ``width_in`` inches (DejaVu Sans, ``size`` points).

    >>> print(_wrapped("Điểm tái định cư: nằm trong vùng nguy cơ thiên tai (2)", 1.8, 7.5))
    Điểm tái định cư: nằm trong
    vùng nguy cơ thiên tai (2)
    """
    text = _printable(text)
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


def _page(paper: str, landscape: bool) -> tuple[Figure, matplotlib.axes.Axes, matplotlib.axes.Axes]:
    """A page with a title band, the map, a legend panel and a footer."""
    fig = Figure(figsize=_inches(paper, landscape))
    if landscape:
        ax = fig.add_axes((0.03, 0.09, 0.70, 0.78))
        side = fig.add_axes((0.75, 0.09, 0.22, 0.78))
    else:
        ax = fig.add_axes((0.05, 0.26, 0.90, 0.62))
        side = fig.add_axes((0.05, 0.08, 0.90, 0.16))
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
                fontsize=10, fontweight="bold",
                arrowprops={"arrowstyle": "-|>", "facecolor": "black", "linewidth": 1.2})


def _decorate(fig: Figure, ds: Dataset, title: str, subtitle: str, lang: str) -> Text:
    """Title, subtitle and footers, each wrapped within the page's margins (3% of its width each side).

    Returns the title, for pages that only change their title (the atlas).
    """
    demo = ds.is_demo
    width = 0.94 * fig.get_size_inches()[0]
    heading = fig.text(0.5, 0.965, _title_text(fig, title), ha="center", va="top", fontsize=14, fontweight="bold")
    mark = f"  —  {_DEMO_MARK}" if demo else ""
    # Two lines at most above the map: a smaller font, then the filters shortened (never the demo mark).
    size = next((s for s in (9.5, 8.5, 7.5) if _wrapped(subtitle + mark, width, s).count("\n") < 2), 6.5)
    while _wrapped(subtitle + mark, width, size).count("\n") > 1:
        subtitle = _shortened(subtitle, len(subtitle) - 10)
    fig.text(0.5, 0.925, _wrapped(subtitle + mark, width, size), ha="center", va="top", fontsize=size,
             color="#b2182b" if demo else "#333333")
    source = ds.meta.get("source", str(ds.path.name))
    made = fmt_date(ds.meta.get("generated", "") or ds.changed, lang)
    footer = t("exp_footer", lang, source=source, made=made, today=fmt_date(dt.date.today(), lang))
    fig.text(0.03, 0.035, _wrapped(footer, width, 6.5), fontsize=6.5, color="#444444", va="bottom")
    if demo:
        fig.text(0.97, 0.012, _wrapped(_DEMO_MARK + " — " + t("demo_note", lang), width, 7, bold=True), fontsize=7,
                 color="#b2182b", ha="right", va="bottom", fontweight="bold", multialignment="right")
    return heading


def _title_text(fig: Figure, title: str) -> str:
    """A page title wrapped within the page's margins."""
    return _wrapped(title, 0.94 * fig.get_size_inches()[0], 14, bold=True)


def _labels(ax: matplotlib.axes.Axes, frame: gpd.GeoDataFrame, size: float = 5.0) -> None:
    points = frame.geometry.representative_point()
    for x, y, name in zip(points.x, points.y, frame["name_vi"]):  # one label per commune (≤ 161)
        ax.text(x, y, _printable(name), fontsize=size, ha="center", va="center", color="#222222", clip_on=True,
                bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.6})


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
    landscape: bool = False,
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
    paper, landscape : page size ("a4" or "a3") and orientation.
    labels : bool
        Write commune names on the map.
    """
    with matplotlib.rc_context(_RC):
        catalogue = load_catalogue()
        if indicator not in catalogue:
            raise ValueError(f"unknown indicator {indicator!r}; known: {', '.join(catalogue)}")
        ind = catalogue[indicator]
        table = commune_status(ds, indicator, year, units)
        shapes = ds.communes(int(units))[["ma_xa", "name_vi", "geometry"]].merge(
            table[["ma_xa", "status", "value"]], on="ma_xa")
        extent = _extent(ds, communes, bbox, int(units))
        fig, ax, side = _page(paper, landscape)
        # The legend counts the communes on the page.
        counts = shapes.loc[shapes.intersects(shapely.box(*extent))]["status"].value_counts()
        handles = []
        for status in STATUSES:
            part = shapes.loc[shapes["status"] == status]
            hatch = NO_DATA_HATCH if status == "no_data" else None
            if len(part):
                part.plot(ax=ax, color=STATUS_COLOURS[status], edgecolor="#555555", linewidth=0.35, hatch=hatch)
            handles.append(Patch(facecolor=STATUS_COLOURS[status], edgecolor="#555555", hatch=hatch,
                                 label=f"{t(status, lang)} ({fmt_count(counts.get(status, 0), lang)})"))
        if communes:
            shapes.loc[shapes["ma_xa"].isin(list(communes))].boundary.plot(ax=ax, color="black", linewidth=1.2)
        if labels:
            _labels(ax, shapes.cx[extent[0]:extent[2], extent[1]:extent[3]])
        _frame_map(ax, extent)
        _legend(side, handles, t("communes_by_status", lang))
        rule = ind.text_vi if lang == "vi" else ind.text_en
        side_width = side.get_position().width * fig.get_size_inches()[0]
        side.text(0.0, 0.0 if not landscape else 0.45, _wrapped(f"{t('target', lang)}: {rule}", side_width, 7.5),
                  fontsize=7.5, va="top", transform=side.transAxes, color="#333333")
        units_text = t(f"units_{units}", lang)
        _decorate(fig, ds, f"{ind.id}. {ind.name(lang)} — {year}", f"{t('map_title', lang)}; {units_text}", lang)
        return fig


def risk_figure(
    ds: Dataset,
    view: RiskView,
    bbox: Sequence[float] | None = None,
    paper: str = "a4",
    landscape: bool = False,
    lang: str = "vi",
    labels: bool = False,
    province_extent: bool = False,
    show_households: bool = True,
) -> Figure:
    """The risk map of a :func:`geo.risk.risk_view`: hazard zones, its households and resettlement sites.

    The map shows the view's communes, unless ``bbox`` is given or
    ``province_extent`` asks for the whole province. With
    ``show_households=False`` (viewers, planners) no household is drawn: the
    legend keeps only the counts per level.
    """
    flt = view.filter
    types, min_level, communes = flt.types, flt.min_level, flt.communes
    ethnicities, statuses, at_risk_only, buffer_m = flt.ethnicities, flt.statuses, flt.at_risk_only, flt.buffer_m
    with matplotlib.rc_context(_RC):
        shown = view.shown
        extent = _extent(ds, None if province_extent else communes, bbox)
        fig, ax, side = _page(paper, landscape)
        area = ds.communes(2020)
        if len(area):
            area.plot(ax=ax, facecolor="#f7f7f7", edgecolor="#999999", linewidth=0.3)
        zones = ds.zones.loc[ds.zones["hazard_type"].isin(list(types)) & (ds.zones["level"] >= min_level)]
        zones = zones.cx[extent[0]:extent[2], extent[1]:extent[3]]
        for (hazard, level), part in zones.groupby(["hazard_type", "level"]):
            part.plot(ax=ax, color=HAZARD_COLOURS[level], edgecolor=HAZARD_COLOURS[level], linewidth=0.2,
                      hatch=_HAZARD_HATCH[hazard], alpha=0.85)
        in_view = shown.cx[extent[0]:extent[2], extent[1]:extent[3]]
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
        if labels:
            _labels(ax, area.cx[extent[0]:extent[2], extent[1]:extent[3]])
        _frame_map(ax, extent)

        level_counts = in_view["level"].value_counts()
        households = t("households", lang).lower()
        handles = [Patch(facecolor=HAZARD_COLOURS[v], edgecolor="#555555",
                         label=f"{t(f'level_{v}', lang)} ({fmt_count(level_counts.get(v, 0), lang)} {households})")
                   for v in range(5, min_level - 1, -1)]
        handles += [Patch(facecolor="white", edgecolor="#555555", hatch=_HAZARD_HATCH[h], label=t(h, lang))
                    for h in HAZARD_TYPES if h in types]
        status_counts = in_view["resettlement_status"].value_counts()
        handles += [Line2D([], [], marker="o", linestyle="", color=c, markersize=5,
                           label=f"{t(s, lang)} ({fmt_count(status_counts.get(s, 0), lang)})")
                    for s, c in RESETTLEMENT_COLOURS.items() if show_households]
        handles += [Line2D([], [], marker="^", linestyle="", color="#1a9641", markeredgecolor="black",
                           label=t("sites", lang)),
                    Line2D([], [], marker="^", linestyle="", color="#b2182b", markeredgecolor="black",
                           label=f"{t('sites', lang)}: {t('site_unsafe', lang)} ({fmt_count(bad.sum(), lang)})")]
        _legend(side, handles, t("risk_legend", lang), columns=1 if landscape else 2)

        chosen = [t(h, lang) for h in HAZARD_TYPES if h in types]
        parts = [", ".join(chosen), f"{t('min_level', lang)} {min_level} ({t(f'level_{min_level}', lang)})"]
        if buffer_m:
            parts.append(f"{t('buffer_m', lang)} {fmt_number(buffer_m, 0 if float(buffer_m).is_integer() else 1, lang)}")
        if communes:
            names = area.set_index("ma_xa")["name_vi"]
            named = [names.get(c, c) for c in list(communes)[:5]]  # the first five by name, then a count
            more = [t("exp_more_communes", lang, n=fmt_count(len(communes) - 5, lang))] if len(communes) > 5 else []
            parts.append(f"{t('communes_filter', lang)}: " + ", ".join(named + more))
        if ethnicities:
            parts.append(f"{t('ethnicity', lang)}: " + ", ".join(ethnicities))
        if statuses:
            parts.append(f"{t('resettlement_status', lang)}: " + ", ".join(t(s, lang) for s in statuses))
        if at_risk_only:
            parts.append(t("at_risk_only", lang))
        title = f"{t('view_risk', lang)} — {fmt_count(len(in_view), lang)} {households}"
        _decorate(fig, ds, title, "; ".join(parts), lang)
        return fig


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
    with matplotlib.rc_context(_RC), warnings.catch_warnings():
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


def _shortened(text: str, letters: int) -> str:
    """``text`` cut to ``letters`` letters, with "…" when cut.

    >>> _shortened("Đường huyện, đường xã được nhựa hóa", 20)
    'Đường huyện, đường…'
    """
    return text if len(text) <= letters else text[:letters - 1].rstrip(" ,;") + "…"


def _outline(shape: shapely.Geometry | None) -> MplPath:
    """A (multi)polygon as one matplotlib path, holes included (as geopandas draws it)."""
    rings = [ring for part in shapely.get_parts(shape) for ring in (part.exterior, *part.interiors)]
    return MplPath.make_compound_path(*(MplPath(np.asarray(ring.coords)[:, :2], closed=True) for ring in rings))


def _profile_cells(profile: pd.DataFrame, lang: str) -> list[list[str]]:
    """The rows of a commune's table: id, indicator (with its unit), value, target and status."""
    return [[r.indicator_id, _shortened(r.name if r.unit == "%" else f"{r.name} ({unit_text(r.unit, lang)})", 68),
             _printed(r.value, r.unit, lang), _printed(r.target_value, r.unit, lang), t(r.status, lang)]
            for r in profile.itertuples()]


class _ProfilePage:
    """The indicator atlas's page, laid out once; :meth:`show` fills it with one commune.

    Every page has the same layout, the same communes on its small map, the
    same table rows and the same subtitle and footers: they are laid out once.
    A commune changes only the highlighted shape, the summary, the table's
    texts and status colours, and the title.

    >>> from geo.dataset import load
    >>> page = _ProfilePage(load(), 2024, "vi")
    >>> page.show("01267").texts[1].get_text()
    'Sông Hiến (01267), Thành phố Cao Bằng'
    """

    #: The table's columns (fractions of its frame), and the room above its text: matplotlib's table layout.
    WIDTHS = (0.06, 0.52, 0.12, 0.12, 0.18)
    PAD, MARGIN = 0.1, 0.02

    def __init__(self, ds: Dataset, year: int, lang: str) -> None:
        self.ds, self.year, self.lang = ds, year, lang
        self.fig = fig = Figure(figsize=_inches("a4", False))
        area = ds.communes(2020)
        self.names = area.set_index("ma_xa")
        ax = fig.add_axes((0.05, 0.62, 0.42, 0.28))
        # The small map is 3.5 inches wide: shapes simplified to a quarter point, well below a line's width.
        width_in, height_in = ax.get_position().size * fig.get_size_inches()
        minx, miny, maxx, maxy = area.total_bounds if len(area) else (0.0, 0.0, 1.0, 1.0)
        quarter_point = max((maxx - minx) / width_in, (maxy - miny) / height_in) / 72 / 4
        shapes = shapely.simplify(area.geometry.to_numpy(), quarter_point, preserve_topology=True)
        self.outlines = dict(zip(area["ma_xa"], map(_outline, shapes)))
        ax.add_collection(PatchCollection([PathPatch(path) for path in self.outlines.values()],
                                          facecolor="#eeeeee", edgecolor="#aaaaaa", linewidth=0.2))
        first = next(iter(self.outlines.values()), MplPath(np.zeros((1, 2))))
        self.highlight = ax.add_patch(PathPatch(first, facecolor="#2166ac", edgecolor="black", linewidth=0.8))
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_axis_off()
        self.summary = fig.text(0.52, 0.86, "", fontsize=9, va="top")
        self.table = self._table(fig.add_axes((0.05, 0.06, 0.90, 0.54)), len(load_catalogue()) + 1)
        headers = ["#", t("indicator", lang), t("value", lang), t("target", lang), t("status", lang)]
        for text, header in zip(self.table[0], headers, strict=True):
            text.set_text(header)
        self.title = _decorate(fig, ds, "", f"{t('profile', lang)} — {year}", lang)

    def _table(self, ax: matplotlib.axes.Axes, rows: int) -> list[list[Text]]:
        """The table's cells (one collection) and texts, row by row: rows 1.2 lines of 10 points, headers centred."""
        ax.set_axis_off()
        height = 10 / 72 * 1.2 / (ax.get_position().height * self.fig.get_size_inches()[1])
        lefts = self.MARGIN + np.cumsum((0.0, *self.WIDTHS[:-1]))
        bottoms = 1 - self.MARGIN - height * np.arange(1, rows + 1)
        self.cells = ax.add_collection(PatchCollection(
            [Rectangle((x, y), w, height) for y in bottoms for x, w in zip(lefts, self.WIDTHS)],
            facecolor="white", edgecolor="black", transform=ax.transAxes), autolim=False)
        headers = [ax.text(x + w / 2, bottoms[0] + height / 2, "", fontsize=7, va="center", ha="center",
                           transform=ax.transAxes) for x, w in zip(lefts, self.WIDTHS)]
        return [headers] + [[ax.text(x + self.PAD * w, y + height / 2, "", fontsize=7, va="center", ha="left",
                                     transform=ax.transAxes) for x, w in zip(lefts, self.WIDTHS)]
                            for y in bottoms[1:]]

    def show(self, code: str) -> Figure:
        """The page of commune ``code``."""
        lang = self.lang
        profile = commune_profile(self.ds, code, self.year, "2020", lang)
        self.highlight.set_path(self.outlines[code])
        counts = profile["status"].value_counts()
        self.summary.set_text("\n".join(f"{t(s, lang)}: {fmt_count(counts.get(s, 0), lang)}" for s in STATUSES))
        for texts, cells in zip(self.table[1:], _profile_cells(profile, lang), strict=True):
            for text, cell in zip(texts, cells):
                text.set_text(cell)
        colours = np.full((len(self.table), len(self.WIDTHS)), "white", dtype=object)
        colours[1:, -1] = profile["status"].map(STATUS_COLOURS).to_numpy()
        self.cells.set_facecolor(colours.ravel().tolist())
        self.title.set_text(_title_text(self.fig, f"{self.names.loc[code, 'name_vi']} ({code}), "
                                                  f"{self.names.loc[code, 'district_vi']}"))
        return self.fig


def _risk_page(ds: Dataset, code: str, view: RiskView, lang: str, show_households: bool) -> Figure:
    """The risk map of one commune: the view narrowed to it, the same filters, households flagged once."""
    page = risk_view(ds, replace(view.filter, communes=(code,)), flagged=view.flagged)
    return risk_figure(ds, page, lang=lang, labels=True, show_households=show_households)


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
) -> Path:
    """A multi-page PDF with one page per commune (2020-2025 communes).

    ``kind="indicator"``: the commune's location and every indicator's
    status in ``year``; ``kind="risk"``: its hazard zones and households
    under the filters of ``view`` (a :func:`geo.risk.risk_view`); with
    ``show_households=False`` (viewers, planners) the zones and the counts only.
    ``progress(done, total)`` is called after each page.

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
    with matplotlib.rc_context(_RC), warnings.catch_warnings(), PdfPages(path, metadata={
            "Title": t("exp_atlas", lang, kind=t({"indicator": "view_indicators", "risk": "view_risk"}[kind], lang),
                       year=year) + (f" — {_DEMO_MARK}" if ds.is_demo else ""),
            "Creator": "geo (Cao Bằng programme tracker)"}) as pdf:
        warnings.filterwarnings("error", message=".*Glyph .* missing from font.*")
        profiles = _ProfilePage(ds, year, lang) if kind == "indicator" else None
        progress = progress or _PROGRESS.get()
        for done, code in enumerate(codes, start=1):  # one page per commune
            pdf.savefig(profiles.show(code) if profiles else _risk_page(ds, code, view, lang, show_households))
            if progress is not None:
                progress(done, len(codes))
    return path
