"""End to end with hostile data: the app in headless Chromium on a workspace holding :mod:`tests.hostile`.

An administrator opens both map pages; every tooltip of the map (communes,
hazard zones, resettlement sites, households) is opened and a few features are
clicked (streamlit-folium reads the clicked tooltip back). No dialog may fire,
no element a payload carries may exist in any frame, and the map must still
be drawn, with the hostile names shown as text.

The server and the offline browser are those of the other browser tests (:mod:`webapp`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile  # noqa: E402
from webapp import ARTIFACTS, app_server, chromium, map_frame, offline_page, require_chromium, settled  # noqa: E402

PASSWORD = "mật khẩu dài đủ"

require_chromium()


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The app on a workspace holding the hostile corpus, with an administrator."""
    from geo.access import Accounts
    from geo.workspace import Workspace

    path, _ = hostile.build_workspace(tmp_path_factory.mktemp("hostile"))
    Accounts(Workspace.open(path)).create_first_admin("admin", PASSWORD)
    with app_server(path, "e2e_hostile_server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


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

    page = offline_page(browser)
    outside = page.outside_requests
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # An image "x" relative to the map frame: the request an <img src=x> would make, were it ever created.
    images: list[str] = []
    page.on("request", lambda r: images.append(r.url) if urlparse(r.url).path.endswith("/x") else None)
    try:
        page.goto(hostile_server, wait_until="domcontentloaded")
        settled(page, page.get_by_role("button", name="Đăng nhập"))
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
            settled(page, main.get_by_text(marker, exact=True).first)
            expect(page.locator("[data-testid='stException']"), view).to_have_count(0)
            expect(page.get_by_text("Mã sự cố"), view).to_have_count(0)
            leaflet = map_frame(page)
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
            settled(page, main.get_by_text(marker, exact=True).first)  # the click's rerun is over
            for each in page.frames:
                found = each.evaluate(_INJECTED, [hostile.INJECTED_SELECTORS, hostile.INJECTED_SCRIPT])
                assert not found, f"{view}: injected elements in frame {each.url}: {found}"
            expect(page.locator("[data-testid='stException']"), view).to_have_count(0)
            expect(map_frame(page).locator(".leaflet-container"), view).to_be_visible()
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
        page.context.close()
