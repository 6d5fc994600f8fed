"""Shared by the benches: results table, ``--json``, and ``--compare`` of two git revisions in one run.

A bench calls :func:`target_root` instead of putting its own checkout on
``sys.path``, and hands its parser and measuring function to :func:`run`.
``--compare REV_A REV_B`` (``WORKTREE`` is the uncommitted checkout; one REV
alone is compared with it) checks each revision out with ``git worktree add``
into a temporary directory, runs *this* checkout's bench script on each
revision's code, ``--repeat`` times interleaved (A, B, A, B ...), each run doing
every step once, and prints the medians side by side with the ratio B/A.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
ROOT_VARIABLE = "GEO_BENCH_ROOT"
WORKTREE = "WORKTREE"
_FORMATS = {"s": "{:.2f}", "M/s": "{:.2f}", "x": "{:.1f}"}  # every other unit (kB, MB) as a whole number


@dataclass(frozen=True)
class Measure:
    """One figure of a bench: ``step`` took or weighed ``value`` ``unit`` (s, kB, MB)."""

    step: str
    unit: str
    value: float


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median seconds of ``repeat`` calls of ``fn``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def target_root() -> Path:
    """The root of the code to measure (this checkout unless ``--compare`` set another), put first on sys.path."""
    root = Path(os.environ.get(ROOT_VARIABLE) or CHECKOUT).resolve()
    sys.path.insert(0, str(root))
    return root


def _cell(value: float | None, unit: str) -> str:
    return "" if value is None else _FORMATS.get(unit, "{:,.0f}").format(value)


def table(measures: list[Measure]) -> str:
    """One row per step, one column per unit."""
    units = list(dict.fromkeys(m.unit for m in measures))
    values = {(m.step, m.unit): m.value for m in measures}
    width = max(len(m.step) for m in measures)
    lines = [f"{'step':<{width}} " + " ".join(f"{u:>8}" for u in units)]
    for step in dict.fromkeys(m.step for m in measures):
        lines.append(f"{step:<{width}} " + " ".join(f"{_cell(values.get((step, u)), u):>8}" for u in units))
    return "\n".join(lines)


def _without(argv: list[str], option: str) -> list[str]:
    """``argv`` without ``option`` and the values that follow it."""
    kept, skipping = [], False
    for arg in argv:
        if arg == option or arg.startswith(option + "="):
            skipping = arg == option
        elif skipping and not arg.startswith("-"):
            continue
        else:
            skipping = False
            kept.append(arg)
    return kept


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=CHECKOUT, check=True, capture_output=True, text=True).stdout.strip()


@contextmanager
def checkout(revision: str) -> Iterator[tuple[Path, str]]:
    """Yield the root of ``revision``'s code and its label: a detached worktree, removed afterwards."""
    if revision == WORKTREE:
        yield CHECKOUT, WORKTREE
        return
    commit = _git("rev-parse", "--verify", f"{revision}^{{commit}}")
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        path = Path(tmp) / "tree"
        _git("worktree", "add", "--detach", str(path), commit)
        try:
            yield path, f"{revision} ({commit[:7]})"
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=CHECKOUT, check=False)


def run_once(script: Path, argv: list[str], root: Path) -> dict[tuple[str, str], float]:
    """Run the bench script once on the code at ``root``; its figures by (step, unit)."""
    env = {**os.environ, ROOT_VARIABLE: str(root),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    with subprocess.Popen([sys.executable, str(script), *argv, "--repeat", "1", "--json"], cwd=root, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        try:
            out, err = child.communicate()
        except BaseException:
            child.terminate()  # the bench then stops what it started (server, browser)
            child.wait()
            raise
    if child.returncode:
        sys.exit(f"{script.name} failed on {root}:\n{err[-3000:]}")
    return {(m["step"], m["unit"]): m["value"] for m in json.loads(out.strip().splitlines()[-1])}


def compare(script: str | Path, argv: list[str], revisions: list[str], repeat: int) -> str:
    """Run ``script`` with ``argv`` on two revisions, interleaved ``repeat`` times; the table of medians."""
    if len(revisions) not in (1, 2):
        sys.exit("--compare takes one or two revisions (REV alone means REV against the working tree)")
    script = Path(script).resolve()
    argv = _without(_without(argv, "--compare"), "--repeat")
    with ExitStack() as stack:
        trees = [stack.enter_context(checkout(r)) for r in [*revisions, WORKTREE][:2]]
        runs: list[list[dict[tuple[str, str], float]]] = [[], []]
        for i in range(repeat):
            for (root, label), results in zip(trees, runs):
                print(f"run {i + 1}/{repeat}: {label}", file=sys.stderr, flush=True)
                results.append(run_once(script, argv, root))
    keys = list(dict.fromkeys(k for results in runs for run in results for k in run))
    medians = [{k: statistics.median(v) for k in keys if (v := [run[k] for run in results if k in run])}
               for results in runs]
    a, b = (label for _, label in trees)
    width = max(len(f"{step} ({unit})") for step, unit in keys)
    lines = [f"median of {repeat} interleaved runs; A = {a}, B = {b}",
             f"{'step':<{width}} {'A':>9} {'B':>9} {'B/A':>6}"]
    for key in keys:
        va, vb = (m.get(key) for m in medians)
        ratio = f"{vb / va:6.2f}" if va and vb is not None else ""
        lines.append(f"{f'{key[0]} ({key[1]})':<{width}} {_cell(va, key[1]):>9} {_cell(vb, key[1]):>9} {ratio:>6}")
    return "\n".join(lines)


def run(parser: argparse.ArgumentParser, measure: Callable[[argparse.Namespace], list[Measure]],
        repeat: int = 1) -> None:
    """A bench's ``main``: add ``--repeat``, ``--json`` and ``--compare`` to ``parser``; measure or compare."""
    parser.add_argument("--repeat", type=int, default=repeat,
                        help="runs of each step, median shown; with --compare, interleaved runs of each revision")
    parser.add_argument("--json", action="store_true", help="print the figures as one line of JSON")
    parser.add_argument("--compare", nargs="+", metavar="REV",
                        help=f"git revisions A [B] (default B: {WORKTREE}, the uncommitted checkout)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # killed: still remove worktrees, stop servers
    if args.compare:
        print(compare(sys.argv[0], sys.argv[1:], args.compare, args.repeat))
        return
    measures = measure(args)
    print(json.dumps([asdict(m) for m in measures], ensure_ascii=False) if args.json else table(measures))
