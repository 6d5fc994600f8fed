"""Measure the app: first page, redraws after a filter change, size of what the browser gets, memory.

Runs the real ``app.py`` headless with Streamlit's AppTest (server-side time,
no browser), then builds the same maps with ``geo.maps`` to report the size of
the HTML sent for each map, and the peak memory of this process. Then starts
the real server (``streamlit run``) on the demo data and opens the app in
headless Chromium, offline: time to the first drawn map as the browser sees it,
bytes received, and the server's peak memory (VmHWM of its process tree);
``--no-browser`` skips this part. Prints a table; ``--repeat`` runs of each
redraw, median shown. ``--compare`` runs the same on two git revisions (see
bench/_revisions.py).

    python bench/app.py [--repeat 5] [--no-browser] [--json] [--compare REV_A [REV_B]]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

from _revisions import Measure, run, target_root

ROOT = target_root()

from streamlit.testing.v1 import AppTest  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
DRAWN = ".leaflet-container path.leaflet-interactive, .leaflet-container canvas"
BODY_BYTES = ("performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))"
              ".reduce((total, entry) => total + entry.decodedBodySize, 0)")


def _timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


def _app_steps(repeat: int) -> list[Measure]:
    """Server-side seconds of the first run and of redraws after filter changes (AppTest)."""
    from geo.hazards import HAZARD_TYPES

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    measures = [Measure("first run of the app (cold: load data, flag)", "s", _timed(app.run))]
    indicator = {
        "indicator page: change indicator": lambda i: app.sidebar.selectbox(key="indicator").set_value(
            ["1", "2"][i % 2]).run(),
        "indicator page: change year": lambda i: app.sidebar.select_slider(key="year").set_value(2022 + i % 3).run(),
    }
    risk = {
        "risk page: change minimum level": lambda i: app.sidebar.select_slider(key="min_level").set_value(
            [3, 4][i % 2]).run(),
        "risk page: change hazard types": lambda i: app.sidebar.multiselect(key="types").set_value(
            [["landslide"], list(HAZARD_TYPES)][i % 2]).run(),
        "risk page: filter to one commune": lambda i: app.sidebar.multiselect(key="communes").set_value(
            [["01267"], []][i % 2]).run(),
    }
    for changes in (indicator, risk):
        if changes is risk:
            app.sidebar.radio(key="view").set_value("risk").run()
        for name, step in changes.items():
            measures.append(Measure(name, "s", statistics.median(_timed(partial(step, i)) for i in range(repeat))))
    return measures


def _map_sizes() -> list[Measure]:
    """kB of the HTML of each map sent to the browser."""
    from geo.dataset import load
    from geo.hazards import flag_register
    from geo.crs import with_lonlat
    from geo.maps import indicator_map, risk_map
    from geo.risk import filter_register
    from geo.status import commune_status

    ds = load()
    maps = {
        "indicator map, 161 communes": indicator_map(ds, commune_status(ds, "2", 2025), "t"),
        "indicator map, 56 units": indicator_map(ds, commune_status(ds, "2", 2025, "2025"), "t", "2025"),
    }
    flagged = with_lonlat(flag_register(ds.households, ds.zones, ds.communes(2020)))
    shown = filter_register(flagged, min_level=4)
    maps["risk map, province, level >= 4"] = risk_map(ds, shown, ds.sites, set(), min_level=4)
    one = filter_register(flagged, min_level=1, communes=["01267"])
    bounds = tuple(ds.communes(2020).query("ma_xa == '01267'").to_crs("EPSG:4326").total_bounds)
    maps["risk map, one commune, level >= 1"] = risk_map(ds, one, ds.sites, set(), min_level=1, bounds=bounds)
    return [Measure(f"HTML of the {name}", "kB", len(m.get_root().render().encode()) / 1024)
            for name, m in maps.items()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_memory_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a process plus that of its live descendants, MB."""
    total, pids = 0, [pid]
    while pids:
        proc = Path("/proc") / str(pids.pop())
        total += int(re.search(r"VmHWM:\s+(\d+)", (proc / "status").read_text())[1])
        for task in (proc / "task").iterdir():
            pids += [int(child) for child in (task / "children").read_text().split()]
    return total / 1024


def _in_browser(url: str) -> list[Measure]:
    """Open the app in headless Chromium, requests to other hosts aborted; time the first map and the risk map."""
    from playwright.sync_api import Route, WebSocket, sync_playwright

    from geo.i18n import t

    received = {"ws": 0}

    def local_only(route: Route) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    def count_frames(ws: WebSocket) -> None:
        ws.on("framereceived", lambda payload: received.update(ws=received["ws"] + len(payload)))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100})
            context.route("**/*", local_only)
            page = context.new_page()
            page.on("websocket", count_frames)
            frame = page.frame_locator(MAP_FRAME).first
            start = time.perf_counter()
            page.goto(url, wait_until="domcontentloaded")
            frame.locator(DRAWN).first.wait_for(timeout=180_000)
            measures = [Measure("browser: first map drawn after opening the page", "s", time.perf_counter() - start)]
            page.wait_for_load_state("networkidle")
            http = sum(each.evaluate(BODY_BYTES) for each in page.frames)
            measures += [Measure("browser: HTTP bodies of the first page (uncompressed)", "kB", http / 1024),
                         Measure("browser: websocket data received for the first page", "kB", received["ws"] / 1024)]
            start = time.perf_counter()
            page.get_by_text(t("view_risk", "vi")).first.click()
            frame.locator(".geo-legend").filter(has_text=t("risk_legend", "vi")).wait_for(timeout=180_000)
            frame.locator(DRAWN).first.wait_for(timeout=180_000)
            measures.append(Measure("browser: risk map drawn after switching page", "s", time.perf_counter() - start))
            return measures
        finally:
            browser.close()


def _server(workspace: Path) -> list[Measure]:
    """Start ``streamlit run app.py`` on the demo data, load the page in a browser; start time and peak memory."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "GEO_WORKSPACE": str(workspace),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            start = time.perf_counter()
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                        break
                except OSError:
                    if server.poll() is not None or time.perf_counter() - start > 120:
                        log.seek(0)
                        raise RuntimeError(f"the app server did not start:\n{log.read()[-3000:]}") from None
                    time.sleep(0.2)
            measures = [Measure("server: start until /_stcore/health answers", "s", time.perf_counter() - start)]
            with urllib.request.urlopen(url, timeout=10) as response:
                measures.append(Measure("server: page / (HTML)", "kB", len(response.read()) / 1024))
            measures += _in_browser(url)
            measures.append(Measure("server: peak memory (VmHWM of its processes)", "MB", _peak_memory_mb(server.pid)))
            return measures
        finally:
            server.terminate()
            server.wait(timeout=30)


def measure(args: argparse.Namespace) -> list[Measure]:
    """Every figure of the bench, on the demo data."""
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "none.gpkg"  # no workspace: the app shows the demo, without accounts
        os.environ["GEO_WORKSPACE"] = str(workspace)
        measures = _app_steps(args.repeat)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        measures += _map_sizes()
        measures.append(Measure("AppTest: peak memory of the bench process (max RSS)", "MB", peak))
        if args.browser:
            measures += _server(workspace)
    return measures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=True,
                        help="start the real server and open the app in headless Chromium (default: yes)")
    run(parser, measure, repeat=5)
