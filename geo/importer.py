"""Import the province's own files: read, repair, validate, report, then write.

:func:`prepare` reads a file of one *kind* (communes, hazards, households,
sites, indicators) in any supported format, converts legacy Vietnamese text
encodings and known column names, works out the coordinates (declared CRS,
else a guess among WGS 84 / VN-2000 zones, with northing-first columns
detected), and checks every row. Nothing is written: it returns an
:class:`ImportReport` with the good rows, every rejected row with its reason,
and notes on what was repaired or guessed. :func:`commit` then writes the good
rows into a workspace in one transaction.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "homes.csv"
>>> _ = path.write_text("Mã hộ,Kinh độ,Vĩ độ,Dân tộc\\nH1,106.25,22.66,Tày\\nH2,abc,22.6,Nùng\\n", encoding="utf-8")
>>> report = prepare(path, "households")
>>> len(report.good), report.rejected[["row", "reason"]].values.tolist()
(1, [[3, "column 'lon': 'abc' is not a number"]])
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo.catalogue import load_catalogue
from geo.columns import map_columns
from geo.crs import METRIC_CRS, WGS84
from geo.crsguess import guess_crs, to_points
from geo.encodings import fix_column, fix_frame
from geo.readers import read_file
from geo.hazards import parse_hazard_types, parse_levels
from geo.indicators import BASELINE_YEAR, TARGET_YEAR
from geo.resettlement import FORMS, STATUSES
from geo.text import loose_key, strip_unit_type
from geo.units import PROVINCE_CODE, communes, match_communes, normalise_codes
from geo.workspace import Workspace

__all__ = ["KINDS", "LAYER_OF", "ImportReport", "prepare", "commit"]

KINDS = ("communes", "hazards", "households", "sites", "indicators")
LAYER_OF = {"hazards": "hazard_zones", "households": "households", "sites": "sites",
            "indicators": "indicator_values"}  # communes: communes_2020 or communes_2025, by what matches
_PROVINCE_BOX = (105.15, 22.25, 106.95, 23.2)  # Cao Bằng in WGS 84, padded by about 10 km


@dataclass
class ImportReport:
    """What an import would do: good rows, rejected rows with reasons, notes."""

    source: Path
    kind: str
    sha256: str
    rows_in: int
    good: pd.DataFrame
    rejected: pd.DataFrame  # columns: row (1-based, as in the file), reason, and the row's own values
    notes: list[str] = field(default_factory=list)
    layer: str = ""

    def summary(self) -> str:
        lines = [f"{self.source.name}: {self.kind}, {self.rows_in:,} rows read, {len(self.good):,} good, "
                 f"{len(self.rejected):,} rejected -> layer {self.layer}"]
        lines += [f"  note: {note}" for note in self.notes]
        for row in self.rejected.head(20).itertuples(index=False):
            lines.append(f"  rejected row {row.row}: {row.reason}")
        if len(self.rejected) > 20:
            lines.append(f"  ... and {len(self.rejected) - 20:,} more (write them all with --rejects FILE.csv)")
        return "\n".join(lines)


class _Rows:
    """Collects rejected rows; rows are numbered as the user sees them in the file."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame  # carries "_line": the record's row number in the file
        self.reasons: dict[int, str] = {}

    def reject(self, mask: pd.Series | np.ndarray, reason: str | pd.Series) -> None:
        mask = np.asarray(mask, bool)
        reasons = reason if isinstance(reason, pd.Series) else pd.Series(reason, index=self.frame.index)
        for position in np.flatnonzero(mask):  # only the rejected rows, to record each reason
            self.reasons.setdefault(position, str(reasons.iloc[position]))

    def split(self, result: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Good rows of ``result`` (aligned with the input) and the rejected input rows with reasons."""
        bad = np.zeros(len(self.frame), bool)
        bad[list(self.reasons)] = True
        rejected = pd.DataFrame(self.frame.loc[bad]).drop(columns=["geometry", "_line"], errors="ignore")
        rejected.insert(0, "reason", [self.reasons[p] for p in np.flatnonzero(bad)])
        rejected.insert(0, "row", self.frame["_line"].to_numpy()[bad])
        return result.loc[~bad], rejected.reset_index(drop=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _numbers(frame: pd.DataFrame, column: str, rows: _Rows, notes: list[str]) -> pd.Series:
    raw = frame[column].astype(str).str.strip()
    comma = raw.str.fullmatch(r"-?\d+,\d+").fillna(False).astype(bool)
    if comma.any():
        notes.append(f"column '{column}': {int(comma.sum())} decimal commas read as decimal points")
    number = pd.to_numeric(raw.str.replace(",", ".", regex=False), errors="coerce")
    bad = number.isna()
    rows.reject(bad, "column '" + column + "': " + frame[column].map(repr).where(frame[column].notna(), "empty")
                + " is not a number")
    return number


def _inside_share(x: pd.Series, y: pd.Series, crs: str) -> float:
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs)
    box = shapely.box(*_PROVINCE_BOX)
    try:
        return float(points.to_crs(WGS84).within(box).mean())
    except Exception:  # coordinates impossible in that system
        return 0.0


def _confident(guess):
    """The guess, if it is the only reading that fits; else ask the user to choose."""
    if guess.crs is None:
        raise ValueError("no coordinate system declared and none puts the points in Cao Bằng; "
                         "give one with --crs EPSG:XXXX (EPSG:9210 is VN-2000 / TM-3 105-45)")
    if guess.ambiguous:
        raise ValueError(f"the coordinates fit more than one system: {guess.describe()}; "
                         "confirm with --crs (ask the data's source which datum and zone it uses)")
    return guess


def _geometry(frame: pd.DataFrame, rows: _Rows, crs: str | None, notes: list[str]) -> gpd.GeoSeries:
    """Geometries in EPSG:9210: from the layer, or from lon/lat or x/y columns."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame and frame.geometry.notna().any():
        geoms = frame.geometry
        if crs:
            geoms = geoms.set_crs(crs, allow_override=True)
        if geoms.crs is None:
            coords = shapely.get_coordinates(geoms.values)
            guess = _confident(guess_crs(coords[:, 0], coords[:, 1]))
            notes.append(f"coordinate system guessed: {guess.describe()} (override with --crs)")
            if guess.swapped:
                geoms = gpd.GeoSeries(shapely.transform(geoms.values, lambda xy: xy[:, ::-1]), index=geoms.index)
            geoms = geoms.set_crs(guess.crs, allow_override=True)
        return geoms.to_crs(METRIC_CRS)
    if {"lon", "lat"} <= set(frame.columns):
        lon, lat = _numbers(frame, "lon", rows, notes), _numbers(frame, "lat", rows, notes)
        return gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=frame.index, crs=crs or WGS84).to_crs(METRIC_CRS)
    if {"x", "y"} <= set(frame.columns):
        x, y = _numbers(frame, "x", rows, notes), _numbers(frame, "y", rows, notes)
        if crs:  # the system is known; X may still be the northing, as in Vietnamese survey tables
            swapped = _inside_share(y, x, crs) > _inside_share(x, y, crs)
            if swapped:
                notes.append("X holds the northing and Y the easting (Vietnamese survey order): swapped")
            return to_points(x.to_numpy(), y.to_numpy(), crs, swapped).set_axis(frame.index)
        guess = _confident(guess_crs(x.to_numpy(), y.to_numpy()))
        notes.append(f"coordinate system guessed: {guess.describe()} (override with --crs)")
        return to_points(x.to_numpy(), y.to_numpy(), guess.crs, guess.swapped).set_axis(frame.index)
    raise ValueError("no geometry and no coordinate columns (lon/lat, Kinh độ/Vĩ độ, or X/Y)")


def _inside_province(geoms: gpd.GeoSeries, rows: _Rows) -> None:
    box = gpd.GeoSeries([shapely.box(*_PROVINCE_BOX)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    missing = geoms.isna() | geoms.is_empty
    rows.reject(missing & ~pd.Series(np.isin(range(len(geoms)), list(rows.reasons)), index=geoms.index),
                "no location")
    outside = ~missing & ~geoms.intersects(box)
    rows.reject(outside, "location outside Cao Bằng (check the coordinate system or the X/Y order)")


def _repair(geoms: gpd.GeoSeries, rows: _Rows, notes: list[str]) -> gpd.GeoSeries:
    invalid = ~geoms.is_valid & geoms.notna()
    if invalid.any():
        notes.append(f"{int(invalid.sum())} invalid geometries repaired with make_valid")
        repaired = shapely.make_valid(geoms.values, method="structure", keep_collapsed=False)
        geoms = geoms.where(~invalid, gpd.GeoSeries(repaired, index=geoms.index, crs=geoms.crs))
    return geoms


def _communes_column(frame: pd.DataFrame, rows: _Rows, vintage: int = 2020,
                     notes: list[str] | None = None) -> pd.Series:
    """Official commune codes from ma_xa or commune (and district) names."""
    if "ma_xa" in frame:
        codes = normalise_codes(frame["ma_xa"])
        official = communes(vintage).set_index("ma_xa")["name_vi"]
        known = codes.isin(set(official.index))
        rows.reject(codes.notna() & ~known, "unknown commune code " + codes.astype(str))
        if "commune_name" in frame:  # a code and a name: they must be the same commune
            expected = codes.map(official).fillna("").map(loose_key)
            given = frame["commune_name"].fillna("").map(lambda n: loose_key(strip_unit_type(str(n))))
            other = communes(2025 if vintage == 2020 else 2020).set_index("ma_xa")["name_vi"].map(loose_key)
            differs = known & (given != "") & (given != expected)
            hint = pd.Series(np.where(codes.map(other) == given,
                                      f" (that is its code in the {2025 if vintage == 2020 else 2020} list)", ""),
                             index=frame.index)
            rows.reject(differs, "commune code " + codes.astype(str) + " is " + codes.map(official).astype(str)
                        + " in the " + str(vintage) + " list, not " + frame["commune_name"].astype(str) + hint)
        return codes.where(known)
    if "commune_name" in frame:
        districts = frame["district_name"] if "district_name" in frame else None
        matched = match_communes(frame["commune_name"].fillna(""), vintage, districts)
        unknown = frame["commune_name"].notna() & matched["ma_xa"].isna()
        # A name several communes share (no district given) is not an error: the row is kept
        # and its commune comes from its location.
        official = communes(vintage)["name_vi"].map(lambda n: loose_key(n)).value_counts()
        shared = frame["commune_name"].fillna("").map(lambda n: official.get(loose_key(strip_unit_type(n)), 0) > 1)
        if (unknown & shared).any() and notes is not None:
            notes.append(f"{int((unknown & shared).sum())} rows name a commune that several districts have "
                         "and give no district: their commune is taken from their location")
        reason = ("unknown commune " + frame["commune_name"].map(repr)
                  + matched["suggestions"].map(lambda s: f" (did you mean: {s}?)" if s else ""))
        rows.reject(unknown & ~shared, reason)
        return matched["ma_xa"]
    return pd.Series(None, index=frame.index, dtype=object)


def _yes_no(values: pd.Series, column: str, rows: _Rows) -> pd.Series:
    """A yes/no column read row by row: unreadable or empty cells reject their row."""
    from geo.resettlement import _as_bool

    parsed = values.map(lambda v: _parse_one(lambda s: _as_bool(s, column), v) if pd.notna(v) else None)
    rows.reject(parsed.isna(), f"column '{column}': " + values.map(repr).where(values.notna(), "empty")
                + " is not yes/no (có/không, 1/0, true/false)")
    return parsed.fillna(False).astype(bool)


def _identifiers(values: pd.Series) -> pd.Series:
    """Ids as trimmed text; Excel's 12.0 back to 12; empty cells missing."""
    text = values.map(lambda v: None if pd.isna(v) else str(v).strip()).astype(object)
    text = text.where(~text.str.fullmatch(r"\d+\.0").fillna(False).astype(bool), text.str[:-2])
    return text.where(text.notna() & (text != ""), None)


def _with_ids(frame: pd.DataFrame, column: str, what: str, vietnamese: str, rows: _Rows) -> pd.DataFrame:
    """Check an id column: present, each row has an id, no id twice (later copies rejected)."""
    if column not in frame:
        raise ValueError(f"no {what} column ({vietnamese} / {column})")
    ids = _identifiers(frame[column])
    rows.reject(ids.isna(), f"no {what}")
    _duplicates(ids, rows, what)
    return frame.assign(**{column: ids})


def _duplicates(values: pd.Series, rows: _Rows, what: str) -> None:
    dupes = values.notna() & values.duplicated(keep="first")
    rows.reject(dupes, f"duplicate {what} " + values.astype(str) + " (first occurrence kept)")


def _households(frame: pd.DataFrame, rows: _Rows, crs: str | None, notes: list[str]) -> gpd.GeoDataFrame:
    frame = _with_ids(frame, "household_id", "household id", "Mã hộ", rows)
    geoms = _geometry(frame, rows, crs, notes)
    _inside_province(geoms, rows)
    out = gpd.GeoDataFrame({"household_id": frame["household_id"]}, geometry=geoms, crs=METRIC_CRS)
    out["ma_xa"] = _communes_column(frame, rows, notes=notes)
    out["village_id"] = frame["village"] if "village" in frame else None
    out["ethnicity"] = frame["ethnicity"] if "ethnicity" in frame else None
    if "dtts" in frame:
        out["dtts"] = _yes_no(frame["dtts"], "dtts", rows)
    else:
        out["dtts"] = out["ethnicity"].notna() & (out["ethnicity"].astype(str).str.strip().str.casefold() != "kinh")
        notes.append("no DTTS column: ethnic minority = every ethnicity other than Kinh")
    if "members" in frame:
        members = pd.to_numeric(frame["members"], errors="coerce")
        whole = members.between(1, 30) & (members == members.round())
        rows.reject(frame["members"].notna() & ~whole, "members (Số khẩu) must be a whole number 1-30")
        out["members"] = members.where(whole).astype("Int16")
    for column in ("poor", "scattered"):
        if column in frame:
            out[column] = _yes_no(frame[column], column, rows)
        else:
            out[column] = False
            notes.append(f"no '{column}' column: every household taken as not {column}")
    status = frame["resettlement_status"].fillna("not_planned") if "resettlement_status" in frame else "not_planned"
    out["resettlement_status"] = status
    rows.reject(~out["resettlement_status"].isin(STATUSES), "resettlement status must be one of " + ", ".join(STATUSES))
    out["resettlement_form"] = frame["resettlement_form"] if "resettlement_form" in frame else None
    rows.reject(out["resettlement_form"].notna() & ~out["resettlement_form"].isin(FORMS),
                "resettlement form must be one of " + ", ".join(FORMS))
    date = pd.to_datetime(frame["resettlement_date"], errors="coerce", dayfirst=True, format="mixed") \
        if "resettlement_date" in frame \
        else pd.Series(pd.NaT, index=frame.index)
    if "resettlement_date" in frame:
        rows.reject(frame["resettlement_date"].notna() & date.isna(), "resettlement date is not a date")
    out["resettlement_date"] = date
    out["site_id"] = frame["site_id"] if "site_id" in frame else None
    return out


def _hazards(frame: pd.DataFrame, rows: _Rows, crs: str | None, notes: list[str]) -> gpd.GeoDataFrame:
    for column in ("hazard_type", "level"):
        if column not in frame:
            raise ValueError(f"no '{column}' column (Loại thiên tai / Mức độ)")
    types = frame["hazard_type"].map(lambda v: _parse_one(parse_hazard_types, v))
    levels = frame["level"].map(lambda v: _parse_one(parse_levels, v))
    rows.reject(types.isna(), "unknown hazard type " + frame["hazard_type"].map(repr))
    rows.reject(levels.isna(), "unknown level " + frame["level"].map(repr) + " (1-5 or rất thấp .. rất cao)")
    geoms = _repair(_geometry(frame, rows, crs, notes), rows, notes)
    polygonal = geoms.geom_type.isin(["Polygon", "MultiPolygon"]) & ~geoms.is_empty
    rows.reject(~polygonal, "not a polygon")
    _inside_province(geoms, rows)
    zone_id = frame["name"].astype(str) if "name" in frame else pd.Series(
        [f"Z{i + 1:05d}" for i in range(len(frame))], index=frame.index)
    return gpd.GeoDataFrame({"zone_id": zone_id, "hazard_type": types, "level": levels.astype("Int8"),
                             "source": "import", "version": 1}, geometry=geoms, crs=METRIC_CRS)


def _parse_one(parser, value):
    try:
        return parser(pd.Series([value])).iloc[0]
    except ValueError:
        return None


def _sites(frame: pd.DataFrame, rows: _Rows, crs: str | None, notes: list[str]) -> gpd.GeoDataFrame:
    frame = _with_ids(frame, "site_id", "site id", "Mã điểm", rows)
    geoms = _geometry(frame, rows, crs, notes)
    _inside_province(geoms, rows)
    name = frame["site_name"] if "site_name" in frame else frame.get("name", frame["site_id"])
    capacity = None
    if "capacity" in frame:  # households: "1.200" is one thousand two hundred in Vietnamese
        text = frame["capacity"].astype(str).str.strip().str.replace(r"[.,\s](?=\d{3}\b)", "", regex=True)
        capacity = pd.to_numeric(text, errors="coerce")
        rows.reject(frame["capacity"].notna() & ~(capacity >= 0), "capacity (Sức chứa) is not a number of households")
    return gpd.GeoDataFrame({"site_id": frame["site_id"], "name_vi": name, "form": "concentrated",
                             "capacity": capacity, "ma_xa": _communes_column(frame, rows)},
                            geometry=geoms, crs=METRIC_CRS)


def _vintage(frame: pd.DataFrame, codes: pd.Series | None) -> int:
    """Which official list the boundaries follow: the one whose names (and codes) match more rows.

    Codes alone cannot tell: the 56 codes of 2025 are all 2020 codes of other communes.
    """
    score = {}
    for vintage in (2020, 2025):
        official = communes(vintage)
        keys = set(official["name_vi"].map(loose_key))
        names = frame.get("commune_name", frame.get("name"))
        by_name = names.map(lambda n: loose_key(strip_unit_type(str(n))) in keys).sum() if names is not None else 0
        by_code = codes.isin(set(official["ma_xa"])).sum() if codes is not None else 0
        score[vintage] = (by_name, by_code)
    return max((2025, 2020), key=lambda v: score[v])  # ties: 2025, the units in force


def _communes(frame: pd.DataFrame, rows: _Rows, crs: str | None, notes: list[str]) -> tuple[gpd.GeoDataFrame, str]:
    geoms = _repair(_geometry(frame, rows, crs, notes), rows, notes)
    rows.reject(~geoms.geom_type.isin(["Polygon", "MultiPolygon"]), "not a polygon")
    codes = normalise_codes(frame["ma_xa"]) if "ma_xa" in frame else None
    vintage = _vintage(frame, codes)
    notes.append(f"matched to the {'56 units from 1 July 2025' if vintage == 2025 else '161 communes of 2020-2025'}")
    matched = _communes_column(frame.assign(ma_xa=codes) if codes is not None else frame, rows, vintage)
    rows.reject(matched.isna(), "commune not found in the official list")
    _duplicates(matched, rows, "commune")
    names = communes(vintage).set_index("ma_xa")
    out = gpd.GeoDataFrame({"ma_xa": matched, "name_vi": matched.map(names["name_vi"]),
                            "type_vi": matched.map(names["type_vi"]), "full_name_vi": matched.map(names["full_name_vi"])},
                           geometry=geoms, crs=METRIC_CRS)
    return out, f"communes_{vintage}"


def _indicators(frame: pd.DataFrame, rows: _Rows, notes: list[str]) -> pd.DataFrame:
    catalogue = load_catalogue()
    year_columns = [c for c in frame.columns if str(c).strip().isdigit() and len(str(c).strip()) == 4]
    if year_columns and "year" not in frame:  # wide: one column per year
        keep = [c for c in frame.columns if c not in year_columns]
        frame = frame.melt(id_vars=keep, value_vars=year_columns, var_name="year", value_name="value")
        frame = frame.loc[frame["value"].notna()].reset_index(drop=True)
        notes.append(f"wide table: years {', '.join(map(str, year_columns))} read as rows (row numbers are the file's)")
        rows.frame = frame
    for column in ("indicator_id", "year"):
        if column not in frame:
            raise ValueError(f"no '{column}' column (Mã chỉ tiêu / Năm)")
    ids = frame["indicator_id"].astype(str).str.strip().str.lower()
    rows.reject(~ids.isin(set(catalogue)), "unknown indicator " + frame["indicator_id"].map(repr))
    year = pd.to_numeric(frame["year"], errors="coerce")
    rows.reject(~year.between(BASELINE_YEAR, TARGET_YEAR),
                f"year outside {BASELINE_YEAR}-{TARGET_YEAR}: " + frame["year"].astype(str))
    parts = {}
    for column in ("value", "numerator", "denominator"):
        if column in frame:
            parts[column] = _numbers(frame.assign(**{column: frame[column].fillna("")}), column, _Rows(frame), [])
            text = frame[column].astype(str).str.strip().str.replace(",", ".", regex=False)
            bad = frame[column].notna() & pd.to_numeric(text, errors="coerce").isna()
            rows.reject(bad, f"column '{column}': " + frame[column].map(repr) + " is not a number")
    if not parts:
        raise ValueError("no value, or numerator and denominator, columns (Giá trị / Tử số / Mẫu số)")
    has_value = parts["value"].notna() if "value" in parts else pd.Series(False, index=frame.index)
    if "numerator" in parts and "denominator" in parts:
        has_value |= parts["numerator"].notna() & parts["denominator"].notna()
    rows.reject(~has_value, "no value (Giá trị), nor numerator and denominator")
    share = ids.map({k: v.unit == "%" for k, v in catalogue.items()}).fillna(False).astype(bool)
    if "value" in parts:
        rows.reject(share & ((parts["value"] < 0) | (parts["value"] > 100)),
                    "a share must be between 0 and 100%: " + frame["value"].astype(str))
    if "numerator" in parts and "denominator" in parts:
        rows.reject(share & (parts["numerator"] > parts["denominator"]), "numerator above denominator")
    unit = _communes_column(frame, rows)
    level = pd.Series("commune", index=frame.index)
    if "village" in frame:
        unit = unit.where(frame["village"].isna(), frame["village"].astype(str))
        level = level.where(frame["village"].isna(), "village")
    province_only = ids.map({k: v.level == "province" for k, v in catalogue.items()}).fillna(False).astype(bool)
    unit = unit.where(~province_only, PROVINCE_CODE)
    level = level.where(~province_only, "province")
    rows.reject(unit.isna(), "no commune (Mã xã / Xã) for this value")
    out = pd.DataFrame({"level": level, "unit_code": unit, "indicator_id": ids, "year": year.astype("Int64")})
    for column in ("numerator", "denominator", "value"):
        out[column] = parts.get(column, pd.Series(np.nan, index=frame.index))
    out["ref_numerator"] = np.nan
    out["ref_denominator"] = np.nan
    out["source"] = "import"
    _duplicates(out["unit_code"] + "|" + out["indicator_id"] + "|" + out["year"].astype(str), rows,
                "(unit, indicator, year)")
    return out


def prepare(
    path: str | Path,
    kind: str,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str = "auto",
    columns: dict[str, str] | None = None,
) -> ImportReport:
    """Read and check a file; nothing is written.

    Parameters
    ----------
    path : file to import (zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ,
        FlatGeobuf, GeoParquet, CSV or XLSX).
    kind : one of :data:`KINDS`.
    layer : layer of a GeoPackage holding several.
    crs : "EPSG:XXXX" for files without a coordinate system (or to override it).
    encoding : "auto" (detected per column), "utf-8", "tcvn3" or "vni".
    columns : {column in the file: canonical name} for columns not recognised.

    Raises
    ------
    ValueError
        When the file as a whole cannot be imported (unsafe, unreadable, a
        required column missing), with a one-line reason.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if crs is not None:
        import pyproj

        if not str(crs).upper().startswith("EPSG:"):
            raise ValueError(f"--crs must be an EPSG code such as EPSG:9210 (proj4 strings drop the VN-2000 "
                             f"shift), got {crs!r}")
        try:
            pyproj.CRS(crs)
        except pyproj.exceptions.CRSError:
            raise ValueError(f"--crs {crs}: no such EPSG code") from None
    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path}: file not found")
    notes: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        frame = read_file(path, layer, Path(folder), notes)
        frame, fixed = fix_frame(frame, encoding)
        for column, used in fixed.items():
            if used != "utf-8":
                notes.append(f"column '{column}': text converted from {used.upper()} to Unicode")
        headers, used = fix_column(pd.Series([str(c) for c in frame.columns]), encoding)
        if used not in ("utf-8",):
            notes.append(f"column names converted from {used.upper()} to Unicode")
            frame.columns = headers.tolist()
        mapping = map_columns([str(c) for c in frame.columns], columns)
        if mapping:
            renamed = {k: v for k, v in mapping.items() if k != v}
            if renamed:
                notes.append("columns recognised: " + ", ".join(f"{k} -> {v}" for k, v in renamed.items()))
            frame = frame.rename(columns=mapping)
        frame = frame.reset_index(drop=True)
        rows = _Rows(frame)
        target = LAYER_OF.get(kind, "")
        if kind == "households":
            result = _households(frame, rows, crs, notes)
        elif kind == "hazards":
            result = _hazards(frame, rows, crs, notes)
        elif kind == "sites":
            result = _sites(frame, rows, crs, notes)
        elif kind == "communes":
            result, target = _communes(frame, rows, crs, notes)
        else:
            result = _indicators(frame, rows, notes)
        good, rejected = rows.split(result)
    return ImportReport(path, kind, _sha256(path), len(frame), good.reset_index(drop=True), rejected, notes, target)


def commit(report: ImportReport, workspace: Workspace, imported_by: str = "") -> int:
    """Write the good rows of ``report`` into ``workspace`` (one transaction); returns the layer's version."""
    if report.good.empty:
        raise ValueError(f"{report.source.name}: no good rows to import")
    frame = report.good
    if "resettlement_date" in frame:
        frame = frame.assign(resettlement_date=pd.to_datetime(frame["resettlement_date"]))
    return workspace.write_layer(report.layer, frame, report.kind, report.source, report.sha256,
                                 report.rows_in, len(report.rejected), imported_by)
