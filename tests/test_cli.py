"""The command line, run in-process on the demo data and on files written here."""

from __future__ import annotations

import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.catalogue import load_catalogue
from geo.cli import main
from geo.dataset import load
from geo.hazards import HAZARD_TYPES
from geo.status import province_summary


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def brute_force_levels(households: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> np.ndarray:
    """Reference: one zone at a time, every household tested (bounding box, then the polygon)."""
    x, y = households.geometry.x.to_numpy(), households.geometry.y.to_numpy()
    levels = np.zeros((len(households), len(HAZARD_TYPES)), int)
    for geom, kind, level in zip(zones.geometry.values, zones["hazard_type"], zones["level"]):
        minx, miny, maxx, maxy = geom.bounds
        near = np.flatnonzero((x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        inside = near[shapely.intersects_xy(geom, x[near], y[near])]
        column = HAZARD_TYPES.index(kind)
        levels[inside, column] = np.maximum(levels[inside, column], level)
    return levels


def test_indicators_lists_every_target(capsys):
    code, out, err = run(capsys, "indicators", "--year", "2024")
    assert code == 0
    lines = out.splitlines()[1:]
    ids = [line.split()[0] for line in lines]
    assert ids == list(load_catalogue())
    assert len(ids) >= 29
    assert "Dữ liệu minh họa" in err  # demo data is labelled


def test_indicators_english_and_csv(capsys, tmp_path):
    out_file = tmp_path / "ind.csv"
    code, out, _ = run(capsys, "indicators", "--lang", "en", "--out", str(out_file))
    assert code == 0 and "Poverty rate" in out
    table = pd.read_csv(out_file, encoding="utf-8-sig", dtype={"indicator_id": str})
    assert len(table) == len(load_catalogue())
    assert out_file.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM for Excel


def test_status_writes_one_row_per_commune(capsys, tmp_path):
    out_file = tmp_path / "s.csv"
    code, _, _ = run(capsys, "status", "--indicator", "2", "--year", "2023", "--out", str(out_file))
    assert code == 0
    table = pd.read_csv(out_file, dtype={"ma_xa": str}, encoding="utf-8-sig")
    assert len(table) == 161 and table["ma_xa"].str.len().eq(5).all()
    assert {"achieved", "on_track", "behind", "no_data"} <= set(table["status"])
    code, _, _ = run(capsys, "status", "--indicator", "2", "--year", "2023", "--units", "2025", "--out", str(out_file))
    assert code == 0 and len(pd.read_csv(out_file)) == 56


def test_flag_demo_matches_brute_force(capsys, tmp_path):
    ds = load()
    expected = brute_force_levels(ds.households, ds.zones)
    out_file = tmp_path / "flagged.csv"
    code, out, _ = run(capsys, "flag", "--out", str(out_file))
    assert code == 0
    flagged = pd.read_csv(out_file, dtype={"household_id": str, "ma_xa": str}, encoding="utf-8-sig")
    assert len(flagged) == len(ds.households)  # every household, with its levels
    in_zone = int((expected.max(axis=1) >= 1).sum())
    assert f"{in_zone:,} hộ trong vùng".replace(",", ".") in out and int(flagged["in_hazard"].sum()) == in_zone
    got = flagged.set_index("household_id")[[f"level_{t}" for t in HAZARD_TYPES]]
    want = pd.DataFrame(expected, index=ds.households["household_id"], columns=got.columns)
    assert got.equals(want.loc[got.index])
    assert (flagged["data_label"] == ds.label).all()  # demo results say so on every row
    assert flagged["ma_xa_located"].notna().all()
    code, out, _ = run(capsys, "flag", "--in-zones-only", "--out", str(out_file))
    assert code == 0 and len(pd.read_csv(out_file)) == in_zone


def test_flag_min_level_and_buffer(capsys, tmp_path):
    ds = load()
    high = int((brute_force_levels(ds.households, ds.zones).max(axis=1) >= 4).sum())
    out_file = tmp_path / "high.gpkg"
    code, _, _ = run(capsys, "flag", "--min-level", "cao", "--in-zones-only", "--out", str(out_file))
    assert code == 0 and len(gpd.read_file(out_file)) == high
    code, _, _ = run(capsys, "flag", "--min-level", "4", "--buffer-m", "100", "--in-zones-only", "--out", str(out_file))
    assert code == 0 and len(gpd.read_file(out_file)) > high


@pytest.fixture
def small_inputs(tmp_path):
    zones = gpd.GeoDataFrame(
        {"hazard_type": ["Sạt lở", "lũ quét"], "level": ["rất cao", "2"]},
        geometry=[shapely.box(106.20, 22.60, 106.30, 22.70), shapely.box(106.25, 22.60, 106.35, 22.70)],
        crs="EPSG:4326",
    )
    zones_path = tmp_path / "zones.geojson"
    zones.to_file(zones_path)
    homes = tmp_path / "homes.csv"
    homes.write_text("household_id,lon,lat\nA,\"106,22\",22.65\nB,106.27,22.65\nC,106.50,22.90\n", encoding="utf-8")
    return homes, zones_path


def test_flag_user_files(capsys, tmp_path, small_inputs):
    homes, zones = small_inputs
    out_file = tmp_path / "out.geojson"
    code, _, err = run(capsys, "flag", "--households", str(homes), "--hazards", str(zones), "--out", str(out_file))
    assert code == 0, err
    assert "hộ không được gán vào xã" in err  # no demo communes slipped in under real households
    result = gpd.read_file(out_file).set_index("household_id")
    assert result.loc["A", "level_landslide"] == 5 and result.loc["A", "level_flash_flood"] == 0
    assert result.loc["B", "hazard_types"] == "landslide;flash_flood"
    assert result.loc["C", "max_level"] == 0
    assert result.crs.to_epsg() == 4326
    assert "data_label" not in result
    assert "ma_xa_located" not in result or result["ma_xa_located"].isna().all()


def test_flag_refuses_to_mix_user_files_with_demo_data(capsys, small_inputs):
    homes, _ = small_inputs
    code, _, err = run(capsys, "flag", "--households", str(homes))
    assert code == 2 and "hãy cho cả --households và --hazards" in err


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda h, z: h.write_text("household_id,lon,lat\nA,abc,22.6\n"), "homes.csv: no good rows"),
        (lambda h, z: h.write_text("household_id,ten\nA,Nà Pài\n"), "no geometry and no coordinate columns"),
        (lambda h, z: z.write_text(z.read_text().replace("hazard_type", "kind").replace("Sạt lở", "x")
                                   .replace("lũ quét", "y")), "no hazard type column"),
        (lambda h, z: z.write_text("{not json"), "zones.geojson"),
    ],
)
@pytest.mark.parametrize("lang, prefix", [("vi", "lỗi: "), ("en", "error: ")])
def test_flag_bad_input_is_one_line_exit_2(capsys, small_inputs, tmp_path, edit, expected, lang, prefix):
    homes, zones = small_inputs
    edit(homes, zones)
    code, _, err = run(capsys, "flag", "--households", str(homes), "--hazards", str(zones),
                         "--out", str(tmp_path / "o.csv"), "--lang", lang)
    assert code == 2
    message = [line for line in err.splitlines() if line.startswith(prefix)]
    assert len(message) == 1
    assert lang == "vi" or expected in message[0]
    assert "Traceback" not in err


def test_flag_reads_user_files_as_an_import_does(capsys, small_inputs, tmp_path):
    """A bad row is left out and said, never the whole file; words and levels are read as an import reads them."""
    homes, zones = small_inputs
    homes.write_text("Mã hộ,Kinh độ,Vĩ độ\nA,106.22,22.65\nB,abc,22.6\nC,106.50,22.90\n", encoding="utf-8")
    out_file = tmp_path / "o.csv"
    code, _, err = run(capsys, "flag", "--households", str(homes), "--hazards", str(zones), "--out", str(out_file),
                       "--lang", "en")
    assert code == 0, err
    assert "homes.csv: Households, 3 rows read, 2 good, 1 rejected" in err
    assert "zones.geojson: Hazard zones, 2 rows read, 2 good, 0 rejected" in err
    result = pd.read_csv(out_file).set_index("household_id")
    assert list(result.index) == ["A", "C"] and result.loc["A", "level_landslide"] == 5


@pytest.mark.parametrize(
    "argv",
    [["status", "--indicator", "99"], ["status", "--indicator", "2", "--year", "2031"],
     ["flag", "--min-level", "extreme"], ["flag", "--buffer-m", "-5"], ["nonsense"],
     ["status", "--indicator", "2", "--dataset", "/no/such.gpkg"]],
)
def test_bad_arguments_exit_2(capsys, argv):
    code, _, err = run(capsys, *argv)
    assert code == 2
    message = [line for line in err.splitlines() if not line.startswith("#")]
    assert len(message) == 1 and message[0].startswith("lỗi: ")
    assert "Traceback" not in err
    code, _, err = run(capsys, *argv, "--lang", "en")
    assert code == 2 and err.strip().splitlines()[-1].startswith("error: ")


def test_resettlement_totals_add_up(capsys, tmp_path):
    out_file = tmp_path / "r.csv"
    code, out, err = run(capsys, "resettlement", "--out", str(out_file))
    assert code == 0
    assert "lỗi điểm tái định cư: DEMO-TDC-" in err  # the demo's two misplaced sites
    table = pd.read_csv(out_file, dtype={"unit": str}, encoding="utf-8-sig").set_index("unit")
    province, communes = table.loc["province"], table.drop(index="province")
    for column in ("at_risk", "done", "resettled", "stabilised", "in_progress",
                   "form_concentrated", "form_interspersed", "form_in_place"):
        assert communes[column].sum() == province[column], column
    assert province["done"] == province["resettled"] + province["stabilised"]
    assert f"cần bố trí {int(province['at_risk']):,} hộ".replace(",", ".") in out
    assert province["needed"] == max(int(np.ceil(0.6 * province["at_risk"])) - province["done"], 0)
    assert (table["data_label"] == load().label).all()


def _vi(text: str) -> str:
    """English separators swapped for Vietnamese ones, written out here rather than taken from geo.i18n."""
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def test_figures_follow_the_language(capsys, tmp_path):
    out_file = tmp_path / "r.csv"
    code, out, _ = run(capsys, "resettlement", "--out", str(out_file))
    assert code == 0
    province = pd.read_csv(out_file, dtype={"unit": str}, encoding="utf-8-sig").set_index("unit").loc["province"]
    at_risk, done = int(province["at_risk"]), int(province["done"])
    assert at_risk >= 1000  # so that the thousands separator shows
    share = f"{100 * done / at_risk:.1f}%"
    assert _vi(f"{at_risk:,} hộ") in out and _vi(share) in out and "nan" not in out
    assert "2025: " in out and "2.025" not in out  # years without separators
    code, out, _ = run(capsys, "resettlement", "--lang", "en")
    assert f"at risk {at_risk:,};" in out and share in out


def test_indicator_values_and_statuses_in_words(capsys):
    summary = province_summary(load(), 2024, "vi").set_index("indicator_id")
    code, out, _ = run(capsys, "indicators", "--year", "2024")
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("2 "))
    assert _vi(f"{summary.loc['2', 'value']:.1f}") in line and "Tình trạng" in out.splitlines()[0]
    assert "Đã đạt" in out and "Chậm tiến độ" in out
    assert "achieved" not in out and "on_track" not in out
    code, out, _ = run(capsys, "status", "--indicator", "2", "--year", "2023")
    assert code == 0 and "Chậm tiến độ" in out and "behind" not in out and "NaN" not in out
    assert "Mã xã" in out.splitlines()[0]
    code, out, _ = run(capsys, "status", "--indicator", "2", "--year", "2023", "--lang", "en")
    assert "Behind" in out and "Commune code" in out.splitlines()[0]


def test_flag_counts_and_levels_in_words(capsys):
    households = len(load().households)
    code, out, _ = run(capsys, "flag")
    assert code == 0 and out.startswith(_vi(f"{households:,}") + " hộ, ")
    assert "  mức 5 (Rất cao): " in out and "very_high" not in out
    code, out, _ = run(capsys, "flag", "--lang", "en")
    assert out.startswith(f"{households:,} households, ") and "  level 5 (Very high): " in out


def test_nothing_at_risk_is_said_in_a_sentence_never_nan(capsys):
    # no tube-flood zone of level 5 in Sông Hiến: nobody at risk under this filter
    code, out, _ = run(capsys, "resettlement", "--types", "tube_flood", "--min-level", "5", "--commune", "01267")
    assert code == 0 and "Không có hộ DTTS cư trú phân tán nào trong vùng nguy cơ theo bộ lọc này." in out
    assert "nan" not in out.lower() and "Xã: 01267" in out
    code, out, _ = run(capsys, "resettlement", "--types", "tube_flood", "--min-level", "5", "--commune", "01267",
                       "--lang", "en")
    assert "No scattered ethnic-minority household lies in a hazard zone under these filters." in out


def test_unexpected_error_is_one_line_or_a_traceback_with_debug(capsys, monkeypatch):
    import geo.status

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(geo.status, "province_summary", broken)
    monkeypatch.delenv("GEO_DEBUG", raising=False)
    code, out, err = run(capsys, "indicators")
    message = [line for line in err.splitlines() if not line.startswith("#")]
    assert code == 2 and out == ""
    assert message == ["lỗi: sự cố không lường trước (RuntimeError: boom); chạy lại với --debug để xem chi tiết"]
    assert "Traceback" not in err
    code, _, err = run(capsys, "indicators", "--lang", "en")
    assert code == 2 and err.splitlines()[-1].startswith("error: unexpected failure (RuntimeError: boom)")
    for argv in (["--debug", "indicators"], ["indicators", "--debug"]):
        with pytest.raises(RuntimeError, match="boom"):
            main(argv)
    monkeypatch.setenv("GEO_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        main(["indicators"])


def test_argument_errors_in_the_language(capsys):
    code, _, err = run(capsys, "status", "--indicator", "2", "--units", "2030")
    assert code == 2 and err.startswith("lỗi: python -m geo status: tham số --units: '2030' không phải lựa chọn hợp lệ")
    code, _, err = run(capsys, "status")
    assert code == 2 and "thiếu tham số bắt buộc: --indicator" in err
    code, _, err = run(capsys, "status", "--indicator", "2", "--units", "2030", "--lang", "en")
    assert code == 2 and err.startswith("error: python -m geo status: argument --units: invalid choice: '2030'")


def test_missing_file_named_in_the_language(capsys, tmp_path):
    code, _, err = run(capsys, "status", "--indicator", "2", "--dataset", str(tmp_path / "none.gpkg"))
    message = [line for line in err.splitlines() if not line.startswith("#")]
    assert code == 2 and len(message) == 1 and message[0].startswith("lỗi: ") and "none.gpkg" in message[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["indicators", "status", "flag", "resettlement", "export-map", "atlas",
                                     "export-data", "import", "hazard-changes", "copy-workspace", "demo"])
def test_every_command_has_lang_and_debug(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and "--lang {vi,en}" in out and "--debug" in out


def test_workspace_commands_speak_vietnamese(capsys, tmp_path):
    workspace = tmp_path / "ws.gpkg"
    code, out, _ = run(capsys, "copy-workspace", "demo", str(workspace))
    assert code == 0 and out.startswith("đã chép ") and "hazard_zones" in out
    code, out, err = run(capsys, "hazard-changes", "--workspace", str(workspace))
    assert code == 2 and err.startswith("lỗi: ") and "--from CŨ --to MỚI" in err and len(err.splitlines()) == 1
    code, out, err = run(capsys, "hazard-changes", "--workspace", str(workspace), "--lang", "en")
    assert code == 2 and err.startswith("error: ") and "--from OLD --to NEW" in err


def test_export_data_counts_rows_in_the_language(capsys, tmp_path):
    code, out, _ = run(capsys, "export-data", "--table", "households", "--out", str(tmp_path / "h.csv"))
    assert code == 0 and re.search(r"\(\d{1,3}(\.\d{3})+ dòng, không kèm thông tin cá nhân\)$", out.strip())
    code, out, _ = run(capsys, "export-data", "--table", "indicators", "--out", str(tmp_path / "i.csv"), "--lang", "en")
    assert code == 0 and out.strip().endswith("(161 rows, personal fields excluded)")


@pytest.fixture
def protected(tmp_path, monkeypatch):
    """A workspace copied from the demo, with an administrator and a viewer."""
    import shutil

    from geo.access import Accounts
    from geo.demo import DEMO_PATH
    from geo.workspace import Workspace

    path = tmp_path / "tinh.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    accounts = Accounts(Workspace.open(path))
    admin = accounts.create_first_admin("admin", "mật khẩu dài đủ")
    accounts.add_user(admin, "xem", "mật khẩu dài đủ", "viewer")
    monkeypatch.setenv("GEO_PASSWORD", "mật khẩu dài đủ")
    return path


@pytest.mark.parametrize("command", [
    ["flag", "--out", "{ws}"],
    ["export-data", "--table", "households", "--out", "{ws}"],
    ["resettlement", "--out", "{ws}"],
    ["status", "--indicator", "2", "--out", "{ws}"],
])
def test_no_command_writes_onto_a_workspace(capsys, protected, command):
    before = protected.read_bytes()
    argv = [a.replace("{ws}", str(protected)) for a in command]
    code, _, err = run(capsys, *argv, "--workspace", str(protected), "--user", "admin")
    assert code == 2 and "là kho dữ liệu" in err
    assert protected.read_bytes() == before  # byte for byte untouched


def test_demo_over_a_workspace_is_refused_and_over_a_file_needs_force(capsys, protected, tmp_path):
    before = protected.read_bytes()
    code, _, err = run(capsys, "demo", "--out", str(protected), "--force")
    assert code == 2 and "là kho dữ liệu" in err and protected.read_bytes() == before
    other = tmp_path / "old.gpkg"
    other.write_bytes(b"")
    code, _, err = run(capsys, "demo", "--out", str(other))
    assert code == 2 and "--force" in err


def test_outputs_are_checked_before_any_work(capsys, monkeypatch, tmp_path):
    import geo.risk

    def never(*args, **kwargs):
        raise AssertionError("the view was computed before the output folder was checked")

    monkeypatch.setattr(geo.risk, "risk_view", never)
    code, _, err = run(capsys, "export-data", "--table", "households", "--out", str(tmp_path / "no" / "f.csv"))
    assert code == 2 and "thư mục không tồn tại" in err


@pytest.mark.parametrize("make", [lambda p: p.mkdir(), lambda p: p.write_text("a,b\n"),
                                  lambda p: p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)])
def test_a_workspace_that_is_not_one_is_one_line(capsys, tmp_path, make):
    path = tmp_path / "kho.gpkg"
    make(path)
    code, _, err = run(capsys, "indicators", "--workspace", str(path))
    assert code == 2 and err.count("\n") == 1 and "không phải kho dữ liệu" in err and "DataSourceError" not in err
    assert "Warning" not in err


def test_copy_workspace_needs_an_administrator_of_the_source(capsys, protected, tmp_path):
    code, _, err = run(capsys, "copy-workspace", str(protected), str(tmp_path / "copy.gpkg"))
    assert code == 2 and not (tmp_path / "copy.gpkg").exists()
    code, _, err = run(capsys, "copy-workspace", str(protected), str(tmp_path / "copy.gpkg"), "--user", "xem")
    assert code == 2 and not (tmp_path / "copy.gpkg").exists()
    code, _, err = run(capsys, "copy-workspace", str(protected), str(tmp_path / "copy.gpkg"), "--user", "admin")
    assert code == 0, err


def test_officer_exports_and_other_communes_are_logged(capsys, protected, tmp_path):
    from geo.access import Accounts
    from geo.workspace import Workspace

    accounts = Accounts(Workspace.open(protected))
    accounts.add_user(accounts.get("admin"), "canbo", "mật khẩu dài đủ", "officer", communes=["01267"])
    base = ["--workspace", str(protected), "--user", "canbo"]
    code, _, err = run(capsys, "atlas", "--map", "risk", "--commune", "01303", *base, "--out", str(tmp_path / "a.pdf"))
    assert code == 2 and not (tmp_path / "a.pdf").exists()
    code, _, _ = run(capsys, "export-map", "--map", "risk", *base, "--out", str(tmp_path / "m.png"))
    assert code == 0
    code, _, _ = run(capsys, "flag", *base, "--out", str(tmp_path / "f.csv"))
    assert code == 0
    log = accounts.log()
    mine = log.loc[log["username"] == "canbo"]
    assert "refused" in set(mine["event"])
    exports = mine.loc[mine["event"] == "export", "detail"].tolist()
    assert any("risk map m.png" in d for d in exports) and any("flag f.csv" in d for d in exports)


def test_check_workspace_says_what_is_wrong_one_line_each(capsys, protected, tmp_path):
    code, out, _ = run(capsys, "check-workspace", str(protected))
    assert code == 0 and "không có lỗi" in out
    damaged = tmp_path / "hong.gpkg"
    damaged.write_bytes(protected.read_bytes()[:20_000])
    code, out, _ = run(capsys, "check-workspace", str(damaged), "--lang", "en")
    assert code == 1 and out.strip() and all(line.startswith(str(damaged)) for line in out.splitlines())


def test_atlas_shows_its_pages_on_stderr(capsys, tmp_path):
    code, out, err = run(capsys, "atlas", "--map", "indicator", "--commune", "01267", "--commune", "01303",
                         "--out", str(tmp_path / "a.pdf"))
    assert code == 0 and "(2 trang)" in out
    assert "\rtrang 1/2\rtrang 2/2\n" in err  # one line, rewritten after each page
    code, _, err = run(capsys, "atlas", "--map", "indicator", "--commune", "01267", "--lang", "en",
                       "--out", str(tmp_path / "e.pdf"))
    assert code == 0 and "\rpage 1/1\n" in err and "trang" not in err
