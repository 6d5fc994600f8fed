"""Hostile data: the corpus of :mod:`tests.hostile` imported, then drawn and exported everywhere.

Text from files is data: every name, code and id is kept as written, shown
escaped on the web maps (never markup, never template code), and written to
CSV and XLSX as text that no spreadsheet runs as a formula.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from openpyxl.utils.escape import unescape

sys.path.insert(0, str(Path(__file__).resolve().parent))

import hostile  # noqa: E402
from geo.dataexport import FORMATS, export_table  # noqa: E402
from geo.dataset import load  # noqa: E402
from geo.crs import with_lonlat  # noqa: E402
from geo.maps import LayerStore, indicator_map, risk_map  # noqa: E402
from geo.mapexport import atlas, indicator_figure, risk_figure, save_figure  # noqa: E402
from geo.risk import RiskFilter, risk_view  # noqa: E402
from geo.status import commune_status  # noqa: E402

#: What a Jinja template makes of the corpus's "{{ 7*7 }}{% if true %}jinja{% endif %}" payload.
EVALUATED = "49jinja"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path, reports = hostile.build_workspace(tmp_path_factory.mktemp("hostile"))
    return path, reports


@pytest.fixture(scope="module")
def ds(corpus):
    return load(corpus[0])


@pytest.fixture(scope="module")
def view(ds):
    return risk_view(ds, RiskFilter(min_level=1))


def _file_texts(path: Path) -> set[str]:
    """Every text cell of a corpus file that carries a payload (its "#n" serial)."""
    import geopandas as gpd

    frame = pd.read_csv(path, dtype=str) if path.suffix == ".csv" else gpd.read_file(path).drop(columns="geometry")
    return {v for v in frame.to_numpy().ravel() if isinstance(v, str) and re.search(r" #\d+$", v)}


_JSON_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\", "/": "/"}


def _decoded(page: str) -> str:
    r"""The rendered map with the escapes of its JSON strings (\uXXXX, \f, ...) undone, as the browser reads them."""
    return re.sub(r'\\(u[0-9a-fA-F]{4}|[bfnrt"\\/])',
                  lambda m: chr(int(m.group(1)[1:], 16)) if len(m.group(1)) == 5 else _JSON_ESCAPES[m.group(1)], page)


def _assert_inert(page: str, where: str) -> None:
    text = _decoded(page)
    injected = [tag for tag in hostile.INJECTED_TAGS if tag in text]
    assert not injected, f"{where}: markup from the data would reach the page: {injected}"
    assert EVALUATED not in text, f"{where}: text from the data was run as a Jinja template"


# ------------------------------------------------------------------------------------------------ import
def test_the_whole_corpus_is_imported_and_kept_as_written(corpus, ds):
    path, reports = corpus
    for kind, report in reports.items():
        assert len(report.rejected) == 0, f"{kind}: {report.rejected[['row', 'code']].values.tolist()}"
    files = path.parent / "files"
    sites = pd.read_csv(files / "diem_tai_dinh_cu.csv", dtype=str, keep_default_na=False)
    homes = pd.read_csv(files / "ho_dan.csv", dtype=str, keep_default_na=False)
    # The importer trims ids and names (a leading tab or carriage return too): that is all it may change.
    kept = [(("Mã điểm", "site_id"), (sites, ds.sites)), (("Tên điểm", "name_vi"), (sites, ds.sites)),
            (("Mã hộ", "household_id"), (homes, ds.households)), (("Thôn", "village_id"), (homes, ds.households)),
            (("Dân tộc", "ethnicity"), (homes, ds.households)), (("Mã điểm", "site_id"), (homes, ds.households))]
    for (column, field), (written, stored) in kept:
        assert sorted(written[column].str.strip()) == sorted(stored[field]), field
    assert any("<img src=x" in n for n in ds.sites["site_id"].tolist() + ds.sites["name_vi"].tolist())
    own = ds.communes(2020).loc[lambda c: ~c["ma_xa"].isin(hostile.COMMUNES)]
    assert len(own) >= 2 and set(own["name_vi"]) <= {t.strip() for t in _file_texts(files / "ranh_gioi_xa.geojson")}
    villages = ds.values.loc[ds.values["level"] == "village", "unit_code"]
    assert len(villages) == 9 and any(v.startswith("=") for v in villages)


# ------------------------------------------------------------------------------------------------ web maps
@pytest.mark.parametrize("units", ["2020", "2025"])
def test_indicator_map_shows_names_as_text(ds, units):
    table = commune_status(ds, "2", 2023, units)
    m = indicator_map(ds, table, hostile.hostile(0) + " " + hostile.hostile(6), units, "en")
    page = m.html()
    _assert_inert(page, f"indicator map {units}")
    if units == "2020":  # the office's own units are on the map, under their names, escaped
        names = ds.communes(2020)["name_vi"]
        own = names.loc[~ds.communes(2020)["ma_xa"].isin(hostile.COMMUNES)]
        assert len(own) and all(_decoded_name(n) in _decoded(page) for n in own)
        assert "&lt;img src=x onerror=alert(document.domain)&gt;" in _decoded(page)  # the legend title, as text


def _decoded_name(name: str) -> str:
    import html

    return html.escape(name).replace("{", "&#123;")


@pytest.mark.parametrize("max_points", [5_000, 10])
def test_risk_map_shows_names_as_text(ds, view, max_points):
    sites = ds.sites
    m = risk_map(ds, with_lonlat(view.shown), sites, set(sites["site_id"]), min_level=1, lang="vi",
                 max_points=max_points)
    page = m.html()
    _assert_inert(page, "risk map")
    decoded = _decoded(page)
    for name in sites["name_vi"]:  # every site's name is there, as text
        assert _decoded_name(name) in decoded
    for name in ds.communes(2020)["name_vi"]:
        assert _decoded_name(name) in decoded


def test_layers_the_browser_fetches_show_names_as_text(ds, view, tmp_path):
    """Boundaries and zones published once for the browser (the app's way) are as inert as a map's own script."""
    store = LayerStore(tmp_path / "layers", "app/static/layers", b"test")
    pages = [risk_map(ds, with_lonlat(view.shown), ds.sites, set(), min_level=1, store=store).html(),
             indicator_map(ds, commune_status(ds, "2", 2023), "t", store=store).html()]
    published = [path.read_text(encoding="utf-8") for path in (tmp_path / "layers").glob("*.json")]
    assert len(published) == 3  # communes and districts once (both maps), zones once
    assert all(f"/app/static/layers/{path.name}" in "".join(pages) for path in (tmp_path / "layers").glob("*.json"))
    for text in pages + published:
        _assert_inert(text, "published layer")
    decoded = _decoded("".join(published))
    assert all(_decoded_name(name) in decoded for name in ds.communes(2020)["name_vi"])


def test_risk_map_of_a_view_clipped_to_a_commune(ds, view):
    bounds = tuple(ds.communes(2020).to_crs(4326).total_bounds)
    m = risk_map(ds, with_lonlat(view.shown), ds.sites, set(), bounds=bounds)
    _assert_inert(m.html(), "risk map of a commune")


# ------------------------------------------------------------------------------------------------ exports
def _tables(ds, view) -> dict[str, pd.DataFrame]:
    shapes = ds.communes(2020)[["ma_xa", "geometry"]].merge(commune_status(ds, "2", 2023), on="ma_xa")
    return {"risk": view.table_for(None), "indicator": shapes}


@pytest.mark.parametrize("table", ["risk", "indicator"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_hold_the_text_and_never_a_formula(ds, view, tmp_path, table, fmt):
    frame = _tables(ds, view)[table]
    assert len(frame)
    out = export_table(frame, tmp_path / f"t.{fmt}", hostile.hostile(9), {"communes": [hostile.hostile(8)],
                                                                          "year": 2023},
                       exported_by=hostile.hostile(10), lang="vi")
    if fmt == "csv":
        cells = hostile.csv_cells(out)
        bare = hostile.runnable_cells(cells)
        assert not bare, f"CSV cells a spreadsheet would run: {bare[:5]}"
        if table == "risk":  # the ids are there, each behind its apostrophe
            ids = [i for i in frame["household_id"] if i.startswith(hostile.FORMULA_PREFIXES)]
            assert ids and all("'" + i in cells for i in ids)
    elif fmt == "xlsx":
        assert len(hostile.xlsx_quoted_texts(out)) > 0
        data = pd.read_excel(out, sheet_name=0, engine="openpyxl")
        if table == "risk":  # the ids as written (control characters in the workbook's escape), no apostrophe
            assert set(data.iloc[:, 0].map(unescape)) == set(frame["household_id"])
    elif fmt == "kml":
        ET.parse(out)  # well-formed XML: a control character would make Google Earth refuse the whole file
    elif fmt == "geojson":
        assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == len(frame)
    else:
        assert out.stat().st_size > 0


def test_xlsx_writes_formula_like_text_as_text(tmp_path):
    frame = pd.DataFrame({"household_id": [hostile.hostile(n) for n in (8, 9, 10, 11, 12, 15)],
                          "members": [1, -2, 3, 4, 5, 6]})
    out = export_table(frame, tmp_path / "f.xlsx", "=1+1", {"communes": ["=2+2"]}, exported_by="@me")
    assert len(hostile.xlsx_quoted_texts(out)) == len(frame) + 3
    assert pd.read_excel(out, sheet_name=0, engine="openpyxl").iloc[:, :2].values.tolist() == frame.values.tolist()


def test_a_negative_number_stays_a_number(tmp_path):
    frame = pd.DataFrame({"ma_xa": ["-01267", "01270"], "value": [-2.5, 3.0], "gap": [-1.0, 4.0]})
    csv_path = export_table(frame, tmp_path / "n.csv", "t", {})
    cells = hostile.csv_cells(csv_path)
    assert "-2.5" in cells and "-1.0" in cells and "'-01267" in cells
    xlsx_path = export_table(frame, tmp_path / "n.xlsx", "t", {})
    row = [(c.value, c.data_type) for c in load_workbook(xlsx_path).worksheets[0][2]][:3]
    assert row == [("-01267", "s"), (-2.5, "n"), (-1.0, "n")]


# ------------------------------------------------------------------------------------------------ print maps
@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_print_maps_draw_the_names(ds, view, tmp_path, fmt):
    save_figure(indicator_figure(ds, "2", 2023, labels=True), tmp_path / f"i.{fmt}", dpi=72)
    save_figure(risk_figure(ds, view, labels=True), tmp_path / f"r.{fmt}", dpi=72)
    assert (tmp_path / f"i.{fmt}").stat().st_size and (tmp_path / f"r.{fmt}").stat().st_size


def test_atlas_of_the_office_units(ds, view, tmp_path):
    codes = ds.communes(2020)["ma_xa"].tolist()
    atlas(ds, tmp_path / "a.pdf", "indicator", 2023, communes=codes)
    atlas(ds, tmp_path / "r.pdf", "risk", communes=codes, view=view)
