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
import textwrap
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
from matplotlib.lines import Line2D
from matplotlib_scalebar.scalebar import ScaleBar

from geo.dataset import Dataset
from geo.i18n import Refusal, fmt_count, fmt_date, fmt_number, header, t
from geo.placement import Placement
from geo.style import HAZARD_COLOURS

__all__ = ["site_pages"]

#: The print settings of the project's maps: DejaVu Sans, fonts embedded in PDF.
RC = {"font.family": "DejaVu Sans", "pdf.fonttype": 42, "svg.fonttype": "none"}
DEMO_MARK = "Dữ liệu minh họa / DEMO DATA"
A4 = (210 / 25.4, 297 / 25.4)
#: Rows of the household table a page holds; the rest are counted ("… and 12 more").
ROWS_PER_PAGE = 25


def _text(value: object) -> str:
    """A cell as printed: text as is, missing as "–", with matplotlib's math sign ``$`` escaped."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return str(value).replace("$", r"\$")


def _page(ds: Dataset, plan: Placement, site: gpd.GeoSeries, lang: str) -> Figure:
    homes = plan.proposal.loc[plan.proposal["site_id"] == site["site_id"]]
    fig = Figure(figsize=A4)
    fig.text(0.5, 0.96, "\n".join(textwrap.wrap(_text(t("plan_page_title", lang,
                                                         site=f"{site['name_vi']} ({site['site_id']})")), 70)),
             ha="center", va="top", fontsize=13, fontweight="bold")
    capacity = "–" if np.isnan(site["capacity"]) else fmt_count(int(site["capacity"]), lang)
    subtitle = t("plan_page_sub", lang, name=_text(site["name_vi"]), capacity=capacity,
                 used=fmt_count(site["used"], lang), proposed=fmt_count(site["proposed"], lang),
                 remaining=fmt_count(site["remaining"], lang), year=plan.year)
    fig.text(0.5, 0.935, "\n".join(textwrap.wrap(subtitle, 110)), ha="center", va="top", fontsize=8,
             color="#b2182b" if ds.is_demo else "#333333")
    ax = fig.add_axes((0.06, 0.47, 0.88, 0.43))
    communes = ds.communes(2020)
    own = communes.loc[communes["ma_xa"] == site.get("ma_xa")] if "ma_xa" in communes else communes.iloc[:0]
    if own.empty and len(communes):  # no commune code on the site: the commune its point lies in
        own = communes.loc[communes.contains(site.geometry)]
    sx, sy = site.geometry.x, site.geometry.y
    xs, ys = homes.geometry.x.to_numpy(), homes.geometry.y.to_numpy()
    box = np.array([np.append(xs, sx).min(), np.append(ys, sy).min(), np.append(xs, sx).max(),
                    np.append(ys, sy).max()])
    if len(own):
        box = np.r_[np.minimum(box[:2], own.total_bounds[:2]), np.maximum(box[2:], own.total_bounds[2:])]
    pad = max(box[2] - box[0], box[3] - box[1], 2000) * 0.08
    minx, miny, maxx, maxy = box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad
    # the frame's shape: widen the extent so the map fills it
    width_in, height_in = 0.88 * A4[0], 0.43 * A4[1]
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

    # the households, in priority order
    columns = ["rank", "household_id", "ma_xa_located", "village_id", "level", "poor", "members", "distance_m",
               "within_target"]

    rows = [[_text(fmt_count(r.rank, lang)), _text(r.household_id), _text(r.ma_xa_located), _text(r.village_id),
             str(r.level), t("yes" if r.poor else "no", lang),
             "–" if np.isnan(r.members) else fmt_count(int(r.members), lang),
             fmt_number(r.distance_m / 1000, 1, lang) + " km", t("yes" if r.within_target else "no", lang)]
            for r in homes.head(ROWS_PER_PAGE).itertuples()]
    heads = [header(c, lang) for c in columns]
    heads[columns.index("distance_m")] = header("distance_m", lang).replace(" (m)", " (km)")
    table_ax = fig.add_axes((0.04, 0.085, 0.92, 0.37))
    table_ax.set_axis_off()
    if rows:
        # a fixed height per row (the header counts two), from the top of the panel down
        share = (len(rows) + 2) / (ROWS_PER_PAGE + 2)
        table = table_ax.table(cellText=rows, colLabels=["\n".join(textwrap.wrap(h, 16)) for h in heads],
                               cellLoc="center", bbox=(0, 1 - share, 1, share))
        table.auto_set_font_size(False)
        table.set_fontsize(6)
        cells = table.get_celld()
        unit = share / (len(rows) + 2)
        for (row, _), cell in cells.items():
            cell.set_linewidth(0.3)
            cell.set_height(2 * unit if row == 0 else unit)
            if row == 0:
                cell.set_facecolor("#eeeeee")
    if len(homes) > ROWS_PER_PAGE:
        fig.text(0.04, 0.07, t("plan_page_more", lang, n=fmt_count(len(homes) - ROWS_PER_PAGE, lang)), fontsize=7)
    footer = plan.rule.describe(lang) + ". " + t("exp_footer", lang, source=ds.meta.get("source", str(ds.path.name)),
                                                 made=fmt_date(ds.meta.get("generated", "") or ds.changed, lang),
                                                 today=fmt_date(dt.date.today(), lang))
    fig.text(0.03, 0.012, "\n".join(textwrap.wrap(footer, 150)), fontsize=5.5, color="#444444", va="bottom")
    if ds.is_demo:
        fig.text(0.97, 0.992, DEMO_MARK, fontsize=7, color="#b2182b", ha="right", va="top", fontweight="bold")
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
    with matplotlib.rc_context(RC), warnings.catch_warnings(), PdfPages(path, metadata={
            "Title": title, "Creator": "geo (Cao Bằng programme tracker)"}) as pdf:
        warnings.filterwarnings("error", message=".*Glyph .* missing from font.*")
        for _, site in chosen.iterrows():
            pdf.savefig(_page(ds, plan, site, lang))
    return len(chosen)
