"""Every performance goal of the tool in one table: this checkout's figures (and another revision's).

Runs the benches it needs (``app.py`` in the browser, ``flag.py`` on both data
shapes, ``export.py``), each in a process of its own and on the code of each
revision, interleaved ``--repeat`` times; prints, for each goal, the median
figure of each revision and whether this checkout meets it. Figures come from
the benches as they print them (``--json``); nothing is asserted anywhere else.

    python bench/summary.py                     # this checkout (about 10 minutes)
    python bench/summary.py --compare HEAD~10   # HEAD~10 beside this checkout
    python bench/summary.py --sessions          # with 1, 5 and 10 browser sessions at once, from new browsers
                                                # and from returning ones (longer)
    python bench/summary.py --only flag export  # some benches only
    python bench/summary.py --sessions --nginx  # the browsers through nginx, as the README deploys the app

A goal's figure missing from a revision (an older bench that did not measure
it) is left blank.
"""

from __future__ import annotations

import argparse
import operator
import re
import statistics
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from _revisions import WORKTREE, checkout, run_once

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Goal:
    """Rows of a bench (``step`` a regular expression, in ``unit``) that must be ``op`` ``limit``."""

    bench: str
    step: str
    unit: str
    op: str
    limit: float


#: The arguments each bench runs with.
BENCHES = {
    "app": ["app.py", "--no-app", "--samples", "3"],  # each control back and forth: medians of 3 changes
    "flag": ["flag.py", "--shapes", "province", "valleys", "--sizes", "1e6x1e4", "1e6x1e5",
             "--methods", "sjoin", "geo prepared"],
    "flag-memory": ["flag.py", "--shapes", "province", "valleys", "--sizes", "4e6x3e5", "--methods", "geo prepared"],
    "export": ["export.py"],
    "sessions": ["app.py", "--no-app", "--no-controls", "--sessions", "1", "5", "10", "--rounds", "5"],
    "returning": ["app.py", "--no-app", "--no-controls", "--sessions", "1", "5", "10", "--rounds", "5", "--returning"],
}
GOALS = [
    Goal("app", r"browser: first map drawn after opening the page \(warm server\)", "s", "<", 2.0),
    Goal("app", r"browser: (indicator|risk) page: .*", "s", "<", 0.5),
    Goal("app", r"browser: (indicator|risk) page: .*", "kB", "<", 300),
    Goal("flag", r"(province|valleys) 1,000,000 x 1\d0*,000 geo prepared", "x", ">=", 4.0),
    Goal("flag-memory", r"(province|valleys) 4,000,000 x 300,000 geo prepared", "MB", "<", 2000),
    Goal("export", r"indicator atlas, 161 communes \(PDF\)", "s", "<", 10.0),
    Goal("export", r"XLSX, 100,000 households \(synthetic\)", "s", "<", 2.0),
    Goal("sessions", r"\d+ at once: server CPU per visit", "s", "<", 0.4),
    Goal("sessions", r"10 at once: open the page, median wait", "s", "<", 5.0),
    Goal("returning", r"\d+ returning browsers: server CPU per visit", "s", "<", 0.4),
    Goal("returning", r"10 returning browsers: open the page, median wait", "s", "<", 5.0),
]
_OPS = {"<": operator.lt, ">=": operator.ge}


def _figures(benches: list[str], root: Path, nginx: bool = False) -> dict[tuple[str, str, str], float]:
    """Every figure of ``benches`` on the code at ``root``, by (bench, step, unit); with ``nginx``, the app's
    benches reach it through nginx (``bench/app.py --nginx``)."""
    out = {}
    for name in benches:
        print(f"  {name} ...", file=sys.stderr, flush=True)
        script, *argv = BENCHES[name]
        argv += ["--nginx"] if nginx and script == "app.py" else []
        for (step, unit), value in run_once(HERE / script, argv, root).items():
            out[(name, step, unit)] = value
    return out


def summary(benches: list[str], revisions: list[str], repeat: int, nginx: bool = False) -> str:
    """The table of goals: each matching row with the median of each revision and the verdict of the last."""
    with ExitStack() as stack:
        trees = [stack.enter_context(checkout(r)) for r in [*revisions, WORKTREE]]
        runs: list[list[dict]] = [[] for _ in trees]
        for i in range(repeat):
            for (root, label), results in zip(trees, runs):
                print(f"run {i + 1}/{repeat}: {label}", file=sys.stderr, flush=True)
                results.append(_figures(benches, root, nginx))
    medians = [{key: statistics.median(r[key] for r in results if key in r)
                for key in dict.fromkeys(k for r in results for k in r)} for results in runs]
    labels = [label for _, label in trees]
    rows = []
    for goal in (g for g in GOALS if g.bench in benches):
        keys = [k for k in dict.fromkeys(k for m in medians for k in m)
                if k[0] == goal.bench and k[2] == goal.unit and re.fullmatch(goal.step, k[1])]
        for key in keys:
            values = [m.get(key) for m in medians]
            last = values[-1]
            verdict = "" if last is None else "yes" if _OPS[goal.op](last, goal.limit) else "NO"
            rows.append((f"{key[1]} ({goal.unit})", f"{goal.op} {goal.limit:g}",
                         *[("" if v is None else f"{v:,.2f}") for v in values], verdict))
    header = ("figure", "goal", *labels, "met")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = [f"median of {repeat} run(s) per revision" + (", the app through nginx" if nginx else "")]
    lines += ["  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
              for r in [header, *rows]]
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", nargs=1, default=[], metavar="REV", help="a git revision to show beside")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs of each revision (median shown)")
    parser.add_argument("--sessions", action="store_true",
                        help="also run 1, 5 and 10 browser sessions at once (new and returning browsers)")
    parser.add_argument("--only", nargs="+", choices=list(BENCHES), help="these benches only")
    parser.add_argument("--nginx", action="store_true",
                        help="the app's benches through nginx serving the static files, as the README deploys it")
    args = parser.parse_args()
    chosen = args.only or [b for b in BENCHES if b not in ("sessions", "returning") or args.sessions]
    print(summary(chosen, args.compare, args.repeat, args.nginx))
