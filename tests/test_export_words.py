"""Exports read as their reader expects: Vietnamese (or English) headers, words, numbers and pages."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text
from openpyxl import load_workbook
from pypdf import PdfReader

from geo.dataexport import export_table
from geo.dataset import load
from geo.hazards import flag_register
from geo.i18n import fmt_count, fmt_number, fmt_value
from geo.mapexport import atlas, indicator_figure, risk_figure, save_figure
from geo.risk import RiskFilter, filter_register, risk_view
from geo.status import commune_profile, commune_status

RISK_FILTERS = {"types": ["landslide", "flash_flood"], "min_level": 3, "buffer_m": 50.0, "communes": None,
                "ethnicities": ["Tày", "Nùng"], "statuses": ["not_planned", "resettled"], "at_risk_only": False}
LEFTOVERS = re.compile(r"\b(nan|None|NaT|<NA>|True|False|inf)\b|\[|\{")


@pytest.fixture(scope="module")
def ds():
    return load()


@pytest.fixture(scope="module")
def households(ds):
    return filter_register(flag_register(ds.households, ds.zones, ds.communes(2020)), min_level=3)


@pytest.fixture(scope="module")
def indicator(ds):
    """Indicator 2 (a share, in %) in 2023 on the 2020-2025 communes, with their shapes."""
    return ds.communes(2020)[["ma_xa", "geometry"]].merge(commune_status(ds, "2", 2023, "2020"), on="ma_xa")


def test_household_csv_speaks_vietnamese(ds, households, tmp_path):
    path = export_table(households, tmp_path / "h.csv", "Hộ", RISK_FILTERS, ds.label)
    text = path.read_text(encoding="utf-8-sig")
    assert not LEFTOVERS.search(text)  # no Python spelling of a missing value, a list or a boolean
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert {"Mã hộ", "Tình trạng di dời", "Hình thức bố trí", "Loại thiên tai", "Hộ nghèo", "Kinh độ (WGS 84)",
            "Mức nguy cơ cao nhất", "Mức nguy cơ cao nhất (loại thiên tai đã chọn)"} <= set(back.columns)
    assert set(back["Tình trạng di dời"]) <= {"Chưa có kế hoạch", "Đã có kế hoạch", "Đang di dời", "Đã di dời",
                                              "Đã ổn định tại chỗ"}
    assert set(back["Hộ nghèo"]) == {"Có", "Không"} and set(back["Trong vùng nguy cơ"]) == {"Có"}
    assert "Sạt lở đất, Lũ quét" in set(back["Loại thiên tai"])
    assert set(back["Hình thức bố trí"]) <= {"Tập trung", "Xen ghép", "Ổn định tại chỗ", "–"}
    dates = back["Ngày di dời"].loc[back["Ngày di dời"] != "–"]
    assert len(dates) and dates.str.fullmatch(r"\d\d/\d\d/20\d\d").all()
    assert back["Khoảng cách đến xã gần nhất (m)"].str.fullmatch(r"\d+").all()  # whole metres


def test_csv_in_english(ds, households, tmp_path):
    back = pd.read_csv(export_table(households, tmp_path / "h.csv", "t", {}, ds.label, lang="en"), dtype=str,
                       encoding="utf-8-sig")
    assert {"Household id", "Resettlement status", "Poor", "Hazard types", "Export note"} <= set(back.columns)
    assert "Not planned" in set(back["Resettlement status"]) and set(back["Poor"]) == {"Yes", "No"}
    assert back["Export note"].str.contains("personal fields excluded").all()


def test_indicator_csv_rounds_to_the_unit(ds, indicator, tmp_path):
    back = pd.read_csv(export_table(indicator, tmp_path / "i.csv", "t", {}, ds.label), dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")
    assert set(back["Năm"]) == {"2023"}
    assert back["Giá trị"].str.fullmatch(r"(\d+\.\d)?").all()  # % has one decimal, no float noise
    assert set(back["Tình trạng"]) <= {"Đã đạt", "Đúng tiến độ", "Chậm tiến độ", "Chưa có số liệu"}
    assert back["Số năm cần thêm"].str.fullmatch(r"(\d+\.\d|∞)?").all()


def test_indicator_xlsx_keeps_numbers_and_words_the_filters(ds, indicator, tmp_path):
    filters = {"indicator": "2", "year": 2023, "units": "2020", "communes": ["01267", "01303"]}
    book = load_workbook(export_table(indicator, tmp_path / "i.xlsx", "Chỉ tiêu 2", filters, ds.label))
    assert book.sheetnames == ["Dữ liệu", "Giải thích cột", "Bộ lọc", "Thông tin xuất"]
    sheet = book["Dữ liệu"]
    headers = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(headers, sheet[2])}
    assert row["Năm"].value == 2023 and row["Năm"].number_format == "0"  # a year: no thousands separator
    first = indicator.iloc[0]
    assert row["Giá trị"].data_type == "n" and row["Giá trị"].number_format == "#,##0.0"
    assert row["Giá trị"].value == pytest.approx(round(first["value"], 1), abs=1e-9)
    assert row["Mã xã"].value == first["ma_xa"] and row["Tình trạng"].value in ("Đã đạt", "Đúng tiến độ",
                                                                               "Chậm tiến độ", "Chưa có số liệu")
    assert "Dữ liệu minh họa" in row["Ghi chú xuất dữ liệu"].value
    words = [[c.value for c in r] for r in book["Bộ lọc"].iter_rows()]
    assert words[:5] == [["Mục", "Giá trị"], ["Chỉ tiêu", "2. Tỷ lệ hộ nghèo DTTS"], ["Năm", "2023"],
                         ["Đơn vị hành chính", "161 xã (2020-6/2025)"], ["Xã", "01267, 01303"]]
    # poverty changed standard in 2022: the export says so beside the filters
    assert words[5][0] == "Thay đổi chuẩn" and "Nghị định 07/2021/NĐ-CP" in words[5][1] and len(words) == 6
    about = dict(r for r in book["Thông tin xuất"].iter_rows(min_row=2, values_only=True))
    assert about["Dữ liệu"] == ds.label and about["Số dòng"] == 161
    assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", about["Thời điểm xuất"])


def test_household_xlsx_dates_words_and_filters(ds, households, tmp_path):
    book = load_workbook(export_table(households, tmp_path / "h.xlsx", "Hộ", RISK_FILTERS, ds.label))
    sheet = book["Dữ liệu"]
    headers = [c.value for c in sheet[1]]
    columns = {h: [c for (c,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i)] for i, h in enumerate(headers, 1)}
    dated = [c for c in columns["Ngày di dời"] if c.value is not None]
    assert dated and all(c.is_date and c.number_format == "dd/mm/yyyy" for c in dated)
    assert {c.value for c in columns["Số khẩu"]} <= set(range(1, 31))
    assert all(c.number_format == "#,##0" for c in columns["Số khẩu"])
    assert {c.value for c in columns["Cư trú phân tán"]} == {"Có", "Không"}
    texts = [c.value for column in columns.values() for c in column if isinstance(c.value, str)]
    assert not any(LEFTOVERS.search(v) for v in texts)
    words = dict(r for r in book["Bộ lọc"].iter_rows(min_row=2, values_only=True))
    assert words == {"Loại thiên tai": "Sạt lở đất, Lũ quét", "Mức nguy cơ từ": "3 (Trung bình)",
                     "Vùng đệm (m)": "50", "Xã": "Tất cả", "Dân tộc": "Tày, Nùng",
                     "Tình trạng di dời": "Chưa có kế hoạch, Đã di dời",
                     "Chỉ hộ DTTS cư trú phân tán (đối tượng bố trí)": "Không"}


def test_gis_formats_keep_codes_without_float_noise(ds, indicator, tmp_path):
    path = export_table(indicator, tmp_path / "i.geojson", "t", {}, ds.label)
    properties = pd.DataFrame([f["properties"] for f in json.loads(path.read_text())["features"]])
    assert set(properties["status"]) <= {"achieved", "on_track", "behind", "no_data"}  # machine codes
    for column in ("value", "target_value", "expected", "gap"):
        values = properties[column].dropna()
        assert (values == values.round(1)).all(), column
    communes = ds.communes(2020)[["ma_xa", "geometry"]].merge(commune_status(ds, "20a", 2023, "2020"), on="ma_xa")
    counted = json.loads(export_table(communes, tmp_path / "v.geojson", "t", {}, ds.label).read_text())["features"]
    expected = [f["properties"]["expected"] for f in counted if f["properties"]["expected"] is not None]
    assert expected and all(isinstance(v, int) for v in expected)  # couples: whole numbers
    kml = export_table(indicator, tmp_path / "i.kml", "t", {}, ds.label).read_text()
    assert "<description>Dữ liệu minh họa" in kml


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_printed_numbers_are_vietnamese(ds, households, tmp_path):
    text = _pdf_text(save_figure(risk_figure(ds, risk_view(ds, RiskFilter(min_level=3, buffer_m=50.0))),
                                 tmp_path / "r.pdf"))
    households = risk_view(ds, RiskFilter(min_level=3, buffer_m=50.0)).shown
    total = len(households)
    assert total >= 1000 and f"{fmt_count(total)} hộ dân" in text and f"{total:,}" not in text
    levels = households["level"].value_counts()
    assert f"Rất cao ({fmt_count(levels[5])} hộ dân)" in text and "Vùng đệm (m) 50" in text
    assert "Sạt lở đất" in text and "landslide" not in text
    assert re.search(r"Xuất ngày \d\d/\d\d/20\d\d", text)
    english = _pdf_text(save_figure(risk_figure(ds, risk_view(ds, RiskFilter(min_level=3)), lang="en"),
                                    tmp_path / "e.pdf"))
    assert f"{len(risk_view(ds, RiskFilter(min_level=3)).shown):,} households" in english


def test_atlas_table_prints_each_unit_at_its_precision(ds, tmp_path):
    text = _pdf_text(atlas(ds, tmp_path / "a.pdf", "indicator", 2024, communes=["01267"]))
    profile = commune_profile(ds, "01267", 2024, "2020", "vi").set_index("indicator_id")
    poverty = profile.loc["2"]
    assert f"{fmt_value(poverty['value'], '%')} {fmt_value(poverty['target_value'], '%')}" in text  # "1,9% 0,0%"
    couples = profile.loc["20a"]
    assert f"\n{fmt_number(couples['value'], 0)} {fmt_number(couples['target_value'], 0)}\n" in text
    income = profile.loc["1"]
    assert f"\n{fmt_number(income['value'], 1)} {fmt_number(income['target_value'], 1)}\n" in text
    # each indicator's unit in its own column, beside its name
    words = " ".join(text.split())
    assert "20a Số cặp tảo hôn cặp" in words and "1 Thu nhập bình quân người DTTS triệu đồng/người/năm" in words
    assert "Chậm tiến độ" in text and "behind" not in text


def _outside_page(figure) -> list[str]:
    """The texts of ``figure`` that reach past the page's edges (drawn as a PNG at 100 dpi)."""
    FigureCanvasAgg(figure)
    figure.set_dpi(100)
    figure.canvas.draw()
    renderer, page = figure.canvas.get_renderer(), figure.bbox
    shown = [x for x in figure.findobj(Text) if x.get_visible() and x.get_text() and x.get_clip_box() is None]
    boxes = {x.get_text(): x.get_window_extent(renderer) for x in shown}
    return [text for text, box in boxes.items() if not (page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1))]


@pytest.mark.parametrize("landscape", [False, True])
def test_no_text_runs_off_the_page(ds, landscape):
    communes = list(ds.communes(2020)["ma_xa"][:30])
    view = risk_view(ds, RiskFilter(min_level=3, communes=communes, statuses=["planned"], buffer_m=50.0))
    figures = [indicator_figure(ds, "1", 2023, landscape=landscape), risk_figure(ds, view, landscape=landscape)]
    for figure in figures:
        assert _outside_page(figure) == []
