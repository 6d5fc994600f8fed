"""One answer everywhere: the same question asked of the app, the command line, the CSV, the XLSX and the PDF.

For each filter (hazard types, level, buffer, communes, ethnicity, statuses,
at-risk only, an officer's scope, and a workspace whose households carry no
commune code) the households in zones, at risk, done and still needed read the
same on the risk page (AppTest), in ``geo resettlement``, in the rows of
``geo export-data`` as CSV and XLSX, and in the title of ``geo export-map`` as
PDF; and all of them equal :func:`geo.risk.risk_view`.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from apptest import PASSWORD, login

from geo.access import Accounts
from geo.cli import main
from geo.dataset import load
from geo.demo import DEMO_PATH
from geo.risk import RiskFilter, risk_view
from geo.workspace import Workspace


#: (name, user, filter): what is asked, by whom.
QUESTIONS = [
    ("default", "admin", RiskFilter()),
    ("tube floods from level 3", "admin", RiskFilter(types=["tube_flood"], min_level=3)),
    ("one commune from level 2", "admin", RiskFilter(min_level=2, communes=["01303"])),
    ("statuses, at-risk only", "admin", RiskFilter(min_level=3, statuses=["planned", "not_planned"],
                                                   at_risk_only=True)),
    ("buffer and ethnicity", "admin", RiskFilter(buffer_m=50, ethnicities=["Nùng"])),
    ("an officer's commune", "canbo", RiskFilter(min_level=1)),
]


def _workspace(path: Path, drop_commune_codes: bool = False) -> Path:
    shutil.copyfile(DEMO_PATH, path)
    workspace = Workspace.open(path)
    if drop_commune_codes:  # an office's register that names no commune: location alone decides
        households = load(path).households.drop(columns=["ma_xa"])
        workspace.write_layer("households", households, "households", Path("ho_khong_ma_xa.csv"), "-",
                              len(households), 0, "admin")
    accounts = Accounts(workspace)
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "canbo", PASSWORD, "officer", communes=["01267"])
    return path


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("one-answer")
    return {"with codes": _workspace(folder / "tinh.gpkg"),
            "no codes": _workspace(folder / "khong_ma.gpkg", drop_commune_codes=True)}


def _count(text: str) -> int:
    return int(text.replace(".", ""))


def _app(workspace: Path, user: str, flt: RiskFilter, monkeypatch) -> dict[str, int]:
    monkeypatch.setenv("GEO_WORKSPACE", str(workspace))
    at = login(user, timeout=300)
    at.sidebar.radio(key="view").set_value("risk").run()
    at.sidebar.multiselect(key="types").set_value(list(flt.types))
    at.sidebar.select_slider(key="min_level").set_value(flt.min_level)
    at.sidebar.number_input(key="buffer_m").set_value(int(flt.buffer_m))
    at.sidebar.multiselect(key="communes").set_value(list(flt.communes or []))
    at.sidebar.multiselect(key="ethnicities").set_value(list(flt.ethnicities or []))
    at.sidebar.multiselect(key="statuses").set_value(list(flt.statuses or []))
    at.sidebar.checkbox(key="at_risk_only").set_value(flt.at_risk_only)
    at.run()
    assert not at.exception, at.exception
    cards = {m.label: _count(m.value.split(" (")[0]) for m in at.metric}  # "1.210 (49,0%)": the count
    return {"in_zones": cards["Hộ trong vùng nguy cơ"], "at_risk": cards["Hộ DTTS phân tán cần bố trí"],
            "done": cards["Đã di dời hoặc ổn định"], "needed": cards["Còn cần để đạt 60%"]}


def _arguments(flt: RiskFilter) -> list[str]:
    args = ["--types", ",".join(flt.types), "--min-level", str(flt.min_level), "--buffer-m", str(flt.buffer_m)]
    for option, values in (("--commune", flt.communes), ("--ethnicity", flt.ethnicities), ("--status", flt.statuses)):
        for value in values or ():
            args += [option, value]
    return args + (["--at-risk-only"] if flt.at_risk_only else [])


def _cli(capsys, *args: str) -> str:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _surfaces(workspace: Path, user: str, flt: RiskFilter, folder: Path, capsys, monkeypatch) -> dict[str, dict]:
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    base = ["--workspace", str(workspace), "--user", user, *_arguments(flt)]
    out = _cli(capsys, "resettlement", *base)
    total = re.search(r"cần bố trí ([\d.]+) hộ; đã di dời hoặc ổn định ([\d.]+) .*còn cần ([\d.]+) hộ", out)
    cli = dict(zip(("at_risk", "done", "needed"), map(_count, total.groups()))) if total else \
        {"at_risk": 0, "done": 0, "needed": 0}
    rows = {}
    for suffix in ("csv", "xlsx"):
        path = folder / f"ho.{suffix}"
        _cli(capsys, "export-data", "--table", "households", *base, "--out", str(path))
        table = pd.read_csv(path, encoding="utf-8-sig") if suffix == "csv" else \
            pd.read_excel(path, sheet_name=0, engine="openpyxl")
        rows[suffix] = len(table)
    pdf = folder / "ban_do.pdf"
    _cli(capsys, "export-map", "--map", "risk", *base, "--out", str(pdf))
    title = re.search(r"Thiên tai và di dời dân cư — ([\d.]+) hộ dân", PdfReader(pdf).pages[0].extract_text())
    return {"cli": cli, "rows": rows, "pdf": _count(title.group(1))}


@pytest.mark.parametrize("name, user, flt", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_every_surface_gives_the_same_counts(name, user, flt, workspaces, tmp_path, capsys, monkeypatch):
    workspace = workspaces["with codes"]
    _check(workspace, user, flt, tmp_path, capsys, monkeypatch)


def test_households_without_commune_codes_count_where_their_points_lie(workspaces, tmp_path, capsys,
                                                                       monkeypatch):
    workspace = workspaces["no codes"]
    flt = RiskFilter(min_level=3, communes=["01267", "01303"])
    expected = _check(workspace, "admin", flt, tmp_path, capsys, monkeypatch)
    assert expected.in_zones > 0  # located by their points, not one blank unit
    assert set(expected.shown["ma_xa_located"]) == {"01267", "01303"}
    _check(workspace, "canbo", RiskFilter(min_level=1), tmp_path, capsys, monkeypatch)


class _Expected:
    def __init__(self, view) -> None:
        self.shown = view.shown
        self.in_zones = len(view.shown)
        self.counts = {"in_zones": len(view.shown), **{k: int(view.totals[k]) for k in ("at_risk", "done", "needed")}}


def _check(workspace: Path, user: str, flt: RiskFilter, folder: Path, capsys, monkeypatch) -> _Expected:
    ds = load(workspace)
    signed = Accounts(Workspace.open(workspace)).get(user)
    expected = _Expected(risk_view(ds, flt, signed))
    app = _app(workspace, user, flt, monkeypatch)
    surfaces = _surfaces(workspace, user, flt, folder, capsys, monkeypatch)
    assert app == expected.counts
    assert surfaces["cli"] == {k: expected.counts[k] for k in ("at_risk", "done", "needed")}
    assert surfaces["rows"] == {"csv": expected.in_zones, "xlsx": expected.in_zones}
    assert surfaces["pdf"] == expected.in_zones
    return expected


def test_impact_summary_against_a_direct_count_on_the_page_and_in_the_cli(workspaces, tmp_path, capsys, monkeypatch):
    """The impact summary: each (type, level, commune) count from the register directly, the same on every surface."""
    flt = RiskFilter(["landslide", "flash_flood"], min_level=3, communes=["01267", "01270"])
    view = risk_view(load(workspaces["with codes"]), flt)
    table = view.impact()
    flagged = view.flagged.loc[view.flagged["ma_xa_located"].isin(flt.communes)]
    for hazard in flt.types:
        levels = flagged[f"level_{hazard}"].where(flagged[f"level_{hazard}"] >= flt.min_level, 0)
        for (level, commune), group in flagged.groupby([levels, flagged["ma_xa_located"]]):
            row = table.loc[(table["hazard_type"] == hazard) & (table["impact_level"] == level)
                            & (table["area"] == commune)].iloc[0]
            assert row["households"] == len(group) and row["people"] == group["members"].sum()
            assert row["poor_households"] == group["poor"].fillna(False).astype(bool).sum()
        mine = table.loc[table["hazard_type"] == hazard]
        total = mine.loc[mine["area"] == "province"]
        assert total["households"].sum() == len(flagged)  # each type's rows add up to the households kept
        by_level = mine.loc[mine["area"] != "province"].groupby("impact_level")["households"].sum()
        assert total.set_index("impact_level")["households"].sort_index().equals(by_level.sort_index())
    # the page (an admin sees communes) and the command line show these figures, and the file holds them
    monkeypatch.setenv("GEO_WORKSPACE", str(workspaces["with codes"]))
    at = login("admin", timeout=300)
    at.sidebar.radio(key="view").set_value("risk").run()
    at.sidebar.multiselect(key="types").set_value(list(flt.types))
    at.sidebar.select_slider(key="min_level").set_value(flt.min_level)
    at.sidebar.multiselect(key="communes").set_value(list(flt.communes)).run()
    at.toggle(key="show-impact").set_value(True).run()
    assert not at.exception, at.exception
    shown = next(d.value for d in at.dataframe if "Địa bàn" in getattr(d.value, "columns", []))
    shown = shown.data if hasattr(shown, "data") else shown
    assert len(shown) == len(table)
    assert sorted(pd.to_numeric(shown["Số hộ"].astype(str).str.replace(".", "", regex=False))) == \
        sorted(table["households"])
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    out_file = tmp_path / "tac_dong.xlsx"
    _cli(capsys, "impact", "--workspace", str(workspaces["with codes"]), "--user", "admin", *_arguments(flt),
         "--out", str(out_file))
    written = pd.read_excel(out_file, sheet_name=0, engine="openpyxl")
    assert written["Số hộ"].sum() == table["households"].sum() and len(written) == len(table)
