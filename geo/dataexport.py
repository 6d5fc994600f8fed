"""Tables for reports: CSV, XLSX, GeoJSON, GeoPackage and KML, nothing lost, nothing leaked.

Every export says what it holds: demo data carries "Dữ liệu minh họa / Demo
data"; every file says whether personal fields (household head's name,
identity number) are in it, and who exported it and when. Personal fields are
left out unless asked for explicitly. Numbers are kept to the precision they
are read with (an indicator's unit, whole counts, shares to 0.1 point).

* CSV and XLSX are for people: headers, codes and yes/no in the user's
  language (:mod:`geo.tables`), "–" for a missing code. CSV is UTF-8 with a
  byte-order mark (Excel shows Vietnamese), points as longitude/latitude.
  XLSX keeps numbers as numbers, each column with its number format (Excel
  shows them in the reader's locale), and adds sheets explaining the columns,
  the filters and the export.
* GeoJSON (WGS 84), GeoPackage (with an ``about`` table) and KML (Google
  Earth, field GPS units) are for GIS: machine column names and codes.

Text from imported files is data, never a formula (OWASP "CSV injection"): a
text cell of a CSV that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading apostrophe (:func:`defused`); in XLSX such a
cell is written as a string with Excel's own "quote prefix" (the apostrophe
Excel keeps when one types ``'=1+1``), so it shows as written and stays text
even when edited. Numbers stay numbers, negative ones too. Control characters
XML cannot hold are written in the workbook format's own escape (``_x000B_``,
which Excel reads back as the character), so a name with one still exports.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> _ = export_table(pd.DataFrame({"ma_xa": ["01267"], "value": [1.54]}), out, "Test", {"year": 2023})
>>> from openpyxl import load_workbook
>>> book = load_workbook(out)
>>> book.sheetnames
['Dữ liệu', 'Giải thích cột', 'Bộ lọc', 'Thông tin xuất']
>>> [(c.value, c.number_format) for c in book["Dữ liệu"][2]][:2], [c.value for c in book["Bộ lọc"][2]]
([('01267', 'General'), (1.5, '#,##0.0')], ['Năm', '2023'])
>>> _ = export_table(pd.DataFrame({"ma_xa": ["=1+1"], "value": [-1.5]}), out, "Test", {})
>>> [(c.value, c.data_type, c.quotePrefix) for c in load_workbook(out)["Dữ liệu"][2]][:2]
[('=1+1', 's', True), (-1.5, 'n', False)]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.catalogue import load_catalogue
from geo.crs import WGS84
from geo.hazardtypes import HAZARD_VOCAB
from geo.i18n import TEXT, UNIT_DIGITS, Refusal, fmt_date, fmt_number, header, t
from geo.tables import DATE_COLUMNS, in_words, readable

__all__ = [
    "COLUMN_DOCS",
    "FILTER_WORDS",
    "FORMATS",
    "PERSONAL_FIELDS",
    "export_table",
    "filter_table",
    "rounded",
    "with_personal_fields",
    "FORMULA_PREFIXES",
    "defused",
    "csv_bytes",
]

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "kml")
PERSONAL_FIELDS = ("head_name", "id_number")
#: What each column means (Vietnamese, English), for the XLSX "columns" sheet.
COLUMN_DOCS: dict[str, tuple[str, str]] = {
    "household_id": ("Mã hộ", "Household id"),
    "ma_xa": ("Mã xã (GSO); với hộ: xã ghi trong sổ hộ", "Commune code (GSO); for a household: as in the register"),
    "ma_xa_located": ("Mã xã theo vị trí", "Commune the point lies in"),
    "assignment": ("Vị trí so với ranh giới xã: trong một xã, vùng chồng lấn (xã sâu nhất), khe hở (xã gần nhất)",
                   "Position against commune boundaries: inside, overlap (deepest wins), gap (nearest commune)"),
    "gap_m": ("Khoảng cách đến xã gần nhất khi nằm ngoài mọi xã (m)", "Distance to the nearest commune (m)"),
    "mismatch": ("Xã trong sổ khác xã theo vị trí", "The register names another commune than the location"),
    "village_id": ("Mã thôn", "Village id"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "dtts": ("Dân tộc thiểu số", "Ethnic minority"),
    "members": ("Số khẩu", "Household members"),
    "poor": ("Hộ nghèo", "Poor household"),
    "scattered": ("Cư trú phân tán", "Living scattered"),
    "level": ("Mức nguy cơ cao nhất theo loại đã chọn (1-5)", "Highest level over the chosen hazard types (1-5)"),
    "max_level": ("Mức nguy cơ cao nhất (1-5)", "Highest hazard level (1-5)"),
    **{h.level_column: h.level_doc for h in HAZARD_VOCAB},  # one per hazard type, data/hazards.yaml
    "hazard_types": ("Loại thiên tai tại vị trí của hộ", "Hazard types present at the household"),
    "in_hazard": ("Trong vùng nguy cơ", "In a hazard zone"),
    "at_risk": ("Đối tượng bố trí (DTTS, cư trú phân tán, trong vùng nguy cơ)",
                "The programme's at-risk household (ethnic minority, scattered, in a hazard zone)"),
    "resettlement_status": ("Tình trạng di dời", "Resettlement status"),
    "resettlement_form": ("Hình thức bố trí: tập trung, xen ghép, ổn định tại chỗ",
                          "Form: concentrated, interspersed, stabilised in place"),
    "resettlement_date": ("Ngày di dời, ổn định", "Date resettled or stabilised"),
    "site_id": ("Điểm tái định cư", "Resettlement site"),
    "head_name": ("Họ tên chủ hộ (thông tin cá nhân)", "Household head (personal)"),
    "id_number": ("Số định danh (thông tin cá nhân)", "Identity number (personal)"),
    "name_vi": ("Tên xã", "Commune name"),
    "district_vi": ("Huyện (đến 6/2025)", "District (until June 2025)"),
    "indicator_id": ("Mã chỉ tiêu", "Indicator id"),
    "year": ("Năm", "Year"),
    "value": ("Giá trị", "Value"),
    "baseline": ("Giá trị năm 2020", "2020 value"),
    "reference": ("Tỷ lệ DTTS trong dân số (chỉ tiêu 25)", "Ethnic-minority share of the population (indicator 25)"),
    "target_value": ("Mục tiêu 2025", "2025 target"),
    "expected": ("Mức cần đạt năm nay (lộ trình)", "Value expected this year on the straight path"),
    "status": ("Tình trạng", "Status"),
    "gap": ("Còn thiếu đến mục tiêu", "Gap to the target"),
    "behind_path": ("Chậm so với lộ trình", "Behind the path by"),
    "years_needed": ("Số năm cần thêm theo tốc độ hiện nay (∞: không đạt)",
                     "Years still needed at the current pace (∞: never)"),
    "lon": ("Kinh độ (WGS 84)", "Longitude (WGS 84)"),
    "lat": ("Vĩ độ (WGS 84)", "Latitude (WGS 84)"),
    "export_note": ("Ghi chú xuất dữ liệu", "Export note"),
}
#: The filters an export records: the i18n key naming each, and the column whose codes its values are.
FILTER_WORDS: dict[str, tuple[str, str | None]] = {
    "types": ("hazard_types", "hazard_type"),
    "min_level": ("min_level", None),
    "buffer_m": ("buffer_m", None),
    "communes": ("communes_filter", None),
    "ethnicities": ("ethnicity", None),
    "statuses": ("resettlement_status", "resettlement_status"),
    "at_risk_only": ("at_risk_only", None),
    "indicator": ("indicator", None),
    "year": ("year", None),
    "units": ("units", None),
}
#: Columns holding an indicator's values, kept to its unit's precision (:data:`geo.i18n.UNIT_DIGITS`).
_INDICATOR_VALUES = ("value", "baseline", "reference", "target_value", "expected", "gap", "behind_path")
#: Decimal places of the other measured columns.
_DIGITS = {"years_needed": 1, "gap_m": 0, "lon": 7, "lat": 7}
#: Shares (0-1), kept to 0.1 percentage point.
_SHARES = ("share", "expected_share", "target_share")
#: Whole numbers: counts, and years (never written with a thousands separator).
_COUNTS = ("households", "in_zones", "at_risk", "done", "needed", "target_households", "members", "capacity",
           "n_reported", "rows")
_YEARS = ("year", "value_year", "baseline_year", "target_year", "version")


#: The first characters that make a spreadsheet read a text cell as a formula (OWASP "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _text_columns(frame: pd.DataFrame) -> list[int]:
    """Positions of the columns that may hold text (neither numbers, booleans nor dates)."""
    return [i for i, dtype in enumerate(frame.dtypes)
            if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_datetime64_any_dtype(dtype))]


def defused(frame: pd.DataFrame) -> pd.DataFrame:
    r"""``frame`` with a leading apostrophe on every text cell and header a spreadsheet would run as a formula.

    Only text changes: numbers (negative ones too), dates and missing values stay as they are.

    >>> import pandas as pd
    >>> defused(pd.DataFrame({"=id": ["=1+1", "-x", "@a", "\tb", "Nà Giàng"], "n": [-1, 2, 3, 4, 5],
    ...                       "mixed": [-1.5, "+1", None, "∞", 0]})).to_dict("list")
    {"'=id": ["'=1+1", "'-x", "'@a", "'\tb", 'Nà Giàng'], 'n': [-1, 2, 3, 4, 5], 'mixed': [-1.5, "'+1", None, '∞', 0]}
    """
    out = frame.copy()
    for i in _text_columns(out):
        out.isetitem(i, out.iloc[:, i].map(lambda v: "'" + v if _formula_like(v) else v))
    out.columns = ["'" + c if _formula_like(c) else c for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV as UTF-8 with a byte-order mark (so Excel reads Vietnamese), formula-like text defused.

    Points become ``lon``/``lat`` columns (WGS 84); other geometries are left
    out (a CSV is a table: use GeoPackage or GeoJSON for shapes).
    """
    table = pd.DataFrame(frame)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame:
        table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        if (frame.geom_type == "Point").all():
            points = frame.geometry.to_crs(WGS84)
            table["lon"], table["lat"] = points.x.round(7), points.y.round(7)
    return defused(table).to_csv(index=False).encode("utf-8-sig")


#: Characters an XLSX cannot hold as they are (openpyxl refuses them), and a text Excel would read as their escape.
_XLSX_ESCAPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")


def _ooxml_text(value: object) -> object:
    """Text as an XLSX stores it (ECMA-376 ``ST_Xstring``): a control character as ``_xHHHH_``.

    A literal ``_xHHHH_`` keeps its underscore as ``_x005F_``, so Excel shows it as written.

    >>> _ooxml_text("a\\x0bb _x0041_"), _ooxml_text(-1)
    ('a_x000B_b _x005F_x0041_', -1)
    """
    if not isinstance(value, str):
        return value
    return _XLSX_ESCAPED.sub(lambda m: f"_x{ord(m.group(0)):04X}_", value)


def _xlsx_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text (headers too) as :func:`_ooxml_text`."""
    out = frame.copy()
    for i in _text_columns(out):
        out.isetitem(i, out.iloc[:, i].map(_ooxml_text))
    out.columns = [_ooxml_text(c) for c in out.columns]
    return out


def _defuse_sheet(ws, sheet: pd.DataFrame) -> None:
    """Write every formula-like text cell of ``ws`` (``sheet`` written from A1 with its header) as text.

    openpyxl stores a string starting with "=" as a formula: such cells become
    strings again, and every formula-like text gets Excel's quote prefix.
    """
    columns = {1 + i for i in _text_columns(sheet)}
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f" or (_formula_like(cell.value) and (cell.row == 1 or cell.column in columns)):
                cell.data_type = "s"
                cell.quotePrefix = True


def with_personal_fields(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Join the personal fields (by ``household_id``) for an export that asks for them."""
    fields = ["household_id", *PERSONAL_FIELDS]
    return frame.merge(people[fields], on="household_id", how="left", validate="one_to_one")


def _unit_digits(frame: pd.DataFrame) -> pd.Series:
    """Decimal places of each row's indicator: from its ``unit``, else its ``indicator_id``, else 1."""
    if "unit" in frame:
        digits = frame["unit"].map(UNIT_DIGITS)
    elif "indicator_id" in frame:
        units = {key: UNIT_DIGITS.get(ind.unit, 1) for key, ind in load_catalogue().items()}
        digits = frame["indicator_id"].map(units)
    else:
        digits = pd.Series(np.nan, index=frame.index)
    return digits.astype(float).fillna(1)


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with numbers at the precision they are read with, and whole counts and years as integers.

    Indicator values take their unit's decimals, shares (0-1) keep 0.1 point,
    counts and years become integers (empty where missing).

    >>> import pandas as pd
    >>> rounded(pd.DataFrame({"indicator_id": ["2", "3a"], "value": [12.984496, 1.0000001],
    ...                       "year": [2023.0, None], "share": [0.48996, 0.5]})).to_dict("list")
    {'indicator_id': ['2', '3a'], 'value': [13.0, 1.0], 'year': [2023, None], 'share': [0.49, 0.5]}
    >>> rounded(pd.DataFrame({"indicator_id": ["3a"], "value": [2.0000001], "gap_m": [12.34]})).to_dict("list")
    {'indicator_id': ['3a'], 'value': [2], 'gap_m': [12]}
    """
    out = frame.copy()
    numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c])]
    unit_digits = _unit_digits(out) if any(c in _INDICATOR_VALUES for c in numeric) else None
    for column in numeric:
        if column in _COUNTS or column in _YEARS:
            out[column] = out[column].round().astype("Int64")
            continue
        if column in _INDICATOR_VALUES:
            scale = 10.0 ** unit_digits
        elif column in _SHARES:
            scale = 1000.0
        elif column in _DIGITS:
            scale = 10.0 ** _DIGITS[column]
        else:
            continue
        values = (out[column].astype(float) * scale).round() / scale
        whole = np.all(scale == 1) and not np.isinf(values).any()
        out[column] = values.astype("Int64") if whole else values
    return out


def filter_table(filters: Mapping[str, object], lang: str = "vi") -> pd.DataFrame:
    """The filters that made a table, as words: one row per filter, its name and its value.

    >>> filter_table({"types": ["landslide", "flash_flood"], "min_level": 4, "communes": None,
    ...               "buffer_m": 50.0, "at_risk_only": False, "year": 2023}).values.tolist()
    [['Loại thiên tai', 'Sạt lở đất, Lũ quét'], ['Mức nguy cơ từ', '4 (Cao)'], ['Xã', 'Tất cả'], \
['Vùng đệm (m)', '50'], ['Chỉ hộ DTTS cư trú phân tán (đối tượng bố trí)', 'Không'], ['Năm', '2023']]
    """
    names = [t(FILTER_WORDS[key][0], lang) if key in FILTER_WORDS else header(str(key), lang) for key in filters]
    values = [_filter_value(str(key), value, lang) for key, value in filters.items()]
    indicator = load_catalogue().get(str(filters.get("indicator")))
    if indicator is not None:  # a change of standard (poverty 2022) travels with every export of the indicator
        year = filters.get("year")
        for note in indicator.notes(int(year) if isinstance(year, (int, np.integer)) else None, lang):
            names.append(t("standard_note", lang))
            values.append(note)
    return pd.DataFrame({t("exp_item", lang): names, t("value", lang): values})


def _filter_value(key: str, value: object, lang: str) -> str:
    """One filter's value in words ("Tất cả" when it does not restrict anything)."""
    column = FILTER_WORDS.get(key, (None, None))[1]
    listed = pd.api.types.is_list_like(value)
    if key == "types" and listed and len(value) == 0:  # no hazard type chosen selects nothing, not all
        return "–"
    if value is None or (listed and len(value) == 0):
        return t("all", lang)
    if isinstance(value, (bool, np.bool_)):
        return t("yes" if value else "no", lang)
    if key == "min_level" and f"level_{value}" in TEXT:
        return f"{value} ({t(f'level_{value}', lang)})"
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        return fmt_number(value, 0 if float(value).is_integer() else 1, lang)
    items = pd.Series(list(value) if listed else [value], dtype=object).astype(str)
    if key == "units":
        items = items.map(lambda u: t(f"units_{u}", lang) if f"units_{u}" in TEXT else u)
    elif key == "indicator":
        catalogue = load_catalogue()
        items = items.map(lambda i: f"{i}. {catalogue[i].name(lang)}" if i in catalogue else i)
    elif column:
        items = in_words(column, items, lang)
    return ", ".join(items)


def _note(demo_label: str, personal: bool, exported_by: str | None, at: str, lang: str) -> str:
    when = t("exp_note_at", lang, at=fmt_date(at, lang, time=True))
    parts = [demo_label] if demo_label else []
    parts.append(t("exp_personal_in" if personal else "exp_personal_out", lang))
    parts.append(when + (" " + t("exp_note_by", lang, who=exported_by) if exported_by else ""))
    return "; ".join(parts)


def export_table(
    frame: pd.DataFrame,
    path: str | Path,
    title: str,
    filters: Mapping[str, object],
    demo_label: str = "",
    personal: bool = False,
    exported_by: str | None = None,
    lang: str = "vi",
) -> Path:
    """Write ``frame`` to ``path`` in the format of its extension.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
    title : str
        What the table is, for the XLSX/GeoPackage "about" table.
    filters : mapping
        The filters that made the table (name → value), recorded in words in
        XLSX and GeoPackage exports (see :data:`FILTER_WORDS`).
    demo_label : str
        The dataset's demo label ("" for real data).
    personal : bool
        Keep personal fields. When False (the default) any personal field in
        ``frame`` is dropped.
    exported_by : str, optional
        Who exported (recorded in the "about" table).
    lang : str
        Language of the headers, codes and notes ("vi" or "en").

    Raises
    ------
    ValueError
        On an unknown extension, or a spatial format for a table without geometry.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{path}: format must be one of {', '.join('.' + f for f in FORMATS)}")
    if not path.parent.is_dir():
        raise ValueError(f"{path}: folder {path.parent} does not exist")
    table = frame if personal else frame.drop(columns=[c for c in PERSONAL_FIELDS if c in frame])
    at = dt.datetime.now().isoformat(timespec="seconds")
    table = rounded(table.assign(export_note=_note(demo_label, personal, exported_by, at, lang)))
    spatial = isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table
    about = pd.DataFrame({
        t("exp_item", lang): [t(k, lang) for k in ("exp_title", "exp_at", "exp_by", "exp_personal", "data_source")]
        + [header("rows", lang)],
        t("value", lang): [title, fmt_date(at, lang, time=True), exported_by or "–",
                           t("exp_personal_in" if personal else "exp_personal_out", lang),
                           demo_label or t("source_workspace", lang), len(table)],
    })
    if fmt == "csv":
        path.write_bytes(csv_bytes(_human(_located(table), lang)))
    elif fmt == "xlsx":
        _xlsx(table, path, filter_table(filters, lang), about, lang)
    else:
        if not spatial:
            raise Refusal("exp_err_no_geometry", path=path.name)
        path.unlink(missing_ok=True)
        out = _plain_types(table)
        if fmt == "gpkg":
            pyogrio.write_dataframe(out, path, layer="data", driver="GPKG")
            worded = filter_table(filters, lang)
            worded.iloc[:, 0] = [t("exp_filter", lang, name=n) for n in worded.iloc[:, 0]]
            notes = pd.concat([about, worded], ignore_index=True).set_axis(["key", "value"], axis=1)
            pyogrio.write_dataframe(notes.astype(str), path, layer="about", driver="GPKG")
        elif fmt == "geojson":  # JSON has no infinity: null, as GDAL would write it (with a warning)
            floats = out.select_dtypes("float").columns
            out[floats] = out[floats].replace([np.inf, -np.inf], np.nan)
            pyogrio.write_dataframe(out.to_crs(WGS84), path, driver="GeoJSON",
                                    layer_options={"COORDINATE_PRECISION": 7})
        else:  # KML: Google Earth and GPS units show the Name field, and the note in each placemark's description
            name = out["household_id"] if "household_id" in out else out.get("name_vi", out.index.to_series())
            kml = out.to_crs(WGS84).assign(Name=name.astype(str), Description=out["export_note"])
            pyogrio.write_dataframe(kml, path, driver="KML")
    return path


def _plain_types(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns every vector format can hold: booleans as 0/1 integers, dates as text."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].dtype == bool:
            out[column] = out[column].astype("int8")
        elif pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d")
    return out


def _located(table: pd.DataFrame) -> pd.DataFrame:
    """A plain table: points as ``lon``/``lat`` (WGS 84), other geometries and ``_``-columns left out."""
    data = pd.DataFrame(table[[c for c in table.columns if not str(c).startswith("_")]])
    if not (isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table):
        return data
    data = data.drop(columns=table.geometry.name)
    if (table.geom_type == "Point").all():
        points = table.geometry.to_crs(WGS84)
        data["lon"], data["lat"] = points.x.round(7), points.y.round(7)
    return data


def _headers(columns: pd.Index, lang: str) -> dict[str, str]:
    """A distinct header per column: the export's own words first, then :func:`geo.i18n.header`.

    >>> _headers(pd.Index(["max_level", "level", "lon", "x"]), "en")
    {'max_level': 'Highest hazard level', 'level': 'Highest level (chosen hazard types)', 'lon': 'Longitude (WGS 84)', 'x': 'x'}
    """
    words = pd.Series([t(f"exp_col_{c}", lang) if f"exp_col_{c}" in TEXT else header(str(c), lang) for c in columns],
                      index=columns, dtype=object)
    repeated = words.duplicated(keep=False)
    words[repeated] = words[repeated] + " (" + words.index[repeated].astype(str) + ")"
    return words.to_dict()


def _human(data: pd.DataFrame, lang: str, keep_dates: bool = False) -> pd.DataFrame:
    """A :func:`_located` table as people read it: headers, codes, yes/no and dates in words, "∞" for infinity.

    Column for column, in the same order. With ``keep_dates`` dates stay dates (for XLSX, which formats them).
    """
    data = data.copy()
    if "hazard_types" in data:
        data["hazard_types"] = _hazard_words(data["hazard_types"], lang)
    for column in data.columns[[pd.api.types.is_bool_dtype(d) for d in data.dtypes]]:
        data[column] = data[column].map({True: t("yes", lang), False: t("no", lang)})
    dates = [c for c in data.columns if keep_dates and (c in DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(data[c]))]
    words = readable(data.drop(columns=dates), lang, keep=_headers(data.columns, lang))
    for column in dates:
        when = pd.to_datetime(data[column], errors="coerce")
        when = when.dt.tz_localize(None) if isinstance(when.dtype, pd.DatetimeTZDtype) else when
        words.insert(data.columns.get_loc(column), header(column, lang), when)
    floats = words.columns[[pd.api.types.is_float_dtype(d) for d in words.dtypes]]
    for column in floats[np.isinf(words[floats]).any().to_numpy()]:
        words[column] = words[column].astype(object).where(~np.isinf(words[column].astype(float)), "∞")
    return words


def _hazard_words(codes: pd.Series, lang: str) -> pd.Series:
    """``landslide;flash_flood`` → "Sạt lở đất, Lũ quét" ("–" for none).

    >>> import pandas as pd
    >>> _hazard_words(pd.Series(["landslide;flash_flood", "", None]), "vi").tolist()
    ['Sạt lở đất, Lũ quét', '–', '–']
    """
    parts = codes.reset_index(drop=True).astype(object).str.split(";").explode()
    parts = parts.loc[parts.notna() & (parts != "")]
    joined = in_words("hazard_type", parts, lang).groupby(level=0).agg(", ".join)
    return pd.Series(joined.reindex(range(len(codes))).fillna("–").to_numpy(), index=codes.index)


def _number_format(column: str, values: pd.Series, digits: pd.Series | None) -> str | None:
    """The Excel number format of one exported column (None: leave it as written)."""
    if column in _YEARS:
        return "0"
    if pd.api.types.is_datetime64_any_dtype(values):
        return "dd/mm/yyyy hh:mm" if column.endswith("_at") else "dd/mm/yyyy"
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return None
    if column in _SHARES:
        return "0.0%"
    if pd.api.types.is_integer_dtype(values):
        return "#,##0"
    places = int(digits.max()) if column in _INDICATOR_VALUES and digits is not None else _DIGITS.get(column)
    if places is None:
        return None
    return "#,##0" + ("." + "0" * places if places else "") if column not in ("lon", "lat") else "0." + "0" * places


def _xlsx(table: pd.DataFrame, path: Path, filters: pd.DataFrame, about: pd.DataFrame, lang: str) -> None:
    data = _located(table)
    words = _human(data, lang, keep_dates=True)
    digits = _unit_digits(data) if any(c in _INDICATOR_VALUES for c in data) else None
    formats = {i: f for i, (c, header_) in enumerate(zip(data.columns, words.columns), start=1)
               if (f := _number_format(str(c), words[header_], digits))}
    docs = [COLUMN_DOCS.get(c, ("", ""))[0 if lang == "vi" else 1] for c in data.columns]
    columns = pd.DataFrame({t("column", lang): words.columns, t("exp_description", lang): docs})
    sheets = {t("exp_sheet_data", lang): words, t("exp_sheet_columns", lang): columns,
              t("filters", lang): filters, t("exp_sheet_about", lang): about}
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, sheet in sheets.items():
            sheet = _xlsx_cells(sheet)
            sheet.to_excel(writer, sheet_name=name, index=False, inf_rep="∞")
            ws = writer.sheets[name]
            _defuse_sheet(ws, sheet)
            ws.freeze_panes = "A2"
            for letter, text in zip((c.column_letter for c in ws[1]), sheet.columns):
                ws.column_dimensions[letter].width = min(60, max(10, len(str(text)) + 2))
        ws = writer.sheets[t("exp_sheet_data", lang)]
        for index, number_format in formats.items():  # openpyxl styles cell by cell
            for (cell,) in ws.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
