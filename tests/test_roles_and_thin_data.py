"""What each role takes away on every surface, and answers on thin data, checked where a review found gaps."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pandas as pd
import pytest
from pypdf import PdfReader

from geo.access import Accounts, User
from geo.cli import main
from geo.dataexport import csv_bytes, filter_table
from geo.dataset import load
from geo.demo import DEMO_PATH
from geo.mapexport import risk_figure, save_figure
from geo.risk import RiskFilter, risk_view
from geo.tables import markdown_text
from geo.workspace import Workspace

PASSWORD = "mật khẩu dài đủ"


@pytest.fixture
def protected(tmp_path, monkeypatch):
    path = tmp_path / "tinh.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    accounts = Accounts(Workspace.open(path))
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "xem", PASSWORD, "viewer")
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)
    return path


def _pdf_text(path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_viewer_prints_the_risk_map_without_a_household(protected, tmp_path, capsys):
    base = ["export-map", "--map", "risk", "--workspace", str(protected), "--format", "pdf"]
    assert main([*base, "--user", "admin", "--out", str(tmp_path / "admin.pdf")]) == 0
    assert main([*base, "--user", "xem", "--out", str(tmp_path / "xem.pdf")]) == 0
    admin, viewer = _pdf_text(tmp_path / "admin.pdf"), _pdf_text(tmp_path / "xem.pdf")
    assert "Chưa có kế hoạch (" in admin  # households by status in the legend
    assert "Chưa có kế hoạch" not in viewer and "Rất cao (" in viewer  # the zones and their counts only
    assert main(["atlas", "--map", "risk", "--commune", "01303", "--workspace", str(protected), "--user", "xem",
                 "--out", str(tmp_path / "a.pdf")]) == 0
    assert "Chưa có kế hoạch" not in _pdf_text(tmp_path / "a.pdf")


def test_every_csv_the_tool_writes_defuses_formulas():
    text = csv_bytes(pd.DataFrame({"household_id": ["=1+1", "@SUM(A1)", "H1"], "members": [-3, 4, 5]}))
    rows = text.decode("utf-8-sig").splitlines()
    assert rows[1:] == ["'=1+1,-3", "'@SUM(A1),4", "H1,5"]  # text neutralised, a negative number untouched


def test_an_officer_sees_only_the_unsafe_sites_of_their_communes():
    ds = load()
    everyone = risk_view(ds, RiskFilter(min_level=1)).unsafe_sites
    assert len(everyone) and everyone["ma_xa"].nunique() >= 2
    mine = sorted(everyone["ma_xa"])[0]
    officer = User("canbo", "officer", frozenset({mine}))
    assert set(risk_view(ds, RiskFilter(min_level=1), officer).unsafe_sites["ma_xa"]) == {mine}


def test_no_hazard_type_chosen_is_never_described_as_all():
    described = dict(filter_table({"types": [], "min_level": 4}).to_numpy().tolist())
    assert described["Loại thiên tai"] == "–"
    assert dict(filter_table({"types": None}).to_numpy().tolist())["Loại thiên tai"] == "Tất cả"


def test_the_risk_print_works_before_any_commune_boundary(tmp_path):
    ds = load()
    bare = replace(ds, layers={**ds.layers, "communes_2020": ds.communes(2020).iloc[:0]}, revision="")
    path = save_figure(risk_figure(bare, risk_view(bare, RiskFilter(min_level=5))), tmp_path / "r.png")
    assert path.stat().st_size > 10_000


def test_markdown_text_is_one_line():
    assert markdown_text("Nà Pài\n# tiêu đề\n- mục") == "Nà Pài \\# tiêu đề - mục"


def test_counts_per_commune_add_up_to_the_rows_shown():
    view = risk_view(load(), RiskFilter(min_level=3))
    assert int(view.counts().sum()) == len(view.shown)
    assert len(view.table_for(User("kh", "planner"))) == view.shown["ma_xa_located"].nunique(dropna=False)
