"""Recognise common Vietnamese and English column names.

Tables from communes, districts and departments name the same thing in many
ways: "Mã hộ", "MA_HO", "Ma ho", "household id". :data:`ALIASES` lists, for
each canonical name the package uses, the headers known to mean it. Headers are
compared by a key that ignores case, accents (including "đ"), spaces,
underscores, dots, slashes and hyphens, so every spelling of an alias matches.

Headers in legacy encodings (TCVN3, VNI) must be repaired before they are
matched here.

Examples
--------
>>> canonical("Mã hộ"), canonical("MA_HO"), canonical("Toạ độ X")
('household_id', 'household_id', 'x')
>>> canonical("Ghi chú") is None
True
>>> map_columns(["STT", "Họ tên chủ hộ", "Số khẩu", "Xã/Phường"])
{'Họ tên chủ hộ': 'head_name', 'Số khẩu': 'members', 'Xã/Phường': 'commune_name'}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

from geo.hazards import code_hazard_types, code_levels
from geo.text import loose_key, strip_unit_type
from geo.units import communes, normalise_codes

__all__ = [
    "ALIASES",
    "LEVEL_NUMBER_ALIASES",
    "ETHNIC_GROUPS",
    "CONTENT_SHARE",
    "CONTENT_SAMPLE",
    "CONTENT_HINTS",
    "RECOGNISERS",
    "canonical",
    "map_columns",
    "by_content",
]

#: Headers that name the level *number* ("Cấp số": 4). Offices often keep it beside a
#: column of level words ("Cấp": "Cao"), and both headers then mean "level": the number
#: column keeps "level" and the words column becomes "level_text" (kept, not parsed), so
#: that neither the table is refused nor the words lost.
LEVEL_NUMBER_ALIASES = ("Cấp số", "Cap_so", "Mức số", "Muc_so", "ML_so", "CD_so", "Cap_do_so", "level number")

#: canonical name -> aliases (compared with :func:`_key`: case, accents, spaces,
#: underscores, dots, slashes and hyphens ignored). The canonical name itself
#: always matches and need not be listed.
ALIASES: dict[str, tuple[str, ...]] = {
    "household_id": (
        "Mã hộ",
        "Mã hộ gia đình",
        "Mã số hộ",
        "Mã HGĐ",
        "Mã hộ GĐ",
        "Ma_HGD",
        "Ma_ho",
        "MAHO",
        "ID hộ",
        "household id",
        "hh_id",
        "hhid",
    ),
    "head_name": ("Chủ hộ", "Họ tên chủ hộ", "Tên chủ hộ", "Họ và tên chủ hộ", "head", "head of household"),
    # target 25's reference share (the DTTS share of the population)
    "ref_numerator": ("Tử số tham chiếu", "Tu_so_tham_chieu", "TS tham chiếu", "Dân số DTTS", "Số người DTTS",
                      "reference numerator", "DTTS population"),
    "ref_denominator": ("Mẫu số tham chiếu", "Mau_so_tham_chieu", "MS tham chiếu", "Tổng dân số tham chiếu",
                        "reference denominator", "total population"),
    "reference": ("Tỷ lệ DTTS trong dân số", "Tỷ lệ dân số DTTS", "Tỷ lệ dân số là người DTTS", "Tỷ lệ tham chiếu",
                  "reference share", "DTTS share of population"),
    # personal: kept in household_people only
    "id_number": ("Số định danh", "Số định danh cá nhân", "Mã định danh", "Số CCCD", "CCCD", "Số CMND", "CMND",
                  "CMND/CCCD", "Số CMND/CCCD", "Căn cước", "Số căn cước", "Căn cước công dân", "So_CCCD",
                  "So_dinh_danh", "identity number", "id number", "national id"),
    "ethnicity": ("Dân tộc", "Dan_toc", "ethnic group", "ethnic"),
    "members": ("Số khẩu", "Số nhân khẩu", "Nhân khẩu", "So_khau", "household size", "members"),
    "poor": ("Hộ nghèo", "Ho_ngheo", "poor", "poor household"),
    "scattered": ("Phân tán", "Cư trú phân tán", "Hộ cư trú phân tán", "scattered"),
    "dtts": ("DTTS", "Dân tộc thiểu số", "Hộ DTTS", "ethnic minority"),
    "ma_xa": ("Mã xã", "Ma_xa", "MAXA", "Mã xã/phường", "commune code", "commune id", "ma_px"),
    "commune_name": (
        "Xã",
        "Tên xã",
        "Xã/Phường",
        "Xã/Phường/Thị trấn",
        "Ten_xa",
        "commune",
        "commune name",
    ),
    "district_name": ("Huyện", "Tên huyện", "Ten_huyen", "Huyện/Thành phố", "district", "district name"),
    "village": (
        "Thôn",
        "Xóm",
        "Thôn/Xóm",
        "Bản",
        "Thôn/Bản",
        "Thôn/Xóm/Bản",
        "Tổ dân phố",
        "village",
        "hamlet",
    ),
    "x": ("X", "Tọa độ X", "Toa_do_X"),
    "y": ("Y", "Tọa độ Y", "Toa_do_Y"),
    "lon": ("Kinh độ", "Kinh_do", "Long", "Longitude", "Lon", "lng"),
    "lat": ("Vĩ độ", "Vi_do", "Latitude", "Lat"),
    "hazard_type": (
        "Loại thiên tai",
        "Loai_TT",
        "Loai_TTai",
        "Loại",
        "Kiểu",
        "Kieu_TT",
        "Loại hình",
        "Loại hình thiên tai",
        "Loai_hinh_TT",
        "Loại nguy cơ",
        "hazard",
        "hazard type",
        "type",
    ),
    "level": (
        "Mức độ",
        "Mức",
        "ML",
        "Cấp độ",
        "Cấp",
        "Mức nguy cơ",
        "Muc_NC",
        "Cấp nguy cơ",
        "Nguy cơ",
        "Mức độ nguy cơ",
        "Cấp độ rủi ro",
        "Cap_do_RR",
        "CDRR",
        "Cấp độ rủi ro thiên tai",
        "level",
        "risk level",
        *LEVEL_NUMBER_ALIASES,
    ),
    "level_text": ("level text", "level name", "Tên cấp độ", "Tên mức độ"),
    "resettlement_status": ("Tình trạng di dời", "Tình trạng", "status"),
    "resettlement_form": ("Hình thức", "Hình thức di dời", "form"),
    "resettlement_date": ("Ngày di dời", "date"),
    "site_id": ("Mã điểm", "Mã điểm TĐC", "site id"),
    "site_name": ("Tên điểm", "Điểm TĐC", "Tên điểm TĐC", "Điểm tái định cư", "site name"),
    "capacity": ("Sức chứa", "Quy mô", "capacity"),
    "indicator_id": ("Mã chỉ tiêu", "Chỉ tiêu", "indicator", "indicator id"),
    "year": ("Năm", "Nam", "year"),
    "value": ("Giá trị", "Gia_tri", "value"),
    "numerator": ("Tử số", "numerator"),
    "denominator": ("Mẫu số", "denominator"),
    "name": ("Tên", "Ten", "name"),
}

_SEPARATORS = re.compile(r"[\W_]+")  # spaces, punctuation and signs: "Tỷ lệ (%)" is "Tỷ lệ"


def _key(header: object) -> str:
    """Matching key of a header: :func:`geo.text.loose_key` with only its letters and digits.

    >>> _key("Xã / Phường"), _key("MA_HO"), _key("Toạ độ X"), _key("Tỷ lệ (%)")
    ('xaphuong', 'maho', 'toadox', 'tyle')
    """
    return _SEPARATORS.sub("", loose_key(str(header)))


def _build_index(aliases: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Map every alias key to its canonical name; refuse an alias claimed twice."""
    index: dict[str, str] = {}
    for name, names in aliases.items():
        for alias in (name, *names):
            key = _key(alias)
            if index.setdefault(key, name) != name:
                raise ValueError(f"alias {alias!r} means both {index[key]!r} and {name!r}")
    return index


_INDEX = _build_index(ALIASES)
#: A bracketed qualifier in a header: "(VN-2000)", "[người]", "(ha)".
_QUALIFIER = re.compile(r"\([^)]*\)|\[[^\]]*\]")
#: canonical name -> (header keys naming its number column, name given to the other column).
_NUMBER_BESIDE_WORDS = {"level": ({_key(a) for a in LEVEL_NUMBER_ALIASES}, "level_text")}


def canonical(name: str) -> str | None:
    """Return the canonical name for a column header, or ``None`` if unknown.

    Examples
    --------
    >>> canonical("Kinh_do"), canonical("DÂN TỘC"), canonical("so khau")
    ('lon', 'ethnicity', 'members')
    >>> canonical("") is None
    True

    A qualifier in brackets (a unit, a coordinate system) is read past when the
    whole header is not known:

    >>> canonical("Tọa độ X (VN-2000)"), canonical("Số nhân khẩu [người]"), canonical("Vĩ độ (WGS84)")
    ('x', 'members', 'lat')
    """
    return _INDEX.get(_key(name)) or _qualified(name)


def _qualified(name: str) -> str | None:
    """The canonical name of a header read past its bracketed qualifiers ("Tọa độ X (VN-2000)" → x)."""
    return _INDEX.get(_key(_QUALIFIER.sub(" ", str(name))))


def map_columns(columns: Iterable[str], overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map recognised column headers to canonical names.

    Parameters
    ----------
    columns : iterable of str
        The table's headers (a ``DataFrame.columns`` will do).
    overrides : mapping of str to str, optional
        ``{header: canonical}`` chosen by the user; they win over the aliases.
        A header recognised automatically as a canonical name that an override
        gives to another header is left out (unless it is spelt exactly as
        that name: renaming would then give two columns of one name).

    Returns
    -------
    dict
        ``{header: canonical}`` for the recognised headers, in table order.
        Unrecognised headers are left out.

    Raises
    ------
    ValueError
        If two headers map to one canonical name (naming both), or an override
        names a header not in ``columns`` or an unknown canonical name.

    Examples
    --------
    >>> map_columns(["X", "Y", "Ghi chú"])
    {'X': 'x', 'Y': 'y'}
    >>> map_columns(["Tên", "Tên xã"], overrides={"Tên": "village"})
    {'Tên': 'village', 'Tên xã': 'commune_name'}
    >>> map_columns(["X", "Tọa độ X (VN-2000)", "Số khẩu (người)"])  # a qualified header never takes a name
    {'X': 'x', 'Số khẩu (người)': 'members'}
    >>> map_columns(["Y (cũ)", "Y (mới)"])  # nor two of them one name: the user is asked
    {}
    >>> map_columns(["Mã hộ", "MA_HO"])
    Traceback (most recent call last):
    ...
    ValueError: columns 'Mã hộ' and 'MA_HO' both mean 'household_id'; rename one or override
    """
    headers = list(dict.fromkeys(columns))
    overrides = dict(overrides or {})
    for header, name in overrides.items():
        if header not in headers:
            raise ValueError(f"override for {header!r}: no such column")
        if name not in ALIASES:
            raise ValueError(f"override for {header!r}: unknown canonical name {name!r}")
    claimed = set(overrides.values())
    mapping: dict[str, str] = {}
    owner: dict[str, str] = {}
    qualified: dict[str, list[str]] = {}  # read past a qualifier: only for a name no other header has
    for header in headers:
        name = overrides[header] if header in overrides else _INDEX.get(_key(header))
        if name is None:
            if (name := _qualified(header)) is not None:
                qualified.setdefault(name, []).append(header)
            continue
        if header not in overrides and name in claimed:
            if header == name:  # left as is, it would clash with the renamed column
                other = next(h for h, n in overrides.items() if n == name)
                raise ValueError(f"columns {header!r} and {other!r} both mean {name!r}; rename one or override")
            continue
        if name in owner:
            split = _number_and_words(name, owner[name], header, owner.keys() | claimed)
            if split is None:
                raise ValueError(
                    f"columns {owner[name]!r} and {header!r} both mean {name!r}; rename one or override"
                )
            mapping.update(split)
            owner.update({n: h for h, n in split.items()})
            continue
        owner[name] = header
        mapping[header] = name
    mapping.update({found[0]: name for name, found in qualified.items()
                    if len(found) == 1 and name not in owner and name not in claimed})
    return {header: mapping[header] for header in headers if header in mapping}  # in table order


def _number_and_words(name: str, first: str, second: str, taken: Iterable[str]) -> dict[str, str] | None:
    """Names for two headers that both mean ``name``, when exactly one names its number.

    >>> _number_and_words("level", "Cấp", "Cấp số", set())
    {'Cấp số': 'level', 'Cấp': 'level_text'}
    >>> _number_and_words("level", "Cấp", "Mức", set()) is None
    True
    """
    numbers, words_name = _NUMBER_BESIDE_WORDS.get(name, (set(), ""))
    named = [h for h in (first, second) if _key(h) in numbers]
    if len(named) != 1 or words_name in taken:
        return None
    return {named[0]: name, (second if named[0] == first else first): words_name}


# --------------------------------------------------------------------------- by content

#: Ethnic groups of Viet Nam with the other names registers use: the GSO list
#: "Danh mục các thành phần dân tộc Việt Nam" (Quyết định 121-TCTK/PPCĐ, 2 March 1979).
#: "Co" (Quảng Ngãi) is left out: its key is that of "Có" (yes), and a column of yeses
#: would read as ethnicity.
ETHNIC_GROUPS: tuple[str, ...] = (
    "Kinh", "Việt", "Tày", "Thổ", "Thái", "Mường", "Khmer", "Khơ Me", "Hoa", "Hán", "Nùng",
    "Mông", "H'Mông", "Hmông", "Mèo", "Dao", "Mán", "Gia Rai", "Ê Đê", "Ba Na", "Sán Chay",
    "Cao Lan", "Sán Chỉ", "Chăm", "Cơ Ho", "Xơ Đăng", "Sán Dìu", "Hrê", "Ra Glai", "Mnông",
    "Xtiêng", "Bru Vân Kiều", "Khơ Mú", "Cơ Tu", "Giáy", "Tà Ôi", "Mạ", "Giẻ Triêng",
    "Chơ Ro", "Xinh Mun", "Hà Nhì", "Chu Ru", "Lào", "La Chí", "Kháng", "Phù Lá", "La Hủ",
    "La Ha", "Pà Thẻn", "Lự", "Ngái", "Chứt", "Lô Lô", "Mảng", "Cơ Lao", "Bố Y", "Cống",
    "Si La", "Pu Péo", "Rơ Măm", "Brâu", "Ơ Đu",
)
#: Share of a column's distinct non-empty values that must be recognised.
CONTENT_SHARE = 0.8
#: Distinct values looked at per column.
CONTENT_SAMPLE = 500
#: canonical name -> header keys that, among columns of the right content, pick the one.
CONTENT_HINTS: dict[str, tuple[str, ...]] = {
    "hazard_type": ("loai", "kieu", "thientai", "hazard"),
    "level": ("cap", "muc", "ml", "cd", "level"),
    "ma_xa": ("ma",),
    "ethnicity": ("dantoc", "dt"),
}


def _plain_key(value: object) -> str:
    """:func:`_key` of a name without its unit type or apostrophes ("Xã Đức Long" -> "duclong")."""
    return _key(strip_unit_type(str(value))).replace("'", "").replace("’", "")


@lru_cache(maxsize=1)
def _known() -> dict[str, frozenset[str]]:
    """Keys of the province's codes, commune and district names and of the ethnic groups."""
    units = pd.concat([communes(2020), communes(2025)])
    return {
        "ma_xa": frozenset(units["ma_xa"]),
        "district_name": frozenset(communes(2020)["district_vi"].map(_plain_key)),
        "commune_name": frozenset(units["name_vi"].map(_plain_key)),
        "ethnicity": frozenset(_plain_key(g).removeprefix("dantoc") for g in ETHNIC_GROUPS),
    }


def _in_known(name: str, keys: Callable[[pd.Series], pd.Series]) -> Callable[[pd.Series], np.ndarray]:
    return lambda values: keys(values).isin(_known()[name]).to_numpy()


#: canonical name -> which of a sample of distinct values it recognises, in order of
#: precedence: a column goes to the first name it qualifies for (district names before
#: commune names: eight 2025 communes carry a former district's name). Yes/no columns
#: ("poor", "dtts", ...) are never guessed: 1/0, có/không mean too many things.
RECOGNISERS: dict[str, Callable[[pd.Series], np.ndarray]] = {
    "hazard_type": lambda values: code_hazard_types(values).notna().to_numpy(),
    "level": lambda values: code_levels(values).notna().to_numpy(),
    "ma_xa": _in_known("ma_xa", normalise_codes),
    "district_name": _in_known("district_name", lambda v: v.map(_plain_key)),
    "commune_name": _in_known("commune_name", lambda v: v.map(_plain_key)),
    "ethnicity": _in_known("ethnicity", lambda v: v.map(lambda x: _plain_key(x).removeprefix("dantoc"))),
}


def _sample(column: pd.Series) -> pd.Series:
    """Up to :data:`CONTENT_SAMPLE` distinct non-empty values of a column, as objects."""
    values = pd.Series(pd.unique(column.dropna().astype(object)), dtype=object)
    return values[values.astype(str).str.strip() != ""].iloc[:CONTENT_SAMPLE].reset_index(drop=True)


def by_content(frame: pd.DataFrame, taken: Iterable[str]) -> dict[str, str]:
    """Recognise unmapped columns by what they hold.

    A column qualifies for a canonical name of :data:`RECOGNISERS` when at
    least :data:`CONTENT_SHARE` of its distinct non-empty values are recognised
    (hazard words, levels, the province's commune codes, commune or district
    names, ethnic groups). Columns whose header is, or is an alias of, a name
    in ``taken`` are skipped, and names in ``taken`` are not given again.

    When several columns qualify for one name, the one whose header holds a
    hint of :data:`CONTENT_HINTS` wins, then the one recognised best, then
    one of numbers over one of words; a tie leaves the name unassigned (the
    user is asked). When a "level" column of numbers wins over one of words,
    the words column becomes "level_text", as in :func:`map_columns`.

    Returns
    -------
    dict
        ``{header: canonical}``, in table order.

    Examples
    --------
    >>> frame = pd.DataFrame({"LTT": ["Trượt lở đất đá", "Lũ quét"], "ML": ["Cao", "Rất cao"],
    ...                       "Ghi chú": ["", "x"], "DT": ["Tày", "Nùng"]})
    >>> by_content(frame, taken=[])
    {'LTT': 'hazard_type', 'ML': 'level', 'DT': 'ethnicity'}
    >>> by_content(frame, taken=["level"])
    {'LTT': 'hazard_type', 'DT': 'ethnicity'}
    """
    taken = set(taken)
    free = [h for h in frame.columns if str(frame[h].dtype) != "geometry"
            and str(h) not in taken and canonical(str(h)) not in taken]
    samples = {h: _sample(frame[h]) for h in free}
    chosen: dict[str, str] = {}
    for name, recognise in RECOGNISERS.items():
        if name in taken:
            continue
        ranked = []
        for header in free:
            sample = samples[header]
            if header in chosen or sample.empty:
                continue
            share = recognise(sample).mean()
            if share >= CONTENT_SHARE:
                hinted = any(hint in _key(header) for hint in CONTENT_HINTS.get(name, ()))
                numeric = pd.to_numeric(sample, errors="coerce").notna().all()
                ranked.append(((hinted, share, numeric), header))
        ranked.sort(key=lambda item: item[0], reverse=True)
        if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
            continue
        chosen[ranked[0][1]] = name
        words_name = _NUMBER_BESIDE_WORDS.get(name, (set(), ""))[1]
        if len(ranked) > 1 and words_name and words_name not in taken and ranked[0][0][2] and not ranked[1][0][2]:
            chosen[ranked[1][1]] = words_name  # numbers won, the words column beside them is kept
    return {h: chosen[h] for h in frame.columns if h in chosen}
