"""The resettlement plan and the hazard-version changes on hostile, real-looking data.

A workspace copied from the demo, whose resettlement sites (ids and names) and
first proposed households (ids, villages, ethnicities) carry markup, formulas
(``=``, ``+``, ``-``, ``@``), very long Vietnamese names and a name with a line
break, and which holds two imported versions of the hazard zones. Checked:

* the plan's files (``geo plan --out .xlsx/.csv --communes-out --pdf``) and the
  hazard changes' file hold every text as text, never a formula;
* the plan's PDF draws every name (no missing glyph), nothing leaves its page;
* the page shows every name as text: no Markdown or HTML built from the data;
* the edge cases (no sites, a site without capacity, every site unsafe, a
  commune with no one at risk, the 2025 units, an officer of one commune, one
  hazard-zone version) give a translated line or an empty result, never a traceback.
"""

from __future__ import annotations

import shutil
import sys
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

from geo.access import Accounts  # noqa: E402
from geo.cli import main  # noqa: E402
from geo.dataset import load  # noqa: E402
from geo.demo import DEMO_PATH  # noqa: E402
from geo.placement import propose  # noqa: E402
from geo.risk import RiskFilter, risk_view  # noqa: E402
from geo.workspace import Workspace  # noqa: E402
from geo.text import drawable, one_line  # noqa: E402
from apptest import PASSWORD, login  # noqa: E402
from hostile import FORMULA_PREFIXES, csv_cells, runnable_cells, xlsx_quoted_texts  # noqa: E402

#: A very long Vietnamese name: every tone mark, longer than any line of the page.
LONG_VI = ("Điểm tái định cư tập trung Nặm Nhũng – Khuổi Ỏ – Phiêng Lạn mở rộng giai đoạn hai, thuộc xã Quảng "
           "Hưng, huyện Quảng Hòa, tỉnh Cao Bằng (khu vực giáp biên giới Việt – Trung, đường vào qua ngầm tràn "
           "Bản Giốc, bờ suối Quây Sơn, gần trường mầm non Đàm Thủy và trạm y tế xã cũ)")
#: The texts put into every id and name in turn (a serial after each keeps ids distinct).
PAYLOADS = ["<img src=x onerror=alert(1)>", "=1+1", "+SUM(A1)", "@cmd", "-2+3", LONG_VI,
            "Điểm Bản Giốc\nxã Đàm Thủy", "$x^{$ *đậm* [bấm](javascript:alert(2)) <b>b</b>",
            "ctrl\x07\x1b[31mred\x7f \u202eRTL\u200f"]
#: Households of the demo's proposal renamed (the first of the proposal, so the page's first page shows them).
RENAMED = 60


def hostile(n: int) -> str:
    return f"{PAYLOADS[n % len(PAYLOADS)]} #{n}"


def _zone_versions(zones: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The demo's zones, then a new version: a third raised a level, a third lowered, one in ten dropped."""
    part = np.arange(len(zones)) % 3
    new = zones.assign(level=np.where(part == 0, np.minimum(zones["level"] + 1, 5),
                                      np.where(part == 1, np.maximum(zones["level"] - 1, 1), zones["level"])))
    return zones.copy(), new.loc[np.arange(len(new)) % 10 != 9]


def build_workspace(folder: Path, zone_imports: bool = True) -> Path:
    """A workspace with hostile site ids and names, hostile household ids, villages and ethnicities, two
    imported zone versions (``zone_imports``), an administrator ``admin`` and an officer ``canbo`` of the
    first renamed household's commune (:func:`officer_commune`)."""
    folder = Path(folder)
    path = folder / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    ds = load(path)
    plan = propose(risk_view(ds, RiskFilter()), ds.sites, ds.hazard_zones, ds.households)
    ws = Workspace.open(path)
    sites = ws.read_layer("sites")
    new_ids = {old: hostile(i) for i, old in enumerate(sites["site_id"])}
    sites["name_vi"] = [hostile(i + 3) for i in range(len(sites))]
    sites["site_id"] = sites["site_id"].map(new_ids)
    homes = ws.read_layer("households")
    chosen = plan.proposal["household_id"].head(RENAMED).tolist()
    new_homes = {old: hostile(100 + i) for i, old in enumerate(chosen)}
    renamed = homes["household_id"].isin(chosen)
    homes.loc[renamed, "village_id"] = [hostile(200 + i) for i in range(renamed.sum())]
    homes.loc[renamed, "ethnicity"] = [hostile(300 + i) for i in range(renamed.sum())]
    homes["household_id"] = homes["household_id"].map(lambda h: new_homes.get(h, h))
    homes["site_id"] = homes["site_id"].map(lambda s: new_ids.get(s, s) if isinstance(s, str) else s)
    ws.write_layer("sites", sites, "sites", Path("diem.csv"), "", len(sites), 0, imported_by=hostile(7))
    ws.write_layer("households", homes, "households", Path("ho.csv"), "", len(homes), 0, imported_by=hostile(1))
    if zone_imports:
        for number, zones in enumerate(_zone_versions(ds.zones), start=1):
            file = folder / f"vung_{number}.gpkg"
            zones.to_file(file)
            assert main(["import", "--kind", "hazards", str(file), "--workspace", str(path)]) == 0
    accounts = Accounts(Workspace.open(path))
    admin = accounts.create_first_admin("admin", PASSWORD)
    accounts.add_user(admin, "canbo", PASSWORD, "officer", communes=[officer_commune(path)])
    return path


def officer_commune(path: Path) -> str:
    """The commune of the first renamed household (by its location): the officer's only commune."""
    ds = load(path)
    view = risk_view(ds, RiskFilter())
    first = view.in_scope.loc[view.in_scope["household_id"] == hostile(100)]
    return str(first["ma_xa_located"].iloc[0])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    return build_workspace(tmp_path_factory.mktemp("plan-hostile"))


@pytest.fixture(scope="module")
def ds(workspace):
    return load(workspace)


@pytest.fixture(scope="module")
def plan(ds):
    return propose(risk_view(ds, RiskFilter()), ds.sites, ds.hazard_zones, ds.households)


def test_the_workspace_is_hostile_where_it_matters(ds, plan):
    """The proposal's first page and the sites carry every payload: the other tests have something to check."""
    shown = plan.proposal.head(200)
    for column in ("household_id", "village_id", "site_id", "site_name"):
        texts = " ".join(shown[column].astype(str))
        assert all(payload.split()[0] in texts for payload in PAYLOADS[:5]), column
    assert ds.sites["name_vi"].str.contains("\n").any() and ds.sites["name_vi"].str.len().max() > 250


# ------------------------------------------------------------------------------------------------ files
def _assert_csv_inert(path: Path, texts: list[str]) -> None:
    cells = csv_cells(path)
    bare = runnable_cells(cells)
    assert not bare, f"{path.name}: cells a spreadsheet would run: {bare[:5]}"
    risky = [x for x in texts if x.startswith(FORMULA_PREFIXES)]
    assert risky and all("'" + x in cells for x in risky), f"{path.name}: the texts are not all there, quoted"


def _assert_xlsx_inert(path: Path, texts: list[str]) -> None:
    quoted = set(xlsx_quoted_texts(path))
    risky = {x for x in texts if x.startswith(FORMULA_PREFIXES)}
    assert risky and risky <= quoted, f"{path.name}: missing {sorted(risky - quoted)[:3]}"


@pytest.fixture
def signed(monkeypatch):
    monkeypatch.setenv("GEO_PASSWORD", PASSWORD)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_plan_files_hold_every_text_and_never_a_formula(workspace, plan, tmp_path, fmt, signed, capsys):
    out, communes = tmp_path / f"plan.{fmt}", tmp_path / f"communes.{fmt}"
    assert main(["plan", "--workspace", str(workspace), "--user", "admin", "--out", str(out),
                 "--communes-out", str(communes)]) == 0
    table = plan.table()
    texts = [str(v) for c in ("household_id", "village_id", "site_id", "site_name", "nearest_safe_site")
             for v in table[c].dropna()]
    (_assert_csv_inert if fmt == "csv" else _assert_xlsx_inert)(out, texts)
    if fmt == "csv":
        assert not runnable_cells(csv_cells(communes))
    else:
        assert not [c.coordinate for sheet in load_workbook(communes) for row in sheet.iter_rows() for c in row
                    if c.data_type == "f"]
    assert "Traceback" not in capsys.readouterr().err


def test_hazard_changes_file_holds_every_text_and_never_a_formula(workspace, tmp_path, signed):
    from geo.zoneversions import hazard_changes

    out = tmp_path / "doi_muc.csv"
    assert main(["hazard-changes", "--workspace", str(workspace), "--user", "admin", "--out", str(out)]) == 0
    changed = hazard_changes(load(workspace)).households
    texts = [str(v) for c in ("household_id", "village_id", "ethnicity") for v in changed[c].dropna()]
    _assert_csv_inert(out, texts)


# ------------------------------------------------------------------------------------------------ the PDF
def _boxes(fig):
    """Every drawn text of a figure (page-level: title, subtitle, table cells, footer) with its box in pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.set_dpi(100)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [(x, x.get_window_extent(renderer)) for x in fig.texts if x.get_visible() and x.get_text()], renderer


def _overlap(a, b, slack: float = 0.5) -> bool:
    return a.x0 < b.x1 - slack and b.x0 < a.x1 - slack and a.y0 < b.y1 - slack and b.y0 < a.y1 - slack


def _check_page(fig) -> None:
    """Nothing leaves the page; no two texts overprint; no text runs into the map; each cell's text in its cell."""
    from matplotlib.patches import Rectangle

    texts, renderer = _boxes(fig)
    page = fig.bbox
    out = [x.get_text()[:40] for x, box in texts if not (page.contains(box.x0, box.y0) and page.contains(box.x1, box.y1))]
    assert not out, f"texts leave the page: {out}"
    for i, (a, box_a) in enumerate(texts):
        for b, box_b in texts[i + 1:]:
            assert not _overlap(box_a, box_b), f"{a.get_text()[:40]!r} overprints {b.get_text()[:40]!r}"
    (ax,) = fig.axes[:1]
    frame = ax.get_window_extent(renderer)
    inside = [x.get_text()[:40] for x, box in texts if _overlap(box, frame)]
    assert not inside, f"texts run into the map: {inside}"
    cells = [p.get_window_extent(renderer) for p in fig.artists if isinstance(p, Rectangle)]
    assert cells, "the page has no table"
    for x, box in texts:
        home = [c for c in cells if c.contains(*box.get_points().mean(axis=0))]
        if home:  # a table cell's text: inside its cell
            cell = home[0]
            assert cell.x0 - 0.5 <= box.x0 and box.x1 <= cell.x1 + 0.5 and cell.y0 - 0.5 <= box.y0 \
                and box.y1 <= cell.y1 + 0.5, f"{x.get_text()[:40]!r} leaves its cell"


def test_every_site_page_fits_its_page(ds, plan):
    from geo.placementprint import _page

    chosen = plan.sites.loc[plan.sites["proposed"] > 0]
    assert len(chosen) >= 10
    for _, site in chosen.iterrows():
        for lang in ("vi", "en"):
            _check_page(_page(ds, plan, site, lang))


def test_the_pdf_prints_every_name_whole(ds, plan, tmp_path):
    import re

    from pypdf import PdfReader

    from geo.placementprint import ROWS_PER_PAGE, site_pages

    out = tmp_path / "plan.pdf"
    pages = site_pages(ds, plan, out)  # a missing glyph would be an error
    reader = PdfReader(out)
    assert pages == len(reader.pages) == (plan.sites["proposed"] > 0).sum()
    squeeze = lambda text: re.sub(r"\s+", "", drawable(text))  # noqa: E731  (as printed: no control character)
    for number, (_, site) in enumerate(plan.sites.loc[plan.sites["proposed"] > 0].iterrows()):
        text = squeeze(reader.pages[number].extract_text())
        assert squeeze(site["name_vi"]) in text and squeeze(site["site_id"]) in text, site["site_id"]
        homes = plan.proposal.loc[plan.proposal["site_id"] == site["site_id"]]
        for home in homes.head(ROWS_PER_PAGE).itertuples():
            if squeeze(home.household_id) not in text:  # only rows beyond the page's room may be left out
                more = re.search(r"…và([\d.]+)hộnữa", text)
                assert more, f"{home.household_id!r} is neither printed nor counted on {site['site_id']!r}'s page"


# ------------------------------------------------------------------------------------------------ the page
def _unescaped(text: str) -> list[str]:
    """Markup from the data a Markdown element would render: a tag, a link, a line break in a name."""
    import re

    found = re.findall(r"(?<!\\)<(?:img|b)\b[^>]*>|(?<!\\)\]\(javascript", text)
    return found + (["line break"] if any(p.split("\n")[0] + "\n" in text for p in PAYLOADS if "\n" in p) else [])


def _markdown_elements(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "info", "success", "error", "warning", "subheader")
            for e in getattr(at, kind)]


def _on_risk_page(at, *toggles: str):
    at.sidebar.radio(key="view").set_value("risk").run()
    assert not at.exception, at.exception
    for key in toggles:
        at.toggle(key=key).set_value(True).run()
        assert not at.exception, at.exception
    return at


def _option_household(option: str) -> str:
    """The household of a confirm-list option ("#rank household → distance km: site (id)")."""
    import re

    return re.sub(r"^#\d+ ", "", option).split(" → ")[0]


def _frame(at, column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if column in getattr(d.value, "columns", [])]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    frame = found[0]
    return frame.data if hasattr(frame, "data") else frame


def test_page_shows_every_name_as_text_and_confirms_a_hostile_household(tmp_path, monkeypatch):

    path = build_workspace(tmp_path)
    monkeypatch.setenv("GEO_WORKSPACE", str(path))
    at = _on_risk_page(login("admin", timeout=300), "show-plan", "show-zone-changes")
    for value in _markdown_elements(at):
        assert not _unescaped(value), f"markup from the data in a Markdown element: {value[:120]!r}"
    proposal = _frame(at, "Khoảng cách đường chim bay (m)")
    assert list(proposal.columns[:4]) == ["Thứ tự ưu tiên", "Mã hộ", "Tên điểm tái định cư", "Mã điểm tái định cư"]
    assert any(str(h).startswith("<img") for h in proposal["Mã hộ"])  # the data is there, as text
    box = at.selectbox(key="plan-household")
    first = proposal.iloc[0]  # rank and distance first: a long site name never hides them
    assert box.options[0].startswith(f"#{first['Thứ tự ưu tiên']} {one_line(first['Mã hộ'])} → ")
    assert " km: " in box.options[0]
    assert all("\n" not in str(o) for o in box.options)  # one line per option (a selectbox shows text as typed)
    # no control or format character: a right-to-left override in a site's id turned the distance around
    assert any("ctrl" in str(o) for o in box.options)
    assert not [o for o in box.options if any(unicodedata.category(c) in ("Cc", "Cf") for c in str(o))]
    hostile_id = next(h for h in proposal["Mã hộ"] if str(h).startswith("<img"))
    box.set_value(hostile_id)
    next(b for b in at.button if "Xác nhận hộ này" in b.label).click().run()
    assert not at.exception, at.exception
    (done,) = [s.value for s in at.success if "Đã xác nhận hộ" in s.value]
    assert "\\<img src=x onerror=alert(1)\\>" in done and not _unescaped(done)
    audit = Workspace.open(path).audit()
    assert audit["household_id"].tolist() == [hostile_id]
    homes = Workspace.open(path).read_layer("households").set_index("household_id")
    assert homes.loc[hostile_id, "resettlement_status"] == "planned"
    # the page is drawn again from the new data: the household is no longer proposed, nor offered again
    assert hostile_id not in set(_frame(at, "Khoảng cách đường chim bay (m)")["Mã hộ"])
    assert one_line(hostile_id) not in {_option_household(o) for o in at.selectbox(key="plan-household").options}
    assert any(m.value.startswith("Vùng nguy cơ phiên bản 1 → 2: ") for m in at.markdown)
    # the changed households leave the app only through the access log
    at.button(key="zone-changes-download-prepare").click().run()
    assert not at.exception, at.exception
    log = Accounts(Workspace.open(path)).log()
    assert log.loc[log["event"] == "export", "detail"].str.startswith("hazard changes v1-v2, ").any()


def test_an_officer_sees_only_their_communes_plan_and_changes(tmp_path, monkeypatch):

    path = build_workspace(tmp_path)
    commune = officer_commune(path)
    monkeypatch.setenv("GEO_WORKSPACE", str(path))
    at = _on_risk_page(login("canbo", timeout=300), "show-plan", "show-zone-changes")
    for value in _markdown_elements(at):
        assert not _unescaped(value), f"markup from the data in a Markdown element: {value[:120]!r}"
    ds = load(path)
    everyone = propose(risk_view(ds, RiskFilter()), ds.sites, ds.hazard_zones, ds.households)
    mine = everyone.households.loc[everyone.households["ma_xa_located"] == commune, "household_id"]
    proposal = _frame(at, "Khoảng cách đường chim bay (m)")
    assert set(proposal["Xã (theo tọa độ)"]) == {commune}
    assert set(proposal["Mã hộ"]) <= set(mine)
    unplaced = _frame(at, "Lý do chưa bố trí được")
    assert set(unplaced["Xã (theo tọa độ)"]) <= {commune}
    options = at.selectbox(key="plan-household").options
    assert options and {_option_household(o) for o in options} <= {one_line(h) for h in mine}
    # a site's room counts every commune's households, as numbers: no row of another commune reaches the page
    sites = _frame(at, "Sức chứa (hộ)")
    used = everyone.sites.set_index("site_id")["used"]
    assert [int(str(v).replace(".", "")) for v in sites["Đã sử dụng (hộ)"]] == used.loc[sites["Mã điểm tái định cư"]].tolist()
    others = set(ds.households["household_id"]) - set(risk_view(ds, RiskFilter(), _officer(commune)).flagged["household_id"])
    shown = {str(v) for d in at.dataframe for v in np.ravel(getattr(d.value, "data", d.value).to_numpy())}
    assert not shown & others
    changes = _frame(at, "Số hộ đổi mức")
    assert set(changes["Xã (theo tọa độ)"].iloc[:-1]) == {commune}


def _officer(commune: str):
    from geo.access import User

    return User("canbo", "officer", frozenset({commune}))


# ------------------------------------------------------------------------------------------------ edge cases
def _one_line_error(capsys, *words: str) -> str:
    err = "\n".join(line for line in capsys.readouterr().err.splitlines() if not line.startswith("# "))  # data notes
    assert "Traceback" not in err and len(err.splitlines()) == 1 and err.startswith("lỗi: "), err
    assert all(w in err for w in words), err
    return err


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """A workspace copied from the demo (its zones one version, never imported), with no resettlement site."""
    path = tmp_path_factory.mktemp("bare") / "ws.gpkg"
    shutil.copyfile(DEMO_PATH, path)
    ws = Workspace.open(path)
    ws.write_layer("sites", ws.read_layer("sites").iloc[:0], "sites", Path("diem.csv"), "", 0, 0)
    Accounts(ws).create_first_admin("admin", PASSWORD)
    return path


def test_no_sites_layer(bare, tmp_path, signed, capsys):
    ds = load(bare)
    plan = propose(risk_view(ds, RiskFilter()), ds.sites, ds.hazard_zones, ds.households)
    assert plan.proposal.empty and len(plan.unplaced) > 0 and set(plan.unplaced["reason"]) == {"no_site_in_reach"}
    assert plan.sites.empty and plan.totals["proposed"] == 0
    capsys.readouterr()
    assert main(["plan", "--workspace", str(bare), "--user", "admin", "--out", str(tmp_path / "p.xlsx")]) == 0
    assert main(["plan", "--workspace", str(bare), "--user", "admin", "--pdf", str(tmp_path / "p.pdf")]) == 2
    _one_line_error(capsys, "không có trang")
    assert not (tmp_path / "p.pdf").exists()


def test_one_hazard_zone_version(bare, signed, capsys):
    from geo.i18n import Refusal
    from geo.zoneversions import hazard_changes, zone_versions

    assert zone_versions(load(bare)) == []
    with pytest.raises(Refusal):
        hazard_changes(load(bare))
    capsys.readouterr()
    assert main(["hazard-changes", "--workspace", str(bare), "--user", "admin"]) == 2
    _one_line_error(capsys, "--from")


def test_the_page_without_sites_and_with_one_zone_version(bare, monkeypatch):

    monkeypatch.setenv("GEO_WORKSPACE", str(bare))
    at = _on_risk_page(login("admin", timeout=300), "show-plan", "show-zone-changes")
    infos = [i.value for i in at.info]
    assert any("Kho có 1 phiên bản vùng nguy cơ" in i for i in infos), infos  # the zones it holds: one version
    assert any("điểm tái định cư" in i.lower() for i in infos), infos  # no site: said, not a table of nothing
    assert "plan-household" not in [b.key for b in at.selectbox]


def test_a_site_without_capacity_takes_no_one(ds, plan):
    busiest = plan.sites.sort_values("proposed").iloc[-1]["site_id"]
    sites = ds.sites.assign(capacity=ds.sites["capacity"].where(ds.sites["site_id"] != busiest))
    again = propose(risk_view(ds, RiskFilter()), sites, ds.hazard_zones, ds.households)
    row = again.sites.set_index("site_id").loc[busiest]
    assert np.isnan(row["capacity"]) and row["proposed"] == 0 and row["remaining"] == 0
    assert busiest not in set(again.proposal["site_id"])
    moved = plan.proposal.loc[plan.proposal["site_id"] == busiest, "household_id"]
    assert set(again.unplaced["household_id"]) & set(moved) or set(again.proposal["household_id"]) & set(moved)


def test_every_site_unsafe(ds, tmp_path):
    from geo.i18n import Refusal
    from geo.placementprint import site_pages

    cover = gpd.GeoDataFrame({"hazard_type": "landslide", "level": 5, "zone_id": [f"Z{i}" for i in range(len(ds.sites))]},
                             geometry=ds.sites.to_crs(9210).buffer(50).to_numpy(), crs=9210)
    zones = pd.concat([ds.zones.to_crs(9210), cover], ignore_index=True)
    plan = propose(risk_view(ds, RiskFilter()), ds.sites, zones, ds.households)
    assert not plan.sites["safe"].any() and plan.proposal.empty
    assert set(plan.unplaced["reason"]) <= {"only_unsafe_sites", "no_site_in_reach"}
    assert "only_unsafe_sites" in set(plan.unplaced["reason"]) and plan.unplaced["nearest_safe_site"].isna().all()
    with pytest.raises(Refusal):
        site_pages(ds, plan, tmp_path / "p.pdf")


def test_a_commune_with_no_one_at_risk(ds, workspace, tmp_path, signed, capsys):
    view = risk_view(ds, RiskFilter())
    at_risk = set(view.in_scope.loc[view.in_scope["at_risk"].astype(bool), "ma_xa_located"])
    quiet = next(c for c in ds.communes(2020)["ma_xa"] if c not in at_risk)
    plan = propose(risk_view(ds, RiskFilter(communes=[quiet])), ds.sites, ds.hazard_zones, ds.households)
    assert plan.households.empty and plan.totals["candidates"] == 0 and (plan.communes["short"] == 0).all()
    capsys.readouterr()
    out = tmp_path / "p.csv"
    assert main(["plan", "--workspace", str(workspace), "--user", "admin", "--commune", quiet, "--out", str(out)]) == 0
    assert len(pd.read_csv(out, encoding="utf-8-sig")) == 0
    assert main(["plan", "--workspace", str(workspace), "--user", "admin", "--commune", quiet,
                 "--pdf", str(tmp_path / "p.pdf")]) == 2
    _one_line_error(capsys)


def test_the_2025_units(ds, workspace, tmp_path, signed):
    from geo.placementprint import _page
    from geo.units import to_2025

    view = risk_view(ds, RiskFilter(units="2025"))
    plan = propose(view, ds.sites, ds.hazard_zones, ds.households)
    assert plan.communes.index.tolist() == view.progress.drop(index="province").index.tolist()
    table = plan.table()
    assert "target_unit" in table and (table["target_unit"] == to_2025(table["ma_xa_located"]).to_numpy()).all()
    out, communes = tmp_path / "p.xlsx", tmp_path / "c.csv"
    assert main(["plan", "--workspace", str(workspace), "--user", "admin", "--units", "2025", "--out", str(out),
                 "--communes-out", str(communes)]) == 0
    _assert_xlsx_inert(out, [str(v) for v in table["household_id"]])
    assert len(pd.read_csv(communes, encoding="utf-8-sig")) == len(plan.communes)
    _check_page(_page(ds, plan, plan.sites.loc[plan.sites["proposed"] > 0].iloc[0], "vi"))


def test_an_officers_plan_and_pages_hold_only_their_commune(ds, workspace, plan, tmp_path):
    from pypdf import PdfReader

    from geo.placementprint import site_pages
    from geo.zoneversions import hazard_changes

    commune = officer_commune(workspace)
    officer = _officer(commune)
    theirs = propose(risk_view(ds, RiskFilter(), officer), ds.sites, ds.hazard_zones, ds.households)
    assert len(theirs.households) and set(theirs.households["ma_xa_located"]) == {commune}
    # the room of a site is the whole register's: the same as the administrator's plan sees
    assert theirs.sites["used"].tolist() == plan.sites["used"].tolist()
    pages = site_pages(ds, theirs, tmp_path / "p.pdf")
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "p.pdf").pages)
    assert pages == (theirs.sites["proposed"] > 0).sum()
    others = plan.proposal.loc[plan.proposal["ma_xa_located"] != commune, "household_id"]
    assert not [h for h in others if h in text and len(h) > 8]
    changes = hazard_changes(ds).scoped(officer)
    assert set(changes.households["ma_xa_located"]) == {commune}
    assert changes.by_commune().index.tolist() == [commune, "province"]


def test_the_same_zones_imported_again_change_no_one(workspace, tmp_path, signed, capsys):
    """Version 0 (the zones copied with the workspace) and version 1 (the same zones imported): nothing changed,
    a zero line, an empty file with its header, never a traceback."""
    from geo.zoneversions import hazard_changes

    changes = hazard_changes(load(workspace), 0, 1)
    assert changes.households.empty and changes.by_commune().index.tolist() == ["province"]
    assert changes.by_commune().loc["province"].sum() == 0
    capsys.readouterr()
    out = tmp_path / "none.csv"
    assert main(["hazard-changes", "--workspace", str(workspace), "--user", "admin", "--from", "0", "--to", "1",
                 "--out", str(out)]) == 0
    assert ": 0 trên " in capsys.readouterr().out
    assert "Mã hộ" in out.read_text(encoding="utf-8-sig").splitlines()[0]  # headers in words, as every export


def test_the_page_names_the_sites_without_capacity(tmp_path, monkeypatch):
    """A site without capacity takes no one: the page says which, in one line, its hostile name as text."""

    path = build_workspace(tmp_path, zone_imports=False)
    ws = Workspace.open(path)
    sites = ws.read_layer("sites")
    sites.loc[sites.index[:2], "capacity"] = np.nan
    ws.write_layer("sites", sites, "sites", Path("diem.csv"), "", len(sites), 0)
    monkeypatch.setenv("GEO_WORKSPACE", str(path))
    at = _on_risk_page(login("admin", timeout=300), "show-plan")
    (warning,) = [w.value for w in at.warning if "chưa có sức chứa" in w.value]
    assert warning.startswith("2 điểm tái định cư chưa có sức chứa")
    assert "\\<img src=x onerror=alert(1)\\> \\#0" in warning and not _unescaped(warning)
    shown = _frame(at, "Sức chứa (hộ)")
    assert (shown.set_index("Mã điểm tái định cư").loc[sites["site_id"].iloc[:2], "Đề xuất bố trí"].astype(int) == 0).all()
