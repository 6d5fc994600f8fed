"""The app in headless Chromium for the benches: offline contexts, bytes received, "new map drawn", the controls.

Async Playwright API: one Chromium, any number of contexts driven at once with
``asyncio.gather``. Requests to any host but the app's own fail (Chromium's
host resolver), so nothing is fetched from a CDN and the HTTP cache works as
in a real browser. Every sidebar widget is found by its Streamlit key (the
``st-key-<key>`` class), so the controls work in either language; so is the
login form (:func:`sign_in`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial

from playwright.async_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Request,
    WebSocket,
    async_playwright,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic",
                 "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1"]
TIMEOUT_MS = 180_000
GIVE_UP_MS = 20_000  # idle after a run, the map not redrawn: the change changed nothing on the map

# Counts the script runs of the page (the app's ``data-test-script-state`` turning to "running"), top frame only.
_COUNT_RUNS = """
if (window.top === window) {
  window.__benchRuns = 0;
  new MutationObserver(records => {
    for (const r of records)
      if (r.target.getAttribute('data-test-script-state') === 'running' && r.oldValue !== 'running')
        window.__benchRuns++;
  }).observe(document, {subtree: true, attributes: true, attributeOldValue: true,
                        attributeFilter: ['data-test-script-state']});
}
"""

# The map frames as the page sees them (their documents have the page's origin, so they are readable). With
# ``mark``, each frame's document keeps its current ``data-geo-drawn`` value, to be told apart from a later one.
_MAP_STATE = """
mark => {
  const frames = [...document.querySelectorAll("iframe[title='streamlit_folium.st_folium']")].map(frame => {
    const doc = frame.contentDocument, root = doc && doc.documentElement;
    const drawn = root ? root.getAttribute('data-geo-drawn') : null;
    if (mark && doc) doc.__benchDrawn = drawn;
    return {
      drawn: drawn,
      redrawn: drawn !== null && (doc.__benchDrawn === undefined || drawn !== doc.__benchDrawn),
      layer: !!(root && doc.querySelector('.leaflet-container path.leaflet-interactive, .leaflet-container canvas')),
    };
  });
  const app = document.querySelector("[data-testid='stApp']");
  const running = document.querySelector(
    "[data-testid='stStatusWidgetRunningIcon'], [data-testid='stStatusWidgetRunningManIcon']");
  return {
    marked: frames.some(f => f.drawn !== null),
    redrawn: frames.some(f => f.redrawn),
    layers: frames.length > 0 && frames.every(f => f.layer),
    idle: !!app && app.getAttribute('data-test-script-state') === 'notRunning' && !running,
    runs: window.__benchRuns || 0,
  };
}
"""


class NotRedrawn(RuntimeError):
    """A change after which the app marked no new drawing of the map."""


async def map_drawn(page: Page, before: dict | None) -> None:
    """Wait until the map shows a new drawing: the first one (``before`` None) or the next one after ``before``.

    ``before`` is :func:`map_before` read just before the change. When the app
    marks its drawings (the map frame's ``<html>`` has a ``data-geo-drawn``
    attribute, set after each redraw of the data layers to a value that
    changes with the drawing), a new drawing is a value that is not the one
    its frame's document had at ``before``: a redraw in place, or a new map
    frame (document) drawn. Older revisions have no mark: a new drawing is
    then the end of a script run that started after ``before`` (the app idle
    again: not "running", no running icon in the status widget) with a
    Leaflet layer (a vector path or a canvas) drawn in every map frame on the
    page. Frames the run replaced are gone by then (streamlit-folium keys a
    map by its script: a changed map is a new frame), so the layer seen is the
    new map's. The first drawing is whichever comes first. A change that
    leaves the marked drawing as it was (the run over and the app idle for
    :data:`GIVE_UP_MS` without a redraw) raises :class:`NotRedrawn`, not a wait to the timeout.
    """
    outcome = await page.wait_for_function(
        f"""([before, giveUp]) => {{
          const s = ({_MAP_STATE})(false), now = performance.now();
          if (before === null) return s.marked || (s.idle && s.layers);
          if (!before.marked) return s.runs > before.runs && s.idle && s.layers;
          if (s.redrawn) return true;
          window.__benchOverAt = s.runs > before.runs && s.idle ? window.__benchOverAt || now : null;
          return window.__benchOverAt !== null && now - window.__benchOverAt > giveUp ? 'not redrawn' : false;
        }}""", arg=[before, GIVE_UP_MS], polling=50, timeout=TIMEOUT_MS)
    if await outcome.json_value() == "not redrawn":
        raise NotRedrawn(f"the change left the map as it was (no redraw {GIVE_UP_MS / 1000:.0f} s after the run)")


async def settled(page: Page, quiet_ms: int = 500) -> None:
    """Wait until the app has been idle (no script run) for ``quiet_ms``: a map that reports its bounds
    after drawing may start another run shortly after the first one ends."""
    await page.wait_for_function(
        f"""quiet => {{
          const now = performance.now();
          if (!({_MAP_STATE})(false).idle) window.__benchIdleSince = null;
          else window.__benchIdleSince = window.__benchIdleSince || now;
          return window.__benchIdleSince !== null && now - window.__benchIdleSince >= quiet;
        }}""", arg=quiet_ms, polling=50, timeout=TIMEOUT_MS)


async def map_before(page: Page) -> dict:
    """The map's state before a change, for :func:`map_drawn` (marks each map frame's current drawing)."""
    return await page.evaluate(f"({_MAP_STATE})(true)")


@dataclass
class Traffic:
    """Bytes a browser context received: websocket frames and HTTP response bodies (as sent, maybe compressed)."""

    websocket: int = 0
    http: int = 0
    _pending: set[asyncio.Task] = field(default_factory=set)

    def watch(self, context: BrowserContext) -> None:
        """Count what ``context``'s pages receive from now on."""
        context.on("requestfinished", self._request)
        context.on("page", lambda page: page.on("websocket", self._websocket))

    def _websocket(self, ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: setattr(
            self, "websocket", self.websocket + len(payload if isinstance(payload, bytes) else payload.encode())))

    def _request(self, request: Request) -> None:
        task = asyncio.ensure_future(self._add_body(request))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _add_body(self, request: Request) -> None:
        self.http += max((await request.sizes())["responseBodySize"], 0)

    async def total(self) -> int:
        """Bytes received so far (once the sizes of finished requests are known)."""
        await asyncio.gather(*self._pending, return_exceptions=True)
        return self.websocket + self.http


@dataclass
class Session:
    """One browser context on the app: its page and what it received."""

    page: Page
    traffic: Traffic

    async def open(self, url: str) -> tuple[float, int]:
        """Open the app: seconds to its first map drawn, and bytes received until the app is settled."""
        start = time.perf_counter()
        await self.page.goto(url, wait_until="commit")
        await map_drawn(self.page, None)
        seconds = time.perf_counter() - start
        await settled(self.page)
        return seconds, await self.traffic.total()

    async def new_page(self) -> None:
        """Close the page and take a new one in the same context: a user coming back, the browser's cache (and
        cookies) of the visits before kept, a new session of the app."""
        context = self.page.context
        await self.page.close()
        self.page = await context.new_page()

    async def reopen(self, url: str) -> tuple[float, int]:
        """Open the app in a new page of the same context (:meth:`new_page`): seconds to the first map drawn,
        bytes received."""
        await self.new_page()
        received = await self.traffic.total()
        seconds, total = await self.open(url)
        return seconds, total - received

    async def change(self, action: Callable[[], Awaitable[object]]) -> tuple[float, int]:
        """Seconds from the change (``action``, once the app is settled) to the new map drawn; bytes received
        from ``action`` until the app is settled again.

        An ``action`` that returns a :data:`Commit` has only prepared the change (opened a list, focused a
        field): the seconds run from the commit (the click on an option, the key pressed), as a user sees them.
        """
        await settled(self.page)
        before = await map_before(self.page)
        received = await self.traffic.total()
        start = time.perf_counter()
        commit = await action()
        if callable(commit):
            start = time.perf_counter()
            await commit()
        await map_drawn(self.page, before)
        seconds = time.perf_counter() - start
        await settled(self.page)
        return seconds, await self.traffic.total() - received


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium that reaches only the local host and makes no request of its own."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def session(browser: Browser) -> AsyncIterator[Session]:
    """A fresh browser context (empty cache, no cookies) with one page, its traffic counted."""
    context = await browser.new_context(viewport={"width": 1500, "height": 1100}, locale="vi-VN")
    try:
        await context.add_init_script(_COUNT_RUNS)
        traffic = Traffic()
        traffic.watch(context)
        yield Session(await context.new_page(), traffic)
    finally:
        await context.close()


# --- The sidebar's controls, by widget key; ``i`` counts the changes of one control: even moves away, odd back. --
# Each prepares its change and returns the step that makes it (a Commit), or makes it at once (returns None).

Commit = Callable[[], Awaitable[object]]

def _widget(page: Page, key: str):
    return page.locator(f"[data-testid='stSidebar'] .st-key-{key}").first


async def choose_other(page: Page, i: int, key: str) -> Commit:
    """Selectbox ``key``: open it; the commit picks the first option other than the current one."""
    box = _widget(page, key).get_by_role("combobox")
    current = await box.input_value()
    await box.click()
    option = page.get_by_role("option").filter(has_not_text=current).first
    await option.wait_for()
    return option.click


async def slide(page: Page, i: int, key: str) -> Commit:
    """(Select) slider ``key``: focus it; the commit moves it one step left, then back right."""
    thumb = _widget(page, key).locator("input[type='range']")
    await thumb.focus()
    return partial(thumb.press, "ArrowLeft" if i % 2 == 0 else "ArrowRight")


async def other_radio(page: Page, i: int, key: str) -> None:
    """Radio ``key``: click the first option that is not selected."""
    await _widget(page, key).locator("[data-testid='stRadioOption']:not([data-selected='true'])").first.click()


async def type_number(page: Page, i: int, key: str, value: int) -> Commit:
    """Number input ``key``: type ``value``, then 0; the commit presses Enter."""
    field = _widget(page, key).locator("input")
    await field.fill(str(value if i % 2 == 0 else 0))
    return partial(field.press, "Enter")


async def _add_option(page: Page, key: str) -> Commit:
    await _widget(page, key).get_by_role("combobox").click()
    option = page.locator("[role='option']:not([data-key^='__'])").first  # not "Select all" (__select_all__)
    await option.wait_for()

    async def pick() -> None:
        await option.click()
        await page.keyboard.press("Escape")
    return pick


async def _remove_last(page: Page, key: str) -> None:
    await _widget(page, key).locator("button[aria-label^='Remove ']").last.click()


async def toggle_one(page: Page, i: int, key: str) -> Commit | None:
    """Multiselect ``key``, empty at first: add an option, then remove it."""
    return await (_add_option if i % 2 == 0 else _remove_last)(page, key)


async def drop_one(page: Page, i: int, key: str) -> Commit | None:
    """Multiselect ``key``, full at first: remove its first value, then add it back (it comes back last)."""
    if i % 2:
        return await _add_option(page, key)  # the only option left
    tags = _widget(page, key).locator("button[aria-label^='Remove ']")
    await (tags.first if i == 0 else tags.last).click()
    return None


async def sign_in(page: Page, i: int, username: str, password: str) -> None:
    """The sidebar's login form (widgets ``login-user``, ``login-password``): fill it in and submit it."""
    await _widget(page, "login-user").locator("input").fill(username)
    await _widget(page, "login-password").locator("input").fill(password)
    form = page.locator("[data-testid='stSidebar'] [data-testid='stForm']:has(.st-key-login-user)")
    await form.locator("[data-testid='stFormSubmitButton'] button").click()


async def select(page: Page, box: Locator, option: str) -> None:
    """Selectbox ``box`` (anywhere on the page): type ``option`` and pick the option of exactly that text."""
    await box.get_by_role("combobox").click()
    await page.keyboard.type(option)
    await page.get_by_role("option", name=option, exact=True).first.click()


async def metric(page: Page, label: str) -> str:
    """The value of the metric card labelled ``label``."""
    card = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return await card.locator("[data-testid='stMetricValue']").inner_text()
