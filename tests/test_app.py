"""The Streamlit app, driven headless with Streamlit's AppTest (no browser)."""

from __future__ import annotations


import pandas as pd
import pytest
from apptest import APP, PASSWORD, login
from streamlit.testing.v1 import AppTest



def metrics(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


def count(text: str) -> int:
    """A count as the page shows it in Vietnamese (9.178)."""
    assert "," not in text, text
    return int(text.replace(".", ""))


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception, at.exception
    return at


def test_opens_on_demo_data_in_vietnamese(app):
    assert "Dữ liệu minh họa" in app.warning[0].value
    assert "Cao Bằng" in app.title[0].value
    cards = metrics(app)
    assert cards["Xã ra khỏi địa bàn ĐBKK"].endswith("(mục tiêu 62)")  # a count beside its target, never "of"
    assert app.sidebar.radio(key="view").value == "indicators"


def test_language_switch_changes_every_label(app):
    app.sidebar.radio(key="lang").set_value("en").run()
    assert not app.exception
    assert "Demo data" in app.warning[0].value
    assert "Communes leaving the ĐBKK list" in metrics(app)
    assert app.sidebar.selectbox(key="theme").format_func("education") == "Education and training"


def test_indicator_change_updates_table_and_profile(app):
    app.sidebar.selectbox(key="theme").set_value("education").run()
    app.sidebar.selectbox(key="indicator").set_value("14a").run()
    assert not app.exception
    ranked = app.dataframe[0].value
    assert len(ranked) == 161
    statuses = set(ranked.iloc[:, 5])
    assert {"Chậm tiến độ", "Đã đạt"} <= statuses
    app.selectbox(key="profile-2020").set_value("01267").run()
    profile = app.dataframe[1].value
    assert len(profile) == 30 and "14a" in set(profile["Mã chỉ tiêu"])
    assert profile.set_index("Mã chỉ tiêu").loc["14a", "Giá trị"].endswith("%")  # value with its unit


def test_units_switch_to_2025(app):
    app.sidebar.radio(key="units").set_value("2025").run()
    assert not app.exception
    assert len(app.dataframe[0].value) == 56


def test_risk_filters_update_counts(app):
    app.sidebar.radio(key="view").set_value("risk").run()
    assert not app.exception
    high = metrics(app)["Hộ trong vùng nguy cơ"]
    app.sidebar.select_slider(key="min_level").set_value(3).run()
    medium = metrics(app)["Hộ trong vùng nguy cơ"]
    assert count(medium) > count(high)
    app.sidebar.multiselect(key="types").set_value(["tube_flood"]).run()
    tube = count(metrics(app)["Hộ trong vùng nguy cơ"])
    assert 0 < tube < count(medium)
    app.sidebar.checkbox(key="at_risk_only").check().run()
    at_risk = count(metrics(app)["Hộ trong vùng nguy cơ"])
    assert at_risk <= tube
    table = app.dataframe[0].value
    assert len(table) == at_risk
    assert "head_name" not in table.columns  # personal fields never reach the page
    assert {"Mã hộ", "Tình trạng di dời", "Hộ nghèo"} <= set(table.columns)  # headers in Vietnamese
    assert set(table["Tình trạng di dời"]) <= {"Chưa có kế hoạch", "Đã có kế hoạch", "Đang di dời", "Đã di dời",
                                                "Đã ổn định tại chỗ", "–"}
    assert set(table["Hộ nghèo"]) <= {"Có", "Không"}
    assert any("DEMO-TDC" in e.value for e in app.error)  # misplaced sites are shown as errors


def test_risk_commune_filter(app):
    app.sidebar.radio(key="view").set_value("risk").run()
    app.sidebar.select_slider(key="min_level").set_value(1).run()
    app.sidebar.multiselect(key="communes").set_value(["01267"]).run()
    assert not app.exception
    table = app.dataframe[0].value
    assert set(table["Xã (theo tọa độ)"]) <= {"01267"}


def test_export_panels_prepare_then_offer_downloads(app):
    assert [b.label for b in app.button] == ["Chuẩn bị: tải bản đồ", "Chuẩn bị: tải bảng dữ liệu",
                                             "Chuẩn bị: tải tập bản đồ theo xã (pdf)"]
    assert not app.get("download_button")  # nothing is built until asked for
    app.button(key="indicator-data-prepare").click().run()
    assert not app.exception
    assert [b.label for b in app.get("download_button")] == ["Tải bảng dữ liệu"]
    app.sidebar.select_slider(key="year").set_value(2022).run()
    assert not app.get("download_button")  # the prepared file no longer matches the screen
    app.sidebar.radio(key="view").set_value("risk").run()
    assert not app.exception
    assert app.checkbox(key="personal").value is False  # personal fields only on request
    app.button(key="risk-map-prepare").click().run()
    assert not app.exception and [b.label for b in app.get("download_button")] == ["Tải bản đồ"]
    app.sidebar.multiselect(key="communes").set_value(["01303"]).run()
    app.button(key="risk-atlas-prepare").click().run()  # the chosen commune: one page
    assert not app.exception
    assert "Tải tập bản đồ theo xã (PDF)" in [b.label for b in app.get("download_button")]


@pytest.fixture
def province(tmp_path, monkeypatch):
    """A workspace made from a copy of the demo, with an import on record and one account per role."""
    import shutil

    from geo.access import Accounts
    from geo.demo import DEMO_PATH
    from geo.importer import commit, prepare
    from geo.workspace import Workspace

    path = tmp_path / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    workspace = Workspace.open(path)
    workspace.replace_table("import_history", pd.DataFrame(columns=["imported_at", "file_name", "sha256", "kind",
                                                                    "layer", "version", "rows_in", "rows_rejected",
                                                                    "imported_by"]))
    sites = tmp_path / "sites.csv"
    sites.write_text("Mã điểm,Tên điểm,Kinh độ,Vĩ độ\nS1,Nà Pài,106.25,22.66\nS2,Bó,abc,22.6\n", encoding="utf-8")
    commit(prepare(sites, "sites"), workspace, "admin")
    accounts = Accounts(workspace)
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "xem", PASSWORD, "viewer")
    accounts.add_user(admin, "canbo", PASSWORD, "officer", communes=["01267"])
    monkeypatch.setenv("GEO_WORKSPACE", str(path))
    return path


def test_no_accounts_means_demo_mode(tmp_path, monkeypatch):
    from geo.workspace import Workspace

    monkeypatch.setenv("GEO_WORKSPACE", str(Workspace.create(tmp_path / "ws.gpkg").path))
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert any("Chế độ minh họa" in i.value for i in at.info)
    assert "source" not in [r.key for r in at.sidebar.radio]  # the workspace is not offered
    assert "tạo tài khoản quản trị" in " ".join(m.value for m in at.sidebar.markdown).lower()


def test_admin_sees_import_history(province):
    at = login("admin")
    at.sidebar.radio(key="view").set_value("import").run()
    assert not at.exception
    frames = [d.value for d in at.dataframe]
    users = next(f for f in frames if "Tên đăng nhập" in f.columns)
    assert set(users["Tên đăng nhập"]) == {"admin", "xem", "canbo"} and "password_hash" not in users.columns
    assert set(users["Vai trò"]) == {"quản trị", "xem", "cán bộ"}  # roles in words
    history = next(f for f in frames if "Tệp nguồn" in f.columns and "Thời điểm nhập" in f.columns)
    assert history["Tệp nguồn"].tolist() == ["sites.csv"] and history["Số dòng bị loại"].tolist() == ["1"]


def test_admin_adds_a_planner_who_sees_counts_per_commune(province):
    at = login("admin")
    at.sidebar.radio(key="view").set_value("import").run()
    at.text_input(key="new-user").input("kehoach")
    at.text_input(key="new-password").input(PASSWORD)
    at.selectbox(key="new-role").set_value("planner")
    at.button(key="FormSubmitter:add-user-Thêm tài khoản").click().run()
    assert not at.exception
    planner = login("kehoach")
    planner.sidebar.radio(key="view").set_value("risk").run()
    assert not planner.exception
    counts = next(d.value for d in planner.dataframe if "Số hộ" in d.value.columns)
    assert list(counts.columns) == ["Mã xã", "Xã", "Số hộ"]  # counts, no household rows
    assert all("Mã hộ" not in d.value.columns for d in planner.dataframe)


def test_viewer_sees_counts_never_households(province):
    at = login("xem")
    assert "import" not in at.sidebar.radio(key="view").options
    at.sidebar.radio(key="view").set_value("risk").run()
    assert not at.exception
    # no household table, not even counts per commune
    assert not [d for d in at.dataframe if {"Mã hộ", "Số hộ"} & set(d.value.columns)]
    assert "personal" not in [c.key for c in at.checkbox]
    assert count(metrics(at)["Hộ trong vùng nguy cơ"]) > 0  # province totals only


def test_officer_sees_only_their_commune(province):
    at = login("canbo")
    at.sidebar.radio(key="view").set_value("risk").run()
    at.sidebar.select_slider(key="min_level").set_value(1).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="communes").options == ["Sông Hiến (01267)"]
    table = next(d.value for d in at.dataframe if "Mã hộ" in d.value.columns)
    assert len(table) > 0 and set(table["Xã (theo tọa độ)"]) == {"01267"}


def test_add_user_form_resets_and_the_list_refreshes(province):
    at = login("admin")
    at.sidebar.radio(key="view").set_value("import").run()
    at.text_input(key="new-user").input("canbo2")
    at.text_input(key="new-password").input(PASSWORD)
    at.selectbox(key="new-role").set_value("officer")
    at.multiselect(key="new-communes").set_value(["01267"])
    at.button(key="FormSubmitter:add-user-Thêm tài khoản").click().run()
    assert not at.exception and not at.error
    assert any("canbo2" in s.value and "cán bộ" in s.value for s in at.success)
    users = next(d.value for d in at.dataframe if "Tên đăng nhập" in d.value.columns)
    assert "canbo2" in set(users["Tên đăng nhập"])  # the list shows the new account at once
    # the form is empty again: the next account is not created with the previous role or communes
    assert at.text_input(key="new-user").value == ""
    assert at.selectbox(key="new-role").value == "viewer"
    assert at.multiselect(key="new-communes").value == []
    at.text_input(key="new-user").input("xem2")
    at.text_input(key="new-password").input(PASSWORD)
    at.button(key="FormSubmitter:add-user-Thêm tài khoản").click().run()
    from geo.access import Accounts
    from geo.workspace import Workspace

    created = Accounts(Workspace.open(province)).get("xem2")
    assert created.role == "viewer" and created.communes is None


def test_refusals_are_translated_on_the_page(province):
    at = login("admin")
    at.sidebar.radio(key="view").set_value("import").run()
    at.text_input(key="new-user").input("ngan")
    at.text_input(key="new-password").input("ngắn")
    at.button(key="FormSubmitter:add-user-Thêm tài khoản").click().run()
    assert [e.value for e in at.error] == ["mật khẩu cần ít nhất 10 ký tự"]
    at.sidebar.radio(key="lang").set_value("en").run()
    at.text_input(key="new-user").input("ngan")
    at.text_input(key="new-password").input("short")
    at.button(key="FormSubmitter:add-user-Add account").click().run()
    assert [e.value for e in at.error] == ["a password needs at least 10 characters"]


def test_admin_resets_a_password_and_a_user_changes_their_own(province):
    at = login("admin")
    at.sidebar.radio(key="view").set_value("import").run()
    at.selectbox(key="reset-user").set_value("xem")
    at.text_input(key="reset-password").input("mật khẩu mới đủ dài")
    at.button(key="FormSubmitter:reset-password-Đặt lại mật khẩu").click().run()
    assert not at.exception and any("xem" in s.value for s in at.success)
    from geo.access import AccessError, Accounts
    from geo.workspace import Workspace

    accounts = Accounts(Workspace.open(province))
    with pytest.raises(AccessError):
        accounts.login("xem", PASSWORD)
    viewer = login("canbo")
    viewer.sidebar.text_input(key="old-password").input(PASSWORD)
    viewer.sidebar.text_input(key="new-own-password").input("một mật khẩu khác hẳn")
    viewer.sidebar.button(key="FormSubmitter:change-password-Lưu").click().run()
    assert not viewer.exception and [s.value for s in viewer.sidebar.success] == ["Đã đổi mật khẩu"]
    assert accounts.login("canbo", "một mật khẩu khác hẳn")
    assert viewer.sidebar.radio(key="view").value == "indicators"  # still logged in after the change


def test_an_empty_selection_is_zeros_never_a_crash(province):
    """Hazards page, level 5, one commune with no household at that level: cards at 0, a sentence, no traceback."""
    at = login("canbo")
    at.sidebar.radio(key="view").set_value("risk").run()
    at.sidebar.multiselect(key="types").set_value(["tube_flood"])
    at.sidebar.select_slider(key="min_level").set_value(5)
    at.sidebar.multiselect(key="communes").set_value(["01267"]).run()
    assert not at.exception and not [e for e in at.error if "Mã sự cố" in e.value]
    cards = metrics(at)
    assert cards["Hộ trong vùng nguy cơ"] == "0" and cards["Còn cần để đạt 60%"] == "0"
    assert any("Không có hộ DTTS cư trú phân tán nào" in i.value for i in at.info)
