"""Flagging at scale: synthetic provinces from 1e5 to 4e6 households, 1e3 to 3e5 zones.

For each size it generates realistic inputs in memory (households clustered in
villages along valleys; hazard zones of 50-500 vertices following those
valleys; 200 communes) and times, from coordinate arrays:

* ``geo``: :func:`geo.hazards.flag_households` + per-commune counts;
* ``sjoin``: the plain baseline, ``geopandas.sjoin`` then ``groupby``;
* ``floor``: one vectorised bounding-box test of all points (NumPy), a lower
  bound no exact method can beat;

checks that geo and sjoin flag the same households at the same levels, and
prints seconds, households per second, peak memory (max RSS) and the ratios.

    python bench/flag.py                        # 1e6 households x 1e4 zones
    python bench/flag.py --sizes 1e5x1e3 4e6x3e5
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.crs import METRIC_CRS  # noqa: E402
from geo.hazards import HAZARD_TYPES, LEVEL_COLUMNS, flag_households  # noqa: E402

_WIDTH, _HEIGHT = 160_000.0, 80_000.0  # a Cao Bằng-sized rectangle, metres


def _valleys(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random-walk valley lines: (n, 40, 2) coordinates."""
    start = rng.uniform([0, 0], [_WIDTH, _HEIGHT], (n, 2))
    heading = rng.uniform(0, 2 * np.pi, (n, 1)) + np.cumsum(rng.normal(0, 0.25, (n, 39)), axis=1)
    steps = np.stack([np.cos(heading), np.sin(heading)], -1) * 400
    return np.concatenate([start[:, None], start[:, None] + np.cumsum(steps, axis=1)], axis=1)


def make_inputs(n_households: int, n_zones: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    valleys = _valleys(rng, 400)
    # Households: villages on the valleys, 90% within a few hundred metres of the centre.
    villages = valleys[rng.integers(0, len(valleys), 6000), rng.integers(0, 40, 6000)]
    which = rng.integers(0, len(villages), n_households)
    spread = np.where(rng.random(n_households) < 0.9, 250.0, 1500.0)[:, None]
    xy = villages[which] + rng.normal(0, 1, (n_households, 2)) * spread
    # Zones: pieces of valleys buffered into 50-500-vertex polygons (flash floods, tube floods),
    # and lobes beside them (landslides).
    piece = rng.integers(0, len(valleys), n_zones)
    first = rng.integers(0, 30, n_zones)
    length = rng.integers(3, 10, n_zones)
    steps = np.arange(10)[None, :]
    take = steps < length[:, None]  # ragged pieces as one coordinate array plus line indices
    coords = valleys[piece[:, None], np.minimum(first[:, None] + steps, 39)][take]
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(n_zones), length))
    width = rng.uniform(60, 400, n_zones)
    zones = shapely.buffer(lines, width, quad_segs=12)  # about 50-120 vertices each
    frame = gpd.GeoDataFrame(
        {"hazard_type": np.array(HAZARD_TYPES)[rng.integers(0, 3, n_zones)], "level": rng.integers(1, 6, n_zones)},
        geometry=zones, crs=METRIC_CRS)
    communes = shapely.voronoi_polygons(shapely.multipoints(rng.uniform([0, 0], [_WIDTH, _HEIGHT], (200, 2))),
                                        extend_to=shapely.box(0, 0, _WIDTH, _HEIGHT), ordered=True)
    return xy, frame, shapely.get_parts(communes)


def _commune_of(xy: np.ndarray, communes: np.ndarray) -> np.ndarray:
    pt, poly = shapely.STRtree(communes).query(shapely.points(xy), predicate="within")
    out = np.full(len(xy), -1)
    out[pt] = poly
    return out


def run_geo(xy, zones, commune):
    homes = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=METRIC_CRS)
    levels = flag_households(homes, zones)[LEVEL_COLUMNS].to_numpy()
    counts = pd.Series(levels.max(axis=1) >= 4).groupby(commune).sum()
    return levels, counts


def run_sjoin(xy, zones, commune):
    homes = gpd.GeoDataFrame({"commune": commune}, geometry=shapely.points(xy), crs=METRIC_CRS)
    joined = gpd.sjoin(homes, zones, predicate="intersects")
    table = joined.groupby([joined.index, "hazard_type"])["level"].max().unstack(fill_value=0)
    levels = table.reindex(index=homes.index, columns=list(HAZARD_TYPES), fill_value=0).to_numpy()
    counts = pd.Series(levels.max(axis=1) >= 4).groupby(commune).sum()
    return levels, counts


def run_floor(xy, zones, commune):
    minx, miny, maxx, maxy = zones.total_bounds
    inside = (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)
    return inside, np.bincount(commune[commune >= 0], weights=inside[commune >= 0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1e6x1e4"], help="HOUSEHOLDSxZONES, e.g. 1e6x1e4")
    args = parser.parse_args()
    print(f"{'households':>10} {'zones':>8} {'method':>6} {'seconds':>8} {'M hh/s':>7} {'ratio':>6}  same")
    for size in args.sizes:
        n_homes, n_zones = (int(float(v)) for v in size.lower().split("x"))
        xy, zones, communes = make_inputs(n_homes, n_zones)
        commune = _commune_of(xy, communes)
        timings, results = {}, {}
        for name, method in (("floor", run_floor), ("sjoin", run_sjoin), ("geo", run_geo)):
            fresh = zones.set_geometry(shapely.from_wkb(shapely.to_wkb(zones.geometry.values)), crs=zones.crs)
            start = time.perf_counter()
            results[name] = method(xy, fresh, commune)
            timings[name] = time.perf_counter() - start
        same = bool((results["geo"][0] == results["sjoin"][0]).all() and results["geo"][1].equals(results["sjoin"][1]))
        for name in ("floor", "sjoin", "geo"):
            ratio = timings["sjoin"] / timings[name]
            print(f"{n_homes:>10,} {n_zones:>8,} {name:>6} {timings[name]:8.2f} {n_homes / timings[name] / 1e6:7.2f} "
                  f"{ratio:6.1f}  {same if name == 'geo' else ''}")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
