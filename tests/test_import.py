"""Importing the province's own files: formats, VN-2000, legacy encodings, validation, workspace."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.cli import main
from geo.dataset import load
from geo.encodings import encode_tcvn3, encode_vni
from geo.hazards import changed_between
from geo.importer import commit, prepare
from geo.workspace import ReadOnlyWorkspace, Workspace

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    """300 demo households across the province, with their commune names (the truth to compare with)."""
    ds = load()
    homes = ds.households.sample(300, random_state=4).reset_index(drop=True)
    names = ds.communes(2020).set_index("ma_xa")
    people = ds.people().set_index("household_id")
    return homes.assign(commune=homes["ma_xa"].map(names["name_vi"]), district=homes["ma_xa"].map(names["district_vi"]),
                        head=homes["household_id"].map(people["head_name"]))


def _zip(folder: Path, stem: str, suffixes=(".shp", ".shx", ".dbf", ".prj")) -> Path:
    archive = folder / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for suffix in suffixes:
            member = folder / f"{stem}{suffix}"
            if member.exists():
                zf.write(member, member.name)
    return archive


def _provincial_shapefile(folder: Path, sample: gpd.GeoDataFrame, prj: bool = True) -> Path:
    """A Shapefile as a provincial GIS office makes it: VN-2000 / TM-3, TCVN3 text, no .cpg."""
    frame = gpd.GeoDataFrame(
        {"MA_HO": sample["household_id"], "CHU_HO": sample["head"].map(encode_tcvn3),
         "TEN_XA": sample["commune"].map(encode_tcvn3), "TEN_HUYEN": sample["district"].map(encode_tcvn3),
         "DAN_TOC": sample["ethnicity"].map(encode_tcvn3),
         "SO_KHAU": sample["members"].astype(int)},
        geometry=sample.geometry, crs="EPSG:9210")
    path = folder / "ho_dan.shp"
    pyogrio.write_dataframe(frame, path, encoding="cp1252")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    if not prj:
        path.with_suffix(".prj").unlink()
    return _zip(folder, "ho_dan")


@pytest.mark.parametrize("prj", [True, False])
def test_provincial_shapefile_tcvn3_without_cpg(tmp_path, sample, prj):
    report = prepare(_provincial_shapefile(tmp_path, sample, prj), "households")
    assert len(report.good) == len(sample) and report.rejected.empty, report.summary()
    assert any("TCVN3" in note for note in report.notes)
    good = report.good.set_index("household_id").loc[sample["household_id"]]
    assert (good["ethnicity"].to_numpy() == sample["ethnicity"].to_numpy()).all()  # "Tày", "H'Mông"...
    # Commune names were matched back to the official codes.
    assert (good["ma_xa"].to_numpy() == sample["ma_xa"].to_numpy()).mean() > 0.99
    distance = good.geometry.distance(sample.geometry.set_axis(good.index))
    assert distance.max() < 1.0  # within a metre of the truth
    if not prj:
        assert any("EPSG:9210" in note for note in report.notes)


def test_vni_table_and_xlsx_with_x_northing(tmp_path, sample):
    table = pd.DataFrame({"Mã hộ": sample["household_id"], "Xã": sample["commune"], "Huyện": sample["district"],
                          "Dân tộc": sample["ethnicity"],
                          "X": sample.geometry.y.round(3), "Y": sample.geometry.x.round(3)})  # X = northing
    # The whole table, headers included, typed with a VNI font and saved as 8-bit text.
    vni = table.map(lambda v: encode_vni(v) if isinstance(v, str) else v).rename(columns=encode_vni)
    csv = tmp_path / "vni.csv"
    csv.write_bytes(vni.to_csv(index=False).encode("cp1252"))
    report = prepare(csv, "households")
    assert len(report.good) == len(sample), report.summary()
    assert any("VNI" in note for note in report.notes)
    # the reading is told in the report's language: X read as the northing (Vietnamese survey order)
    assert any("x = tọa độ hướng bắc" in note.lower() for note in report.notes), report.notes
    good = report.good.set_index("household_id").loc[sample["household_id"]]
    assert (good["ethnicity"].to_numpy() == sample["ethnicity"].to_numpy()).all()
    assert good.geometry.distance(sample.geometry.set_axis(good.index)).max() < 1.0
    xlsx = tmp_path / "table.xlsx"
    table.to_excel(xlsx, index=False)
    report = prepare(xlsx, "households")
    assert len(report.good) == len(sample)
    assert report.good.geometry.distance(sample.geometry).max() < 1.0


def test_bad_rows_are_listed_and_good_rows_go_in(tmp_path, sample):
    rows = sample.head(8)
    lines = ["Mã hộ,Kinh độ,Vĩ độ,Xã,Số khẩu"]
    for r in rows.to_crs(4326).itertuples():
        lines.append(f"{r.household_id},{r.geometry.x:.6f},{r.geometry.y:.6f},{r.commune},{r.members}")
    lines += [
        f"{rows.household_id.iloc[0]},106.2,22.6,,3",  # duplicate id
        "BAD-1,abc,22.6,,3",  # not a number
        "BAD-2,105.85,21.03,,3",  # Hà Nội: outside the province
        "BAD-3,106.2,22.6,Xã Không Có,3",  # unknown commune
        "BAD-4,106.2,22.6,,0",  # members out of range
        "BAD-5,\"106,25\",\"22,66\",,2",  # decimal commas: fine
    ]
    path = tmp_path / "homes.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    report = prepare(path, "households", lang="en")
    assert len(report.good) == 11  # 8, the unknown commune and the bad member count (kept), the decimal commas
    reasons = dict(zip(report.rejected["row"], report.rejected["reason"]))
    assert len(reasons) == 3  # every bad row is listed, with its reason
    assert "duplicate household id" in reasons[10]
    assert "not a number" in reasons[11]
    assert "outside Cao Bằng" in reasons[12]
    warnings = dict(zip(report.warnings["row"], report.warnings["code"]))
    assert warnings == {13: "commune_unknown", 14: "members"}
    assert any("decimal commas" in note for note in report.notes)
    out = tmp_path / "rejects.csv"
    workspace = tmp_path / "ws.gpkg"
    assert main(["import", "--kind", "households", str(path), "--workspace", str(workspace),
                 "--rejects", str(out), "--by", "tester"]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 3
    history = Workspace.open(workspace).history()
    assert history.iloc[-1][["rows_in", "rows_rejected", "imported_by"]].tolist() == ["14", "3", "tester"]
    assert history.iloc[-1]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_dry_run_writes_nothing(tmp_path, sample, capsys):
    path = _provincial_shapefile(tmp_path, sample)
    workspace = tmp_path / "ws.gpkg"
    assert main(["import", "--kind", "households", str(path), "--workspace", str(workspace), "--dry-run"]) == 0
    assert "300 dòng hợp lệ" in capsys.readouterr().out and not workspace.exists()


@pytest.mark.parametrize("build, message", [
    ("traversal", "'..'"),
    ("truncated", "damaged"),
    ("bomb", "DOCTYPE"),
    ("fake", "claims to be"),
])
def test_hostile_or_broken_files_are_refused(tmp_path, capsys, build, message):
    if build == "traversal":
        path = tmp_path / "evil.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("../evil.shp", b"x")
    elif build == "truncated":
        path = tmp_path / "zones.gpkg"
        gpd.GeoDataFrame({"hazard_type": ["landslide"], "level": [4]},
                         geometry=[shapely.box(551000, 2506000, 552000, 2507000)], crs=9210).to_file(path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif build == "bomb":
        path = tmp_path / "zones.kml"
        path.write_text('<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
                        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><kml><Document>&b;</Document></kml>')
    else:
        path = tmp_path / "zones.gpkg"
        path.write_text("hazard_type,level\nlandslide,4\n")
    code = main(["import", "--kind", "hazards", str(path), "--workspace", str(tmp_path / "ws.gpkg")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "ws.gpkg").exists()
    assert not (tmp_path.parent / "evil.shp").exists()


def _zones(level: int) -> gpd.GeoDataFrame:
    ds = load()
    zones = ds.zones.head(200).copy()
    zones["level"] = np.where(np.arange(len(zones)) % 2 == 0, zones["level"], level)
    zones["hazard_type"] = zones["hazard_type"].map({"landslide": "sạt lở", "flash_flood": "lũ quét",
                                                     "tube_flood": "lũ ống"})
    return zones


def test_reimport_keeps_versions_and_lists_changed_households(tmp_path):
    workspace = Workspace.create(tmp_path / "ws.gpkg")
    for number, level in enumerate((2, 5), start=1):
        path = tmp_path / f"zones_v{number}.gpkg"
        _zones(level).to_file(path)
        version = commit(prepare(path, "hazards"), workspace, "tester")
        assert version == number
    assert workspace.versions("hazard_zones") == [1, 2]
    old, new = workspace.read_layer("hazard_zones", 1), workspace.read_layer("hazard_zones")
    assert (old["level"] != new["level"]).any()
    changed = changed_between(load().households, old, new)
    assert len(changed) > 0 and (changed["old_max_level"] != changed["new_max_level"]).any()


def test_demo_is_read_only_and_audit_trail(tmp_path, sample):
    with pytest.raises(ReadOnlyWorkspace):
        Workspace.open().write_layer("x", pd.DataFrame({"a": [1]}), "x", Path("x"), "", 1, 0)
    workspace = Workspace.create(tmp_path / "ws.gpkg")
    commit(prepare(_provincial_shapefile(tmp_path, sample), "households"), workspace)
    household = sample["household_id"].iloc[0]
    workspace.set_resettlement_status(household, "planned", "cán bộ A")
    workspace.set_resettlement_status(household, "moving", "cán bộ B")
    audit = workspace.audit()
    assert audit[["old_status", "new_status", "changed_by"]].values.tolist() == [
        ["not_planned", "planned", "cán bộ A"], ["planned", "moving", "cán bộ B"]]
    assert load(workspace.path).households.set_index("household_id").loc[household, "resettlement_status"] == "moving"


def test_killed_import_leaves_the_workspace_unchanged(tmp_path, sample):
    workspace = Workspace.create(tmp_path / "ws.gpkg")
    commit(prepare(_provincial_shapefile(tmp_path, sample), "households"), workspace)
    before = hashlib.sha256(workspace.path.read_bytes()).hexdigest()
    zones = tmp_path / "zones.gpkg"
    _zones(3).to_file(zones)
    # The import is killed (SIGKILL) at the very moment it would commit its transaction.
    script = (
        "import os, signal, sys; import geo.workspace as w\n"
        "w.os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)\n"
        "from geo.cli import main; sys.exit(main(sys.argv[1:]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, "import", "--kind", "hazards", str(zones),
                             "--workspace", str(workspace.path)], cwd=ROOT, capture_output=True)
    assert result.returncode == -9
    assert hashlib.sha256(workspace.path.read_bytes()).hexdigest() == before
    assert len(load(workspace.path).households) == len(sample)  # still readable
    assert main(["import", "--kind", "hazards", str(zones), "--workspace", str(workspace.path)]) == 0
    assert not list(tmp_path.glob(".ws.*.tmp.gpkg"))  # the stray copy was cleaned up


def test_real_2025_boundaries_import_and_assign_once(tmp_path, real_file):
    report = prepare(real_file("caobang_communes_2025.geojson"), "communes")
    assert report.layer == "communes_2025" and len(report.good) == 56 and report.rejected.empty, report.summary()
    workspace = Workspace.create(tmp_path / "ws.gpkg")
    commit(report, workspace)
    communes = load(workspace.path).communes(2025)
    assert sorted(communes["ma_xa"]) == sorted(report.good["ma_xa"])
    from geo.locate import assign_communes

    edges = shapely.get_coordinates(communes.boundary.values)[::7]
    rng = np.random.default_rng(1)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(edges[:, 0] + rng.normal(0, 5, len(edges)),
                                                          edges[:, 1] + rng.normal(0, 5, len(edges))), crs=9210)
    assigned = assign_communes(points, communes)
    assert assigned["ma_xa"].notna().all() and len(assigned) == len(points)


def test_indicator_tables_long_and_wide(tmp_path):
    wide = pd.DataFrame({"Mã xã": ["01267", "1270", "01273"], "Mã chỉ tiêu": ["8", "8", "8"],
                         "2020": ["80,5", "90", "120"], "2021": ["82", "", "85"]})
    path = tmp_path / "wide.xlsx"
    wide.to_excel(path, index=False)
    report = prepare(path, "indicators", lang="en")
    assert len(report.good) == 4 and len(report.rejected) == 1  # 120% is not a share
    assert "between 0 and 100" in report.rejected["reason"].iloc[0]
    assert set(report.good["unit_code"]) == {"01267", "01270", "01273"}  # "1270" padded to a GSO code
    assert report.good.loc[report.good["unit_code"] == "01267", "value"].tolist() == [80.5, 82.0]  # "80,5"
    long = tmp_path / "long.csv"
    long.write_text("ma_xa,indicator_id,year,numerator,denominator\n01267,2,2020,40,100\n01267,2,2031,30,100\n"
                    "01267,99,2021,1,2\n", encoding="utf-8")
    report = prepare(long, "indicators", lang="en")
    assert len(report.good) == 1
    assert sorted(report.rejected["code"]) == ["unknown_indicator", "year"]


@pytest.mark.parametrize("suffix", ["geojson", "fgb", "parquet", "kml", "kmz", "gpkg"])
def test_hazard_zones_in_every_format(tmp_path, suffix, capsys):
    zones = _zones(4).to_crs(4326)
    path = tmp_path / f"zones.{suffix}"
    if suffix == "parquet":
        zones.to_parquet(path)
    elif suffix == "kmz":
        kml = tmp_path / "doc.kml"
        pyogrio.write_dataframe(zones[["hazard_type", "level", "geometry"]], kml, driver="KML")
        with zipfile.ZipFile(path, "w") as zf:
            zf.write(kml, "doc.kml")
    elif suffix == "kml":
        pyogrio.write_dataframe(zones[["hazard_type", "level", "geometry"]], path, driver="KML")
    elif suffix == "gpkg":  # two layers: the user must choose one
        zones.to_file(path, layer="vung_nguy_co")
        zones.head(3).to_file(path, layer="khac")
    else:
        zones.to_file(path)
    if suffix == "gpkg":
        with pytest.raises(ValueError, match="choose one with --layer"):
            prepare(path, "hazards")
        report = prepare(path, "hazards", layer="vung_nguy_co")
    else:
        report = prepare(path, "hazards")
    assert len(report.good) == len(zones) and report.rejected.empty, report.summary()
    assert set(report.good["hazard_type"]) <= {"landslide", "flash_flood", "tube_flood"}
    area = report.good.geometry.area.sum() / zones.to_crs(9210).geometry.area.sum()
    assert abs(area - 1) < 1e-3


def test_cli_lists_households_whose_hazard_level_changed(tmp_path, sample, capsys):
    workspace = tmp_path / "ws.gpkg"
    assert main(["import", "--kind", "households", str(_provincial_shapefile(tmp_path, sample)),
                 "--workspace", str(workspace)]) == 0
    ds = load()
    for number, level in enumerate((1, 5), start=1):
        zones = ds.zones.copy()
        zones["level"] = level
        path = tmp_path / f"z{number}.gpkg"
        zones.to_file(path)
        assert main(["import", "--kind", "hazards", str(path), "--workspace", str(workspace)]) == 0
    out = tmp_path / "changed.csv"
    capsys.readouterr()
    assert main(["hazard-changes", "--workspace", str(workspace), "--out", str(out)]) == 0
    changed = pd.read_csv(out, encoding="utf-8-sig")  # headers in words, as every export
    old, new = (f"Mức nguy cơ cao nhất (phiên bản {when})" for when in ("cũ", "mới"))
    assert len(changed) > 0 and (changed[old] == 1).all() and (changed[new] == 5).all()
    assert "phiên bản 1 -> 2" in capsys.readouterr().out  # Vietnamese by default


def test_messy_household_rows_are_each_listed(tmp_path):
    """Excel habits and 2025 codes: each bad row is listed by its own line number, nothing crashes."""
    path = tmp_path / "messy.csv"
    path.write_text(
        "Mã hộ;Kinh độ;Vĩ độ;Mã xã;Xã;Số khẩu;Hộ nghèo;Ngày di dời;Tình trạng di dời\n"
        "12.0;106,25;22,66;1267;Sông Hiến;4;có;15/03/2024;resettled\n"
        "\n"  # a blank line: not a record, and later rows keep their own line numbers
        ";106.25;22.66;;;3;không;;not_planned\n"  # no id
        "H3;106.25;22.66;;;4.5;không;;not_planned\n"  # half a person
        "H4;106.25;22.66;;;2;?;;not_planned\n"  # not yes/no
        "H5;106.25;22.66;01273;Thục Phán;2;không;2024-03-16;resettled\n"  # a 2025 code
        "H6;106.25;22.66;;;2;không;2024-03-16;resettled\n",
        encoding="utf-8")
    report = prepare(path, "households", lang="en")
    reasons = dict(zip(report.rejected["row"], report.rejected["reason"]))
    assert reasons == {4: "no household id"}, report.summary()  # only the row that cannot be a household
    warnings = dict(zip(report.warnings["row"], report.warnings["message"]))
    assert set(warnings) == {5, 6}
    assert "whole number" in warnings[5] and "'?' not understood, taken as 'False'" in warnings[6]
    good = report.good.set_index("household_id")
    assert list(good.index) == ["12", "H3", "H4", "H5", "H6"]  # Excel's 12.0 is id 12
    assert pd.isna(good.loc["H3", "members"]) and good.loc["H5", "ma_xa_declared"] == "01273"
    assert good.loc["12", "ma_xa"] == "01267" and bool(good.loc["12", "poor"])
    assert str(good.loc["H6", "resettlement_date"].date()) == "2024-03-16"  # mixed date styles


def test_utf8_shapefile_without_cpg_and_mixed_csv_keep_their_text(tmp_path, sample):
    frame = gpd.GeoDataFrame({"MA_HO": sample["household_id"], "DAN_TOC": sample["ethnicity"]},
                             geometry=sample.geometry, crs="EPSG:9210")
    pyogrio.write_dataframe(frame, tmp_path / "utf8.shp", encoding="utf-8")
    (tmp_path / "utf8.cpg").unlink(missing_ok=True)
    report = prepare(_zip(tmp_path, "utf8"), "households")
    assert len(report.good) == len(sample)
    assert (report.good["ethnicity"].to_numpy() == sample["ethnicity"].to_numpy()).all()
    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes("Mã hộ,Kinh độ,Vĩ độ,Dân tộc\nA,106.25,22.66,Tày\n".encode("utf-8")
                      + b"B,106.25,22.66,N\xf9ng\n")  # one line saved as 8-bit text
    report = prepare(mixed, "households")
    assert report.good.set_index("household_id").loc["A", "ethnicity"] == "Tày"


def test_concurrent_writes_lose_nothing(tmp_path, sample):
    from concurrent.futures import ThreadPoolExecutor

    workspace = Workspace.create(tmp_path / "ws.gpkg")
    commit(prepare(_provincial_shapefile(tmp_path, sample), "households"), workspace)
    zones = tmp_path / "zones.gpkg"
    _zones(3).to_file(zones)
    report = prepare(zones, "hazards")
    ids = sample["household_id"].head(4).tolist()
    with ThreadPoolExecutor(4) as pool:
        jobs = [pool.submit(commit, report, workspace)] + [
            pool.submit(workspace.set_resettlement_status, h, "planned", f"officer {i}") for i, h in enumerate(ids)]
        for job in jobs:
            job.result()
    assert sorted(workspace.audit()["household_id"]) == sorted(ids)  # every edit kept
    assert workspace.versions("hazard_zones") == [1] and "metadata" in workspace.layers()
    homes = load(workspace.path).households.set_index("household_id")
    assert (homes.loc[ids, "resettlement_status"] == "planned").all()


def test_head_names_of_a_provincial_shapefile_go_to_household_people(tmp_path, sample):
    report = prepare(_provincial_shapefile(tmp_path, sample), "households")
    assert report.columns["CHU_HO"] == "head_name" and "head_name" not in report.good
    assert commit(report, tmp_path / "ws.gpkg", "tester") == 1
    ds = load(tmp_path / "ws.gpkg")
    assert "head_name" not in ds.households  # the layer holds no name
    people = ds.people().set_index("household_id")
    expected = sample.set_index("household_id")["head"]
    assert people.loc[expected.index, "head_name"].tolist() == expected.tolist()  # TCVN3 decoded, none lost
