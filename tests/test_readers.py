"""Formats provincial offices use: MapInfo TAB and MIF/MID with TCVN3 text, KoboToolbox/ODK
exports, and VN-2000 .prj files without their datum shift.

Every fixture is built from the demo province and then written the way the office software
leaves it (TCVN3 bytes under a WindowsLatin1 charset, .prj files without TOWGS84); each test
imports it with :func:`geo.importer.prepare` and compares with the truth it was built from.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import pytest

from geo.crs import recognise_crs
from geo.dataset import load
from geo.encodings import encode_tcvn3
from geo.importer import prepare
from geo.readers import read_file


@pytest.fixture(scope="module")
def homes():
    """40 demo households across the province (EPSG:9210), with their commune and district names."""
    ds = load()
    sample = ds.households.sample(40, random_state=7).reset_index(drop=True)
    names = ds.communes(2020).set_index("ma_xa")
    return sample.assign(commune=sample["ma_xa"].map(names["name_vi"]),
                         district=sample["ma_xa"].map(names["district_vi"]))


def _zip(folder: Path, stem: str, suffixes: tuple[str, ...]) -> Path:
    archive = folder / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in suffixes:
            zf.write(folder / f"{stem}{suffix}", f"{stem}{suffix}")
    return archive


def _as_old_mapinfo(path: Path, texts: list[str], charset: str = "WindowsLatin1") -> None:
    """Rewrite a MapInfo table written by GDAL (UTF-8 text, charset Neutral) as an old install
    leaves it: its text in TCVN3 bytes, under ``charset``."""
    header = path.read_text(encoding="ascii").replace("Neutral", charset)
    path.write_text(header, encoding="ascii")
    if path.suffix == ".mif":
        mid = path.with_suffix(".mid")
        mid.write_bytes(encode_tcvn3(mid.read_text(encoding="utf-8")).encode("cp1252"))
        return
    dat = path.with_suffix(".dat")
    raw = dat.read_bytes()
    for text in sorted(set(texts), key=len, reverse=True):  # longest first: names hold other names
        # fixed-width fields: the shorter TCVN3 value is padded with NULs, as GDAL pads
        utf8, legacy = text.encode("utf-8"), encode_tcvn3(text).encode("cp1252")
        assert utf8 in raw
        raw = raw.replace(utf8, legacy.ljust(len(utf8), b"\0"))
    dat.write_bytes(raw)


def _household_table(homes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"MA_HO": homes["household_id"], "TEN_XA": homes["commune"], "TEN_HUYEN": homes["district"],
         "DAN_TOC": homes["ethnicity"], "SO_KHAU": homes["members"].astype(str)},
        geometry=homes.geometry, crs="EPSG:9210")


def _tab(folder: Path, homes: gpd.GeoDataFrame, charset: str = "WindowsLatin1", crs: str | None = "EPSG:9210") -> Path:
    table = _household_table(homes)
    path = folder / "ho_dan.tab"
    pyogrio.write_dataframe(table if crs else table.set_crs(None, allow_override=True), path, driver="MapInfo File")
    _as_old_mapinfo(path, [*homes["commune"], *homes["district"], *homes["ethnicity"]], charset)
    return path


def _check_households(report, homes: gpd.GeoDataFrame, tolerance: float = 1.0) -> pd.DataFrame:
    assert len(report.good) == len(homes) and report.rejected.empty, report.summary()
    good = report.good.set_index("household_id").loc[homes["household_id"]]
    assert good["ethnicity"].tolist() == homes["ethnicity"].tolist()  # "Tày", "H'Mông" back from TCVN3
    assert good["ma_xa"].tolist() == homes["ma_xa"].tolist()  # commune names matched after decoding
    distance = good.geometry.distance(homes.geometry.set_axis(good.index))
    assert distance.max() < tolerance, distance.max()
    return good


# ---------------------------------------------------------------- MapInfo


def test_zipped_tab_with_tcvn3_under_windows_latin1(tmp_path, homes):
    tab = _tab(tmp_path, homes)
    assert b"!charset WindowsLatin1" in tab.read_bytes()
    assert encode_tcvn3(homes["commune"].iloc[0]).encode("cp1252") in tab.with_suffix(".dat").read_bytes()
    archive = _zip(tmp_path, "ho_dan", (".tab", ".dat", ".map", ".id"))
    report = prepare(archive, "households", lang="en")
    _check_households(report, homes)  # within 1 m: GDAL's WGS 84 TM-3 read as VN-2000 (else about 224 m off)
    assert any("TCVN3" in note for note in report.notes)
    assert any("EPSG:9210" in note and "datum shift" in note for note in report.notes)


def test_tab_on_the_command_line_with_charset_neutral(tmp_path, homes):
    folder = tmp_path / "GIS"
    folder.mkdir()
    tab = _tab(folder, homes, charset="Neutral")
    assert b"!charset Neutral" in tab.read_bytes()
    report = prepare(tab, "households", lang="en")
    _check_households(report, homes)
    assert any("charset Neutral" in note for note in report.notes)


def test_tab_without_its_map_file_is_refused_by_prepare(tmp_path, homes):
    tab = _tab(tmp_path, homes)
    tab.with_suffix(".map").unlink()
    with pytest.raises(ValueError, match=r"ho_dan\.tab: has no ho_dan\.map beside it; put the \.tab, \.dat"):
        prepare(tab, "households", lang="en")


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_nonearth_tab_falls_back_to_the_coordinate_guess(tmp_path):
    homes = load().households.sample(300, random_state=4).reset_index(drop=True)
    names = load().communes(2020).set_index("ma_xa")
    homes = homes.assign(commune=homes["ma_xa"].map(names["name_vi"]), district=homes["ma_xa"].map(names["district_vi"]))
    tab = _tab(tmp_path, homes, crs=None)
    assert pyogrio.read_info(tab)["crs"].startswith('LOCAL_CS["Nonearth"')
    report = prepare(tab, "households", lang="en")
    _check_households(report, homes)
    assert any("places nothing on the earth" in note for note in report.notes)
    assert any("VN-2000 / TM-3 105-45 (EPSG:9210), X = easting" in note for note in report.notes)  # the guess


def test_zipped_mif_communes_with_tcvn3_names(tmp_path):
    communes = load().communes(2020).head(25).reset_index(drop=True)
    table = gpd.GeoDataFrame({"TEN_XA": communes["name_vi"], "TEN_HUYEN": communes["district_vi"]},
                             geometry=communes.geometry, crs="EPSG:9210")
    mif = tmp_path / "ranh_gioi_xa.mif"
    pyogrio.write_dataframe(table, mif, driver="MapInfo File")
    _as_old_mapinfo(mif, [])
    assert 'Charset "WindowsLatin1"' in mif.read_text(encoding="ascii")
    assert encode_tcvn3(communes["name_vi"].iloc[0]).encode("cp1252") in mif.with_suffix(".mid").read_bytes()
    report = prepare(_zip(tmp_path, "ranh_gioi_xa", (".mif", ".mid")), "communes")
    assert len(report.good) == 25 and report.rejected.empty, report.summary()
    good = report.good.set_index("ma_xa").loc[communes["ma_xa"]]
    assert good["name_vi"].tolist() == communes["name_vi"].tolist()
    assert abs(good.geometry.area.sum() - communes.geometry.area.sum()) < 1.0  # m², out of about 1e9
    assert good.geometry.centroid.distance(communes.geometry.centroid.set_axis(good.index)).max() < 1.0


def test_mif_coordsys_with_vn2000_custom_datum(tmp_path, homes):
    """MapInfo's own VN-2000 definition: datum 9999 with the seven parameters."""
    mif = tmp_path / "ho_dan.mif"
    pyogrio.write_dataframe(_household_table(homes), mif, driver="MapInfo File")
    custom = ('CoordSys Earth Projection 8, 9999, 28, -191.90441429, -39.30318279, -111.45032835, '
              '-0.00928836, 0.01975479, -0.00427372, 0.252906278, 0, "m", 105.75, 0, 0.9999, 500000, 0')
    mif.write_text(re.sub(r"CoordSys .*", custom, mif.read_text(encoding="utf-8")), encoding="utf-8")
    folder = tmp_path / "out"
    frame = read_file(mif, None, folder, notes := [], lang="en")
    assert frame.crs.to_epsg() == 9210 and len(frame) == 40
    assert any("EPSG:9210" in note for note in notes)
    _check_households(prepare(mif, "households", lang="en"), homes)


# ---------------------------------------------------------------- KoboToolbox / ODK

_KOBO_HEADER = ("start;end;group_hh/ma_ho;group_hh/chu_ho;group_hh/dan_toc;group_hh/so_khau;group_hh/ho_ngheo;"
                "group_hh/gps;group_hh/_gps_latitude;group_hh/_gps_longitude;group_hh/_gps_altitude;"
                "group_hh/_gps_precision;_id;_uuid;_submission_time;_index")


def _kobo_csv(folder: Path, homes: gpd.GeoDataFrame) -> Path:
    """A KoboToolbox legacy CSV export: ";" separators, quoted, group paths, geopoint in five columns."""
    lonlat = homes.geometry.to_crs(4326)
    lines = [";".join(f'"{c}"' for c in _KOBO_HEADER.split(";"))]
    for i, (home, point) in enumerate(zip(homes.itertuples(), lonlat)):
        lat, lon = f"{point.y:.7f}", f"{point.x:.7f}"
        gps = "" if i == 5 else f"{lat} {lon} 450.0 5.0"  # one household was saved without a location
        parts = ["", "", "", ""] if i == 5 else [lat, lon, "450.0", "5.0"]
        cells = ["2024-03-01T08:00:00.000+07:00", "2024-03-01T08:20:00.000+07:00", home.household_id,
                 "Nông Văn A", home.ethnicity, str(home.members), "có" if home.poor else "không", gps, *parts,
                 str(1000 + i), f"uuid-{i}", "2024-03-01T01:25:00", str(i + 1)]
        lines.append(";".join(f'"{c}"' for c in cells))
    path = folder / "ho_dan_kobo.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_kobo_csv_export_of_households(tmp_path, homes):
    report = prepare(_kobo_csv(tmp_path, homes), "households", lang="en")
    assert len(report.good) == 39, report.summary()
    assert report.rejected["row"].tolist() == [7]  # the household without a location, as row 7 of the file
    expected = homes.drop(index=5)
    good = report.good.set_index("household_id").loc[expected["household_id"]]
    assert good["ethnicity"].tolist() == expected["ethnicity"].tolist()
    assert good["members"].tolist() == expected["members"].tolist()
    assert good["poor"].tolist() == expected["poor"].tolist()  # "có" / "không"
    assert good.geometry.distance(expected.geometry.set_axis(good.index)).max() < 0.1  # 7 decimals of a degree
    assert any("'_gps_latitude' and '_gps_longitude' used as lat and lon" in note for note in report.notes)
    assert any("group paths dropped from 10 column names" in note for note in report.notes)
    # in Vietnamese, the two columns are named in a Vietnamese sentence (no English "and" inside it)
    notes = prepare(_kobo_csv(tmp_path, homes), "households", lang="vi").notes
    assert "cột điểm GPS '_gps_latitude' và '_gps_longitude' được dùng làm vĩ độ và kinh độ" in notes


def test_kobo_reader_keeps_meta_columns_and_splits_a_lone_geopoint(tmp_path):
    path = tmp_path / "kobo.csv"
    path.write_text("vi_tri/toa_do,ma_ho,_uuid,_submission_time,_index\n"
                    "22.6612 106.2523 450 5.0,H1,u-1,2024-03-01T01:25:00,1\n"
                    ",H2,u-2,2024-03-01T01:26:00,2\n"
                    "22.7 106.1,H3,u-3,2024-03-01T01:27:00,3\n", encoding="utf-8")
    notes: list[str] = []
    frame = read_file(path, None, tmp_path / "x", notes, lang="en")
    assert frame["lat"].tolist()[::2] == ["22.6612", "22.7"] and frame["lon"].tolist()[::2] == ["106.2523", "106.1"]
    assert frame[["lat", "lon"]].iloc[1].isna().all()
    assert frame["_uuid"].tolist() == ["u-1", "u-2", "u-3"] and frame["_index"].tolist() == ["1", "2", "3"]
    assert frame["_submission_time"].iloc[0] == "2024-03-01T01:25:00"
    assert "toa_do" in frame and "vi_tri/toa_do" not in frame  # group path dropped
    assert "geopoint column 'toa_do' split into lat and lon" in notes


def test_odk_central_parts_and_a_second_geopoint(tmp_path):
    path = tmp_path / "odk.csv"
    path.write_text("KEY,ma_ho,gps-Latitude,gps-Longitude,gps-Altitude,gps-Accuracy,diem_tdc\n"
                    "uuid:1,H1,22.6612,106.2523,450,5,22.7000 106.3000 0 0\n", encoding="utf-8")
    notes: list[str] = []
    frame = read_file(path, None, tmp_path / "x", notes, lang="en")
    assert frame[["lat", "lon"]].iloc[0].tolist() == ["22.6612", "106.2523"]
    assert notes == ["geopoint columns 'gps-Latitude' and 'gps-Longitude' used as lat and lon",
                     "other geopoints kept as they are: 'diem_tdc'"]


def test_a_table_with_its_own_latitude_keeps_it(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("ma_ho,Vĩ độ,Kinh độ,gps\nH1,22.5,106.5,22.6612 106.2523 450 5.0\n", encoding="utf-8")
    notes: list[str] = []
    frame = read_file(path, None, tmp_path / "x", notes, lang="en")
    assert "lat" not in frame and notes == ["geopoint 'gps' not used: the file has its own latitude/longitude columns"]


# ---------------------------------------------------------------- VN-2000 .prj variants


def _prj_tm(name: str, geogcs: str, datum: str, meridian: float, scale: float = 0.9999, spheroid: str = "WGS_1984") -> str:
    return (f'PROJCS["{name}",GEOGCS["{geogcs}",DATUM["{datum}",SPHEROID["{spheroid}",6378137.0,298.257223563]],'
            'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
            f'PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",{meridian}],'
            f'PARAMETER["Scale_Factor",{scale}],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]')


def _prj_geographic(name: str, datum: str) -> str:
    return (f'GEOGCS["{name}",DATUM["{datum}",SPHEROID["WGS 84",6378137,298.257223563]],'
            'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]]')


# (.prj text as ArcGIS, QGIS or MapInfo write it, the EPSG CRS it means)
PRJ_VARIANTS = {
    "arcgis tm-3 105-45": (_prj_tm("VN_2000_TM3_105_45", "GCS_VN_2000", "D_Vietnam_2000", 105.75), 9210),
    "arcgis tm-3, D_VN_2000": (_prj_tm("VN2000_KTT_105_45_mui_3", "GCS_VN_2000", "D_VN_2000", 105.75), 9210),
    "qgis tm-3 106-00": (_prj_tm("VN-2000 / TM-3 106-00", "VN-2000", "Vietnam_2000", 106.0), 9211),
    "vn-2000 name, wgs 84 datum, 106-15": (_prj_tm("VN-2000 TM3 106-15", "GCS_WGS_1984", "D_WGS_1984", 106.25), 9212),
    "mapinfo export tm-3 105-30": (_prj_tm("unnamed", "unnamed", "WGS_1984", 105.5, spheroid="WGS 84"), 9209),
    "tm-3 106-30, VN_2000 datum": (_prj_tm("TM3_10630", "GCS_VN2000", "VN_2000", 106.5), 9213),
    "utm 48n": (_prj_tm("VN_2000_UTM_Zone_48N", "GCS_VN_2000", "D_Vietnam_2000", 105.0, 0.9996), 3405),
    "utm 48n, VN-2000 datum name": (_prj_tm("UTM48", "VN-2000", "VN-2000", 105.0, 0.9996), 3405),
    "utm 49n": (_prj_tm("VN_2000_UTM_Zone_49N", "GCS_VN_2000", "D_Vietnam_2000", 111.0, 0.9996), 3406),
    "geographic arcgis": (_prj_geographic("GCS_VN_2000", "D_Vietnam_2000"), 4756),
    "geographic, vn-2000 name on wgs 84": (_prj_geographic("VN-2000", "WGS_1984"), 4756),
}


@pytest.mark.parametrize("variant", list(PRJ_VARIANTS))
def test_vn2000_prj_variants_keep_the_datum_shift(tmp_path, homes, variant):
    prj, epsg = PRJ_VARIANTS[variant]
    assert recognise_crs(prj).to_epsg() == epsg
    table = _household_table(homes).to_crs(epsg)  # the true coordinates in that system
    path = tmp_path / "ho_dan.shp"
    pyogrio.write_dataframe(table, path, encoding="utf-8")
    path.with_suffix(".prj").write_text(prj, encoding="ascii")
    report = prepare(_zip(tmp_path, "ho_dan", (".shp", ".shx", ".dbf", ".prj", ".cpg")), "households")
    _check_households(report, homes)  # within 1 m of the EPSG:9210 answer


def test_known_point_in_each_variant_within_a_metre_of_epsg_9210():
    """Coordinates of one point, read through each .prj, land within 1 m of the EPSG:9210 answer."""
    truth = (552_000.0, 2_508_000.0)
    for prj, epsg in PRJ_VARIANTS.values():
        x, y = pyproj.Transformer.from_crs(9210, epsg, always_xy=True).transform(*truth)
        back = pyproj.Transformer.from_crs(recognise_crs(prj), 9210, always_xy=True).transform(x, y)
        assert np.hypot(back[0] - truth[0], back[1] - truth[1]) < 1.0, prj
    # Read as it is, a VN-2000 name on the WGS 84 datum is about 224 m off: what the recognition prevents.
    prj = PRJ_VARIANTS["vn-2000 name, wgs 84 datum, 106-15"][0]
    x, y = pyproj.Transformer.from_crs(9210, 9212, always_xy=True).transform(*truth)
    raw = pyproj.Transformer.from_crs(pyproj.CRS(prj), 9210, always_xy=True).transform(x, y)
    assert 200 < np.hypot(raw[0] - truth[0], raw[1] - truth[1]) < 250


def test_projection_without_epsg_code_gets_the_vn2000_shift():
    """A TM-3 zone outside the EPSG list (central meridian 104°15') keeps its projection on VN-2000,
    whose shift to WGS 84 is the published TOWGS84 (rotations in the coordinate-frame convention)."""
    crs = recognise_crs(_prj_tm("VN2000_TM3_104_15", "GCS_VN_2000", "D_VN_2000", 104.25))
    assert crs.to_epsg() is None and crs.geodetic_crs.to_epsg() == 4756
    towgs84 = pyproj.CRS("+proj=tmerc +lat_0=0 +lon_0=104.25 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m "
                         "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278")
    ours = pyproj.Transformer.from_crs(crs, 4326, always_xy=True).transform(600_000, 2_500_000)
    published = pyproj.Transformer.from_crs(towgs84, 4326, always_xy=True).transform(600_000, 2_500_000)
    assert np.allclose(ours, published, atol=1e-7)  # about 1 cm


@pytest.mark.parametrize("crs, expected", [
    ("EPSG:32648", 32648),  # WGS 84 / UTM: a handheld GPS, left alone
    ("EPSG:4326", 4326),
    ("EPSG:9210", 9210),
    ("+proj=tmerc +lon_0=105.75 +k=0.9996 +x_0=500000 +ellps=WGS84 +units=m", None),  # not a TM-3 zone: left alone
    ("+proj=tmerc +lon_0=105.75 +k=0.9999 +x_0=500000 +ellps=krass +units=m", None),  # not the WGS 84 ellipsoid
])
def test_other_systems_are_left_as_they_are(crs, expected):
    assert recognise_crs(crs).to_epsg() == expected
    assert recognise_crs(crs).equals(pyproj.CRS(crs))


def test_recognised_crs_on_a_geopackage_adds_no_note(tmp_path, homes):
    path = tmp_path / "ho_dan.gpkg"
    _household_table(homes).to_file(path)
    notes: list[str] = []
    frame = read_file(path, None, tmp_path / "x", notes, lang="en")
    assert frame.crs.to_epsg() == 9210 and notes == []


def test_zip_with_two_mapinfo_layers_is_refused(tmp_path, homes):
    _tab(tmp_path, homes)
    shutil.copy(tmp_path / "ho_dan.tab", tmp_path / "ho_dan2.tab")
    for suffix in (".dat", ".map", ".id"):
        shutil.copy(tmp_path / f"ho_dan{suffix}", tmp_path / f"ho_dan2{suffix}")
    archive = tmp_path / "two.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(tmp_path.glob("ho_dan*")):
            zf.write(path, path.name)
    with pytest.raises(ValueError, match=r"two\.zip: holds 2 \.tab or \.mif files; put exactly one layer in the zip"):
        prepare(archive, "households", lang="en")


def test_an_unclosed_quote_is_one_line_naming_the_file_and_row(tmp_path):
    from geo.i18n import Refusal, message
    from geo.importer import prepare

    path = tmp_path / "ho_dan.csv"
    path.write_text('Mã hộ,Kinh độ,Vĩ độ\nA,106.2,22.6,"chưa đóng\nB,106.3,22.7\n', encoding="utf-8")
    with pytest.raises(Refusal) as error:
        prepare(path, "households")
    assert message(error.value, "en").startswith("ho_dan.csv: row 2 opens a double quote")
    assert "ParserError" not in str(error.value) and "tokenizing" not in str(error.value)
