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
from collections.abc import Iterable, Mapping

from geo.text import loose_key

__all__ = ["ALIASES", "canonical", "map_columns"]

#: canonical name -> aliases (compared with :func:`_key`: case, accents, spaces,
#: underscores, dots, slashes and hyphens ignored). The canonical name itself
#: always matches and need not be listed.
ALIASES: dict[str, tuple[str, ...]] = {
    "household_id": (
        "Mã hộ",
        "Mã hộ gia đình",
        "Ma_ho",
        "MAHO",
        "ID hộ",
        "household id",
        "hh_id",
        "hhid",
    ),
    "head_name": ("Chủ hộ", "Họ tên chủ hộ", "Tên chủ hộ", "Họ và tên chủ hộ", "head", "head of household"),
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
        "Loại hình",
        "Loại hình thiên tai",
        "hazard",
        "hazard type",
        "type",
    ),
    "level": ("Mức độ", "Cấp độ", "Mức nguy cơ", "Cap_do", "Cấp độ rủi ro", "level", "risk level"),
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

_SEPARATORS = re.compile(r"[\s_./\\-]+")


def _key(header: object) -> str:
    """Matching key of a header: :func:`geo.text.loose_key` without separators.

    >>> _key("Xã / Phường"), _key("MA_HO"), _key("Toạ độ X")
    ('xaphuong', 'maho', 'toadox')
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


def canonical(name: str) -> str | None:
    """Return the canonical name for a column header, or ``None`` if unknown.

    Examples
    --------
    >>> canonical("Kinh_do"), canonical("DÂN TỘC"), canonical("so khau")
    ('lon', 'ethnicity', 'members')
    >>> canonical("") is None
    True
    """
    return _INDEX.get(_key(name))


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
    for header in headers:
        name = overrides[header] if header in overrides else canonical(header)
        if name is None:
            continue
        if header not in overrides and name in claimed:
            if header == name:  # left as is, it would clash with the renamed column
                other = next(h for h, n in overrides.items() if n == name)
                raise ValueError(f"columns {header!r} and {other!r} both mean {name!r}; rename one or override")
            continue
        if name in owner:
            raise ValueError(
                f"columns {owner[name]!r} and {header!r} both mean {name!r}; rename one or override"
            )
        owner[name] = header
        mapping[header] = name
    return mapping
