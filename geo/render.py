"""Static maps drawn with matplotlib (no browser, no network).

Text uses DejaVu Sans, which matplotlib ships and which carries every
Vietnamese letter.
"""

from __future__ import annotations

import matplotlib
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from geo.catalogue import load_catalogue
from geo.dataset import Dataset
from geo.i18n import t
from geo.indicators import STATUSES
from geo.status import commune_status
from geo.style import NO_DATA_HATCH, STATUS_COLOURS

__all__ = ["status_map"]

#: Fonts that carry every Vietnamese letter, embedded as TrueType in PDFs, kept as text in SVGs.
_RC = {"font.family": "DejaVu Sans", "pdf.fonttype": 42, "svg.fonttype": "none"}


def status_map(ds: Dataset, indicator: str, year: int, units: str = "2020", lang: str = "vi",
               figsize: tuple[float, float] = (9, 6.5)) -> Figure:
    """Communes coloured by their status on ``indicator`` in ``year``.

    The legend counts the communes in each status; demo data is labelled in
    the title.
    """
    with matplotlib.rc_context(_RC):
        return _status_map(ds, indicator, year, units, lang, figsize)


def _status_map(ds: Dataset, indicator: str, year: int, units: str, lang: str,
                figsize: tuple[float, float]) -> Figure:
    ind = load_catalogue()[indicator]
    table = commune_status(ds, indicator, year, units)
    shapes = ds.communes(int(units))[["ma_xa", "geometry"]].merge(table[["ma_xa", "status"]], on="ma_xa")
    fig = Figure(figsize=figsize)  # not pyplot: no global figure registry to leak into
    ax = fig.subplots()
    counts = shapes["status"].value_counts()
    handles = []
    for status in STATUSES:
        part = shapes.loc[shapes["status"] == status]
        hatch = NO_DATA_HATCH if status == "no_data" else None
        if len(part):
            part.plot(ax=ax, color=STATUS_COLOURS[status], edgecolor="#555555", linewidth=0.4, hatch=hatch)
        handles.append(Patch(facecolor=STATUS_COLOURS[status], edgecolor="#555555", hatch=hatch,
                             label=f"{t(status, lang)} ({int(counts.get(status, 0))})"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, title=t("communes_by_status", lang), title_fontsize=8)
    ax.set_axis_off()
    title = f"{ind.name(lang)} — {year}"
    if ds.is_demo:
        title += f"\n{ds.label}"
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig
