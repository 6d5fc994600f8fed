"""Time hazard flagging on the demo province (120,000 households).

Prints the median of several runs for each step, and, in the same run, the
plain geopandas baseline (``sjoin`` then ``groupby``) with the ratio, after
checking that both give the same levels.

    python bench/flag_demo.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _revisions import timed  # noqa: E402

from geo.dataset import load  # noqa: E402
from geo.hazards import LEVEL_COLUMNS, flag_households, flag_register, prepare_zones  # noqa: E402
from geo.locate import assign_communes  # noqa: E402


def _sjoin_baseline(households: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    joined = gpd.sjoin(households[["geometry"]], zones[["hazard_type", "level", "geometry"]], predicate="intersects")
    table = joined.groupby([joined.index, "hazard_type"])["level"].max().unstack(fill_value=0)
    table = table.reindex(index=households.index, columns=["landslide", "flash_flood", "tube_flood"], fill_value=0)
    return table.to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ds = load()
    homes, zones, communes = ds.households, ds.zones, ds.communes(2020)
    prepared = prepare_zones(zones)
    rows = []
    t_flag, flags = timed(lambda: flag_households(homes, zones), args.repeat)
    rows.append(("flag_households (levels of 3 types)", t_flag))
    t_assign, _ = timed(lambda: assign_communes(homes, communes, declared=homes["ma_xa"]), args.repeat)
    rows.append(("assign_communes (161 communes)", t_assign))
    t_all, _ = timed(lambda: flag_register(homes, zones, communes), args.repeat)
    rows.append(("flag_register (both, as `geo flag`)", t_all))
    # The baseline gets fresh, unprepared zone geometries each run, as read from a file
    # (shapely.prepare in the other steps changes the shared geometry objects in place).
    copies = [prepared.set_geometry(shapely.from_wkb(shapely.to_wkb(prepared.geometry.values)), crs=prepared.crs)
              for _ in range(args.repeat)]
    t_base, base = timed(lambda: _sjoin_baseline(homes, copies.pop()), args.repeat)
    rows.append(("baseline: geopandas.sjoin + groupby", t_base))
    same = bool((flags[LEVEL_COLUMNS].to_numpy() == base).all())

    print(f"{len(homes):,} households x {len(zones):,} zones, median of {args.repeat} runs")
    for name, seconds in rows:
        print(f"  {name:<40} {seconds:7.3f} s  {len(homes) / seconds / 1e6:6.2f} M households/s")
    print(f"  flag_households vs sjoin baseline: {t_base / t_flag:.1f}x faster; identical levels: {same}")
    print(f"  peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
