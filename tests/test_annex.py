"""Report annexes ("Biểu", "Phụ lục") read into a long table: layouts as offices make them."""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.annex import read_annex, parse_numbers
from geo.units import communes

OFFICIAL = communes(2020)


def _names(district: str, n: int) -> list[str]:
    """The first ``n`` communes of a district, as the official 2020 list spells them."""
    return OFFICIAL.loc[OFFICIAL["district_vi"] == district, "name_vi"].head(n).tolist()


BAO_LAC = _names("Huyện Bảo Lạc", 3)  # Bảo Lạc (a township named as its district), Cốc Pàng, Thượng Hà
HOA_AN = _names("Huyện Hòa An", 2)
CITY = _names("Thành phố Cao Bằng", 2)
TONG_COT = "Tổng Cọt"  # a commune of Hà Quảng whose name starts like a total row
CAN_YEN = "Cần Yên"


def _sheet(sheet, cells: dict[str, object], merges: tuple[str, ...] = ()) -> None:
    for ref, value in cells.items():
        sheet[ref] = value
    for ref in merges:
        sheet.merge_cells(ref)


def _row(sheet, row: int, values: list[object], first: str = "A") -> None:
    start = openpyxl.utils.column_index_from_string(first)
    for offset, value in enumerate(values):
        sheet.cell(row=row, column=start + offset, value=value)


def _skipped(annex, sheet: str | None = None) -> dict[str, list[int]]:
    rows = annex.skipped if sheet is None else annex.skipped.loc[annex.skipped["sheet"] == sheet]
    return {reason: group["row"].tolist() for reason, group in rows.groupby("reason")}


def _value(annex, commune: str, indicator: str, year: int) -> float:
    hit = annex.values.loc[(annex.values["commune_name"] == commune) & (annex.values["indicator_id"] == indicator)
                           & (annex.values["year"] == year), "value"]
    assert len(hit) == 1, (commune, indicator, year, len(hit))
    return float(hit.iloc[0])


@pytest.fixture
def bieu_02(tmp_path: Path) -> Path:
    """One sheet: title rows, a two-row merged header, column numbers, roman district headings,
    sub-totals, the province total, a note and a signature block."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Biểu 02"
    _sheet(sheet, {
        "A1": "UBND TỈNH CAO BẰNG", "A2": "BAN DÂN TỘC", "I2": "Biểu số 02",
        "A3": "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU CÔNG TÁC DÂN TỘC GIAI ĐOẠN 2021-2025",
        "I4": "Đơn vị tính: %",
        "A6": "STT", "B6": "Tên xã", "C6": "Tỷ lệ hộ nghèo DTTS (%)", "F6": "Tỷ lệ hộ sử dụng điện",
        "H6": "Tỷ lệ hộ cận nghèo (%)", "J6": "Ghi chú",
        "C7": "Năm 2020", "D7": 2021, "E7": "Ước 2025", "F7": "2020", "G7": "2025", "H7": 2020, "I7": 2025,
    }, ("A1:D1", "A3:J3", "I4:J4", "A6:A7", "B6:B7", "C6:E6", "F6:G6", "H6:I6", "J6:J7"))
    _row(sheet, 8, ["A", "B", 1, 2, 3, 4, 5, 6, 7, "C"])
    _row(sheet, 9, ["I", "Huyện Bảo Lạc"])
    sheet.merge_cells("B9:J9")
    _row(sheet, 10, [1, BAO_LAC[0], 45.2, "43,1", "40,5%", "95", 98.7, 20, 18])
    _row(sheet, 11, [2, BAO_LAC[1], "-", "x", 30, "X", "…", "", None, "số liệu sơ bộ"])
    _row(sheet, 12, [3, BAO_LAC[2], "KCS", 50, "48,0", 90, 100, 12, 11])
    _row(sheet, 13, [None, "Cộng huyện Bảo Lạc", 41, 42, 43, 92, 99, 16, 14])
    _row(sheet, 14, ["II", "Huyện Hà Quảng"])
    _row(sheet, 15, [1, TONG_COT, 60, "58,5", "55", 85, "87,5", 25, 24])
    _row(sheet, 16, [2, CAN_YEN, "52,25", 51, "đang cập nhật", 88, 90, 22, 21])
    _row(sheet, 17, [None, "Tổng huyện Hà Quảng", 56, 55, 53, 86, 89, 23, 22])
    _row(sheet, 18, ["Toàn tỉnh", None, 48, 47, 45, 90, 95, 19, 18])
    sheet.merge_cells("A18:B18")
    _sheet(sheet, {"A20": "Ghi chú: Số liệu năm 2025 là số ước thực hiện",
                   "A21": "Số liệu do UBND các xã, phường, thị trấn cung cấp",
                   "H22": "Cao Bằng, ngày 20 tháng 3 năm 2025", "B23": "Người lập biểu",
                   "H23": "Thủ trưởng đơn vị", "B24": "(Ký, ghi rõ họ tên)", "H24": "(Ký tên, đóng dấu)",
                   "B26": "Nông Thị Hoa", "H26": "Hoàng Văn Minh"}, ("A20:J20", "A21:J21", "H22:J22"))
    path = tmp_path / "bieu_02.xlsx"
    book.save(path)
    return path


def test_one_sheet_annex_with_districts_totals_and_signature(bieu_02: Path) -> None:
    annex = read_annex(bieu_02)
    assert len(annex.values) == 20
    assert _skipped(annex) == {"title": [1, 2, 3, 4], "header": [6, 7, 8], "district": [9, 14],
                               "subtotal": [13, 17], "total": [18], "empty": [19, 25], "note": [20, 21],
                               "signature": [22, 23, 24, 26]}
    assert annex.skipped.set_index("row").loc[[13, 18, 23], "label"].tolist() == [
        "Cộng huyện Bảo Lạc", "Toàn tỉnh", "Người lập biểu"]
    assert _value(annex, BAO_LAC[0], "2", 2020) == 45.2
    assert _value(annex, BAO_LAC[0], "2", 2021) == 43.1
    assert _value(annex, BAO_LAC[0], "2", 2025) == 40.5
    assert _value(annex, BAO_LAC[1], "2", 2025) == 30.0
    assert _value(annex, TONG_COT, "7", 2025) == 87.5
    assert _value(annex, CAN_YEN, "2", 2020) == 52.25
    unread = annex.values.loc[annex.values["value"].isna()]
    assert unread[["row", "commune_name", "text"]].to_numpy().tolist() == [[16, CAN_YEN, "đang cập nhật"]]
    # "-", "x", "X", "…" are no data: the second commune has one value only
    assert annex.values.loc[annex.values["row"] == 11, ["indicator_id", "year"]].to_numpy().tolist() == [["2", 2025]]
    districts = annex.values.drop_duplicates("commune_name").set_index("commune_name")["district_name"]
    assert districts.to_dict() == {**dict.fromkeys(BAO_LAC, "Huyện Bảo Lạc"), TONG_COT: "Huyện Hà Quảng",
                                   CAN_YEN: "Huyện Hà Quảng"}
    assert annex.values.loc[annex.values["row"] == 10, "text"].tolist() == ["45.2", "43,1", "40,5%", "95", "98.7"]
    assert annex.columns[["column", "header", "indicator_id", "year", "unit"]].to_numpy().tolist() == [
        ["C", "Tỷ lệ hộ nghèo DTTS (%) / Năm 2020", "2", 2020, "%"],
        ["D", "Tỷ lệ hộ nghèo DTTS (%) / 2021", "2", 2021, "%"],
        ["E", "Tỷ lệ hộ nghèo DTTS (%) / Ước 2025", "2", 2025, "%"],
        ["F", "Tỷ lệ hộ sử dụng điện / 2020", "7", 2020, "%"],  # unit from the "Đơn vị tính" line
        ["G", "Tỷ lệ hộ sử dụng điện / 2025", "7", 2025, "%"],
    ]
    assert annex.columns["indicator_label"].iloc[0] == "Tỷ lệ hộ nghèo DTTS"
    assert annex.unknown_columns[["column", "header", "suggestion"]].to_numpy().tolist() == [
        ["H", "Tỷ lệ hộ cận nghèo (%) / 2020", "2"], ["I", "Tỷ lệ hộ cận nghèo (%) / 2025", "2"]]
    assert set(annex.values["sheet"]) == {"Biểu 02"}


@pytest.fixture
def phu_luc(tmp_path: Path) -> Path:
    """A three-row header (group / indicator / year), "Xã, phường, thị trấn", a merged "Huyện"
    column, an "ĐVT" column, the total first, a plan column and an indicator by its id."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Phụ lục 3"
    _sheet(sheet, {
        "A1": "PHỤ LỤC 3", "A2": "SỐ LIỆU MỘT SỐ CHỈ TIÊU GIÁO DỤC, Y TẾ CÁC XÃ",
        "A3": "(Kèm theo Báo cáo số 45/BC-UBND ngày 10/01/2025 của UBND tỉnh)",
        "A4": "TT", "B4": "Xã, phường, thị trấn", "C4": "Huyện", "D4": "ĐVT",
        "E4": "Chỉ tiêu về giáo dục", "E5": "Tỷ lệ trẻ 5 tuổi đi học mẫu giáo", "H5": "Chỉ tiêu 14c",
        "E6": 2022, "F6": 2023, "G6": 2024, "H6": "Năm 2022", "I6": "Năm 2023", "J6": "Năm 2024",
        "K4": "Chỉ tiêu về y tế", "K5": "Tỷ lệ người DTTS tham gia BHYT", "K6": "KH 2024", "L6": "TH 2024",
        "M4": "Số cặp tảo hôn (cặp)", "M6": "2024",
    }, ("A1:M1", "A2:M2", "A4:A6", "B4:B6", "C4:C6", "D4:D6", "E4:J4", "E5:G5", "H5:J5", "K4:L4", "K5:L5",
        "M4:M5"))
    _row(sheet, 7, [None, "Tổng số", "", "%", 97, 98, 98.5, 90, 91, 92, 100, 99.1, 40])
    _row(sheet, 8, [1, HOA_AN[0], "Hòa An", "%", "96,5", 97, "x", 88, "89,5", 91, 100, "99,2", 3])
    _row(sheet, 9, [2, HOA_AN[1], None, "%", 99, "-", 100, "85,25", 87, "", 100, 98, "1.234"])
    _row(sheet, 10, [3, CITY[0], "TP Cao Bằng", "%", 100, 100, 100, 95, 96, 97, 100, 100, 0])
    _row(sheet, 11, [4, CITY[1], None, "%", "98,0", "…", 99, 93, "KCS", 95, 100, "97,75%", "1.5"])
    sheet.merge_cells("C8:C9")
    sheet.merge_cells("C10:C11")
    _sheet(sheet, {"A13": "Ghi chú: cột KH là kế hoạch được giao", "B15": "NGƯỜI LẬP BIỂU", "K15": "KT. GIÁM ĐỐC",
                   "K16": "PHÓ GIÁM ĐỐC", "B19": "Lục Văn Tài", "K19": "Đàm Thị Mai"}, ("A13:M13",))
    path = tmp_path / "phu_luc_3.xlsx"
    book.save(path)
    return path


def test_three_row_header_with_unit_and_district_columns(phu_luc: Path) -> None:
    annex = read_annex(phu_luc)
    assert len(annex.values) == 8 * 4 - 5  # 8 value columns, 4 communes, 5 cells with no data
    assert _skipped(annex) == {"title": [1, 2, 3], "header": [4, 5, 6], "total": [7], "empty": [12, 14, 17, 18],
                               "note": [13], "signature": [15, 16, 19]}
    assert annex.columns[["column", "header", "indicator_id", "year", "unit"]].to_numpy().tolist() == [
        ["E", "Chỉ tiêu về giáo dục / Tỷ lệ trẻ 5 tuổi đi học mẫu giáo / 2022", "14a", 2022, "%"],
        ["F", "Chỉ tiêu về giáo dục / Tỷ lệ trẻ 5 tuổi đi học mẫu giáo / 2023", "14a", 2023, "%"],
        ["G", "Chỉ tiêu về giáo dục / Tỷ lệ trẻ 5 tuổi đi học mẫu giáo / 2024", "14a", 2024, "%"],
        ["H", "Chỉ tiêu về giáo dục / Chỉ tiêu 14c / Năm 2022", "14c", 2022, "%"],
        ["I", "Chỉ tiêu về giáo dục / Chỉ tiêu 14c / Năm 2023", "14c", 2023, "%"],
        ["J", "Chỉ tiêu về giáo dục / Chỉ tiêu 14c / Năm 2024", "14c", 2024, "%"],
        ["L", "Chỉ tiêu về y tế / Tỷ lệ người DTTS tham gia BHYT / TH 2024", "17", 2024, "%"],
        ["M", "Số cặp tảo hôn (cặp) / 2024", "20a", 2024, "cặp"],
    ]
    assert annex.unknown_columns[["column", "header", "suggestion"]].to_numpy().tolist() == [
        ["K", "Chỉ tiêu về y tế / Tỷ lệ người DTTS tham gia BHYT / KH 2024", "17"]]
    assert _value(annex, HOA_AN[0], "14a", 2022) == 96.5
    assert _value(annex, HOA_AN[0], "14c", 2023) == 89.5
    assert _value(annex, HOA_AN[1], "14c", 2022) == 85.25
    assert _value(annex, HOA_AN[1], "20a", 2024) == 1234.0  # "1.234": a thousands dot
    assert _value(annex, CITY[1], "20a", 2024) == 1.5  # "1.5": not three digits after the dot, a decimal point
    assert _value(annex, CITY[1], "17", 2024) == 97.75
    assert _value(annex, CITY[0], "20a", 2024) == 0.0
    assert "Tổng số" not in set(annex.values["commune_name"])
    districts = annex.values.drop_duplicates("commune_name").set_index("commune_name")["district_name"]
    assert districts.to_dict() == {HOA_AN[0]: "Hòa An", HOA_AN[1]: "Hòa An", CITY[0]: "TP Cao Bằng",
                                   CITY[1]: "TP Cao Bằng"}  # a merged "Huyện" cell covers its rows


@pytest.fixture
def per_indicator(tmp_path: Path) -> Path:
    """One sheet per indicator: named by the sheet ("CT 3a"), by a title row, or by neither."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "CT 3a"
    _row(first, 1, ["DANH SÁCH XÃ THUỘC ĐỊA BÀN ĐẶC BIỆT KHÓ KHĂN QUA CÁC NĂM"])
    first.merge_cells("A1:F1")
    _row(first, 2, ["STT", "Tên xã", "Huyện", "Năm 2020", "Năm 2021", 2022])
    _row(first, 3, [1, BAO_LAC[1], "Bảo Lạc", 1, 1, 0])
    _row(first, 4, [2, BAO_LAC[2], "Bảo Lạc", 1, "-", 1])
    _row(first, 5, [3, TONG_COT, "Hà Quảng", "1", "0", "0"])
    _row(first, 6, ["Tổng cộng", None, None, 3, 2, 1])
    _row(first, 8, [None, "Người lập biểu", None, None, "Trưởng ban"])

    second = book.create_sheet("Biểu 5")
    _row(second, 1, ["Biểu số 05"])
    _row(second, 2, ["TỶ LỆ TRẺ DƯỚI 5 TUỔI SUY DINH DƯỠNG THỂ NHẸ CÂN"])
    _row(second, 3, ["Đơn vị tính: %"])
    _row(second, 5, ["STT", "Tên xã", 2021, "2022", "Ước 2023"])
    _row(second, 6, [1, CITY[0], "15,3%", "14,9", "x"])
    _row(second, 7, [2, CITY[1], 12, "X", "11,8"])
    _row(second, 8, ["Toàn tỉnh", None, "14,1", "13,5", "13,0"])

    third = book.create_sheet("Hộ cận nghèo")
    _row(third, 1, ["TT", "Xã", 2024, 2025])
    _row(third, 2, [1, HOA_AN[0], "12,5", "10"])

    book.create_sheet("Hướng dẫn")["A1"] = "Điền số liệu theo mẫu, không sửa tiêu đề"
    path = tmp_path / "chi_tieu_theo_sheet.xlsx"
    book.save(path)
    return path


def test_one_sheet_per_indicator(per_indicator: Path) -> None:
    annex = read_annex(per_indicator)
    assert len(annex.values) == 8 + 4
    assert annex.values.groupby("sheet", sort=False).size().to_dict() == {"CT 3a": 8, "Biểu 5": 4}
    assert _skipped(annex, "CT 3a") == {"title": [1], "header": [2], "total": [6], "empty": [7], "signature": [8]}
    assert _skipped(annex, "Biểu 5") == {"title": [1, 2, 3], "header": [5], "total": [8]}
    assert _skipped(annex, "Hộ cận nghèo") == {"header": [1]}
    assert set(annex.skipped["sheet"]) == {"CT 3a", "Biểu 5", "Hộ cận nghèo"}  # "Hướng dẫn" has no table
    assert annex.columns[["sheet", "column", "indicator_id", "year", "unit"]].to_numpy().tolist() == [
        ["CT 3a", "D", "3a", 2020, None], ["CT 3a", "E", "3a", 2021, None], ["CT 3a", "F", "3a", 2022, None],
        ["Biểu 5", "C", "19", 2021, "%"], ["Biểu 5", "D", "19", 2022, "%"], ["Biểu 5", "E", "19", 2023, "%"],
    ]
    assert annex.unknown_columns[["sheet", "column", "header", "suggestion"]].to_numpy().tolist() == [
        ["Hộ cận nghèo", "C", "2024", "2"], ["Hộ cận nghèo", "D", "2025", "2"]]
    assert _value(annex, TONG_COT, "3a", 2020) == 1.0
    assert _value(annex, BAO_LAC[2], "3a", 2022) == 1.0
    assert _value(annex, CITY[0], "19", 2021) == 15.3
    assert _value(annex, CITY[1], "19", 2023) == 11.8
    assert annex.values.loc[annex.values["commune_name"] == BAO_LAC[2], "year"].tolist() == [2020, 2022]
    assert annex.values.loc[annex.values["sheet"] == "CT 3a", "district_name"].unique().tolist() == [
        "Bảo Lạc", "Hà Quảng"]


def test_plain_table_is_left_to_the_importer(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    for row in (["Mã xã", "Chỉ tiêu", "Năm", "Giá trị"], ["01290", "2", 2021, 12.5]):
        book.active.append(row)
    book.save(tmp_path / "plain.xlsx")
    assert read_annex(tmp_path / "plain.xlsx") is None


def test_workbook_without_a_commune_column_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["Báo cáo tổng hợp"])
    book.active.append(["Nội dung", 2024])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(ValueError, match=r"other\.xlsx: no sheet has a commune column"):
        read_annex(tmp_path / "other.xlsx")


@pytest.mark.parametrize(("cell", "expected"), [
    ("45,2%", 45.2), ("45,2", 45.2), ("1.234", 1234.0), ("12.345.678", 12345678.0), ("1.234,5", 1234.5),
    ("1,234.5", 1234.5), ("1.5", 1.5), ("45.25", 45.25), (" 7 ", 7.0), (12, 12.0), (98.7, 98.7), ("-3,5", -3.5),
])
def test_numbers_as_written_in_vietnamese(cell: object, expected: float) -> None:
    value, missing = parse_numbers(pd.Series([cell], dtype=object))
    assert not missing.iloc[0]
    assert value.iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("cell", [None, "", "-", "x", "X", "…", "KCS", "kcs", " - "])
def test_no_data_markers_are_missing(cell: object) -> None:
    value, missing = parse_numbers(pd.Series([cell], dtype=object))
    assert missing.iloc[0] and math.isnan(value.iloc[0])


def test_unreadable_text_is_kept_as_nan_not_missing() -> None:
    value, missing = parse_numbers(pd.Series(["đạt", "12,5 (ước)"], dtype=object))
    assert missing.tolist() == [False, False] and value.isna().all()
