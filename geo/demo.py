"""The demo province: a synthetic but realistic Cao Bằng, generated from a fixed seed.

Everything here is **demo data** ("Dữ liệu minh họa"), never official figures:

* commune polygons: a Voronoi tessellation of the official commune centres
  (``vietnamadminunits``), clipped to an outline made from the communes'
  official bounding boxes; 2025 units are unions of their 2020 communes;
* rivers (random walks), hazard zones that follow them (flash floods along
  the valleys, tube floods along steep side valleys, landslides on the slopes
  above), five levels each;
* about 1,700 villages and 120,000 households clustered in them, with
  ethnicity, members, poverty, a scattered-residence flag and a resettlement
  status, form and date; resettlement sites (two deliberately misplaced in a
  hazard zone, so that the site check has something to show);
* indicator values 2020-2025 for every target of the catalogue, per commune,
  village or the province, with some communes achieved, some on track, some
  behind and some missing.

``python -m geo demo`` rewrites :data:`DEMO_PATH` byte for byte identically.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.catalogue import load_catalogue
from geo.crs import METRIC_CRS, WGS84
from geo.hazards import flag_households
from geo.indicators import BASELINE_YEAR, TARGET_YEAR
from geo.resettlement import at_risk
from geo.units import PROVINCE_CODE, communes, crosswalk

__all__ = ["SEED", "N_HOUSEHOLDS", "DEMO_LABEL", "DEMO_PATH", "generate", "write"]

SEED = 20251
N_HOUSEHOLDS = 120_000
DEMO_LABEL = "Dữ liệu minh họa / Demo data"
DEMO_PATH = Path(__file__).resolve().parent.parent / "data" / "demo" / "caobang_demo.gpkg"
_YEARS = np.arange(BASELINE_YEAR, TARGET_YEAR + 1)
# GeoPackage stamps the time of writing into gpkg_contents; fix it for reproducible bytes.
_FIXED_DATE = "2025-12-31T00:00:00Z"

_ETHNIC = ("Tày", "Nùng", "H'Mông", "Dao", "Kinh", "Sán Chay", "Lô Lô", "Khác")
_LOWLAND = np.array([0.44, 0.34, 0.05, 0.07, 0.06, 0.02, 0.005, 0.015])
_HIGHLAND = np.array([0.25, 0.20, 0.27, 0.23, 0.02, 0.01, 0.01, 0.01])
_CITY = np.array([0.40, 0.22, 0.01, 0.02, 0.33, 0.005, 0.0, 0.015])
_HIGHLAND_DISTRICTS = ("042", "043", "045", "049")  # Bảo Lâm, Bảo Lạc, Hà Quảng, Nguyên Bình
_SYLLABLE_1 = ("Nà", "Khuổi", "Pác", "Bản", "Lũng", "Cốc", "Phiêng", "Pò", "Nặm", "Khau", "Thôm", "Slam", "Tổng", "Nà Mạ")
_SYLLABLE_2 = ("Pài", "Mòn", "Thin", "Rằng", "Lạn", "Đa", "Hoáng", "Vài", "Tềnh", "Sang", "Nưa", "Cáy", "Pẻn", "Luông", "Mạ", "Bó", "Ngần", "Súng")
_FAMILY = ("Nông", "Hoàng", "Lương", "Triệu", "Bế", "Lục", "Đàm", "Lý", "Ma", "Vi", "Sầm", "Lâm", "Giàng", "Vàng", "Nguyễn")
_GIVEN = ("Văn Páo", "Thị Mai", "Văn Sình", "Thị Nhàn", "Văn Hùng", "Thị Hoa", "Văn Dũng", "Seo Pử", "Thị Thu", "Văn Lềnh", "A Chá", "Thị Dín")


# --------------------------------------------------------------------------- geography
def _outline() -> shapely.Geometry:
    c = communes(2020)
    boxes = gpd.GeoSeries(shapely.box(c["minx"], c["miny"], c["maxx"], c["maxy"]), crs=WGS84).to_crs(METRIC_CRS)
    smooth = boxes.union_all().buffer(6000, quad_segs=16).buffer(-7500, quad_segs=16)
    parts = shapely.get_parts(smooth)
    largest = parts[np.argmax(shapely.area(parts))]
    return shapely.simplify(shapely.polygons(shapely.get_exterior_ring(largest)), 100)  # holes filled


def _communes(rng: np.random.Generator, outline: shapely.Geometry) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    c = communes(2020)
    lon, lat = c["lon"].to_numpy(float).copy(), c["lat"].to_numpy(float).copy()
    # Ten centres repeat (geocoding fell back to a shared place): move each copy to a
    # random spot inside its own official bounding box.
    repeated = pd.DataFrame({"lon": lon, "lat": lat}).duplicated(keep="first").to_numpy()
    lon[repeated] = rng.uniform(c["minx"], c["maxx"])[repeated]
    lat[repeated] = rng.uniform(c["miny"], c["maxy"])[repeated]
    centres = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=WGS84).to_crs(METRIC_CRS)
    centres = centres.where(centres.within(outline), centres.map(lambda p: shapely.ops.nearest_points(outline, p)[0]))
    cells = shapely.voronoi_polygons(shapely.multipoints(centres.values), extend_to=outline, ordered=True)
    polygons = shapely.intersection(np.asarray(shapely.get_parts(cells)), outline)
    cw = crosswalk().set_index("old_ma_xa")["new_ma_xa"]
    old = gpd.GeoDataFrame(
        c[["ma_xa", "name_vi", "type_vi", "full_name_vi", "ma_huyen", "district_vi"]].assign(
            ma_xa_2025=c["ma_xa"].map(cw).to_numpy()
        ),
        geometry=shapely.make_valid(polygons),
        crs=METRIC_CRS,
    )
    new_names = communes(2025).set_index("ma_xa")[["name_vi", "type_vi", "full_name_vi"]]
    new = old.dissolve("ma_xa_2025", as_index=False)[["ma_xa_2025", "geometry"]].rename(columns={"ma_xa_2025": "ma_xa"})
    new = new.join(new_names, on="ma_xa")[["ma_xa", "name_vi", "type_vi", "full_name_vi", "geometry"]]
    return old, new.sort_values("ma_xa", ignore_index=True)


def _walks(rng: np.random.Generator, starts: np.ndarray, steps: int, step_m: float, turn: float) -> np.ndarray:
    """Smooth random walks: array (n, steps + 1, 2) of coordinates."""
    heading = rng.uniform(0, 2 * np.pi, len(starts))[:, None] + np.cumsum(rng.normal(0, turn, (len(starts), steps)), axis=1)
    moves = np.stack([np.cos(heading), np.sin(heading)], axis=-1) * step_m
    return np.concatenate([starts[:, None, :], starts[:, None, :] + np.cumsum(moves, axis=1)], axis=1)


def _random_points(rng: np.random.Generator, area: shapely.Geometry, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = area.bounds
    shapely.prepare(area)
    found = np.empty((0, 2))
    while len(found) < n:
        xy = rng.uniform([minx, miny], [maxx, maxy], (4 * n, 2))
        found = np.vstack([found, xy[shapely.contains_xy(area, xy[:, 0], xy[:, 1])]])
    return found[:n]


def _rivers(rng: np.random.Generator, outline: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    main = _walks(rng, _random_points(rng, outline, 34), steps=70, step_m=450, turn=0.22)
    vertices = main[:, 5:-5].reshape(-1, 2)
    side_starts = vertices[rng.choice(len(vertices), 90, replace=False)]
    side = _walks(rng, side_starts, steps=12, step_m=220, turn=0.35)
    return main, side


def _rings(lines: shapely.Geometry, widths: np.ndarray) -> list[shapely.Geometry]:
    buffers = shapely.buffer(lines, widths, quad_segs=4)
    return [buffers[0]] + list(shapely.difference(buffers[1:], buffers[:-1]))


def _zones(rng: np.random.Generator, outline: shapely.Geometry, main: np.ndarray, side: np.ndarray) -> gpd.GeoDataFrame:
    types, levels, geoms = [], [], []
    # Flash floods: each 5 km reach of a main river gets a severity; levels fall off
    # in bands away from the channel.
    reaches = [main[i, j : j + 12] for i in range(len(main)) for j in range(0, main.shape[1] - 2, 11)]
    severity = rng.choice([2, 3, 4, 5], len(reaches), p=[0.2, 0.3, 0.3, 0.2])
    for reach, top in zip(reaches, severity):
        widths = 90 + 160 * np.arange(top) + rng.uniform(0, 40)
        for level, ring in zip(range(top, 0, -1), _rings(shapely.linestrings(reach), widths)):
            types.append("flash_flood"), levels.append(level), geoms.append(ring)
    # Tube floods: steep side valleys, a violent core and a lower-level margin.
    core = rng.choice([3, 4, 5], len(side), p=[0.3, 0.4, 0.3])
    for line, top in zip(shapely.linestrings(side), core):
        for level, ring in zip((top, 2), _rings(line, np.array([70.0, 220.0]) + rng.uniform(0, 30))):
            types.append("tube_flood"), levels.append(level), geoms.append(ring)
    # Landslides: irregular lobes on the slopes 200-1,400 m from the channels.
    lines = np.concatenate([main.reshape(-1, 2), side.reshape(-1, 2)])
    picks = lines[rng.choice(len(lines), 1800, replace=False)]
    offset = rng.uniform(200, 1400, len(picks))
    angle = rng.uniform(0, 2 * np.pi, len(picks))
    centre = picks + np.stack([np.cos(angle), np.sin(angle)], 1) * offset[:, None]
    t = np.linspace(0, 2 * np.pi, 25)[None, :]
    a, b = rng.uniform(150, 700, (2, len(centre), 1))
    theta = rng.uniform(0, np.pi, (len(centre), 1))
    wobble = 1 + 0.18 * np.sin(3 * t + rng.uniform(0, 6, (len(centre), 1))) + rng.normal(0, 0.04, (len(centre), 25))
    wobble[:, -1] = wobble[:, 0]
    x = centre[:, [0]] + wobble * (a * np.cos(t) * np.cos(theta) - b * np.sin(t) * np.sin(theta))
    y = centre[:, [1]] + wobble * (a * np.cos(t) * np.sin(theta) + b * np.sin(t) * np.cos(theta))
    lobes = shapely.make_valid(shapely.polygons(np.stack([x, y], -1)))
    types += ["landslide"] * len(lobes)
    levels += list(rng.choice([1, 2, 3, 4, 5], len(lobes), p=[0.15, 0.25, 0.27, 0.21, 0.12]))
    geoms += list(lobes)

    zones = gpd.GeoDataFrame({"hazard_type": types, "level": np.array(levels, "int8")}, geometry=geoms, crs=METRIC_CRS)
    zones["geometry"] = shapely.make_valid(shapely.intersection(zones.geometry.values, outline))
    zones = zones.loc[~zones.geometry.is_empty & zones.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
    zones = zones.reset_index(drop=True)
    zones.insert(0, "zone_id", [f"DEMO-Z{i:05d}" for i in range(len(zones))])
    zones["source"] = "demo"
    zones["version"] = 1
    return zones[["zone_id", "hazard_type", "level", "source", "version", "geometry"]]


def _villages(rng: np.random.Generator, old: gpd.GeoDataFrame, rivers: shapely.Geometry) -> gpd.GeoDataFrame:
    rows = []
    for code, poly in zip(old["ma_xa"], old.geometry):
        n = int(np.clip(round(poly.area / 1e6 / 4.5), 4, 24))
        candidates = _random_points(rng, poly, 8 * n)
        near = np.exp(-shapely.distance(rivers, shapely.points(candidates)) / 1500.0)
        pick = rng.choice(len(candidates), n, replace=False, p=near / near.sum())
        rows.append(pd.DataFrame({"ma_xa": code, "x": candidates[pick, 0], "y": candidates[pick, 1]}))
    table = pd.concat(rows, ignore_index=True)
    seq = table.groupby("ma_xa").cumcount() + 1
    table["village_id"] = table["ma_xa"] + "-" + seq.astype(str).str.zfill(2)
    names = rng.choice(_SYLLABLE_1, len(table)) + " " + rng.choice(_SYLLABLE_2, len(table))
    table["name_vi"] = names
    return gpd.GeoDataFrame(
        table[["village_id", "ma_xa", "name_vi"]], geometry=gpd.points_from_xy(table["x"], table["y"]), crs=METRIC_CRS
    )


# --------------------------------------------------------------------------- people
def _households(
    rng: np.random.Generator, old: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, n: int
) -> gpd.GeoDataFrame:
    area = old.geometry.area.to_numpy() / 1e6
    weight = np.sqrt(area) * rng.lognormal(0, 0.35, len(old))
    weight[old["type_vi"].isin(["Phường", "Thị trấn"]).to_numpy()] *= 3.0
    per_commune = rng.multinomial(n, weight / weight.sum())
    commune_idx = np.repeat(np.arange(len(old)), per_commune)

    # Each household joins a village of its commune, larger villages more likely.
    v_commune = old.reset_index().set_index("ma_xa").loc[villages["ma_xa"], "index"].to_numpy()
    v_weight = rng.lognormal(0, 0.5, len(villages))
    order = np.argsort(v_commune, kind="stable")
    cum = v_weight[order] / np.bincount(v_commune, v_weight, len(old))[v_commune[order]]
    cum = pd.Series(cum).groupby(v_commune[order]).cumsum().to_numpy()
    village_pos = _draw(cum, v_commune[order], commune_idx, rng.random(n))
    village_idx = order[village_pos]

    scatter_rate = rng.uniform(0.12, 0.45, len(old))
    scattered = rng.random(n) < scatter_rate[commune_idx]
    sigma = np.where(scattered, 1300.0, 180.0)
    vx, vy = villages.geometry.x.to_numpy()[village_idx], villages.geometry.y.to_numpy()[village_idx]
    x, y = vx.copy(), vy.copy()
    polys = old.geometry.values
    shapely.prepare(polys)
    todo = np.ones(n, bool)
    for _ in range(8):  # resample the few points that fell outside their commune
        k = np.flatnonzero(todo)
        x[k] = vx[k] + rng.normal(0, 1, len(k)) * sigma[k]
        y[k] = vy[k] + rng.normal(0, 1, len(k)) * sigma[k]
        todo[k] = ~shapely.contains_xy(polys[commune_idx[k]], x[k], y[k])
    x[todo], y[todo] = vx[todo], vy[todo]

    district = old["ma_huyen"].to_numpy()
    profile = np.where(np.isin(district, _HIGHLAND_DISTRICTS)[:, None], _HIGHLAND, _LOWLAND)
    profile[old["type_vi"].eq("Phường").to_numpy()] = _CITY
    mix = np.array([rng.dirichlet(30 * p + 0.01) for p in profile])
    k = len(_ETHNIC)
    slot = np.repeat(np.arange(len(old)), k)
    ethnic_pos = _draw(np.cumsum(mix, 1).ravel(), slot, commune_idx, rng.random(n))
    ethnicity = np.array(_ETHNIC, dtype=object)[ethnic_pos - commune_idx * k]

    codes = old["ma_xa"].to_numpy()
    seq = pd.Series(commune_idx).groupby(commune_idx).cumcount().to_numpy() + 1
    frame = gpd.GeoDataFrame(
        {
            "household_id": pd.Series(codes[commune_idx]) + "-" + pd.Series(seq).astype(str).str.zfill(5),
            "ma_xa": codes[commune_idx],
            "village_id": villages["village_id"].to_numpy()[village_idx],
            "ethnicity": ethnicity,
            "dtts": ethnicity != "Kinh",
            "members": np.clip(1 + rng.poisson(3.2, n), 1, 12).astype("int16"),
            "scattered": scattered,
        },
        geometry=gpd.points_from_xy(np.round(x, 1), np.round(y, 1)),
        crs=METRIC_CRS,
    )
    # About 0.3% of register entries name a neighbouring commune (a clerical error to report).
    wrong = rng.random(n) < 0.003
    centres = shapely.centroid(polys)
    source, nearest = shapely.STRtree(centres).query_nearest(centres, exclusive=True, all_matches=False)
    neighbour = np.empty(len(old), np.int64)
    neighbour[source] = nearest
    frame.loc[wrong, "ma_xa"] = codes[neighbour[commune_idx[wrong]]]
    return frame


def _draw(cum: np.ndarray, slice_of: np.ndarray, which: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse-CDF draws, each within one slice of a flat array of cumulative shares.

    ``cum`` holds, slice after slice (``slice_of`` sorted), cumulative shares that
    end at 1 in every slice; draw ``i`` uses slice ``which[i]`` and uniform ``u[i]``.
    Lifting slice ``k`` by ``2k`` lets one ``searchsorted`` serve every slice.
    """
    lifted = cum + 2.0 * slice_of
    pos = np.searchsorted(lifted, u + 2.0 * which, side="right")
    last = np.searchsorted(slice_of, which, side="right") - 1
    return np.minimum(pos, last)


def _people(rng: np.random.Generator, households: pd.DataFrame) -> pd.DataFrame:
    """Personal fields, kept in their own table (synthetic names and numbers)."""
    n = len(households)
    return pd.DataFrame(
        {
            "household_id": households["household_id"].to_numpy(),
            "head_name": rng.choice(_FAMILY, n) + " " + rng.choice(_GIVEN, n),
            "id_number": pd.Series(rng.integers(0, 10**9, n)).map(lambda v: f"004{v:09d}").to_numpy(),
        }
    )


def _resettlement(rng: np.random.Generator, households: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    flags = flag_households(households, zones)
    risk = at_risk(households, flags).to_numpy()
    n = len(households)
    commune, uniques = pd.factorize(households["ma_xa"])
    effort = rng.beta(2.4, 2.0, len(uniques))[commune]
    done = risk & (rng.random(n) < effort)
    form = rng.choice(["concentrated", "interspersed", "in_place"], n, p=[0.35, 0.3, 0.35])
    later = rng.choice(["planned", "moving", "not_planned"], n, p=[0.45, 0.15, 0.4])
    status = np.where(done, np.where(form == "in_place", "stabilised", "resettled"), np.where(risk, later, "not_planned"))
    watch = ~risk & (flags["max_level"].to_numpy() == 3) & households["dtts"].to_numpy() & (rng.random(n) < 0.03)
    status[watch] = "planned"
    year = rng.choice(np.arange(2021, 2026), n, p=[0.08, 0.14, 0.22, 0.28, 0.28])
    date = pd.to_datetime(pd.DataFrame({"year": year, "month": rng.integers(1, 13, n), "day": rng.integers(1, 29, n)}))
    planned = np.isin(status, ["planned", "moving"])
    out = households.copy()
    out["resettlement_status"] = status
    out["resettlement_form"] = np.where(done | planned, form, None)
    out["resettlement_date"] = date.where(done)
    return out


def _sites(rng: np.random.Generator, households: gpd.GeoDataFrame, villages: gpd.GeoDataFrame,
           old: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    movers = households["resettlement_form"].eq("concentrated").to_numpy()
    district = old.set_index("ma_xa")["ma_huyen"]
    # Candidate sites: villages in no zone of medium level or above, 300 m from the centre.
    unsafe = zones.loc[zones["level"] >= 3].geometry.values
    spots = villages.copy()
    spots["geometry"] = spots.geometry.translate(300, 150)
    safe = ~np.isin(np.arange(len(spots)), shapely.STRtree(unsafe).query(spots.geometry.values, predicate="intersects")[0])
    spots = spots.loc[safe & spots["ma_xa"].isin(old["ma_xa"])]
    spots["ma_huyen"] = spots["ma_xa"].map(district)
    wanted = pd.Series(households.loc[movers, "ma_xa"].map(district)).value_counts()
    picks = [
        spots.loc[spots["ma_huyen"] == d].sample(n=int(np.clip(count // 60 + 1, 2, 5)), random_state=rng)
        for d, count in wanted.sort_index().items()
    ]
    sites = gpd.GeoDataFrame(pd.concat(picks, ignore_index=True), crs=METRIC_CRS)
    # Two sites were surveyed badly and sit in a high hazard zone: the check must catch them.
    high = zones.loc[zones["level"] >= 4].geometry.values
    for i in (0, len(sites) // 2):
        sites.loc[i, "geometry"] = shapely.point_on_surface(high[rng.integers(len(high))])
    sites["site_id"] = [f"DEMO-TDC-{i + 1:02d}" for i in range(len(sites))]
    sites["name_vi"] = "Điểm tái định cư " + sites["name_vi"]
    sites["form"] = "concentrated"
    nearest = shapely.STRtree(sites.geometry.values).query_nearest(households.geometry.values[movers], all_matches=False)[1]
    out = households.copy()
    out["site_id"] = None
    out.loc[movers, "site_id"] = sites["site_id"].to_numpy()[nearest]
    sites["capacity"] = (np.ceil(np.bincount(nearest, minlength=len(sites)) * 1.25 / 10) * 10 + 20).astype(int)
    return sites[["site_id", "name_vi", "form", "capacity", "ma_xa", "geometry"]], out


# --------------------------------------------------------------------------- indicators
# Demo baselines (2020) and denominators of the share indicators: id → (low, high,
# denominator per person or a fixed range). Values are plausible, not official.
_SHARES = {
    "4": (35, 80, ("fixed", 15, 80)),
    "6": (60, 96, ("fixed", 5, 22)),
    "7": (86, 99.5, ("households",)),
    "8": (70, 93, ("persons", 1.0)),
    "9": (84, 99, ("households",)),
    "11": (20, 70, ("fixed", 0, 25)),
    "13": (30, 70, ("fixed", 5, 120)),
    "14a": (93, 99, ("persons", 0.018)),
    "14b": (94, 99.5, ("persons", 0.09)),
    "14c": (88, 97, ("persons", 0.07)),
    "14d": (35, 65, ("persons", 0.06)),
    "15": (75, 95, ("persons", 0.75)),
    "17": (92, 99.6, ("persons", 1.0)),
    "18": (55, 86, ("persons", 0.015)),
    "19": (14, 28, ("persons", 0.08)),
    "21": (20, 45, ("persons", 0.6)),
}
_YES_NO = {"5": 0.82, "23": 0.60, "24": 0.30}  # share of units with "yes" in 2020
_QUALITATIVE = {"10": [1, 1, 1, 1, 2, 2], "16": [1, 1, 1, 1, 1, 1], "22": [0, 1, 1, 1, 1, 2]}


def _paths(rng: np.random.Generator, base: np.ndarray, goal: np.ndarray, spread: float = 0.35) -> np.ndarray:
    """Values for 2020-2025 moving from ``base`` towards ``goal`` at unit-specific speed."""
    speed = rng.lognormal(0.0, spread, len(base))[:, None]
    frac = (_YEARS[None, :] - 2020) / 5.0
    wiggle = rng.normal(0, 0.04, (len(base), len(_YEARS)))
    wiggle[:, 0] = 0
    return base[:, None] + (goal - base)[:, None] * np.clip(frac * speed + wiggle * frac, 0, None)


def _long(unit: np.ndarray, indicator: str, level: str, num: np.ndarray, den: np.ndarray | None = None,
          ref_num: np.ndarray | None = None, ref_den: np.ndarray | None = None) -> pd.DataFrame:
    n = len(unit)
    full = lambda a: np.full((n, len(_YEARS)), np.nan) if a is None else np.broadcast_to(np.asarray(a, float).reshape(n, -1), (n, len(_YEARS)))
    return pd.DataFrame(
        {
            "level": level,
            "unit_code": np.repeat(unit, len(_YEARS)),
            "indicator_id": indicator,
            "year": np.tile(_YEARS, n),
            "numerator": full(num).ravel(),
            "denominator": full(den).ravel(),
            "ref_numerator": full(ref_num).ravel(),
            "ref_denominator": full(ref_den).ravel(),
        }
    )


def _switch_years(rng: np.random.Generator, n: int, start_yes: float, p_by_2025: float) -> np.ndarray:
    """1/0 per unit and year: 'yes' from a random year (units already 'yes' in 2020 stay)."""
    first = np.where(rng.random(n) < start_yes, 2020, np.where(rng.random(n) < p_by_2025, rng.integers(2021, 2026, n), 2099))
    return (_YEARS[None, :] >= first[:, None]).astype(float)


def _indicator_values(rng: np.random.Generator, old: gpd.GeoDataFrame, villages: gpd.GeoDataFrame,
                      households: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.DataFrame:
    catalogue = load_catalogue()
    codes = old["ma_xa"].to_numpy()
    n = len(codes)
    by_commune = households.groupby("ma_xa")
    homes = by_commune.size().reindex(codes, fill_value=0).to_numpy(float)
    persons = by_commune["members"].sum().reindex(codes, fill_value=0).to_numpy(float)
    dtts_share = by_commune["dtts"].mean().reindex(codes, fill_value=0).to_numpy(float)
    parts = []

    for ind_id, (low, high, den_spec) in _SHARES.items():
        ind = catalogue[ind_id]
        if den_spec[0] == "households":
            den = homes
        elif den_spec[0] == "persons":
            den = np.maximum(np.round(persons * den_spec[1]), 1)
        else:
            den = rng.integers(den_spec[1], den_spec[2] + 1, n).astype(float)
        base = rng.uniform(low, high, n)
        goal = np.full(n, ind.target + (0.8 if ind.direction == "higher" else -1.5))
        share = np.clip(_paths(rng, base, goal), 0, 100)
        parts.append(_long(codes, ind_id, "commune", np.round(share / 100 * den[:, None]), den))

    # 1: income doubles (million VND per person per year).
    base = rng.uniform(12, 28, n)
    income = _paths(rng, base, base * 2.15, spread=0.3)
    parts.append(_long(codes, "1", "commune", np.round(income * persons[:, None], 1), persons))
    # 2: poverty rate falls by about 4 points a year.
    base = rng.uniform(15, 65, n)
    poverty = np.clip(_paths(rng, base, np.maximum(base - 21, 1.0)), 0.5, 100)
    parts.append(_long(codes, "2", "commune", np.round(poverty / 100 * homes[:, None]), homes))
    # 3a/3b: units on the extremely-difficult list (1) and leaving it (0).
    listed = (rng.random(n) < 0.35) | np.isin(old["ma_huyen"].to_numpy(), _HIGHLAND_DISTRICTS)
    on_list = listed[:, None] * (1 - _switch_years(rng, n, 0.0, 0.64))
    parts.append(_long(codes, "3a", "commune", on_list))
    v_codes = villages["village_id"].to_numpy()
    v_listed = rng.random(len(v_codes)) < 0.18
    parts.append(_long(v_codes, "3b", "village", v_listed[:, None] * (1 - _switch_years(rng, len(v_codes), 0.0, 0.085))))
    # 5 (communes), 23 and 24 (villages): yes/no per unit, a share of units upward.
    parts.append(_long(codes, "5", "commune", _switch_years(rng, n, _YES_NO["5"], 0.8), np.ones(n)))
    for ind_id in ("23", "24"):
        yes = _switch_years(rng, len(v_codes), _YES_NO[ind_id], 0.45 if ind_id == "23" else 0.3)
        parts.append(_long(v_codes, ind_id, "village", yes, np.ones(len(v_codes))))
    # 12: straight from the households (share of at-risk households resettled by year).
    flags = flag_households(households, zones)
    risk = at_risk(households, flags).to_numpy()
    date = pd.to_datetime(households["resettlement_date"])
    done_year = np.where(households["resettlement_status"].isin(["resettled", "stabilised"]), date.dt.year, 9999)
    frame = pd.DataFrame({"ma_xa": households["ma_xa"], "risk": risk, "year": done_year})
    risk_n = frame.groupby("ma_xa")["risk"].sum().reindex(codes, fill_value=0).to_numpy(float)
    done = np.stack([frame.loc[frame["risk"] & (frame["year"] <= y)].groupby("ma_xa").size().reindex(codes, fill_value=0) for y in _YEARS], 1)
    parts.append(_long(codes, "12", "commune", done.astype(float), risk_n))
    # 20a/20b: child and consanguineous marriages, counts falling where they exist.
    for ind_id, top, zero in (("20a", 12, 0.35), ("20b", 5, 0.6)):
        base = np.where(rng.random(n) < zero, 0, rng.integers(1, top + 1, n)).astype(float)
        rate = catalogue[ind_id].target / 100
        couples = np.round(base[:, None] * (1 - rate * rng.lognormal(0, 0.5, n)[:, None]) ** (_YEARS - 2020))
        parts.append(_long(codes, ind_id, "commune", np.clip(couples, 0, None)))
    # 25: ethnic-minority share of cadres against the share of the population.
    cadres = rng.integers(15, 60, n).astype(float)
    pop = np.round(dtts_share * persons)
    cadre_share = _paths(rng, np.clip(dtts_share * 100 - rng.uniform(0, 22, n), 0, 100), dtts_share * 100 + 1)
    parts.append(_long(codes, "25", "commune", np.round(np.clip(cadre_share, 0, 100) / 100 * cadres[:, None]), cadres,
                       pop[:, None] * np.ones(len(_YEARS)), persons))
    for ind_id, levels in _QUALITATIVE.items():
        parts.append(_long(np.array([PROVINCE_CODE]), ind_id, "province", np.array([levels], float)))

    values = pd.concat(parts, ignore_index=True)
    # Gaps as in real reporting: some communes never report an indicator, some years are late.
    # Counts (couples, units on the ĐBKK list) are kept complete: a province total
    # of counts with a gap is "no data", which would hide what the demo is for.
    # Target 12 comes from the household register itself, which has no gaps.
    counted = values["indicator_id"].map({k: v.aggregate in ("sum", "leaving", "min") or k == "12"
                                          for k, v in catalogue.items()})
    series = values.loc[~counted, ["unit_code", "indicator_id"]].drop_duplicates()
    silent = series.sample(frac=0.03, random_state=rng)
    values = values.merge(silent.assign(silent=True), how="left", on=["unit_code", "indicator_id"])
    late = (rng.random(len(values)) < 0.02) & (values["year"] > 2020) & ~counted.to_numpy()
    values = values.loc[values["silent"].isna() & ~late].drop(columns="silent")
    values["source"] = "demo"
    return values.sort_values(["level", "indicator_id", "unit_code", "year"], ignore_index=True)


# --------------------------------------------------------------------------- assembly
def generate(seed: int = SEED, n_households: int = N_HOUSEHOLDS) -> dict[str, pd.DataFrame]:
    """Generate the demo province.

    Returns
    -------
    dict of DataFrame
        Layers ``communes_2020``, ``communes_2025``, ``villages``,
        ``households``, ``household_people``, ``hazard_zones``, ``sites``,
        ``indicator_values`` and ``metadata`` (geometries in EPSG:9210).
    """
    rng = np.random.default_rng(seed)
    outline = _outline()
    old, new = _communes(rng, outline)
    main, side = _rivers(rng, outline)
    rivers = shapely.multilinestrings(list(shapely.linestrings(main)) + list(shapely.linestrings(side)))
    zones = _zones(rng, outline, main, side)
    villages = _villages(rng, old, rivers)
    households = _households(rng, old, villages, n_households)
    households = _resettlement(rng, households, zones)
    sites, households = _sites(rng, households, villages, old, zones)
    values = _indicator_values(rng, old, villages, households, zones)
    households["poor"] = rng.random(len(households)) < _poverty_2025(values, households)
    people = _people(rng, households)
    columns = ["household_id", "ma_xa", "village_id", "ethnicity", "dtts", "members", "poor", "scattered",
               "resettlement_status", "resettlement_form", "resettlement_date", "site_id", "geometry"]
    metadata = pd.DataFrame(
        {
            "key": ["demo", "label", "seed", "households", "crs", "source", "note"],
            "value": [
                "true", DEMO_LABEL, str(seed), str(len(households)), METRIC_CRS,
                "geo.demo (synthetic); commune centres and codes from vietnamadminunits (GSO)",
                "Synthetic data for demonstration and testing. Not official figures. "
                "Số liệu tổng hợp để minh họa, không phải số liệu chính thức.",
            ],
        }
    )
    return {
        "communes_2020": old,
        "communes_2025": new,
        "villages": villages,
        "households": households[columns],
        "household_people": people,
        "hazard_zones": zones,
        "sites": sites,
        "indicator_values": values,
        "metadata": metadata,
    }


def _poverty_2025(values: pd.DataFrame, households: pd.DataFrame) -> np.ndarray:
    rows = values.loc[(values["indicator_id"] == "2") & (values["year"] == 2025)]
    rate = (rows["numerator"] / rows["denominator"]).set_axis(rows["unit_code"])
    return households["ma_xa"].map(rate).fillna(rate.mean()).to_numpy()


def write(layers: dict[str, pd.DataFrame], path: str | Path = DEMO_PATH) -> Path:
    """Write the layers to a GeoPackage, replacing it, with reproducible bytes."""
    import pyogrio

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    previous = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = _FIXED_DATE
    try:
        for name, frame in layers.items():
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
    finally:
        if previous is None:
            os.environ.pop("OGR_CURRENT_DATE")
        else:
            os.environ["OGR_CURRENT_DATE"] = previous
    tmp.replace(path)
    return path
