"""Day one: a workspace built one import at a time through the import page, every page visited at every stage.

At each stage (nothing, households, + hazard zones, + sites, + indicator values
for two years, + a partial communes layer, + every commune) the admin, an
officer and a viewer open every page they are offered: no exception, no
incident, and exactly the "missing" sentences of the layers not imported yet.
"""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pytest
from apptest import APP, PASSWORD, login
from streamlit.testing.v1 import AppTest

from geo.access import Accounts
from geo.dataset import load
from geo.i18n import t
from geo.workspace import Workspace

COMMUNES = ["01267", "01270", "01273", "01279", "01303"]
#: The layers each page reports as missing, in the order it says so.
NEEDS = {"indicators": ["communes_2020", "indicator_values"],
         "risk": ["households", "hazard_zones", "communes_2020", "sites"]}


def _csv(frame: gpd.GeoDataFrame) -> bytes:
    points = frame.to_crs(4326)
    table = points.drop(columns="geometry").assign(lon=points.geometry.x.round(6), lat=points.geometry.y.round(6))
    return table.to_csv(index=False).encode("utf-8")


@pytest.fixture(scope="module")
def office_files() -> list[tuple[str, str, bytes, set[str]]]:
    """The province's layers as offices hand them over: (kind, file name, bytes, layers present after it)."""
    demo = load()
    households = demo.households.loc[demo.households["ma_xa"].isin(COMMUNES)]
    values = demo.values.loc[demo.values["year"].isin([2020, 2021]) & (demo.values["level"] == "commune")
                             & demo.values["numerator"].notna() & demo.values["denominator"].notna()]
    values = values.rename(columns={"unit_code": "Mã xã", "indicator_id": "Mã chỉ tiêu", "year": "Năm",
                                    "numerator": "Tử số", "denominator": "Mẫu số"})
    values = values[["Mã xã", "Mã chỉ tiêu", "Năm", "Tử số", "Mẫu số"]]
    communes = demo.communes(2020).to_crs(4326)
    return [
        ("households", "ho_dan.csv", _csv(households), {"households"}),
        ("hazards", "vung_nguy_co.geojson", demo.zones.to_crs(4326).to_json().encode(), {"hazard_zones"}),
        ("sites", "diem_tdc.csv", _csv(demo.sites), {"sites"}),
        ("indicators", "chi_tieu_2020_2021.csv", values.to_csv(index=False).encode("utf-8"), {"indicator_values"}),
        ("communes", "ranh_gioi_mot_phan.geojson", communes.iloc[:40].to_json().encode(), {"communes_2020"}),
        ("communes", "ranh_gioi_xa.geojson", communes.to_json().encode(), {"communes_2020"}),
    ]


@pytest.fixture
def empty_workspace(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "tinh.gpkg"
    accounts = Accounts(Workspace.create(path))
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "canbo", PASSWORD, "officer", communes=["01267"])
    accounts.add_user(admin, "xem", PASSWORD, "viewer")
    monkeypatch.setenv("GEO_WORKSPACE", str(path))
    return path


def _incidents(at: AppTest) -> list[str]:
    marker = t("incident", "vi", incident="", error="").split("(")[0]
    return [e.value for e in at.error if marker in e.value]


def _visit_every_page(name: str, present: set[str]) -> None:
    at = login(name)
    offered = at.sidebar.radio(key="view").options
    assert ("Nhập dữ liệu" in offered) == (name == "admin")
    for view, needs in NEEDS.items():
        at.sidebar.radio(key="view").set_value(view).run()
        where = f"{name} on {view} with {sorted(present)}"
        assert not at.exception, (where, at.exception)
        assert not _incidents(at), (where, _incidents(at))
        said = [w.value for w in at.warning if w.value.startswith("Kho chưa có")]
        expected = [layer for layer in needs if layer not in present]
        assert len(said) == len(expected), (where, said)
        for sentence, layer in zip(said, expected):
            assert sentence.startswith(t(f"missing_{layer}")), (where, sentence)
        if expected and name == "admin":  # a button to the import page for what is missing
            assert any(b.key == f"go-import-{expected[0]}" for b in at.button), where
    if name == "admin":
        at.sidebar.radio(key="view").set_value("import").run()
        assert not at.exception and not _incidents(at)


def _import(kind: str, file_name: str, data: bytes) -> AppTest:
    at = login("admin")
    at.sidebar.radio(key="view").set_value("import").run()
    at.selectbox(key="import-kind").set_value(kind).run()
    uploader = next(u for u in at.get("file_uploader") if u.key.startswith("upload-"))
    uploader.set_value((file_name, data, "application/octet-stream")).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    confirm = next(b for b in at.button if b.label == t("import_confirm"))
    confirm.click().run()
    assert not at.exception
    assert [s.value for s in at.success] and at.success[0].value.startswith("Đã nhập"), [e.value for e in at.error]
    return at


def test_every_page_renders_at_every_stage_for_every_role(empty_workspace, office_files):
    present: set[str] = set()
    for name in ("admin", "canbo", "xem"):
        _visit_every_page(name, present)
    for kind, file_name, data, layers in office_files:
        _import(kind, file_name, data)
        present |= layers
        for name in ("admin", "canbo", "xem"):
            _visit_every_page(name, present)
    status = load(empty_workspace).status().set_index("layer")
    assert status.loc["communes_2020", "version"] == "2"  # the partial layer kept as version 1
    assert status.loc["households", "file_name"] == "ho_dan.csv"
    assert status.loc["households", "imported_by"] == "admin"


def test_missing_layer_button_opens_the_import_page_on_its_kind(empty_workspace):
    at = login("admin")
    at.sidebar.radio(key="view").set_value("risk").run()
    at.button(key="go-import-hazard_zones").click().run()
    assert not at.exception
    assert at.sidebar.radio(key="view").value == "import"
    assert at.selectbox(key="import-kind").value == "hazards"


def test_workspace_status_panel_lists_every_layer_with_its_source(empty_workspace, office_files):
    kind, file_name, data, _ = office_files[0]
    _import(kind, file_name, data)
    at = login("admin")
    table = next(d.value for d in at.dataframe if "Lớp" in d.value.columns)
    rows = table.set_index("Lớp")
    assert rows.loc["hộ dân", "Có dữ liệu"] == "Có" and rows.loc["hộ dân", "Tệp nguồn"] == "ho_dan.csv"
    assert rows.loc["vùng nguy cơ", "Có dữ liệu"] == "Không"
    assert rows.loc["hộ dân", "Số dòng"] > 0
    captions = " ".join(c.value for c in at.caption)
    assert "Nguồn" in captions or at.sidebar.radio(key="view").value == "indicators"


def test_an_unexpected_failure_shows_an_incident_id_never_a_traceback(empty_workspace, monkeypatch, caplog):
    import ui.indicators

    def broken(*args, **kwargs):
        raise RuntimeError("boom at /srv/secret/path.py")

    monkeypatch.setattr(ui.indicators, "commune_status", broken)
    with caplog.at_level(logging.ERROR, logger="geo.incidents"):
        at = login("admin")
    assert not at.exception
    [shown] = _incidents(at)
    logged = [r for r in caplog.records if r.name == "geo.incidents"]
    assert logged and logged[-1].exc_info is not None  # the traceback is in the server log
    incident = logged[-1].getMessage().split()[1]
    assert f"Mã sự cố: {incident}" in shown
    assert "Traceback" not in shown and "File \"" not in shown
    assert at.sidebar.radio(key="view").value == "indicators"  # the rest of the app still works
    at.sidebar.radio(key="view").set_value("risk").run()
    assert not at.exception and not _incidents(at)


def test_shipped_config_hides_error_details():
    config = (Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'showErrorDetails = "none"' in config
