"""Measure the app: first page, redraws after a filter change, size of what the browser gets.

Runs the real ``app.py`` headless with Streamlit's AppTest (server-side time,
no browser), then builds the same maps with ``geo.maps`` to report the size of
the HTML sent for each map. Prints a table; ``--repeat`` runs of each step,
median shown.

    python bench/app.py [--repeat 5]

The end-to-end test (tests/test_e2e.py) records the browser's own time to the
first drawn map in artifacts/e2e_timings.json; this script prints it when found.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402


def _timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []

    cold = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    rows.append(("first run of the app (cold: load data, flag)", _timed(cold.run)))
    app = cold
    changes = {
        "indicator page: change indicator": lambda i: app.sidebar.selectbox(key="indicator").set_value(
            ["1", "2"][i % 2]).run(),
        "indicator page: change year": lambda i: app.sidebar.select_slider(key="year").set_value(2022 + i % 3).run(),
    }
    for name, step in changes.items():
        rows.append((name, statistics.median(_timed(lambda: step(i)) for i in range(args.repeat))))
    app.sidebar.radio(key="view").set_value("risk").run()
    risk = {
        "risk page: change minimum level": lambda i: app.sidebar.select_slider(key="min_level").set_value(
            [3, 4][i % 2]).run(),
        "risk page: change hazard types": lambda i: app.sidebar.multiselect(key="types").set_value(
            [["landslide"], ["landslide", "flash_flood", "tube_flood"]][i % 2]).run(),
        "risk page: filter to one commune": lambda i: app.sidebar.multiselect(key="communes").set_value(
            [["01267"], []][i % 2]).run(),
    }
    for name, step in risk.items():
        rows.append((name, statistics.median(_timed(lambda: step(i)) for i in range(args.repeat))))

    from geo.dataset import load
    from geo.hazards import flag_register
    from geo.maps import indicator_map, risk_map, with_lonlat
    from geo.risk import filter_register
    from geo.status import commune_status

    ds = load()
    sizes = {
        "indicator map, 161 communes": indicator_map(ds, commune_status(ds, "2", 2025), "t"),
        "indicator map, 56 units": indicator_map(ds, commune_status(ds, "2", 2025, "2025"), "t", "2025"),
    }
    flagged = with_lonlat(flag_register(ds.households, ds.zones, ds.communes(2020)))
    shown = filter_register(flagged, min_level=4)
    sizes["risk map, province, level >= 4"] = risk_map(ds, shown, ds.sites, set(), min_level=4)
    one = filter_register(flagged, min_level=1, communes=["01267"])
    bounds = tuple(ds.communes(2020).query("ma_xa == '01267'").to_crs("EPSG:4326").total_bounds)
    sizes["risk map, one commune, level >= 1"] = risk_map(ds, one, ds.sites, set(), min_level=1, bounds=bounds)

    print(f"{'step':<48} {'seconds':>8}")
    for name, seconds in rows:
        print(f"{name:<48} {seconds:8.2f}")
    print(f"\n{'map HTML sent to the browser':<48} {'kB':>8}")
    for name, m in sizes.items():
        print(f"{name:<48} {len(m.get_root().render().encode()) / 1024:8.0f}")
    print(f"\npeak memory of this process (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    timings = ROOT / "artifacts" / "e2e_timings.json"
    if timings.exists():
        print("\nbrowser (from the last end-to-end run):")
        for name, seconds in json.loads(timings.read_text()).items():
            print(f"  {name:<46} {seconds:8.2f}")


if __name__ == "__main__":
    main()
