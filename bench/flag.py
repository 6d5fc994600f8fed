"""Flagging at scale: synthetic provinces from 1e5 to 4e6 households, 1e3 to 3e5 zones.

For each size it generates realistic inputs in memory (households clustered in
villages along valleys; hazard zones of 46-512 vertices following those
valleys; 200 communes) and times, from coordinate arrays, the highest hazard
level of each type for every household plus the count of high-risk households
(level >= 4) per commune:

* ``geo``: :func:`geo.hazards.levels_at` on the plain GeoDataFrame (zone
  validation included, as every call did before zones were prepared once) +
  ``np.bincount``;
* ``geo prepared``: the same on :class:`geo.hazards.HazardZones` prepared
  before the timing (as the app, the command line and a dataset hold them);
  ``% geo`` is its time as a share of ``geo``'s;
* ``prepare``: :meth:`geo.hazards.HazardZones.prepare` alone (validation,
  repair, coding), paid once per import or loaded dataset;
* ``sjoin``: the plain baseline, ``geopandas.sjoin`` then ``groupby``;
* ``floor``: one vectorised bounding-box test of all points (NumPy), a lower
  bound no exact method can beat.

Each size, and each method within it, runs in its own child process, so a
method's peak memory (max RSS, its size's inputs included) is its own; the memory
freed while generating the inputs is handed back to the system (glibc
``malloc_trim``) before the methods run, so ``floor`` shows the inputs alone. The script checks that geo and sjoin give the
same level of every type for every household and the same commune counts.
Where the baseline would need more memory than ``--baseline-max-pairs``
allows, it is skipped and geo is checked instead against the pairwise test on
a random sample of households.

    python bench/flag.py                        # 1e6 households x 1e4 zones
    python bench/flag.py --sizes 1e5x1e3 4e6x3e5 --repeat 3
    python bench/flag.py --sizes grid           # all twelve sizes (about 15 minutes)
    python bench/flag.py --compare HEAD~5 HEAD  # two git revisions, interleaved runs
    python bench/flag.py --sizes 1e5x1e4 1e6x1e4 --methods geo "geo prepared" prepare --repeat 3

Columns: seconds, millions of households per second, speed-up over sjoin
(x), time as a share of ``geo``'s (% geo), peak memory in MB. The verdicts
(same result or not) go to stderr, and the exit code is 1 if geo ever differs.
"""

from __future__ import annotations

import argparse
import ctypes
import multiprocessing
import resource
import statistics
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from _revisions import Measure, run, target_root

target_root()

from geo.crs import METRIC_CRS  # noqa: E402
from geo.hazards import HAZARD_TYPES, flag_households  # noqa: E402

try:
    from geo.hazards import HazardZones  # noqa: E402
except ImportError:  # a revision from before prepared zones, under --compare: those methods are skipped
    HazardZones = None
try:
    from geo.hazards import levels_at  # noqa: E402
except ImportError:  # a revision from before levels_at, under --compare: through point geometries
    def levels_at(x, y, zones):
        homes = gpd.GeoDataFrame(geometry=shapely.points(x, y), crs=METRIC_CRS)
        return flag_households(homes, zones)[[f"level_{t}" for t in HAZARD_TYPES]].to_numpy()

_WIDTH, _HEIGHT = 160_000.0, 80_000.0  # a Cao Bằng-sized rectangle, metres, for up to 1e6 households
_VALLEYS, _VILLAGES = 400, 6_000


def _valleys(rng: np.random.Generator, n: int, width: float, height: float) -> np.ndarray:
    """Random-walk valley lines: (n, 40, 2) coordinates."""
    start = rng.uniform([0, 0], [width, height], (n, 2))
    heading = rng.uniform(0, 2 * np.pi, (n, 1)) + np.cumsum(rng.normal(0, 0.25, (n, 39)), axis=1)
    steps = np.stack([np.cos(heading), np.sin(heading)], -1) * 400
    return np.concatenate([start[:, None], start[:, None] + np.cumsum(steps, axis=1)], axis=1)


def make_inputs(n_households: int, n_zones: int, seed: int = 1):
    """Households (x, y), hazard zones (GeoDataFrame) and 200 commune polygons.

    Up to 1e6 households live in a 160 x 80 km rectangle (four times the real
    density of Cao Bằng at 1e6); beyond that the rectangle, its valleys and
    villages grow with the households, as a programme covering several
    provinces would. Zones have 46-512 vertices (median about 150).
    """
    rng = np.random.default_rng(seed)
    grow = max(1.0, n_households / 1e6)
    width, height = _WIDTH * np.sqrt(grow), _HEIGHT * np.sqrt(grow)
    valleys = _valleys(rng, int(_VALLEYS * grow), width, height)
    # Households: villages on the valleys, 90% within a few hundred metres of the centre.
    n_villages = int(_VILLAGES * grow)
    villages = valleys[rng.integers(0, len(valleys), n_villages), rng.integers(0, 40, n_villages)]
    which = rng.integers(0, len(villages), n_households)
    spread = np.where(rng.random(n_households) < 0.9, 250.0, 1500.0)[:, None]
    xy = villages[which] + rng.normal(0, 1, (n_households, 2)) * spread
    # Zones: pieces of valleys buffered into polygons (flash floods, tube floods, landslides),
    # with a smoothness that varies from zone to zone.
    piece = rng.integers(0, len(valleys), n_zones)
    first = rng.integers(0, 30, n_zones)
    length = rng.integers(3, 10, n_zones)
    steps = np.arange(10)[None, :]
    take = steps < length[:, None]  # ragged pieces as one coordinate array plus line indices
    coords = valleys[piece[:, None], np.minimum(first[:, None] + steps, 39)][take]
    lines = shapely.linestrings(coords, indices=np.repeat(np.arange(n_zones), length))
    width_m = rng.uniform(60, 400, n_zones)
    quad_segs = np.exp(rng.uniform(np.log(10), np.log(90), n_zones)).astype(int)
    zones = np.empty(n_zones, dtype=object)
    for segments in np.unique(quad_segs):  # shapely takes one quad_segs per call
        these = quad_segs == segments
        zones[these] = shapely.buffer(lines[these], width_m[these], quad_segs=int(segments))
    frame = gpd.GeoDataFrame(
        {"hazard_type": np.array(HAZARD_TYPES)[rng.integers(0, 3, n_zones)], "level": rng.integers(1, 6, n_zones)},
        geometry=zones, crs=METRIC_CRS)
    communes = shapely.voronoi_polygons(shapely.multipoints(rng.uniform([0, 0], [width, height], (200, 2))),
                                        extend_to=shapely.box(0, 0, width, height), ordered=True)
    return xy, frame, shapely.get_parts(communes)


#: The second shape, ``province``: 160 x 80 km, 1,500 rivers of 20 km with a vertex every 25 m, 6,000 villages.
_RIVERS, _RIVER_STEP, _RIVER_STEPS = 1_500, 25.0, 800
_COVER = 0.10  # share of the province's area inside a zone (before overlaps)


def _rivers(rng: np.random.Generator, n: int, width: float, height: float) -> np.ndarray:
    """Meandering river lines with a slowly varying curvature: (n, _RIVER_STEPS, 2) coordinates."""
    start = rng.uniform([0, 0], [width, height], (n, 2))
    bend = np.cumsum(rng.normal(0, 0.05, (n, _RIVER_STEPS - 1)), axis=1)
    bend -= np.cumsum(bend, axis=1) / np.arange(1, _RIVER_STEPS)  # curvature swings both ways
    heading = rng.uniform(0, 2 * np.pi, (n, 1)) + np.cumsum(0.08 * bend + rng.normal(0, 0.02, bend.shape), axis=1)
    steps = np.stack([np.cos(heading), np.sin(heading)], -1) * _RIVER_STEP
    return np.concatenate([start[:, None], start[:, None] + np.cumsum(steps, axis=1)], axis=1)


def _landslide_blobs(rng: np.random.Generator, n: int, mean_area: float, width: float, height: float) -> np.ndarray:
    """Irregular blobs: star-shaped outlines (four random harmonics and a little noise) stretched 1-3 times
    down a random slope direction, 50-500 vertices (log-uniform), areas log-normal around ``mean_area``."""
    vertices = np.exp(rng.uniform(np.log(50), np.log(501), n)).astype(np.int64)
    area = mean_area * rng.lognormal(0, 0.6, n) / np.exp(0.6**2 / 2)
    owner = np.repeat(np.arange(n), vertices)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(vertices) - vertices, vertices)
    theta = 2 * np.pi * k / vertices[owner]
    amplitude = rng.uniform(0, 1, (n, 4)) * [0.25, 0.15, 0.10, 0.06]  # sum < 1: the radius stays positive
    phase = rng.uniform(0, 2 * np.pi, (n, 4))
    radius = 1 + sum(amplitude[owner, j] * np.cos((j + 2) * theta + phase[owner, j]) for j in range(4))
    radius *= 1 + rng.normal(0, 0.02, len(owner))
    stretch, turn = rng.uniform(1, 3, n), rng.uniform(0, np.pi, n)
    semi = np.sqrt(area / (np.pi * stretch))
    u, v = radius * np.cos(theta) * (semi * stretch)[owner], radius * np.sin(theta) * semi[owner]
    cos, sin = np.cos(turn)[owner], np.sin(turn)[owner]
    centre = rng.uniform([0, 0], [width, height], (n, 2))
    xy = np.c_[centre[owner, 0] + cos * u - sin * v, centre[owner, 1] + sin * u + cos * v]
    return shapely.polygons(shapely.linearrings(xy, indices=owner))


def _river_reaches(rng: np.random.Generator, n: int, mean_area: float, rivers: np.ndarray) -> np.ndarray:
    """Buffered river reaches: disjoint pieces of the rivers, laid one after another with random gaps,
    buffered 15-80 m each side (thinner when zones are many and small), 50-500 vertices."""
    n_rivers, steps = rivers.shape[:2]
    half = rng.uniform(15, 80, n) * min(1.0, (mean_area / 1.28e6) ** 0.25)
    area = mean_area * rng.lognormal(0, 0.5, n) / np.exp(0.5**2 / 2)
    length = np.maximum(area / (2 * half) - np.pi * half / 2, _RIVER_STEP)  # the round caps count too
    segments = np.clip(np.round(length / _RIVER_STEP).astype(np.int64), 1, 150)
    spare = max(n_rivers * (steps - 1) - int(segments.sum()), n)
    gap = rng.dirichlet(np.ones(n)) * spare
    start = np.cumsum(segments + gap).astype(np.int64) - segments
    river = np.minimum(start // (steps - 1), n_rivers - 1)
    first = np.minimum(start % (steps - 1), steps - 1 - segments)
    owner = np.repeat(np.arange(n), segments + 1)
    k = np.arange(len(owner)) - np.repeat(np.cumsum(segments + 1) - (segments + 1), segments + 1)
    lines = shapely.linestrings(rivers[river[owner], first[owner] + k], indices=owner)
    target = np.exp(rng.uniform(np.log(50), np.log(500), n))
    quad_segs = np.clip(np.round((target - 2 * (segments + 1)) / 4), 1, 60).astype(np.int64)
    out = np.empty(n, dtype=object)
    for attempt in range(3):  # bends add vertices: fewer segments per quarter circle where over 500
        for q in np.unique(quad_segs):
            these = quad_segs == q
            out[these] = shapely.buffer(lines[these], half[these], quad_segs=int(q))
        over = shapely.get_num_coordinates(out) - 500
        if (over <= 0).all() or attempt == 2:
            break
        quad_segs = np.where(over > 0, np.maximum(1, quad_segs - (over + 3) // 4), quad_segs)
    return out


def make_province(n_households: int, n_zones: int, seed: int = 2):
    """The second shape, ``province``, not designed around the banded kernel.

    A 160 x 80 km province (growing with households beyond 1e6, as in
    :func:`make_inputs`) of 200 communes, where zones cover about 10% of the
    area with little overlap, whatever their number: 60% of zones are
    landslide zoning blobs (irregular, stretched down a slope; landslide), 40%
    buffered reaches of a meandering river network (long thin polygons;
    flash flood, tube flood or riverbank erosion). Zones have 50-500
    vertices; their mean area is 10% of the province over their number
    (1.3 km2 at 1e4, 0.13 km2 at 1e5). Households live in 6,000 villages of
    log-normal sizes: a fifth of the villages within 400 m of a river, the
    rest anywhere.
    """
    rng = np.random.default_rng(seed)
    grow = max(1.0, n_households / 1e6)
    width, height = _WIDTH * np.sqrt(grow), _HEIGHT * np.sqrt(grow)
    rivers = _rivers(rng, int(_RIVERS * grow), width, height)
    mean_area = _COVER * width * height / n_zones
    n_blobs = int(round(0.6 * n_zones))
    zones = np.concatenate([_landslide_blobs(rng, n_blobs, mean_area, width, height),
                            _river_reaches(rng, n_zones - n_blobs, mean_area, rivers)])
    hazard = np.r_[np.zeros(n_blobs, np.int64), rng.integers(1, len(HAZARD_TYPES), n_zones - n_blobs)]
    shuffle = rng.permutation(n_zones)  # blobs and reaches mixed, as in a real layer
    frame = gpd.GeoDataFrame(
        {"hazard_type": np.array(HAZARD_TYPES)[hazard[shuffle]], "level": rng.integers(1, 6, n_zones)},
        geometry=zones[shuffle], crs=METRIC_CRS)
    n_villages = int(_VILLAGES * grow)
    near_river = rng.random(n_villages) < 0.2
    on_river = rivers[rng.integers(0, len(rivers), n_villages), rng.integers(0, _RIVER_STEPS, n_villages)]
    villages = np.where(near_river[:, None], on_river + rng.uniform(-400, 400, (n_villages, 2)),
                        rng.uniform([0, 0], [width, height], (n_villages, 2)))
    weight = rng.lognormal(0, 1, n_villages)
    which = rng.choice(n_villages, n_households, p=weight / weight.sum())
    spread = np.where(rng.random(n_households) < 0.9, 250.0, 1500.0)[:, None]
    xy = villages[which] + rng.normal(0, 1, (n_households, 2)) * spread
    communes = shapely.voronoi_polygons(shapely.multipoints(rng.uniform([0, 0], [width, height], (200, 2))),
                                        extend_to=shapely.box(0, 0, width, height), ordered=True)
    return xy, frame, shapely.get_parts(communes)


SHAPES = {"valleys": make_inputs, "province": make_province}


def _commune_of(xy: np.ndarray, communes: np.ndarray) -> np.ndarray:
    pt, poly = shapely.STRtree(communes).query(shapely.points(xy), predicate="within")
    out = np.full(len(xy), len(communes))  # outside every commune: a bin of its own
    out[pt] = poly
    return out


def run_geo(xy: np.ndarray, zones: gpd.GeoDataFrame, commune: np.ndarray):
    levels = levels_at(xy[:, 0], xy[:, 1], zones)
    return levels, np.bincount(commune, weights=levels.max(axis=1) >= 4).astype(np.int64)


def run_prepare(xy: np.ndarray, zones: gpd.GeoDataFrame, commune: np.ndarray) -> None:
    HazardZones.prepare(zones)  # nothing to send back to the parent


def run_sjoin(xy: np.ndarray, zones: gpd.GeoDataFrame, commune: np.ndarray):
    homes = gpd.GeoDataFrame({"commune": commune}, geometry=shapely.points(xy), crs=METRIC_CRS)
    joined = gpd.sjoin(homes, zones, predicate="intersects")
    table = joined.groupby([joined.index, "hazard_type"])["level"].max().unstack(fill_value=0)
    levels = table.reindex(index=homes.index, columns=list(HAZARD_TYPES), fill_value=0).to_numpy()
    counts = pd.Series(levels.max(axis=1) >= 4).groupby(homes["commune"]).sum()
    return levels.astype(np.int8), counts.reindex(range(commune.max() + 1), fill_value=0).to_numpy()


def run_floor(xy: np.ndarray, zones: gpd.GeoDataFrame, commune: np.ndarray):
    minx, miny, maxx, maxy = zones.total_bounds
    inside = (xy[:, 0] >= minx) & (xy[:, 0] <= maxx) & (xy[:, 1] >= miny) & (xy[:, 1] <= maxy)
    return inside, np.bincount(commune, weights=inside)


METHODS = {"floor": run_floor, "sjoin": run_sjoin, "geo": run_geo, "geo prepared": run_geo, "prepare": run_prepare}
PREPARED = ("geo prepared", "prepare")  # methods that need geo.hazards.HazardZones
DIFFER: list[str] = []  # sizes where geo's result is not the baseline's
GRID = [f"{h}x{z}" for h in ("1e5", "1e6", "4e6") for z in ("1e3", "1e4", "1e5", "3e5")]


def _send(pipe, fn, args) -> None:
    result = fn(*args)
    pipe.send((result, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    pipe.close()


def _forked(fn, *args):
    """``(fn(*args), peak MB)`` from a forked child, which shares the caller's memory copy-on-write.

    Each method runs in a child of its own (no polygon prepared or indexed by
    another method's run, and a peak memory of its own); each size too, so
    that a size's children do not inherit the memory of earlier sizes.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_send, args=(send, fn, args))
    child.start()
    send.close()
    try:
        out = receive.recv()
    except EOFError:
        out = None
    child.join()
    if out is None:
        raise RuntimeError(f"{fn.__name__}{args[:1]} died (exit code {child.exitcode}); out of memory?")
    return out


def _timed(name: str, xy, zones, commune):
    start = time.perf_counter()
    result = METHODS[name](xy, zones, commune)
    return time.perf_counter() - start, result


def _sample_check(xy, zones, levels, size: int = 20_000) -> bool:
    """geo's levels on a random sample of households against the pairwise test."""
    rng = np.random.default_rng(0)
    pick = rng.choice(len(xy), min(size, len(xy)), replace=False)
    polys = zones.geometry.values
    pt, zone = shapely.STRtree(polys).query(shapely.points(xy[pick]), predicate="intersects")
    want = np.zeros((len(pick), len(HAZARD_TYPES)), dtype=np.int8)
    type_index = zones["hazard_type"].map({t: i for i, t in enumerate(HAZARD_TYPES)}).to_numpy()
    np.maximum.at(want, (pt, type_index[zone]), zones["level"].to_numpy()[zone])
    return bool((want == levels[pick]).all())


def measure_sizes(args: argparse.Namespace) -> list[Measure]:
    """Every method at every size of every shape, ``--repeat`` times (median); verdicts on stderr.

    Shapes alternate within each size, and methods within each repeat (A, B, C, A, B, C ...)."""
    out: list[Measure] = []
    for size in GRID if args.sizes == ["grid"] else args.sizes:
        for shape in args.shapes:
            (measures, same), _ = _forked(_one_size, shape, size, args)
            out += measures
            if not same:
                DIFFER.append(f"{shape} {size}")
    return out


def _one_size(shape: str, size: str, args: argparse.Namespace) -> tuple[list[Measure], bool]:
    n_homes, n_zones = (int(float(v)) for v in size.lower().split("x"))
    label = f"{shape} {n_homes:,} x {n_zones:,}"
    xy, zones, communes = SHAPES[shape](n_homes, n_zones)
    commune = _commune_of(xy, communes)
    pairs = _estimated_pairs(xy, zones)
    methods = [m for m in METHODS if m in args.methods and (m != "sjoin" or pairs <= args.baseline_max_pairs)
               and (m not in PREPARED or HazardZones is not None)]
    prepared = HazardZones.prepare(zones) if "geo prepared" in methods else None  # outside every timing
    _release_free_memory()
    runs: dict[str, list] = {name: [] for name in methods}
    for _ in range(args.repeat):  # interleaved: every method once, then again
        for name in methods:
            runs[name].append(_forked(_timed, name, xy, prepared if name == "geo prepared" else zones, commune))
    seconds = {name: statistics.median(r[0][0] for r in runs[name]) for name in methods}
    results = [(name, runs[name][0][0][1]) for name in ("geo", "geo prepared") if name in runs]
    same = True
    if "sjoin" in runs:
        base = runs["sjoin"][0][0][1]
        for name, result in results:
            agree = bool((result[0] == base[0]).all() and (result[1] == base[1]).all())
            print(f"{label}: {name} and sjoin give the same levels and counts: {agree}", file=sys.stderr)
            same &= agree
    else:
        for name, result in results:
            agree = _sample_check(xy, zones, result[0])
            skipped = "skipped" if "sjoin" in args.methods else "not asked for"
            print(f"{label}: sjoin {skipped} (~{pairs / 1e6:,.0f}M candidate pairs); {name} equals the pairwise "
                  f"test on 20,000 sampled households: {agree}", file=sys.stderr)
            same &= agree
    if len(results) == 2:
        agree = bool(all((a == b).all() for a, b in zip(results[0][1], results[1][1])))
        print(f"{label}: geo and geo prepared give the same levels and counts: {agree}", file=sys.stderr)
        same &= agree
    out = []
    for name in methods:
        step = f"{label} {name}"
        out.append(Measure(step, "s", seconds[name]))
        if name != "prepare":  # preparing zones involves no households
            out.append(Measure(step, "M/s", n_homes / seconds[name] / 1e6))
            if "sjoin" in seconds:
                out.append(Measure(step, "x", seconds["sjoin"] / seconds[name]))
        if name != "geo" and "geo" in seconds:
            out.append(Measure(step, "% geo", 100 * seconds[name] / seconds["geo"]))
        out.append(Measure(step, "MB", max(r[1] for r in runs[name])))
    return out, same


def _release_free_memory() -> None:
    """Give the memory freed while generating the inputs back to the system (glibc), so that the peak
    memory of each method's child counts the inputs, not the generator's leftovers."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: the leftovers stay counted
        pass


def _estimated_pairs(xy: np.ndarray, zones: gpd.GeoDataFrame, sample: int = 20_000) -> float:
    """(household, zone) bounding-box pairs, from a sample of households."""
    pick = np.random.default_rng(1).choice(len(xy), min(sample, len(xy)), replace=False)
    pt, _ = shapely.STRtree(zones.geometry.values).query(shapely.points(xy[pick]))
    return len(pt) * len(xy) / len(pick)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1e5x1e4", "1e6x1e4", "1e6x1e5"],
                        help="HOUSEHOLDSxZONES, e.g. 1e6x1e4; 'grid' for all of 1e5, 1e6, 4e6 x 1e3, 1e4, 1e5, 3e5")
    parser.add_argument("--shapes", nargs="+", choices=list(SHAPES), default=list(SHAPES),
                        help="data shapes (default both): valleys (zones along the villages' valleys, dense "
                             "overlaps) and province (zones over 10%% of the area, little overlap)")
    parser.add_argument("--methods", nargs="+", choices=list(METHODS), default=list(METHODS), metavar="METHOD",
                        help=f"methods to time (default all: {', '.join(METHODS)})")
    parser.add_argument("--baseline-max-pairs", type=float, default=3e7,
                        help="skip sjoin above this many (household, zone) bounding-box pairs, estimated")
    run(parser, measure_sizes)
    if DIFFER:
        sys.exit(f"geo differs from the baseline at {', '.join(DIFFER)}")
