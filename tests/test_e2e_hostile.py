"""End to end with hostile data: the app in headless Chromium on a workspace holding :mod:`tests.hostile`.

An administrator opens both map pages; every tooltip of the map (communes,
hazard zones, resettlement sites, households) is opened and a few features are
clicked (streamlit-folium reads the clicked tooltip back). No dialog may fire,
no element a payload carries may exist in any frame, and the map must still
be drawn, with the hostile names shown as text.

The server and browser set-up follows tests/test_e2e.py (copied, not imported:
that module is edited on its own).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "mật khẩu dài đủ"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Chromium (Debian package 'chromium'): scripts/test does")
    pytest.skip("Chromium is not installed (apt-get install chromium); scripts/test installs it",
                allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is in requirements-dev.txt")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def _app_server(workspace: Path, log_name: str) -> Iterator[str]:
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


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app on a workspace holding the hostile corpus, with an administrator."""
    from geo.access import Accounts
    from geo.workspace import Workspace

    path, _ = hostile.build_workspace(tmp_path_factory.mktemp("hostile"))
    Accounts(Workspace.open(path)).create_first_admin("admin", PASSWORD)
    with _app_server(path, "e2e_hostile_server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--no-first-run", "--disable-sync", "--disable-quic"],
        )
        yield chromium
        chromium.close()


def _map_frame(page):
    return page.frame_locator("iframe[title='streamlit_folium.st_folium']").first


def _settled(page, marker) -> None:
    from playwright.sync_api import expect

    expect(marker).to_be_visible(timeout=90_000)
    expect(page.locator("[data-testid='stApp']")).to_have_attribute("data-test-script-state", "notRunning",
                                                                     timeout=90_000)
    expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=30_000)


#: Hovers every feature of the map as a mouse would (the event its layer's tooltip opens on), reads the
#: tooltip and looks for elements in it that a payload would make, then clicks up to ``n`` features of each kind (points: sites, households; shapes: communes, zones).
_OPEN_EVERYTHING = """([n, selectors]) => {
    const shown = [];
    const injected = [];
    const clicked = {};
    const visit = (layer, owner) => {
        if (layer.getTooltip && layer.getTooltip()) owner = layer;
        if (layer.eachLayer) { layer.eachLayer((child) => visit(child, owner)); return; }
        if (!owner || !(layer.getLatLng || layer.getBounds)) return;
        const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
        layer.fire('mouseover', {latlng: at}, true);
        layer.fire('mousemove', {latlng: at}, true);
        const tip = owner.getTooltip().getElement();
        if (tip) {
            shown.push(tip.textContent);
            injected.push(...selectors.filter((s) => tip.querySelector(s) !== null));
            if (tip.querySelector('script')) injected.push('script');
        }
        layer.fire('mouseout', {latlng: at}, true);
        const kind = layer.getLatLng ? 'point' : 'shape';
        clicked[kind] = (clicked[kind] || 0) + 1;
        if (clicked[kind] <= n) layer.fire('click', {latlng: at}, true);
    };
    window.map.eachLayer((layer) => visit(layer, null));
    return [shown, injected];
}"""

#: Elements the payloads would have created, in this frame.
_INJECTED = """([selectors, script]) => {
    const found = selectors.filter((s) => document.querySelector(s) !== null);
    if ([...document.querySelectorAll('script')].some((s) => s.textContent.includes(script))) found.push('script');
    return found;
}"""


def _folium_frame(page):
    for frame in page.frames:
        if "streamlit_folium" in frame.url or (frame.name and "streamlit_folium" in frame.name):
            return frame
    frames = [f for f in page.frames if f != page.main_frame and f.evaluate("() => !!window.map")]
    assert frames, "no map frame"
    return frames[0]


def test_hostile_names_are_text_on_every_map(hostile_server, browser):
    from playwright.sync_api import expect

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
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # An image "x" relative to the map frame: the request an <img src=x> would make, were it ever created.
    images: list[str] = []
    page.on("request", lambda r: images.append(r.url) if urlparse(r.url).path.endswith("/x") else None)
    try:
        page.goto(hostile_server, wait_until="domcontentloaded")
        _settled(page, page.get_by_role("button", name="Đăng nhập"))
        page.get_by_label("Tên đăng nhập").fill("admin")
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        sidebar = page.locator("[data-testid='stSidebar']")
        expect(sidebar.get_by_text("admin (quản trị)")).to_be_visible(timeout=60_000)
        main = page.locator("[data-testid='stMain']")
        seen: dict[str, list[str]] = {}
        for view, marker in (("Chỉ tiêu theo xã", "Các xã chậm nhất"),
                             ("Thiên tai và di dời dân cư", "Hộ trong vùng nguy cơ")):
            sidebar.get_by_text(view, exact=True).click()
            _settled(page, main.get_by_text(marker, exact=True).first)
            expect(page.locator("[data-testid='stException']"), view).to_have_count(0)
            expect(page.get_by_text("Mã sự cố"), view).to_have_count(0)
            leaflet = _map_frame(page)
            expect(leaflet.locator(".leaflet-container"), view).to_be_visible(timeout=60_000)
            expect(leaflet.locator(".geo-legend"), view).to_be_visible(timeout=60_000)
            if view == "Chỉ tiêu theo xã":  # communes drawn as SVG paths: hover one for real as well
                paths = leaflet.locator("path.leaflet-interactive")
                expect(paths.first).to_be_attached(timeout=60_000)
                assert paths.count() >= len(hostile.COMMUNES)
                paths.first.hover(force=True)
                paths.first.click(force=True)
            frame = _folium_frame(page)
            seen[view], injected = frame.evaluate(_OPEN_EVERYTHING, [3, hostile.INJECTED_SELECTORS])
            assert not injected, f"{view}: a tooltip holds injected elements: {sorted(set(injected))}"
            page.wait_for_timeout(1500)  # let an onerror or onload run, were there one
            _settled(page, main.get_by_text(marker, exact=True).first)  # the click's rerun is over
            for each in page.frames:
                found = each.evaluate(_INJECTED, [hostile.INJECTED_SELECTORS, hostile.INJECTED_SCRIPT])
                assert not found, f"{view}: injected elements in frame {each.url}: {found}"
            expect(page.locator("[data-testid='stException']"), view).to_have_count(0)
            expect(_map_frame(page).locator(".leaflet-container"), view).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / f"e2e_hostile_{'risk' if 'Thiên' in view else 'indicators'}.png"),
                            full_page=True)
        # The names are on the maps, as the characters they are.
        indicator_tips = "\n".join(seen["Chỉ tiêu theo xã"])
        risk_tips = "\n".join(seen["Thiên tai và di dời dân cư"])
        assert "</script><script>alert('hostile-close')</script>" in indicator_tips + risk_tips
        assert "<img src=x onerror=alert(document.domain)>" in risk_tips  # a site's name or id
        assert "{{ 7*7 }}" in risk_tips and "49jinja" not in indicator_tips + risk_tips  # a site id: not run
        assert hostile.LONG in risk_tips  # a 10 kB name, whole
        assert dialogs == [], f"dialogs fired: {dialogs}"
        assert images == [], f"an injected image was requested: {images[:3]}"
        assert outside == []
    finally:
        context.close()
