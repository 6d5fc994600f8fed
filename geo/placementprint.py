"""Print pages of a resettlement plan proposal: one A4 page per site with proposed households.

Each page shows the site, the outline of its commune, the proposed households
coloured by hazard level with a straight line to the site (the distance the
plan uses: EPSG:9210, no road network offline), a scale bar, and the table of
those households in priority order. Pages are drawn with matplotlib in VN-2000
/ TM-3 in DejaVu Sans (every Vietnamese letter), the font embedded; demo data
carries "Dữ liệu minh họa / DEMO DATA" on every page.

>>> import tempfile, pathlib
>>> from geo.dataset import load
>>> from geo.risk import risk_view, RiskFilter
>>> from geo.placement import propose
>>> ds = load()
>>> plan = propose(risk_view(ds, RiskFilter()), ds.sites, ds.hazard_zones, ds.households)
>>> out = pathlib.Path(tempfile.mkdtemp()) / "plan.pdf"
>>> site_pages(ds, plan, out, sites=["DEMO-TDC-05"]) == 1 and out.read_bytes()[:5] == b"%PDF-"
True
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Collection
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from matplotlib_scalebar.scalebar import ScaleBar

from geo.dataset import Dataset
from geo.i18n import Refusal, fmt_count, fmt_date, fmt_number, header, t
from geo.mapexport import DEMO_MARK, PRINT_RC
from geo.placement import Placement
from geo.style import HAZARD_COLOURS
from geo.text import drawable

__all__ = ["site_pages"]

A4 = (210 / 25.4, 297 / 25.4)
#: Rows of the household table a page holds; the rest are counted ("… and 12 more").
ROWS_PER_PAGE = 25


_MEASURE = TextToPath()


#: Drawn on a screen or in a PNG, hinting widens small type by up to a few percent: lines are wrapped with this room.
HINTING = 1.1


def _width(text: str, size: float, bold: bool = False) -> float:
    """Width in points of ``text`` drawn in DejaVu Sans at ``size`` points (with :data:`HINTING`'s room)."""
    prop = FontProperties(family="DejaVu Sans", size=size, weight="bold" if bold else "normal")
    return _MEASURE.get_text_width_height_descent(text, prop, ismath=False)[0] * HINTING


def _wrap(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    r"""``text`` in lines no wider than ``width`` points: broken at spaces, a word too long broken where it must;
    a line break in the text starts a line; never cut.

    >>> _wrap("Điểm tái định cư Nặm Nhũng", 70, 8)
    ['Điểm tái định', 'cư Nặm Nhũng']
    >>> _wrap("=1+1\n" + "x" * 30, 40, 8)
    ['=1+1', 'xxxxxxx', 'xxxxxxx', 'xxxxxxx', 'xxxxxxx', 'xx']
    """
    lines: list[str] = []
    for paragraph in str(text).splitlines() or [""]:
        line = ""
        for word in paragraph.split():
            joined = f"{line} {word}" if line else word
            if _width(joined, size, bold) <= width:
                line = joined
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:  # a word wider than the line: as many characters as fit, then the next line
                if line and _width(line + char, size, bold) > width:
                    lines.append(line)
                    line = ""
                line += char
        lines.append(line)
    return lines


#: Page width and height, in points.
PAGE_W, PAGE_H = A4[0] * 72, A4[1] * 72
#: The household table's columns and their shares of its width (ids and villages wider: they hold names).
TABLE_COLUMNS = {"rank": 0.065, "household_id": 0.2, "ma_xa_located": 0.08, "village_id": 0.19, "level": 0.075,
                 "poor": 0.065, "members": 0.065, "distance_m": 0.11, "within_target": 0.15}
#: The table's font size and the height of one of its lines, in points; a cell's inner margin, in points.
TABLE_SIZE, TABLE_LINE, CELL_PAD = 6.0, 7.4, 2.5


def _lines_text(fig: Figure, x: float, top: float, lines: list[str], size: float, **kwargs) -> float:
    """Draw ``lines`` from ``top`` (figure fraction) down; returns the figure fraction under them."""
    if lines:
        fig.text(x, top, "\n".join(lines), fontsize=size, va="top", linespacing=1.2, parse_math=False, **kwargs)
    return top - len(lines) * size * 1.2 * 1.02 / PAGE_H


def _table(fig: Figure, homes: gpd.GeoDataFrame, lang: str, box: tuple[float, float, float, float]) -> int:
    """The households in priority order, in ``box`` (left, bottom, width, height: figure fractions).

    Every cell is wrapped to its column, a row as tall as its tallest cell; rows that do not fit are left for
    the line under the table. Returns the number of rows drawn.
    """
    left, bottom, width, height = box
    columns = list(TABLE_COLUMNS)
    heads = [header(c, lang) for c in columns]
    heads[columns.index("distance_m")] = header("distance_m", lang).replace(" (m)", " (km)")
    widths = [TABLE_COLUMNS[c] * width * PAGE_W for c in columns]  # points

    def cells(texts: list[str]) -> list[list[str]]:
        return [_wrap(text, w - 2 * CELL_PAD, TABLE_SIZE) for text, w in zip(texts, widths)]

    rows = [cells(heads)]
    for r in homes.head(ROWS_PER_PAGE).itertuples():
        rows.append(cells([fmt_count(r.rank, lang), drawable(r.household_id), drawable(r.ma_xa_located),
                           drawable(r.village_id), str(r.level), t("yes" if r.poor else "no", lang),
                           "–" if np.isnan(r.members) else fmt_count(int(r.members), lang),
                           fmt_number(r.distance_m / 1000, 1, lang) + " km",
                           t("yes" if r.within_target else "no", lang)]))
    one_line = height * PAGE_H / (ROWS_PER_PAGE + 2)  # points: 25 one-line rows and a two-line header fill the box
    top = bottom + height
    drawn = 0
    for number, row in enumerate(rows):
        tall = max(len(lines) for lines in row)
        row_h = max(one_line * (2 if number == 0 else 1), tall * TABLE_LINE + 2 * CELL_PAD) / PAGE_H
        if top - row_h < bottom:
            break
        x = left
        for lines, w in zip(row, widths):
            w_fig = w / PAGE_W
            fig.add_artist(Rectangle((x, top - row_h), w_fig, row_h, transform=fig.transFigure, linewidth=0.3,
                                     edgecolor="black", facecolor="#eeeeee" if number == 0 else "white"))
            fig.text(x + w_fig / 2, top - row_h / 2, "\n".join(lines), fontsize=TABLE_SIZE, ha="center",
                     va="center", linespacing=TABLE_LINE / TABLE_SIZE, parse_math=False)
            x += w_fig
        top -= row_h
        drawn += number > 0
    return drawn


def _page(ds: Dataset, plan: Placement, site: gpd.GeoSeries, lang: str) -> Figure:
    homes = plan.proposal.loc[plan.proposal["site_id"] == site["site_id"]]
    fig = Figure(figsize=A4)
    if ds.is_demo:
        fig.text(0.97, 0.992, DEMO_MARK, fontsize=7, color="#b2182b", ha="right", va="top", fontweight="bold")
    # the title, whole however long the site's name and id: smaller type when it takes more than three lines
    title = t("plan_page_title", lang, site=f"{drawable(site['name_vi'])} ({drawable(site['site_id'])})")
    for size in (13, 11, 9):
        lines = _wrap(title, 0.92 * PAGE_W, size, bold=True)
        if len(lines) <= 3:
            break
    below = _lines_text(fig, 0.5, 0.975, lines, size, ha="center", fontweight="bold")
    communes = ds.communes(2020)
    own = communes.loc[communes["ma_xa"] == site.get("ma_xa")] if "ma_xa" in communes else communes.iloc[:0]
    if own.empty and len(communes):  # no commune code on the site: the commune its point lies in
        own = communes.loc[communes.contains(site.geometry)]
    where = (f"{t('commune', lang)} {drawable(own['name_vi'].iloc[0])} ({drawable(own['ma_xa'].iloc[0])})"
             if len(own) and "name_vi" in own else f"{t('commune', lang)} {drawable(site.get('ma_xa'))}")
    capacity = "–" if np.isnan(site["capacity"]) else fmt_count(int(site["capacity"]), lang)
    subtitle = t("plan_page_sub", lang, name=where, capacity=capacity,
                 used=fmt_count(site["used"], lang), proposed=fmt_count(site["proposed"], lang),
                 remaining=fmt_count(site["remaining"], lang), year=plan.year)
    below = _lines_text(fig, 0.5, below - 0.004, _wrap(subtitle, 0.92 * PAGE_W, 8), 8, ha="center",
                        color="#b2182b" if ds.is_demo else "#333333")
    map_top = min(0.90, below - 0.008)
    ax = fig.add_axes((0.06, 0.47, 0.88, map_top - 0.47))
    sx, sy = site.geometry.x, site.geometry.y
    xs, ys = homes.geometry.x.to_numpy(), homes.geometry.y.to_numpy()
    box = np.array([np.append(xs, sx).min(), np.append(ys, sy).min(), np.append(xs, sx).max(),
                    np.append(ys, sy).max()])
    if len(own):
        box = np.r_[np.minimum(box[:2], own.total_bounds[:2]), np.maximum(box[2:], own.total_bounds[2:])]
    pad = max(box[2] - box[0], box[3] - box[1], 2000) * 0.08
    minx, miny, maxx, maxy = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    # the frame's shape: widen the extent so the map fills it
    width_in, height_in = 0.88 * A4[0], (map_top - 0.47) * A4[1]
    w, h = maxx - minx, maxy - miny
    if w / h < width_in / height_in:
        grow = (h * width_in / height_in - w) / 2
        minx, maxx = minx - grow, maxx + grow
    else:
        grow = (w * height_in / width_in - h) / 2
        miny, maxy = miny - grow, maxy + grow
    near = communes.cx[minx:maxx, miny:maxy] if len(communes) else communes
    if len(near):
        near.boundary.plot(ax=ax, color="#bbbbbb", linewidth=0.4)
    if len(own):
        own.boundary.plot(ax=ax, color="#333333", linewidth=1.2)
    ax.add_collection(LineCollection([[(x, y), (sx, sy)] for x, y in zip(xs, ys)], colors="#555555",
                                     linewidths=0.5, alpha=0.7))
    ax.scatter(xs, ys, s=14, c=[HAZARD_COLOURS[int(v)] for v in homes["level"]], edgecolors="#222222",
               linewidths=0.4, zorder=3)
    ax.scatter([sx], [sy], s=90, marker="s", c="#1a9641", edgecolors="black", linewidths=0.8, zorder=4)
    ax.set_xlim(minx, maxx)
    ax.set_ylim(miny, maxy)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.add_artist(ScaleBar(1.0, units="m", location="lower left", length_fraction=0.22, box_alpha=0.8,
                           font_properties={"size": 7}))
    ax.annotate("N", xy=(0.955, 0.96), xytext=(0.955, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, fontweight="bold", arrowprops={"arrowstyle": "-|>", "facecolor": "black"})
    handles = [Line2D([], [], marker="s", color="none", markerfacecolor="#1a9641", markeredgecolor="black",
                      markersize=8, label=t("plan_page_legend_site", lang)),
               Line2D([], [], color="#333333", linewidth=1.2, label=t("plan_page_legend_commune", lang)),
               Line2D([], [], marker="o", color="#555555", linewidth=0.5, markerfacecolor=HAZARD_COLOURS[5],
                      markeredgecolor="#222222", label=t("plan_page_legend_home", lang))]
    handles += [Line2D([], [], marker="o", color="none", markerfacecolor=HAZARD_COLOURS[v], markeredgecolor="#222222",
                       label=f"{v} — {t(f'level_{v}', lang)}") for v in (4, 5) if v in set(homes["level"])]
    ax.legend(handles=handles, loc="upper left", fontsize=6.5, framealpha=0.85)

    # the footer, then the households in priority order above it
    source = drawable(ds.meta.get("source", ds.path.name))
    footer = plan.rule.describe(lang) + ". " + t("exp_footer", lang, source=source,
                                                 made=fmt_date(ds.meta.get("generated", "") or ds.changed, lang),
                                                 today=fmt_date(dt.date.today(), lang))
    lines = _wrap(footer, 0.94 * PAGE_W, 5.5)
    floor = 0.012 + len(lines) * 5.5 * 1.2 * 1.02 / PAGE_H
    _lines_text(fig, 0.03, floor, lines, 5.5, color="#444444")
    more_at = floor + 0.006
    drawn = _table(fig, homes, lang, (0.04, more_at + 0.016, 0.92, 0.455 - more_at - 0.016))
    if len(homes) > drawn:
        fig.text(0.04, more_at, t("plan_page_more", lang, n=fmt_count(len(homes) - drawn, lang)), fontsize=7,
                 va="bottom")
    return fig


def site_pages(ds: Dataset, plan: Placement, path: str | Path, lang: str = "vi",
               sites: Collection[str] | None = None) -> int:
    """Write a PDF with one page per site that has proposed households (or per site of ``sites``).

    Returns the number of pages. A plan with no proposed household writes no file and raises
    :class:`geo.i18n.Refusal`.
    """

    chosen = plan.sites.loc[plan.sites["proposed"] > 0]
    if sites is not None:
        chosen = chosen.loc[chosen["site_id"].isin(list(sites))]
    chosen = chosen.loc[~(shapely.is_missing(chosen.geometry.values) | chosen.geometry.is_empty)]
    if chosen.empty:
        raise Refusal("plan_no_pages")
    path = Path(path)
    title = t("plan", lang) + (f" — {DEMO_MARK}" if ds.is_demo else "")
    with matplotlib.rc_context(PRINT_RC), warnings.catch_warnings(), PdfPages(path, metadata={
            "Title": title, "Creator": "geo (Cao Bằng programme tracker)"}) as pdf:
        warnings.filterwarnings("error", message=".*Glyph .* missing from font.*")
        for _, site in chosen.iterrows():
            pdf.savefig(_page(ds, plan, site, lang))
    return len(chosen)
