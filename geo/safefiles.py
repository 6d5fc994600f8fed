"""Refuse hostile or broken input files before GDAL, pandas or openpyxl read them.

Officers upload files from a browser or give them on the command line. Before
any reader touches a file, :func:`check_file` makes sure that

* it is not too large (``LIMITS["max_bytes"]``);
* its *content* is one of :data:`KINDS` (:func:`sniff` reads magic bytes and
  structure, never trusts the name), and agrees with the extension or the type
  the user chose;
* zips are not zip bombs (a member, or the zip as a whole, expanding more
  than ``LIMITS["max_ratio"]`` times), path-traversal or symlink tricks,
  nested zips or password-protected (:func:`safe_extract` extracts them with
  a running byte count);
* a layer made of several files (Shapefile, MapInfo TAB or MIF/MID) has all
  of them, in the zip or, for a .tab or .mif given on the command line,
  beside it; a MapInfo .tab is a native table, not a view, seamless, raster
  or linked table that would make the reader open other files;
* KML (also inside a KMZ) has no DOCTYPE/ENTITY declarations (billion laughs,
  external entities) and is well-formed XML (:func:`check_xml`);
* a GeoPackage is an undamaged SQLite database with a ``gpkg_contents``
  table (:func:`check_gpkg`).

Every refusal is an :class:`UnsafeFileError` whose one-line message names the
file, says what is wrong and what to do.

Examples
--------
>>> import tempfile, pathlib
>>> tmp = tempfile.TemporaryDirectory()
>>> path = pathlib.Path(tmp.name) / "homes.csv"
>>> _ = path.write_text("household_id,lon,lat\\nH1,106.25,22.66\\n", encoding="utf-8")
>>> check_file(path)
'csv'
>>> check_file(path, claimed=".gpkg")
Traceback (most recent call last):
    ...
geo.safefiles.UnsafeFileError: homes.csv: claims to be gpkg but is csv; check you picked the right file, or give it the .csv extension
>>> tmp.cleanup()
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from pathlib import Path
from typing import IO, Any

from geo.i18n import Refusal, fmt_count, fmt_number, t

__all__ = [
    "UnsafeFileError",
    "LIMITS",
    "KINDS",
    "sniff",
    "check_file",
    "safe_extract",
    "check_xml",
    "check_gpkg",
]

#: Default limits; pass a dict with some of these keys to override them.
LIMITS: dict[str, int] = {
    "max_bytes": 200 * 2**20,  # the file as uploaded
    "max_unzipped_bytes": 1 * 2**30,  # all members of a zip together, uncompressed
    "max_ratio": 100,  # uncompressed / compressed size of any one zip member, and of the whole zip
    "max_members": 2000,  # entries in a zip
}

#: The kinds of file :func:`sniff` recognises.
KINDS = (
    "shapefile_zip", "mapinfo_zip", "mapinfo_tab", "mapinfo_mif",
    "gpkg", "geojson", "kml", "kmz", "fgb", "parquet", "csv", "xlsx",
)

_EXTENSION = {
    "shapefile_zip": ".zip",
    "mapinfo_zip": ".zip",
    "mapinfo_tab": ".tab",
    "mapinfo_mif": ".mif",
    "gpkg": ".gpkg",
    "geojson": ".geojson",
    "kml": ".kml",
    "kmz": ".kmz",
    "fgb": ".fgb",
    "parquet": ".parquet",
    "csv": ".csv",
    "xlsx": ".xlsx",
}

# What a user or an extension may call each kind: the kinds each name accepts.
_ALIASES: dict[str, tuple[str, ...]] = {
    **{kind: (kind,) for kind in KINDS},
    "zip": ("shapefile_zip", "mapinfo_zip"),
    "shp": ("shapefile_zip",),
    "shapefile": ("shapefile_zip",),
    "tab": ("mapinfo_tab",),
    "mif": ("mapinfo_mif",),
    "mapinfo": ("mapinfo_zip", "mapinfo_tab", "mapinfo_mif"),
    "json": ("geojson",),
    "geojsonl": ("geojson",),
    "geojsons": ("geojson",),
    "geopackage": ("gpkg",),
    "flatgeobuf": ("fgb",),
    "geoparquet": ("parquet",),
    "txt": ("csv",),
    "tsv": ("csv",),
}

# The files a multi-file layer needs beside its main file (matched without regard to case),
# and how to name the whole set in advice.
_COMPANIONS: dict[str, tuple[str, ...]] = {".shp": (".shx", ".dbf"), ".tab": (".dat", ".map", ".id"), ".mif": (".mid",)}
_PARTS = {".shp": ".shp, .shx, .dbf and .prj", ".tab": ".tab, .dat, .map and .id", ".mif": ".mif and .mid"}
_MAIN_FILES = {"shapefile_zip": (".shp",), "mapinfo_zip": (".tab", ".mif"), "mapinfo_tab": (".tab",), "mapinfo_mif": (".mif",)}

# A MapInfo .tab must define a native table: a view ("Open Table"), a seamless, raster or
# linked table makes the reader open the other files it names.
_TAB_TYPE = re.compile(rb'definition\s+table\b(?:(?!fields\b).)*?^\s*type\s+"?(\w+)', re.I | re.M | re.S)
_TAB_SEAMLESS = re.compile(rb'"\\isseamless"\s*=\s*"true"', re.I)
_MIF_VERSION = re.compile(r"version\s+\d+\s*", re.I)

_CHUNK = 1 << 20  # bytes read at a time when streaming
_HEAD = 1 << 16  # bytes read to recognise a file
_RATIO_FLOOR = 1 << 20  # members smaller than this cannot hurt, whatever their ratio

_ZIP_MAGIC = b"PK\x03\x04"
_SQLITE_MAGIC = b"SQLite format 3\x00"

# Known formats we do not accept, recognised so the message can name them.
_FOREIGN: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF document", "export the data itself (GeoPackage, Shapefile zip, KML, CSV or Excel), not a PDF"),
    (b"%!PS", "a PostScript document", "export the data itself (GeoPackage, Shapefile zip, KML, CSV or Excel)"),
    (b"{\\rtf", "a Word/RTF document", "save the table as CSV or Excel (.xlsx)"),
    (b"MZ", "a Windows program (.exe/.dll)", "do not upload programs; upload the data file itself"),
    (b"\x7fELF", "a program (ELF executable)", "do not upload programs; upload the data file itself"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls/.doc)", "open it in Excel and save it as .xlsx"),
    (b"\x89PNG", "a PNG image", "upload the data, not a picture of it"),
    (b"\xff\xd8\xff", "a JPEG image", "upload the data, not a picture of it"),
    (b"GIF8", "a GIF image", "upload the data, not a picture of it"),
    (b"II*\x00", "a TIFF/GeoTIFF raster", "raster files are not accepted here; upload vector data"),
    (b"MM\x00*", "a TIFF/GeoTIFF raster", "raster files are not accepted here; upload vector data"),
    (b"Rar!", "a RAR archive", "use an ordinary .zip instead"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "use an ordinary .zip instead"),
    (b"\x1f\x8b", "a gzip archive", "use an ordinary .zip instead"),
    (b"BZh", "a bzip2 archive", "use an ordinary .zip instead"),
    (b"\x00\x00\x27\x0a", "a bare Shapefile .shp", "zip the .shp, .shx, .dbf and .prj files together and upload the zip"),
    (b"PK\x05\x06", "an empty zip", "zip the data files and upload the zip again"),
    (b"PK\x07\x08", "a split (multi-part) zip", "make a single ordinary .zip"),
)

# Control bytes that never occur in text (tab, LF, VT, FF, CR, SUB, RS are allowed).
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1d\x1f]")
_JSON_TYPE = re.compile(r'"type"\s*:')
_XML_DECLS = (b"<!DOCTYPE", b"<!ENTITY")
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class UnsafeFileError(ValueError):
    """A file refused before any reader touched it, explained in one line.

    The message names the file, says what is wrong and what to do;
    ``filename`` holds the name shown.

    Examples
    --------
    >>> err = UnsafeFileError("a.kml: has a DOCTYPE; export it again", filename="a.kml")
    >>> isinstance(err, ValueError), err.filename
    (True, 'a.kml')
    """

    def __init__(self, message: str, filename: str | None = None) -> None:
        super().__init__(" ".join(str(message).split()))  # always one line
        self.filename = filename


# ---------------------------------------------------------------- helpers


def _label(path: str | os.PathLike[str]) -> str:
    p = Path(path)
    return _clean(p.name or str(p))


def _clean(text: str, width: int = 120) -> str:
    text = _CONTROL_CHARS.sub("?", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _refuse(label: str, problem: str, advice: str) -> UnsafeFileError:
    return UnsafeFileError(f"{label}: {problem}; {advice}", filename=label)


class _Translated(UnsafeFileError, Refusal):
    """A refusal worded in both languages: an i18n key whose ``{file}`` field is the file's name.

    ``str()`` is Vietnamese, as for every :class:`~geo.i18n.Refusal`;
    :func:`geo.i18n.message` gives either language.
    """

    def __init__(self, key: str, label: str, **fields: object) -> None:
        self.key, self.fields, self.filename = key, {"file": label, **fields}, label
        ValueError.__init__(self, " ".join(t(key, "vi", **self.fields).split()))


class _Size(int):
    """A byte count that formats itself in a language: ``f"{size:vi}"`` → ``1.000,0 MB``."""

    def __format__(self, lang: str) -> str:
        lang = lang or "en"
        n = int(self)
        if n >= 2**20:
            return f"{fmt_number(n / 2**20, 1, lang)} MB"
        if n >= 2**10:
            return f"{fmt_number(n / 2**10, 1, lang)} KB"
        return f"{fmt_count(n, lang)} {'byte' if lang == 'vi' else 'bytes'}"


def _limits(limits: Mapping[str, int]) -> dict[str, int]:
    unknown = set(limits) - set(LIMITS)
    if unknown:
        raise ValueError(f"unknown limit(s) {sorted(unknown)}; known: {sorted(LIMITS)}")
    return {**LIMITS, **limits}


def _regular_file(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    label = _label(p)
    if not p.exists():
        raise _refuse(label, "file not found", "check the name and the folder")
    if p.is_dir():
        raise _refuse(label, "is a folder", "give a file (zip a Shapefile's parts into one .zip)")
    if not p.is_file():
        raise _refuse(label, "is not a regular file", "give an ordinary data file")
    return p


def _mb(n: int) -> str:
    if n >= 2**20:
        return f"{n / 2**20:,.1f} MB"
    if n >= 2**10:
        return f"{n / 2**10:,.1f} KB"
    return f"{n:,} bytes"


def _is_junk(name: str) -> bool:
    # macOS resource forks that Finder adds to zips
    return name.startswith("__MACOSX/") or name.rsplit("/", 1)[-1].startswith("._")


def _open_zip(path: Path, label: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _refuse(label, f"is a damaged zip ({_clean(str(exc), 80)})", "zip the files again and upload the new zip") from exc


# ---------------------------------------------------------------- sniffing


def _sniff_zip(path: Path, label: str) -> str:
    with _open_zip(path, label) as zf:
        names = [n.replace("\\", "/") for n in zf.namelist()]
    lower = [n.lower() for n in names if not _is_junk(n)]
    if "[content_types].xml" in lower and any(n.startswith("xl/") for n in lower):
        return "xlsx"
    if any(n.endswith(".shp") for n in lower):
        return "shapefile_zip"
    if any(n.endswith((".tab", ".mif")) for n in lower):
        return "mapinfo_zip"
    if any(n.endswith(".kml") for n in lower):
        return "kmz"
    inner = [n for n in lower if n.endswith((".zip", ".kmz"))]
    if inner:
        raise _refuse(label, f"is a zip holding another zip ({_clean(inner[0], 60)})", "unzip it and upload the inner file")
    if "[content_types].xml" in lower:
        raise _refuse(label, "is an Office document but not an Excel workbook", "save the table as .xlsx or CSV")
    raise _refuse(
        label,
        "is a zip holding no Shapefile (.shp), MapInfo table (.tab, .mif), KML or Excel workbook",
        "zip the .shp, .shx, .dbf and .prj files of one layer and upload that zip",
    )


def _sniff_text(head: bytes, label: str) -> str:
    if head.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")):
        raise _refuse(label, "is UTF-32 text", "save it as UTF-8")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="ignore")
    else:
        if _BINARY.search(head):
            raise _refuse(label, "is not a supported file (binary content of unknown type)", _supported())
        text = head.decode("utf-8", errors="replace")
    body = text.lstrip("\ufeff\x1e \t\r\n\x0b\x0c")
    if not body:
        raise _refuse(label, "is empty", "export the data again")
    low = body[:_HEAD].lower()
    if body.startswith("<"):
        if "<kml" in low:
            return "kml"
        if low.startswith(("<!doctype html", "<html")) or "<html" in low[:2048]:
            raise _refuse(label, "is a web page (HTML), not data", "the download probably failed; download the data file again")
        raise _refuse(label, "is XML but not KML", "export it as KML, GeoPackage or a zipped Shapefile")
    if body.startswith("{"):
        if _JSON_TYPE.search(body):
            return "geojson"
        raise _refuse(label, 'is JSON but not GeoJSON (no "type")', "export it as GeoJSON, GeoPackage or CSV")
    if body.startswith("["):
        raise _refuse(label, "is a JSON list, not GeoJSON", "export it as GeoJSON (a FeatureCollection) or CSV")
    if low.startswith("!table"):
        return "mapinfo_tab"
    if _MIF_VERSION.fullmatch(low.split("\n", 1)[0].strip()):
        return "mapinfo_mif"
    return "csv"


def _supported() -> str:
    return "upload one of " + ", ".join(sorted(set(_EXTENSION.values()))) + " (a Shapefile or MapInfo table as a .zip)"


def sniff(path: str | os.PathLike[str]) -> str:
    """The real kind of a file, from its content, never from its name.

    Parameters
    ----------
    path : str or path-like
        The file to look at. Only its first and last bytes are read, and for
        a zip its list of members (nothing is decompressed).

    Returns
    -------
    str
        One of :data:`KINDS`: a zip holding a ``.shp`` is ``shapefile_zip``,
        one holding ``[Content_Types].xml`` and ``xl/`` is ``xlsx``, one holding
        a ``.tab`` or ``.mif`` is ``mapinfo_zip``, one holding a ``.kml`` is
        ``kmz``; an SQLite database is ``gpkg``; ``fgb\\x03`` is ``fgb``;
        ``PAR1`` at both ends is ``parquet``; XML with ``<kml`` is ``kml``; JSON
        starting with ``{`` with a ``"type"`` is ``geojson``; text starting with
        ``!table`` is ``mapinfo_tab``, with a ``Version 300`` line
        ``mapinfo_mif``; any other text is ``csv``.

    Raises
    ------
    UnsafeFileError
        For anything else (a program, a PDF, an image, HTML, other XML or
        JSON, an empty or damaged file), naming the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "communes.kml"
    >>> _ = path.write_bytes(b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"/>')
    >>> sniff(path)
    'kml'
    >>> _ = path.write_bytes(b"%PDF-1.4 report")
    >>> sniff(path)
    Traceback (most recent call last):
        ...
    geo.safefiles.UnsafeFileError: communes.kml: is a PDF document; export the data itself (GeoPackage, Shapefile zip, KML, CSV or Excel), not a PDF
    >>> tmp.cleanup()
    """
    p = _regular_file(path)
    label = _label(p)
    size = p.stat().st_size
    with p.open("rb") as f:
        head = f.read(_HEAD)
        if size > len(head):
            f.seek(max(size - 4, 0))
            tail = f.read(4)
        else:
            tail = head[-4:]
    if not head:
        raise _refuse(label, "is empty", "export the data again")
    if head.startswith(_ZIP_MAGIC):
        return _sniff_zip(p, label)
    if head.startswith(_SQLITE_MAGIC):
        return "gpkg"
    if head.startswith(b"fgb\x03"):
        return "fgb"
    if head.startswith(b"PAR1"):
        if size >= 8 and tail == b"PAR1":
            return "parquet"
        raise _refuse(label, "is a damaged (truncated) Parquet file", "export it again")
    for magic, what, advice in _FOREIGN:
        if head.startswith(magic):
            if magic == b"MZ" and not _BINARY.search(head):
                continue  # a text file that merely starts with "MZ"
            raise _refuse(label, f"is {what}", advice)
    return _sniff_text(head, label)


# ---------------------------------------------------------------- zips


def _member_parts(info: zipfile.ZipInfo, label: str) -> tuple[str, ...]:
    """The safe relative path of a member, or a refusal."""
    raw = info.filename
    shown = repr(_clean(raw, 80))
    advice = "this zip may be an attack; re-create the zip from the data files themselves"
    if _CONTROL_CHARS.search(raw):
        raise _refuse(label, f"member {shown} has control characters in its name", advice)
    name = raw.replace("\\", "/")
    if name.startswith("/"):
        raise _refuse(label, f"member {shown} has an absolute path", advice)
    if re.match(r"[A-Za-z]:", name):
        raise _refuse(label, f"member {shown} has a drive letter", advice)
    parts = tuple(part for part in name.split("/") if part not in ("", "."))
    if ".." in parts:
        raise _refuse(label, f"member {shown} points outside the folder ('..')", advice)
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse(label, f"member {shown} is a symbolic link", advice)
    if info.flag_bits & 0x1:
        raise _refuse(label, f"member {shown} is password-protected", "zip the files again without a password")
    return parts


def _inspect_zip(
    zf: zipfile.ZipFile,
    label: str,
    lim: Mapping[str, int],
    *,
    nested_ok: bool = False,
    upload_bytes: int | None = None,
) -> list[tuple[zipfile.ZipInfo, tuple[str, ...]]]:
    """Check a zip's directory (names, sizes, ratios) without decompressing anything.

    Besides each member, the whole zip may expand at most ``max_ratio`` times
    (over 1 MiB): many members of 1 MiB each pass the per-member check, and
    together they would fill the disk. The compressed size is the smaller of
    the members' (as the directory says) and ``upload_bytes``, the zip file's
    own size, which no header can inflate (members sharing their data, or
    lying about their compressed size).
    """
    infos = zf.infolist()
    if len(infos) > lim["max_members"]:
        raise _refuse(
            label, f"holds {len(infos):,} entries (limit {lim['max_members']:,})", "upload fewer files per zip"
        )
    members = []
    files: set[tuple[str, ...]] = set()
    folders: set[tuple[str, ...]] = set()
    total = 0
    packed = 0
    for info in infos:
        parts = _member_parts(info, label)
        shown = repr(_clean(info.filename, 80))
        if not parts:
            continue
        if info.is_dir():
            folders.add(parts)
        else:
            if parts in files or parts in folders:
                raise _refuse(label, f"holds {shown} twice", "re-create the zip from the data files themselves")
            files.add(parts)
            folders.update(parts[:i] for i in range(1, len(parts)))
            if not nested_ok and parts[-1].lower().endswith((".zip", ".kmz")):
                raise _refuse(label, f"holds another zip ({shown})", "unzip the inner zip and upload its files")
            total += info.file_size
            packed += info.compress_size
            _check_ratio(info.file_size, info, label, lim)
        members.append((info, parts))
    if files & folders:
        clash = "/".join(sorted(files & folders)[0])
        raise _refuse(label, f"holds {clash!r} both as a file and as a folder", "re-create the zip from the data files")
    if total > lim["max_unzipped_bytes"]:
        raise _refuse(
            label,
            f"would unzip to {_mb(total)} (limit {_mb(lim['max_unzipped_bytes'])})",
            "split the data into smaller files",
        )
    if upload_bytes is not None:
        packed = min(packed, upload_bytes)
    if total > _RATIO_FLOOR and total > lim["max_ratio"] * max(packed, 1):
        raise _Translated("zip_err_ratio", label, unzipped=_Size(total), zipped=_Size(packed), limit=lim["max_ratio"])
    return members


def _check_ratio(size: int, info: zipfile.ZipInfo, label: str, lim: Mapping[str, int]) -> None:
    if size > _RATIO_FLOOR and size > lim["max_ratio"] * max(info.compress_size, 1):
        raise _refuse(
            label,
            f"member {_clean(info.filename, 80)!r} expands more than {lim['max_ratio']}× "
            f"({_mb(info.compress_size)} → {_mb(max(size, info.file_size))}), like a zip bomb",
            "upload the original data, zipped normally",
        )


class _Counted:
    """A zip member's stream that stops as soon as it exceeds the limits."""

    def __init__(self, raw: IO[bytes], info: zipfile.ZipInfo, label: str, lim: Mapping[str, int], total: list[int]):
        self._raw, self._info, self._label, self._lim, self._total = raw, info, label, lim, total
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        try:
            data = self._raw.read(_CHUNK if n is None or n < 0 else min(n, _CHUNK))
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _refuse(
                self._label,
                f"member {_clean(self._info.filename, 80)!r} is damaged ({_clean(str(exc), 60)})",
                "zip the files again and upload the new zip",
            ) from exc
        self.count += len(data)
        self._total[0] += len(data)
        if self.count > self._info.file_size:
            raise _refuse(
                self._label,
                f"member {_clean(self._info.filename, 80)!r} is larger than its header says",
                "this zip may be an attack; re-create it from the data files",
            )
        if self._total[0] > self._lim["max_unzipped_bytes"]:
            raise _refuse(
                self._label,
                f"unzips to more than {_mb(self._lim['max_unzipped_bytes'])}",
                "split the data into smaller files",
            )
        _check_ratio(self.count, self._info, self._label, self._lim)
        return data


def safe_extract(
    zip_path: str | os.PathLike[str],
    dest_dir: str | os.PathLike[str],
    limits: Mapping[str, int] = LIMITS,
) -> list[Path]:
    """Extract a zip without letting it write outside ``dest_dir`` or fill the disk.

    Refuses, before writing anything, members with absolute paths, ``..``
    components, drive letters, control characters, symbolic links or a
    password; more than ``max_members`` entries; a total uncompressed size
    above ``max_unzipped_bytes``; any member larger than 1 MiB that expands
    more than ``max_ratio`` times, or a zip that does so as a whole (over
    1 MiB in all, measured against the zip file's own size when that is
    smaller: a zip bomb); nested zips (by name). It then
    extracts by streaming, with a running byte count checked against the same
    limits and the sizes in the header, and refuses a member whose content is
    itself a zip. On any refusal, whatever it wrote is removed again.

    Parameters
    ----------
    zip_path : str or path-like
        The zip file.
    dest_dir : str or path-like
        The folder to extract into; created if missing.
    limits : mapping, optional
        Overrides for some or all of :data:`LIMITS`.

    Returns
    -------
    list of pathlib.Path
        The extracted files (not folders), in the zip's order.

    Raises
    ------
    UnsafeFileError
        Naming the zip, the member and what to do.

    Examples
    --------
    >>> import tempfile, pathlib, zipfile
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> with zipfile.ZipFile(tmp / "upload.zip", "w") as zf:
    ...     zf.writestr("roads/readme.txt", "hello")
    >>> [p.relative_to(tmp / "out").as_posix() for p in safe_extract(tmp / "upload.zip", tmp / "out")]
    ['roads/readme.txt']
    >>> with zipfile.ZipFile(tmp / "evil.zip", "w") as zf:
    ...     zf.writestr("../evil.txt", "pwned")
    >>> safe_extract(tmp / "evil.zip", tmp / "out2")
    Traceback (most recent call last):
        ...
    geo.safefiles.UnsafeFileError: evil.zip: member '../evil.txt' points outside the folder ('..'); this zip may be an attack; re-create the zip from the data files themselves
    >>> (tmp / "evil.txt").exists()
    False
    """
    lim = _limits(limits)
    src = _regular_file(zip_path)
    label = _label(src)
    _check_size(src, label, lim)
    with src.open("rb") as f:
        magic = f.read(4)
    if magic != _ZIP_MAGIC:
        raise _refuse(label, "is not a zip file", "zip the data files and upload the zip")

    dest = Path(dest_dir)
    made: list[Path] = []  # folders we created, outermost first
    written: list[Path] = []
    if not dest.exists():
        _makedirs(dest, made)
    root = dest.resolve()
    try:
        with _open_zip(src, label) as zf:
            members = _inspect_zip(zf, label, lim, upload_bytes=src.stat().st_size)
            total = [0]
            for info, parts in members:
                target = root.joinpath(*parts)
                shown = repr(_clean(info.filename, 80))
                if info.is_dir():
                    _makedirs(target, made)
                    _inside(target, root, label, shown)
                    continue
                _makedirs(target.parent, made)
                _inside(target, root, label, shown)
                with zf.open(info) as raw, target.open("wb") as out:
                    written.append(target)
                    stream = _Counted(raw, info, label, lim, total)
                    first = True
                    while chunk := stream.read(_CHUNK):
                        if first and chunk.startswith(_ZIP_MAGIC):
                            raise _refuse(label, f"holds another zip ({shown})", "unzip the inner zip and upload its files")
                        first = False
                        out.write(chunk)
                if stream.count != info.file_size:
                    raise _refuse(label, f"member {shown} is shorter than its header says", "zip the files again")
    except BaseException:
        for path in reversed(written):
            path.unlink(missing_ok=True)
        for folder in reversed(made):
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    return written


def _makedirs(folder: Path, made: list[Path]) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
        made.append(path)


def _inside(target: Path, root: Path, label: str, shown: str) -> None:
    real = target.resolve()
    if real != root and not real.is_relative_to(root):
        raise _refuse(label, f"member {shown} would be written outside the folder", "re-create the zip from the data files")


# ---------------------------------------------------------------- XML


def _ascii_chunks(read: Callable[[int], bytes], label: str) -> Iterator[bytes]:
    """The file's bytes, transcoded to UTF-8 if it is UTF-16, so ASCII markers can be found."""
    first = read(_CHUNK)
    if first.startswith((b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\x00<", b"<\x00\x00\x00")):
        raise _refuse(label, "is UTF-32 XML", "save it as UTF-8")
    encoding = None
    if first.startswith((b"\xff\xfe", b"<\x00")):
        encoding = "utf-16-le"
    elif first.startswith((b"\xfe\xff", b"\x00<")):
        encoding = "utf-16-be"
    if encoding is None:
        chunk = first
        while chunk:
            yield chunk
            chunk = read(_CHUNK)
        return
    import codecs

    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    chunk = first
    while chunk:
        yield decoder.decode(chunk).encode("utf-8")
        chunk = read(_CHUNK)
    yield decoder.decode(b"", final=True).encode("utf-8")


def _scan_declarations(
    read: Callable[[int], bytes],
    label: str,
    member: str | None = None,
    advice: str = "export the KML again from Google Earth or QGIS",
) -> None:
    """Refuse DOCTYPE/ENTITY declarations, scanning raw bytes across chunk borders."""
    keep = max(map(len, _XML_DECLS)) - 1
    tail = b""
    lines = 0  # newlines before ``tail``
    for chunk in _ascii_chunks(read, label):
        buf = tail + chunk
        upper = buf.upper()
        hits = [i for i in (upper.find(m) for m in _XML_DECLS) if i >= 0]
        if hits:
            at = min(hits)
            line = lines + buf.count(b"\n", 0, at) + 1
            raise _refuse(
                label,
                f"{_where(member)}has a DOCTYPE/ENTITY declaration at line {line}, which this data never needs "
                "and which can attack the reader (billion laughs, external entities)",
                advice,
            )
        cut = max(len(buf) - keep, 0)
        lines += buf.count(b"\n", 0, cut)
        tail = buf[cut:]


def _where(member: str | None) -> str:
    return "" if member is None else f"{_clean(member, 60)!r} inside it "


def _parse_kml(source: Any, label: str, member: str | None = None) -> None:
    """Parse with iterparse, keeping memory flat; refuse malformed XML or a root other than <kml>."""
    stack: list[ET.Element] = []
    try:
        for event, elem in ET.iterparse(source, events=("start", "end")):
            if event == "start":
                if not stack and elem.tag.rsplit("}", 1)[-1] != "kml":
                    root = _clean(elem.tag.rsplit("}", 1)[-1], 40)
                    raise _refuse(label, f"{_where(member)}is XML but not KML (its root is <{root}>)", "export it as KML again")
                stack.append(elem)
            else:
                stack.pop()
                elem.clear()
                if stack:
                    stack[-1].remove(elem)  # earlier siblings are gone, so this is the first child
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        reason = str(exc).split(":")[0]
        raise _refuse(
            label,
            f"{_where(member)}is not well-formed XML at line {line} ({_clean(reason, 60)})",
            "fix that line or export the KML again",
        ) from exc


def check_xml(path: str | os.PathLike[str]) -> None:
    """Refuse a KML with DOCTYPE/ENTITY declarations or malformed XML.

    The raw bytes are scanned for ``<!DOCTYPE`` and ``<!ENTITY`` (any case;
    UTF-16 is transcoded first) before any XML parser runs, so a billion-laughs
    or external-entity file is never expanded. Only then is the file parsed
    with :func:`xml.etree.ElementTree.iterparse`, streaming.

    Parameters
    ----------
    path : str or path-like
        A ``.kml`` file (for a KMZ, :func:`check_file` checks the KML inside).

    Raises
    ------
    UnsafeFileError
        Naming the file, and the line of the declaration or of the XML error.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "zones.kml"
    >>> _ = path.write_text('<kml xmlns="http://www.opengis.net/kml/2.2">\\n<Document>\\n</kml>\\n')
    >>> check_xml(path)
    Traceback (most recent call last):
        ...
    geo.safefiles.UnsafeFileError: zones.kml: is not well-formed XML at line 3 (mismatched tag); fix that line or export the KML again
    >>> tmp.cleanup()
    """
    p = _regular_file(path)
    label = _label(p)
    with p.open("rb") as f:
        _scan_declarations(f.read, label)
    with p.open("rb") as f:
        _parse_kml(f, label)


# ---------------------------------------------------------------- GeoPackage


def check_gpkg(path: str | os.PathLike[str]) -> None:
    """Refuse a GeoPackage that is truncated, corrupt or not a GeoPackage.

    The file must carry the SQLite header, be as long as its header says,
    open read-only as SQLite, pass ``PRAGMA quick_check`` and have a
    ``gpkg_contents`` table.

    Parameters
    ----------
    path : str or path-like
        The ``.gpkg`` file. It is opened read-only and never modified.

    Raises
    ------
    UnsafeFileError
        Naming the file and saying it is damaged (export it again) or not a
        GeoPackage.

    Examples
    --------
    >>> import sqlite3, tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "plain.gpkg"
    >>> with sqlite3.connect(path) as db:
    ...     _ = db.execute("CREATE TABLE t (x)")
    >>> check_gpkg(path)
    Traceback (most recent call last):
        ...
    geo.safefiles.UnsafeFileError: plain.gpkg: is an SQLite database but not a GeoPackage (no gpkg_contents table); export the layer as GeoPackage again
    >>> tmp.cleanup()
    """
    p = _regular_file(path)
    label = _label(p)
    damaged = "export it again (in QGIS: Export → Save Features As → GeoPackage) and upload the new file"
    size = p.stat().st_size
    with p.open("rb") as f:
        header = f.read(100)
    if not header.startswith(_SQLITE_MAGIC):
        raise _refuse(label, "is not a GeoPackage (no SQLite header)", damaged)
    if len(header) < 100:
        raise _refuse(label, "is damaged (truncated SQLite header)", damaged)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise _refuse(label, "is damaged (invalid page size)", damaged)
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96] and pages > 0
    if size % page_size or (header_valid and pages * page_size > size):
        raise _refuse(label, "is damaged (the file is truncated)", damaged)

    uri = p.resolve().as_uri() + "?mode=ro&immutable=1"
    try:
        with closing(sqlite3.connect(uri, uri=True)) as db:
            db.execute("PRAGMA trusted_schema = OFF")
            rows = db.execute("PRAGMA quick_check").fetchall()
            if rows != [("ok",)]:
                first = rows[0][0] if rows else "no answer"
                raise _refuse(label, f"is damaged (SQLite check: {_clean(str(first), 80)})", damaged)
            found = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'"
            ).fetchone()
            if not found:
                raise _refuse(
                    label,
                    "is an SQLite database but not a GeoPackage (no gpkg_contents table)",
                    "export the layer as GeoPackage again",
                )
            db.execute("SELECT count(*) FROM gpkg_contents").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _refuse(label, f"is damaged ({_clean(str(exc), 80)})", damaged) from exc


# ---------------------------------------------------------------- check_file


def _check_size(p: Path, label: str, lim: Mapping[str, int]) -> None:
    size = p.stat().st_size
    if size > lim["max_bytes"]:
        raise _refuse(
            label, f"is {_mb(size)}, over the {_mb(lim['max_bytes'])} limit", "split the data into smaller files or simplify it"
        )


def _claimed_kind(claimed: str) -> tuple[str, tuple[str, ...] | None]:
    token = claimed.strip().lower()
    if "." in token:
        token = token.rsplit(".", 1)[-1]
    return token, _ALIASES.get(token)


def _check_tab_header(head: bytes, label: str, member: str | None = None) -> None:
    """Refuse a .tab that is not a native table: the reader would open the files it names."""
    found = _TAB_TYPE.search(head)
    table = found[1].decode("ascii", "replace").lower() if found else ""
    if table == "native" and not _TAB_SEAMLESS.search(head):
        return
    what = "seamless" if _TAB_SEAMLESS.search(head) else table or "view or query"
    raise _refuse(
        label,
        f"{_where(member)}is a MapInfo {_clean(what, 20)} table, which opens other files",
        "in MapInfo save a copy of the table (File > Save Copy As) and upload the copy's "
        f"{_PARTS['.tab']} files zipped together",
    )


def _missing_companion(names: set[str], main: str) -> str | None:
    """The first companion file of ``main`` (a lowercase name) missing from ``names``."""
    stem, suffix = main.rsplit(".", 1)
    return next((ext for ext in _COMPANIONS["." + suffix] if stem + ext not in names), None)


def _check_zip(p: Path, label: str, kind: str, lim: Mapping[str, int]) -> None:
    with _open_zip(p, label) as zf:
        members = _inspect_zip(zf, label, lim, nested_ok=kind == "xlsx", upload_bytes=p.stat().st_size)
        names = {"/".join(parts).lower() for info, parts in members if not info.is_dir()}
        for name in sorted(names):
            if name.endswith(_MAIN_FILES.get(kind, ())) and not _is_junk(name):
                missing = _missing_companion(names, name)
                if missing:
                    main = "." + name.rsplit(".", 1)[1]
                    raise _refuse(
                        label,
                        f"holds {_clean(name.rsplit('/', 1)[-1], 60)} without its {missing} file",
                        f"zip the {_PARTS[main]} files together",
                    )
        for info, parts in members:
            name = "/".join(parts).lower()
            if info.is_dir() or _is_junk(name):
                continue
            total = [0]
            if kind == "kmz" and name.endswith(".kml"):
                with zf.open(info) as raw:
                    _scan_declarations(_Counted(raw, info, label, lim, total).read, label, info.filename)
                total = [0]
                with zf.open(info) as raw:
                    _parse_kml(_Counted(raw, info, label, lim, total), label, info.filename)
            elif kind == "mapinfo_zip" and name.endswith(".tab"):
                with zf.open(info) as raw:
                    _check_tab_header(_Counted(raw, info, label, lim, total).read(_HEAD), label, info.filename)
            elif kind == "xlsx" and name.endswith((".xml", ".rels")):
                with zf.open(info) as raw:
                    _scan_declarations(
                        _Counted(raw, info, label, lim, total).read,
                        label,
                        info.filename,
                        "open it in Excel, save it as a new .xlsx and upload that",
                    )


def _check_beside(p: Path, label: str, kind: str, lim: Mapping[str, int]) -> None:
    """A .tab or .mif given on its own: its companion files must be beside it, within the size limit."""
    siblings = {child.name.lower(): child for child in p.parent.iterdir()}
    main = _MAIN_FILES[kind][0]
    missing = _missing_companion(set(siblings), p.stem.lower() + main)
    if missing:
        raise _refuse(
            label,
            f"has no {_clean(p.stem, 60)}{missing} beside it",
            f"put the {_PARTS[main]} files in one folder, or zip them together and upload the zip",
        )
    size = sum(siblings[p.stem.lower() + ext].stat().st_size for ext in _COMPANIONS[main]) + p.stat().st_size
    if size > lim["max_bytes"]:
        raise _refuse(
            label, f"is {_mb(size)} with its {_PARTS[main]} files, over the {_mb(lim['max_bytes'])} limit",
            "split the data into smaller files or simplify it",
        )
    if kind == "mapinfo_tab":
        with p.open("rb") as f:
            _check_tab_header(f.read(_HEAD), label)


def check_file(
    path: str | os.PathLike[str],
    claimed: str | None = None,
    limits: Mapping[str, int] = LIMITS,
) -> str:
    """Check an uploaded file before any reader opens it; return its real kind.

    In order: the size limit; :func:`sniff`; agreement with ``claimed``; then
    the kind's own checks — a zip's directory (see :func:`safe_extract`;
    nothing is extracted) and, for a Shapefile zip, each ``.shp`` with its
    ``.shx`` and ``.dbf``; for MapInfo, each ``.tab`` with its ``.dat``,
    ``.map`` and ``.id`` and each ``.mif`` with its ``.mid``, in the zip or
    beside the file, and every ``.tab`` a native table (not a view, seamless,
    raster or linked table); :func:`check_xml` for KML and for each KML inside a
    KMZ (streamed, within the limits); no DOCTYPE/ENTITY in an ``.xlsx``'s XML
    parts; :func:`check_gpkg` for a GeoPackage.

    Parameters
    ----------
    path : str or path-like
        The file as saved on disk.
    claimed : str, optional
        What the file says it is: its extension (``".gpkg"``, ``"zip"``) or
        the user's choice (a kind from :data:`KINDS`). When omitted, the
        file's own extension, if it is one we know.
    limits : mapping, optional
        Overrides for some or all of :data:`LIMITS`.

    Returns
    -------
    str
        The kind, one of :data:`KINDS`.

    Raises
    ------
    UnsafeFileError
        Naming the file, e.g. ``"x.gpkg: claims to be gpkg but is csv; ..."``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = pathlib.Path(tmp.name) / "zones.geojson"
    >>> _ = path.write_text('{"type": "FeatureCollection", "features": []}')
    >>> check_file(path), check_file(path, claimed="json")
    ('geojson', 'geojson')
    >>> check_file(path, limits={"max_bytes": 10})
    Traceback (most recent call last):
        ...
    geo.safefiles.UnsafeFileError: zones.geojson: is 45 bytes, over the 10 bytes limit; split the data into smaller files or simplify it
    >>> tmp.cleanup()
    """
    lim = _limits(limits)
    p = _regular_file(path)
    label = _label(p)
    _check_size(p, label, lim)
    kind = sniff(p)

    if claimed is None:
        token, expected = _claimed_kind(p.suffix) if p.suffix else ("", None)
    else:
        token, expected = _claimed_kind(claimed)
        if expected is None:
            raise _refuse(label, f"'{_clean(token, 30)}' files are not accepted", _supported())
    if expected is not None and kind not in expected:
        raise _refuse(
            label,
            f"claims to be {token} but is {kind}",
            f"check you picked the right file, or give it the {_EXTENSION[kind]} extension",
        )

    if kind in ("shapefile_zip", "mapinfo_zip", "kmz", "xlsx"):
        _check_zip(p, label, kind, lim)
    elif kind in ("mapinfo_tab", "mapinfo_mif"):
        _check_beside(p, label, kind, lim)
    elif kind == "kml":
        check_xml(p)
    elif kind == "gpkg":
        check_gpkg(p)
    return kind
