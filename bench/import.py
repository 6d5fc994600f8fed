"""Import speed: rows per second of the real import, against a plain read and write with pyogrio.

    python bench/import.py                                # 1.2e5 and 1e6 households, 1e4 zones
    python bench/import.py --sizes 2e4 --formats csv gpkg --shapes register --repeat 3
    python bench/import.py --compare HEAD~5 HEAD          # two git revisions, interleaved runs

Files are generated once per run into a temporary folder (seeded), with
coordinates inside Cao Bằng (the demo's 2020 commune polygons,
data/demo/caobang_demo.gpkg), in two shapes:

* ``uniform``: households spread evenly over the province, clean values,
  longitude/latitude in WGS 84 ("Kinh độ", "Vĩ độ"); official commune names;
* ``register``: a messy register: households clustered in villages, VN-2000
  "X"/"Y" with X the northing and no declared system (the CSV and XLSX; the
  Shapefile has a .prj but no .cpg), ";" as separator, 5% decimal commas, commune
  names with their unit type, unaccented, misspelt or unknown, empty cells,
  duplicate ids, 1% of rows outside the province, yes/no as "có", "Có",
  "KHÔNG", "x" or empty; zones with variant spellings, unknown types, empty
  levels, self-intersecting rings and 1% outside the province.

Households ("Mã hộ", "Dân tộc", "Số khẩu", "Hộ nghèo", "Xã") come as CSV, XLSX
(by default only at sizes up to 2e5: writing a larger workbook takes long;
an explicit ``--sizes`` writes it at every size), zipped Shapefile and
GeoPackage; hazard zones ("Loại thiên tai", "Cấp độ") as GeoPackage and zipped
Shapefile. Each step runs in a fresh child process of its own, so its peak
memory (max RSS, interpreter and imports included) is its own:

* ``import``: ``geo.importer.prepare(path, kind)`` then ``commit(report,
  Workspace.create(tmp/ws.gpkg))``, as the command line does;
* ``pyogrio``: the baseline, ``pyogrio.read_dataframe`` then
  ``pyogrio.write_dataframe`` into a fresh GeoPackage; for CSV and XLSX the
  table is read with pyogrio too (GDAL's drivers, every column as text), the
  coordinates become numbers (a decimal comma read as a point) and points
  (``geopandas.points_from_xy``, in the system the generator used) before the
  write. No validation: every row is written.

Columns: median seconds of ``--repeat`` runs, rows per second, ``x`` = the
import's time over the baseline's (how many times slower than a plain read and
write), peak MB, good and rejected rows. The exit code is 1 if an import raises.
Under ``--compare`` a revision whose importer cannot read a format (or that has
no importer) skips it with a message on stderr.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import traceback
import unicodedata
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from _revisions import CHECKOUT, Measure, run, target_root

target_root()

DEMO = CHECKOUT / "data" / "demo" / "caobang_demo.gpkg"  # this checkout's, so every revision gets the same files
METRIC, WGS84 = "EPSG:9210", "EPSG:4326"
FORMATS = ("csv", "xlsx", "shp", "gpkg")
ZONE_FORMATS = ("gpkg", "shp")
SHAPES = ("uniform", "register")
DEFAULT_SIZES = ("1.2e5", "1e6")
XLSX_DEFAULT_MAX = 200_000
SNIFFED = {"csv": "csv", "xlsx": "xlsx", "shp": "shapefile_zip", "gpkg": "gpkg"}  # geo.safefiles kinds

# Household columns: in the CSV, XLSX and GeoPackage (Vietnamese headers), and in the Shapefile (10 ASCII characters).
HEADERS = {"id": "Mã hộ", "lon": "Kinh độ", "lat": "Vĩ độ", "x": "X", "y": "Y", "ethnicity": "Dân tộc",
           "members": "Số khẩu", "poor": "Hộ nghèo", "commune": "Xã"}
DBF_HEADERS = {"id": "Ma_ho", "ethnicity": "Dan_toc", "members": "So_khau", "poor": "Ho_ngheo", "commune": "Ten_xa"}
ZONE_HEADERS = {"type": "Loại thiên tai", "level": "Cấp độ"}
ZONE_DBF_HEADERS = {"type": "Loai_TT", "level": "Cap_do"}
ETHNIC = np.array(["Tày", "Nùng", "H'Mông", "Dao", "Kinh", "Sán Chay", "Lô Lô"], dtype=object)
ETHNIC_SHARE = [0.40, 0.30, 0.11, 0.10, 0.06, 0.02, 0.01]
HAZARDS = np.array(["Sạt lở", "Lũ quét", "Lũ ống"], dtype=object)
MESSY_HAZARDS = np.array(["Sạt lở", "sạt lở đất", "SẠT LỞ", "Lũ quét", "lu quet", "Lũ ống", "landslide",
                          "động đất"], dtype=object)  # the last one is no hazard type handled
MESSY_LEVELS = np.array(["1", "2", "3", "4", "5", "thấp", "Trung bình", "cao", "Rất cao", ""], dtype=object)


@dataclass(frozen=True)
class Source:
    """One generated file to import."""

    kind: str  # "households" or "hazards"
    shape: str
    rows: int
    fmt: str
    path: Path
    crs: str  # the system of the coordinates written, for the baseline's points from CSV or XLSX

    @property
    def label(self) -> str:
        return f"{self.kind} {self.shape} {self.rows:,} {self.fmt}"


# --------------------------------------------------------------------------- generated files
def _communes() -> gpd.GeoDataFrame:
    return pyogrio.read_dataframe(DEMO, layer="communes_2020", columns=["ma_xa", "name_vi", "type_vi"])


def _points_in(communes: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform over the communes (EPSG:9210) and the position of the commune holding each."""
    tree = shapely.STRtree(communes.geometry.values)
    minx, miny, maxx, maxy = communes.total_bounds
    xy, which = np.empty((0, 2)), np.empty(0, np.int64)
    while len(xy) < n:
        candidates = rng.uniform([minx, miny], [maxx, maxy], (2 * n, 2))
        point, polygon = tree.query(shapely.points(candidates), predicate="within")
        xy, which = np.vstack([xy, candidates[point]]), np.concatenate([which, polygon])
    keep = rng.permutation(len(xy))[:n]
    return xy[keep], which[keep]


def _pick(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return rng.random(n) < share


def _households(n: int, shape: str, communes: gpd.GeoDataFrame,
                rng: np.random.Generator) -> tuple[pd.DataFrame, np.ndarray]:
    """Household rows with logical columns (see HEADERS), and their points (lon/lat or VN-2000 easting/northing)."""
    names = communes["name_vi"].to_numpy(object)
    if shape == "uniform":
        xy, commune = _points_in(communes, n, rng)
        lonlat = gpd.GeoSeries(shapely.points(xy), crs=METRIC).to_crs(WGS84).get_coordinates().to_numpy().round(6)
        return pd.DataFrame({
            "id": [f"HGD{i:07d}" for i in range(1, n + 1)], "lon": lonlat[:, 0], "lat": lonlat[:, 1],
            "ethnicity": rng.choice(ETHNIC, n, p=ETHNIC_SHARE), "members": np.clip(1 + rng.poisson(3.2, n), 1, 12),
            "poor": np.where(_pick(rng, n, 0.3), "có", "không"), "commune": names[commune]}), lonlat
    # The register: villages of about 70 households, 10% of homes scattered up to a few km away.
    centres, village_commune = _points_in(communes, max(n // 70, 20), rng)
    weight = rng.lognormal(0, 0.6, len(centres))
    village = rng.choice(len(centres), n, p=weight / weight.sum())
    spread = np.where(_pick(rng, n, 0.9), 200.0, 1500.0)[:, None]
    xy = centres[village] + rng.normal(0, 1, (n, 2)) * spread
    xy[_pick(rng, n, 0.01), 1] -= 200_000  # 1% far south of the province
    commune = village_commune[village]
    order = np.argsort(commune, kind="stable")
    seq = np.empty(n, np.int64)
    seq[order] = pd.Series(commune[order]).groupby(commune[order]).cumcount().to_numpy() + 1
    ids = pd.Series(communes["ma_xa"].to_numpy(object)[commune]) + "-" + pd.Series(seq).astype(str).str.zfill(5)
    dupes = _pick(rng, n, 0.005)
    ids[dupes] = ids.to_numpy()[rng.integers(0, n, dupes.sum())]
    ids[_pick(rng, n, 0.003)] = None
    members = pd.Series(np.clip(1 + rng.poisson(3.2, n), 1, 12), dtype=object)
    members[_pick(rng, n, 0.01)] = None
    members[_pick(rng, n, 0.003)] = 0  # not a household size: rejected
    ethnicity = pd.Series(rng.choice(ETHNIC, n, p=ETHNIC_SHARE))
    ethnicity[_pick(rng, n, 0.02)] = None
    poor = pd.Series(rng.choice(["có", "không", "Có", "KHÔNG", "x", None], n, p=[0.2, 0.5, 0.08, 0.15, 0.06, 0.01]))
    return pd.DataFrame({"id": ids, "x": _messy_numbers(xy[:, 1], rng), "y": _messy_numbers(xy[:, 0], rng),
                         "ethnicity": ethnicity, "members": members, "poor": poor,
                         "commune": _messy_names(communes, commune, rng)}), xy


def _messy_numbers(values: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Numbers with one decimal, 5% as text with a decimal comma, 0.2% empty (X holds the northing)."""
    out = pd.Series(values.round(1), dtype=object)
    comma = _pick(rng, len(values), 0.05)
    out[comma] = [f"{v:.1f}".replace(".", ",") for v in values[comma]]
    out[_pick(rng, len(values), 0.002)] = None
    return out


def _messy_names(communes: gpd.GeoDataFrame, commune: np.ndarray, rng: np.random.Generator) -> pd.Series:
    """Official names, but 6% with the unit type, 4% unaccented, 3% misspelt, 1% unknown, 2% empty."""
    names = pd.Series(communes["name_vi"].to_numpy(object)[commune])
    kind = rng.choice(6, len(names), p=[0.84, 0.06, 0.04, 0.03, 0.01, 0.02])
    typed = communes["type_vi"].to_numpy(object)[commune]
    names[kind == 1] = typed[kind == 1] + " " + names[kind == 1]
    names[kind == 2] = names[kind == 2].map(
        lambda s: "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
        .replace("đ", "d").replace("Đ", "D").lower())
    names[kind == 3] = names[kind == 3].map(lambda s: s[:2] + s[3:])
    names[kind == 4] = "Nà Pài"
    names[kind == 5] = None
    return names


def _zones(n: int, shape: str, communes: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Landslide-like lobes of 24-128 vertices, 150-700 m across, within the province (EPSG:9210)."""
    centres, _ = _points_in(communes, n, rng)
    vertices = rng.integers(24, 129, n)
    geoms = np.empty(n, dtype=object)
    for k in np.unique(vertices):
        these = vertices == k
        t = np.linspace(0, 2 * np.pi, k)[None, :]
        a, b = rng.uniform(150, 700, (2, these.sum(), 1))
        wobble = 1 + 0.15 * np.sin(3 * t + rng.uniform(0, 6, (these.sum(), 1)))
        ring = centres[these][:, None, :] + np.stack([wobble * a * np.cos(t), wobble * b * np.sin(t)], -1)
        ring[:, -1] = ring[:, 0]
        geoms[these] = shapely.polygons(ring)
    if shape == "uniform":
        return gpd.GeoDataFrame({"type": rng.choice(HAZARDS, n), "level": rng.integers(1, 6, n)},
                                geometry=geoms, crs=METRIC)
    bowtie = np.flatnonzero(_pick(rng, n, 0.01))  # self-intersecting: repaired by the import
    for i in bowtie:
        x0, y0 = centres[i]
        geoms[i] = shapely.Polygon([(x0, y0), (x0 + 300, y0 + 300), (x0 + 300, y0), (x0, y0 + 300), (x0, y0)])
    far = _pick(rng, n, 0.01)
    geoms[far] = shapely.transform(geoms[far], lambda xy: xy - [0, 200_000])
    return gpd.GeoDataFrame({"type": rng.choice(MESSY_HAZARDS, n, p=[0.4, 0.1, 0.05, 0.25, 0.05, 0.1, 0.045, 0.005]),
                             "level": rng.choice(MESSY_LEVELS, n, p=[0.12] * 5 + [0.1, 0.1, 0.1, 0.095, 0.005])},
                            geometry=geoms, crs=METRIC)


def _zip_shapefile(frame: gpd.GeoDataFrame, path: Path, keep_cpg: bool) -> None:
    folder = path.with_suffix("")
    folder.mkdir()
    shp = folder / f"{path.stem}.shp"
    pyogrio.write_dataframe(frame, shp, driver="ESRI Shapefile", encoding="UTF-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted(folder.iterdir()):
            if keep_cpg or member.suffix != ".cpg":
                archive.write(member, member.name)


def _write_households(frame: pd.DataFrame, xy: np.ndarray, shape: str, formats: list[str],
                      folder: Path) -> list[Source]:
    n, stem = len(frame), folder / f"households-{shape}-{len(frame)}"
    crs = WGS84 if shape == "uniform" else METRIC
    table = frame.rename(columns=HEADERS)
    out = []
    for fmt in formats:
        path = stem.with_suffix({"shp": ".zip"}.get(fmt, f".{fmt}"))
        if fmt == "csv":
            table.to_csv(path, index=False, sep="," if shape == "uniform" else ";")
        elif fmt == "xlsx":
            table.to_excel(path, index=False, engine="openpyxl")
        else:
            geoms = shapely.points(xy)
            if shape == "register":  # a row without X or Y has no location
                geoms[frame["x"].isna().to_numpy() | frame["y"].isna().to_numpy()] = None
            attributes = frame[list(DBF_HEADERS)]
            if fmt == "gpkg":
                layer = gpd.GeoDataFrame(attributes.rename(columns=HEADERS), geometry=geoms, crs=crs)
                pyogrio.write_dataframe(layer, path, layer="households", driver="GPKG")
            else:  # the register's Shapefile lost its .cpg: its text encoding is detected
                layer = gpd.GeoDataFrame(attributes.astype(str).where(attributes.notna()).rename(columns=DBF_HEADERS),
                                         geometry=geoms, crs=crs)
                _zip_shapefile(layer, path, keep_cpg=shape == "uniform")
        out.append(Source("households", shape, n, fmt, path, crs))
    return out


def _write_zones(zones: gpd.GeoDataFrame, shape: str, formats: list[str], folder: Path) -> list[Source]:
    out = []
    for fmt in formats:
        path = folder / f"zones-{shape}-{len(zones)}.{'zip' if fmt == 'shp' else fmt}"
        if fmt == "gpkg":
            pyogrio.write_dataframe(zones.rename(columns=ZONE_HEADERS), path, layer="hazard_zones", driver="GPKG")
        else:
            _zip_shapefile(zones.rename(columns=ZONE_DBF_HEADERS), path, keep_cpg=True)
        out.append(Source("hazards", shape, len(zones), fmt, path, METRIC))
    return out


def generate(args: argparse.Namespace, folder: Path) -> list[Source]:
    """Every file this run measures, written into ``folder``."""
    communes = _communes()
    sources = []
    for size in args.sizes or DEFAULT_SIZES:
        n = int(float(size))
        formats = [f for f in args.formats if f != "xlsx" or args.sizes or n <= XLSX_DEFAULT_MAX]
        for shape in args.shapes:
            start = time.perf_counter()
            frame, xy = _households(n, shape, communes, np.random.default_rng([n, SHAPES.index(shape)]))
            sources += _write_households(frame, xy, shape, formats, folder)
            print(f"generated {n:,} {shape} households ({', '.join(formats)}) in {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    zone_formats = [f for f in args.formats if f in ZONE_FORMATS]
    for shape in args.shapes if zone_formats and args.zones else []:
        zones = _zones(args.zones, shape, communes, np.random.default_rng([7, SHAPES.index(shape)]))
        sources += _write_zones(zones, shape, zone_formats, folder)
    return sources


# --------------------------------------------------------------------------- measured steps (child processes)
def _peak_mb() -> float:
    """This process's peak resident memory; not ru_maxrss, which a spawned child inherits from the forking parent."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def import_step(source: Source) -> tuple[float, int, int, float] | str:
    """``(seconds, good, rejected, peak MB)`` of the real import, or why this revision cannot import the file."""
    try:
        from geo.importer import commit, prepare
    except ModuleNotFoundError as exc:
        if exc.name != "geo.importer":
            raise
        return "this revision has no importer"
    from geo.workspace import Workspace
    try:
        from geo.safefiles import KINDS
    except ImportError:
        KINDS = tuple(SNIFFED.values())  # before file sniffing: every format was read by its extension
    if SNIFFED[source.fmt] not in KINDS:
        return f"this revision does not import {source.fmt}"
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        report = prepare(source.path, source.kind)
        commit(report, Workspace.create(Path(tmp) / "ws.gpkg"))
        seconds = time.perf_counter() - start
    return seconds, len(report.good), len(report.rejected), _peak_mb()


def baseline_step(source: Source) -> tuple[float, int, int, float]:
    """``(seconds, rows written, 0 rejected, peak MB)`` of a plain pyogrio read and write into a fresh GeoPackage."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        frame = pyogrio.read_dataframe(source.path)
        if source.fmt in ("csv", "xlsx"):  # a table: its coordinate columns become points
            lon, lat = ("Kinh độ", "Vĩ độ") if "Kinh độ" in frame else ("Y", "X")  # X holds the northing
            x, y = (pd.to_numeric(frame[c].astype(str).str.replace(",", ".", regex=False), errors="coerce")
                    for c in (lon, lat))
            frame = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(x, y), crs=source.crs)
        pyogrio.write_dataframe(frame, Path(tmp) / "out.gpkg", driver="GPKG")
        seconds = time.perf_counter() - start
    return seconds, len(frame), 0, _peak_mb()


def _in_child(step, source: Source):
    """``step(source)`` in a fresh interpreter: imports and peak memory of its own."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(step, source).result()


FAILED: list[str] = []  # imports that raised


def _measure_one(source: Source, repeat: int) -> list[Measure]:
    results: dict[str, list[tuple[float, int, int, float]]] = {}
    for method, step in (("import", import_step), ("pyogrio", baseline_step)):
        for _ in range(repeat):
            try:
                out = _in_child(step, source)
            except Exception as exc:  # reported; for an import, the exit code says so
                if method == "import":
                    FAILED.append(source.label)
                print(f"{source.label} {method} raised {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                traceback.print_exception(exc, limit=-3, file=sys.stderr)
                break
            if isinstance(out, str):
                print(f"{source.label}: skipped, {out}", file=sys.stderr, flush=True)
                break
            results.setdefault(method, []).append(out)
    seconds = {m: statistics.median(r[0] for r in runs) for m, runs in results.items()}
    measures = []
    for method, runs in results.items():
        step = f"{source.label} {method}"
        measures += [Measure(step, "s", seconds[method]), Measure(step, "rows/s", source.rows / seconds[method])]
        if method == "import" and "pyogrio" in seconds:
            measures.append(Measure(step, "x", seconds[method] / seconds["pyogrio"]))
        measures += [Measure(step, "MB", max(r[3] for r in runs)), Measure(step, "good", runs[-1][1])]
        if method == "import":
            measures.append(Measure(step, "rejected", runs[-1][2]))
    return measures


def measure(args: argparse.Namespace) -> list[Measure]:
    """Generate the files, then import each ``--repeat`` times and read and write it as often."""
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        sources = generate(args, Path(tmp))
        measures = []
        for source in sources:
            measures += _measure_one(source, args.repeat)
            print(f"{source.label}: done", file=sys.stderr, flush=True)
    return measures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", metavar="N",
                        help=f"households per file (default {' '.join(DEFAULT_SIZES)}; XLSX then only up to "
                             f"{XLSX_DEFAULT_MAX:.0e}, and at every size given here)")
    parser.add_argument("--zones", type=lambda v: int(float(v)), default=10_000, help="hazard zones per file (0: none)")
    parser.add_argument("--formats", nargs="+", choices=FORMATS, default=list(FORMATS))
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    run(parser, measure)
    if FAILED:
        sys.exit(f"the import raised on: {', '.join(FAILED)}")
