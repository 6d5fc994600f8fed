"""Read the files offices hand over into one table, whatever their format.

:func:`read_file` checks a file with :func:`geo.safefiles.check_file`, unpacks
archives safely, and reads it into a DataFrame (a GeoDataFrame when the file
has geometries) with a ``_line`` column giving each record's row number as the
user sees it in the file. Every frame then goes through the steps of
:data:`AFTER_READ`: a VN-2000 CRS is replaced by its EPSG one
(:func:`geo.crs.recognise_crs`), KoboToolbox group paths are dropped from
column names, and a KoboToolbox/ODK geopoint becomes ``lat`` and ``lon``.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = folder / "homes.csv"
>>> _ = path.write_text("Mã hộ;Kinh độ;Vĩ độ\\nH1;106,25;22,66\\n", encoding="utf-8")
>>> read_file(path, None, folder, []).to_dict("records")
[{'Mã hộ': 'H1', 'Kinh độ': '106,25', 'Vĩ độ': '22,66', '_line': 2}]
>>> _ = path.write_text("_uuid,grp/ma_ho,grp/gps\\nu1,H1,22.6612 106.2523 450 5.0\\n", encoding="utf-8")
>>> notes = []
>>> read_file(path, None, folder, notes, lang="en")[["ma_ho", "lat", "lon"]].to_dict("records")
[{'ma_ho': 'H1', 'lat': '22.6612', 'lon': '106.2523'}]
>>> notes[-1]
"geopoint column 'gps' split into lat and lon"
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.columns import canonical
from geo.crs import recognise_crs
from geo.i18n import Refusal, t
from geo.safefiles import check_file, check_gpkg, check_xml, safe_extract

__all__ = ["AFTER_READ", "read_file"]

# The file a reader opens inside each kind of archive, and the kind of that file.
_INSIDE = {"shapefile_zip": (".shp",), "kmz": (".kml",), "mapinfo_zip": (".tab", ".mif")}
_KIND_OF_SUFFIX = {".shp": "shapefile", ".kml": "kml", ".tab": "mapinfo_tab", ".mif": "mapinfo_mif"}

# A MapInfo header's charset line: "!charset WindowsLatin1" (.tab) or 'Charset "WindowsLatin1"' (.mif).
_MAPINFO_CHARSET = re.compile(rb'^\s*!?charset\s+"?(\w+)', re.I | re.M)

# KoboToolbox and ODK exports: the meta columns that mark one, the columns holding the parts of
# a geopoint question ("grp/_gps_latitude" from Kobo, "gps-Latitude" from ODK Central), and
# the values of a combined geopoint column ("lat lon [altitude [precision]]").
_KOBO_META = frozenset({"_uuid", "_submission_time", "_index", "_id", "_submitted_by", "meta/instanceID"})
_GEOPOINT_PARTS = (
    re.compile(r"(?P<question>(?:[^/]+/)*_[^/]+)_(?P<part>latitude|longitude)", re.I),
    re.compile(r"(?P<question>.+)-(?P<part>latitude|longitude)", re.I),
)
_PART_COLUMN = {"latitude": "lat", "longitude": "lon"}
_KOBO_PART_PREFIX = re.compile(r"(?:^|(?<=/))_(?=[^/]+$)")
_HEADER_SEARCH = 30  # rows of a table searched for its header row
_GEOPOINT = r"\s*-?\d{1,3}\.\d+\s+-?\d{1,3}\.\d+(?:\s+-?\d+(?:\.\d+)?){0,2}\s*"


def read_file(path: Path, layer: str | None, folder: Path, notes: list[str], lang: str = "vi") -> pd.DataFrame:
    """Read any supported file, with a ``_line`` column: each record's row number in the file.

    ``folder`` is a scratch folder for extracted archives; ``notes`` collects
    what the reader had to guess or change (missing .cpg or .prj, legacy text
    lines, a recognised CRS, split geopoints). Empty lines are not records.
    """
    said: list[tuple[str, dict]] = []  # (text key, fields): rendered in ``lang`` at the end
    frame, first = _read_raw(path, layer, folder, said)
    frame = frame.reset_index(drop=True)
    frame["_line"] = np.arange(len(frame)) + first
    text = frame.drop(columns=["_line", "geometry"], errors="ignore")
    blank = text.isna().all(axis=1) & (frame.geometry.isna() if isinstance(frame, gpd.GeoDataFrame) else True)
    frame = frame.loc[~blank].reset_index(drop=True)  # empty lines are not records
    for step in AFTER_READ:
        frame = step(frame, said)
    notes.extend(t(key, lang, **fields) for key, fields in said)
    return frame


def _read_raw(path: Path, layer: str | None, folder: Path, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    kind = check_file(path, claimed=path.suffix.lstrip(".").lower() or None)
    if kind in _INSIDE:
        path = _inner_file(path, kind, folder)
        kind = _KIND_OF_SUFFIX[path.suffix.lower()]
    return _READERS.get(kind, _read_ogr)(path, layer, notes)


def _inner_file(path: Path, kind: str, folder: Path) -> Path:
    """Extract an archive and return the one data file in it."""
    members = safe_extract(path, folder)
    wanted = _INSIDE[kind]
    inner = [m for m in members if m.suffix.lower() in wanted
             and "__MACOSX" not in m.parts and not m.name.startswith("._")]  # macOS resource forks
    if len(inner) != 1:
        files = " or ".join(wanted)
        raise ValueError(f"{path.name}: holds {len(inner)} {files} files; put exactly one layer in the zip")
    return inner[0]


def _header_row(grid: pd.DataFrame) -> int:
    """The row of a sheet that holds the column names: the first one, unless title rows stand above.

    A register printed as an office form starts with the committee's name and
    a title; its header is the row among the first :data:`_HEADER_SEARCH` with
    the most cells that name a known column (at least two, and more than the
    first row has). Cells are compared by the distinct names they give.
    """
    top = grid.head(_HEADER_SEARCH)
    codes, uniques = pd.factorize(top.to_numpy().ravel())
    names = np.array([canonical(str(v)) for v in uniques] + [None], dtype=object)
    # distinct names, so that a data row of "x" and "X" (no-data marks) is not taken for X and Y
    score = pd.DataFrame(names[codes].reshape(top.shape)).nunique(axis=1).to_numpy()
    best = int(np.argmax(score)) if len(score) else 0
    return best if score[best] >= 2 and score[best] > score[0] else 0


def _with_header(grid: pd.DataFrame, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    """A sheet read without a header, given its header row; returns the table and its first line's number."""
    row = _header_row(grid) if len(grid) else 0
    if row:
        notes.append(("rd_header_row", {"row": row + 1}))
    names = [str(v).strip() if isinstance(v, str) and v.strip() else f"Unnamed: {i}"
             for i, v in enumerate(grid.iloc[row])] if len(grid) else []
    seen: dict[str, int] = {}
    for i, name in enumerate(names):  # repeated names get ".1", ".2", as pandas gives them
        seen[name] = seen.get(name, -1) + 1
        names[i] = f"{name}.{seen[name]}" if seen[name] else name
    table = grid.iloc[row + 1:].set_axis(names, axis=1).reset_index(drop=True)
    return table, row + 2


def _read_csv(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    text = _decode_lines(path.read_bytes(), notes)
    head = text.split("\n", _HEADER_SEARCH)[:_HEADER_SEARCH]
    # Excel in Vietnamese locales and Kobo write ";": the separator used most in the first lines (the
    # header line settles a file whose every row has as many decimal commas as separators)
    separator = max((",", ";", "\t"), key=lambda sep: sum(line.count(sep) for line in head))
    options = {"dtype": str, "keep_default_na": False, "na_values": [""], "sep": separator,
               "skip_blank_lines": False, "header": None}
    try:
        grid = pd.read_csv(StringIO(text), **options)
    except pd.errors.ParserError:  # title lines narrower than the table: read as wide as its widest row
        width = max(len(row) for row in csv.reader(StringIO(text), delimiter=separator))
        try:
            grid = pd.read_csv(StringIO(text), names=range(width), **options)
        except pd.errors.ParserError as exc:  # a quote opened and never closed: the rest would be one cell
            row = re.search(r"row (\d+)", str(exc))
            raise Refusal("rd_err_quote", file=path.name, row=int(row.group(1)) + 1 if row else "?") from None
    return _with_header(grid, notes)


def _read_xlsx(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    # calamine (Rust) reads a sheet five times faster than openpyxl, cell for cell the same text
    return _with_header(pd.read_excel(path, dtype=str, header=None, engine="calamine"), notes)


def _read_parquet(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    return gpd.read_parquet(path), 1


def _read_gpkg(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    check_gpkg(path)
    layers = pyogrio.list_layers(path)[:, 0].tolist()
    if layer is None and len(layers) > 1:
        raise ValueError(f"{path.name}: holds layers {', '.join(layers)}; choose one with --layer")
    if layer is not None and layer not in layers:
        raise ValueError(f"{path.name}: no layer {layer!r}; it holds {', '.join(layers)}")
    return _read_ogr(path, layer, notes)


def _read_kml(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    check_xml(path)
    return _read_ogr(path, layer, notes)


def _read_shapefile(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    if not path.with_suffix(".prj").exists():
        notes.append(("rd_no_prj", {}))
    if path.with_suffix(".cpg").exists():
        return _read_ogr(path, layer, notes)
    notes.append(("rd_no_cpg", {}))
    # Raw bytes kept one-to-one: UTF-8 values are restored here, legacy ones by detection.
    return _utf8_from_latin1(pyogrio.read_dataframe(path, encoding="latin1")), 1


def _read_mapinfo(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    """A .tab or .mif: text in a declared charset arrives as GDAL decodes it (TCVN3 or VNI
    declared as WindowsLatin1 as its cp1252 reading, for the encoding detection); "Neutral"
    text is not decoded by GDAL, so it is read byte for byte like a Shapefile without .cpg."""
    with path.open("rb") as handle:
        found = _MAPINFO_CHARSET.search(handle.read(1 << 16))
    if found and found[1].lower() != b"neutral":
        return _read_ogr(path, layer, notes)
    notes.append(("rd_neutral", {}))
    return _utf8_from_latin1(pyogrio.read_dataframe(path, encoding="latin1")), 1


def _read_ogr(path: Path, layer: str | None, notes: list[tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    return pyogrio.read_dataframe(path, layer=layer), 1


_READERS: dict[str, Callable[[Path, str | None, list[str]], tuple[pd.DataFrame, int]]] = {
    "csv": _read_csv,
    "xlsx": _read_xlsx,
    "parquet": _read_parquet,
    "gpkg": _read_gpkg,
    "kml": _read_kml,
    "shapefile": _read_shapefile,
    "mapinfo_tab": _read_mapinfo,
    "mapinfo_mif": _read_mapinfo,
}  # every other kind (GeoJSON, FlatGeobuf): GDAL as it is


def _decode_lines(raw: bytes, notes: list[tuple[str, dict]]) -> str:
    """Text of a CSV: UTF-8 where a line is UTF-8, else 8-bit (cp1252), line by line.

    A file saved partly from a legacy font keeps its good UTF-8 lines intact;
    the 8-bit lines are then converted by the encoding detection.
    """
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    lines = raw.split(b"\n")
    decoded, legacy = [], 0
    for line in lines:  # per line of the file, to keep valid UTF-8 wherever it is
        try:
            decoded.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            decoded.append(line.decode("cp1252", errors="replace"))
            legacy += 1
    if legacy:
        notes.append(("rd_legacy_lines", {"n": legacy}))
    return "\n".join(decoded)


def _utf8_from_latin1(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo UTF-8 text read byte by byte (a UTF-8 Shapefile without .cpg), value by value."""
    def fix(value):
        if not isinstance(value, str) or value.isascii():
            return value
        try:
            return value.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return value

    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            if column != "geometry":
                codes, uniques = pd.factorize(out[column])
                fixed = np.array([fix(v) for v in uniques] + [None], dtype=object)
                out[column] = pd.Series(fixed[codes], index=out.index).where(out[column].notna())
    return out


# ---------------------------------------------------------------- after reading


def _recognised_crs(frame: pd.DataFrame, notes: list[tuple[str, dict]]) -> pd.DataFrame:
    """VN-2000 however the file spells it becomes its EPSG CRS; a non-earth CRS is dropped."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return frame
    crs = recognise_crs(frame.crs)
    if crs is None:
        notes.append(("rd_non_earth", {"name": frame.crs.name}))
        return frame.set_crs(None, allow_override=True)
    if crs.equals(frame.crs):
        return frame
    code = crs.to_epsg()
    if code is None or frame.crs.to_epsg() != code:  # else PROJ already knew it: nothing to tell
        notes.append(("rd_vn2000", {"name": repr(frame.crs.name),
                                     "crs": crs.name + (f" (EPSG:{code})" if code else "")}))
    return frame.set_crs(crs, allow_override=True)


def _kobo_group_paths(frame: pd.DataFrame, notes: list[tuple[str, dict]]) -> pd.DataFrame:
    """In a KoboToolbox export, "group_hh/ma_ho" becomes "ma_ho" wherever the short name is unique."""
    columns = frame.columns.astype(str)
    if not _KOBO_META & set(columns) or not columns.str.contains("/").any():
        return frame
    short = columns.str.rsplit("/", n=1).str[-1]
    unique = ~short.duplicated(keep=False)
    renamed = {old: new for old, new, keep in zip(columns, short, unique & (columns != short)) if keep}
    if renamed:
        notes.append(("rd_kobo_groups", {"n": len(renamed),
                                          "example": f"{next(iter(renamed))} -> {next(iter(renamed.values()))}"}))
    return frame.rename(columns=renamed)


def _geopoint_pairs(columns: pd.Index) -> dict[str, dict[str, str]]:
    """{question: {"lat": column, "lon": column}} for geopoints exported as one column per part."""
    pairs: dict[str, dict[str, str]] = {}
    for column in columns:  # per column name, not per cell
        match = next(filter(None, (pattern.fullmatch(column) for pattern in _GEOPOINT_PARTS)), None)
        if match:
            pairs.setdefault(match["question"], {})[_PART_COLUMN[match["part"].lower()]] = column
    return {question: parts for question, parts in pairs.items() if len(parts) == 2}


def _all_geopoints(values: pd.Series) -> bool:
    """Whether every value reads "lat lon [alt [precision]]"; the first values decide most columns at once."""
    return bool(values.head(50).str.fullmatch(_GEOPOINT).all() and values.str.fullmatch(_GEOPOINT).all())


def _geopoint_columns(frame: pd.DataFrame, notes: list[tuple[str, dict]]) -> pd.DataFrame:
    """A KoboToolbox/ODK geopoint becomes ``lat`` and ``lon`` (text, parsed by the importer).

    The parts columns (``_gps_latitude``, ``_gps_longitude``) are used when
    there are any, else a column whose every value reads "lat lon [alt [precision]]".
    The first geopoint question is used; the others are named in a note.
    """
    if isinstance(frame, gpd.GeoDataFrame):
        return frame
    columns = frame.columns.astype(str)
    pairs = _geopoint_pairs(columns)
    paired = {_KOBO_PART_PREFIX.sub("", question) for question in pairs}  # "grp/_gps" is the question "grp/gps"
    combined = [
        column for column, name in zip(frame.columns, columns)
        if name not in paired and pd.api.types.is_string_dtype(frame[column]) and frame[column].notna().any()
        and _all_geopoints(frame[column].dropna().astype(str))
    ]
    found = [f"'{_KOBO_PART_PREFIX.sub('', q)}'" for q in pairs] + [f"'{c}'" for c in combined]  # each geopoint by name
    if not found:
        return frame
    if any(canonical(c) in ("lat", "lon") for c in columns):
        notes.append(("rd_geopoint_unused", {"name": found[0]}))
        return frame
    if pairs:
        lat_column, lon_column = (next(iter(pairs.values()))[part] for part in ("lat", "lon"))
        lat, lon = frame[lat_column], frame[lon_column]
        notes.append(("rd_geopoint_parts", {"lat": lat_column, "lon": lon_column}))
    else:
        parts = frame[combined[0]].str.strip().str.split(r"\s+", expand=True, regex=True)
        lat, lon = parts[0], parts[1]
        notes.append(("rd_geopoint_split", {"name": found[0]}))
    if found[1:]:
        notes.append(("rd_geopoint_others", {"names": ", ".join(found[1:])}))
    return frame.assign(lat=lat, lon=lon)


#: What every frame goes through after reading, in order: ``step(frame, notes) -> frame``.
AFTER_READ: tuple[Callable[[pd.DataFrame, list[str]], pd.DataFrame], ...] = (
    _recognised_crs,
    _kobo_group_paths,
    _geopoint_columns,
)
