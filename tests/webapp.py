"""The real app served on a free port and opened in headless Chromium with the network cut off (browser tests).

Every request the browser makes to any host other than the app's own is aborted
and recorded in ``page.outside_requests``, so a test can fail on it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def require_chromium() -> None:
    """Skip the calling test module without Chromium, saying why (CI must have it: scripts/test installs it)."""
    if not Path(CHROMIUM).exists() or not shutil.which("chromium"):
        if os.environ.get("CI"):
            raise RuntimeError("CI must install Chromium (Debian package 'chromium'): scripts/test does")
        pytest.skip("Chromium is not installed (apt-get install chromium); scripts/test installs it",
                    allow_module_level=True)
    pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_server(workspace: Path, log_name: str) -> Iterator[str]:
    """Run the real app on a free port with ``GEO_WORKSPACE=workspace``; yield its URL."""
    port = _free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / log_name
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
             "--server.headless", "true", "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "GEO_WORKSPACE": str(workspace)},
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            process.kill()
            pytest.fail(f"the app did not start within 90 s; see {log_path}")
        try:
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


@contextmanager
def chromium() -> Iterator:
    """A headless Chromium that makes no request of its own (updates, sync, QUIC)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        yield browser
        browser.close()


def offline_page(browser):
    """A page in a fresh browser context whose requests to any other host are aborted and recorded."""
    context = browser.new_context(viewport={"width": 1500, "height": 1100}, locale="vi-VN")
    outside: list[str] = []

    def only_local(route):
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.outside_requests = outside
    return page


def map_frame(page):
    """The st_folium map's frame."""
    return page.frame_locator("iframe[title='streamlit_folium.st_folium']").first


def settled(page, marker) -> None:
    """Wait until ``marker`` (something only the page asked for shows) is visible and the script run is over."""
    from playwright.sync_api import expect

    expect(marker).to_be_visible(timeout=90_000)
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning",
                                                                     timeout=90_000)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=30_000)  # the previous page is gone
