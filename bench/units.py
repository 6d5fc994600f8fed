"""Commune matching speed: seconds of ``geo.units.resolve_communes`` on two seeded columns.

    python bench/units.py                          # the working tree, 2e5 rows of each shape
    python bench/units.py --old HEAD~1             # also a git revision's geo/units.py, same columns
    python bench/units.py --rows 2e4 --shapes garbage --old HEAD~1 --repeat 3

Two shapes of commune column, generated with a fixed seed:

* ``garbage``: random text (letters with and without Vietnamese accents,
  digits, spaces; 3 to 24 characters) in every row, nearly every row a
  distinct name that matches no unit; no district column;
* ``realistic``: official names as a register writes them: 2020 names
  (70%), names from before 2020 (15%), 2025 names (5%), GSO codes (5%) and
  names misspelt by one edit or typed without accents (5%); a unit type
  prefix on a third of them, a district on half; mostly repeated (a few
  thousand distinct values).

The old revision's ``geo/units.py`` is read with ``git show REV:geo/units.py``
into a temporary module (the shared work tree is never checked out); it uses
the working tree's ``geo.text``. Each run starts with warm lookup tables (one
call beforehand), as in a long-running app. Columns: shape, rows, distinct
names, revision, median seconds of ``--repeat`` runs, and whether both
revisions gave the same table.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo import units  # noqa: E402

_LETTERS = list("abcdefghijklmnopqrstuvwxyzđăâêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ") + [" "] * 6 + list("0123456789")


def garbage(rows: int, seed: int = 1) -> tuple[pd.Series, pd.Series | None]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(3, 25, rows)
    letters = rng.choice(np.array(_LETTERS), size=int(lengths.sum()))
    cuts = np.cumsum(lengths)[:-1]
    names = ["".join(chunk).strip().title() for chunk in np.split(letters, cuts)]
    return pd.Series(names, dtype=object), None


def _typo(name: str, rng: np.random.Generator) -> str:
    i = int(rng.integers(0, len(name)))
    edit = int(rng.integers(0, 4))
    if edit == 0:
        return name[:i] + name[i + 1:]  # a letter left out
    if edit == 1:
        return name[:i] + name[i] + name[i:]  # a letter doubled
    if edit == 2 and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]  # two letters swapped
    bare = unicodedata.normalize("NFD", name)
    return "".join(c for c in bare if not unicodedata.combining(c)).replace("đ", "d").replace("Đ", "D")


def realistic(rows: int, seed: int = 2) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    c2020 = units.communes(2020)
    old = units.before_2020()
    c2025 = units.communes(2025)
    pools = [
        (0.70, list(zip(c2020["name_vi"], c2020["type_vi"], c2020["district_vi"]))),
        (0.15, list(zip(old["old_name"], old["old_type"], old["old_district"]))),
        (0.05, list(zip(c2025["name_vi"], c2025["type_vi"], [None] * len(c2025)))),
    ]
    choice = rng.random(rows)
    names: list[str] = []
    districts: list[str | None] = []
    for u in choice:
        if u < 0.05:
            names.append(str(rng.choice(c2020["ma_xa"].to_numpy())).lstrip("0") if rng.random() < 0.5
                         else str(rng.choice(c2020["ma_xa"].to_numpy())))
            districts.append(None)
            continue
        pool = pools[0][1] if u < 0.80 else pools[1][1] if u < 0.95 else pools[2][1]
        name, kind, district = pool[int(rng.integers(0, len(pool)))]
        if rng.random() < 0.05:
            name = _typo(name, rng)
        if rng.random() < 1 / 3 and kind:
            name = f"{kind} {name}"
        names.append(name)
        districts.append(district if rng.random() < 0.5 else None)
    return pd.Series(names, dtype=object), pd.Series(districts, dtype=object)


def _load_revision(rev: str):
    source = subprocess.run(["git", "show", f"{rev}:geo/units.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "units_old.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(f"units_{rev.replace('~', '_')}", path)
        module = importlib.util.module_from_spec(spec)
        module.__file__ = str(ROOT / "geo" / "units.py")  # so it finds data/merger_2020.csv
        sys.modules[spec.name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return module


def _time(module, names: pd.Series, districts: pd.Series | None, repeat: int) -> tuple[float, pd.DataFrame]:
    module.resolve_communes(pd.Series(["Sông Hiến"]))  # warm lookup tables
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = module.resolve_communes(names, districts)
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=float, default=2e5)
    parser.add_argument("--shapes", nargs="+", default=["garbage", "realistic"], choices=["garbage", "realistic"])
    parser.add_argument("--old", metavar="REV", help="also time this git revision's geo/units.py")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    rows = int(args.rows)
    revisions = [("working tree", units)]
    if args.old:
        revisions.append((args.old, _load_revision(args.old)))
    print(f"{'shape':<10} {'rows':>8} {'distinct':>8}  {'revision':<14} {'seconds':>9}  same")
    for shape in args.shapes:
        names, districts = (garbage if shape == "garbage" else realistic)(rows)
        first = None
        for label, module in revisions:
            seconds, out = _time(module, names, districts, args.repeat)
            same = "" if first is None else ("yes" if out.equals(first) else "NO")
            first = out if first is None else first
            print(f"{shape:<10} {rows:>8} {names.nunique():>8}  {label:<14} {seconds:>9.2f}  {same}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
