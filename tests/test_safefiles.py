"""Hostile and broken input files are refused before GDAL/pandas read them.

Every fixture is built in ``tmp_path``; every refusal must name the file.
"""

from __future__ import annotations

import sqlite3
import stat
import struct
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import LineString, Point

from geo import safefiles
from geo.i18n import message
from geo.safefiles import (
    KINDS,
    LIMITS,
    UnsafeFileError,
    check_file,
    check_gpkg,
    check_xml,
    safe_extract,
    sniff,
)

KML_NS = "http://www.opengis.net/kml/2.2"
VALID_KML = f"""<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="{KML_NS}">
  <Document>
    <Placemark><name>Hòa An</name><Point><coordinates>106.25,22.66</coordinates></Point></Placemark>
    <Placemark><name>Nguyên Bình</name><Point><coordinates>105.95,22.65</coordinates></Point></Placemark>
  </Document>
</kml>
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE kml [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>&lol9;</name></Document></kml>
"""


# ---------------------------------------------------------------- fixtures


def _points() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ma_xa": ["01273", "01279"], "ten": ["Hòa An", "Nguyên Bình"]},
        geometry=[Point(106.25, 22.66), Point(105.95, 22.65)],
        crs="EPSG:4326",
    )


def _shapefile_zip(tmp_path: Path, name: str = "roads.zip", skip: str | None = None) -> Path:
    folder = tmp_path / "shp_src"
    folder.mkdir(exist_ok=True)
    gdf = gpd.GeoDataFrame(
        {"ten": ["QL3", "QL4A"]},
        geometry=[LineString([(106.2, 22.6), (106.3, 22.7)]), LineString([(106.0, 22.5), (106.1, 22.6)])],
        crs="EPSG:4326",
    )
    gdf.to_file(folder / "roads.shp")
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.iterdir()):
            if part.suffix != skip:
                zf.write(part, f"roads/{part.name}")
    return path


def _zip(path: Path, members: dict[str, bytes | str], compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _gpkg(tmp_path: Path, name: str = "communes.gpkg") -> Path:
    path = tmp_path / name
    big = pd.concat([_points()] * 500, ignore_index=True)  # several pages, so halving cuts real data
    gpd.GeoDataFrame(big, crs="EPSG:4326").to_file(path, driver="GPKG")
    return path


def _refused(excinfo: pytest.ExceptionInfo[UnsafeFileError], name: str) -> str:
    message = str(excinfo.value)
    assert name in message, message
    assert "\n" not in message
    assert excinfo.value.filename == name
    return message


def _nothing_in(folder: Path) -> bool:
    return not folder.exists() or not any(folder.rglob("*"))


# ---------------------------------------------------------------- safe_extract


def test_zip_with_dotdot_member_is_refused_and_writes_nothing(tmp_path):
    dest = tmp_path / "a" / "b"
    zpath = _zip(tmp_path / "evil.zip", {"ok.txt": "fine", "../evil.txt": "pwned", "../../evil2.txt": "pwned"})
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, dest)
    assert "outside" in _refused(excinfo, "evil.zip")
    assert not (tmp_path / "a" / "evil.txt").exists()
    assert not (tmp_path / "evil2.txt").exists()
    assert _nothing_in(dest)


def test_zip_with_absolute_member_is_refused_and_writes_nothing(tmp_path):
    target = tmp_path / "abs_evil.txt"
    dest = tmp_path / "out"
    zpath = _zip(tmp_path / "abs.zip", {str(target): "pwned"})
    assert zipfile.ZipFile(zpath).namelist() == [str(target)]  # the absolute name really is in the zip
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, dest)
    assert "absolute" in _refused(excinfo, "abs.zip")
    assert not target.exists()
    assert _nothing_in(dest)


@pytest.mark.parametrize(
    ("member", "words"),
    [("C:/Windows/evil.txt", "drive letter"), ("..\\evil.txt", "outside"), ("d/..\\..\\evil.txt", "outside")],
)
def test_windows_style_escapes_are_refused(tmp_path, member, words):
    zpath = _zip(tmp_path / "win.zip", {member: "pwned"})
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    assert words in _refused(excinfo, "win.zip")
    assert not (tmp_path / "evil.txt").exists()


def test_symlink_member_is_refused(tmp_path):
    zpath = tmp_path / "link.zip"
    info = zipfile.ZipInfo("roads/link.shp")
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    assert "symbolic link" in _refused(excinfo, "link.zip")
    assert _nothing_in(tmp_path / "out")


def test_password_protected_member_is_refused(tmp_path):
    zpath = tmp_path / "locked.zip"
    _zip(zpath, {"roads.shp": b"not really encrypted"})
    raw = bytearray(zpath.read_bytes())  # zipfile cannot encrypt: set the "encrypted" flag by hand
    raw[raw.find(b"PK\x03\x04") + 6] |= 0x1
    raw[raw.find(b"PK\x01\x02") + 8] |= 0x1
    zpath.write_bytes(bytes(raw))
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    assert "password" in _refused(excinfo, "locked.zip")


def test_zip_bomb_is_refused_quickly(tmp_path):
    zpath = tmp_path / "bomb.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("roads.shp", "w", force_zip64=False) as member:
            zero = bytes(2**20)
            for _ in range(50):
                member.write(zero)
        zf.writestr("roads.shx", b"x")
        zf.writestr("roads.dbf", b"x")
    assert zpath.stat().st_size < 2**20
    start = time.perf_counter()
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    assert time.perf_counter() - start < 1.0  # refused from the directory, before decompressing
    assert "zip bomb" in _refused(excinfo, "bomb.zip")
    assert _nothing_in(tmp_path / "out")
    # check_file refuses it too, without extracting
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(zpath)
    assert "zip bomb" in _refused(excinfo, "bomb.zip")


def test_total_unzipped_size_limit(tmp_path):
    zpath = _shapefile_zip(tmp_path)
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out", limits={"max_unzipped_bytes": 500})
    assert "would unzip to" in _refused(excinfo, "roads.zip")
    assert _nothing_in(tmp_path / "out")


def _zeros_zip(path: Path, count: int, size: int = 2**20) -> Path:
    """A Shapefile zip of ``count`` members of ``size`` zero bytes, deflated once and written by hand (fast)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(bytes(size)) + packer.flush()
    crc = zlib.crc32(bytes(size))
    names = ["roads.shp", "roads.shx", "roads.dbf"] + [f"roads_{i:04d}.csv" for i in range(count - 3)]
    body, central = bytearray(), bytearray()
    for name in map(str.encode, names):
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(data), size, len(name), 0)
        body += name + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(data), size,
                               len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(names), len(names), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + end))
    with zipfile.ZipFile(path) as zf:
        assert zf.read("roads.shx") == bytes(size)  # a real zip
    return path


def test_many_members_each_under_the_ratio_floor_are_refused_as_a_whole(tmp_path):
    # 1,000 members of 1 MiB of zeros: about 1 MB of zip that passes every per-member check.
    zpath = _zeros_zip(tmp_path / "many.zip", 1000)
    assert zpath.stat().st_size < 2 * 2**20
    for refuse in (lambda: check_file(zpath), lambda: safe_extract(zpath, tmp_path / "out")):
        with pytest.raises(UnsafeFileError) as excinfo:
            refuse()
        _refused(excinfo, "many.zip")
        english, vietnamese = message(excinfo.value, "en"), message(excinfo.value, "vi")
        assert english.startswith("many.zip: would unzip to 1,000.0 MB from ")
        assert "more than 100× its size, like a zip bomb; upload the original data, zipped normally" in english
        assert vietnamese.startswith("many.zip: sẽ giải nén thành 1.000,0 MB từ ") and "bom zip" in vietnamese
        assert str(excinfo.value) == vietnamese and "\n" not in english
    assert _nothing_in(tmp_path / "out")
    # The ratio is a limit like the others; under 1 MiB in all, any ratio is harmless; a
    # Shapefile zip expands far less than 100×.
    assert check_file(zpath, limits={"max_ratio": 2000}) == "shapefile_zip"
    assert check_file(_zeros_zip(tmp_path / "small.zip", 4, 2**18)) == "shapefile_zip"
    assert check_file(_shapefile_zip(tmp_path)) == "shapefile_zip"


def test_whole_zip_ratio_is_measured_against_the_file_size(tmp_path):
    # A directory claiming each member is stored (compressed size = size) cannot hide that the
    # zip file itself is about 1 MB: the expanded size is limited in proportion to the upload.
    zpath = _zeros_zip(tmp_path / "claims.zip", 300)
    raw = bytearray(zpath.read_bytes())
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        struct.pack_into("<I", raw, at + 20, 2**20)  # compressed size in the central directory
        at = raw.find(b"PK\x01\x02", at + 4)
    zpath.write_bytes(bytes(raw))
    with zipfile.ZipFile(zpath) as zf:
        assert all(info.compress_size == info.file_size for info in zf.infolist())
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    assert "like a zip bomb" in message(excinfo.value, "en")
    assert _nothing_in(tmp_path / "out")


def test_lying_header_is_caught_while_streaming(tmp_path):
    # The central directory claims the member is 10 bytes; the data inflates to 1 MB.
    zpath = _zip(tmp_path / "liar.zip", {"data.csv": b"a,b\n" * 2**18})
    raw = bytearray(zpath.read_bytes())
    central = raw.find(b"PK\x01\x02")
    local = raw.find(b"PK\x03\x04")
    struct.pack_into("<I", raw, central + 24, 10)
    struct.pack_into("<I", raw, local + 22, 10)
    zpath.write_bytes(bytes(raw))
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    _refused(excinfo, "liar.zip")
    assert _nothing_in(tmp_path / "out")


def test_running_count_enforces_total_limit(tmp_path, monkeypatch):
    # Bypass the directory check to prove the streaming count stops extraction on its own.
    zpath = _zip(tmp_path / "big.zip", {"a.csv": b"x" * 5000, "b.csv": b"y" * 5000}, zipfile.ZIP_STORED)
    monkeypatch.setattr(safefiles, "_CHUNK", 1024)
    real_inspect = safefiles._inspect_zip
    monkeypatch.setattr(
        safefiles, "_inspect_zip", lambda zf, label, lim, **kw: real_inspect(zf, label, LIMITS, **kw)
    )
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out", limits={"max_unzipped_bytes": 6000})
    assert "unzips to more than" in _refused(excinfo, "big.zip")
    assert _nothing_in(tmp_path / "out")


def test_too_many_members_is_refused(tmp_path):
    zpath = _zip(tmp_path / "many.zip", {f"f{i}.txt": "x" for i in range(20)})
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out", limits={"max_members": 10})
    assert "20 entries" in _refused(excinfo, "many.zip")


def test_nested_zip_is_refused(tmp_path):
    inner = _shapefile_zip(tmp_path, "inner.zip")
    outer = _zip(tmp_path / "outer.zip", {"data/inner.zip": inner.read_bytes()})
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(outer, tmp_path / "out")
    assert "another zip" in _refused(excinfo, "outer.zip")
    assert _nothing_in(tmp_path / "out")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(outer)
    assert "another zip" in _refused(excinfo, "outer.zip")


def test_nested_zip_under_another_name_is_refused_by_content(tmp_path):
    inner = _shapefile_zip(tmp_path, "inner.zip")
    outer = _zip(tmp_path / "sneaky.zip", {"roads.shp": inner.read_bytes(), "roads.dbf": b"x"})
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(outer, tmp_path / "out")
    assert "another zip" in _refused(excinfo, "sneaky.zip")
    assert _nothing_in(tmp_path / "out")


def test_duplicate_members_are_refused(tmp_path):
    zpath = tmp_path / "dup.zip"
    with pytest.warns(UserWarning), zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("roads.dbf", "one")
        zf.writestr("roads.dbf", "two")
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    assert "twice" in _refused(excinfo, "dup.zip")


def test_not_a_zip_is_refused_by_safe_extract(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"MZ\x90\x00" + bytes(100))
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(path, tmp_path / "out")
    _refused(excinfo, "fake.zip")


def test_normal_shapefile_zip_extracts_and_reads(tmp_path):
    zpath = _shapefile_zip(tmp_path)
    assert sniff(zpath) == "shapefile_zip"
    assert check_file(zpath, claimed=".zip") == "shapefile_zip"
    assert check_file(zpath, claimed="shapefile_zip") == "shapefile_zip"
    dest = tmp_path / "out"
    files = safe_extract(zpath, dest)
    assert {p.name for p in files} >= {"roads.shp", "roads.shx", "roads.dbf", "roads.prj"}
    assert all(p.is_file() and p.is_relative_to(dest.resolve()) for p in files)
    shp = next(p for p in files if p.suffix == ".shp")
    assert list(gpd.read_file(shp)["ten"]) == ["QL3", "QL4A"]


def test_shapefile_zip_missing_dbf_is_refused(tmp_path):
    zpath = _shapefile_zip(tmp_path, "nodbf.zip", skip=".dbf")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(zpath)
    assert "without its .dbf" in _refused(excinfo, "nodbf.zip")


def test_zip_without_data_is_refused(tmp_path):
    zpath = _zip(tmp_path / "photos.zip", {"a.txt": "hello"})
    with pytest.raises(UnsafeFileError) as excinfo:
        sniff(zpath)
    assert "no Shapefile" in _refused(excinfo, "photos.zip")


# ---------------------------------------------------------------- XML / KML / KMZ


def test_valid_kml_passes(tmp_path):
    path = tmp_path / "communes.kml"
    path.write_text(VALID_KML, encoding="utf-8")
    check_xml(path)
    assert sniff(path) == "kml"
    assert check_file(path, claimed=".kml") == "kml"


def test_kml_written_by_gdal_passes(tmp_path):
    path = tmp_path / "gdal.kml"
    _points().to_file(path, driver="KML")
    check_xml(path)
    assert check_file(path) == "kml"


def test_utf16_kml_passes(tmp_path):
    path = tmp_path / "utf16.kml"
    path.write_bytes(VALID_KML.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16"))
    check_xml(path)
    assert check_file(path) == "kml"


def test_billion_laughs_is_refused_without_parsing(tmp_path, monkeypatch):
    def no_parser(*args, **kwargs):
        raise AssertionError("an XML parser ran on a file with entity declarations")

    monkeypatch.setattr(safefiles.ET, "iterparse", no_parser)
    path = tmp_path / "laughs.kml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_xml(path)
    message = _refused(excinfo, "laughs.kml")
    assert "DOCTYPE" in message and "line 2" in message
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path)
    _refused(excinfo, "laughs.kml")


def test_entity_in_utf16_is_refused(tmp_path):
    path = tmp_path / "laughs16.kml"
    path.write_bytes(BILLION_LAUGHS.encode("utf-16-le"))  # no BOM: found from the "<\0" pattern
    with pytest.raises(UnsafeFileError) as excinfo:
        check_xml(path)
    assert "DOCTYPE" in _refused(excinfo, "laughs16.kml")


def test_declaration_split_across_chunks_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(safefiles, "_CHUNK", 7)
    path = tmp_path / "split.kml"
    path.write_text("<?xml version='1.0'?>\n\n<!doctype kml SYSTEM 'file:///etc/passwd'><kml/>")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_xml(path)
    assert "line 3" in _refused(excinfo, "split.kml")


def test_malformed_kml_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "broken.kml"
    lines = VALID_KML.splitlines()
    lines[4] = lines[4].replace("</name>", "")  # line 5: <name> never closed
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_xml(path)
    message = _refused(excinfo, "broken.kml")
    assert "not well-formed" in message and "line 5" in message
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path)
    assert "line 5" in _refused(excinfo, "broken.kml")


def test_xml_that_is_not_kml_is_refused(tmp_path):
    path = tmp_path / "track.kml"
    path.write_text('<?xml version="1.0"?><gpx><trk/></gpx><!-- <kml> -->')
    with pytest.raises(UnsafeFileError) as excinfo:
        check_xml(path)
    assert "not KML" in _refused(excinfo, "track.kml")


def test_kmz_is_sniffed_and_its_kml_checked(tmp_path):
    good = _zip(tmp_path / "good.kmz", {"doc.kml": VALID_KML, "files/icon.png": b"\x89PNG"})
    assert sniff(good) == "kmz"
    assert check_file(good) == "kmz"
    bad = _zip(tmp_path / "laughs.kmz", {"doc.kml": BILLION_LAUGHS})
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(bad)
    message = _refused(excinfo, "laughs.kmz")
    assert "doc.kml" in message and "DOCTYPE" in message
    broken = _zip(tmp_path / "broken.kmz", {"doc.kml": VALID_KML.replace("</Document>", "")})
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(broken)
    assert "line 7" in _refused(excinfo, "broken.kmz")


# ---------------------------------------------------------------- GeoPackage


def test_geopackage_passes_and_truncated_copy_is_refused(tmp_path):
    path = _gpkg(tmp_path)
    check_gpkg(path)
    assert sniff(path) == "gpkg"
    assert check_file(path, claimed=".gpkg") == "gpkg"

    data = path.read_bytes()
    half = tmp_path / "half.gpkg"
    half.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnsafeFileError) as excinfo:
        check_gpkg(half)
    message = _refused(excinfo, "half.gpkg")
    assert "damaged" in message and "export it again" in message
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(half)
    assert "damaged" in _refused(excinfo, "half.gpkg")


def test_geopackage_with_corrupt_page_is_refused(tmp_path):
    path = _gpkg(tmp_path, "corrupt.gpkg")
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(page, len(data), page):  # scribble on every b-tree page header
        data[offset : offset + 8] = b"\xee" * 8
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeFileError) as excinfo:
        check_gpkg(path)
    assert "damaged" in _refused(excinfo, "corrupt.gpkg")


def test_plain_sqlite_is_not_a_geopackage(tmp_path):
    path = tmp_path / "plain.gpkg"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path)
    assert "gpkg_contents" in _refused(excinfo, "plain.gpkg")


def test_check_gpkg_does_not_modify_the_file(tmp_path):
    path = _gpkg(tmp_path)
    before = path.read_bytes()
    check_gpkg(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["communes.gpkg"]


# ---------------------------------------------------------------- check_file / sniff


def test_csv_renamed_gpkg_is_refused(tmp_path):
    path = tmp_path / "households.gpkg"
    path.write_text("household_id,lon,lat\nH1,106.25,22.66\n", encoding="utf-8")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path, claimed=".gpkg")
    assert "claims to be gpkg but is csv" in _refused(excinfo, "households.gpkg")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path)  # the extension is the claim when none is given
    assert "claims to be gpkg but is csv" in _refused(excinfo, "households.gpkg")
    assert check_file(path, claimed="csv") == "csv"


def test_xlsx_is_sniffed(tmp_path):
    path = tmp_path / "survey.xlsx"
    pd.DataFrame({"household_id": ["H1", "H2"], "lon": [106.25, 106.3], "lat": [22.66, 22.7]}).to_excel(
        path, index=False
    )
    assert sniff(path) == "xlsx"
    assert check_file(path, claimed=".xlsx") == "xlsx"
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path, claimed="csv")
    assert "claims to be csv but is xlsx" in _refused(excinfo, "survey.xlsx")


def test_xlsx_with_entities_is_refused(tmp_path):
    good = tmp_path / "good.xlsx"
    pd.DataFrame({"a": [1]}).to_excel(good, index=False)
    bad = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/sharedStrings.xml" or info.filename == "xl/worksheets/sheet1.xml":
                data = BILLION_LAUGHS.encode()
            dst.writestr(info.filename, data)
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(bad)
    assert "DOCTYPE" in _refused(excinfo, "laughs.xlsx")


def test_other_vector_kinds_are_sniffed(tmp_path):
    gdf = _points()
    geojson = tmp_path / "points.geojson"
    gdf.to_file(geojson, driver="GeoJSON")
    fgb = tmp_path / "points.fgb"
    gdf.to_file(fgb, driver="FlatGeobuf")
    parquet = tmp_path / "points.parquet"
    gdf.to_parquet(parquet)
    assert [check_file(p) for p in (geojson, fgb, parquet)] == ["geojson", "fgb", "parquet"]
    assert check_file(geojson, claimed="json") == "geojson"
    truncated = tmp_path / "cut.parquet"
    truncated.write_bytes(parquet.read_bytes()[:-10])
    with pytest.raises(UnsafeFileError) as excinfo:
        sniff(truncated)
    assert "damaged" in _refused(excinfo, "cut.parquet")


def test_every_kind_has_an_extension():
    assert set(KINDS) == set(safefiles._EXTENSION)
    assert all(safefiles._ALIASES[kind] == (kind,) for kind in KINDS)


def test_file_over_max_bytes_is_refused(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text("a,b\n" + "1,2\n" * 1000)
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path, limits={"max_bytes": 1000})
    assert "limit" in _refused(excinfo, "huge.csv")
    zpath = _shapefile_zip(tmp_path)
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out", limits={"max_bytes": 100})
    _refused(excinfo, "roads.zip")


def test_unknown_limit_is_a_programming_error(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n")
    with pytest.raises(ValueError, match="max_byte"):
        check_file(path, limits={"max_byte": 1})


def test_pdf_is_refused(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    with pytest.raises(UnsafeFileError) as excinfo:
        sniff(path)
    assert "PDF" in _refused(excinfo, "report.csv")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path)
    assert "PDF" in _refused(excinfo, "report.csv")


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("setup.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "program"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), "save it as .xlsx"),
        ("map.gpkg", b"\x89PNG\r\n\x1a\n" + bytes(64), "PNG"),
        ("roads.shp", b"\x00\x00\x27\x0a" + bytes(96), "zip the .shp"),
        ("blob.csv", bytes(range(256)), "binary"),
        ("login.geojson", b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
        ("list.geojson", b'[{"a": 1}]', "JSON list"),
        ("config.geojson", b'{"name": "x"}', "not GeoJSON"),
        ("empty.csv", b"", "empty"),
        ("blank.csv", b"  \r\n\n", "empty"),
        ("gml.kml", b'<?xml version="1.0"?><gml:FeatureCollection/>', "not KML"),
    ],
)
def test_foreign_and_broken_files_are_refused(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path)
    assert words in _refused(excinfo, name)


def test_text_starting_with_mz_is_still_csv(tmp_path):
    path = tmp_path / "zones.csv"
    path.write_text("MZone,ma_xa\n1,01273\n", encoding="utf-8")
    assert check_file(path) == "csv"


def test_vietnamese_csv_in_utf16_and_cp1258_is_csv(tmp_path):
    text = "ma_xa,ten\n01273,Hòa An\n"
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes(unicodedata.normalize("NFD", text).encode("cp1258"))
    assert check_file(utf16) == "csv" and check_file(legacy) == "csv"


def test_unknown_claim_is_refused(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a\n1\n")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(path, claimed=".exe")
    assert "'exe' files are not accepted" in _refused(excinfo, "data.csv")


def test_unknown_extension_without_claim_is_judged_by_content(tmp_path):
    path = tmp_path / "upload_3f2a.tmp"
    path.write_text(VALID_KML)
    assert check_file(path) == "kml"


def test_missing_file_folder_and_device_are_refused(tmp_path):
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(tmp_path / "nothere.gpkg")
    _refused(excinfo, "nothere.gpkg")
    (tmp_path / "folder.zip").mkdir()
    with pytest.raises(UnsafeFileError) as excinfo:
        sniff(tmp_path / "folder.zip")
    _refused(excinfo, "folder.zip")
    if Path("/dev/zero").exists():
        with pytest.raises(UnsafeFileError) as excinfo:
            check_file("/dev/zero")
        _refused(excinfo, "zero")


def test_messages_are_one_line_even_with_hostile_member_names(tmp_path):
    zpath = _zip(tmp_path / "names.zip", {"a\nb/../../evil.txt": "x"})
    with pytest.raises(UnsafeFileError) as excinfo:
        safe_extract(zpath, tmp_path / "out")
    _refused(excinfo, "names.zip")


# ---------------------------------------------------------------- MapInfo

_TAB_NATIVE = b'!table\n!version 300\n!charset WindowsLatin1\n\nDefinition Table\n  Type NATIVE Charset "WindowsLatin1"\n  Fields 1\n    Ten Char (20) ;\n'
_MIF = b'Version 300\nCharset "WindowsLatin1"\nDelimiter ","\nCoordSys NonEarth Units "m"\nColumns 1\n  Ten Char(20)\nData\n'


def _mapinfo_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_mapinfo_tab_and_mif_are_recognised_by_content(tmp_path):
    tab, mif = tmp_path / "xa.txt", tmp_path / "xa2.txt"
    tab.write_bytes(_TAB_NATIVE)
    mif.write_bytes(_MIF)
    assert (sniff(tab), sniff(mif)) == ("mapinfo_tab", "mapinfo_mif")
    archive = _mapinfo_zip(tmp_path / "xa.zip", {"XA.TAB": _TAB_NATIVE, "XA.DAT": b"d", "XA.MAP": b"m", "XA.ID": b"i"})
    assert sniff(archive) == "mapinfo_zip"
    assert check_file(archive) == check_file(archive, claimed="zip") == check_file(archive, claimed="mapinfo") == "mapinfo_zip"
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(archive, claimed="shapefile")
    assert "claims to be shapefile but is mapinfo_zip" in _refused(excinfo, "xa.zip")


@pytest.mark.parametrize("members, missing", [
    ({"xa.tab": _TAB_NATIVE, "xa.dat": b"d", "xa.map": b"m"}, "without its .id file; zip the .tab, .dat, .map and .id files together"),
    ({"xa.mif": _MIF}, "without its .mid file; zip the .mif and .mid files together"),
])
def test_mapinfo_zip_without_a_companion_is_refused(tmp_path, members, missing):
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(_mapinfo_zip(tmp_path / "xa.zip", members))
    assert missing in _refused(excinfo, "xa.zip")


@pytest.mark.parametrize("header, what", [
    (b'!table\n!version 100\n!charset Neutral\n\nOpen Table "/etc/passwd" Hide\n', "view or query"),
    (b"!table\n!version 300\n\nDefinition Table\n  File \"x.tif\"\n  Type \"RASTER\"\n", "raster"),
    (b"!table\n!version 300\n\nDefinition Table\n  Fields 1\n    Type Char (20) ;\n", "view or query"),
    (b"!table\n!version 300\n\nDefinition Table\n  Type LINKED Charset \"Neutral\"\n", "linked"),
    (_TAB_NATIVE + b'begin_metadata\n"\\IsSeamless" = "TRUE"\nend_metadata\n', "seamless"),
])
def test_mapinfo_tables_that_open_other_files_are_refused(tmp_path, header, what):
    archive = _mapinfo_zip(tmp_path / "xa.zip", {"xa.tab": header, "xa.dat": b"d", "xa.map": b"m", "xa.id": b"i"})
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(archive)
    assert f"'xa.tab' inside it is a MapInfo {what} table, which opens other files" in _refused(excinfo, "xa.zip")
    bare = tmp_path / "xa.tab"
    for name in ("xa.tab", "xa.dat", "xa.map", "xa.id"):
        (tmp_path / name).write_bytes(header if name == "xa.tab" else b"x")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(bare)
    assert f"is a MapInfo {what} table" in _refused(excinfo, "xa.tab")


def test_bare_tab_needs_its_files_beside_it(tmp_path):
    tab = tmp_path / "Xa.TAB"
    tab.write_bytes(_TAB_NATIVE)
    (tmp_path / "Xa.DAT").write_bytes(b"d")
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(tab)
    assert "has no Xa.map beside it; put the .tab, .dat, .map and .id files in one folder" in _refused(excinfo, "Xa.TAB")
    (tmp_path / "Xa.MAP").write_bytes(b"m")
    (tmp_path / "xa.id").write_bytes(b"i")
    assert check_file(tab) == "mapinfo_tab"
    with pytest.raises(UnsafeFileError) as excinfo:
        check_file(tab, limits={"max_bytes": len(_TAB_NATIVE) + 2})
    assert "with its .tab, .dat, .map and .id files, over the" in _refused(excinfo, "Xa.TAB")
