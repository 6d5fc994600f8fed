"""Time the print exports on the demo province.

    python bench/export.py [--repeat 3] [--json] [--compare REV_A [REV_B]]

Prints the median seconds and the file size of: the indicator map as a 300 dpi
A4 PNG and as a vector PDF, the risk map likewise, a 10-page and the 161-page
indicator atlas, the risk atlas of the 3 communes with the most households at
level 4 or above (each its map, then its households by village), and an XLSX of
100,000 households: synthetic rows, the demo's flagged households drawn again
with new ids (the demo has fewer at risk).
``--compare`` runs the same on two git revisions (see bench/_revisions.py).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from _revisions import Measure, run, target_root

target_root()

from geo.dataexport import export_table  # noqa: E402
from geo.dataset import load  # noqa: E402
from geo.mapexport import atlas, indicator_figure, risk_figure, save_figure  # noqa: E402
from geo.risk import RiskFilter, risk_view  # noqa: E402

#: Rows of the synthetic household table.
SYNTHETIC_ROWS = 100_000


def synthetic_households(ds, rows: int = SYNTHETIC_ROWS):
    """``rows`` flagged households drawn with replacement from the demo (seed 0), with new ids ``SYN-000001`` …"""
    table = risk_view(ds, RiskFilter(min_level=1)).table_for(None)
    drawn = table.sample(rows, replace=True, random_state=0).reset_index(drop=True)
    return drawn.assign(household_id=[f"SYN-{i:06d}" for i in range(1, rows + 1)])


def measure(args: argparse.Namespace) -> list[Measure]:
    """Median seconds and size of each export."""
    ds = load()
    view = risk_view(ds, RiskFilter(min_level=3))
    high = risk_view(ds, RiskFilter(min_level=4))
    busiest = high.shown["ma_xa_located"].value_counts().index[:3].tolist()
    households = synthetic_households(ds)
    measures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        steps = {
            "indicator map, A4 PNG 300 dpi": lambda: save_figure(indicator_figure(ds, "2", 2023), out / "i.png", 300),
            "indicator map, A4 PDF (vector)": lambda: save_figure(indicator_figure(ds, "2", 2023), out / "i.pdf"),
            "risk map (level >= 3), A4 PNG 300 dpi": lambda: save_figure(risk_figure(ds, view), out / "r.png", 300),
            "risk map (level >= 3), A4 PDF": lambda: save_figure(risk_figure(ds, view), out / "r.pdf"),
            "indicator atlas, 10 communes (PDF)": lambda: atlas(
                ds, out / "a.pdf", "indicator", 2024, communes=ds.communes(2020)["ma_xa"].head(10).tolist()),
            "indicator atlas, 161 communes (PDF)": lambda: atlas(ds, out / "all.pdf", "indicator", 2024),
            "risk atlas (level >= 4), 3 communes (PDF)": lambda: atlas(
                ds, out / "r.pdf", "risk", communes=busiest, view=high),
            f"XLSX, {SYNTHETIC_ROWS:,} households (synthetic)": lambda: export_table(
                households, out / "h.xlsx", "Synthetic households", {"min_level": 1}, "synthetic (bench)"),
        }
        for name, step in steps.items():
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                path = step()
                times.append(time.perf_counter() - start)
            measures += [Measure(name, "s", statistics.median(times)), Measure(name, "kB", path.stat().st_size / 1024)]
    return measures


if __name__ == "__main__":
    run(argparse.ArgumentParser(description=__doc__.splitlines()[0]), measure, repeat=3)
