"""Import the province's own files: read, understand, check, report, then write.

:func:`prepare` reads a file of one *kind* (communes, hazards, households,
sites, indicators) in any supported format (:mod:`geo.readers`), converts
legacy Vietnamese text encodings, recognises columns by their names and, where
names fail, by what they hold, works out the coordinates (declared CRS, else a
guess among WGS 84 / VN-2000 zones, with northing-first columns detected), and
checks every row. Nothing is written: it returns an :class:`ImportReport`.

The principle: a row with a good location is never dropped for a name or a
word the tool does not know.

* A household's or a site's commune is the one its point lies in (when the
  workspace has commune boundaries); the commune its record names is kept
  beside it, and a name that is unknown, from before 2020 or different is a
  warning, never a rejection.
* Values the tool cannot place (a hazard word, a yes/no word, a status) are
  listed once in the report with their count and a suggested meaning; the
  user maps them (``values={"Trượt lở đất đá": "landslide"}``, ``--value`` on
  the command line) and the workspace remembers the answer.
* Only rows without a usable location, duplicates, and values that cannot be
  stored at all (a zone whose hazard type is not known) are left out, each
  with its reason.

:func:`commit` then writes the good rows into a workspace in one transaction.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "homes.csv"
>>> _ = path.write_text("Mã hộ,Kinh độ,Vĩ độ,Dân tộc,Xã\\nH1,106.25,22.66,Tày,Tân Việt\\nH2,abc,22.6,Nùng,\\n",
...                     encoding="utf-8")
>>> report = prepare(path, "households", lang="en")
>>> len(report.good), report.rejected[["row", "code"]].values.tolist()
(1, [[3, 'not_number']])
>>> report.warnings["code"].tolist()
['commune_before_2020']
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from geo.annex import read_annex
from geo.catalogue import NEEDS, load_catalogue
from geo.columns import by_content, canonical, map_columns
from geo.crs import METRIC_CRS, WGS84
from geo.crsguess import guess_crs, to_points
from geo.encodings import fix_column, fix_frame
from geo.hazards import HAZARD_TYPES, code_hazard_types, code_levels, suggest
from geo.i18n import TEXT, fmt_count, header, t
from geo.indicators import BASELINE_YEAR, TARGET_YEAR
from geo.locate import assign_communes
from geo.pgstore import PgLocation
from geo.readers import read_file
from geo.resettlement import FORMS, STATUSES, YES_NO
from geo.text import code_words, loose_key, name_key, strip_unit_type
from geo.units import PROVINCE_CODE, before_2020, communes, crosswalk, normalise_codes, resolve_communes
from geo.workspace import PEOPLE, PEOPLE_COLUMNS, PERSONAL_FIELDS, Workspace, exists

__all__ = ["KINDS", "LAYER_OF", "ImportReport", "prepare", "commit", "known_to", "parse_value_mappings"]

KINDS = ("communes", "hazards", "households", "sites", "indicators")
LAYER_OF = {"hazards": "hazard_zones", "households": "households", "sites": "sites",
            "indicators": "indicator_values"}  # communes: communes_2020 or communes_2025, by what matches
_PROVINCE_BOX = (105.15, 22.25, 106.95, 23.2)  # Cao Bằng in WGS 84, padded by about 10 km
#: A point farther than this from every commune of the workspace lies outside the province.
_GAP_TOLERANCE_M = 1000.0


# --------------------------------------------------------------------------- vocabularies
def _table(codes: tuple[str, ...], extra: Mapping[str, str]) -> dict[str, str]:
    """Words for coded values: the code, its Vietnamese and English labels, and ``extra``."""
    words = {loose_key(w): w2 for w, w2 in extra.items()}
    for code in codes:
        for word in (code, code.replace("_", " "), t(code, "vi"), t(code, "en")):
            words.setdefault(loose_key(word), code)
    return words


_STATUS_WORDS = _table(STATUSES, {"chưa di dời": "not_planned", "chưa": "not_planned", "kế hoạch": "planned",
                                  "đã di dời": "resettled", "đã tái định cư": "resettled", "di dời": "moving",
                                  "đang di chuyển": "moving", "ổn định tại chỗ": "stabilised",
                                  "đã ổn định": "stabilised", "": "not_planned"})
_FORM_WORDS = _table(FORMS, {"tập trung": "concentrated", "xen ghép": "interspersed", "tại chỗ": "in_place"})


def _words(table: Mapping[str, object]) -> Callable[[pd.Series, Mapping[str, object]], pd.Series]:
    def coder(values: pd.Series, extra: Mapping[str, object]) -> pd.Series:
        return code_words(values, {**table, **{loose_key(k): v for k, v in extra.items()}})
    return coder


#: How each coded column is read: its coder (values, user's mapping -> codes, None where unknown).
_CODERS: dict[str, Callable[[pd.Series, Mapping[str, object]], pd.Series]] = {
    "hazard_type": lambda values, extra: code_hazard_types(values, extra),
    "level": lambda values, extra: code_levels(values, extra).astype(object).where(lambda s: s.notna(), None),
    "yes_no": _words(YES_NO),
    "resettlement_status": _words(_STATUS_WORDS),
    "resettlement_form": _words(_FORM_WORDS),
}
_FAMILY = {"dtts": "yes_no", "poor": "yes_no", "scattered": "yes_no"}


def parse_value_mappings(items: list[str] | Mapping[str, str] | None, lang: str = "vi") -> dict[str, str]:
    """``["Trượt lở đất đá=landslide", ...]`` as ``{word: meaning}``.

    >>> parse_value_mappings(["Trượt lở đất đá=landslide", "c=có"])
    {'Trượt lở đất đá': 'landslide', 'c': 'có'}
    """
    if items is None:
        return {}
    if isinstance(items, Mapping):
        return dict(items)
    pairs = {}
    for item in items:
        word, sep, meaning = str(item).rpartition("=")
        if not sep or not word.strip() or not meaning.strip():
            raise ValueError(t("imp_err_value_arg", lang, value=repr(item)))
        pairs[word.strip()] = meaning.strip()
    return pairs


def _extra_for(column: str, values: Mapping[str, str]) -> dict[str, object]:
    """The user's mappings that mean something for ``column``: their meaning codes there."""
    if not values:
        return {}
    coder = _CODERS[_FAMILY.get(column, column)]
    meanings = coder(pd.Series(list(values.values()), dtype=object), {})
    return {word: code for word, code in zip(values, meanings) if code is not None}


# --------------------------------------------------------------------------- report
@dataclass
class ImportReport:
    """What an import would do.

    ``good`` holds the rows to write; ``rejected`` every row left out (``row``
    as in the file, ``code``, ``reason``, and the row's own values);
    ``warnings`` every row kept with a remark (``row``, ``code``, ``message``);
    ``unknown`` each value not understood once (``column``, ``value``,
    ``count``, ``suggestion``); ``matches`` how each unit was matched (commune
    files and annexes); ``columns`` which column became which field.
    """

    source: Path
    kind: str
    sha256: str
    rows_in: int
    good: pd.DataFrame
    rejected: pd.DataFrame
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row", "code", "message"]))
    notes: list[str] = field(default_factory=list)
    layer: str = ""
    unknown: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["column", "value", "count",
                                                                                   "suggestion"]))
    matches: pd.DataFrame = field(default_factory=pd.DataFrame)
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    lang: str = "vi"
    kept: int = -1  # rows of the file kept (commune polygons merged into fewer units); -1: len(good)
    #: Personal fields of the good households (``household_id``, ``head_name``, ``id_number``), kept out of
    #: ``good``: they go to the workspace's ``household_people`` table, never into the households layer.
    people: pd.DataFrame | None = None

    def summary(self) -> str:
        """The report as text: what matters first (rows left out, then warnings, then values to map)."""
        lang = self.lang
        n = lambda value: fmt_count(value, lang)  # noqa: E731
        warned = self.warnings["row"].nunique() if len(self.warnings) else 0
        lines = [t("imp_summary", lang, file=self.source.name, kind=t(f"kind_{self.kind}", lang),
                   rows=n(self.rows_in), good=n(self.kept if self.kept >= 0 else len(self.good)), rejected=n(len(self.rejected)), warned=n(warned),
                   layer=self.layer)]
        for title, frame in (("imp_problems", self.rejected), ("imp_warnings", self.warnings)):
            if len(frame):
                lines.append(t(title, lang))
                groups = frame.groupby("code", sort=False).size().sort_values(ascending=False, kind="stable")
                for code, count in groups.items():
                    what = frame.loc[frame["code"] == code, "what"].iloc[0] if "what" in frame else ""
                    lines.append("  " + t(f"imp_g_{code}", lang, n=n(count), what=what or ""))
        if len(self.unknown):
            lines.append(t("imp_values", lang))
            for row in self.unknown.itertuples(index=False):
                hint = t("imp_suggest", lang, value=row.value, meaning=row.suggestion) if row.suggestion else ""
                lines.append(t("imp_value_line", lang, column=row.column, value=repr(row.value), count=n(row.count),
                               hint=hint))
        if self.notes:
            lines.append(t("imp_notes", lang))
            lines += [f"  {note}" for note in self.notes]
        for row in self.rejected.head(20).itertuples(index=False):
            lines.append(t("imp_row", lang, row=row.row, reason=row.reason))
        if len(self.rejected) > 20:
            lines.append(t("imp_more", lang, n=n(len(self.rejected) - 20)))
        return "\n".join(lines)


@dataclass(frozen=True)
class _Per:
    """A field of a reason written for the marked rows only: ``func`` of each of their ``values``."""

    values: pd.Series
    func: Callable[[object], str]


class _Rows:
    """Rows left out and rows warned about, numbered as the user sees them in the file.

    Reasons are recorded as a code and its fields (arrays aligned with the
    marked rows) and rendered in the report's language at the end, so a
    million rows cost one boolean mask per check.
    """

    def __init__(self, frame: pd.DataFrame, lang: str) -> None:
        self.frame = frame  # carries "_line": the record's row number in the file
        self.lang = lang
        self.bad = np.zeros(len(frame), bool)
        self.rejects: list[tuple[np.ndarray, str, dict]] = []
        self.warns: list[tuple[np.ndarray, str, dict]] = []

    @staticmethod
    def _take(fields: dict, positions: np.ndarray) -> dict:
        taken = {}
        for key, value in fields.items():
            if isinstance(value, _Per):
                taken[key] = np.array([value.func(v) for v in np.asarray(value.values, dtype=object)[positions]],
                                      dtype=object)
            elif isinstance(value, (pd.Series, np.ndarray)):
                taken[key] = np.asarray(value, dtype=object)[positions]
            else:
                taken[key] = np.full(len(positions), value, dtype=object)
        return taken

    def reject(self, mask: pd.Series | np.ndarray, code: str, **fields: object) -> None:
        """Leave out the rows of ``mask`` not already left out, for reason ``code``."""
        positions = np.flatnonzero(np.asarray(mask, bool) & ~self.bad)
        if len(positions):
            self.bad[positions] = True
            self.rejects.append((positions, code, self._take(fields, positions)))

    def warn(self, mask: pd.Series | np.ndarray, code: str, **fields: object) -> None:
        """Keep the rows of ``mask`` with a warning ``code`` (rows already left out are not warned about)."""
        positions = np.flatnonzero(np.asarray(mask, bool) & ~self.bad)
        if len(positions):
            self.warns.append((positions, code, self._take(fields, positions)))

    def _render(self, entries: list[tuple[np.ndarray, str, dict]], text: str) -> pd.DataFrame:
        parts = []
        for positions, code, fields in entries:
            keep = ~self.bad[positions] if text == "message" else np.ones(len(positions), bool)
            positions = positions[keep]
            if not len(positions):
                continue
            fields = {k: v[keep] for k, v in fields.items()}
            template = TEXT[f"imp_{code}"][0 if self.lang == "vi" else 1]
            rendered = [template.format(**dict(zip(fields, values))) for values in zip(*fields.values())] \
                if fields else [template] * len(positions)
            parts.append(pd.DataFrame({"position": positions, "code": code, text: rendered,
                                       "what": fields.get("what", np.full(len(positions), "", dtype=object))}))
        if not parts:
            return pd.DataFrame({"position": pd.Series(dtype=np.int64), "code": pd.Series(dtype=object),
                                 text: pd.Series(dtype=object), "what": pd.Series(dtype=object)})
        return pd.concat(parts, ignore_index=True)

    def split(self, result: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Good rows of ``result`` (aligned with the input), rows left out, and warnings."""
        reasons = self._render(self.rejects, "reason").sort_values("position", kind="stable")
        lines = self.frame["_line"].to_numpy()
        values = pd.DataFrame(self.frame.iloc[reasons["position"].to_numpy()]).drop(
            columns=["geometry", "_line"], errors="ignore").reset_index(drop=True)
        rejected = pd.concat([pd.DataFrame({"row": lines[reasons["position"].to_numpy()],
                                            "code": reasons["code"].to_numpy(),
                                            "reason": reasons["reason"].to_numpy(),
                                            "what": reasons["what"].to_numpy()}), values], axis=1)
        warned = self._render(self.warns, "message").sort_values("position", kind="stable")
        warnings = pd.DataFrame({"row": lines[warned["position"].to_numpy()], "code": warned["code"].to_numpy(),
                                 "message": warned["message"].to_numpy(), "what": warned["what"].to_numpy()})
        return result.loc[~self.bad], rejected, warnings.reset_index(drop=True)


class _Context:
    """What one import knows: language, notes, the user's value mappings, unknown values met."""

    def __init__(self, lang: str, values: Mapping[str, str], crs: str | None,
                 boundaries: gpd.GeoDataFrame | None) -> None:
        self.lang = lang
        self.notes: list[str] = []
        self.values = dict(values)
        self.used: dict[str, str] = {}
        self.crs = crs
        self.boundaries = boundaries if boundaries is not None and len(boundaries) else None
        self.unknown: list[dict] = []

    def note(self, key: str, **fields: object) -> None:
        self.notes.append(t(key, self.lang, **fields))

    def code(self, frame: pd.DataFrame, column: str) -> tuple[pd.Series, pd.Series]:
        """The column's values coded, and the mask of values present but not understood (listed once)."""
        values = frame[column]
        extra = _extra_for(column, self.values)
        coded = _CODERS[_FAMILY.get(column, column)](values, extra)
        present = values.notna() & (values.astype(str).str.strip() != "")
        unknown = present & coded.isna()
        if extra:  # which of the user's mappings this file needed: keyed once per distinct value
            written = {loose_key(value) for value in values.astype(str).unique()}
            self.used.update({word: self.values[word] for word in extra if loose_key(word) in written})
        if unknown.any():
            counts = values[unknown].astype(str).str.strip().value_counts()
            family = "level" if column == "level" else ("hazard_type" if column == "hazard_type" else None)
            for value, count in counts.items():
                guess = suggest(value, family) if family else None
                self.unknown.append({"column": column, "value": value, "count": int(count),
                                     "suggestion": "" if guess is None else str(guess)})
        return coded, unknown


# --------------------------------------------------------------------------- helpers
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _quote(value: object) -> str:
    return "∅" if pd.isna(value) else repr(value)


def _shown(values: pd.Series) -> _Per:
    """Values as quoted in a reason: repr of the text, or "∅" for an empty cell."""
    return _Per(values, _quote)


def _hint(suggestions: object) -> str:
    return f" ({suggestions}?)" if suggestions else ""


def _numbers(frame: pd.DataFrame, column: str, rows: _Rows | None, ctx: _Context | None) -> pd.Series:
    """Numbers from text, decimal commas read as points; unreadable cells left out (when ``rows``)."""
    raw = frame[column]
    if pd.api.types.is_numeric_dtype(raw):
        number = raw.astype(float)
    else:
        text = raw.astype("string").str.strip()
        comma = text.str.fullmatch(r"-?\d+,\d+").fillna(False).astype(bool)
        if comma.any() and ctx is not None:
            ctx.note("imp_decimal_commas", column=column, n=fmt_count(int(comma.sum()), ctx.lang))
        number = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype(float)
    if rows is not None:
        rows.reject(number.isna().to_numpy(), "not_number", column=column, value=_shown(raw))
    return number


def _confident(guess, lang: str):
    """The guess, if it is the only reading that fits; else ask the user to choose."""
    if guess.crs is None:
        raise ValueError(t("imp_err_no_crs", lang))
    if guess.ambiguous:
        raise ValueError(t("imp_err_crs_ambiguous", lang, value=guess.describe(lang)))
    return guess


def _inside_share(x: pd.Series, y: pd.Series, crs: str) -> float:
    points = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs)
    box = shapely.box(*_PROVINCE_BOX)
    try:
        return float(points.to_crs(WGS84).within(box).mean())
    except Exception:  # coordinates impossible in that system
        return 0.0


def _geometry(frame: pd.DataFrame, rows: _Rows, ctx: _Context) -> gpd.GeoSeries:
    """Geometries in EPSG:9210: from the layer, or from lon/lat or x/y columns."""
    crs = ctx.crs
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame and frame.geometry.notna().any():
        geoms = frame.geometry
        if crs:
            geoms = geoms.set_crs(crs, allow_override=True)
        if geoms.crs is None:
            coords = shapely.get_coordinates(geoms.values)
            guess = _confident(guess_crs(coords[:, 0], coords[:, 1]), ctx.lang)
            ctx.note("imp_crs_guessed", value=guess.describe(ctx.lang))
            if guess.swapped:
                geoms = gpd.GeoSeries(shapely.transform(geoms.values, lambda xy: xy[:, ::-1]), index=geoms.index)
            geoms = geoms.set_crs(guess.crs, allow_override=True)
        return geoms.to_crs(METRIC_CRS)
    if {"lon", "lat"} <= set(frame.columns):
        lon, lat = _numbers(frame, "lon", rows, ctx), _numbers(frame, "lat", rows, ctx)
        return gpd.GeoSeries(gpd.points_from_xy(lon, lat), index=frame.index, crs=crs or WGS84).to_crs(METRIC_CRS)
    if {"x", "y"} <= set(frame.columns):
        x, y = _numbers(frame, "x", rows, ctx), _numbers(frame, "y", rows, ctx)
        if crs:  # the system is known; X may still be the northing, as in Vietnamese survey tables
            swapped = _inside_share(y, x, crs) > _inside_share(x, y, crs)
            if swapped:
                ctx.note("imp_swapped")
            return to_points(x.to_numpy(), y.to_numpy(), crs, swapped).set_axis(frame.index)
        guess = _confident(guess_crs(x.to_numpy(), y.to_numpy()), ctx.lang)
        ctx.note("imp_crs_guessed", value=guess.describe(ctx.lang))
        return to_points(x.to_numpy(), y.to_numpy(), guess.crs, guess.swapped).set_axis(frame.index)
    raise ValueError(t("imp_err_no_geometry", ctx.lang))


def _inside_province(geoms: gpd.GeoSeries, rows: _Rows) -> None:
    box = gpd.GeoSeries([shapely.box(*_PROVINCE_BOX)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    values = geoms.values
    missing = shapely.is_missing(values) | shapely.is_empty(values)
    rows.reject(missing, "no_location")
    rows.reject(~missing & ~shapely.intersects(values, box), "outside")


def _repair(geoms: gpd.GeoSeries, rows: _Rows) -> gpd.GeoSeries:
    values = geoms.values
    invalid = ~shapely.is_valid(values) & ~shapely.is_missing(values)
    if invalid.any():
        rows.warn(invalid, "repaired")
        values = values.copy()
        values[invalid] = shapely.make_valid(values[invalid], method="structure", keep_collapsed=False)
        geoms = gpd.GeoSeries(values, index=geoms.index, crs=geoms.crs)
    return geoms


def _identifiers(values: pd.Series) -> pd.Series:
    """Ids as trimmed text; Excel's 12.0 back to 12; empty cells missing."""
    text = values.astype("string").str.strip()
    text = text.str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return text.where(text.notna() & (text != ""), None).astype(object)


def _ids(frame: pd.DataFrame, column: str, what_key: str, vietnamese: str, rows: _Rows,
         ctx: _Context) -> pd.Series:
    """An id column: present, each row has an id, no id twice (later copies left out)."""
    what = t(what_key, ctx.lang)
    if column not in frame:
        raise ValueError(t("imp_err_id_column", ctx.lang, what=what, vietnamese=vietnamese, column=column))
    ids = _identifiers(frame[column])
    rows.reject(ids.isna().to_numpy(), "no_id", what=what)
    _duplicates(ids, rows, what)
    return ids


def _duplicates(values: pd.Series, rows: _Rows, what: str) -> None:
    dupes = values.notna() & values.duplicated(keep="first")
    rows.reject(dupes.to_numpy(), "duplicate", what=what, value=values.astype(str))


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    return frame[column].astype("string").str.strip().replace("", pd.NA).astype(object).where(
        lambda s: s.notna(), None)


# --------------------------------------------------------------------------- communes of records
def _declared_communes(frame: pd.DataFrame) -> pd.DataFrame:
    """The commune each record names (code or name, with its district): resolved in every vintage."""
    if "ma_xa" in frame:
        codes = normalise_codes(frame["ma_xa"])
        names = codes.where(codes.notna(), _text(frame, "commune_name"))
    else:
        names = _text(frame, "commune_name")
    resolved = resolve_communes(names.fillna(""), _text(frame, "district_name"))
    resolved["declared"] = names
    return resolved


def _place(frame: pd.DataFrame, geoms: gpd.GeoSeries, rows: _Rows, ctx: _Context) -> pd.DataFrame:
    """Each point's commune: where it lies when the workspace has boundaries, else what its record names.

    Returns ``ma_xa`` (the commune used), ``ma_xa_declared`` (the 2020 code the
    record's commune resolves to) and ``commune_declared`` (as written).
    """
    declared = _declared_communes(frame)
    out = pd.DataFrame({"ma_xa_declared": declared["ma_xa"], "commune_declared": declared["declared"]},
                       index=frame.index)
    named = declared["declared"].notna().to_numpy()
    how = declared["how"].to_numpy()
    shown = _shown(declared["declared"])
    hint = _Per(declared["suggestions"], _hint)
    rows.warn(named & (how == "before_2020"), "commune_before_2020", value=shown)
    rows.warn(named & (how == "none"), "commune_unknown", value=shown, hint=hint)
    rows.warn(named & (how == "ambiguous"), "commune_ambiguous", value=shown)
    if ctx.boundaries is None:
        ctx.note("imp_no_boundaries")
        out["ma_xa"] = declared["ma_xa"]
        return out
    points = gpd.GeoDataFrame(geometry=geoms.values, index=frame.index, crs=METRIC_CRS)
    ok = ~(shapely.is_missing(geoms.values) | shapely.is_empty(geoms.values))
    located = assign_communes(points.loc[ok], ctx.boundaries)
    far = located["gap_m"].reindex(frame.index).fillna(0).to_numpy() > _GAP_TOLERANCE_M
    rows.reject(far, "outside")
    out["ma_xa"] = located["ma_xa"].reindex(frame.index)
    names = ctx.boundaries.set_index("ma_xa")["name_vi"] if "name_vi" in ctx.boundaries else pd.Series(dtype=object)
    differs = (out["ma_xa_declared"].notna() & out["ma_xa"].notna()
               & (out["ma_xa_declared"] != out["ma_xa"])).to_numpy()
    def label(code: object) -> str:
        name = names.get(code)
        return f"{code if pd.isna(name) else name} ({code})"

    rows.warn(differs, "commune_differs", declared=_Per(out["ma_xa_declared"], label),
              located=_Per(out["ma_xa"], label))
    counts = located["assignment"].value_counts()
    ctx.note("imp_located", n=fmt_count(int(counts.get("inside", 0) + counts.get("overlap", 0)), ctx.lang),
             gap=fmt_count(int(counts.get("gap", 0)), ctx.lang))
    return out


def _coded(frame: pd.DataFrame, column: str, default: object, rows: _Rows, ctx: _Context) -> pd.Series:
    """A coded column; a value not understood keeps its row, takes ``default`` and is listed once."""
    coded, unknown = ctx.code(frame, column)
    rows.warn(unknown.to_numpy(), "value_defaulted", column=column, value=_shown(frame[column]),
              used=str(default))
    return coded.where(coded.notna(), default)


# --------------------------------------------------------------------------- kinds
def _households(frame: pd.DataFrame, rows: _Rows, ctx: _Context) -> gpd.GeoDataFrame:
    if "household_id" not in frame:
        form_id = next((c for c in ("_uuid", "_id", "_index", "meta/instanceID") if c in frame), None)
        if form_id is not None:  # a KoboToolbox / ODK export: one submission per household
            ctx.note("imp_kobo_id", column=form_id)
            frame = frame.assign(household_id=frame[form_id])
    ids = _ids(frame, "household_id", "what_household_id", "Mã hộ", rows, ctx)
    geoms = _geometry(frame, rows, ctx)
    _inside_province(geoms, rows)
    out = gpd.GeoDataFrame({"household_id": ids}, geometry=geoms.values, index=frame.index, crs=METRIC_CRS)
    placed = _place(frame, geoms, rows, ctx)
    out["ma_xa"] = placed["ma_xa"]
    out["village_id"] = _text(frame, "village")
    out["ethnicity"] = _text(frame, "ethnicity")
    not_kinh = out["ethnicity"].notna() & code_words(out["ethnicity"], {"kinh": False}).isna()
    if "dtts" in frame:
        dtts, unknown = ctx.code(frame, "dtts")
        rows.warn(unknown.to_numpy(), "value_defaulted", column="dtts", value=_shown(frame["dtts"]),
                  used=t("from_ethnicity", ctx.lang))
        out["dtts"] = dtts.where(dtts.notna(), not_kinh).astype(bool)
    else:
        out["dtts"] = not_kinh.astype(bool)
        ctx.note("imp_no_dtts")
    if "members" in frame:
        members = pd.to_numeric(frame["members"].astype("string").str.strip(), errors="coerce")
        whole = members.between(1, 30) & (members == members.round())
        rows.warn((frame["members"].notna() & ~whole).to_numpy(), "members", value=_shown(frame["members"]))
        out["members"] = members.where(whole).astype("Int16")
    for column in ("poor", "scattered"):
        if column in frame:
            out[column] = _coded(frame, column, False, rows, ctx).astype(bool)
        else:
            out[column] = False
            ctx.note("imp_no_column", column=header(column, ctx.lang))
    out["resettlement_status"] = _coded(frame, "resettlement_status", "not_planned", rows, ctx) \
        if "resettlement_status" in frame else "not_planned"
    out["resettlement_form"] = _coded(frame, "resettlement_form", None, rows, ctx) \
        if "resettlement_form" in frame else None
    if "resettlement_date" in frame:
        date = pd.to_datetime(frame["resettlement_date"], errors="coerce", dayfirst=True, format="mixed")
        rows.warn((frame["resettlement_date"].notna() & date.isna()).to_numpy(), "date",
                  value=_shown(frame["resettlement_date"]))
    else:
        date = pd.Series(pd.NaT, index=frame.index)
    out["resettlement_date"] = date
    out["site_id"] = _text(frame, "site_id")
    out["ma_xa_declared"] = placed["ma_xa_declared"]
    out["commune_declared"] = placed["commune_declared"]
    # Personal fields ride along to the split, then leave for household_people (see prepare).
    if "head_name" in frame:
        out["head_name"] = _text(frame, "head_name")
    if "id_number" in frame:
        out["id_number"] = _identifiers(frame["id_number"])
    return out


def _hazards(frame: pd.DataFrame, rows: _Rows, ctx: _Context, hazard_type: str | None) -> gpd.GeoDataFrame:
    if "hazard_type" not in frame:
        if hazard_type is None:
            raise ValueError(t("imp_err_hazard_type", ctx.lang))
        ctx.note("imp_hazard_type_given", value=t(hazard_type, ctx.lang))
        types = pd.Series(hazard_type, index=frame.index, dtype=object)
    else:
        types, unknown = ctx.code(frame, "hazard_type")
        rows.reject(unknown.to_numpy() | types.isna().to_numpy(), "unknown_value", column="hazard_type",
                    value=_shown(frame["hazard_type"]), hint="")
    if "level" not in frame:
        raise ValueError(t("imp_err_level", ctx.lang))
    levels, unknown = ctx.code(frame, "level")
    rows.reject(unknown.to_numpy() | levels.isna().to_numpy(), "unknown_value", column="level",
                value=_shown(frame["level"]), hint="")
    geoms = _repair(_geometry(frame, rows, ctx), rows)
    kinds = shapely.get_type_id(geoms.values)
    rows.reject(~np.isin(kinds, (3, 6)) | shapely.is_empty(geoms.values), "not_polygon")
    _inside_province(geoms, rows)
    zone_id = _identifiers(frame["name"]) if "name" in frame else pd.Series(None, index=frame.index, dtype=object)
    zone_id = zone_id.where(zone_id.notna(), pd.Series([f"Z{i + 1:05d}" for i in range(len(frame))],
                                                       index=frame.index))
    return gpd.GeoDataFrame({"zone_id": zone_id, "hazard_type": types,
                             "level": pd.to_numeric(levels, errors="coerce").astype("Int8"),
                             "source": "import", "version": 1}, geometry=geoms.values, index=frame.index,
                            crs=METRIC_CRS)


def _sites(frame: pd.DataFrame, rows: _Rows, ctx: _Context) -> gpd.GeoDataFrame:
    ids = _ids(frame, "site_id", "what_site_id", "Mã điểm", rows, ctx)
    geoms = _geometry(frame, rows, ctx)
    _inside_province(geoms, rows)
    name = _text(frame, "site_name")
    name = name.where(name.notna(), _text(frame, "name")).where(lambda s: s.notna(), ids)
    capacity = None
    if "capacity" in frame:  # households: "1.200" is one thousand two hundred in Vietnamese
        text = frame["capacity"].astype("string").str.strip().str.replace(r"[.,\s](?=\d{3}\b)", "", regex=True)
        capacity = pd.to_numeric(text, errors="coerce")
        rows.warn((frame["capacity"].notna() & ~(capacity >= 0)).to_numpy(), "members",
                  value=_shown(frame["capacity"]))
    placed = _place(frame, geoms, rows, ctx)
    return gpd.GeoDataFrame({"site_id": ids, "name_vi": name, "form": "concentrated", "capacity": capacity,
                             "ma_xa": placed["ma_xa"], "ma_xa_declared": placed["ma_xa_declared"]},
                            geometry=geoms.values, index=frame.index, crs=METRIC_CRS)


def _unit_lists() -> dict[int, pd.DataFrame]:
    """Each vintage's units with name and district keys: 2019 (before 2020), 2020 and 2025."""
    def keys(names: pd.Series) -> pd.Series:
        return names.map(lambda n: name_key(strip_unit_type(n)))

    old = before_2020()
    lists = {
        2019: pd.DataFrame({"key": keys(old["old_name"]), "district": keys(old["old_district"]),
                            "ma_xa": old["new_ma_xa"], "label": old["old_name"] + ", " + old["old_district"]}),
        2020: communes(2020).assign(key=lambda c: keys(c["name_vi"]), district=lambda c: keys(c["district_vi"]),
                                    label=lambda c: c["full_name_vi"])[["key", "district", "ma_xa", "label"]],
        2025: communes(2025).assign(key=lambda c: keys(c["name_vi"]), district="",
                                    label=lambda c: c["full_name_vi"])[["key", "district", "ma_xa", "label"]],
    }
    return lists


def _match_in(names: pd.Series, districts: pd.Series, units: pd.DataFrame) -> pd.Series:
    """Codes of ``units`` matched by name key, settled by district when a name repeats."""
    keys = names.fillna("").map(lambda n: name_key(strip_unit_type(str(n))))
    district_keys = districts.fillna("").map(lambda n: name_key(strip_unit_type(str(n))))
    unique = units.drop_duplicates("key", keep=False).set_index("key")["ma_xa"]
    by_name = keys.map(unique)
    pairs = units.drop_duplicates(["key", "district"], keep=False).set_index(["key", "district"])["ma_xa"]
    by_pair = pd.Series(pd.MultiIndex.from_arrays([keys, district_keys]).map(pairs.to_dict().get),
                        index=names.index, dtype=object)
    return by_pair.where(by_pair.notna(), by_name)


def _communes(frame: pd.DataFrame, rows: _Rows, ctx: _Context) -> tuple[gpd.GeoDataFrame, str, pd.DataFrame]:
    """Commune polygons of any vintage; every polygon kept.

    The vintage is the list whose names (and GSO codes) match most rows. A
    polygon is matched by its GSO code, else its name (and district), else a
    name from before 2020 (combined into the 2020 unit that took it over),
    else its location (the unit whose centre it holds); one that matches
    nothing is kept as the file's own unit. Polygons matched to one unit are
    merged into it.
    """
    geoms = _repair(_geometry(frame, rows, ctx), rows)
    rows.reject(~np.isin(shapely.get_type_id(geoms.values), (3, 6)), "not_polygon")
    names = _text(frame, "commune_name")
    names = names.where(names.notna(), _text(frame, "name"))
    districts = _text(frame, "district_name")
    codes = normalise_codes(frame["ma_xa"]).set_axis(frame.index) if "ma_xa" in frame \
        else pd.Series(None, index=frame.index, dtype=object)
    lists = _unit_lists()
    by_name = {v: _match_in(names, districts, units) for v, units in lists.items()}
    score = {v: (int(by_name[v].notna().sum()) + int(codes.isin(set(lists[v]["ma_xa"])).sum() if v != 2019 else 0))
             for v in lists}
    vintage = max((2025, 2020, 2019), key=lambda v: score[v])  # ties: the newer list
    ctx.note(f"imp_vintage_{vintage}")
    target_vintage = 2025 if vintage == 2025 else 2020
    official = communes(target_vintage).set_index("ma_xa")
    # 1. code, when it is a GSO code of that list and the name (if any) agrees
    code_ok = codes.isin(set(lists[vintage if vintage != 2019 else 2020]["ma_xa"]))
    code_name = codes.map(official["name_vi"]).fillna("").map(lambda n: name_key(strip_unit_type(n)))
    given = names.fillna("").map(lambda n: name_key(strip_unit_type(str(n))))
    disagree = code_ok & names.notna() & (code_name != given) & by_name[vintage].notna()
    rows.warn(disagree.to_numpy(), "code_name_differs", gso=codes, official=codes.map(official["name_vi"]),
              value=_shown(names))
    matched = codes.where(code_ok & ~disagree)
    how = pd.Series(np.where(matched.notna(), "code", ""), index=frame.index, dtype=object)
    # 2. name in the file's own list; 3. a name of another vintage
    step = by_name[vintage].where(matched.isna())
    how = how.where(step.isna(), "name" if vintage != 2019 else "name_before_2020")
    matched = matched.where(matched.notna(), step)
    if matched.isna().any():
        other = resolve_communes(names.where(matched.isna()).fillna(""), districts)
        found = other["ma_xa_2025"] if target_vintage == 2025 else other["ma_xa"]
        found = found.where(matched.isna() & other["how"].isin(["name", "district-name", "before_2020", "loose"]))
        how = how.where(found.isna(), other["how"].map(lambda h: f"other_list_{h}"))
        matched = matched.where(matched.notna(), found)
    # 4. location: the unit whose centre the polygon holds
    if matched.isna().any():
        centres = official[["lat", "lon"]].dropna()
        points = gpd.GeoSeries(gpd.points_from_xy(centres["lon"], centres["lat"]), index=centres.index,
                               crs=WGS84).to_crs(METRIC_CRS)
        left = np.flatnonzero(matched.isna().to_numpy() & ~rows.bad)
        holder, centre = shapely.STRtree(points.values).query(geoms.values[left], predicate="contains")
        # Before 2020 several polygons make one unit; otherwise a unit already matched is not taken twice.
        taken = set() if vintage == 2019 else set(matched.dropna())
        for position, code in zip(left[holder], points.index[centre]):
            if code not in taken and pd.isna(matched.iloc[position]):
                matched.iloc[position] = code
                how.iloc[position] = "location"
                if vintage != 2019:
                    taken.add(code)
        linked = (how == "location").to_numpy()
        rows.warn(linked, "unit_location", value=_shown(names.where(names.notna(), codes)),
                  located=matched.map(official["full_name_vi"]).astype(str))
    own = matched.isna().to_numpy() & ~rows.bad
    rows.warn(own, "unit_unmatched", value=_shown(names.where(names.notna(), codes)))
    own_codes = codes.where(codes.notna(), pd.Series([f"X{line}" for line in frame["_line"]], index=frame.index))
    how = how.where(~own, "own")
    units = matched.where(matched.notna(), own_codes)
    parts = gpd.GeoDataFrame({"ma_xa": units, "part": names.where(names.notna(), codes).astype(object),
                              "how": how, "official": ~own}, geometry=geoms.values, index=frame.index,
                             crs=METRIC_CRS)
    matches = pd.DataFrame({"row": frame["_line"], "name": names, "district": districts, "code": codes,
                            "ma_xa": units, "how": how})
    ctx.note("imp_matches", pairs=", ".join(f"{k} {fmt_count(v, ctx.lang)}"
                                             for k, v in how[~rows.bad].value_counts().items()))
    return parts, f"communes_{target_vintage}", matches


def _assemble_communes(good: gpd.GeoDataFrame, layer: str) -> gpd.GeoDataFrame:
    """One row per unit: the polygons matched to it merged, with the official names and codes."""
    vintage = int(layer[-4:])
    official = communes(vintage).set_index("ma_xa")
    merged = good.dissolve(by="ma_xa", aggfunc={"part": lambda p: "; ".join(map(str, p)), "how": "first",
                                                "official": "first"}).reset_index()
    merged["geometry"] = shapely.make_valid(merged.geometry.values)
    out = gpd.GeoDataFrame({"ma_xa": merged["ma_xa"],
                            "name_vi": merged["ma_xa"].map(official["name_vi"]).fillna(merged["part"]),
                            "type_vi": merged["ma_xa"].map(official["type_vi"]),
                            "full_name_vi": merged["ma_xa"].map(official["full_name_vi"]).fillna(merged["part"])},
                           geometry=merged.geometry.values, crs=METRIC_CRS)
    if vintage == 2020:
        out["ma_huyen"] = merged["ma_xa"].map(official["ma_huyen"])
        out["district_vi"] = merged["ma_xa"].map(official["district_vi"])
        out["ma_xa_2025"] = merged["ma_xa"].map(crosswalk().set_index("old_ma_xa")["new_ma_xa"])
    out["official"] = merged["official"].astype(bool)
    out["source_units"] = merged["part"]
    return out


def _indicator_table(frame: pd.DataFrame, path: Path, ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A long table (indicator_id, year, value, commune...) from any indicator layout."""
    if path.suffix.lower() in (".xlsx", ".xlsm") and not {"indicator_id", "year"} <= set(frame.columns):
        annex = read_annex(path)
        if annex is not None:
            values = annex.values.rename(columns={"row": "_line"})
            # a cell the annex could not read keeps its text, to be listed as not a number
            values["value"] = values["value"].astype(object).where(values["value"].notna(), values["text"])
            mapped = annex.columns
            # every column with the indicator, year and unit its values are imported as
            pairs = ", ".join(f"{c.sheet}!{c.column} -> {c.indicator_id} {c.year}" + (f" ({c.unit})" if c.unit else "")
                              for c in mapped.itertuples(index=False))
            ctx.note("imp_annex", sheets=annex.values["sheet"].nunique() if len(annex.values) else 0,
                     values=fmt_count(len(values), ctx.lang), pairs=pairs)
            if len(annex.skipped):
                ctx.note("imp_annex_skipped", n=fmt_count(len(annex.skipped), ctx.lang))
            if len(annex.unknown_columns):
                ctx.note("imp_annex_unknown", pairs=", ".join(
                    f"{c.sheet}!{c.column} {c.header!r}" + (f" (-> {c.suggestion}?)" if c.suggestion else "")
                    for c in annex.unknown_columns.itertuples(index=False)))
            return values[["_line", "commune_name", "district_name", "indicator_id", "year", "value"]], mapped
    year_columns = [c for c in frame.columns if str(c).strip().isdigit() and len(str(c).strip()) == 4]
    if year_columns and "year" not in frame:  # wide: one column per year
        keep = [c for c in frame.columns if c not in year_columns]
        frame = frame.melt(id_vars=keep, value_vars=year_columns, var_name="year", value_name="value")
        frame = frame.loc[frame["value"].notna()].reset_index(drop=True)
        ctx.note("imp_wide", value=", ".join(map(str, year_columns)))
    if not {"indicator_id", "year"} <= set(frame.columns):
        raise ValueError(t("imp_err_indicator_columns", ctx.lang))
    return frame, None


#: The reference columns of target 25 (the DTTS share of the population), recognised by geo.columns.
_REFERENCE_FIELDS = ("ref_numerator", "ref_denominator", "reference")


def _reference_headers(headers: object) -> dict[str, str]:
    """{header: ref_numerator | ref_denominator | reference} for the reference columns of an indicator table.

    >>> _reference_headers(["Mã xã", "Tử số tham chiếu", "MẪU SỐ THAM CHIẾU", "Tỷ lệ DTTS trong dân số (%)"])
    {'Tử số tham chiếu': 'ref_numerator', 'MẪU SỐ THAM CHIẾU': 'ref_denominator', 'Tỷ lệ DTTS trong dân số (%)': 'reference'}
    """
    found: dict[str, str] = {}
    for column in headers:
        name = canonical(str(column))
        if name in _REFERENCE_FIELDS and name not in found.values():
            found[str(column)] = name
    return found


def _contract(out: pd.DataFrame, parts: dict[str, pd.Series], rows: _Rows, ctx: _Context) -> None:
    """Check the table against each indicator's data contract (data/indicators.yaml): tell, never drop silently."""
    catalogue = load_catalogue()
    ids = out["indicator_id"].astype(str)
    ok = ~rows.bad
    present = sorted(set(ids[ok]) & set(catalogue), key=list(catalogue).index)
    if not present:
        return
    needs_parts = ids.map({k: {"numerator", "denominator"} <= set(v.needs) for k, v in catalogue.items()}).fillna(False)
    # a value with its denominator gives the numerator (value x denominator): only a lone value cannot be weighted
    value_only = (needs_parts & out["denominator"].isna() & out["value"].notna()).to_numpy()
    rows.warn(value_only, "value_only", value=ids.to_numpy())
    parity = ids.map({k: v.rule == "parity" for k, v in catalogue.items()}).fillna(False).to_numpy()
    has_ref = (out["ref_numerator"].notna() & out["ref_denominator"].notna()).to_numpy()
    rows.warn(parity & ~has_ref, "no_reference", value=ids.to_numpy())
    for ind_id in present:
        ind = catalogue[ind_id]
        mine = (ids == ind_id).to_numpy() & ok
        has = {n: bool(out.loc[mine, n].notna().any()) for n in ("value", *NEEDS[1:])}
        has["numerator"] |= has["value"] and has["denominator"]
        lacking = [n for n in ind.needs if n != "value" and not has[n]]
        if any(n.startswith("ref_") for n in lacking):
            ctx.note("imp_contract_missing", id=ind_id, columns=", ".join(lacking))
        elif lacking:
            ctx.note("imp_contract_value_only", id=ind_id)
        if ind.population == "dtts":
            ctx.note("imp_contract_dtts", id=ind_id, numerator=ind.numerator_en or "", denominator=ind.denominator_en or "")
        if ind.counts_from is not None:
            before = mine & (out["year"] == BASELINE_YEAR).to_numpy() & (out["numerator"] > 0).to_numpy()
            if before.any():
                ctx.note("imp_contract_before", id=ind_id, first=ind.counts_from,
                         n=fmt_count(out.loc[before, "numerator"].sum(), ctx.lang))
        for change in ind.changes:
            if (mine & (out["year"] >= change.from_year).to_numpy()).any():
                ctx.note("imp_contract_change", id=ind_id, note=change.note(ctx.lang))


def _indicators(frame: pd.DataFrame, rows: _Rows, ctx: _Context) -> pd.DataFrame:
    catalogue = load_catalogue()
    ids = frame["indicator_id"].astype("string").str.strip().str.lower()
    ids = ids.str.replace(r"^(chỉ tiêu|chi tieu|ct)\s*", "", regex=True)
    known = ids.isin(set(catalogue)).fillna(False).to_numpy()
    rows.reject(~known, "unknown_indicator", value=_shown(frame["indicator_id"]))
    year = pd.to_numeric(frame["year"], errors="coerce")
    year = year.where(year == year.round())  # 2021.5 is no year: rejected below, never cast
    rows.reject(~year.between(BASELINE_YEAR, TARGET_YEAR).to_numpy(), "year", first=BASELINE_YEAR,
                last=TARGET_YEAR, value=frame["year"].astype(str))
    parts = {}
    for column in ("value", "numerator", "denominator", "ref_numerator", "ref_denominator", "reference"):
        if column in frame:
            present = frame[column].notna() & (frame[column].astype(str).str.strip() != "")
            number = _numbers(frame, column, None, ctx)
            rows.reject((present & number.isna()).to_numpy(), "not_number", column=column,
                        value=_shown(frame[column]))
            parts[column] = number
    if not set(parts) & {"value", "numerator", "denominator"}:
        raise ValueError(t("imp_err_values", ctx.lang))
    has_value = parts["value"].notna() if "value" in parts else pd.Series(False, index=frame.index)
    if "numerator" in parts and "denominator" in parts:
        has_value |= parts["numerator"].notna() & parts["denominator"].notna()
    rows.reject(~has_value.to_numpy(), "no_value")
    share = ids.map({k: v.unit == "%" for k, v in catalogue.items()}).fillna(False).astype(bool)
    if "value" in parts:
        rows.reject((share & ((parts["value"] < 0) | (parts["value"] > 100))).to_numpy(), "share",
                    value=frame["value"].astype(str))
    if "numerator" in parts and "denominator" in parts:
        rows.reject((share & (parts["numerator"] > parts["denominator"])).to_numpy(), "numerator")
    if "ref_numerator" in parts and "ref_denominator" in parts:
        rows.reject((parts["ref_numerator"] > parts["ref_denominator"]).to_numpy(), "numerator")
    if "reference" in parts:
        rows.reject(((parts["reference"] < 0) | (parts["reference"] > 100)).to_numpy(), "share",
                    value=frame["reference"].astype(str))
    declared = _declared_communes(frame)
    unit = declared["ma_xa"].astype(object)
    named = declared["declared"].notna().to_numpy()
    rows.warn(named & (declared["how"] == "before_2020").to_numpy(), "commune_before_2020",
              value=_shown(declared["declared"]))
    level = pd.Series("commune", index=frame.index)
    if "village" in frame:
        unit = unit.where(frame["village"].isna(), frame["village"].astype(str))
        level = level.where(frame["village"].isna(), "village")
    province_only = ids.map({k: v.level == "province" for k, v in catalogue.items()}).fillna(False).astype(bool)
    unit = unit.where(~province_only, PROVINCE_CODE)
    level = level.where(~province_only, "province")
    hint = _Per(declared["suggestions"], _hint)
    rows.reject(unit.isna().to_numpy(), "no_unit", value=_shown(declared["declared"]), hint=hint)
    out = pd.DataFrame({"level": level, "unit_code": unit, "indicator_id": ids.astype(object),
                        "year": year.astype("Int64")})
    for column in ("numerator", "denominator", "value"):
        out[column] = parts.get(column, pd.Series(np.nan, index=frame.index))
    # The reference of a parity rule is kept: as numerator and denominator (DTTS persons, all persons), or
    # from a share ("Tỷ lệ DTTS trong dân số"), weighted by the unit's own denominator (told in the notes).
    nan = pd.Series(np.nan, index=frame.index)
    ref_num, ref_den = parts.get("ref_numerator", nan), parts.get("ref_denominator", nan)
    if "reference" in parts:
        from_share = ref_num.isna() & ref_den.isna() & parts["reference"].notna()
        weight = out["denominator"].where(out["denominator"] > 0, 100.0)
        ref_num = ref_num.where(~from_share, parts["reference"] * weight / 100.0)
        ref_den = ref_den.where(~from_share, weight)
        if from_share.any():
            ctx.note("imp_reference_share", n=fmt_count(int(from_share.sum()), ctx.lang))
    out["ref_numerator"] = ref_num
    out["ref_denominator"] = ref_den
    out["source"] = "import"
    _duplicates(out["unit_code"].astype(str) + "|" + out["indicator_id"].astype(str) + "|"
                + out["year"].astype(str), rows, t("what_unit_year", ctx.lang))
    _contract(out, parts, rows, ctx)
    return out


# --------------------------------------------------------------------------- entry points
def _check_arguments(path: Path, kind: str, crs: str | None, hazard_type: str | None, lang: str) -> None:
    if kind not in KINDS:
        raise ValueError(t("imp_err_kind", lang, value=", ".join(KINDS), kind=repr(kind)))
    if crs is not None:
        if not str(crs).upper().startswith("EPSG:"):
            raise ValueError(t("imp_err_crs", lang, value=repr(crs)))
        try:
            pyproj.CRS(crs)
        except pyproj.exceptions.CRSError:
            raise ValueError(t("imp_err_crs_unknown", lang, value=crs)) from None
    if hazard_type is not None and hazard_type not in HAZARD_TYPES:
        raise ValueError(t("imp_err_hazard_arg", lang, value=repr(hazard_type)))
    if not path.exists():
        raise ValueError(t("imp_err_not_found", lang, value=path))


#: The fields a column may be recognised as by its content, for each kind of file.
_PLACE_FIELDS = {"ma_xa", "commune_name", "district_name"}
_CONTENT_FIELDS = {"households": _PLACE_FIELDS | {"ethnicity"}, "sites": _PLACE_FIELDS,
                   "hazards": _PLACE_FIELDS | {"hazard_type", "level", "level_text"}, "communes": _PLACE_FIELDS,
                   "indicators": _PLACE_FIELDS}


def _row_numbers(values: pd.Series) -> bool:
    """Whether a column counts its rows (1, 2, 3, ...), as the "STT" of every office table does."""
    numbers = pd.to_numeric(values.dropna(), errors="coerce")
    return len(numbers) > 1 and bool((numbers.to_numpy() == np.arange(1, len(numbers) + 1)).all())


def _understand_columns(frame: pd.DataFrame, encoding: str, columns: Mapping[str, str] | None,
                        kind: str, ctx: _Context) -> tuple[pd.DataFrame, dict[str, str]]:
    """Repair legacy text and headers, then name the columns: by alias, by the user, by content."""
    frame, fixed = fix_frame(frame, encoding)
    for column, used in fixed.items():
        if used != "utf-8":
            ctx.note("imp_encoding", column=column, value=used.upper())
    headers, used = fix_column(pd.Series([str(c) for c in frame.columns]), encoding)
    if used != "utf-8":
        ctx.note("imp_header_encoding", value=used.upper())
        frame.columns = headers.tolist()
    personal: dict[str, str] = {}
    if kind == "households":  # identity numbers: a personal field the column names do not know
        given = {h: n for h, n in (columns or {}).items() if n == "id_number"}
        columns = {h: n for h, n in (columns or {}).items() if n != "id_number"}
        personal = {**_identity_headers(c for c in frame.columns if str(c) not in columns), **given}
    if kind == "indicators":  # reference columns of a parity rule (target 25), known to this import only
        personal = {**personal, **_reference_headers(c for c in frame.columns if str(c) not in (columns or {}))}
    mapping = map_columns([str(c) for c in frame.columns if c not in ("_line", "geometry") and str(c) not in personal],
                          columns)
    mapping = {**mapping, **personal}
    renamed = {k: v for k, v in mapping.items() if k != v}
    if renamed:
        ctx.note("imp_columns", pairs=", ".join(f"{k} -> {v}" for k, v in renamed.items()))
    # Form metadata (Kobo/ODK "_gps_precision", "_index", ...) and row numbers (STT 1, 2, 3 ...) are never
    # guessed from their content, and only the fields this kind of file can hold are looked for.
    rest = frame[[c for c in frame.columns if c not in mapping and c != "geometry" and not str(c).startswith("_")
                  and not _row_numbers(frame[c])]]
    content = by_content(rest, set(mapping.values())) if len(rest.columns) else {}
    content = {header: name for header, name in content.items() if name in _CONTENT_FIELDS[kind]}
    if content:
        ctx.note("imp_columns_content", pairs=", ".join(f"{k} -> {v}" for k, v in content.items()))
    mapping = {**mapping, **content}
    return frame.rename(columns=mapping).reset_index(drop=True), mapping


def _identity_headers(headers: object) -> dict[str, str]:
    """{header: "id_number"} for a column holding identity numbers (CCCD/CMND/số định danh)."""
    return {str(h): "id_number" for h in headers if canonical(str(h)) == "id_number"}


def _personal_fields(good: pd.DataFrame, ctx: _Context) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The households without their personal fields, and those fields apart (None when the file has none)."""
    personal = [c for c in PERSONAL_FIELDS if c in good]
    if not personal:
        return good, None
    people = pd.DataFrame(good[["household_id", *personal]]).reset_index(drop=True)
    for column in PERSONAL_FIELDS:
        if column not in people:
            people[column] = None
    ctx.note("imp_personal", n=fmt_count(int(people[list(PERSONAL_FIELDS)].notna().any(axis=1).sum()), ctx.lang),
             table=PEOPLE)
    return good.drop(columns=personal), people[PEOPLE_COLUMNS]


def prepare(
    path: str | Path,
    kind: str,
    layer: str | None = None,
    crs: str | None = None,
    encoding: str = "auto",
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    hazard_type: str | None = None,
    boundaries: gpd.GeoDataFrame | None = None,
    lang: str = "vi",
) -> ImportReport:
    """Read and check a file; nothing is written.

    Parameters
    ----------
    path : file to import (zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ,
        FlatGeobuf, GeoParquet, MapInfo, CSV or XLSX).
    kind : one of :data:`KINDS`.
    layer : layer of a GeoPackage holding several.
    crs : "EPSG:XXXX" for files without a coordinate system (or to override it).
    encoding : "auto" (detected per column), "utf-8", "tcvn3" or "vni".
    columns : {column in the file: canonical name} for columns not recognised.
    values : {word in the file: meaning} for values not understood, e.g.
        ``{"Trượt lở đất đá": "landslide"}`` (the workspace remembers them:
        :meth:`geo.workspace.Workspace.value_mappings`).
    hazard_type : the hazard of a single-hazard map with no type column.
    boundaries : the workspace's 2020 commune polygons: households and sites
        are placed in the commune their point lies in.
    lang : "vi" or "en", for the report.

    Raises
    ------
    ValueError
        When the file as a whole cannot be imported (unsafe, unreadable, no
        location at all), with a one-line reason in ``lang``.
    """
    path = Path(path)
    _check_arguments(path, kind, crs, hazard_type, lang)
    ctx = _Context(lang, parse_value_mappings(values, lang), crs, boundaries)
    with tempfile.TemporaryDirectory() as folder:
        frame = read_file(path, layer, Path(folder), ctx.notes, lang)
        frame, mapping = _understand_columns(frame, encoding, columns, kind, ctx)
        matches = pd.DataFrame()
        target = LAYER_OF.get(kind, "")
        if kind == "indicators":
            frame, matches_or_none = _indicator_table(frame, path, ctx)
            matches = matches_or_none if matches_or_none is not None else matches
            rows = _Rows(frame, lang)
            result = _indicators(frame, rows, ctx)
        else:
            rows = _Rows(frame, lang)
            if kind == "households":
                result = _households(frame, rows, ctx)
            elif kind == "hazards":
                result = _hazards(frame, rows, ctx, hazard_type)
            elif kind == "sites":
                result = _sites(frame, rows, ctx)
            else:
                result, target, matches = _communes(frame, rows, ctx)
        good, rejected, warnings = rows.split(result)
        kept = len(good)
        people = None
        if kind == "households":
            good, people = _personal_fields(good, ctx)
        if kind == "communes":
            good = _assemble_communes(good, target)
    if ctx.used:
        ctx.note("imp_values_used", pairs=", ".join(f"{k!r} = {v}" for k, v in ctx.used.items()))
    unknown = pd.DataFrame(ctx.unknown, columns=["column", "value", "count", "suggestion"])
    return ImportReport(path, kind, _sha256(path), len(frame), good.reset_index(drop=True), rejected,
                        warnings, ctx.notes, target, unknown, matches, mapping, dict(ctx.used), lang, kept,
                        people)


def known_to(location: str | Path | PgLocation | None) -> dict:
    """What a workspace already knows for an import: ``boundaries`` and remembered ``values``.

    Pass the result on to :func:`prepare` (``prepare(path, kind, **known_to(ws))``);
    a workspace that does not exist yet knows nothing.
    """
    if location is None or not exists(location):
        return {"boundaries": None, "values": {}}
    workspace = Workspace.open(location)
    layers = workspace.layers()
    boundaries = workspace.read_layer("communes_2020") if "communes_2020" in layers else None
    return {"boundaries": boundaries, "values": workspace.value_mappings()}


def commit(report: ImportReport, workspace: Workspace | str | Path | PgLocation, imported_by: str = "") -> int:
    """Write the good rows of ``report`` into ``workspace`` (one transaction); returns the layer's version.

    Households go in with their personal fields (``report.people``) in the
    separate ``household_people`` table, in the same transaction; the previous
    layer (even one copied from the demo, never imported) and its personal
    fields are kept as earlier versions.

    ``workspace`` may be a location: the workspace is created there if it does
    not exist, and removed again if the write fails, so a refused import
    leaves nothing behind. The value mappings the report used are remembered
    in the workspace.
    """
    if report.good.empty:
        raise ValueError(t("imp_err_no_rows", report.lang, value=report.source.name))
    created = None
    if not isinstance(workspace, Workspace):
        if exists(workspace):
            workspace = Workspace.open(workspace)
        else:
            workspace = created = Workspace.create(workspace)
    frame = report.good
    if "resettlement_date" in frame:
        frame = frame.assign(resettlement_date=pd.to_datetime(frame["resettlement_date"]))
    companions = {}
    if report.layer == "households":
        # Personal fields go to household_people (a report's or any left in the rows), never into the layer:
        # households and their personal fields are written, and versioned, in one transaction.
        people = report.people
        left = [c for c in PERSONAL_FIELDS if c in frame]
        if people is None and left:
            people = frame[["household_id", *left]]
        frame = frame.drop(columns=left)
        companions = {PEOPLE: people if people is not None else pd.DataFrame(columns=PEOPLE_COLUMNS)}
    try:
        version = workspace.write_layer(report.layer, frame, report.kind, report.source, report.sha256,
                                        report.rows_in, len(report.rejected), imported_by, companions)
    except BaseException:
        if created is not None and isinstance(created.path, Path):
            created.path.unlink(missing_ok=True)
            created.path.with_name(f".{created.path.name}.lock").unlink(missing_ok=True)
        raise
    if report.values:
        workspace.remember_values(report.values, imported_by)
    return version
