"""Measure the app: first map, redraw after each control, bytes the browser receives, server CPU and memory.

Three parts, on the demo data (no workspace, no login); the sessions can run on a shared workspace instead:

* AppTest (``--app``, default on): server-side seconds of the first run and of
  a few filter changes, with Streamlit's AppTest (no browser); the size of the
  HTML of each map as ``geo.maps`` builds it; this process's peak memory.
* One browser (``--browser``, default on): the real server (``streamlit run``)
  and headless Chromium, offline (requests to other hosts fail). Seconds to the
  first map drawn after opening the page, on a cold server, then on the warm
  server in ``--samples`` (default ``--repeat``) new browser contexts (median), each followed by a new
  page of the same context (a user coming back: the browser's cache kept); then, in the last, for every control of both
  pages, in order, the seconds from the change (the click or key press that
  makes it: opening a list before is not counted) to the new map drawn (median of
  ``--samples`` changes, alternating between two values) and the kB received
  (websocket frames and HTTP response bodies, until the app is idle again).
  Indicator page: indicator, year, units; risk page: hazard types, minimum
  level, buffer, commune, ethnicity, resettlement status; then the language.
  ``--no-controls`` keeps only the first map. How "new map drawn" is told is in
  ``bench/_browser.py`` (:func:`map_drawn`).
* Concurrent sessions (``--sessions N [N ...]``): on ``--servers`` fresh app
  processes (default 1; same code, same workspace, own ports, one cookie
  secret), one visit to each first, then for each N, ``--rounds`` rounds of N
  browser contexts at once, assigned to the servers in turn, each doing the
  same visit (open the page, switch to the risk page, move the level slider
  once). Per N and per server: its visits, its CPU-seconds per visit, its
  peak memory (VmHWM, reset before each N) and its memory ``--settle`` seconds
  after each round (VmRSS, no browser connected), beside its memory after the
  first visit; the median and max wait of each step over all visits. At the
  end, the memory once more after Streamlit's ``server.disconnectedSessionTTL``
  (it keeps a closed browser's session that long, for a reconnection).
  ``--returning``: the N visits of each round come from N browsers that made
  one visit (not counted) before the first round, their cache kept (officers
  coming back), instead of N new browsers that fetch Streamlit's files.
  ``--nginx``: each app process behind its own nginx (``deploy/nginx-static.conf``
  serves the static files from disk, the rest is proxied), as in the README's
  deployment (the one browser's too); the CPU and memory are still the app process's.
* A shared workspace (``--postgis``, or ``--workspace URL``): the sessions run
  on the demo copied into a PostgreSQL + PostGIS workspace, in a new schema
  dropped at the end, with an admin and an officer of every commune; each
  visit signs in as the officer first (a step of its own: the login form,
  then the workspace's map). ``--postgis`` starts a throwaway cluster
  (``scripts/postgres``) and stops it at the end, and adds the database's
  CPU-seconds per visit; ``--workspace`` takes a ``postgresql://`` URL of an
  existing database (with PostGIS; no ``options`` in the URL). With two
  servers or more, "one truth across processes": an officer on server B's
  risk page reads the "done" card; an admin on server A stabilises one
  at-risk household through the page's status editor (expander, form, save);
  B moves its level slider away and back, and the bench reports whether B's
  card now counts one more, with the seconds of that rerun back. Without
  ``--sessions`` the servers get their first visits and this check only.

Prints a table; ``--json`` prints the figures as JSON; ``--compare REV_A [REV_B]``
runs the same on two git revisions (see bench/_revisions.py).

    python bench/app.py [--repeat 3] [--samples 3] [--no-app] [--no-browser] [--no-controls]
                        [--sessions 1 5 10] [--servers 2] [--postgis | --workspace URL]
                        [--rounds 1] [--returning] [--nginx] [--settle 10] [--json] [--compare REV_A [REV_B]]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import _browser as browser
from _revisions import Measure, run, target_root
from streamlit import config as streamlit_config
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


class ProcessTree:
    """A process and its descendants: CPU and memory. A descendant that ends while it is read (a browser's
    helper process, say) is left out."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

    def _tree(self) -> list[Path]:
        procs, pids = [], [self.pid]
        while pids:
            proc = Path("/proc") / str(pids.pop())
            procs.append(proc)
            try:
                for task in (proc / "task").iterdir():
                    pids += [int(child) for child in (task / "children").read_text().split()]
            except FileNotFoundError:  # ended meanwhile
                continue
        return procs

    def _read(self, name: str) -> list[str]:
        """The file ``name`` of /proc of each process of the tree still living."""
        texts = []
        for proc in self._tree():
            try:
                texts.append((proc / name).read_text())
            except FileNotFoundError:
                continue
        return texts

    def cpu_seconds(self) -> float:
        """User and system CPU-seconds of the process and its children, living or waited for."""
        ticks = sum(sum(int(f) for f in text.rsplit(")", 1)[1].split()[11:15])  # utime, stime, cutime, cstime
                    for text in self._read("stat"))
        return ticks / os.sysconf("SC_CLK_TCK")

    def memory_mb(self, field: str) -> float:
        """``VmRSS`` (now) or ``VmHWM`` (peak) of the process tree, MB."""
        return sum(int(re.search(rf"{field}:\s+(\d+)", text)[1]) for text in self._read("status")) / 1024

    def reset_peak(self) -> None:
        """Start the peak (VmHWM) of every process of the tree afresh."""
        for proc in self._tree():
            try:
                (proc / "clear_refs").write_text("5")
            except FileNotFoundError:
                continue


class Server(ProcessTree):
    """A running ``streamlit run app.py``: its URL, its process and the seconds until /_stcore/health answered."""

    def __init__(self, url: str, process: subprocess.Popen, started: float) -> None:
        super().__init__(process.pid)
        self.url, self.process, self.started = url, process, started


@contextmanager
def _server(workspace: Path | str, cookie_secret: str = "") -> Iterator[Server]:
    """``streamlit run app.py`` on a free port with ``GEO_WORKSPACE=workspace`` (no file watcher), until closed.

    Servers of one workspace share ``cookie_secret`` (Streamlit takes it only from the environment or a file).
    """
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    env = {**os.environ, "GEO_WORKSPACE": str(workspace),
           **({"STREAMLIT_SERVER_COOKIE_SECRET": cookie_secret} if cookie_secret else {}),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield Server(url, process, _until_healthy(url, process, log, "the app server"))
        finally:
            process.terminate()
            process.wait(timeout=30)


def _until_healthy(url: str, process: subprocess.Popen, log, what: str, limit: float = 120) -> float:
    """Seconds until ``url``'s /_stcore/health answers (the app, or what serves it); a RuntimeError with the
    end of ``log`` (the process's output file) if ``process`` ends first or ``limit`` seconds pass."""
    start = time.perf_counter()
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return time.perf_counter() - start
        except OSError:
            if process.poll() is not None or time.perf_counter() - start > limit:
                log.seek(0)
                raise RuntimeError(f"{what} did not start:\n{log.read()[-3000:]}") from None
            time.sleep(0.2)


# --- One browser: first map and every control --------------------------------------------------------------------

Action = Callable[[browser.Page, int], Awaitable[browser.Commit | None]]

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
    """The first map on the cold server; then, ``repeat`` times in a new browser (median), on the warm one and
    again in a new page of the same browser (its cache kept); then each control, in the last of them."""
    async with browser.chromium() as chromium:
        async with browser.session(chromium) as cold:
            _progress("browser: first map, cold server")
            measures = _step("first map drawn after opening the page (cold server)", *await cold.open(server.url))
        firsts: list[tuple[float, int]] = []
        agains: list[tuple[float, int]] = []

        async def first_maps(session: browser.Session, i: int) -> None:
            _progress(f"browser: first map, warm server, new browser {i}/{runs}, then again with its cache")
            firsts.append(await session.open(server.url))
            agains.append(await session.reopen(server.url))
        runs = max(1, repeat)
        for i in range(1, runs):
            async with browser.session(chromium) as fresh:
                await first_maps(fresh, i)
        async with browser.session(chromium) as warm:
            await first_maps(warm, runs)
            for name, times in (("first map drawn after opening the page (warm server)", firsts),
                                ("first map drawn after opening the page again (warm server, browser cache kept)",
                                 agains)):
                measures += _step(name, statistics.median(s for s, _ in times), statistics.median(b for _, b in times))
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


def _one_browser(workspace: Path, repeat: int, controls: bool, nginx: bool) -> list[Measure]:
    """Start the server (behind nginx with ``nginx``), open the app in Chromium; start time, first maps,
    controls, server peak memory."""
    with _server(workspace) as direct, (_nginx(direct) if nginx else nullcontext(direct)) as server:
        measures = [Measure("server: start until /_stcore/health answers", "s", server.started)]
        with urllib.request.urlopen(server.url, timeout=10) as response:
            measures.append(Measure("server: page / (HTML)", "kB", len(response.read()) / 1024))
        measures += asyncio.run(_controls(server, repeat, controls))
        measures.append(Measure("server: peak memory (VmHWM of its processes)", "MB", server.memory_mb("VmHWM")))
    return measures


# --- A PostgreSQL + PostGIS workspace shared by several servers ------------------------------------------------

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"  # this checkout's, whatever code is measured


@dataclass(frozen=True)
class Account:
    """An account of the shared workspace, with its password."""

    username: str
    password: str


@dataclass(frozen=True)
class SharedWorkspace:
    """A workspace in a schema of its own: the demo, an admin and an officer of every commune; the database's
    processes when the bench started the cluster (else ``None``)."""

    url: str
    admin: Account
    officer: Account
    database: ProcessTree | None


@contextmanager
def _throwaway_cluster() -> Iterator[tuple[str, ProcessTree]]:
    """``scripts/postgres start`` until closed, then ``stop``: the database URL and the cluster's processes."""
    started = subprocess.run(["bash", str(SCRIPTS / "postgres"), "start"], check=True, capture_output=True, text=True)
    values = dict(line.split("=", 1) for line in started.stdout.splitlines() if "=" in line)
    try:
        postmaster = int((Path(values["GEO_PG_DIR"]) / "data" / "postmaster.pid").read_text().split()[0])
        yield values["GEO_TEST_POSTGRES_URL"], ProcessTree(postmaster)
    finally:
        subprocess.run(["bash", str(SCRIPTS / "postgres"), "stop", values["GEO_PG_DIR"]], check=False,
                       capture_output=True)


@contextmanager
def _schema(database: str) -> Iterator[str]:
    """The URL of a workspace in a new schema of ``database``, dropped when closed."""
    import psycopg
    from psycopg import sql

    name = f"bench_{os.getpid()}_{int(time.time())}"
    try:
        yield f"{database}{'&' if '?' in database else '?'}options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


@contextmanager
def _shared_workspace(database: str | None) -> Iterator[SharedWorkspace]:
    """The demo copied into a new schema of ``database`` (None: a throwaway cluster), with two accounts."""
    from geo.access import Accounts
    from geo.dataset import load
    from geo.workspace import Workspace, copy_workspace

    with ExitStack() as stack:
        processes = None
        if database is None:
            _progress("workspace: starting a throwaway PostgreSQL + PostGIS cluster")
            database, processes = stack.enter_context(_throwaway_cluster())
        url = stack.enter_context(_schema(database))
        _progress("workspace: copying the demo into it, two accounts")
        copy_workspace(None, url)
        accounts = Accounts(Workspace.open(url))
        admin, officer = Account("bench-admin", "bench password"), Account("bench-officer", "bench password")
        signed = accounts.create_first_admin(admin.username, admin.password)
        communes = load(url).communes(2020)["ma_xa"].tolist()
        accounts.add_user(signed, officer.username, officer.password, "officer", communes)
        yield SharedWorkspace(url, admin, officer, processes)


# --- Concurrent sessions ---------------------------------------------------------------------------------------

VISIT = ("open the page", "switch to the risk page", "move the level slider")
SIGNED_VISIT = ("open the page", "sign in", "switch to the risk page", "move the level slider")


async def _signed_in(session: browser.Session, server: Server, account: Account | None) -> list[float]:
    """Open the app on ``server`` and sign in as ``account`` (if any): seconds to each map drawn."""
    waits = [(await session.open(server.url))[0]]
    if account is not None:
        waits.append((await session.change(partial(browser.sign_in, session.page, 0, username=account.username,
                                                    password=account.password)))[0])
    return waits


async def _visit(chromium: browser.Browser, server: Server, account: Account | None,
                 returning: browser.Session | None = None) -> list[float]:
    """One user's visit: seconds of each step of :data:`VISIT` (or :data:`SIGNED_VISIT`, signed in as
    ``account``), in a fresh browser context, or in a new page of ``returning`` (its cache kept)."""
    async with AsyncExitStack() as stack:
        if returning is None:
            session = await stack.enter_async_context(browser.session(chromium))
        else:
            session = returning
            await session.new_page()
        page = session.page
        waits = await _signed_in(session, server, account)
        waits.append((await session.change(partial(browser.other_radio, page, 0, key="view")))[0])
        waits.append((await session.change(partial(browser.slide, page, 0, key="min_level")))[0])
    return waits


async def _round(chromium: browser.Browser, servers: list[Server], n: int, account: Account | None,
                 returning: list[browser.Session] | None = None) -> list[list[float]]:
    """``n`` visits at once, assigned to the servers in turn (visit i by browser ``returning[i]`` if given);
    each visit's waits."""
    return await asyncio.gather(*(_visit(chromium, servers[i % len(servers)], account,
                                         returning[i] if returning else None) for i in range(n)))


def _names(servers: list[Server]) -> list[str]:
    """"server" alone; "server A", "server B" ... for several."""
    return ["server"] if len(servers) == 1 else [f"server {chr(ord('A') + i)}" for i in range(len(servers))]


async def _settled_mb(servers: list[Server], settle: float) -> list[float]:
    """Memory (VmRSS) of each server ``settle`` seconds from now, MB."""
    await asyncio.sleep(settle)
    return [server.memory_mb("VmRSS") for server in servers]


async def _sessions(chromium: browser.Browser, servers: list[Server], counts: list[int], rounds: int, settle: float,
                    account: Account | None, database: ProcessTree | None, returning: bool = False) -> list[Measure]:
    """A first visit to each server, then ``rounds`` rounds of N concurrent visits for each N in ``counts``,
    the visits spread over the servers in turn; figures per server (and for the database when given).

    With ``returning``, the N visits of every round come from the same N browsers, each of which made one
    visit (not counted) before the first round: users coming back with their browser's cache."""
    names, steps = _names(servers), VISIT if account is None else SIGNED_VISIT
    _progress("sessions: first visit to each server")
    await _round(chromium, servers, len(servers), account)
    measures = [Measure(f"sessions: {name} memory after the first visit (settled)", "MB", mb)
                for name, mb in zip(names, await _settled_mb(servers, settle))]
    async with AsyncExitStack() as stack:
        kept = [await stack.enter_async_context(browser.session(chromium)) for _ in range(max(counts, default=0))] \
            if returning else None
        if kept:
            _progress(f"sessions: a first visit from each of the {len(kept)} returning browsers (not counted)")
            await _round(chromium, servers, len(kept), account, kept)
        for n in counts:
            measures += await _rounds_of(chromium, servers, n, rounds, settle, account, database, kept, names, steps)
    # Streamlit keeps a closed browser's session for server.disconnectedSessionTTL (a reconnection finds it),
    # so the memory after a round still holds that round's sessions; once they are dropped:
    ttl = streamlit_config.get_option("server.disconnectedSessionTTL")
    _progress(f"sessions: waiting {ttl} s for Streamlit to drop the closed sessions")
    await asyncio.sleep(ttl)
    measures += [Measure(f"sessions: {name} memory once the closed sessions are dropped ({ttl} s + {settle:g} s)",
                         "MB", mb) for name, mb in zip(names, await _settled_mb(servers, settle))]
    return measures


async def _rounds_of(chromium: browser.Browser, servers: list[Server], n: int, rounds: int, settle: float,
                     account: Account | None, database: ProcessTree | None, kept: list[browser.Session] | None,
                     names: list[str], steps: tuple[str, ...]) -> list[Measure]:
    """``rounds`` rounds of ``n`` visits at once: CPU per visit, waits and memory of each server."""
    measures: list[Measure] = []
    who = "returning browsers" if kept else "at once"
    for server in servers:
        server.reset_peak()
    cpu, database_cpu, everything, waits, settled = [0.0] * len(servers), 0.0, 0.0, [], []
    bench = ProcessTree(os.getpid())  # this bench and all it started: servers, Chromium, Playwright, nginx, database
    for r in range(1, rounds + 1):
        _progress(f"sessions: {n} {who}, round {r}/{rounds}")
        before = [server.cpu_seconds() for server in servers]
        database_before = database.cpu_seconds() if database else 0.0
        everything_before = bench.cpu_seconds()
        waits += await _round(chromium, servers, n, account, kept)
        cpu = [total + server.cpu_seconds() - b for total, server, b in zip(cpu, servers, before)]
        database_cpu += database.cpu_seconds() - database_before if database else 0.0
        everything += bench.cpu_seconds() - everything_before
        settled.append(await _settled_mb(servers, settle))
    for i, name in enumerate(names):
        visits = len(range(i, n, len(servers))) * rounds
        measures += [Measure(f"{n} {who}: {name} visits", "visits", visits),
                     Measure(f"{n} {who}: {name} CPU per visit", "s", cpu[i] / visits if visits else 0.0)]
    if database:
        measures.append(Measure(f"{n} {who}: database CPU per visit", "s", database_cpu / (n * rounds)))
    measures.append(Measure(f"{n} {who}: browsers' side CPU per visit (Chromium, Playwright, this bench; "
                            "nginx with --nginx)", "s", (everything - sum(cpu) - database_cpu) / (n * rounds)))
    for i, step in enumerate(steps):
        each = [visit[i] for visit in waits]
        measures += [Measure(f"{n} {who}: {step}, median wait", "s", statistics.median(each)),
                     Measure(f"{n} {who}: {step}, max wait", "s", max(each))]
    for i, name in enumerate(names):  # the peak since the reset: every round of N
        measures.append(Measure(f"{n} {who}: {name} peak memory (VmHWM)", "MB", servers[i].memory_mb("VmHWM")))
        measures += [Measure(f"{n} {who}: {name} memory after round {r} (settled)", "MB", mb[i])
                     for r, mb in enumerate(settled, 1)]
    return measures


# --- One truth across processes -------------------------------------------------------------------------------

def _household_to_settle(url: str) -> str:
    """A household of the risk page's default view (among the status editor's first 5000) at risk, not yet
    resettled or stabilised, with no resettlement date: stabilising it adds one to the "done" card."""
    from geo.dataset import load
    from geo.resettlement import DONE
    from geo.risk import risk_view

    shown = risk_view(load(url)).shown.iloc[:5000]
    return shown.loc[shown["at_risk"] & ~shown["resettlement_status"].isin(DONE)
                     & shown["resettlement_date"].isna(), "household_id"].iloc[0]


def _count(card: str) -> int:
    """The leading count of a metric card ("1.210 (49,0 %)" -> 1210)."""
    return int(re.match(r"[\d.,\s]+", card)[0].replace(".", "").replace(",", "").replace(" ", ""))


async def _stabilise(page: browser.Page, household: str) -> None:
    """Through the risk page's status editor (expander, form): ``household`` stabilised, saved."""
    from geo.i18n import t

    await page.locator("[data-testid='stExpander']").filter(has_text=t("edit_status", "vi")).locator(
        "summary").click()
    form = page.locator("[data-testid='stMain'] [data-testid='stForm']").filter(has_text=t("save", "vi")).first
    boxes = form.locator("[data-testid='stSelectbox']")
    await browser.select(page, boxes.nth(0), household)
    await browser.select(page, boxes.nth(1), t("stabilised", "vi"))
    await form.locator("[data-testid='stFormSubmitButton'] button").click()
    await page.get_by_text(t("saved", "vi")).wait_for(timeout=browser.TIMEOUT_MS)


async def _one_truth(chromium: browser.Browser, a: Server, b: Server, shared: SharedWorkspace) -> list[Measure]:
    """Read the "done" card on server B's risk page (officer), stabilise a household through server A's status
    editor (admin), then move B's level slider away and back: does B's card show one more, and how long
    did the rerun back take?"""
    from geo.i18n import t

    household = _household_to_settle(shared.url)
    done = t("done", "vi")
    async with browser.session(chromium) as on_a, browser.session(chromium) as on_b:
        for session, server, account in ((on_a, a, shared.admin), (on_b, b, shared.officer)):
            await _signed_in(session, server, account)
            await session.change(partial(browser.other_radio, session.page, 0, key="view"))
        before = _count(await browser.metric(on_b.page, done))
        _progress(f"one truth: server B shows {before} done; stabilising {household} through server A")
        await _stabilise(on_a.page, household)
        await on_b.change(partial(browser.slide, on_b.page, 0, key="min_level"))
        seconds, _ = await on_b.change(partial(browser.slide, on_b.page, 1, key="min_level"))
        after = _count(await browser.metric(on_b.page, done))
    seen = "yes" if after == before + 1 else "no"
    return [Measure("one truth: 'done' card on server B before the change through server A", "households", before),
            Measure("one truth: 'done' card on server B after its rerun", "households", after),
            Measure(f"change made through server A seen in server B at its next rerun: {seen}", "s", seconds)]


#: nginx in front of one app process, as in the README's deployment: the static files from disk
#: (deploy/nginx-static.conf), the rest proxied (the websocket upgraded).
NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        set $streamlit_root {streamlit_root};
        set $app_root {app_root};
        include {root}/deploy/nginx-static.conf;
        location / {{
            proxy_pass http://{upstream};
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            proxy_set_header Host $host;
            proxy_read_timeout 86400;
        }}
    }}
}}
"""


@contextmanager
def _nginx(server: Server) -> Iterator[Server]:
    """``server`` behind nginx (:data:`NGINX_CONF`) on a free port: the same process (CPU, memory), nginx's URL."""
    import streamlit

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryFile("w+") as log:
        conf = Path(tmp) / "nginx.conf"
        conf.write_text(NGINX_CONF.format(tmp=tmp, port=port, root=ROOT, upstream=server.url.split("//", 1)[1],
                                          streamlit_root=Path(streamlit.__file__).parent / "static", app_root=ROOT))
        process = subprocess.Popen(["nginx", "-c", str(conf), "-p", tmp, "-g", "daemon off;"],
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            _until_healthy(url, process, log, "nginx", limit=20)
            yield Server(url, server.process, server.started)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _concurrent(workspace: Path | str, counts: list[int], rounds: int, settle: float, servers: int,
                shared: SharedWorkspace | None, returning: bool = False, nginx: bool = False) -> list[Measure]:
    """Concurrent sessions on ``servers`` fresh servers of one workspace (signed in to ``shared`` when given;
    through nginx when asked), then, for two servers or more of ``shared``, the check that a change through
    one is seen by another."""
    async def sessions() -> list[Measure]:
        async with browser.chromium() as chromium:
            measures = await _sessions(chromium, started, counts, rounds, settle,
                                       shared and shared.officer, shared and shared.database, returning)
            if shared and len(started) > 1:
                measures += await _one_truth(chromium, started[0], started[1], shared)
            return measures

    with ExitStack() as stack:
        secret = os.urandom(16).hex()
        started = [stack.enter_context(_server(shared.url if shared else workspace, secret)) for _ in range(servers)]
        if nginx:
            started = [stack.enter_context(_nginx(server)) for server in started]
        return asyncio.run(sessions())


def measure(args: argparse.Namespace) -> list[Measure]:
    """Every figure of the bench: on the demo data, and for the sessions on a shared workspace if asked."""
    if args.nginx and shutil.which("nginx") is None:
        sys.exit("bench/app.py --nginx: nginx is not installed (apt-get install -y nginx)")
    measures: list[Measure] = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        workspace = Path(tmp) / "none.gpkg"  # no workspace: the app shows the demo, without accounts
        os.environ["GEO_WORKSPACE"] = str(workspace)
        if args.app:
            measures += _app_steps(args.repeat)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            measures += _map_sizes()
            measures.append(Measure("AppTest: peak memory of the bench process (max RSS)", "MB", peak))
        if args.browser:
            measures += _one_browser(workspace, args.samples or args.repeat, args.controls, args.nginx)
            shared = stack.enter_context(_shared_workspace(args.workspace)) if args.postgis or args.workspace \
                else None
            if args.sessions or shared:
                measures += _concurrent(workspace, args.sessions, args.rounds, args.settle, args.servers, shared,
                                        args.returning, args.nginx)
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
                        help="also N browser sessions at once on fresh servers, for each N given")
    parser.add_argument("--servers", type=int, default=1,
                        help="app processes on the same workspace sharing the sessions in turn (default: 1)")
    shared_workspace = parser.add_mutually_exclusive_group()
    shared_workspace.add_argument("--postgis", action="store_true",
                                  help="sessions signed in to the demo copied into a throwaway PostgreSQL + PostGIS "
                                       "cluster (scripts/postgres), stopped at the end")
    shared_workspace.add_argument("--workspace", metavar="URL",
                                  help="as --postgis, in a new schema of this postgresql:// database (dropped at "
                                       "the end)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds of N sessions for each N (default: 1)")
    parser.add_argument("--nginx", action="store_true",
                        help="the browsers reach each app process through nginx serving the static files "
                             "(deploy/nginx-static.conf), as in the README's deployment")
    parser.add_argument("--returning", action="store_true",
                        help="the N sessions of every round come from N browsers that visited once before (their "
                             "cache kept: users coming back), not from new browsers")
    parser.add_argument("--samples", type=int, metavar="N",
                        help="in the one browser: N new browsers for the first map and N changes of each control, "
                             "medians (default: --repeat; with --compare, each run does this many)")
    parser.add_argument("--settle", type=float, default=10,
                        help="seconds after a round before the server's memory is read (default: 10)")
    run(parser, measure, repeat=3)
