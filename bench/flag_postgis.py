"""Hazard flagging inside PostGIS against flagging in Python, on the same data.

Loads households and hazard zones into a PostGIS workspace (a schema of its
own in the database given by ``--url`` or ``GEO_TEST_POSTGRES_URL``, dropped
afterwards): the demo province (``--sizes demo``) and, optionally, synthetic
provinces from ``bench/flag.py``'s ``make_inputs`` (``--sizes 1e6x1e4``).
Then times, median of ``--repeat`` runs:

* ``read``: reading both tables from the database into GeoDataFrames;
* ``python``: :func:`geo.hazards.flag_households` on what was read;
* ``read+python``: both, what an app process pays when nothing is cached;
* ``in-db``: :func:`geo.pgstore.flag_in_database` (one grouped SQL query
  using the zones' GiST index), its result included;

checks that both give identical levels, and prints seconds and the ratio.

    eval "$(bash scripts/postgres start)"; export GEO_TEST_POSTGRES_URL
    python bench/flag_postgis.py --sizes demo 2e5x2e3
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

import geopandas as gpd
import pandas as pd
import psycopg
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _revisions import timed  # noqa: E402
from geo.crs import METRIC_CRS  # noqa: E402
from geo.dataset import load  # noqa: E402
from geo.hazards import LEVEL_COLUMNS, flag_households  # noqa: E402
from geo.pgstore import PgLocation, flag_in_database  # noqa: E402
from geo.workspace import Workspace  # noqa: E402


def _inputs(size: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    if size == "demo":
        ds = load()
        return ds.households[["household_id", "geometry"]], ds.zones[["zone_id", "hazard_type", "level", "geometry"]]
    from flag import make_inputs

    n, m = (int(float(v)) for v in size.split("x"))
    xy, zones, _ = make_inputs(n, m)
    homes = gpd.GeoDataFrame({"household_id": [f"H{i:08d}" for i in range(n)]}, geometry=shapely.points(xy),
                             crs=METRIC_CRS)
    return homes, zones.assign(level=zones["level"].astype("int16"))


def _write(workspace: Workspace, layer: str, frame: gpd.GeoDataFrame) -> None:
    workspace.write_layer(layer, frame, "bench", Path(f"{layer}.bench"), "", len(frame), 0, "bench")


def bench(url: str, size: str, repeat: int) -> dict[str, object]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    location = PgLocation(f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}")
    homes, zones = _inputs(size)
    try:
        workspace = Workspace.open(location)
        start = time.perf_counter()
        _write(workspace, "households", homes)
        _write(workspace, "hazard_zones", zones)
        load_s = time.perf_counter() - start
        with psycopg.connect(url, autocommit=True) as conn:  # planner statistics, as after autovacuum
            conn.execute(f'ANALYZE "{schema}".households, "{schema}".hazard_zones')

        def read():
            return workspace.read_layer("households"), workspace.read_layer("hazard_zones")

        def python(frames):
            return flag_households(*frames)[LEVEL_COLUMNS + ["max_level"]].reset_index(drop=True)

        read_s, frames = timed(read, repeat)
        python_s, expected = timed(lambda: python(frames), repeat)
        both_s, _ = timed(lambda: python(read()), repeat)
        db_s, got = timed(lambda: flag_in_database(location), repeat)
        pd.testing.assert_frame_equal(got, expected)  # identical levels, or the figures mean nothing
        return {"size": size, "households": len(homes), "zones": len(zones), "load (COPY)": load_s, "read": read_s,
                "python": python_s, "read+python": both_s, "in-db": db_s, "in-db / read+python": db_s / both_s,
                "in zones": int((got["max_level"] > 0).sum())}
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=os.environ.get("GEO_TEST_POSTGRES_URL"),
                        help="postgresql:// URL of a database with PostGIS (default GEO_TEST_POSTGRES_URL)")
    parser.add_argument("--sizes", nargs="+", default=["demo"], help="'demo' and/or HOUSEHOLDSxZONES, e.g. 2e5x2e3")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.url:
        sys.exit("give --url postgresql://... or set GEO_TEST_POSTGRES_URL (bash scripts/postgres start)")
    rows = [bench(args.url, size, args.repeat) for size in args.sizes]
    table = pd.DataFrame(rows).set_index("size")
    print(f"PostGIS flagging vs in-process, seconds (median of {args.repeat}); results identical: yes")
    with pd.option_context("display.width", 200, "display.max_columns", 20, "display.float_format", "{:.3f}".format):
        print(table.to_string())


if __name__ == "__main__":
    main()
