"""Tests for geo.columns: recognising Vietnamese and English column headers."""

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.columns import ALIASES, _build_index, _key, by_content, canonical, map_columns
from geo.text import loose_key

#: (header, canonical): every canonical name, in Vietnamese with and without
#: accents, upper case, with underscores, and in English.
CASES = [
    ("Mã hộ", "household_id"), ("Ma_ho", "household_id"), ("MAHO", "household_id"),
    ("MÃ HỘ", "household_id"), ("ma ho", "household_id"), ("ID hộ", "household_id"),
    ("household id", "household_id"), ("HH_ID", "household_id"), ("Mã HGĐ", "household_id"), ("MA_HGD", "household_id"),
    ("Chủ hộ", "head_name"), ("Họ tên chủ hộ", "head_name"), ("HO_TEN_CHU_HO", "head_name"),
    ("Tên chủ hộ", "head_name"), ("Head of household", "head_name"), ("head", "head_name"),
    ("Tử số tham chiếu", "ref_numerator"), ("MS tham chiếu", "ref_denominator"),
    ("Tỷ lệ DTTS trong dân số", "reference"),
    ("Số CCCD", "id_number"), ("CMND/CCCD", "id_number"), ("SO_DINH_DANH", "id_number"), ("Căn cước", "id_number"),
    ("Dân tộc", "ethnicity"), ("Dan_toc", "ethnicity"), ("DAN TOC", "ethnicity"), ("Ethnic group", "ethnicity"),
    ("Số khẩu", "members"), ("Số nhân khẩu", "members"), ("So_khau", "members"), ("SO NHAN KHAU", "members"),
    ("Household size", "members"), ("members", "members"),
    ("Hộ nghèo", "poor"), ("Ho_ngheo", "poor"), ("HO NGHEO", "poor"), ("Poor", "poor"),
    ("Phân tán", "scattered"), ("Cư trú phân tán", "scattered"), ("cu_tru_phan_tan", "scattered"),
    ("Scattered", "scattered"),
    ("DTTS", "dtts"), ("Dân tộc thiểu số", "dtts"), ("dan toc thieu so", "dtts"), ("Ethnic minority", "dtts"),
    ("Mã xã", "ma_xa"), ("Ma_xa", "ma_xa"), ("MAXA", "ma_xa"), ("Commune code", "ma_xa"), ("ma_px", "ma_xa"),
    ("Xã", "commune_name"), ("Tên xã", "commune_name"), ("Xã/Phường", "commune_name"),
    ("XA", "commune_name"),
    ("Xã/Phường/Thị trấn", "commune_name"), ("xa / phuong / thi tran", "commune_name"), ("Ten_xa", "commune_name"),
    ("commune", "commune_name"), ("commune_name", "commune_name"),
    ("Huyện", "district_name"), ("Ten_huyen", "district_name"), ("HUYEN", "district_name"),
    ("District", "district_name"),
    ("Thôn", "village"), ("Xóm", "village"), ("Thôn/Xóm", "village"), ("Bản", "village"), ("THON_XOM", "village"),
    ("Village", "village"), ("hamlet", "village"),
    ("X", "x"), ("x", "x"), ("Tọa độ X", "x"), ("Toạ độ X", "x"), ("Toa_do_X", "x"), ("TOA DO X", "x"),
    ("Y", "y"), ("Tọa độ Y", "y"), ("toa_do_y", "y"),
    ("Kinh độ", "lon"), ("Kinh_do", "lon"), ("KINH DO", "lon"), ("Long", "lon"), ("Longitude", "lon"),
    ("Lon", "lon"), ("lng", "lon"),
    ("Vĩ độ", "lat"), ("Vi_do", "lat"), ("VI DO", "lat"), ("Latitude", "lat"), ("Lat", "lat"),
    ("Loại thiên tai", "hazard_type"), ("Loai_TT", "hazard_type"), ("Loại hình", "hazard_type"),
    ("LOAI THIEN TAI", "hazard_type"), ("hazard", "hazard_type"), ("Hazard type", "hazard_type"),
    ("type", "hazard_type"),
    ("Mức độ", "level"), ("Cấp độ", "level"), ("Mức nguy cơ", "level"), ("Cap_do", "level"), ("MUC DO", "level"),
    ("level", "level"), ("Risk level", "level"),
    ("level_text", "level_text"), ("Tên cấp độ", "level_text"), ("Level name", "level_text"),
    ("Tình trạng di dời", "resettlement_status"), ("tinh_trang_di_doi", "resettlement_status"),
    ("Status", "resettlement_status"),
    ("Hình thức", "resettlement_form"), ("HINH THUC", "resettlement_form"), ("form", "resettlement_form"),
    ("Ngày di dời", "resettlement_date"), ("ngay_di_doi", "resettlement_date"), ("Date", "resettlement_date"),
    ("Mã điểm", "site_id"), ("MA_DIEM", "site_id"), ("site id", "site_id"),
    ("Tên điểm", "site_name"), ("Điểm TĐC", "site_name"), ("DIEM TDC", "site_name"), ("Site name", "site_name"),
    ("Sức chứa", "capacity"), ("Quy mô", "capacity"), ("suc_chua", "capacity"), ("Capacity", "capacity"),
    ("Mã chỉ tiêu", "indicator_id"), ("Chỉ tiêu", "indicator_id"), ("MA_CHI_TIEU", "indicator_id"),
    ("Indicator", "indicator_id"),
    ("Năm", "year"), ("Nam", "year"), ("NĂM", "year"), ("Year", "year"),
    ("Giá trị", "value"), ("Gia_tri", "value"), ("GIA TRI", "value"), ("Value", "value"),
    ("Tử số", "numerator"), ("tu_so", "numerator"), ("Numerator", "numerator"),
    ("Mẫu số", "denominator"), ("MAU SO", "denominator"), ("Denominator", "denominator"),
    ("Tên", "name"), ("Ten", "name"), ("TÊN", "name"), ("Name", "name"),
    # Decomposed Unicode (NFD), as some spreadsheets write it; dots and extra spaces.
    ("Ma\u0303 hô\u0323", "household_id"), ("  Số   khẩu ", "members"), ("Ma.xa", "ma_xa"),
]


@pytest.mark.parametrize(("header", "expected"), CASES)
def test_canonical(header, expected):
    assert canonical(header) == expected


def test_every_canonical_name_is_covered():
    assert {name for _, name in CASES} == set(ALIASES)


@pytest.mark.parametrize("header", ["Ghi chú", "STT", "", "   ", "Mã", "Số hộ", "Tọa độ Z", "Xã X", "id"])
def test_unknown_headers(header):
    assert canonical(header) is None


def test_aliases_are_unambiguous():
    by_key: dict[str, set[str]] = {}
    for name, aliases in ALIASES.items():
        for alias in (name, *aliases):
            by_key.setdefault(_key(alias), set()).add(name)
    assert all(len(names) == 1 for names in by_key.values())
    assert "" not in by_key
    with pytest.raises(ValueError, match="means both"):
        _build_index({"a": ("Mã",), "b": ("MA",)})


@given(st.sampled_from(sorted({(alias, name) for name, aliases in ALIASES.items() for alias in aliases})),
       st.sampled_from([str.upper, str.lower, loose_key, lambda s: s.replace(" ", "_"), lambda s: f" {s}. "]))
def test_spellings_of_every_alias(pair, spell):
    alias, name = pair
    assert canonical(spell(alias)) == name


def test_map_columns_recognises_in_order():
    frame = pd.DataFrame(columns=["STT", "Mã hộ", "Chủ hộ", "Kinh độ", "Vĩ độ", "Ghi chú"])
    assert map_columns(frame.columns) == {"Mã hộ": "household_id", "Chủ hộ": "head_name", "Kinh độ": "lon",
                                          "Vĩ độ": "lat"}
    assert list(map_columns(frame.columns)) == ["Mã hộ", "Chủ hộ", "Kinh độ", "Vĩ độ"]


def test_override_wins():
    columns = ["Tên", "Đ.vị", "X", "Y"]
    mapping = map_columns(columns, overrides={"Tên": "head_name", "Đ.vị": "commune_name"})
    assert mapping == {"Tên": "head_name", "Đ.vị": "commune_name", "X": "x", "Y": "y"}


def test_override_can_swap_columns():
    # A survey table where X is the northing: the user maps X to y and Y to x.
    assert map_columns(["X", "Y"], overrides={"X": "y", "Y": "x"}) == {"X": "y", "Y": "x"}


def test_override_takes_a_canonical_name_from_another_column():
    mapping = map_columns(["Xã", "Tên xã mới"], overrides={"Tên xã mới": "commune_name"})
    assert mapping == {"Tên xã mới": "commune_name"}


def test_override_cannot_leave_a_clashing_column():
    with pytest.raises(ValueError, match=r"'name' and 'Tên' both mean 'name'"):
        map_columns(["name", "Tên"], overrides={"Tên": "name"})


def test_duplicate_mapping_names_both_columns():
    with pytest.raises(ValueError, match=r"'Mã hộ' and 'MA_HO' both mean 'household_id'"):
        map_columns(["Mã hộ", "Ghi chú", "MA_HO"])
    with pytest.raises(ValueError, match=r"'Kinh độ' and 'lng'"):
        map_columns(["Kinh độ", "lng"])
    with pytest.raises(ValueError, match=r"'A' and 'B' both mean 'x'"):
        map_columns(["A", "B"], overrides={"A": "x", "B": "x"})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [({"Nope": "x"}, "no such column"), ({"X": "easting"}, "unknown canonical name")],
)
def test_bad_overrides(overrides, message):
    with pytest.raises(ValueError, match=message):
        map_columns(["X", "Y"], overrides=overrides)


def test_no_columns():
    assert map_columns([]) == {}
    assert map_columns(iter(["Năm", "Giá trị"])) == {"Năm": "year", "Giá trị": "value"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Loai", "hazard_type"), ("Loai_TT", "hazard_type"), ("LoaiTT", "hazard_type"), ("Loai_TTai", "hazard_type"),
        ("Kieu", "hazard_type"), ("Kiểu TT", "hazard_type"), ("Loại nguy cơ", "hazard_type"),
        ("Cap", "level"), ("CapDo", "level"), ("Cap_do_RR", "level"), ("CDRR", "level"), ("Muc_do", "level"),
        ("MucDo", "level"), ("ML", "level"), ("Muc", "level"), ("Cap_nguy_co", "level"), ("Nguy_co", "level"),
        ("Muc_NC", "level"), ("Cấp độ rủi ro thiên tai", "level"),
        ("Cap_so", "level"), ("ML_so", "level"), ("Cấp số", "level"), ("Muc_so", "level"),
    ],
)
def test_abbreviated_hazard_headers(header, expected):
    assert canonical(header) == expected


def test_level_number_beside_level_words():
    # Both mean "level": the number column keeps it, the words column is kept as level_text.
    assert map_columns(["STT", "Cap_nguy_co", "Cap_so"]) == {"Cap_nguy_co": "level_text", "Cap_so": "level"}
    assert map_columns(["ML_so", "Muc_do", "Loai"]) == {"ML_so": "level", "Muc_do": "level_text", "Loai": "hazard_type"}
    with pytest.raises(ValueError, match=r"'Cap' and 'Muc_do' both mean 'level'"):
        map_columns(["Cap", "Muc_do"])  # neither names the number
    with pytest.raises(ValueError, match=r"'Cap_so' and 'ML_so' both mean 'level'"):
        map_columns(["Cap_so", "ML_so"])
    with pytest.raises(ValueError, match=r"'Cap' and 'Cap_so' both mean 'level'"):
        map_columns(["Ten cap do", "Cap", "Cap_so"])  # level_text already taken


# --------------------------------------------------------------------------- by content


def _zones_table() -> pd.DataFrame:
    """A hazard table as an office sends it: abbreviated headers nobody lists."""
    return pd.DataFrame({
        "STT": [1, 2, 3, 4, 5],
        "LTT": ["Trượt lở đất đá", "Lũ quét", "Trượt lở đất đá", "Lũ ống", "sạt trượt"],
        "CD": ["Nguy cơ cao", "Rất cao", "Trung bình", "Cao", "thấp"],
        "ML_so": [4, 5, 3, 4, 2],
        "Ghi chu": ["gần suối", "", None, "x", "taluy"],
        "MX": ["01267", 1270, "1273.0", "01267", None],
        "HUYEN_TP": ["Huyện Bảo Lạc", "Hòa An", "Thạch An", "Hạ Lang", "TP Cao Bằng"],
        "XA_PH": ["Xã Đức Long", "Sông Hiến", "Hưng Đạo", "Phường Thục Phán", "Sông Hiến"],
        "DTOC": ["Tày", "Nùng", "H'Mông", "Dao", "Sán Chay"],
        "Ngheo": ["Có", "Không", "Có", "Có", "Không"],
    })


def test_by_content_reads_odd_headers():
    frame = _zones_table()
    assert by_content(frame, taken=[]) == {
        "LTT": "hazard_type", "CD": "level_text", "ML_so": "level", "MX": "ma_xa", "HUYEN_TP": "district_name",
        "XA_PH": "commune_name", "DTOC": "ethnicity",
    }


def test_by_content_after_the_aliases():
    frame = _zones_table()
    mapping = map_columns(frame.columns)
    assert mapping == {"ML_so": "level"}
    assert by_content(frame, taken=mapping.values()) == {
        "LTT": "hazard_type", "MX": "ma_xa", "HUYEN_TP": "district_name", "XA_PH": "commune_name", "DTOC": "ethnicity",
    }
    # Renamed first, as the importer does: the same.
    renamed = frame.rename(columns=mapping)
    assert by_content(renamed, taken=mapping.values()) == by_content(frame, taken=mapping.values())


def test_by_content_header_hint_decides_between_level_columns():
    frame = pd.DataFrame({"A": [1, 2, 3], "Muc": [4, 5, 3], "B": ["Cao", "Thấp", "Cao"]})
    assert by_content(frame, taken=[]) == {"Muc": "level"}
    # No hint: numbers win over words, which are kept as level_text.
    assert by_content(frame.drop(columns="Muc"), taken=[]) == {"A": "level", "B": "level_text"}
    # Two columns of numbers and no hint: nobody can tell, so neither is taken.
    assert by_content(pd.DataFrame({"A": [1, 2], "B": [3, 4]}), taken=[]) == {}


def test_by_content_threshold():
    # Distinct values count, not rows: 3 of 4 (75%) is too few however often "Sạt lở" repeats.
    frame = pd.DataFrame({"a": ["Sạt lở"] * 7 + ["Lũ quét", "Lũ ống", "ghi chú"]})
    assert by_content(frame, taken=[]) == {}
    frame = pd.DataFrame({"a": ["Sạt lở", "Lũ quét", "Lũ ống", "Trượt lở", "??"]})
    assert by_content(frame, taken=[]) == {"a": "hazard_type"}  # 4 of 5 = 80%


def test_by_content_nothing_qualifies():
    frame = pd.DataFrame({
        "Ghi chu": ["gần suối", "", "taluy"], "So": [12.5, 40.0, 7.25], "Ngay": pd.to_datetime(["2024-01-01"] * 3),
        "Co_khong": ["Có", "Có", "Có"], "Empty": [None, None, None], "Code": ["X-1", "X-2", "X-3"],
    })
    assert by_content(frame, taken=[]) == {}
    assert by_content(pd.DataFrame(), taken=[]) == {}


def test_by_content_skips_taken_names():
    # As the importer passes it: "hazard_type" already renamed, "Loai" recognised by its header.
    frame = pd.DataFrame({"hazard_type": ["Lũ quét"], "LTT": ["Lũ quét"], "DT": ["Tày"], "Loai": ["Lũ ống"]})
    assert by_content(frame, taken=["hazard_type"]) == {"DT": "ethnicity"}
    assert by_content(frame[["LTT", "DT", "Loai"]], taken=["hazard_type", "ethnicity"]) == {}
    assert by_content(frame[["LTT", "DT"]], taken=["ethnicity"]) == {"LTT": "hazard_type"}


def test_a_report_annex_with_qualified_coordinate_headers_goes_in_whole(tmp_path):
    """'Tọa độ X (VN-2000)' / 'Tọa độ Y (VN-2000)', semicolons, decimal commas: every row kept, located."""
    from geo.dataset import load
    from geo.importer import prepare

    homes = load().households.head(50).to_crs("EPSG:9210")
    table = pd.DataFrame({"STT": range(1, 51), "Mã hộ GĐ": homes["household_id"].to_numpy(),
                          "Số nhân khẩu (người)": homes["members"].to_numpy(),
                          "Tọa độ X (VN-2000)": [f"{x:.2f}".replace(".", ",") for x in homes.geometry.x],
                          "Tọa độ Y (VN-2000)": [f"{y:.2f}".replace(".", ",") for y in homes.geometry.y]})
    path = tmp_path / "phu_luc_ho_dan.csv"
    table.to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    report = prepare(path, "households", crs="EPSG:9210")  # 50 homes of one commune fit several CRS: said once
    assert len(report.good) == 50 and len(report.rejected) == 0
    assert report.good["members"].tolist() == homes["members"].tolist()
    import shapely

    moved = shapely.distance(report.good.to_crs("EPSG:9210").geometry.to_numpy(), homes.geometry.to_numpy())
    assert (moved < 0.01).all()
