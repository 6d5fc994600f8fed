"""Time the print exports on the demo province.

    python bench/export.py [--repeat 3]

Prints the median seconds of: the indicator map as a 300 dpi A4 PNG, the
risk map as a 300 dpi A4 PNG and as a vector PDF, and a 10-page atlas.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.dataset import load  # noqa: E402
from geo.hazards import flag_register  # noqa: E402
from geo.mapexport import atlas, indicator_figure, risk_figure, save_figure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ds = load()
    flagged = flag_register(ds.households, ds.zones, ds.communes(2020))
    out = Path(tempfile.mkdtemp())
    steps = {
        "indicator map, A4 PNG 300 dpi": lambda: save_figure(indicator_figure(ds, "2", 2023), out / "i.png", 300),
        "indicator map, A4 PDF (vector)": lambda: save_figure(indicator_figure(ds, "2", 2023), out / "i.pdf"),
        "risk map (level >= 3), A4 PNG 300 dpi": lambda: save_figure(risk_figure(ds, flagged, min_level=3),
                                                                     out / "r.png", 300),
        "risk map (level >= 3), A4 PDF": lambda: save_figure(risk_figure(ds, flagged, min_level=3), out / "r.pdf"),
        "indicator atlas, 10 communes (PDF)": lambda: atlas(ds, out / "a.pdf", "indicator", 2024,
                                                            communes=ds.communes(2020)["ma_xa"].head(10).tolist()),
    }
    print(f"{'export':<42} {'median s':>9} {'size kB':>8}")
    for name, step in steps.items():
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            path = step()
            times.append(time.perf_counter() - start)
        print(f"{name:<42} {statistics.median(times):9.2f} {path.stat().st_size / 1024:8.0f}")


if __name__ == "__main__":
    main()
