"""Files laid out the way province offices hand them over, built from the demo province.

Each builder writes one file into a folder and returns its path and what a
correct import must find in it (counts and a sample), computed from how the
file was built, not from the importer. The geometry is the demo's (synthetic),
the names and codes are the real lists of every vintage.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.dataset import load
from geo.encodings import encode_tcvn3
from geo.text import name_key
from geo.units import before_2020, communes

#: Spellings offices use for the same name: old tone placement, "y" for "i".
_OLD_SPELLING = {"òa": "oà", "òe": "oè", "ủy": "uỷ", "ùy": "uỳ", "ũy": "uỹ", "ụy": "uỵ", "úy": "uý", "ĩ": "ỹ"}


def old_spelling(name: str) -> str:
    """``name`` as an office typing before 2017 would write it ("Hòa" -> "Hoà", "Sĩ" -> "Sỹ")."""
    for new, old in _OLD_SPELLING.items():
        name = name.replace(new, old)
    return name


@dataclass
class Expected:
    rows: int
    kept: int
    rejected: int
    warned: dict[str, int] = field(default_factory=dict)
    sample: dict = field(default_factory=dict)


def _strips(polygon, parts: int) -> list:
    """``polygon`` cut into ``parts`` vertical strips of equal width (each part non-empty)."""
    minx, miny, maxx, maxy = polygon.bounds
    edges = np.linspace(minx, maxx, parts + 1)
    return [shapely.make_valid(polygon.intersection(shapely.box(a, miny - 1, b, maxy + 1)))
            for a, b in zip(edges[:-1], edges[1:])]


def communes_before_2020(folder: Path) -> tuple[Path, Expected]:
    """The 199 communes of before 2020 as a zipped Shapefile, with the office's own codes.

    Names in TCVN3 with no .cpg (as an old MapInfo/ArcView export leaves them),
    the unit type in front of some ("Xã ", "TT "), old tone placement, the
    district in its own column, and codes "CB001".."CB199" that are not GSO
    codes. Each 2020 commune of the demo is cut into as many strips as it had
    units before 2020.
    """
    shapes = load().communes(2020).set_index("ma_xa")
    old = before_2020().sort_values(["new_ma_xa", "old_name"]).reset_index(drop=True)
    geoms = []
    for code, group in old.groupby("new_ma_xa", sort=True):
        geoms += _strips(shapes.loc[code, "geometry"], len(group))
    rng = np.random.default_rng(199)
    prefix = rng.choice(["", "Xã ", "xã "], size=len(old))
    prefix = np.where(old["old_type"] == "Thị trấn", "TT ", np.where(old["old_type"] == "Phường", "P. ", prefix))
    names = [p + old_spelling(n) for p, n in zip(prefix, old["old_name"])]
    from geo.text import loose_key

    typed = [3, 40, 120]  # typed without accents
    for i in typed:
        names[i] = loose_key(old.loc[i, "old_name"]).title()
    unnamed = [60, 150]  # a name no list has: matched by location, or kept as the office's own unit
    for i in unnamed:
        names[i] = "Khu vực chưa đặt tên"
    names = [encode_tcvn3(n) for n in names]
    frame = gpd.GeoDataFrame({"MA_DV": [f"CB{i + 1:03d}" for i in range(len(old))], "TEN_XA": names,
                              "HUYEN": [encode_tcvn3(d) for d in old["old_district"]],
                              "DIEN_TICH": [round(g.area / 1e6, 2) for g in geoms]},
                             geometry=geoms, crs="EPSG:9210")
    inner = folder / "shp"
    inner.mkdir()
    pyogrio.write_dataframe(frame, inner / "ranh_gioi_xa_2019.shp", encoding="latin1")
    (inner / "ranh_gioi_xa_2019.cpg").unlink(missing_ok=True)
    path = folder / "ranh_gioi_xa_2019.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in inner.iterdir():
            archive.write(member, member.name)
    centres = communes(2020).set_index("ma_xa")
    centre_points = gpd.GeoSeries(gpd.points_from_xy(centres["lon"], centres["lat"]), index=centres.index,
                                  crs=4326).to_crs(9210)
    holds = {i: [c for c, p in centre_points.items() if geoms[i].contains(p)] for i in unnamed}
    return path, Expected(rows=199, kept=199, rejected=0, sample={
        "typed": [old.loc[i, "new_ma_xa"] for i in typed], "unnamed_holds": holds,
        "codes": old["new_ma_xa"].tolist(), "Tân Việt": "01297"})


def register_with_old_names(folder: Path, n: int = 4790, seed: int = 2019) -> tuple[Path, Expected]:
    """A household register (CSV, ";" separated, Vietnamese headers, VN-2000 X/Y in survey order).

    Each household's commune column names the unit its point lies in, as
    written before 2020 for a third of those in merged units; a few name a
    neighbouring commune, a few a name in no list; three rows are truly bad
    (no coordinates, a point in Hà Giang, "không rõ" as X).
    """
    rng = np.random.default_rng(seed)
    shapes = load().communes(2020).reset_index(drop=True)
    pick = rng.integers(0, len(shapes), n)
    polys = shapes.geometry.values[pick]
    points = []
    for poly in polys:  # a point well inside its commune (not on a shared edge)
        inner = poly.buffer(-300)
        base = inner if not inner.is_empty else poly
        minx, miny, maxx, maxy = base.bounds
        while True:
            p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
            if base.contains(p):
                points.append(p)
                break
    codes = shapes["ma_xa"].to_numpy()[pick]
    names = shapes["name_vi"].to_numpy()[pick].astype(object)
    old = before_2020()
    current = set(communes(2020)["name_vi"].map(name_key))  # "Hồng Sĩ" is "Hồng Sỹ" of 2020: not an old name
    absorbed = old.loc[(old["change"] == "merged") & ~old["old_name"].map(name_key).isin(current)]
    old_of = absorbed.groupby("new_ma_xa")["old_name"].first()
    has_old = np.isin(codes, old_of.index.to_numpy())
    use_old = has_old & (rng.random(n) < 0.34)
    names[use_old] = old_of.reindex(codes[use_old]).to_numpy()
    # old names shared by several districts are written with their district, as registers do
    districts = shapes["district_vi"].to_numpy()[pick].astype(object)
    neighbour = ~use_old & (rng.random(n) < 0.02)
    other = (pick + 1) % len(shapes)
    names[neighbour] = shapes["name_vi"].to_numpy()[other[neighbour]]
    districts[neighbour] = shapes["district_vi"].to_numpy()[other[neighbour]]
    differs = neighbour & (shapes["ma_xa"].to_numpy()[other] != codes)
    unknown = ~use_old & ~neighbour & (rng.random(n) < 0.01)
    names[unknown] = "Thôn Bản Mới"
    x = np.array([p.y for p in points]).round(2).astype(object)  # survey order: X is the northing
    y = np.array([p.x for p in points]).round(2).astype(object)
    frame = pd.DataFrame({
        "STT": np.arange(1, n + 1), "Mã hộ": [f"HGD{i:05d}" for i in range(n)],
        "Họ tên chủ hộ": "Nông Văn A", "Dân tộc": rng.choice(["Tày", "Nùng", "H'Mông", "Dao", "Kinh"], n),
        "Số khẩu": rng.integers(1, 9, n), "Hộ nghèo": rng.choice(["Có", "Không", "x", ""], n),
        "Xã": names, "Huyện": districts, "X": x, "Y": y,
    })
    bad = [5, 17, 29]
    frame.loc[bad[0], ["X", "Y"]] = None
    frame.loc[bad[1], ["X", "Y"]] = [2524000.0, 440000.0]  # in Hà Giang, west of the province
    frame.loc[bad[2], "X"] = "không rõ"
    keep = np.ones(n, bool)
    keep[bad] = False
    path = folder / "so_ho_dan.csv"
    frame.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path, Expected(rows=n, kept=n - 3, rejected=3, warned={
        "commune_before_2020": int((use_old & keep).sum()),
        "commune_unknown": int((unknown & keep).sum()),
        "commune_differs": int((differs & keep).sum()),
    }, sample={"bad_rows": sorted(b + 2 for b in bad), "first_old": (frame.loc[np.flatnonzero(use_old & keep)[0], "Mã hộ"],
                                                                         codes[np.flatnonzero(use_old & keep)[0]])})


def _points_in_province(n: int, rng: np.random.Generator) -> list:
    """``n`` random points inside the demo province, drawn one by one (so a seed gives the same points)."""
    area = load().communes(2020).union_all()
    minx, miny, maxx, maxy = area.bounds
    points = []
    while len(points) < n:
        p = shapely.Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if area.contains(p):
            points.append(p)
    return points


def landslide_zoning_map(folder: Path, n: int = 600, seed: int = 18) -> tuple[Path, Expected]:
    """Zones as the national landslide zoning maps give them, in a GeoPackage with short column names.

    ``LoaiTT`` holds "Trượt lở đất đá" (and "Lũ quét", "Lũ ống" for some),
    ``CapNC`` the level in words ("Nguy cơ cao"...), ``CD_so`` the number.
    """
    rng = np.random.default_rng(seed)
    geoms = [p.buffer(rng.uniform(100, 600), quad_segs=4) for p in _points_in_province(n, rng)]
    words = np.array(["Trượt lở đất đá", "Lũ quét", "Lũ ống"], dtype=object)
    kinds = rng.choice(3, n, p=[0.58, 0.27, 0.15])
    level = rng.integers(1, 6, n)
    level_words = np.array(["", "Nguy cơ rất thấp", "Nguy cơ thấp", "Nguy cơ trung bình", "Nguy cơ cao",
                            "Nguy cơ rất cao"], dtype=object)
    frame = gpd.GeoDataFrame({"MaVung": [f"VN{i:04d}" for i in range(n)], "LoaiTT": words[kinds],
                              "CapNC": level_words[level], "CD_so": level}, geometry=geoms, crs="EPSG:9210")
    path = folder / "phan_vung_truot_lo.gpkg"
    pyogrio.write_dataframe(frame, path, layer="phan_vung")
    return path, Expected(rows=n, kept=n, rejected=0, sample={
        "landslide": int((kinds == 0).sum()), "level_5": int((level == 5).sum())})


def single_hazard_map(folder: Path, n: int = 120, seed: int = 7) -> tuple[Path, Expected]:
    """A landslide-only zoning map: no type column, "Cấp độ rủi ro" as "Cấp 3", one unknown level word."""
    rng = np.random.default_rng(seed)
    geoms = [p.buffer(400, quad_segs=4) for p in _points_in_province(n, rng)]
    level = rng.integers(1, 6, n)
    text = np.array([f"Cấp {v}" for v in level], dtype=object)
    text[:4] = "Chưa đánh giá"  # not a level: these four zones wait for the user's answer
    frame = gpd.GeoDataFrame({"ID": np.arange(n), "Cap_do_RR": text}, geometry=geoms, crs="EPSG:9210")
    path = folder / "truot_lo_huyen_bao_lam.geojson"
    pyogrio.write_dataframe(frame.to_crs(4326), path)
    return path, Expected(rows=n, kept=n - 4, rejected=4, sample={"unknown": "Chưa đánh giá"})


def zones_2025_units(folder: Path) -> tuple[Path, Expected]:
    """The 56 units from 1 July 2025 with GSO codes but names without accents (as a quick export writes)."""
    from geo.text import loose_key

    shapes = load().communes(2025)
    official = communes(2025).set_index("ma_xa")
    frame = gpd.GeoDataFrame({"ma_xa": shapes["ma_xa"].astype(int),
                              "ten": [loose_key(official.loc[c, "full_name_vi"]).title() for c in shapes["ma_xa"]]},
                             geometry=shapes.geometry.values, crs="EPSG:9210")
    path = folder / "don_vi_2025.geojson"
    pyogrio.write_dataframe(frame.to_crs(4326), path)
    return path, Expected(rows=len(frame), kept=len(frame), rejected=0)


def register_printed_form(folder: Path, n: int = 25, seed: int = 5) -> tuple[Path, Expected]:
    """A commune's list of households in danger, as printed for signature (XLSX).

    Title rows above the header, "STT" numbering the rows, VN-2000 "Tọa độ X"
    (northing) and "Tọa độ Y", no commune column, and a signature block under
    the table (its row names no household: it is listed, not imported).
    """
    import openpyxl

    rng = np.random.default_rng(seed)
    points = _points_in_province(n, rng)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["UBND XÃ NAM QUANG"])
    sheet.append(["DANH SÁCH HỘ DÂN CƯ TRÚ TẠI VÙNG NGUY CƠ SẠT LỞ ĐẤT, LŨ QUÉT"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên chủ hộ", "Mã hộ", "Dân tộc", "Số khẩu", "Tọa độ X", "Tọa độ Y", "Ghi chú"])
    for i, p in enumerate(points, start=1):
        sheet.append([i, f"Hoàng Văn {i}", f"NQ{i:03d}", rng.choice(["Dao", "Tày", "Mông"]), int(rng.integers(1, 9)),
                      round(p.y, 1), round(p.x, 1), ""])
    sheet.append([])
    sheet.append(["", "Người lập biểu", "", "", "", "", "", "Chủ tịch UBND xã"])
    path = folder / "ds_ho_nguy_co.xlsx"
    book.save(path)
    return path, Expected(rows=n + 1, kept=n, rejected=1, sample={
        "signature_row": n + 6, "first": ("NQ001", points[0].x, points[0].y)})
