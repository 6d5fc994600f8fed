"""Time the print exports on the demo province.

    python bench/export.py [--repeat 3] [--json] [--compare REV_A [REV_B]]

Prints the median seconds and the file size of: the indicator map as a 300 dpi
A4 PNG and as a vector PDF, the risk map likewise, and a 10-page atlas.
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

from geo.dataset import load  # noqa: E402
from geo.hazards import flag_register  # noqa: E402
from geo.mapexport import atlas, indicator_figure, risk_figure, save_figure  # noqa: E402


def measure(args: argparse.Namespace) -> list[Measure]:
    """Median seconds and size of each export."""
    ds = load()
    flagged = flag_register(ds.households, ds.zones, ds.communes(2020))
    measures = []
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        steps = {
            "indicator map, A4 PNG 300 dpi": lambda: save_figure(indicator_figure(ds, "2", 2023), out / "i.png", 300),
            "indicator map, A4 PDF (vector)": lambda: save_figure(indicator_figure(ds, "2", 2023), out / "i.pdf"),
            "risk map (level >= 3), A4 PNG 300 dpi": lambda: save_figure(risk_figure(ds, flagged, min_level=3),
                                                                         out / "r.png", 300),
            "risk map (level >= 3), A4 PDF": lambda: save_figure(risk_figure(ds, flagged, min_level=3),
                                                                 out / "r.pdf"),
            "indicator atlas, 10 communes (PDF)": lambda: atlas(
                ds, out / "a.pdf", "indicator", 2024, communes=ds.communes(2020)["ma_xa"].head(10).tolist()),
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
