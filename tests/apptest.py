"""The app driven headless with Streamlit's AppTest: the script, the test accounts' password, a signed-in session."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
#: The password of every account the app tests create.
PASSWORD = "mật khẩu dài đủ"


def login(name: str, timeout: int = 180) -> AppTest:
    """The app after ``name`` signed in through the sidebar form (``GEO_WORKSPACE`` names the workspace)."""
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.sidebar.text_input(key="login-user").input(name)
    at.sidebar.text_input(key="login-password").input(PASSWORD)
    at.sidebar.button[0].click().run()
    assert not at.exception, at.exception
    return at
