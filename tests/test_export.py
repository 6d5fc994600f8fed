"""Exports: map images (PNG, PDF, SVG), atlases, and data files that read back."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
import pytest
from PIL import Image
from pypdf import PdfReader

from geo.cli import main
from geo.dataexport import export_table, with_personal_fields
from geo.dataset import load
from geo.hazards import flag_register
from geo.mapexport import atlas, atlas_progress, indicator_figure, risk_figure, save_figure
from geo.risk import RiskFilter, filter_register, risk_view
from geo.status import commune_profile


@pytest.fixture(scope="module")
def ds():
    return load()


@pytest.fixture(scope="module")
def flagged(ds):
    return flag_register(ds.households, ds.zones, ds.communes(2020))


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_cli_risk_pdf_is_one_vector_page_with_title_and_demo(tmp_path, capsys):
    out = tmp_path / "risk.pdf"
    assert main(["export-map", "--map", "risk", "--format", "pdf", "--out", str(out)]) == 0
    reader = PdfReader(out)
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (297, 210)  # the wide province: A4 landscape
    text = _pdf_text(out)
    assert "Thiên tai và di dời dân cư" in text and "DEMO" in text
    fonts = reader.pages[0]["/Resources"]["/Font"]
    embedded = [f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for f in fonts.values()
                if "/DescendantFonts" in f.get_object()]
    assert embedded and all("/FontFile2" in d for d in embedded)  # TrueType embedded: text is selectable


@pytest.mark.parametrize("dpi", [150, 300])
def test_png_size_and_dpi(ds, tmp_path, dpi):
    path = save_figure(indicator_figure(ds, "2", 2023, landscape=False), tmp_path / "m.png", dpi=dpi)
    with Image.open(path) as image:
        expected = (210 / 25.4 * dpi, 297 / 25.4 * dpi)  # A4 in pixels (matplotlib truncates)
        assert all(abs(got - want) < 1 for got, want in zip(image.size, expected))
        assert [round(v) for v in image.info["dpi"]] == [dpi, dpi]


def test_a3_landscape_and_svg_text(ds, tmp_path):
    path = save_figure(indicator_figure(ds, "14a", 2023, paper="a3", landscape=True, lang="en"),
                       tmp_path / "m.svg")
    root = ET.parse(path).getroot()
    assert root.get("width").startswith("1190")  # 420 mm in points
    text = " ".join("".join(node.itertext()) for node in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Kindergarten attendance at age 5" in text and "DEMO DATA" in text


def test_vietnamese_text_renders_without_missing_glyphs(ds, tmp_path):
    # save_figure turns a missing-glyph warning into an error: Vietnamese must pass...
    save_figure(indicator_figure(ds, "20b", 2024, labels=True), tmp_path / "vi.png", dpi=100)
    # ...and a character DejaVu Sans lacks must fail loudly rather than print a box.
    figure = indicator_figure(ds, "2", 2024)
    figure.text(0.5, 0.5, "中文")
    with pytest.raises(Exception, match="(?i)glyph"):
        save_figure(figure, tmp_path / "bad.png", dpi=100)


def test_images_differ_when_filters_differ(ds, flagged, tmp_path):
    digests = set()
    for level in (3, 5):
        path = save_figure(risk_figure(ds, risk_view(ds, RiskFilter(min_level=level))), tmp_path / f"r{level}.png",
                           dpi=100)
        digests.add(hashlib.sha256(path.read_bytes()).hexdigest())
    assert len(digests) == 2


def test_commune_extent_and_bad_inputs(ds, tmp_path):
    figure = indicator_figure(ds, "2", 2023, communes=["01303"])
    xmin, xmax = figure.axes[0].get_xlim()
    assert xmax - xmin < 60_000  # a commune, not the 160 km province
    with pytest.raises(ValueError, match="mã xã chưa biết"):
        indicator_figure(ds, "2", 2023, communes=["99999"])
    with pytest.raises(ValueError, match="paper"):
        indicator_figure(ds, "2", 2023, paper="letter")
    with pytest.raises(ValueError, match="format"):
        save_figure(figure, tmp_path / "m.bmp")


def test_atlas_has_a_page_per_commune(ds, flagged, tmp_path):
    path = atlas(ds, tmp_path / "a.pdf", "indicator", 2024, communes=["01267", "01303", "01312"])
    reader = PdfReader(path)
    assert len(reader.pages) == 3
    assert "Sông Hiến (01267)" in reader.pages[0].extract_text()
    risk = PdfReader(atlas(ds, tmp_path / "r.pdf", "risk", communes=["01303"], view=risk_view(ds)))
    assert len(risk.pages) >= 2  # the commune's map, then its households by village
    assert "Danh sách hộ theo thôn" in risk.pages[-1].extract_text()


def test_atlas_reports_each_page_in_order(ds, tmp_path):
    codes = ["01267", "01303", "01312"]
    calls = []
    atlas(ds, tmp_path / "a.pdf", "indicator", 2024, communes=codes, progress=lambda *call: calls.append(call))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    # a caller that builds the atlas through a ready-made function hears of it too; its own callback wins
    heard, own = [], []
    with atlas_progress(lambda *call: heard.append(call)):
        atlas(ds, tmp_path / "r.pdf", "risk", communes=codes[:2], view=risk_view(ds))
        atlas(ds, tmp_path / "b.pdf", "indicator", 2024, communes=codes[:1], progress=lambda *call: own.append(call))
    assert heard == [(1, 2), (2, 2)] and own == [(1, 1)]
    atlas(ds, tmp_path / "c.pdf", "indicator", 2024, communes=codes[:1])
    assert len(heard) == 2  # the block is over: nobody else is told


def test_atlas_pages_are_each_communes_own(ds, tmp_path):
    """Pages are drawn on one reused page: each holds its commune's texts, nothing left from the page before."""
    codes = ["01267", "01303", "01312", "01267"]
    pages = [page.extract_text() for page in PdfReader(atlas(ds, tmp_path / "a.pdf", "indicator", 2024,
                                                             communes=codes)).pages]
    alone = [_pdf_text(atlas(ds, tmp_path / f"{code}.pdf", "indicator", 2024, communes=[code])) for code in codes[:3]]
    assert pages == [*alone, alone[0]]
    assert len(set(alone)) == 3
    names = ds.communes(2020).set_index("ma_xa")["name_vi"]
    for code, text in zip(codes, pages):
        profile = commune_profile(ds, code, 2024)
        assert f"{names[code]} ({code})" in text and "Hồ sơ xã — 2024" in text
        counts = profile["status"].value_counts()
        assert f"Đã đạt: {counts.get('achieved', 0)}" in text and f"Chậm tiến độ: {counts.get('behind', 0)}" in text
        assert all(name[:30] in text for name in profile["name"])  # every indicator's row, in every page


@pytest.mark.parametrize("suffix", ["csv", "xlsx", "geojson", "gpkg", "kml"])
def test_household_exports_read_back(ds, flagged, tmp_path, suffix):
    table = filter_register(flagged, min_level=5)
    path = export_table(table, tmp_path / f"h.{suffix}", "test", {"min_level": 5}, ds.label)
    if suffix == "csv":
        back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    elif suffix == "xlsx":
        back = pd.read_excel(path, sheet_name="Dữ liệu", dtype=str, engine="openpyxl")
    else:
        back = gpd.read_file(path, layer="data") if suffix == "gpkg" else gpd.read_file(path)
    # people read CSV and XLSX (Vietnamese headers); GIS formats keep the machine names
    ids, note = {"csv": ("Mã hộ", "Ghi chú xuất dữ liệu"), "xlsx": ("Mã hộ", "Ghi chú xuất dữ liệu"),
                 "kml": ("Name", "description")}.get(suffix, ("household_id", "export_note"))
    assert sorted(back[ids]) == sorted(table["household_id"])
    assert not {"head_name", "Họ tên chủ hộ"} & set(back.columns)
    assert back[note].str.contains("Dữ liệu minh họa").all()  # the demo label, in every format
    assert back[note].str.contains("không gồm thông tin cá nhân").all()
    if suffix in ("geojson", "gpkg"):
        located = back.set_index("household_id").loc[table["household_id"]]
        assert located.geometry.to_crs(9210).distance(table.geometry.set_axis(located.index)).max() < 0.01


def test_personal_fields_only_when_asked(ds, flagged, tmp_path):
    table = with_personal_fields(filter_register(flagged, min_level=5), ds.people())
    hidden = export_table(table, tmp_path / "h.csv", "t", {}, ds.label)
    assert "head_name" not in pd.read_csv(hidden, nrows=1).columns
    who = pd.read_csv(export_table(table, tmp_path / "w.csv", "t", {}, ds.label, exported_by="tester"), nrows=1)
    assert "bởi tester" in who["Ghi chú xuất dữ liệu"].iloc[0]  # the file itself says who exported it
    shown = export_table(table, tmp_path / "p.xlsx", "t", {}, ds.label, personal=True, exported_by="tester")
    back = pd.read_excel(shown, sheet_name=None, dtype=str, engine="openpyxl")
    assert back["Dữ liệu"]["Họ tên chủ hộ"].notna().all()
    about = dict(back["Thông tin xuất"].to_numpy())
    assert about["Thông tin cá nhân"] == "có thông tin cá nhân" and about["Người xuất"] == "tester"
    assert list(back["Giải thích cột"].columns) == ["Cột", "Ý nghĩa"]
    english = export_table(table, tmp_path / "e.xlsx", "t", {}, ds.label, personal=True, lang="en")
    about = dict(pd.read_excel(english, sheet_name="About", dtype=str, engine="openpyxl").to_numpy())
    assert about["Personal fields"] == "includes personal fields"


def test_cli_export_data_indicator_table(tmp_path, capsys):
    out = tmp_path / "i.gpkg"
    assert main(["export-data", "--table", "indicators", "--indicator", "2", "--year", "2023", "--out", str(out)]) == 0
    back = gpd.read_file(out, layer="data")
    assert len(back) == 161 and {"status", "gap", "expected"} <= set(back.columns)
    about = dict(gpd.read_file(out, layer="about")[["key", "value"]].to_numpy())
    assert about["Bộ lọc: Chỉ tiêu"] == "2. Tỷ lệ hộ nghèo DTTS" and about["Bộ lọc: Năm"] == "2023"
    assert main(["export-data", "--table", "indicators", "--out", str(tmp_path / "x.txt")]) == 2


def test_every_hazard_type_in_the_print_legend_and_the_exported_columns(ds, flagged, tmp_path):
    """A type of data/hazards.yaml (riverbank erosion has no demo zones) is in the legend and in every export."""
    from geo.hazardtypes import HAZARD_VOCAB

    text = _pdf_text(save_figure(risk_figure(ds, risk_view(ds, RiskFilter(min_level=5))), tmp_path / "r.pdf"))
    table = filter_register(flagged, min_level=5)
    book = pd.read_excel(export_table(table, tmp_path / "h.xlsx", "t", {}, ds.label), sheet_name=None, dtype=str,
                         engine="openpyxl")
    explained = dict(book["Giải thích cột"].to_numpy())
    csv = pd.read_csv(export_table(table, tmp_path / "h.csv", "t", {}, ds.label, lang="en"), dtype=str,
                      encoding="utf-8-sig")
    for hazard in HAZARD_VOCAB:
        assert hazard.name_vi in text
        assert explained[hazard.level_header_vi] == hazard.level_doc[0]
        assert hazard.level_header_en in csv.columns
    assert (csv["Riverbank-erosion level"] == "0").all()  # no riverbank zones in the demo


def test_xlsx_keeps_hostile_text_as_text_and_numbers_as_numbers(tmp_path):
    """The workbook is written by hand (column by column): text stays text, never a formula, as written."""
    from openpyxl import load_workbook

    ids = ["=1+1", "\r=2", "\tx", "a\x0bb", "_x0041_", "<b>&\"", "-3", "@me", ""]
    frame = pd.DataFrame({"household_id": ids, "members": [1, -2, 3, 4, 5, 6, 7, 8, 9],
                          "years_needed": [1.25, -2.0, float("inf"), None, 0.0, 3.0, 1e6, 2.5, 1.0],
                          "resettlement_date": pd.to_datetime(["2024-01-02", None, *[None] * 7])})
    out = export_table(frame, tmp_path / "h.xlsx", "=title", {"communes": ["+2"]}, exported_by="@me")
    book = load_workbook(out)
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    quoted = {c.value for c in cells if c.quotePrefix}
    assert quoted == {"=1+1", "\r=2", "\tx", "-3", "@me", "=title", "+2"}  # every formula-like text, nothing else
    data = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2, max_col=4)]
    # a control character in the workbook's escape, a literal escape kept as written, an empty text empty
    assert [row[0] for row in data] == [*ids[:3], "a_x000B_b", "_x005F_x0041_", *ids[5:8], None]
    assert [row[1] for row in data] == list(frame["members"])
    assert [row[2] for row in data] == [1.2, -2.0, "∞", None, 0.0, 3.0, 1e6, 2.5, 1.0]
    first = book.worksheets[0]["D2"]
    assert first.is_date and first.number_format == "dd/mm/yyyy" and first.value.date().isoformat() == "2024-01-02"
    assert book.worksheets[0]["B2"].number_format == "#,##0" and book.worksheets[0]["C3"].data_type == "n"
    # a reader that unescapes as Excel does (calamine, the app's import engine) reads every id as it was
    again = pd.read_excel(out, sheet_name=None, engine="calamine", dtype=str)
    assert list(again) == book.sheetnames and again[book.sheetnames[0]].iloc[:, 0].fillna("").tolist() == ids
