"""Tests of geo.units: official commune lists, the 2020 → 2025 crosswalk and name matching."""

from __future__ import annotations

import difflib
import re
import unicodedata

import numpy as np
import pandas as pd
import pytest

from geo.text import name_key
from geo import units
from geo.units import _resolve_one, communes, crosswalk, match_commune, match_communes, resolve_communes, to_2025



# --------------------------------------------------------------------------- lists


def test_2020_has_161_units_in_10_districts():
    frame = communes(2020)
    assert len(frame) == 161
    assert frame["district_vi"].nunique() == 10
    assert frame["ma_huyen"].nunique() == 10
    assert frame["type_vi"].value_counts().to_dict() == {"Xã": 139, "Thị trấn": 14, "Phường": 8}
    assert (frame["vintage"] == 2020).all()


def test_2025_has_56_units_without_districts():
    frame = communes(2025)
    assert len(frame) == 56
    assert frame["type_vi"].value_counts().to_dict() == {"Xã": 53, "Phường": 3}
    assert "district_vi" not in frame
    assert (frame["vintage"] == 2025).all()


@pytest.mark.parametrize("vintage", [2020, 2025])
def test_codes_are_unique_5_digit_strings_sorted(vintage):
    codes = communes(vintage)["ma_xa"]
    assert codes.map(lambda c: isinstance(c, str) and re.fullmatch(r"\d{5}", c) is not None).all()
    assert codes.is_unique
    assert codes.tolist() == sorted(codes)


@pytest.mark.parametrize("vintage", [2020, 2025])
def test_names_are_nfc_and_full_name_has_type(vintage):
    frame = communes(vintage)
    columns = ["name_vi", "type_vi", "full_name_vi"] + (["district_vi"] if vintage == 2020 else [])
    for column in columns:
        assert frame[column].map(lambda s: unicodedata.is_normalized("NFC", s) and s == s.strip()).all(), column
    assert (frame["type_vi"] + " " + frame["name_vi"] == frame["full_name_vi"]).all()


def test_unknown_vintage_raises():
    with pytest.raises(ValueError, match="2020 or 2025"):
        communes(2019)
    with pytest.raises(ValueError):
        match_commune("Hòa An", vintage=2030)


def test_communes_returns_a_copy():
    frame = communes(2025)
    frame.loc[0, "name_vi"] = "changed"
    assert communes(2025).loc[0, "name_vi"] != "changed"


# --------------------------------------------------------------------------- crosswalk


def test_crosswalk_shape_and_targets():
    table = crosswalk()
    assert list(table.columns) == ["old_ma_xa", "old_name_vi", "old_district_vi", "old_ma_huyen", "new_ma_xa", "new_name_vi"]
    assert len(table) == 161
    assert table["old_ma_xa"].tolist() == communes(2020)["ma_xa"].tolist()
    new = communes(2025).set_index("ma_xa")
    assert table["new_ma_xa"].isin(new.index).all()
    assert set(table["new_ma_xa"]) == set(new.index)  # every 2025 unit gets at least one old unit
    assert (table["new_name_vi"] == table["new_ma_xa"].map(new["full_name_vi"])).all()


def test_crosswalk_equals_real_csv(real_file):
    real = pd.read_csv(real_file("caobang_crosswalk_2020_to_2025.csv"), dtype=str)
    assert len(real) == 161
    table = crosswalk()
    merged = real.merge(table, on="old_ma_xa", how="outer", suffixes=("_real", "_ours"), indicator=True)
    assert (merged["_merge"] == "both").all()
    assert len(merged) == 161
    for column in ("new_ma_xa", "new_name_vi", "old_name_vi", "old_district_vi", "old_ma_huyen"):
        differ = merged.loc[merged[f"{column}_real"] != merged[f"{column}_ours"], "old_ma_xa"].tolist()
        assert differ == [], column


def test_real_geojson_codes_equal_2025_codes(real_file):
    gpd = pytest.importorskip("geopandas")
    frame = gpd.read_file(real_file("caobang_communes_2025.geojson"))
    codes = frame["ma_xa"].astype(str)
    assert len(codes) == 56 and codes.is_unique
    assert sorted(codes) == communes(2025)["ma_xa"].tolist()


def test_real_geojson_names_match_their_codes(real_file):
    """Every geometry's name (one written "Thuỷ") finds its own code."""
    gpd = pytest.importorskip("geopandas")
    frame = gpd.read_file(real_file("caobang_communes_2025.geojson"))
    assert "Đàm Thuỷ" in set(frame["name_vi"])  # tone on "y" while the official list has "Đàm Thủy"
    found = match_communes(frame["name_vi"], vintage=2025)
    assert (found["ma_xa"] == frame["ma_xa"]).all()
    assert set(found["how"]) == {"name"}


def test_to_2025():
    table = crosswalk()
    assert to_2025(table["old_ma_xa"]).tolist() == table["new_ma_xa"].tolist()
    out = to_2025(["01267", "99999", "01273"])
    assert out.iloc[0] == "01273" and out.iloc[2] == "01273"
    assert pd.isna(out.iloc[1])
    indexed = to_2025(pd.Series(["01270", "nope"], index=[10, 20]))
    assert indexed.index.tolist() == [10, 20]
    assert indexed.loc[10] == "01279" and pd.isna(indexed.loc[20])


# --------------------------------------------------------------------------- matching


def test_match_by_code():
    result = match_commune("01267")
    assert (result.ma_xa, result.name_vi, result.how) == ("01267", "Sông Hiến", "code")
    assert match_commune(" 01273 ", vintage=2025).how == "code"
    # A 2020 code that is not a 2025 code is not matched as a code in 2025.
    assert match_commune("01267", vintage=2025).how == "none"


def _swap_tone(name: str) -> str:
    """Move the tone of "oa"/"oe"/"uy" to the other vowel ("Hòa" ↔ "Hoà", "Thủy" ↔ "Thuỷ")."""
    swaps = {"òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ", "ủy": "uỷ", "úy": "uý", "ùy": "uỳ",
             "ũy": "uỹ", "ụy": "uỵ"}
    swaps.update({v: k for k, v in swaps.items()})
    return re.sub("|".join(swaps), lambda m: swaps[m.group(0)], name)


@pytest.mark.parametrize("vintage", [2020, 2025])
def test_match_by_name_with_other_tone_placement(vintage):
    frame = communes(vintage)
    movable = frame.loc[frame["name_vi"].map(lambda n: _swap_tone(n) != n)]
    assert len(movable) >= 3  # e.g. Đàm Thủy, Hòa Chung / Phục Hòa
    for row in movable.itertuples():
        if (frame["name_vi"].map(name_key) == name_key(row.name_vi)).sum() > 1:
            continue  # the name repeats across districts
        query = _swap_tone(row.name_vi)
        assert query != row.name_vi
        result = match_commune(query, vintage)
        assert (result.ma_xa, result.name_vi, result.how) == (row.ma_xa, row.name_vi, "name"), query
        prefixed = match_commune(f"{row.type_vi.lower()}  {query.upper()}", vintage)
        assert prefixed.ma_xa == row.ma_xa


def test_every_2020_unit_found_by_full_name_and_district():
    frame = communes(2020)
    found = match_communes(frame["full_name_vi"], 2020, districts=frame["district_vi"])
    assert (found["ma_xa"] == frame["ma_xa"]).all()
    assert found["how"].isin(["name", "district-name"]).all()
    # Without accents, with the district given without its type.
    bare = frame["district_vi"].str.replace(r"^(Huyện|Thành phố) ", "", regex=True)
    loose = match_communes(frame["name_vi"].map(lambda s: unicodedata.normalize("NFD", s)).str.replace(
        r"[\u0300-\u036f]", "", regex=True).str.replace("đ", "d").str.replace("Đ", "D"), 2020, districts=bare)
    assert (loose["ma_xa"] == frame["ma_xa"]).all()


def test_every_2025_unit_found_by_name():
    frame = communes(2025)
    found = match_communes(frame["name_vi"], 2025)
    assert (found["ma_xa"] == frame["ma_xa"]).all()
    assert (found["how"] == "name").all()


def test_loose_match():
    result = match_commune("Song Hien")
    assert (result.ma_xa, result.name_vi, result.how) == ("01267", "Sông Hiến", "loose")
    assert match_commune("DAM THUY", vintage=2025).name_vi == "Đàm Thủy"
    # "Hoa" is not "Hòa" by name key, but matches loosely when only one unit has it.
    assert match_commune("Phuc Hoa", vintage=2025).how == "loose"


def test_ambiguous_name_needs_district():
    result = match_commune("xã Quang Trung", 2020)
    assert result.how == "none" and result.ma_xa is None
    assert len(result.suggestions) == 2
    assert any("Trùng Khánh" in s for s in result.suggestions)
    assert any("Hòa An" in s for s in result.suggestions)

    for district, code in (("Huyện Hòa An", "01702"), ("Hoà An", "01702"), ("huyện trùng khánh", "01465")):
        resolved = match_commune("Quang Trung", 2020, district=district)
        assert (resolved.ma_xa, resolved.how) == (code, "district-name"), district


def test_ambiguous_loose_name():
    # "Hung Dao" is Hưng Đạo in three districts.
    result = match_commune("Hung Dao", 2020)
    assert result.how == "none"
    assert len(result.suggestions) == 3
    assert all(s.startswith("Xã Hưng Đạo, ") for s in result.suggestions)


def test_near_miss_gives_suggestions():
    result = match_commune("Song Hiem")
    assert result.how == "none" and result.ma_xa is None
    assert any(s.startswith("Phường Sông Hiến") for s in result.suggestions)
    result = match_commune("Thuc Phang", vintage=2025)
    assert result.suggestions and result.suggestions[0].startswith("Phường Thục Phán")
    nothing = match_commune("Zzzzzzzz")
    assert (nothing.how, nothing.suggestions) == ("none", ())


def test_match_communes_equals_per_row_calls():
    names = pd.Series(
        ["Sông Hiến", "Song Hien", "Quang Trung", "Quang Trung", "Quang Trung", "01702", "Song Hiem",
         "Hoà Chung", "Sông Hiến", "Hung Dao", "Hưng Đạo", "nowhere"],
        index=[5, 3, 9, 1, 2, 8, 7, 6, 4, 0, 11, 10],
    )
    districts = pd.Series(
        [None, None, None, "Hòa An", "Trùng Khánh", None, None, "Hòa An", "Cao Bằng", None, "Bảo Lạc", None],
        index=names.index,
    )
    table = match_communes(names, 2020, districts=districts)
    assert table.index.tolist() == names.index.tolist()
    assert list(table.columns) == ["ma_xa", "name_vi", "how", "suggestions"]
    for i in names.index:
        expected = match_commune(names[i], 2020, district=districts[i])
        got = table.loc[i]
        assert got["how"] == expected.how, names[i]
        assert (got["ma_xa"] if pd.notna(got["ma_xa"]) else None) == expected.ma_xa
        assert (got["name_vi"] if pd.notna(got["name_vi"]) else None) == expected.name_vi
        assert got["suggestions"] == "; ".join(expected.suggestions)

    plain = match_communes(names, 2020)
    for i in names.index:
        assert (plain.loc[i, "how"], plain.loc[i, "suggestions"]) == (
            match_commune(names[i], 2020).how,
            "; ".join(match_commune(names[i], 2020).suggestions),
        )


# --------------------------------------------------------------------------- resolve_communes

# (name, district) → (ma_xa, ma_xa_2025, vintage, how, suggestions), as the per-name matcher
# gave them before matching was batched: codes, names of each vintage, accents left out,
# names that repeat across districts, near misses and garbage. Suggestions are given here as
# official names; resolve_communes gives their name keys (geo.text.name_key).
RESOLVED = [
    ("Sông Hiến", None, "01267", "01273", 2020, "name", ""),
    ("Song Hien", None, "01267", "01273", 2020, "loose", ""),
    ("Song Hiem", None, None, None, None, "none", "Sông Hiến"),
    ("Phuong Song Hiem", None, None, None, None, "none", ""),
    ("Quang Trung", None, None, None, None, "ambiguous", ""),
    ("xã Quang Trung", "Huyện Hòa An", "01702", "01699", 2020, "district-name", ""),
    ("Quang Trung", "trùng khánh", "01465", "01465", 2020, "district-name", ""),
    ("Hung Dao", None, None, None, None, "none", "Hưng Đạo; Ngọc Đào; Hồng Đại"),
    ("Hung Dao", "Bao Lac", "01351", "01351", 2020, "loose", ""),
    ("Hưng Đạo", "Bảo Lạc", "01351", "01351", 2020, "district-name", ""),
    ("01702", None, "01702", "01699", 2020, "code", ""),
    ("1267", None, "01267", "01273", 2020, "code", ""),
    (1267.0, None, "01267", "01273", 2020, "code", ""),
    ("Xã Tân Việt", "Bảo Lâm", "01297", "01297", 2019, "before_2020", ""),
    ("Tân Việt", None, "01297", "01297", 2019, "before_2020", ""),
    ("Nam Quang", None, "01297", "01297", 2020, "name", ""),
    ("Zzzzzzzz", None, None, None, None, "none", ""),
    ("", None, None, None, None, "none", ""),
    (None, "Hòa An", None, None, None, "none", ""),
    ("Thuc Phang", None, None, None, None, "none", "Thục Phán"),
    ("Đàm Thuỷ", None, "01495", "01501", 2020, "name", ""),
    ("Hoà An", None, None, "01654", 2025, "name", ""),
    ("Phuc Hoa", None, None, "01648", 2025, "loose", ""),
    ("Bao Lac", "Bảo Lạc", "01321", "01321", 2020, "loose", ""),
    ("Nước Hai", "Hòa An", "01654", "01654", 2020, "district-name", ""),
    ("Ca Thanh", None, None, None, None, "none", "Ca Thành; Cao Thăng; Phan Thanh"),
    ("Thông Nông", None, "01363", "01363", 2020, "name", ""),
    ("Thong Nong", None, None, None, None, "none", "Thông Nông; Thượng Thôn"),
    ("Đức Long", None, None, None, None, "ambiguous", ""),
    ("Duc Long", "Thach An", "01822", "01822", 2020, "loose", ""),
    ("Ly Quoc", None, None, None, None, "none", "Lý Quốc"),
    ("Hồng Sỹ", None, "01429", "01438", 2020, "name", ""),
    ("Hong Si", None, "01429", "01438", 2020, "loose", ""),
    ("Xuan Truong", None, None, None, None, "none", "Xuân Trường; Quang Trung; Quang Trọng"),
    ("Pac Miau", None, "01290", "01290", 2020, "loose", ""),
    ("Dinh Phong", None, None, None, None, "none", "Đình Phong; Vĩnh Phong; Đình Phùng"),
    ("99999", None, None, None, None, "none", ""),
    ("Hoa Chung", None, "01285", "01288", 2020, "loose", ""),
]


def test_resolve_communes_gives_the_same_answers_as_before():
    names = pd.Series([case[0] for case in RESOLVED] * 2, index=range(100, 100 + 2 * len(RESOLVED)), dtype=object)
    districts = pd.Series([case[1] for case in RESOLVED] * 2, index=names.index, dtype=object)
    out = resolve_communes(names, districts)
    assert out.index.equals(names.index)
    assert list(out.columns) == ["ma_xa", "ma_xa_2025", "vintage", "how", "suggestions"]
    assert str(out["vintage"].dtype) == "Int16"
    for case, row in zip(RESOLVED * 2, out.itertuples(index=False)):
        expected = (*case[2:6], "; ".join(name_key(n) for n in case[6].split("; ")) if case[6] else "")
        got = tuple(None if pd.isna(v) else v for v in row)
        assert got == expected, case
        name = "" if case[0] is None else str(case[0])
        assert _resolve_one(name, case[1]) == expected, case  # one name alone: the same answer
    assert len(resolve_communes(pd.Series([], dtype=object))) == 0


def test_unknown_names_cost_a_few_key_lookups_each(monkeypatch):
    """Each distinct unknown name gets its keys once and a fuzzy score in one batch, not a scan of every unit."""
    resolve_communes(pd.Series(["Song Hiem"]), pd.Series(["Hòa An"]))  # lookup tables built
    rng = np.random.default_rng(7)
    garbage = ["".join(rng.choice(list("qwxzjf"), size=int(n))) for n in rng.integers(6, 14, 300)]
    calls = {"loose_key": 0, "get_close_matches": 0}

    def counted(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(units, "loose_key", counted("loose_key", units.loose_key))
    monkeypatch.setattr(units.difflib, "get_close_matches", counted("get_close_matches", difflib.get_close_matches))
    out = resolve_communes(pd.Series(garbage * 3), pd.Series(["Hòa An", None, "Bảo Lạc"] * 300))
    assert set(out["how"]) == {"none"} and set(out["suggestions"]) == {""}
    distinct = len(set(garbage))
    assert calls["loose_key"] <= distinct + 2  # once per distinct name and district
    assert calls["get_close_matches"] == 0  # nothing near enough to rank
