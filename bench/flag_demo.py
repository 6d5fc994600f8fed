"""Time hazard flagging on the demo province (120,000 households).

Prints the median of several runs for each step, and, in the same run, the
plain geopandas baseline (``sjoin`` then ``groupby``) with the ratio, after
checking that both give the same levels (exit code 1 if not).

    python bench/flag_demo.py [--repeat 5]
    python bench/flag_demo.py --compare HEAD~5   # a git revision against the working tree
"""

from __future__ import annotations

import argparse
import resource
import sys

import geopandas as gpd
import numpy as np
import shapely

from _revisions import Measure, run, target_root, timed

target_root()

from geo.dataset import load  # noqa: E402
from geo.hazards import HAZARD_TYPES, LEVEL_COLUMNS, flag_households, flag_register, prepare_zones  # noqa: E402
from geo.locate import assign_communes  # noqa: E402


def _sjoin_baseline(households: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    joined = gpd.sjoin(households[["geometry"]], zones[["hazard_type", "level", "geometry"]], predicate="intersects")
    table = joined.groupby([joined.index, "hazard_type"])["level"].max().unstack(fill_value=0)
    table = table.reindex(index=households.index, columns=list(HAZARD_TYPES), fill_value=0)
    return table.to_numpy()


def measure(args: argparse.Namespace) -> list[Measure]:
    ds = load()
    homes, zones, communes = ds.households, ds.zones, ds.communes(2020)
    prepared = prepare_zones(zones)
    rows = []
    t_flag, flags = timed(lambda: flag_households(homes, zones), args.repeat)
    rows.append(("flag_households (levels of 3 types)", t_flag))
    rows.append(("assign_communes (161 communes)",
                 timed(lambda: assign_communes(homes, communes, declared=homes["ma_xa"]), args.repeat)[0]))
    rows.append(("flag_register (both, as `geo flag`)", timed(lambda: flag_register(homes, zones, communes),
                                                               args.repeat)[0]))
    # The baseline gets fresh zone geometries each run, as read from a file (sjoin builds a new
    # index and prepares the geometries it tests every time, as the other steps do).
    copies = [prepared.set_geometry(shapely.from_wkb(shapely.to_wkb(prepared.geometry.values)), crs=prepared.crs)
              for _ in range(args.repeat)]
    t_base, base = timed(lambda: _sjoin_baseline(homes, copies.pop()), args.repeat)
    rows.append(("baseline: geopandas.sjoin + groupby", t_base))
    same = bool((flags[LEVEL_COLUMNS].to_numpy() == base).all())
    print(f"{len(homes):,} households x {len(zones):,} zones; flag_households and the baseline give the same "
          f"levels: {same}", file=sys.stderr)
    if not same:
        DIFFER.append("demo")
    out = []
    for name, seconds in rows:
        out += [Measure(name, "s", seconds), Measure(name, "M/s", len(homes) / seconds / 1e6),
                Measure(name, "x", t_base / seconds)]
    out.append(Measure("peak memory (max RSS)", "MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    return out


DIFFER: list[str] = []

if __name__ == "__main__":
    run(argparse.ArgumentParser(description=__doc__.splitlines()[0]), measure, repeat=5)
    if DIFFER:
        sys.exit("flag_households differs from the baseline")
