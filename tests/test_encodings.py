"""Tests of geo.encodings: TCVN3 (ABC) and VNI legacy text -> Unicode."""

from __future__ import annotations

import random
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import geo.encodings as enc
from geo.encodings import (
    ENCODINGS,
    TCVN3,
    VNI,
    decode_tcvn3,
    decode_vni,
    detect,
    encode_tcvn3,
    encode_vni,
    fix_column,
    fix_frame,
)
from geo.units import communes

_NFC = lambda s: unicodedata.normalize("NFC", s)  # noqa: E731

# Tones in the order TCVN3 lays them out: huyền, hỏi, ngã, sắc, nặng.
_TONES = ["\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]
_BASES = "aăâeêioôơuưy"
_LOWER_VOWELS = [_NFC(b + t) for b in _BASES for t in [""] + _TONES]
_ALL_LETTERS = _LOWER_VOWELS + [v.upper() for v in _LOWER_VOWELS] + ["đ", "Đ"]
#: Capital toned vowels: TCVN3 single-font text has no byte for them.
_CASELESS_CAPITALS = {_NFC(b + t).upper() for b in _BASES for t in _TONES}

_NAMES_ALL = list(dict.fromkeys(communes(2020)["name_vi"]))
#: ~30 real commune names spread over the list.
_NAMES = _NAMES_ALL[::5]
#: Names with at least one non-ASCII letter (all-ASCII names read the same in every encoding).
_NAMES_VI = [n for n in _NAMES_ALL if not n.isascii()]


# --------------------------------------------------------------------------
# Known pairs
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("B¶o L©m", "Bảo Lâm"),
        ("Cao B»ng", "Cao Bằng"),
        ("Hµ Qu¶ng", "Hà Quảng"),
        ("Trïng Kh¸nh", "Trùng Khánh"),
        ("Nguyªn B×nh", "Nguyên Bình"),
        ("Th«ng N«ng", "Thông Nông"),
        ("Trµ LÜnh", "Trà Lĩnh"),
        ("Céng hßa x· héi chñ nghÜa ViÖt Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
        ("Tr\xadêng", "Trường"),  # ư is 0xAD, the soft hyphen in cp1252
        ("UBND tØnh Cao B»ng", "UBND tỉnh Cao Bằng"),
    ],
)
def test_decode_tcvn3_known_pairs(legacy, unicode):
    assert decode_tcvn3(legacy) == unicode
    assert encode_tcvn3(unicode) == legacy


@pytest.mark.parametrize(
    ("legacy", "unicode"),
    [
        ("Baûo Laâm", "Bảo Lâm"),
        ("Cao Baèng", "Cao Bằng"),
        ("Haø Quaûng", "Hà Quảng"),
        ("Truøng Khaùnh", "Trùng Khánh"),
        ("Nguyeân Bình", "Nguyên Bình"),
        ("Traø Lónh", "Trà Lĩnh"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
        ("TRÖÔØNG TRUNG HOÏC CÔ SÔÛ", "TRƯỜNG TRUNG HỌC CƠ SỞ"),
        ("PHOØNG NGHÆ GIAÙO VIEÂN", "PHÒNG NGHỈ GIÁO VIÊN"),
        ("thaúng, ñaëng, Thò", "thẳng, đặng, Thị"),
    ],
)
def test_decode_vni_known_pairs(legacy, unicode):
    assert decode_vni(legacy) == unicode
    assert encode_vni(unicode) == legacy


def test_anchor_bytes_from_the_standards():
    assert {k: TCVN3[k].encode("latin-1") for k in "ảâằàđĐ"} == {
        "ả": b"\xb6", "â": b"\xa9", "ằ": b"\xbb", "à": b"\xb5", "đ": b"\xae", "Đ": b"\xa7",
    }
    assert {k: VNI[k].encode("latin-1") for k in "ảâằđĐơư"} == {
        "ả": b"a\xfb", "â": b"a\xe2", "ằ": b"a\xe8", "đ": b"\xf1", "Đ": b"\xd1", "ơ": b"\xf4", "ư": b"\xf6",
    }


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def test_vni_table_covers_every_vietnamese_letter_and_is_injective():
    non_ascii = {ch for ch in _ALL_LETTERS if not ch.isascii()}
    assert set(VNI) == non_ascii
    assert len(non_ascii) == 134
    assert len(set(VNI.values())) == len(VNI)
    assert all(all(ord(c) < 256 for c in code) for code in VNI.values())


def test_tcvn3_table_covers_lowercase_and_seven_capitals():
    lower = {ch for ch in _LOWER_VOWELS + ["đ"] if not ch.isascii()}
    assert set(TCVN3) == lower | set("ĂÂÊÔƠƯĐ")
    assert len(set(TCVN3.values())) == len(TCVN3)
    # one byte each, in the high half, never in 0x80-0x9F (where cp1252 and latin-1 differ)
    assert all(len(b) == 1 and 0xA1 <= ord(b) <= 0xFE for b in TCVN3.values())


def test_tcvn3_tones_are_laid_out_in_order_for_each_vowel():
    for base in "aăâeêioôơuưy":
        codes = [ord(TCVN3[_NFC(base + t)]) for t in _TONES]
        assert codes == sorted(codes), base
        assert codes[-1] - codes[0] <= 11, base  # one block per vowel


# An independent statement of VNI's composition rules, to catch typos in the table.
_VNI_TONE = {"": "", "\u0301": "ù", "\u0300": "ø", "\u0309": "û", "\u0303": "õ", "\u0323": "ï"}
_VNI_CIRC = {"": "â", "\u0301": "á", "\u0300": "à", "\u0309": "å", "\u0303": "ã", "\u0323": "ä"}
_VNI_BREVE = {"": "ê", "\u0301": "é", "\u0300": "è", "\u0309": "ú", "\u0303": "ü", "\u0323": "ë"}
_VNI_I = {"\u0301": "í", "\u0300": "ì", "\u0309": "æ", "\u0303": "ó", "\u0323": "ò"}


def _vni_by_rule(letter: str) -> str:
    upper = letter.isupper()
    decomposed = unicodedata.normalize("NFD", letter.lower())
    base, marks = decomposed[0], decomposed[1:]
    tone = "".join(m for m in marks if m in _VNI_TONE)
    if base == "i":
        code = _VNI_I[tone]
    elif base == "y" and tone == "\u0323":
        code = "î"
    elif "\u0302" in marks:
        code = base + _VNI_CIRC[tone]
    elif "\u0306" in marks:
        code = base + _VNI_BREVE[tone]
    elif "\u031b" in marks:
        code = {"o": "ô", "u": "ö"}[base] + _VNI_TONE[tone]
    else:
        code = base + _VNI_TONE[tone]
    return code.upper() if upper else code


@pytest.mark.parametrize("letter", [ch for ch in _ALL_LETTERS if not ch.isascii() and ch not in "đĐ"])
def test_vni_table_follows_the_composition_rules(letter):
    assert VNI[letter] == _vni_by_rule(letter)


def test_legacy_strings_are_real_8bit_bytes():
    for name in _NAMES:
        for encode, decode in ((encode_tcvn3, decode_tcvn3), (encode_vni, decode_vni)):
            raw = encode(name).encode("cp1252")  # bytes as in a .dbf
            assert decode(raw.decode("cp1252")).casefold() == name.casefold()
            assert decode(raw.decode("latin-1")).casefold() == name.casefold()


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", _NAMES)
def test_commune_names_round_trip(name):
    assert decode_vni(encode_vni(name)) == name
    assert decode_tcvn3(encode_tcvn3(name)).casefold() == name.casefold()
    if not any(ch in _CASELESS_CAPITALS for ch in name):
        assert decode_tcvn3(encode_tcvn3(name)) == name
    upper = name.upper()
    assert decode_vni(encode_vni(upper)) == upper
    assert decode_tcvn3(encode_tcvn3(upper)) == upper  # capitals restored from the context


def test_capital_toned_vowels_use_the_lowercase_tcvn3_byte():
    assert encode_tcvn3("Ấp") == encode_tcvn3("ấp") == "Êp"
    assert decode_tcvn3("Êp") == "ấp"  # no way to tell
    assert decode_tcvn3("ÊP B¾C") == "ẤP BẮC"  # capitals around it
    assert decode_tcvn3("Hµ NéI") == "HÀ NỘI"  # the whole text is in capitals
    assert decode_tcvn3("Phè Hµ NéI") == "Phố Hà NỘI"  # per word: "Hµ" alone is ambiguous
    assert decode_tcvn3("HµNG NéI", restore_caps=False) == "HàNG NộI"


def test_tcvn3_separate_tone_marks_after_vowels_only():
    assert decode_tcvn3("A³p") == "Áp"
    assert decode_tcvn3("25°C, ±5 m") == "25°C, ±5 m"


def test_vni_lenient_readings():
    assert decode_vni("AÙ aÙ Aù") == "Á á Á"
    assert decode_vni("iù Iø") == "í Ì"


_ALPHABET = _ALL_LETTERS + list("bcdghklmnpqrstvxBCDGHKLMNPQRSTVX") + [" ", "  "]
vietnamese_text = st.lists(st.sampled_from(_ALPHABET), max_size=40).map("".join)
lower_text = st.lists(st.sampled_from([c for c in _ALPHABET if c == c.lower()]), max_size=40).map("".join)


@given(vietnamese_text)
def test_vni_round_trips_exactly(text):
    assert decode_vni(encode_vni(text)) == text


@given(lower_text)
def test_tcvn3_round_trips_lowercase_exactly(text):
    assert decode_tcvn3(encode_tcvn3(text)) == text


@given(vietnamese_text)
def test_tcvn3_round_trips_up_to_the_capitals_it_cannot_write(text):
    expected = "".join(ch.lower() if ch in _CASELESS_CAPITALS else ch for ch in text)
    assert decode_tcvn3(encode_tcvn3(text), restore_caps=False) == expected
    assert decode_tcvn3(encode_tcvn3(text)).casefold() == text.casefold()


@given(vietnamese_text)
def test_decoders_return_nfc(text):
    for legacy in (encode_tcvn3(text), encode_vni(text), unicodedata.normalize("NFD", text)):
        for decode in (decode_tcvn3, decode_vni):
            out = decode(legacy)
            assert out == _NFC(out)


# --------------------------------------------------------------------------
# detect
# --------------------------------------------------------------------------


def test_all_real_names_are_plausible_vietnamese():
    names = _NAMES_ALL + list(communes(2025)["name_vi"]) + list(communes(2020)["district_vi"])
    bad = [t for n in names for t in enc._tokens(n) if not enc._is_syllable(t)]
    assert bad == []


@pytest.mark.parametrize("case", [str, str.upper])
def test_detect_real_names_in_each_encoding(case):
    names = [case(n) for n in _NAMES_ALL]
    assert detect(encode_tcvn3(n) for n in names) == "tcvn3"
    assert detect(encode_vni(n) for n in names) == "vni"
    assert detect(names) == "utf-8"
    assert detect(unicodedata.normalize("NFD", n) for n in names) == "utf-8"


def test_detect_small_random_samples():
    rng = random.Random(2025)
    for _ in range(100):
        sample = rng.sample(_NAMES_VI, 6)
        assert detect([encode_tcvn3(n) for n in sample]) == "tcvn3", sample
        assert detect([encode_vni(n) for n in sample]) == "vni", sample
        assert detect(sample) == "utf-8", sample


@pytest.mark.parametrize(
    "values",
    [
        ["Cao Bang", "Bao Lam", "Ha Quang", "UBND", "123", ""],
        [],
        ["Café", "Résumé", "Zürich", "São Paulo", "Garçon", "Ñandú"],
        ["Hà Nam", "Cô Ba", "Lý Bôn", "Hòa An", "Tà Lùng"],  # Unicode within latin-1
        ["25°C", "±5 m", "x²"],
    ],
)
def test_detect_says_utf8_for_ascii_unicode_and_foreign_text(values):
    assert detect(values) == "utf-8"


def test_detect_ignores_non_strings():
    assert detect(["B¶o L©m", None, 3.5, float("nan"), "Cao B»ng"]) == "tcvn3"


def test_detect_mixed_columns_choose_the_majority():
    rng = random.Random(7)
    for _ in range(20):
        names = rng.sample(_NAMES_VI, 30)
        major, minor = names[:20], names[20:]
        assert detect([encode_tcvn3(n) for n in major] + [encode_vni(n) for n in minor]) == "tcvn3"
        assert detect([encode_vni(n) for n in major] + [encode_tcvn3(n) for n in minor]) == "vni"
        assert detect(major + [encode_tcvn3(n) for n in minor]) == "utf-8"
        assert detect(major + [encode_vni(n) for n in minor]) == "utf-8"
        assert detect([encode_tcvn3(n) for n in major] + minor) == "tcvn3"
        assert detect([encode_vni(n) for n in major] + minor) == "vni"


def test_detect_weighs_repeated_values():
    tcvn3 = [encode_tcvn3(n) for n in _NAMES_VI[:5]]
    vni = [encode_vni(n) for n in _NAMES_VI[5:15]]
    assert detect(vni + tcvn3) == "vni"
    assert detect(vni + tcvn3 * 5) == "tcvn3"


# --------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "encode"), [("tcvn3", encode_tcvn3), ("vni", encode_vni)])
def test_fix_column_auto(encoding, encode):
    series = pd.Series([encode(n) for n in _NAMES], name="ten_xa", index=range(10, 10 + len(_NAMES)))
    fixed, used = fix_column(series)
    assert used == encoding
    assert fixed.tolist() == _NAMES
    assert fixed.name == "ten_xa"
    assert fixed.index.equals(series.index)
    assert fixed.dtype == series.dtype  # pandas' string dtype kept


def test_fix_column_keeps_non_strings_and_object_dtype():
    values = ["B¶o L©m", None, 3, float("nan"), True, "Cao B»ng", "B¶o L©m", 1]
    series = pd.Series(values, dtype=object)
    fixed, used = fix_column(series)
    assert used == "tcvn3"
    assert fixed.dtype == object
    assert fixed[0] == fixed[6] == "Bảo Lâm" and fixed[5] == "Cao Bằng"
    assert fixed[1] is None and np.isnan(fixed[3])
    assert fixed[2] == 3 and type(fixed[2]) is int
    assert fixed[4] is True and fixed[7] == 1 and type(fixed[7]) is int
    assert series[0] == "B¶o L©m"  # input untouched


def test_fix_column_explicit_encoding_and_unicode_values_in_a_legacy_column():
    # "Bảo Lạc" cannot be TCVN3 (no byte reads as "ả"); "Pác Bó" could, but reads
    # worse decoded ("Pỏc Bú"). A Unicode value that reads as well both ways
    # ("Hòa" / "Hũa") cannot be told apart and is decoded.
    series = pd.Series(["B¶o L©m", "Cao B»ng", "Pác Bó", "Bảo Lạc", "Hµ Qu¶ng"])
    fixed, used = fix_column(series, "tcvn3")
    assert used == "tcvn3"
    assert fixed.tolist() == ["Bảo Lâm", "Cao Bằng", "Pác Bó", "Bảo Lạc", "Hà Quảng"]
    same, used = fix_column(series, "utf-8")
    assert used == "utf-8" and same.tolist() == series.tolist()
    with pytest.raises(ValueError):
        fix_column(series, "cp1258")


def test_fix_column_decodes_each_distinct_value_once(monkeypatch):
    calls: list[str] = []
    real = enc._DECODERS["vni"]
    monkeypatch.setitem(enc._DECODERS, "vni", lambda text: calls.append(text) or real(text))
    names = [encode_vni(n) for n in _NAMES[:4]]
    series = pd.Series(names * 5000)
    fixed, used = fix_column(series, "vni")
    assert used == "vni"
    assert len(calls) <= 4
    assert fixed.tolist() == _NAMES[:4] * 5000


def test_fix_frame():
    frame = pd.DataFrame(
        {
            "ma_xa": ["01273", "01279", "01282"],
            "ten_tcvn3": [encode_tcvn3(n) for n in _NAMES[:3]],
            "ten_vni": [encode_vni(n) for n in _NAMES[3:6]],
            "ten_nfd": [unicodedata.normalize("NFD", n) for n in _NAMES[6:9]],
            "ten": _NAMES[9:12],
            "dien_tich": [12.5, 30.25, np.nan],
            "dan_so": [1200, 3400, 560],
        }
    )
    before = frame.copy()
    fixed, changed = fix_frame(frame)
    assert changed == {"ten_tcvn3": "tcvn3", "ten_vni": "vni", "ten_nfd": "utf-8"}
    assert fixed["ten_tcvn3"].tolist() == _NAMES[:3]
    assert fixed["ten_vni"].tolist() == _NAMES[3:6]
    assert fixed["ten_nfd"].tolist() == _NAMES[6:9]
    for column in ("ma_xa", "ten", "dien_tich", "dan_so"):
        pd.testing.assert_series_equal(fixed[column], frame[column])
    assert fixed["dan_so"].dtype == frame["dan_so"].dtype
    for column in ("ten_tcvn3", "ten_vni", "ten_nfd", "ten"):
        assert all(v == _NFC(v) for v in fixed[column])
    pd.testing.assert_frame_equal(frame, before)  # input untouched


def test_fix_frame_nothing_to_do_and_explicit_encoding():
    frame = pd.DataFrame({"a": [1, 2], "b": ["Cao Bang", None]})
    fixed, changed = fix_frame(frame)
    assert changed == {}
    pd.testing.assert_frame_equal(fixed, frame)
    frame = pd.DataFrame({"x": ["Baûo Laâm"], "y": ["Cao Baèng"]})
    fixed, changed = fix_frame(frame, "vni")
    assert changed == {"x": "vni", "y": "vni"}
    assert fixed.iloc[0].tolist() == ["Bảo Lâm", "Cao Bằng"]


def test_encodings_constant():
    assert ENCODINGS == ("utf-8", "tcvn3", "vni")
