"""Hazard zones and the flagging of households that lie in them.

The hazard types of ``data/hazards.yaml`` (:data:`HAZARD_TYPES`: landslide,
flash flood, …) and five levels (1 = very low … 5 = very high). A household
gets, for every type, the highest level among the zones of that type that
contain it (or lie within
``buffer_m`` metres of it). All geometry work happens in the metric CRS
EPSG:9210 whatever the inputs' CRS, with one spatial-index query for all
households: no Python loop over households.

Types and levels are read through the vocabulary (the types' terms in
``data/hazards.yaml``, the level tables below), with the wording of the
national landslide zoning maps and of Decision 18/2021/QĐ-TTg
(:func:`code_hazard_types`, :func:`code_levels`; :func:`suggest` guesses the
meaning of a value they do not know).

Examples
--------
>>> import geopandas as gpd
>>> from shapely import box, points
>>> zones = gpd.GeoDataFrame({"hazard_type": ["landslide", "lũ quét"], "level": ["cao", 5]},
...                          geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100)], crs="EPSG:9210")
>>> homes = gpd.GeoDataFrame(geometry=points([[10, 10], [60, 10], [500, 500]]), crs="EPSG:9210")
>>> flags = flag_households(homes, zones)
>>> flags[["level_landslide", "level_flash_flood", "max_level"]].to_numpy().tolist()
[[4, 0, 4], [4, 5, 5], [0, 0, 0]]

Zones used more than once are prepared once (validated, repaired, coded, in
EPSG:9210) as :class:`HazardZones`, which every function here accepts and trusts:

>>> prepared = HazardZones.prepare(zones)
>>> flag_households(homes, prepared)["max_level"].tolist()
[4, 5, 0]
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

from geo._spatial import highest_covering_value, in_threads
from geo.crs import METRIC_CRS, to_metric
from geo.hazardtypes import HAZARD_VOCAB
from geo.text import loose_key

if TYPE_CHECKING:
    from geo.dataset import Dataset

__all__ = [
    "with_flags",
    "zone_unions",
    "grown_zones",
    "TYPE_TERMS",
    "TYPE_FORMS",
    "LEVEL_NUMERALS",
    "LEVEL_NUMBER_FORMS",
    "LEVEL_WORDS_VI",
    "LEVEL_WORD_FORMS_VI",
    "LEVEL_WORDS_EN",
    "LEVEL_WORD_FORMS_EN",
    "LEVEL_PHRASES",
    "TYPE_WORD_RULES",
    "HAZARD_TYPES",
    "LEVELS",
    "LEVEL_COLUMNS",
    "code_hazard_types",
    "code_levels",
    "suggest",
    "parse_hazard_types",
    "parse_levels",
    "prepare_zones",
    "HazardZones",
    "levels_at",
    "flag_households",
    "flag_register",
    "changed_between",
]

# --------------------------------------------------------------------------- vocabulary
# The hazard types (codes, names, terms with their sources, hints, print hatch) live in
# data/hazards.yaml, read by geo.hazardtypes: adding a term or a hazard type touches only
# that file. The level tables below cite the same sources ([D18], [VIGMR]: see that file).
# Terms are matched by a key that ignores case, accents, "đ" and separators
# (space, _ - / . , : ; parentheses): "Trượt lở đất-đá" and "TRUOT_LO_DAT_DA" are one term.

#: hazard type code -> terms, from data/hazards.yaml. The order of the codes is the order of
#: :data:`HAZARD_TYPES`.
TYPE_TERMS: dict[str, tuple[str, ...]] = {h.code: h.terms for h in HAZARD_VOCAB}
#: Ways a type term is written; "{}" is the term ([VIGMR]: "nguy cơ trượt lở đất đá").
TYPE_FORMS = ("{}", "nguy cơ {}", "vùng nguy cơ {}", "vùng {}")

#: level -> numerals, arabic and roman.
LEVEL_NUMERALS: dict[int, tuple[str, ...]] = {
    1: ("1", "I"), 2: ("2", "II"), 3: ("3", "III"), 4: ("4", "IV"), 5: ("5", "V"),
}
#: Ways a numeral is written ([D18]: "cấp độ rủi ro thiên tai", "rủi ro thiên tai cấp độ 1", "cấp 1").
LEVEL_NUMBER_FORMS = (
    "{}", "cấp {}", "cấp độ {}", "cấp độ rủi ro {}", "cấp độ rủi ro thiên tai {}", "rủi ro cấp {}",
    "rủi ro cấp độ {}", "rủi ro thiên tai cấp {}", "rủi ro thiên tai cấp độ {}", "mức {}", "mức độ {}",
    "cấp nguy cơ {}", "level {}", "risk level {}", "hazard level {}",
)
#: level -> Vietnamese words of the landslide zoning maps [VIGMR].
LEVEL_WORDS_VI: dict[int, tuple[str, ...]] = {
    1: ("rất thấp",), 2: ("thấp",), 3: ("trung bình",), 4: ("cao",), 5: ("rất cao",),
}
#: Ways a Vietnamese level word is written ([VIGMR]: "nguy cơ cao", "mức độ nguy cơ cao").
LEVEL_WORD_FORMS_VI = ("{}", "nguy cơ {}", "mức {}", "mức độ {}", "mức nguy cơ {}", "mức độ nguy cơ {}",
                       "cấp {}")
#: level -> English words (the names of :data:`LEVELS` and common synonyms).
LEVEL_WORDS_EN: dict[int, tuple[str, ...]] = {
    1: ("very low",), 2: ("low",), 3: ("medium", "moderate"), 4: ("high",), 5: ("very high",),
}
LEVEL_WORD_FORMS_EN = ("{}", "{} risk", "{} hazard", "{} susceptibility")
#: level -> whole phrases of [D18] Điều 4 khoản 3. Note the scale differs from [VIGMR]:
#: "rủi ro thấp" is cấp 1 and "rủi ro trung bình" cấp 2, while "nguy cơ thấp" is 2.
LEVEL_PHRASES: dict[int, tuple[str, ...]] = {
    1: ("rủi ro thấp",), 2: ("rủi ro trung bình",), 3: ("rủi ro lớn",), 4: ("rủi ro rất lớn",),
    5: ("rủi ro thảm họa", "rủi ro ở mức thảm họa", "thảm họa"),
}

HAZARD_TYPES: tuple[str, ...] = tuple(TYPE_TERMS)
LEVELS = {1: "very_low", 2: "low", 3: "medium", 4: "high", 5: "very_high"}
LEVEL_COLUMNS = [f"level_{t}" for t in HAZARD_TYPES]

_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")
_SEPARATORS = re.compile(r"[\s_\-/.,:;()\[\]'’]+")


def _term_key(value: object) -> str:
    """Matching key of a value: loose text, or a number written without ".0".

    >>> _term_key("Trượt lở đất-đá"), _term_key(" Cấp độ III "), _term_key("3,0"), _term_key(-1.0)
    ('truot lo dat da', 'cap do iii', '3', '-1')
    """
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        number = float(value)
    else:
        text = loose_key(str(value))
        if not _NUMBER.fullmatch(text):
            return _SEPARATORS.sub(" ", text).strip()
        number = float(text.replace(",", "."))
    return str(int(number)) if number.is_integer() else str(number)


def _index(*tables: tuple[Mapping[object, Iterable[str]], Iterable[str]]) -> dict[str, object]:
    """Key of every term in every form -> its code; refuse a key given two codes."""
    index: dict[str, object] = {}
    for terms, forms in tables:
        for code, words in terms.items():
            for word in words:
                for form in forms:
                    key = _term_key(form.format(word))
                    if index.setdefault(key, code) != code:
                        raise ValueError(f"{form.format(word)!r} means both {index[key]!r} and {code!r}")
    return index


_TYPE_INDEX = _index((TYPE_TERMS, TYPE_FORMS))
_LEVEL_INDEX = _index(
    (LEVEL_NUMERALS, LEVEL_NUMBER_FORMS),
    (LEVEL_WORDS_VI, LEVEL_WORD_FORMS_VI),
    (LEVEL_WORDS_EN, LEVEL_WORD_FORMS_EN),
    (LEVEL_PHRASES, ("{}",)),
)

#: Loose words that point to one hazard type inside an unknown value ("Vùng có nguy cơ lở đá"),
#: the ``hints`` of data/hazards.yaml; longest first, as :func:`suggest` tries them.
#: "lũ" alone (river flood) and "lụt" point to none of the types.
TYPE_WORD_RULES: dict[str, str] = {}
for _hazard in HAZARD_VOCAB:
    for _hint in _hazard.hints:
        if _term_key(_hint) != _hint:
            raise ValueError(f"data/hazards.yaml: type {_hazard.code!r}: hint {_hint!r} must be written as "
                             f"{_term_key(_hint)!r} (lower case, no accents)")
        if TYPE_WORD_RULES.setdefault(_hint, _hazard.code) != _hazard.code:
            raise ValueError(f"data/hazards.yaml: hint {_hint!r} points to both {TYPE_WORD_RULES[_hint]!r} "
                             f"and {_hazard.code!r}")
TYPE_WORD_RULES = dict(sorted(TYPE_WORD_RULES.items(), key=lambda item: -len(item[0])))
del _hazard, _hint
_FUZZY_CUTOFF = 85  # rapidfuzz ratio: "sat loo" (92) matches "sat lo", "lu lut" (77) not "lu quet"


def _initials(index: Mapping[str, object]) -> dict[str, set]:
    """Initials of every term of two words or more -> codes ("tldd" -> landslide)."""
    found: dict[str, set] = {}
    for key, code in index.items():
        words = key.split()
        if len(words) > 1:
            found.setdefault("".join(w[0] for w in words), set()).add(code)
    return found


_TYPE_INITIALS = _initials(_TYPE_INDEX)
# Level words and numerals, longest first, looked for as whole words in an unknown value.
_LEVEL_WORDS = dict(sorted(
    ((_term_key(word), code) for table in (LEVEL_NUMERALS, LEVEL_WORDS_VI, LEVEL_WORDS_EN)
     for code, words in table.items() for word in words),
    key=lambda item: -len(item[0]),
))


def _code(values: pd.Series, index: Mapping[str, object], extra: Mapping | None) -> np.ndarray:
    """Code of every value (None where unknown); each distinct value is keyed once."""
    lookup = {**index, **{_term_key(k): v for k, v in (extra or {}).items()}}
    codes, uniques = pd.factorize(values.astype(object))
    found = np.array([lookup.get(_term_key(v)) for v in uniques] + [None], dtype=object)
    return found[codes]  # code -1 (missing) takes the trailing None


def code_hazard_types(values: pd.Series, extra: Mapping[str, str] | None = None) -> pd.Series:
    """Hazard type codes of ``values``; ``None`` where a value is unknown or missing.

    ``extra`` is the user's own ``{term: code}`` (keys as typed, matched like the
    vocabulary) and is consulted first. Never raises for a value; raises
    ``ValueError`` if ``extra`` maps to something that is not a hazard type.

    >>> code_hazard_types(pd.Series(["Trượt lở đất đá", "LŨ QUÉT", "Ngập lụt", None])).tolist()
    ['landslide', 'flash_flood', None, None]
    >>> code_hazard_types(pd.Series(["Ngập lụt"]), extra={"ngap lut": "flash_flood"}).tolist()
    ['flash_flood']
    """
    bad = {k: v for k, v in (extra or {}).items() if v not in HAZARD_TYPES}
    if bad:
        raise ValueError(f"extra: {bad} are not hazard types ({', '.join(HAZARD_TYPES)})")
    return pd.Series(_code(values, _TYPE_INDEX, extra), index=values.index, dtype=object)


def code_levels(values: pd.Series, extra: Mapping[str, int] | None = None) -> pd.Series:
    """Hazard levels 1-5 of ``values`` as ``Int8``; ``<NA>`` where unknown or missing.

    Numbers (3, "3", "3.0", "3,0"), roman numerals, "cấp 3", "cấp độ rủi ro 3",
    the words of the zoning maps ("nguy cơ cao") and English ("high") are
    known; "0", "-1", "6", "4.5" and "" are not levels. ``extra`` as in
    :func:`code_hazard_types`.

    >>> code_levels(pd.Series(["Cấp độ III", "nguy cơ rất cao", "3.0", "-1", "", "Rủi ro lớn"])).tolist()
    [3, 5, 3, <NA>, <NA>, 3]
    """
    bad = {k: v for k, v in (extra or {}).items()
           if isinstance(v, bool) or not (isinstance(v, numbers.Integral) and v in LEVELS)}
    if bad:
        raise ValueError(f"extra: {bad} are not levels (1-5)")
    return pd.Series(_code(values, _LEVEL_INDEX, extra), index=values.index).astype("Int8")


def _suggest_type(key: str) -> str | None:
    words = key.split()
    padded, by_word = f" {key} ", set()
    for hint, code in TYPE_WORD_RULES.items():  # longest first: "sat lo bo song" hides "sat" and "lo"
        if f" {hint} " in padded:
            by_word.add(code)
            padded = padded.replace(f" {hint} ", "  ")
    by_initials = _TYPE_INITIALS.get(key, set()) if len(words) == 1 else set()
    codes = by_word | by_initials
    if codes:  # "Lũ quét - sạt lở" names two types and "LO" reads "lở" or "lũ ống": no guess
        return codes.pop() if len(codes) == 1 else None
    best = process.extractOne(key, list(_TYPE_INDEX), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return _TYPE_INDEX[best[0]] if best else None


def _suggest_level(key: str) -> int | None:
    if _NUMBER.fullmatch(key):  # a number that is not 1-5 ("0", "-1", "4.5") is no level
        return None
    padded, codes = f" {key} ", set()
    for word, code in _LEVEL_WORDS.items():  # longest first: "rất cao" is not also "cao"
        if f" {word} " in padded:
            codes.add(code)
            padded = padded.replace(f" {word} ", "  ")
    if codes:
        return codes.pop() if len(codes) == 1 else None
    best = process.extractOne(key, list(_LEVEL_INDEX), scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    return _LEVEL_INDEX[best[0]] if best else None


_SUGGESTERS = {"hazard_type": (_TYPE_INDEX, _suggest_type), "level": (_LEVEL_INDEX, _suggest_level)}


def suggest(value: str, what: str) -> str | int | None:
    """Best guess for a value the vocabulary does not know, or ``None``.

    ``what`` is ``"hazard_type"`` or ``"level"``. Known values give their
    code. Otherwise words in the value decide ("...lở..." is a landslide,
    "...quét..." a flash flood, "... rất cao ..." level 5), then initials
    ("SL" = sạt lở), then the closest term (rapidfuzz). A value naming two
    types or two levels gives ``None``: the user must choose.

    >>> suggest("Khu vực có nguy cơ lở đá", "hazard_type"), suggest("LQ", "hazard_type")
    ('landslide', 'flash_flood')
    >>> suggest("Lũ quét - sạt lở", "hazard_type") is None, suggest("Ngập lụt", "hazard_type") is None
    (True, True)
    >>> suggest("Vùng nguy cơ rất cao", "level"), suggest("trung bnh", "level")
    (5, 3)
    """
    if what not in _SUGGESTERS:
        raise ValueError(f"what must be one of {', '.join(_SUGGESTERS)}, got {what!r}")
    index, guess = _SUGGESTERS[what]
    key = _term_key(value)
    return index[key] if key in index else guess(key)


def _raise_unknown(values: pd.Series, coded: pd.Series, what: str, allowed: str) -> None:
    """Raise for the first value without a code, numbering features from 1."""
    bad = coded.isna().to_numpy()
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        value = values.iloc[first]
        shown = value.item() if hasattr(value, "item") else value
        raise ValueError(
            f"feature {first + 1}, column '{what}': {shown!r} is not a {what} ({int(bad.sum())} such); "
            f"use one of {allowed}"
        )


#: What an unknown type is told to use: the codes and the Vietnamese names.
_TYPES_ALLOWED = ", ".join([*HAZARD_TYPES, *(h.name_vi.lower() for h in HAZARD_VOCAB)])


def parse_hazard_types(values: pd.Series) -> pd.Series:
    """Hazard types as codes (see :func:`code_hazard_types`); raise on an unknown value.

    >>> parse_hazard_types(pd.Series(["Sạt lở", "lũ ống", "flash_flood"])).tolist()
    ['landslide', 'tube_flood', 'flash_flood']
    """
    coded = code_hazard_types(values)
    _raise_unknown(values, coded, "hazard_type", _TYPES_ALLOWED)
    return coded


def parse_levels(values: pd.Series) -> pd.Series:
    """Hazard levels as integers 1-5 (see :func:`code_levels`); raise on an unknown value.

    >>> parse_levels(pd.Series([3, "very_high", "Rất thấp", "cao"])).tolist()
    [3, 5, 1, 4]
    """
    coded = code_levels(values)
    allowed = "1-5, cấp 1 .. cấp 5, I .. V, very_low .. very_high, rất thấp .. rất cao"
    _raise_unknown(values, coded, "level", allowed)
    return coded.astype("int8")


def prepare_zones(zones: gpd.GeoDataFrame, name: str = "hazard zones") -> gpd.GeoDataFrame:
    """Validate hazard zones and return them in EPSG:9210 with coded columns.

    ``hazard_type`` and ``level`` are parsed (see :func:`parse_hazard_types`,
    :func:`parse_levels`); invalid polygons are repaired with ``make_valid``
    and empty or non-polygonal features raise. This is the frame of
    :meth:`HazardZones.prepare`; flag with that, which keeps the work.

    >>> from shapely import Polygon
    >>> bow_tie = Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    >>> frame = prepare_zones(gpd.GeoDataFrame({"hazard_type": ["Lũ ống"], "level": ["cao"]}, geometry=[bow_tie],
    ...                                        crs="EPSG:9210"))
    >>> frame["hazard_type"].tolist(), frame["level"].tolist(), frame.geometry.iloc[0].geom_type, frame.crs.to_epsg()
    (['tube_flood'], [4], 'MultiPolygon', 9210)
    """
    for column in ("hazard_type", "level"):
        if column not in zones:
            raise ValueError(f"{name} have no '{column}' column (columns: {', '.join(map(str, zones.columns))})")
    frame = to_metric(zones, name).copy()
    frame["hazard_type"] = parse_hazard_types(frame["hazard_type"])
    frame["level"] = parse_levels(frame["level"])
    geoms = frame.geometry.values
    invalid = ~in_threads(shapely.is_valid, geoms)
    if invalid.any():
        # "structure" with keep_collapsed=False gives polygonal output only: no dangling lines
        # (spikes) or points that a buffer would turn into hazard area.
        geoms[invalid] = shapely.make_valid(geoms[invalid], method="structure", keep_collapsed=False)
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, [3, 6])
    collections = np.flatnonzero(kinds == 7)
    if len(collections):  # a GeometryCollection is polygonal when all its parts are
        parts, owner = shapely.get_parts(geoms[collections], return_index=True)
        polygonal[collections] = True
        polygonal[collections[owner[~np.isin(shapely.get_type_id(parts), [3, 6])]]] = False
    if (~polygonal | shapely.is_empty(geoms)).any():
        first = frame.index[~polygonal | shapely.is_empty(geoms)][0]
        raise ValueError(f"{name}: feature {first} is not a polygon (or is empty)")
    frame = frame.set_geometry(geoms)
    return frame


@dataclass(frozen=True, eq=False, repr=False)
class HazardZones:
    """Hazard zones validated once and ready for flagging.

    Build it with :meth:`prepare` (or :meth:`of`). The flagging functions
    (:func:`levels_at`, :func:`flag_households`, :func:`flag_register`,
    :func:`changed_between`, :func:`geo.resettlement.check_sites`) take it
    as it is, with no validation; given a plain GeoDataFrame they prepare it
    first, on every call.

    Attributes
    ----------
    frame : GeoDataFrame
        The zones as :func:`prepare_zones` returns them (EPSG:9210, repaired
        polygons, ``hazard_type`` codes, ``level`` as int8), index and other
        columns kept: for display and tables. Not to be modified.
    geometries : ndarray of shapely geometries
        The polygons of ``frame``, read-only.
    type_code : ndarray of int8
        Hazard type of each zone as its position in :data:`HAZARD_TYPES`, read-only.
    level : ndarray of int8
        Level 1-5 of each zone, read-only.

    Examples
    --------
    >>> from shapely import box
    >>> zones = HazardZones.prepare(gpd.GeoDataFrame(
    ...     {"hazard_type": ["lũ ống", "sạt lở"], "level": ["cao", 2]},
    ...     geometry=[box(106, 22, 106.01, 22.01), box(106, 22, 106.02, 22.02)], crs="EPSG:4326"))
    >>> zones, zones.type_code.tolist(), zones.level.tolist(), zones.frame.crs.to_epsg()
    (HazardZones(2 zones), [2, 0], [4, 2], 9210)
    >>> HazardZones.of(zones) is zones
    True
    """

    frame: gpd.GeoDataFrame
    geometries: np.ndarray
    type_code: np.ndarray
    level: np.ndarray

    @classmethod
    def prepare(cls, zones: gpd.GeoDataFrame, name: str = "hazard zones") -> HazardZones:
        """Validate, repair, code and reproject ``zones`` (see :func:`prepare_zones`); raise ``ValueError``
        naming ``name`` and the feature on a problem."""
        frame = prepare_zones(zones, name)
        geometries = np.array(frame.geometry.values, dtype=object)  # a copy of the array, not of the polygons
        type_code = pd.Index(HAZARD_TYPES).get_indexer(frame["hazard_type"]).astype(np.int8)
        level = frame["level"].to_numpy(dtype=np.int8, copy=True)
        for array in (geometries, type_code, level):
            array.flags.writeable = False
        return cls(frame, geometries, type_code, level)

    @classmethod
    def of(cls, zones: HazardZones | gpd.GeoDataFrame) -> HazardZones:
        """``zones`` if already prepared, else ``HazardZones.prepare(zones)``."""
        return zones if isinstance(zones, cls) else cls.prepare(zones)

    def __len__(self) -> int:
        return len(self.level)

    def __repr__(self) -> str:
        return f"HazardZones({len(self)} zones)"

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Spatial index of :attr:`geometries`, built on first use."""
        return shapely.STRtree(self.geometries)

    def at_least(self, min_level: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Geometries, type codes and levels of the zones of ``min_level`` or above.

        >>> from shapely import box
        >>> zones = HazardZones.prepare(gpd.GeoDataFrame({"hazard_type": ["lũ quét"] * 2, "level": [2, 5]},
        ...                                              geometry=[box(0, 0, 1, 1)] * 2, crs="EPSG:9210"))
        >>> [a.tolist() for a in zones.at_least(3)[1:]]
        [[1], [5]]
        """
        if min_level <= 1:
            return self.geometries, self.type_code, self.level
        keep = self.level >= min_level
        return self.geometries[keep], self.type_code[keep], self.level[keep]


def levels_at(x: np.ndarray, y: np.ndarray, zones: HazardZones | gpd.GeoDataFrame, min_level: int = 1) -> np.ndarray:
    """Highest hazard level of each type at points given by their EPSG:9210 coordinates.

    The core of :func:`flag_households`, for callers that hold coordinates
    rather than point geometries (millions of households need no shapely
    objects). A point on a zone's boundary is inside it.

    Parameters
    ----------
    x, y : ndarray of float
        Eastings and northings in EPSG:9210; NaN for a household without a location.
    zones : HazardZones or GeoDataFrame
        Prepared zones, used as they are; or polygons with ``hazard_type``
        and ``level`` columns in any CRS, prepared first.
    min_level : int, default 1
        Zones below this level are ignored.

    Returns
    -------
    ndarray of int8, shape (n, len(HAZARD_TYPES))
        Levels in the order of :data:`HAZARD_TYPES`; 0 = in no zone of that type.

    Examples
    --------
    >>> from shapely import box
    >>> zones = gpd.GeoDataFrame({"hazard_type": ["sạt lở", "lũ ống"], "level": [2, "rất cao"]},
    ...                          geometry=[box(0, 0, 10, 10), box(5, 5, 20, 20)], crs="EPSG:9210")
    >>> levels = levels_at(np.array([1.0, 10.0, 30.0]), np.array([1.0, 10.0, 30.0]), zones)
    >>> levels.shape == (3, len(HAZARD_TYPES))
    True
    >>> levels[:, [HAZARD_TYPES.index("landslide"), HAZARD_TYPES.index("tube_flood")]].tolist()
    [[2, 0], [2, 5], [0, 0]]
    """
    if min_level not in LEVELS:
        raise ValueError(f"min_level must be 1-5, got {min_level}")
    return highest_covering_value(x, y, *HazardZones.of(zones).at_least(min_level), len(HAZARD_TYPES))


def flag_households(
    households: gpd.GeoDataFrame,
    zones: HazardZones | gpd.GeoDataFrame,
    buffer_m: float = 0.0,
    min_level: int = 1,
) -> pd.DataFrame:
    """Highest hazard level of each type for every household.

    Parameters
    ----------
    households : GeoDataFrame
        Point features, any CRS.
    zones : HazardZones or GeoDataFrame
        Prepared zones, used as they are; or polygons with ``hazard_type``
        and ``level`` columns in any CRS, prepared first.
    buffer_m : float, default 0
        A household also counts as inside a zone that lies within this many
        metres of it (measured in EPSG:9210).
    min_level : int, default 1
        Zones below this level are ignored.

    Returns
    -------
    DataFrame
        Aligned on ``households.index``: :data:`LEVEL_COLUMNS`
        (``level_landslide``, ``level_flash_flood``, …; 0 = in no zone of that
        type), ``max_level`` and ``hazard_types`` (``;``-joined codes of the
        types present).
    """
    if buffer_m < 0:
        raise ValueError(f"buffer_m must be >= 0, got {buffer_m}")
    if min_level not in LEVELS:
        raise ValueError(f"min_level must be 1-5, got {min_level}")
    points = to_metric(households, "households").geometry.values
    if len(points) and not (shapely.get_type_id(points[~shapely.is_missing(points)]) == 0).all():
        raise ValueError("households must be points")
    zones = HazardZones.of(zones)
    if buffer_m > 0:
        home, zone = zones.tree.query(points, predicate="dwithin", distance=buffer_m)
        high = zones.level[zone] >= min_level
        home, zone = home[high], zone[high]
        levels = np.zeros((len(points), len(HAZARD_TYPES)), dtype="int8")
        np.maximum.at(levels, (home, zones.type_code[zone]), zones.level[zone])
    else:
        levels = levels_at(shapely.get_x(points), shapely.get_y(points), zones, min_level=min_level)

    result = pd.DataFrame(levels, columns=LEVEL_COLUMNS, index=households.index)
    result["max_level"] = levels.max(axis=1) if len(points) else np.zeros(0, "int8")
    # Each combination of types present is one of 2**len(HAZARD_TYPES) bit masks: look its label up.
    mask = (levels > 0) @ (1 << np.arange(len(HAZARD_TYPES)))
    labels = np.array(
        [";".join(t for i, t in enumerate(HAZARD_TYPES) if m >> i & 1) for m in range(1 << len(HAZARD_TYPES))],
        dtype=object,
    )
    result["hazard_types"] = labels[mask]
    return result


def with_flags(
    households: gpd.GeoDataFrame,
    zones: HazardZones | gpd.GeoDataFrame,
    buffer_m: float = 0.0,
    min_level: int = 1,
) -> gpd.GeoDataFrame:
    """A copy of ``households`` with the columns of :func:`flag_households` and ``in_hazard``, put or replaced.

    A register flagged once can be flagged again for another buffer this way,
    keeping every other column (located communes, ``lon``/``lat``) as it is.

    >>> from shapely import box, points
    >>> homes = gpd.GeoDataFrame({"household_id": ["A"]}, geometry=points([[15, 5]]), crs="EPSG:9210")
    >>> zone = gpd.GeoDataFrame({"hazard_type": ["landslide"], "level": [3]}, geometry=[box(0, 0, 10, 10)],
    ...                         crs="EPSG:9210")
    >>> [with_flags(homes, zone, buffer_m=b)[["max_level", "in_hazard"]].values.tolist() for b in (0, 5)]
    [[[0, False]], [[3, True]]]
    """
    flags = flag_households(households, zones, buffer_m=buffer_m, min_level=min_level)
    out = households.copy()
    for column in flags:
        out[column] = flags[column].to_numpy()
    out["in_hazard"] = out["max_level"] >= min_level
    return out


def flag_register(
    households: gpd.GeoDataFrame,
    zones: HazardZones | gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | None = None,
    buffer_m: float = 0.0,
    min_level: int = 1,
) -> gpd.GeoDataFrame:
    """The household register with hazard levels and, optionally, located communes.

    Combines :func:`flag_households` with :func:`geo.locate.assign_communes`:
    with ``communes``, the commune each point lies in is added as
    ``ma_xa_located`` with ``assignment`` and ``gap_m``; where the register has
    a ``ma_xa`` column and it differs, ``mismatch`` is set and both are kept.
    ``zones`` as in :func:`flag_households`.

    Returns
    -------
    GeoDataFrame
        ``households`` (same rows, order and CRS) plus the flag columns and
        ``in_hazard`` (in a zone of ``min_level`` or above). Without
        ``communes``, ``ma_xa_located`` is the commune the record names and
        ``assignment`` is ``declared``.
    """
    from geo.locate import assign_communes

    out = with_flags(households, zones, buffer_m=buffer_m, min_level=min_level)
    if communes is not None and len(communes):
        declared = households["ma_xa"].astype(object).where(households["ma_xa"].notna()) if "ma_xa" in households else None
        located = assign_communes(households, communes, declared=declared)
        out["ma_xa_located"] = located["ma_xa"].to_numpy()
        out["assignment"] = located["assignment"].to_numpy()
        out["gap_m"] = located["gap_m"].round(1).to_numpy()
        if declared is not None:
            out["mismatch"] = located["mismatch"].to_numpy()
    else:  # no boundaries yet: the commune the record names, said so in ``assignment``
        out["ma_xa_located"] = households["ma_xa"].to_numpy() if "ma_xa" in households else None
        out["assignment"] = "declared"
    return out


def changed_between(households: gpd.GeoDataFrame, old_zones: HazardZones | gpd.GeoDataFrame,
                    new_zones: HazardZones | gpd.GeoDataFrame, buffer_m: float = 0.0) -> pd.DataFrame:
    """Households whose hazard levels differ between two versions of the zones.

    Each version is prepared zones or a plain GeoDataFrame (see :func:`flag_households`).
    Returns the rows of ``households`` (without geometry) that changed, with
    ``old_<column>`` and ``new_<column>`` for every level column and
    ``max_level``.

    Examples
    --------
    >>> from shapely import box, points
    >>> homes = gpd.GeoDataFrame({"household_id": ["A", "B"]}, geometry=points([[5, 5], [50, 50]]), crs="EPSG:9210")
    >>> v1 = gpd.GeoDataFrame({"hazard_type": ["landslide"], "level": [2]}, geometry=[box(0, 0, 10, 10)], crs="EPSG:9210")
    >>> v2 = v1.assign(level=[5])
    >>> changed_between(homes, v1, v2)[["household_id", "old_max_level", "new_max_level"]].values.tolist()
    [['A', 2, 5]]
    """
    columns = LEVEL_COLUMNS + ["max_level"]
    old = flag_households(households, old_zones, buffer_m=buffer_m)[columns]
    new = flag_households(households, new_zones, buffer_m=buffer_m)[columns]
    differs = (old.to_numpy() != new.to_numpy()).any(axis=1)
    base = pd.DataFrame(households.drop(columns=households.geometry.name)).loc[differs]
    return pd.concat([base, old.loc[differs].add_prefix("old_"), new.loc[differs].add_prefix("new_")], axis=1)


# --- Zones unioned and grown, once per dataset version (the web map and the print draw them) -----------------

def zone_unions(ds: Dataset) -> dict[tuple[str, int], shapely.Geometry]:
    """A dataset's hazard zones (repaired, EPSG:9210) unioned by (hazard type, level), for the pairs present,
    in that order. Computed once per dataset version.

    >>> from geo.dataset import load
    >>> unions = zone_unions(load())
    >>> list(unions)[:2], unions is zone_unions(load())
    ([('flash_flood', 1), ('flash_flood', 2)], True)
    """
    return _level_unions(ds.path, ds.revision)


@lru_cache(maxsize=4)
def _level_unions(path: Path, revision: str) -> dict[tuple[str, int], shapely.Geometry]:
    from geo.dataset import load

    zones = load(path).hazard_zones.frame
    keys = zones[["hazard_type", "level"]].drop_duplicates().sort_values(["hazard_type", "level"])
    return {(kind, int(level)): shapely.union_all(zones.geometry.values[
        ((zones["hazard_type"] == kind) & (zones["level"] == level)).to_numpy()])
        for kind, level in keys.itertuples(index=False)}


@lru_cache(maxsize=4)
def _at_or_above(path: Path, revision: str) -> dict[tuple[str, int], shapely.Geometry]:
    """Each hazard type's zones at each level or above, unioned (EPSG:9210): built from the highest level down.

    Keyed by (type, level) for every level 1-5 at or below the type's highest.
    """
    unions = _level_unions(path, revision)
    merged: dict[tuple[str, int], shapely.Geometry] = {}
    for kind in HAZARD_TYPES:
        above = None
        for level in range(5, 0, -1):
            if (kind, level) in unions:
                above = unions[kind, level] if above is None else shapely.union(above, unions[kind, level])
            if above is not None:
                merged[kind, level] = above
    return merged


@lru_cache(maxsize=16)
def _grown_zones(path: Path, revision: str, buffer_m: float, min_level: int) -> gpd.GeoDataFrame:
    merged = _at_or_above(path, revision)
    kinds = [kind for kind in HAZARD_TYPES if (kind, min_level) in merged]
    return gpd.GeoDataFrame({"hazard_type": kinds}, geometry=shapely.buffer([merged[k, min_level] for k in kinds],
                                                                            buffer_m), crs=METRIC_CRS)


def grown_zones(ds: Dataset, buffer_m: float, min_level: int = 1) -> gpd.GeoDataFrame:
    """For each hazard type, its zones at ``min_level`` or above unioned and grown by ``buffer_m`` metres.

    What the risk filter's buffer counts as affected, exactly (EPSG:9210): the
    web map draws it simplified (:func:`geo.maps.display_buffer`), the printed map as it
    is. Cached per dataset, revision, buffer and level.

    >>> from geo.dataset import load
    >>> grown = grown_zones(load(None), 100, 4)
    >>> grown["hazard_type"].tolist(), grown.crs.to_epsg()
    (['landslide', 'flash_flood', 'tube_flood'], 9210)
    """
    return _grown_zones(ds.path, ds.revision, float(buffer_m), int(min_level)).copy()
