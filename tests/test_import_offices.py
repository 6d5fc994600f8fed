"""Real-looking province files go in whole: every good row kept, every value understood or asked once.

The files are built by :mod:`office_files` the way offices hand them over;
each test asserts exact counts kept, left out and warned about, and samples.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

import office_files as office
from test_annex import bieu_02  # noqa: F401  (a fixture: the report annex of the one-sheet layout)
from geo.cli import main
from geo.dataset import load
from geo.importer import commit, known_to, prepare
from geo.units import to_2025
from geo.workspace import Workspace


@pytest.fixture(scope="module")
def demo_boundaries():
    return load().communes(2020)


def test_199_communes_from_before_2020_all_kept(tmp_path):
    path, expected = office.communes_before_2020(tmp_path)
    report = prepare(path, "communes")
    assert (report.rows_in, report.kept, len(report.rejected)) == (199, 199, 0)
    assert report.layer == "communes_2020"
    how = report.matches.set_index("row")["how"]
    assert how.value_counts().to_dict() == {"name_before_2020": 194, "other_list_loose": 3, "location": 2}
    matched = report.matches.set_index("row")["ma_xa"]
    # rows are numbered from 1 in a Shapefile
    assert [matched[i + 1] for i in (3, 40, 120)] == expected.sample["typed"]
    for i, held in expected.sample["unnamed_holds"].items():
        assert matched[i + 1] == held[0] and how[i + 1] == "location"
    assert sorted(report.good["ma_xa"]) == sorted(set(expected.sample["codes"]))  # 161 units of 2020
    # Tân Việt and Nam Quang (merged in 2020) make one unit, 01297, whose area is both strips
    strips = pyogrio.read_dataframe(f"/vsizip/{path}/ranh_gioi_xa_2019.shp", encoding="latin1")
    unit = report.good.set_index("ma_xa").loc["01297"]
    parts = [g for g, code in zip(strips.geometry, expected.sample["codes"]) if code == "01297"]
    assert len(parts) == 2
    assert unit.geometry.area == pytest.approx(sum(p.area for p in parts), rel=1e-6)
    assert unit["name_vi"] == "Nam Quang" and unit["district_vi"] == "Huyện Bảo Lâm"
    assert unit["ma_xa_2025"] == to_2025(["01297"]).iloc[0]
    assert report.warnings["code"].tolist() == ["unit_location", "unit_location"]
    assert "199 xã trước năm 2020" in report.summary()


def test_register_with_old_names_located_not_rejected(tmp_path, demo_boundaries):
    path, expected = office.register_with_old_names(tmp_path)
    report = prepare(path, "households", boundaries=demo_boundaries)
    assert (report.rows_in, len(report.good), len(report.rejected)) == (expected.rows, expected.kept, expected.rejected)
    assert sorted(report.rejected["row"]) == expected.sample["bad_rows"]
    assert sorted(report.rejected["code"]) == ["not_number", "not_number", "outside"]
    assert report.warnings["code"].value_counts().to_dict() == expected.warned
    household, code = expected.sample["first_old"]
    row = report.good.set_index("household_id").loc[household]
    assert row["ma_xa"] == code and row["ma_xa_declared"] == code
    # the summary puts the truly bad rows first, then the grouped warnings, in Vietnamese
    lines = report.summary().splitlines()
    assert lines[1] == "Dòng bị loại:"
    assert lines[4] == "Cảnh báo (các dòng vẫn được nhập):"
    assert lines[5] == f"  {expected.warned['commune_before_2020']} dòng ghi tên xã trước năm 2020: xã được xác định theo tọa độ"


def test_register_without_boundaries_keeps_the_declared_commune(tmp_path):
    path, expected = office.register_with_old_names(tmp_path, n=400, seed=3)
    report = prepare(path, "households", lang="en")
    # Without boundaries only the province's box can be checked: the point west of the province
    # (inside the box) is kept, and left out once boundaries are known.
    assert (len(report.good), len(report.rejected)) == (398, 2)
    good = report.good
    assert (good["ma_xa"].fillna("") == good["ma_xa_declared"].fillna("")).all()
    assert any("no commune boundaries yet" in note for note in report.notes)


def test_day_one_through_the_command_line(tmp_path, capsys):
    communes_path, _ = office.communes_before_2020(tmp_path)
    (tmp_path / "reg").mkdir()
    register, expected = office.register_with_old_names(tmp_path / "reg", n=800, seed=11)
    ws = tmp_path / "tinh.gpkg"
    assert main(["import", "--kind", "communes", str(communes_path), "--workspace", str(ws)]) == 0
    assert main(["import", "--kind", "households", str(register), "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "dòng ghi tên xã trước năm 2020: xã được xác định theo tọa độ" in out
    assert "xã của mỗi hộ được xác định theo tọa độ" in out  # located against the imported boundaries
    households = Workspace.open(ws).read_layer("households")
    assert len(households) == 797
    communes = Workspace.open(ws).read_layer("communes_2020")
    located = gpd.sjoin(households[["household_id", "geometry"]], communes[["ma_xa", "geometry"]],
                        predicate="within")
    assert (located.set_index("household_id")["ma_xa"].groupby(level=0).first()
            .reindex(households["household_id"]).to_numpy() == households["ma_xa"].to_numpy()).mean() > 0.99


def test_zoning_map_wording_and_short_columns(tmp_path):
    path, expected = office.landslide_zoning_map(tmp_path)
    report = prepare(path, "hazards")
    assert (len(report.good), len(report.rejected)) == (600, 0)
    assert int((report.good["hazard_type"] == "landslide").sum()) == expected.sample["landslide"]
    assert int((report.good["level"] == 5).sum()) == expected.sample["level_5"]
    assert report.columns["LoaiTT"] == "hazard_type"


def test_single_hazard_map_asks_once_and_remembers(tmp_path, capsys):
    path, expected = office.single_hazard_map(tmp_path)
    with pytest.raises(ValueError, match="--hazard-type"):
        prepare(path, "hazards")
    report = prepare(path, "hazards", hazard_type="landslide")
    assert (len(report.good), len(report.rejected)) == (116, 4)
    assert report.unknown[["column", "value", "count"]].values.tolist() == [["level", "Chưa đánh giá", 4]]
    assert set(report.good["hazard_type"]) == {"landslide"}
    ws = tmp_path / "ws.gpkg"
    assert main(["import", "--kind", "hazards", str(path), "--hazard-type", "landslide",
                 "--value", "Chưa đánh giá=1", "--workspace", str(ws)]) == 0
    assert len(Workspace.open(ws).read_layer("hazard_zones")) == 120
    assert Workspace.open(ws).value_mappings() == {"Chưa đánh giá": "1"}
    capsys.readouterr()
    # the next import of such a file is not asked again
    assert main(["import", "--kind", "hazards", str(path), "--hazard-type", "landslide", "--workspace", str(ws),
                 "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "120 dòng hợp lệ, 0 dòng bị loại" in out and "'Chưa đánh giá' = 1" in out
    assert prepare(path, "hazards", hazard_type="landslide", **known_to(ws)).rejected.empty


def test_units_of_2025_by_code_with_names_typed_without_accents(tmp_path):
    path, expected = office.zones_2025_units(tmp_path)
    report = prepare(path, "communes")
    assert report.layer == "communes_2025"
    assert (report.kept, len(report.rejected)) == (56, 0)
    assert report.matches["how"].eq("code").all()
    assert report.good.set_index("ma_xa").loc["01273", "name_vi"] == "Thục Phán"


def test_refused_import_leaves_nothing_behind(tmp_path, capsys):
    bad = tmp_path / "ho.csv"
    bad.write_text("Mã hộ,Kinh độ,Vĩ độ\nH1,abc,22.6\nH2,,\n", encoding="utf-8")
    ws = tmp_path / "new.gpkg"
    assert main(["import", "--kind", "households", str(bad), "--workspace", str(ws)]) == 2
    assert "không có dòng hợp lệ" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho.csv"]  # no workspace, no lock file
    assert main(["import", "--kind", "hazards", str(bad), "--workspace", str(ws)]) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ho.csv"]


def test_report_language(tmp_path):
    path = tmp_path / "ho.csv"
    path.write_text("Mã hộ,Kinh độ,Vĩ độ,Hộ nghèo\nH1,106.25,22.66,Có\nH2,106.25,22.67,chắc chắn\nH1,106.2,22.6,0\n",
                    encoding="utf-8")
    vi, en = prepare(path, "households"), prepare(path, "households", lang="en")
    assert vi.rejected["reason"].tolist() == ["mã hộ H1 trùng (giữ dòng đầu tiên)"]
    assert en.rejected["reason"].tolist() == ["duplicate household id H1 (first occurrence kept)"]
    assert en.warnings["message"].tolist() == ["column 'poor': 'chắc chắn' not understood, taken as 'False'"]
    assert vi.good["poor"].tolist() == [True, False]
    mapped = prepare(path, "households", values={"chắc chắn": "có"})
    assert mapped.good["poor"].tolist() == [True, True] and mapped.warnings.empty


def test_commit_accepts_a_location_and_creates_the_workspace(tmp_path):
    path = tmp_path / "ho.csv"
    path.write_text("Mã hộ,Kinh độ,Vĩ độ\nH1,106.25,22.66\n", encoding="utf-8")
    report = prepare(path, "households")
    assert commit(report, tmp_path / "ws.gpkg", "cán bộ") == 1
    assert len(Workspace.open(tmp_path / "ws.gpkg").read_layer("households")) == 1
    frame = pd.DataFrame(report.good)
    assert shapely.get_type_id(frame.geometry.values).tolist() == [0]


def test_report_annex_goes_in_with_its_column_mapping_shown(bieu_02):  # noqa: F811
    report = prepare(bieu_02, "indicators", lang="en")
    # 20 values in the annex: 19 numbers, and one cell "đang cập nhật" listed with its row
    assert (len(report.good), len(report.rejected)) == (19, 1)
    assert report.rejected[["row", "code"]].values.tolist() == [[16, "not_number"]]
    assert report.matches[["column", "indicator_id", "year"]].values.tolist()[:2] == [["C", "2", 2020], ["D", "2", 2021]]
    annex_note = next(note for note in report.notes if note.startswith("report annex"))
    assert "Biểu 02!C -> 2 2020 (%), Biểu 02!D -> 2 2021 (%)" in annex_note and "Biểu 02!G -> 7 2025 (%)" in annex_note
    assert any("'Tỷ lệ hộ cận nghèo (%) / 2020'" in note for note in report.notes)  # not placed: said, not imported
    value = report.good.set_index(["indicator_id", "year"]).loc[("2", 2021)]
    assert 43.1 in value["value"].tolist()
    assert set(report.good["level"]) == {"commune"} and report.good["unit_code"].str.fullmatch(r"\d{5}").all()


def test_register_printed_as_a_form_with_title_rows(tmp_path):
    path, expected = office.register_printed_form(tmp_path)
    report = prepare(path, "households", crs="EPSG:9210")
    assert (report.rows_in, len(report.good), len(report.rejected)) == (expected.rows, expected.kept, 1)
    assert report.rejected[["row", "code"]].values.tolist() == [[expected.sample["signature_row"], "no_id"]]
    assert "tên cột ở dòng 4 (các dòng trên là tiêu đề)" in report.notes
    assert "STT" not in report.columns  # row numbers are not a hazard level, whatever they hold
    household, x, y = expected.sample["first"]
    point = report.good.set_index("household_id").loc[household, "geometry"]
    assert point.distance(shapely.Point(x, y)) < 0.1  # X was the northing: swapped
