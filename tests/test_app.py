"""The Streamlit app, driven headless with Streamlit's AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()


def test_app_opens_on_demo_data_in_vietnamese(app):
    assert not app.exception
    assert "Dữ liệu minh họa" in app.warning[0].value
    assert "Cao Bằng" in app.title[0].value


def test_language_switch_and_indicator_change(app):
    app.sidebar.radio[0].set_value("en").run()
    assert not app.exception
    assert "Demo data" in app.warning[0].value
    app.sidebar.selectbox[0].set_value("14a").run()
    assert not app.exception
    assert app.sidebar.selectbox[0].value == "14a"
