"""Measure the app: first map, redraw after each control, bytes the browser receives, server CPU and memory.

Three parts, on the demo data (no workspace, no login):

* AppTest (``--app``, default on): server-side seconds of the first run and of
  a few filter changes, with Streamlit's AppTest (no browser); the size of the
  HTML of each map as ``geo.maps`` builds it; this process's peak memory.
* One browser (``--browser``, default on): the real server (``streamlit run``)
  and headless Chromium, offline (requests to other hosts fail). Seconds to the
  first map drawn after opening the page, on a cold server and again in a
  second fresh browser context (warm server); then for every control of both
  pages, in order, the seconds from the change to the new map drawn (median of
  ``--repeat`` changes, alternating between two values) and the kB received
  (websocket frames and HTTP response bodies, until the app is idle again).
  Indicator page: indicator, year, units; risk page: hazard types, minimum
  level, buffer, commune, ethnicity, resettlement status; then the language.
  ``--no-controls`` keeps only the first map. How "new map drawn" is told is in
  ``bench/_browser.py`` (:func:`map_drawn`).
* Concurrent sessions (``--sessions N [N ...]``): on a fresh server, one visit
  first, then for each N, ``--rounds`` rounds of N browser contexts at once,
  each doing the same visit (open the page, switch to the risk page, move the
  level slider once). Per N: server CPU-seconds per visit, median and max wait
  of each step, the server's peak memory (VmHWM, reset before each N) and its
  memory ``--settle`` seconds after each round (VmRSS, no browser connected),
  beside its memory after the first visit.

Prints a table; ``--json`` prints the figures as JSON; ``--compare REV_A [REV_B]``
runs the same on two git revisions (see bench/_revisions.py).

    python bench/app.py [--repeat 3] [--no-app] [--no-browser] [--no-controls]
                        [--sessions 1 5 10] [--rounds 1] [--settle 10] [--json] [--compare REV_A [REV_B]]
"""

from __future__ import annotations

import argparse
import asyncio
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
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import _browser as browser
from _revisions import Measure, run, target_root
from streamlit.testing.v1 import AppTest

ROOT = target_root()


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _timed(step: Callable[[], object]) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


# --- AppTest: server side only -------------------------------------------------------------------------------------

def _app_steps(repeat: int) -> list[Measure]:
    """Server-side seconds of the first run and of redraws after filter changes (AppTest)."""
    from geo.hazards import HAZARD_TYPES

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    measures = [Measure("AppTest: first run of the app (cold: load data, flag)", "s", _timed(app.run))]
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
            _progress(f"AppTest: {name}")
            seconds = statistics.median(_timed(partial(step, i)) for i in range(repeat))
            measures.append(Measure(f"AppTest: {name}", "s", seconds))
    return measures


def _map_sizes() -> list[Measure]:
    """kB of the HTML of each map sent to the browser."""
    from geo.crs import with_lonlat
    from geo.dataset import load
    from geo.hazards import flag_register
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
    return [Measure(f"AppTest: HTML of the {name}", "kB", len(_html(m).encode()) / 1024) for name, m in maps.items()]


def _html(web_map: object) -> str:
    """A map as one standalone HTML page: a folium map, or a map in parts that renders itself (``html()``)."""
    return web_map.html() if hasattr(web_map, "html") else web_map.get_root().render()


# --- The real server ---------------------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running ``streamlit run app.py``: its URL and its process (CPU and memory of its process tree)."""

    url: str
    process: subprocess.Popen
    started: float  # seconds until /_stcore/health answered

    def _tree(self) -> list[Path]:
        procs, pids = [], [self.process.pid]
        while pids:
            proc = Path("/proc") / str(pids.pop())
            procs.append(proc)
            for task in (proc / "task").iterdir():
                pids += [int(child) for child in (task / "children").read_text().split()]
        return procs

    def cpu_seconds(self) -> float:
        """User and system CPU-seconds of the server and its children, living or waited for."""
        ticks = 0
        for proc in self._tree():
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
        return ticks / os.sysconf("SC_CLK_TCK")

    def memory_mb(self, field: str) -> float:
        """``VmRSS`` (now) or ``VmHWM`` (peak) of the process tree, MB."""
        return sum(int(re.search(rf"{field}:\s+(\d+)", (proc / "status").read_text())[1])
                   for proc in self._tree()) / 1024

    def reset_peak(self) -> None:
        """Start the peak (VmHWM) of every process of the tree afresh."""
        for proc in self._tree():
            (proc / "clear_refs").write_text("5")


@contextmanager
def _server(workspace: Path) -> Iterator[Server]:
    """``streamlit run app.py`` on a free port with ``GEO_WORKSPACE=workspace`` (no file watcher), until closed."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    env = {**os.environ, "GEO_WORKSPACE": str(workspace),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            start = time.perf_counter()
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                        break
                except OSError:
                    if process.poll() is not None or time.perf_counter() - start > 120:
                        log.seek(0)
                        raise RuntimeError(f"the app server did not start:\n{log.read()[-3000:]}") from None
                    time.sleep(0.2)
            yield Server(url, process, time.perf_counter() - start)
        finally:
            process.terminate()
            process.wait(timeout=30)


# --- One browser: first map and every control --------------------------------------------------------------------

Action = Callable[[browser.Page, int], Awaitable[None]]

INDICATOR_CONTROLS: dict[str, Action] = {
    "indicator": partial(browser.choose_other, key="indicator"),
    "year": partial(browser.slide, key="year"),
    "units (161 / 56 communes)": partial(browser.other_radio, key="units"),
}
RISK_CONTROLS: dict[str, Action] = {
    "hazard types (one off / all)": partial(browser.drop_one, key="types"),
    "minimum level": partial(browser.slide, key="min_level"),
    "buffer (100 m / 0)": partial(browser.type_number, key="buffer_m", value=100),
    "commune (one / all)": partial(browser.toggle_one, key="communes"),
    "ethnicity (one / all)": partial(browser.toggle_one, key="ethnicities"),
    "status (one / all)": partial(browser.toggle_one, key="statuses"),
}
LANGUAGE: Action = partial(browser.other_radio, key="lang")


def _step(name: str, seconds: float, received: int) -> list[Measure]:
    return [Measure(f"browser: {name}", "s", seconds), Measure(f"browser: {name}", "kB", received / 1024)]


async def _median_of_changes(session: browser.Session, name: str, action: Action, repeat: int) -> list[Measure]:
    """Median seconds and kB of ``repeat`` changes of one control (none if a change left the map as it was)."""
    _progress(f"browser: {name}")
    try:
        steps = [await session.change(partial(action, session.page, i)) for i in range(repeat)]
    except browser.NotRedrawn as exc:
        _progress(f"browser: {name}: not measured, {exc}")
        return []
    return _step(name, statistics.median(s for s, _ in steps), statistics.median(b for _, b in steps))


async def _controls(server: Server, repeat: int, controls: bool) -> list[Measure]:
    """The first map on the cold server, then on the warm one in a fresh context, then each control."""
    async with browser.chromium() as chromium:
        async with browser.session(chromium) as cold:
            _progress("browser: first map, cold server")
            measures = _step("first map drawn after opening the page (cold server)", *await cold.open(server.url))
        async with browser.session(chromium) as warm:
            _progress("browser: first map, warm server")
            measures += _step("first map drawn after opening the page (warm server)", *await warm.open(server.url))
            if not controls:
                return measures
            for name, action in INDICATOR_CONTROLS.items():
                measures += await _median_of_changes(warm, f"indicator page: {name}", action, repeat)
            _progress("browser: risk page")
            change = await warm.change(partial(browser.other_radio, warm.page, 0, key="view"))
            measures += _step("risk map drawn after switching page", *change)
            for name, action in RISK_CONTROLS.items():
                measures += await _median_of_changes(warm, f"risk page: {name}", action, repeat)
            measures += await _median_of_changes(warm, "risk page: language (vi / en)", LANGUAGE, repeat)
    return measures


def _one_browser(workspace: Path, repeat: int, controls: bool) -> list[Measure]:
    """Start the server, open the app in Chromium; start time, first maps, controls, server peak memory."""
    with _server(workspace) as server:
        measures = [Measure("server: start until /_stcore/health answers", "s", server.started)]
        with urllib.request.urlopen(server.url, timeout=10) as response:
            measures.append(Measure("server: page / (HTML)", "kB", len(response.read()) / 1024))
        measures += asyncio.run(_controls(server, repeat, controls))
        measures.append(Measure("server: peak memory (VmHWM of its processes)", "MB", server.memory_mb("VmHWM")))
    return measures


# --- Concurrent sessions ---------------------------------------------------------------------------------------

VISIT = ("open the page", "switch to the risk page", "move the level slider")


async def _visit(chromium: browser.Browser, server: Server) -> list[float]:
    """One user's visit in a fresh browser context: seconds of each step of :data:`VISIT`."""
    async with browser.session(chromium) as session:
        page = session.page
        waits = [(await session.open(server.url))[0]]
        waits.append((await session.change(partial(browser.other_radio, page, 0, key="view")))[0])
        waits.append((await session.change(partial(browser.slide, page, 0, key="min_level")))[0])
    return waits


async def _round(chromium: browser.Browser, servers: list[Server], n: int) -> list[list[float]]:
    """``n`` visits at once, assigned to the servers in turn; each visit's waits."""
    return await asyncio.gather(*(_visit(chromium, servers[i % len(servers)]) for i in range(n)))


async def _settled_mb(servers: list[Server], settle: float) -> float:
    """Memory (VmRSS) of the servers ``settle`` seconds from now, MB."""
    await asyncio.sleep(settle)
    return sum(server.memory_mb("VmRSS") for server in servers)


async def _sessions(servers: list[Server], counts: list[int], rounds: int, settle: float) -> list[Measure]:
    """One visit, then ``rounds`` rounds of N concurrent visits for each N in ``counts``."""
    async with browser.chromium() as chromium:
        _progress("sessions: first visit")
        await _round(chromium, servers, 1)
        measures = [Measure("sessions: server memory after the first visit (settled)", "MB",
                            await _settled_mb(servers, settle))]
        for n in counts:
            for server in servers:
                server.reset_peak()
            cpu, waits, settled = 0.0, [], []
            for r in range(1, rounds + 1):
                _progress(f"sessions: {n} at once, round {r}/{rounds}")
                before = sum(server.cpu_seconds() for server in servers)
                waits += await _round(chromium, servers, n)
                cpu += sum(server.cpu_seconds() for server in servers) - before
                settled.append(Measure(f"{n} at once: server memory after round {r} (settled)", "MB",
                                       await _settled_mb(servers, settle)))
            measures.append(Measure(f"{n} at once: server CPU per visit", "s", cpu / (n * rounds)))
            for i, step in enumerate(VISIT):
                each = [visit[i] for visit in waits]
                measures += [Measure(f"{n} at once: {step}, median wait", "s", statistics.median(each)),
                             Measure(f"{n} at once: {step}, max wait", "s", max(each))]
            peak = sum(server.memory_mb("VmHWM") for server in servers)  # since the reset: every round of N
            measures += [Measure(f"{n} at once: server peak memory (VmHWM)", "MB", peak), *settled]
    return measures


def _concurrent(workspace: Path, counts: list[int], rounds: int, settle: float) -> list[Measure]:
    """Concurrent sessions on a fresh server (:func:`_sessions` takes a list: more servers would share the load)."""
    with ExitStack() as stack:
        servers = [stack.enter_context(_server(workspace))]
        return asyncio.run(_sessions(servers, counts, rounds, settle))


def measure(args: argparse.Namespace) -> list[Measure]:
    """Every figure of the bench, on the demo data."""
    measures: list[Measure] = []
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "none.gpkg"  # no workspace: the app shows the demo, without accounts
        os.environ["GEO_WORKSPACE"] = str(workspace)
        if args.app:
            measures += _app_steps(args.repeat)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            measures += _map_sizes()
            measures.append(Measure("AppTest: peak memory of the bench process (max RSS)", "MB", peak))
        if args.browser:
            measures += _one_browser(workspace, args.repeat, args.controls)
            if args.sessions:
                measures += _concurrent(workspace, args.sessions, args.rounds, args.settle)
    return measures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", action=argparse.BooleanOptionalAction, default=True,
                        help="AppTest timings and map HTML sizes, no server (default: yes)")
    parser.add_argument("--browser", action=argparse.BooleanOptionalAction, default=True,
                        help="start the real server and open the app in headless Chromium (default: yes)")
    parser.add_argument("--controls", action=argparse.BooleanOptionalAction, default=True,
                        help="time every control in the browser, not only the first map (default: yes)")
    parser.add_argument("--sessions", type=int, nargs="+", metavar="N", default=[],
                        help="also N browser sessions at once on a fresh server, for each N given")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of N sessions for each N (default: 1)")
    parser.add_argument("--settle", type=float, default=10,
                        help="seconds after a round before the server's memory is read (default: 10)")
    run(parser, measure, repeat=3)
