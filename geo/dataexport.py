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
import math
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.catalogue import load_catalogue
from geo.crs import WGS84, lonlat
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
            lon, lat = lonlat(frame.geometry)
            table["lon"], table["lat"] = np.round(lon, 7), np.round(lat, 7)
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
        lon, lat = lonlat(table.geometry)
        data["lon"], data["lat"] = np.round(lon, 7), np.round(lat, 7)
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
        # as categories, so the words are read back once per category, not once per household
        data[column] = data[column].map({True: t("yes", lang), False: t("no", lang)}).astype("category")
    dates = [c for c in data.columns if keep_dates and (c in DATE_COLUMNS or pd.api.types.is_datetime64_any_dtype(data[c]))]
    words = readable(data.drop(columns=dates), lang, keep=_headers(data.columns, lang))
    for column in dates:
        when = pd.to_datetime(data[column], errors="coerce")
        when = when.dt.tz_localize(None) if isinstance(when.dtype, pd.DatetimeTZDtype) else when
        words.insert(data.columns.get_loc(column), header(column, lang), when)
    floats = words.columns[[pd.api.types.is_float_dtype(d) for d in words.dtypes]]
    for column in floats[np.isinf(words[floats]).any().to_numpy()]:
        words[column] = words[column].astype(object).where(~np.isinf(words[column].astype(float)), "∞")
    categories = words.columns[[isinstance(d, pd.CategoricalDtype) for d in words.dtypes]]
    return words.astype(dict.fromkeys(categories, object))


def _hazard_words(codes: pd.Series, lang: str) -> pd.Series:
    """``landslide;flash_flood`` → "Sạt lở đất, Lũ quét" ("–" for none).

    >>> import pandas as pd
    >>> _hazard_words(pd.Series(["landslide;flash_flood", "", None]), "vi").tolist()
    ['Sạt lở đất, Lũ quét', '–', '–']
    """
    rows, distinct = pd.factorize(codes.astype(object))  # a few combinations among thousands of households
    parts = pd.Series(distinct, dtype=object).str.split(";").explode()
    parts = parts.loc[parts.notna() & (parts != "")]
    joined = in_words("hazard_type", parts, lang).groupby(level=0).agg(", ".join)
    words = np.append(joined.reindex(range(len(distinct))).fillna("–").to_numpy(dtype=object), "–")
    return pd.Series(words[rows], index=codes.index)  # -1 (missing) takes the last: "–"


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
    formats = [_number_format(str(c), words[header_], digits) for c, header_ in zip(data.columns, words.columns)]
    docs = [COLUMN_DOCS.get(c, ("", ""))[0 if lang == "vi" else 1] for c in data.columns]
    columns = pd.DataFrame({t("column", lang): words.columns, t("exp_description", lang): docs})
    _write_workbook(path, {t("exp_sheet_data", lang): (words, formats), t("exp_sheet_columns", lang): (columns, None),
                           t("filters", lang): (filters, None), t("exp_sheet_about", lang): (about, None)})


# ------------------------------------------------------------------------------------------------ XLSX writer
# A workbook is a zip of XML parts (ECMA-376). The sheets are written column by column: each distinct value of a
# column becomes its cell's XML once, so 100,000 rows take about a second (openpyxl styles cell by cell).

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Number formats Excel knows by id (ECMA-376 §18.8.30); any other is declared in the workbook, from id 164.
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10}
#: Cell styles: 0 plain, 1 text with Excel's quote prefix (never read as a formula), then one per number format.
_QUOTED = 1
#: Day 0 of Excel's dates (1900 date system).
_EXCEL_EPOCH = pd.Timestamp("1899-12-30")


def _xml_text(text: str) -> str:
    r"""Text as XML character data; a carriage return as a reference, or a reader would make it a line feed.

    >>> _xml_text('a<b & "c"\r')
    'a&lt;b &amp; "c"&#13;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _xml_attribute(text: str) -> str:
    return _xml_text(text).replace('"', "&quot;")


def _style(style: int) -> str:
    return f' s="{style}"' if style else ""


def _cell_end(value: object, style: int) -> str:
    r"""What follows ``<c r="A1"`` for ``value``: its style, type and value, or ``/>`` when it is missing or empty.

    Text is written inline, escaped (:func:`_ooxml_text`), and quoted when it looks like a formula; numbers
    take the column's ``style``; infinity is "∞".

    >>> _cell_end(1.5, 2), _cell_end(None, 2), _cell_end("", 2)
    (' s="2"><v>1.5</v></c>', '/>', '/>')
    >>> _cell_end("=1+1", 2)
    ' s="1" t="inlineStr"><is><t xml:space="preserve">=1+1</t></is></c>'
    >>> _cell_end(float("inf"), 0)
    ' t="inlineStr"><is><t xml:space="preserve">∞</t></is></c>'
    """
    if not isinstance(value, str):
        if value is None or value is pd.NA or value is pd.NaT:
            return "/>"
        if isinstance(value, (bool, np.bool_)):
            return f' t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, np.integer)):
            return f"{_style(style)}><v>{int(value)}</v></c>"
        if isinstance(value, (float, np.floating)):
            if np.isnan(value):
                return "/>"
            if not np.isinf(value):
                return f"{_style(style)}><v>{float(value)!r}</v></c>"
        elif isinstance(value, (dt.date, np.datetime64)):
            return _cell_end((pd.Timestamp(value) - _EXCEL_EPOCH) / pd.Timedelta(days=1), style)
        value = "∞" if isinstance(value, (float, np.floating)) else str(value)
    if not value:
        return "/>"  # an empty text is an empty cell
    text = _ooxml_text(value)
    quoted = _QUOTED if _formula_like(text) else style
    return f'{_style(quoted)} t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'


def _column_ends(values: pd.Series, style: int) -> np.ndarray:
    """:func:`_cell_end` of every value of a column, each distinct value written once; dates as Excel's days."""
    if pd.api.types.is_datetime64_any_dtype(values):
        values = (values - _EXCEL_EPOCH) / pd.Timedelta(days=1)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    if pd.api.types.is_numeric_dtype(distinct.dtype) and not pd.api.types.is_bool_dtype(distinct.dtype):
        attribute = _style(style)  # finite numbers as :func:`_cell_end` writes them, without its checks
        ends = [f"{attribute}><v>{v!r}</v></c>" if math.isfinite(v) else _cell_end(v, style) for v in distinct.tolist()]
    elif pd.api.types.infer_dtype(distinct, skipna=False) == "string":
        ends = _text_ends(pd.Series(np.asarray(distinct, dtype=object)), style)
    else:
        ends = [_cell_end(v, style) for v in distinct]
    ends = np.array([*ends, "/>"], dtype=object)
    return ends[codes]  # code -1 (missing) takes the last: an empty cell


def _text_ends(texts: pd.Series, style: int) -> list[str]:
    """:func:`_cell_end` of texts, on whole columns at once (Arrow's string kernels): a column of 100,000
    household ids in about 0.15 s, against about 0.45 s one by one.

    >>> _text_ends(pd.Series(["=1+1", "a<b", ""]), 2) == [_cell_end(v, 2) for v in ["=1+1", "a<b", ""]]
    True
    """
    text = texts.astype("string[pyarrow]")
    odd = text.str.contains(_XLSX_ESCAPED.pattern, regex=True)
    if odd.any():  # control characters, literal _xHHHH_: rare, the rule of :func:`_ooxml_text` one by one
        text[odd] = [_ooxml_text(v) for v in text[odd]]
    quoted = text.str.startswith(FORMULA_PREFIXES).to_numpy(bool)
    for char, reference in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")):
        text = text.str.replace(char, reference, regex=False)
    opening = np.where(quoted, f'{_style(_QUOTED)} t="inlineStr"><is><t xml:space="preserve">',
                       f'{_style(style)} t="inlineStr"><is><t xml:space="preserve">').astype(object)
    ends = opening + text.to_numpy(object) + "</t></is></c>"
    return np.where(text.str.len().to_numpy() == 0, "/>", ends).tolist()


def _letters(n: int) -> list[str]:
    """The first ``n`` column letters: A … Z, AA …

    >>> _letters(28)[-3:]
    ['Z', 'AA', 'AB']
    """
    out = []
    for i in range(1, n + 1):
        name = ""
        while i:
            i, rest = divmod(i - 1, 26)
            name = chr(65 + rest) + name
        out.append(name)
    return out


def _sheet_xml(frame: pd.DataFrame, styles: list[int]) -> str:
    """One worksheet: the header row frozen, columns as wide as their header, then the rows."""
    letters = _letters(frame.shape[1])
    header = "".join(f'<c r="{c}1"{_cell_end(h, 0)}' for c, h in zip(letters, frame.columns))
    # Rows and cells after the header carry no reference (optional in OOXML: each follows the previous one),
    # which makes the sheet a quarter smaller to write and to compress.
    # The rows as one array of pieces (row tags, cell openings, cells), joined once.
    pieces = np.empty((len(frame), 2 * frame.shape[1] + 2), dtype=object)
    pieces[:, 0], pieces[:, 1:-1:2], pieces[:, -1] = "<row>", "<c", "</row>"
    for i, style in enumerate(styles):
        pieces[:, 2 + 2 * i] = _column_ends(frame.iloc[:, i], style)
    rows = "".join(pieces.ravel().tolist())
    widths = "".join(f'<col min="{i}" max="{i}" width="{min(60, max(10, len(str(_ooxml_text(h))) + 2))}" '
                     'customWidth="1"/>' for i, h in enumerate(frame.columns, start=1))
    return (f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_RELATIONS}"><sheetViews><sheetView workbookViewId="0">'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/>{"<cols>" + widths + "</cols>" if widths else ""}'
            f'<sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>')


def _styles_xml(formats: list[str]) -> str:
    """The workbook's styles: plain, quoted text (:data:`_QUOTED`), then one per number format of ``formats``."""
    custom = [f for f in formats if f not in _BUILTIN_FORMATS]
    ids = {**_BUILTIN_FORMATS, **{f: 164 + i for i, f in enumerate(custom)}}
    declared = "".join(f'<numFmt numFmtId="{ids[f]}" formatCode="{_xml_attribute(f)}"/>' for f in custom)
    cells = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
             '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>',
             *(f'<xf numFmtId="{ids[f]}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
               for f in formats)]
    return (f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            + (f'<numFmts count="{len(custom)}">{declared}</numFmts>' if custom else "")
            + '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{len(cells)}">{"".join(cells)}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def _write_workbook(path: Path, sheets: Mapping[str, tuple[pd.DataFrame, list[str | None] | None]]) -> None:
    """Write ``sheets`` (name → table and the number format of each column, None for none) as an XLSX workbook."""
    formats = list(dict.fromkeys(f for _, fmts in sheets.values() for f in fmts or () if f))
    style = {f: _QUOTED + 1 + i for i, f in enumerate(formats)}
    n = len(sheets)
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{kind}.worksheet+xml"/>'
                      for i in range(1, n + 1)) + "</Types>"),
        "_rels/.rels": (f'{_HEAD}<Relationships xmlns="{_PACKAGE}"><Relationship Id="rId1" '
                        f'Type="{_RELATIONS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONS}"><bookViews><workbookView/></bookViews><sheets>'
            + "".join(f'<sheet name="{_xml_attribute(name)}" sheetId="{i}" r:id="rId{i}"/>'
                      for i, name in enumerate(sheets, start=1)) + "</sheets></workbook>"),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PACKAGE}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_RELATIONS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{_RELATIONS}/styles" Target="styles.xml"/></Relationships>'),
        "xl/styles.xml": _styles_xml(formats),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as book:
        for name, xml in parts.items():
            book.writestr(name, xml)
        for i, (frame, fmts) in enumerate(sheets.values(), start=1):
            styles = [style.get(f, 0) for f in fmts or [None] * frame.shape[1]]
            book.writestr(f"xl/worksheets/sheet{i}.xml", _sheet_xml(frame, styles).encode("utf-8"))
