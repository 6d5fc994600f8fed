"""Read the files offices hand over into one table, whatever their format.

:func:`read_file` checks a file with :func:`geo.safefiles.check_file`, unpacks
archives safely, and reads it into a DataFrame (a GeoDataFrame when the file
has geometries) with a ``_line`` column giving each record's row number as the
user sees it in the file.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> path = folder / "homes.csv"
>>> _ = path.write_text("Mã hộ;Kinh độ;Vĩ độ\\nH1;106,25;22,66\\n", encoding="utf-8")
>>> read_file(path, None, folder, []).to_dict("records")
[{'Mã hộ': 'H1', 'Kinh độ': '106,25', 'Vĩ độ': '22,66', '_line': 2}]
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo.safefiles import check_file, check_gpkg, check_xml, safe_extract

__all__ = ["read_file"]


def read_file(path: Path, layer: str | None, folder: Path, notes: list[str]) -> pd.DataFrame:
    """Read any supported file, with a ``_line`` column: each record's row number in the file.

    ``folder`` is a scratch folder for extracted archives; ``notes`` collects
    what the reader had to guess (missing .cpg or .prj, legacy text lines).
    Empty lines are not records.
    """
    frame, first = _read_raw(path, layer, folder, notes)
    frame = frame.reset_index(drop=True)
    frame["_line"] = np.arange(len(frame)) + first
    text = frame.drop(columns=["_line", "geometry"], errors="ignore")
    blank = text.isna().all(axis=1) & (frame.geometry.isna() if isinstance(frame, gpd.GeoDataFrame) else True)
    return frame.loc[~blank].reset_index(drop=True)  # empty lines are not records


def _read_raw(path: Path, layer: str | None, folder: Path, notes: list[str]) -> tuple[pd.DataFrame, int]:
    kind = check_file(path, claimed=path.suffix.lstrip(".").lower() or None)
    if kind in ("shapefile_zip", "kmz"):
        members = safe_extract(path, folder)
        wanted = ".shp" if kind == "shapefile_zip" else ".kml"
        inner = [m for m in members if m.suffix.lower() == wanted
                 and "__MACOSX" not in m.parts and not m.name.startswith("._")]  # macOS resource forks
        if len(inner) != 1:
            raise ValueError(f"{path.name}: holds {len(inner)} {wanted} files; put exactly one in the zip")
        path = inner[0]
        if kind == "kmz":
            check_xml(path)
        elif not path.with_suffix(".cpg").exists():
            notes.append("no .cpg file: text encoding detected from the content")
        if kind == "shapefile_zip" and not path.with_suffix(".prj").exists():
            notes.append("no .prj file: coordinate system guessed from the coordinates")
    if kind == "kml":
        check_xml(path)
    if kind == "gpkg":
        check_gpkg(path)
        layers = pyogrio.list_layers(path)[:, 0].tolist()
        if layer is None and len(layers) > 1:
            raise ValueError(f"{path.name}: holds layers {', '.join(layers)}; choose one with --layer")
        if layer is not None and layer not in layers:
            raise ValueError(f"{path.name}: no layer {layer!r}; it holds {', '.join(layers)}")
    if kind == "csv":
        text = _decode_lines(path.read_bytes(), notes)
        sample = text[:4096]
        separator = max((",", ";", "\t"), key=sample.count)  # Excel in Vietnamese locales writes ";"
        return pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, na_values=[""], sep=separator,
                           skip_blank_lines=False), 2
    if kind == "xlsx":
        return pd.read_excel(path, dtype=str), 2
    if kind == "parquet":
        return gpd.read_parquet(path), 1
    if path.suffix.lower() == ".shp" and not path.with_suffix(".cpg").exists():
        # Raw bytes kept one-to-one: UTF-8 values are restored here, legacy ones by detection.
        return _utf8_from_latin1(pyogrio.read_dataframe(path, encoding="latin1")), 1
    return pyogrio.read_dataframe(path, layer=layer), 1


def _decode_lines(raw: bytes, notes: list[str]) -> str:
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
        notes.append(f"{legacy} lines are not UTF-8: read as 8-bit text, legacy encodings detected from the content")
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
