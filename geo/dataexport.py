"""Tables for reports: CSV, XLSX, GeoJSON, GeoPackage and KML, nothing lost, nothing leaked.

Every export says what it holds: demo data carries "Dữ liệu minh họa / Demo
data"; every file says whether personal fields (household head's name,
identity number) are in it, and who exported it and when. Personal fields are
left out unless asked for explicitly.

* CSV: UTF-8 with a byte-order mark (Excel shows Vietnamese), points as
  ``lon``/``lat``, and an ``export_note`` column.
* XLSX: the data, plus sheets describing the columns, the filters and the
  export.
* GeoJSON (WGS 84), GeoPackage (with an ``about`` table) and KML (Google
  Earth, field GPS units).

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> out = pathlib.Path(tempfile.mkdtemp()) / "t.xlsx"
>>> _ = export_table(pd.DataFrame({"ma_xa": ["01267"], "value": [1.5]}), out, "Test", {"year": "2023"})
>>> pd.read_excel(out, sheet_name=None, dtype=str, engine="openpyxl").keys()
dict_keys(['data', 'columns', 'filters', 'about'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.crs import WGS84
from geo.io import csv_bytes

__all__ = ["FORMATS", "PERSONAL_FIELDS", "COLUMN_DOCS", "export_table", "with_personal_fields"]

FORMATS = ("csv", "xlsx", "geojson", "gpkg", "kml")
PERSONAL_FIELDS = ("head_name", "id_number")
#: What each column means (Vietnamese / English), for the XLSX "columns" sheet.
COLUMN_DOCS: dict[str, str] = {
    "household_id": "Mã hộ / household id",
    "ma_xa": "Mã xã (GSO) trong sổ hộ / commune code in the register",
    "ma_xa_located": "Mã xã theo vị trí / commune the point lies in",
    "assignment": "inside / overlap (deepest wins) / gap (nearest commune) / no_location",
    "gap_m": "Khoảng cách đến xã gần nhất khi nằm ngoài mọi xã (m) / distance to the nearest commune (m)",
    "mismatch": "Xã trong sổ khác xã theo vị trí / register names another commune than the location",
    "village_id": "Mã thôn / village id",
    "ethnicity": "Dân tộc / ethnicity",
    "dtts": "Dân tộc thiểu số / ethnic minority",
    "members": "Số khẩu / household members",
    "poor": "Hộ nghèo / poor household",
    "scattered": "Cư trú phân tán / living scattered",
    "level": "Mức nguy cơ cao nhất theo loại đã chọn (1-5) / highest level over the chosen hazard types",
    "max_level": "Mức nguy cơ cao nhất (1-5) / highest hazard level",
    "level_landslide": "Mức nguy cơ sạt lở (0 = không) / landslide level (0 = none)",
    "level_flash_flood": "Mức nguy cơ lũ quét / flash-flood level",
    "level_tube_flood": "Mức nguy cơ lũ ống / tube-flood level",
    "hazard_types": "Loại thiên tai / hazard types present",
    "in_hazard": "Trong vùng nguy cơ / in a hazard zone",
    "at_risk": "Đối tượng bố trí (DTTS, phân tán, trong vùng nguy cơ) / programme's at-risk household",
    "resettlement_status": "Tình trạng di dời / resettlement status",
    "resettlement_form": "Hình thức / form (concentrated, interspersed, in_place)",
    "resettlement_date": "Ngày di dời, ổn định / date resettled or stabilised",
    "site_id": "Điểm tái định cư / resettlement site",
    "head_name": "Họ tên chủ hộ (thông tin cá nhân) / household head (personal)",
    "id_number": "Số định danh (thông tin cá nhân) / identity number (personal)",
    "name_vi": "Tên / name",
    "district_vi": "Huyện (đến 6/2025) / district (until June 2025)",
    "indicator_id": "Mã chỉ tiêu / indicator id",
    "year": "Năm / year",
    "value": "Giá trị / value",
    "baseline": "Giá trị năm 2020 / 2020 value",
    "reference": "Tỷ lệ DTTS trong dân số (chỉ tiêu 25) / ethnic-minority share of the population",
    "target_value": "Mục tiêu 2025 / 2025 target",
    "expected": "Mức cần đạt năm nay (lộ trình) / value expected this year on the straight path",
    "status": "Tình trạng / status",
    "status_text": "Tình trạng (chữ) / status (text)",
    "gap": "Còn thiếu đến mục tiêu / gap to the target",
    "behind_path": "Chậm so với lộ trình / behind the path by",
    "years_needed": "Số năm cần thêm theo tốc độ hiện nay / years still needed at the current pace",
    "lon": "Kinh độ (WGS 84) / longitude",
    "lat": "Vĩ độ (WGS 84) / latitude",
    "export_note": "Ghi chú xuất dữ liệu / export note",
}


def with_personal_fields(frame: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Join the personal fields (by ``household_id``) for an export that asks for them."""
    fields = ["household_id", *PERSONAL_FIELDS]
    return frame.merge(people[fields], on="household_id", how="left", validate="one_to_one")


def _note(demo_label: str, personal: bool, exported_by: str | None, at: str) -> str:
    parts = [demo_label] if demo_label else []
    parts.append("có thông tin cá nhân / includes personal fields" if personal
                 else "không gồm thông tin cá nhân / personal fields excluded")
    parts.append(f"xuất / exported {at}" + (f" by {exported_by}" if exported_by else ""))
    return "; ".join(parts)


def export_table(
    frame: pd.DataFrame,
    path: str | Path,
    title: str,
    filters: Mapping[str, object],
    demo_label: str = "",
    personal: bool = False,
    exported_by: str | None = None,
) -> Path:
    """Write ``frame`` to ``path`` in the format of its extension.

    Parameters
    ----------
    frame : DataFrame or GeoDataFrame
    title : str
        What the table is, for the XLSX/GeoPackage "about" table.
    filters : mapping
        The filters that made the table (name → value), recorded in XLSX and
        GeoPackage exports.
    demo_label : str
        The dataset's demo label ("" for real data).
    personal : bool
        Keep personal fields. When False (the default) any personal field in
        ``frame`` is dropped.
    exported_by : str, optional
        Who exported (recorded in the "about" table).

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
    table = table.assign(export_note=_note(demo_label, personal, exported_by, at))
    spatial = isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table
    about = pd.DataFrame({
        "key": ["title", "exported_at", "exported_by", "rows", "data", "personal_fields"],
        "value": [title, at, exported_by or "",
                  str(len(table)), demo_label or "workspace data",
                  "included" if personal else "excluded"],
    })
    if fmt == "csv":
        path.write_bytes(csv_bytes(table))
    elif fmt == "xlsx":
        _xlsx(table, path, filters, about)
    else:
        if not spatial:
            raise ValueError(f"{path}: this table has no geometry; export it as .csv or .xlsx")
        path.unlink(missing_ok=True)
        out = _plain_types(table)
        if fmt == "gpkg":
            pyogrio.write_dataframe(out, path, layer="data", driver="GPKG")
            pyogrio.write_dataframe(pd.concat([about, _filters(filters)], ignore_index=True), path,
                                    layer="about", driver="GPKG")
        elif fmt == "geojson":
            pyogrio.write_dataframe(out.to_crs(WGS84), path, driver="GeoJSON")
        else:  # KML: Google Earth and GPS units show the Name field
            name = out["household_id"] if "household_id" in out else out.get("name_vi", out.index.astype(str))
            kml = out.to_crs(WGS84).assign(Name=name.astype(str))
            pyogrio.write_dataframe(kml, path, driver="KML")
    return path


def _filters(filters: Mapping[str, object]) -> pd.DataFrame:
    return pd.DataFrame({"key": [f"filter: {k}" for k in filters], "value": [str(v) for v in filters.values()]})


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


def _xlsx(table: pd.DataFrame, path: Path, filters: Mapping[str, object], about: pd.DataFrame) -> None:
    data = pd.DataFrame(table)
    if isinstance(table, gpd.GeoDataFrame) and table.geometry.name in table:
        points = table.geometry.to_crs(WGS84)
        data = pd.DataFrame(table.drop(columns=table.geometry.name))
        if (points.geom_type == "Point").all():
            data["lon"], data["lat"] = points.x.round(7), points.y.round(7)
    for column in data.columns:
        if isinstance(data[column].dtype, pd.DatetimeTZDtype):
            data[column] = data[column].dt.tz_localize(None)
    columns = pd.DataFrame({"column": data.columns, "description": [COLUMN_DOCS.get(c, "") for c in data.columns]})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        data.to_excel(writer, sheet_name="data", index=False)
        columns.to_excel(writer, sheet_name="columns", index=False)
        pd.DataFrame({"filter": list(filters), "value": [str(v) for v in filters.values()]}).to_excel(
            writer, sheet_name="filters", index=False)
        about.to_excel(writer, sheet_name="about", index=False)
