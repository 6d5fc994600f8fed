"""Static maps drawn with matplotlib (no browser, no network).

Text uses DejaVu Sans, which matplotlib ships and which carries every
Vietnamese letter.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from geo.catalogue import load_catalogue  # noqa: E402
from geo.dataset import Dataset  # noqa: E402
from geo.i18n import t  # noqa: E402
from geo.indicators import STATUSES  # noqa: E402
from geo.status import commune_status  # noqa: E402
from geo.style import NO_DATA_HATCH, STATUS_COLOURS  # noqa: E402

__all__ = ["status_map"]

plt.rcParams["font.family"] = "DejaVu Sans"
plt.rcParams["pdf.fonttype"] = 42
plt.rcParams["svg.fonttype"] = "none"


def status_map(ds: Dataset, indicator: str, year: int, units: str = "2020", lang: str = "vi",
               figsize: tuple[float, float] = (9, 6.5)) -> Figure:
    """Communes coloured by their status on ``indicator`` in ``year``.

    The legend counts the communes in each status; demo data is labelled in
    the title.
    """
    ind = load_catalogue()[indicator]
    table = commune_status(ds, indicator, year, units)
    shapes = ds.communes(int(units))[["ma_xa", "geometry"]].merge(table[["ma_xa", "status"]], on="ma_xa")
    fig, ax = plt.subplots(figsize=figsize)
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
