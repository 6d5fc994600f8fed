"""Cao Bằng's official administrative units and the 2020 → 2025 crosswalk.

Three vintages of communes (xã), wards (phường) and townships (thị trấn):

* ``2019``: the 199 units in 13 districts before the 2020 reorganisation
  (:func:`before_2020`, from ``data/merger_2020.csv``, which links each to the
  2020 unit that took it over, with its source: Resolutions 864/NQ-UBTVQH14
  and 897/NQ-UBTVQH14);
* ``2020``: the 161 units in 10 districts in force from 2020 to 30 June 2025;
* ``2025``: the 56 units from 1 July 2025, with no district level.

:func:`resolve_communes` reads the names or codes a file gives, in any of the
three vintages, and says for each which 2020 unit it is and how it was found.

Codes are the General Statistics Office's 5-digit codes (``ma_xa``) as
strings. The lists and the conversion come from the ``vietnamadminunits``
package (GSO list, geocoded centres); no Cao Bằng commune was split in 2025, so
every 2020 unit maps to exactly one 2025 unit.

Examples
--------
>>> len(communes(2020)), len(communes(2025))
(161, 56)
>>> match_commune("Hoà An", vintage=2025).name_vi  # tone placed on "a" or on "o"
'Hòa An'
>>> resolve_communes(pd.Series(["Xã Tân Việt", "Nam Quang", "01297"]),
...                  pd.Series(["Bảo Lâm", None, None]))[["ma_xa", "vintage", "how"]].to_numpy().tolist()
[['01297', 2019, 'before_2020'], ['01297', 2020, 'name'], ['01297', 2020, 'code']]
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo.text import loose_key, name_key, nfc, strip_unit_type

__all__ = [
    "PROVINCE_CODE",
    "VINTAGES",
    "communes",
    "crosswalk",
    "to_2025",
    "normalise_codes",
    "MatchResult",
    "match_commune",
    "match_communes",
    "before_2020",
    "resolve_communes",
]

PROVINCE_CODE = "04"
_SHORT_CODE = re.compile(r"\d{1,5}")  # a GSO code that lost its leading zeros
VINTAGES = (2020, 2025)


def _query(sql: str) -> pd.DataFrame:
    from vietnamadminunits.database import query

    return pd.DataFrame(query(sql))


def _bounds(text: str) -> tuple[float, float, float, float]:
    # "lat1,lon1 – lat2,lon2" → (minx, miny, maxx, maxy)
    (lat1, lon1), (lat2, lon2) = (map(float, part.split(",")) for part in text.split("–"))
    return min(lon1, lon2), min(lat1, lat2), max(lon1, lon2), max(lat1, lat2)


@lru_cache(maxsize=2)
def _communes(vintage: int) -> pd.DataFrame:
    if vintage == 2020:
        raw = _query(
            "SELECT * FROM admin_units_legacy WHERE provinceCode = '04' ORDER BY wardCode"
        )
        frame = pd.DataFrame(
            {
                "ma_xa": raw["wardCode"],
                "name_vi": raw["wardShort"],
                "type_vi": raw["wardType"],
                "full_name_vi": raw["ward"],
                "ma_huyen": raw["districtCode"],
                "district_vi": raw["district"],
                "lat": raw["wardLat"],
                "lon": raw["wardLon"],
            }
        )
        bounds = pd.DataFrame(raw["wardBounds"].map(_bounds).tolist(), columns=["minx", "miny", "maxx", "maxy"])
        frame = pd.concat([frame, bounds], axis=1)
    else:
        raw = _query("SELECT * FROM admin_units WHERE provinceCode = '04' ORDER BY wardCode")
        frame = pd.DataFrame(
            {
                "ma_xa": raw["wardCode"],
                "name_vi": raw["wardShort"],
                "type_vi": raw["wardType"],
                "full_name_vi": raw["ward"],
                "lat": raw["wardLat"],
                "lon": raw["wardLon"],
                "area_km2": raw["wardAreaKm2"],
            }
        )
    for column in ("name_vi", "type_vi", "full_name_vi") + (("district_vi",) if vintage == 2020 else ()):
        frame[column] = frame[column].map(nfc)
    frame.insert(0, "vintage", vintage)
    return frame


def communes(vintage: int = 2020) -> pd.DataFrame:
    """Official list of Cao Bằng's communes for a vintage.

    Parameters
    ----------
    vintage : {2020, 2025}
        2020 for the 161 units of 2020 to 30 June 2025, 2025 for the 56 units
        from 1 July 2025.

    Returns
    -------
    pandas.DataFrame
        One row per unit, sorted by ``ma_xa``: ``vintage``, ``ma_xa``,
        ``name_vi`` (without type), ``type_vi``, ``full_name_vi``, ``lat``,
        ``lon`` (geocoded centre, WGS 84) and, for 2020, ``ma_huyen``,
        ``district_vi`` and the bounding box ``minx .. maxy``; for 2025
        ``area_km2``.
    """
    _check_vintage(vintage)
    return _communes(vintage).copy()


def _check_vintage(vintage: int) -> None:
    if vintage not in VINTAGES:
        raise ValueError(f"vintage must be 2020 or 2025, got {vintage!r}")


@lru_cache(maxsize=1)
def _crosswalk() -> pd.DataFrame:
    from vietnamadminunits import convert_address

    old = communes(2020)
    new_codes = [
        convert_address(f"{ward}, {district}, Tỉnh Cao Bằng").ward_code
        for ward, district in zip(old["full_name_vi"], old["district_vi"])
    ]
    new = communes(2025).set_index("ma_xa")
    frame = pd.DataFrame(
        {
            "old_ma_xa": old["ma_xa"],
            "old_name_vi": old["full_name_vi"],
            "old_district_vi": old["district_vi"],
            "old_ma_huyen": old["ma_huyen"],
            "new_ma_xa": new_codes,
        }
    )
    frame["new_name_vi"] = frame["new_ma_xa"].map(new["full_name_vi"])
    if frame["new_name_vi"].isna().any():
        missing = frame.loc[frame["new_name_vi"].isna(), "old_name_vi"].tolist()
        raise RuntimeError(f"vietnamadminunits gave no 2025 unit for {missing}")
    return frame


def crosswalk() -> pd.DataFrame:
    """Old-to-new table: one row per 2020 unit with its 2025 unit.

    Columns: ``old_ma_xa, old_name_vi, old_district_vi, old_ma_huyen,
    new_ma_xa, new_name_vi``.
    """
    return _crosswalk().copy()


def normalise_codes(codes: pd.Series | list) -> pd.Series:
    """Commune codes as 5-digit strings, as GSO writes them.

    Spreadsheets and integer fields drop the leading zeros (1267 for
    "01267"); codes made only of digits are padded back, other text is kept
    (trimmed) and missing values stay missing.

    >>> normalise_codes([1267, "1267.0", " 01267", None, "X-1"]).tolist()
    ['01267', '01267', '01267', None, 'X-1']
    """
    series = pd.Series(codes, dtype=object)
    positions, uniques = pd.factorize(series)  # each distinct code once; missing values get -1
    normal = np.array([_normal_code(v) for v in uniques] + [None], dtype=object)
    return pd.Series(normal[positions], index=series.index, dtype=object)


def _normal_code(value: object) -> str:
    text = str(value).strip().removesuffix(".0")
    return text.zfill(5) if _SHORT_CODE.fullmatch(text) else text


def to_2025(codes: pd.Series | list[str]) -> pd.Series:
    """Map 2020-vintage commune codes to their 2025 unit codes.

    Codes are normalised first (:func:`normalise_codes`); codes that are not
    2020 units give a missing value.

    >>> to_2025(["01267", 1267, "99999"]).tolist()
    ['01273', '01273', nan]
    """
    lookup = _crosswalk().set_index("old_ma_xa")["new_ma_xa"]
    return normalise_codes(codes).map(lookup)


@dataclass(frozen=True)
class MatchResult:
    """Outcome of matching one commune name to the official list.

    ``how`` is ``"code"``, ``"name"`` (tone-placement-insensitive),
    ``"district-name"`` (name unique once its district is known, or a
    district-level name such as "Hòa An" that is also a commune),
    ``"loose"`` (accents ignored, unique), or ``"none"``; ``suggestions``
    lists close official names when nothing matched.
    """

    query: str
    ma_xa: str | None
    name_vi: str | None
    how: str
    suggestions: tuple[str, ...] = field(default=())


@lru_cache(maxsize=2)
def _name_index(vintage: int) -> pd.DataFrame:
    frame = communes(vintage)
    frame["key"] = frame["name_vi"].map(name_key)
    frame["loose"] = frame["name_vi"].map(loose_key)
    return frame


def match_commune(name: str, vintage: int = 2020, district: str | None = None) -> MatchResult:
    """Find a commune by code or by name.

    Names match whatever the case, spacing, unit type prefix ("Xã", "Phường",
    "Thị trấn") and placement of the tone mark ("Hoà" = "Hòa"). A name given
    without accents matches only when exactly one unit has it. ``district``
    (2020 only) disambiguates names that repeat across districts.

    Examples
    --------
    >>> match_commune("xã Quang Trung", 2020).how  # two districts have one
    'none'
    >>> match_commune("xã Quang Trung", 2020, district="Huyện Hòa An").ma_xa
    '01702'
    >>> match_commune("Bao Lac", 2020, district="Bảo Lạc").how
    'loose'
    """
    _check_vintage(vintage)
    index = _name_index(vintage)
    query = nfc(name)
    if query in set(index["ma_xa"]):
        row = index.loc[index["ma_xa"] == query].iloc[0]
        return MatchResult(query, row["ma_xa"], row["name_vi"], "code")
    bare = strip_unit_type(query)
    candidates = index
    if district and vintage == 2020:
        wanted = name_key(strip_unit_type(district))
        in_district = index["district_vi"].map(lambda d: name_key(strip_unit_type(d)) == wanted)
        if in_district.any():
            candidates = index.loc[in_district]
    for column, key, how in (("key", name_key(bare), "name"), ("loose", loose_key(bare), "loose")):
        hits = candidates.loc[candidates[column] == key]
        if len(hits) == 1:
            row = hits.iloc[0]
            label = "district-name" if how == "name" and candidates is not index else how
            return MatchResult(query, row["ma_xa"], row["name_vi"], label)
        if len(hits) > 1:
            return MatchResult(query, None, None, "none", tuple(_label(hits)))
    close = difflib.get_close_matches(loose_key(bare), candidates["loose"].tolist(), n=3, cutoff=0.7)
    return MatchResult(query, None, None, "none", tuple(_label(candidates.loc[candidates["loose"].isin(close)])))


def _label(rows: pd.DataFrame) -> pd.Series:
    """Full names, followed by the district for the 2020 vintage."""
    if "district_vi" in rows:
        return rows["full_name_vi"] + ", " + rows["district_vi"]
    return rows["full_name_vi"]


def match_communes(names: pd.Series, vintage: int = 2020, districts: pd.Series | None = None) -> pd.DataFrame:
    """Match many names at once; each distinct (name, district) is matched once.

    Returns a frame aligned on ``names`` with ``ma_xa``, ``name_vi``, ``how``
    and ``suggestions`` (``"; "``-joined).
    """
    districts = districts if districts is not None else pd.Series([None] * len(names), index=names.index)
    pairs = pd.DataFrame({"name": names.astype(str), "district": districts})
    unique = pairs.drop_duplicates()
    results = [match_commune(n, vintage, d if isinstance(d, str) else None) for n, d in unique.itertuples(index=False)]
    table = unique.assign(
        ma_xa=[r.ma_xa for r in results],
        name_vi=[r.name_vi for r in results],
        how=[r.how for r in results],
        suggestions=["; ".join(r.suggestions) for r in results],
    )
    return pairs.merge(table, on=["name", "district"], how="left").set_index(names.index).drop(columns=["name", "district"])


MERGER_PATH = Path(__file__).resolve().parent.parent / "data" / "merger_2020.csv"


@lru_cache(maxsize=1)
def _before_2020() -> pd.DataFrame:
    frame = pd.read_csv(MERGER_PATH, dtype=str, keep_default_na=False)
    for column in ("old_name", "old_district", "new_name", "new_district"):
        frame[column] = frame[column].map(nfc)
    return frame


def before_2020() -> pd.DataFrame:
    """The 199 units before the 2020 reorganisation and the 2020 unit each is now part of.

    Columns: ``old_name, old_type, old_district, new_ma_xa, new_name,
    new_district, change`` (``unchanged``, ``district``: moved to another
    district, ``merged``, ``renamed``) and ``source``.

    >>> table = before_2020()
    >>> len(table), table["new_ma_xa"].nunique()
    (199, 161)
    """
    return _before_2020().copy()


@lru_cache(maxsize=1)
def _resolver() -> tuple[dict, dict, dict]:
    """Lookup tables ``{(name key, district key): entry}``, ``{name key: [entries]}`` and ``{code: entry}``.

    An entry is ``(ma_xa 2020, ma_xa 2025, vintage)``; the 2020 list comes
    first, then the older names, then the 2025 units (whose names often repeat
    a 2020 commune's: the 2020 one wins, as records mostly predate July 2025).
    """
    def key(name: str) -> str:
        return name_key(strip_unit_type(name))

    new_2025 = _crosswalk().set_index("old_ma_xa")["new_ma_xa"]
    entries: list[tuple[str, str, tuple[str | None, str | None, int]]] = []
    for row in communes(2020).itertuples():
        entries.append((key(row.name_vi), key(row.district_vi), (row.ma_xa, new_2025[row.ma_xa], 2020)))
    for row in _before_2020().itertuples():
        entries.append((key(row.old_name), key(row.old_district), (row.new_ma_xa, new_2025[row.new_ma_xa], 2019)))
    for row in communes(2025).itertuples():
        entries.append((key(row.name_vi), "", (None, row.ma_xa, 2025)))
    by_pair: dict[tuple[str, str], tuple] = {}
    by_name: dict[str, list[tuple]] = {}
    for name, district, entry in entries:
        by_pair.setdefault((name, district), entry)
        found = by_name.setdefault(name, [])
        if entry[:2] not in [e[:2] for e in found]:
            found.append(entry)
    by_code = {code: (code, new_2025[code], 2020) for code in communes(2020)["ma_xa"]}
    return by_pair, by_name, by_code


_SUGGEST_CUTOFF = 0.75  # difflib's similarity a suggestion needs
# rapidfuzz's ratio is 2·LCS/(len a + len b), never below difflib's (whose matching blocks are
# one common subsequence), so this prefilter keeps every name difflib would keep.
_PREFILTER = 100 * _SUGGEST_CUTOFF - 1
_BLOCK = 4096  # queries scored against the official names per rapidfuzz call


@lru_cache(maxsize=1)
def _loose_tables() -> tuple[dict, dict, dict, list]:
    """The accent-free lookups, built once from :func:`_resolver`'s tables.

    ``{(loose name, loose district): {(ma_xa, ma_xa_2025): entry}}``,
    ``{loose name: [name keys]}``, ``{loose key: name key}`` (the suggestions, the
    last key of each loose key) and the list of those loose keys.
    """
    by_pair, by_name, _ = _resolver()
    loose_pair: dict[tuple[str, str], dict] = {}
    for (name, district), entry in by_pair.items():
        loose_pair.setdefault((loose_key(name), loose_key(district)), {})[entry[:2]] = entry
    loose_name: dict[str, list[str]] = {}
    for name in by_name:
        loose_name.setdefault(loose_key(name), []).append(name)
    keys = {loose_key(k): k for k in by_name}
    return loose_pair, loose_name, keys, list(keys)


def _name_keys(name: str) -> tuple[str, str, str]:
    """A name's GSO code (if it is one), name key and loose key, unit type left out."""
    query = nfc(name)
    bare = strip_unit_type(query)
    return _normal_code(query), name_key(bare), loose_key(bare)


def _district_keys(district: str | None) -> tuple[str, str] | None:
    if not district:
        return None
    bare = strip_unit_type(district)
    return name_key(bare), loose_key(bare)


def _lookup(code: str, bare: str, loose: str, district: tuple[str, str] | None) -> tuple | None:
    """The result by dictionary lookups alone, or None when only suggestions are left to find."""
    by_pair, by_name, by_code = _resolver()
    if code in by_code:
        return (*by_code[code], "code", "")
    if not bare:
        return None, None, None, "none", ""
    if district:
        hit = by_pair.get((bare, district[0]))
        if hit is not None:
            return (*hit, "district-name" if hit[2] != 2019 else "before_2020", "")
    found = by_name.get(bare, [])
    if len(found) == 1 or (found and len({e[0] for e in found if e[0]}) == 1 and found[0][2] != 2025):
        entry = found[0]
        return (*entry, "name" if entry[2] != 2019 else "before_2020", "")
    if len(found) > 1:
        return None, None, None, "ambiguous", ""
    loose_pair, loose_name, _, _ = _loose_tables()
    if district:
        in_district = loose_pair.get((loose, district[1]), {})
        if len(in_district) == 1:
            return (*next(iter(in_district.values())), "loose", "")
    names = loose_name.get(loose, [])
    if len(names) == 1 and len(by_name[names[0]]) == 1:
        return (*by_name[names[0]][0], "loose", "")
    return None


def _suggest(queries: list[str]) -> list[str]:
    """Close official names (up to 3, "; "-joined) for each loose key, as ``difflib.get_close_matches``.

    rapidfuzz scores every query against every official name in one call per
    block; difflib then ranks only the few names that pass the prefilter, so
    the answer is difflib's own.
    """
    from rapidfuzz import fuzz, process

    _, _, keys, choices = _loose_tables()
    out = [""] * len(queries)
    for start in range(0, len(queries), _BLOCK):
        block = queries[start:start + _BLOCK]
        scores = process.cdist(block, choices, scorer=fuzz.ratio, score_cutoff=_PREFILTER, dtype=np.uint8)
        rows, columns = np.nonzero(scores)
        for row in np.unique(rows):
            near = [choices[c] for c in columns[rows == row]]
            close = difflib.get_close_matches(block[row], near, n=3, cutoff=_SUGGEST_CUTOFF)
            out[start + row] = "; ".join(keys[c] for c in close)
    return out


def _resolve_one(name: str, district: str | None) -> tuple[str | None, str | None, int | None, str, str]:
    """:func:`resolve_communes` for one name: ``(ma_xa, ma_xa_2025, vintage, how, suggestions)``."""
    code, bare, loose = _name_keys(name)
    found = _lookup(code, bare, loose, _district_keys(district))
    return found if found is not None else (None, None, None, "none", _suggest([loose])[0])


def resolve_communes(names: pd.Series, districts: pd.Series | None = None) -> pd.DataFrame:
    """Which 2020 commune each name (or GSO code) stands for, whatever its vintage.

    A 2020 GSO code matches by code. A name matches the 161 units of 2020,
    then the 199 before 2020 (a unit merged in 2020 gives the commune that took
    it over), then the 56 units of 2025; case, spacing, the unit type
    ("Xã", "Phường", "Thị trấn"), where the tone mark sits and "y"/"i"
    spellings are ignored, and a district, when given, settles names that
    several districts share. Each distinct name and district gets its keys
    once and each distinct pair is looked up once; the names that match
    nothing are scored against the official names in one batch (rapidfuzz),
    and only those close enough are ranked for suggestions.

    Returns
    -------
    DataFrame
        Aligned on ``names``: ``ma_xa`` (the 2020 unit, or None),
        ``ma_xa_2025`` (the unit from 1 July 2025), ``vintage`` (2019, 2020 or
        2025: the list the name was found in), ``how`` (``code``, ``name``,
        ``district-name``, ``before_2020``: a name from before 2020, ``loose``: accents ignored,
        ``ambiguous``: several units and no district, ``none``) and
        ``suggestions`` (close names when nothing matched).
    """
    if districts is None:
        districts = pd.Series(None, index=names.index, dtype=object)
    name_text = names.astype(object).where(names.notna(), "").astype(str)
    district_text = districts.astype(object).where(districts.notna(), "").astype(str)
    # Keys once per distinct name and per distinct district, lookups once per distinct pair.
    name_codes, name_values = pd.factorize(name_text, use_na_sentinel=False)
    district_codes, district_values = pd.factorize(district_text, use_na_sentinel=False)
    name_keys = [_name_keys(n) for n in name_values]
    district_keys = [_district_keys(d) for d in district_values]
    pair_codes = name_codes.astype(np.int64) * max(len(district_values), 1) + district_codes
    unique, inverse = np.unique(pair_codes, return_inverse=True)
    results: list[tuple | None] = []
    unmatched: dict[str, list[int]] = {}  # loose key → positions in ``results`` still needing suggestions
    for position, pair in enumerate(unique.tolist()):
        name, district = divmod(pair, max(len(district_values), 1))
        found = _lookup(*name_keys[name], district_keys[district])
        if found is None:
            unmatched.setdefault(name_keys[name][2], []).append(position)
        results.append(found)
    for loose, suggestions in zip(unmatched, _suggest(list(unmatched))):
        for position in unmatched[loose]:
            results[position] = (None, None, None, "none", suggestions)
    table = pd.DataFrame(results, columns=["ma_xa", "ma_xa_2025", "vintage", "how", "suggestions"])
    out = table.iloc[inverse.reshape(-1)].set_axis(names.index)
    out["vintage"] = out["vintage"].astype("Int16")
    return out
