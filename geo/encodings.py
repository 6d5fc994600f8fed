"""Legacy Vietnamese 8-bit text (TCVN3/ABC and VNI) → Unicode.

Shapefiles (``.dbf``) and spreadsheets made before Unicode was common carry
Vietnamese in font-specific 8-bit encodings. Read with the usual Windows code
page (cp1252) or latin-1, such text looks like mojibake:

* **TCVN3 (ABC)**, the "VN3" font encoding of TCVN 5712:1993: one byte per
  letter, e.g. ``"Cao B»ng"`` for "Cao Bằng", ``"B¶o L©m"`` for "Bảo Lâm".
* **VNI** (VNI-Windows fonts): a base letter followed by a mark byte, e.g.
  ``"Cao Baèng"`` for "Cao Bằng", ``"Baûo Laâm"`` for "Bảo Lâm".

The functions here take such a *string* (the bytes already decoded as cp1252
or latin-1, which agree on every byte these encodings use) and return NFC
Unicode. :func:`detect` guesses a column's encoding by how much of it reads as
valid Vietnamese syllables; :func:`fix_column` and :func:`fix_frame` repair
pandas data, decoding each *distinct* value once.

Limits
------
* TCVN3 single-font text has bytes only for lowercase letters and for
  ``Ă Â Ê Ô Ơ Ư Đ``; uppercase toned vowels (``Ấ``, ``Ộ`` ...) lived in a second
  font (".VnTimeH", the "VN3H" set) at the *same* bytes as their lowercase
  forms. So ``"HµNG"`` can only mean "HÀNG" if the reader guesses from the
  context: :func:`decode_tcvn3` uppercases such letters when the rest of the
  text (or of the word) is in capitals (``restore_caps``); otherwise they come
  out lowercase. :func:`encode_tcvn3` writes them with the lowercase byte.
* Characters outside the tables (e.g. "ñ" in Spanish text) pass through the
  encoders unchanged, so encoding is lossless only for Vietnamese text.

Examples
--------
>>> decode_tcvn3("Cao B»ng"), decode_vni("Cao Baèng")
('Cao Bằng', 'Cao Bằng')
>>> encode_tcvn3("Bảo Lâm"), encode_vni("Bảo Lâm")
('B¶o L©m', 'Baûo Laâm')
>>> decode_tcvn3("HµNG NéI")      # capitals restored from the context
'HÀNG NỘI'
>>> detect(["B¶o L©m", "Hµ Qu¶ng", "Cao B»ng"]), detect(["Bảo Lâm"]), detect(["Cao Bang"])
('tcvn3', 'utf-8', 'utf-8')
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = [
    "ENCODINGS",
    "TCVN3",
    "TCVN3_MARKS",
    "VNI",
    "decode_tcvn3",
    "decode_vni",
    "encode_tcvn3",
    "encode_vni",
    "detect",
    "fix_column",
    "fix_frame",
]

ENCODINGS = ("utf-8", "tcvn3", "vni")

# --------------------------------------------------------------------------
# Tables. Values are the characters that the bytes show as in cp1252/latin-1
# (byte 0xB6 -> "¶"); the byte itself is in each comment.
# --------------------------------------------------------------------------

#: TCVN3 (ABC, TCVN 5712:1993 VN3): Unicode letter -> its one byte, as cp1252.
#: Lowercase: all 67 toned/untoned vowels with a non-ASCII form, plus đ.
#: Uppercase: only Ă Â Ê Ô Ơ Ư Đ (see the module notes for the other capitals).
TCVN3: dict[str, str] = {
    # capitals with a byte of their own
    "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5", "Ư": "\xa6", "Đ": "\xa7",
    # untoned lowercase with a modifier, and đ
    "ă": "\xa8", "â": "\xa9", "ê": "\xaa", "ô": "\xab", "ơ": "\xac", "ư": "\xad", "đ": "\xae",
    # tones in the order huyền (grave), hỏi (hook), ngã (tilde), sắc (acute), nặng (dot)
    "à": "\xb5", "ả": "\xb6", "ã": "\xb7", "á": "\xb8", "ạ": "\xb9",  # µ ¶ · ¸ ¹
    "ằ": "\xbb", "ẳ": "\xbc", "ẵ": "\xbd", "ắ": "\xbe", "ặ": "\xc6",  # » ¼ ½ ¾ Æ
    "ầ": "\xc7", "ẩ": "\xc8", "ẫ": "\xc9", "ấ": "\xca", "ậ": "\xcb",  # Ç È É Ê Ë
    "è": "\xcc", "ẻ": "\xce", "ẽ": "\xcf", "é": "\xd0", "ẹ": "\xd1",  # Ì Î Ï Ð Ñ
    "ề": "\xd2", "ể": "\xd3", "ễ": "\xd4", "ế": "\xd5", "ệ": "\xd6",  # Ò Ó Ô Õ Ö
    "ì": "\xd7", "ỉ": "\xd8", "ĩ": "\xdc", "í": "\xdd", "ị": "\xde",  # × Ø Ü Ý Þ
    "ò": "\xdf", "ỏ": "\xe1", "õ": "\xe2", "ó": "\xe3", "ọ": "\xe4",  # ß á â ã ä
    "ồ": "\xe5", "ổ": "\xe6", "ỗ": "\xe7", "ố": "\xe8", "ộ": "\xe9",  # å æ ç è é
    "ờ": "\xea", "ở": "\xeb", "ỡ": "\xec", "ớ": "\xed", "ợ": "\xee",  # ê ë ì í î
    "ù": "\xef", "ủ": "\xf1", "ũ": "\xf2", "ú": "\xf3", "ụ": "\xf4",  # ï ñ ò ó ô
    "ừ": "\xf5", "ử": "\xf6", "ữ": "\xf7", "ứ": "\xf8", "ự": "\xf9",  # õ ö ÷ ø ù
    "ỳ": "\xfa", "ỷ": "\xfb", "ỹ": "\xfc", "ý": "\xfd", "ỵ": "\xfe",  # ú û ü ý þ
}

#: TCVN 5712 also has the five tone marks as separate (combining) bytes
#: 0xB0-0xB4 ("°±²³´"); they are decoded only right after a vowel.
TCVN3_MARKS: dict[str, str] = {
    "\xb0": "\u0300",  # ° huyền
    "\xb1": "\u0309",  # ± hỏi
    "\xb2": "\u0303",  # ² ngã
    "\xb3": "\u0301",  # ³ sắc
    "\xb4": "\u0323",  # ´ nặng
}

#: VNI-Windows: Unicode letter -> base letter + mark byte (as cp1252).
#: Marks, lowercase / uppercase: sắc ù/Ù, huyền ø/Ø, hỏi û/Û, ngã õ/Õ, nặng ï/Ï;
#: circumflex â/Â and with a tone á à å ã ä / Á À Å Ã Ä; breve ê/Ê and with a
#: tone é è ú ü ë / É È Ú Ü Ë. Single bytes: ơ ô, ư ö, đ ñ, the toned i's
#: (í í, ì ì, ỉ æ, ĩ ó, ị ò) and ỵ î, with their capitals.
VNI: dict[str, str] = {
    # a ă â
    "à": "aø", "á": "aù", "ả": "aû", "ã": "aõ", "ạ": "aï",
    "ă": "aê", "ằ": "aè", "ắ": "aé", "ẳ": "aú", "ẵ": "aü", "ặ": "aë",
    "â": "aâ", "ầ": "aà", "ấ": "aá", "ẩ": "aå", "ẫ": "aã", "ậ": "aä",
    "À": "AØ", "Á": "AÙ", "Ả": "AÛ", "Ã": "AÕ", "Ạ": "AÏ",
    "Ă": "AÊ", "Ằ": "AÈ", "Ắ": "AÉ", "Ẳ": "AÚ", "Ẵ": "AÜ", "Ặ": "AË",
    "Â": "AÂ", "Ầ": "AÀ", "Ấ": "AÁ", "Ẩ": "AÅ", "Ẫ": "AÃ", "Ậ": "AÄ",
    # e ê
    "è": "eø", "é": "eù", "ẻ": "eû", "ẽ": "eõ", "ẹ": "eï",
    "ê": "eâ", "ề": "eà", "ế": "eá", "ể": "eå", "ễ": "eã", "ệ": "eä",
    "È": "EØ", "É": "EÙ", "Ẻ": "EÛ", "Ẽ": "EÕ", "Ẹ": "EÏ",
    "Ê": "EÂ", "Ề": "EÀ", "Ế": "EÁ", "Ể": "EÅ", "Ễ": "EÃ", "Ệ": "EÄ",
    # i: precomposed single bytes
    "ì": "\xec", "í": "\xed", "ỉ": "\xe6", "ĩ": "\xf3", "ị": "\xf2",  # ì í æ ó ò
    "Ì": "\xcc", "Í": "\xcd", "Ỉ": "\xc6", "Ĩ": "\xd3", "Ị": "\xd2",  # Ì Í Æ Ó Ò
    # o ô ơ
    "ò": "oø", "ó": "où", "ỏ": "oû", "õ": "oõ", "ọ": "oï",
    "ô": "oâ", "ồ": "oà", "ố": "oá", "ổ": "oå", "ỗ": "oã", "ộ": "oä",
    "ơ": "ô", "ờ": "ôø", "ớ": "ôù", "ở": "ôû", "ỡ": "ôõ", "ợ": "ôï",
    "Ò": "OØ", "Ó": "OÙ", "Ỏ": "OÛ", "Õ": "OÕ", "Ọ": "OÏ",
    "Ô": "OÂ", "Ồ": "OÀ", "Ố": "OÁ", "Ổ": "OÅ", "Ỗ": "OÃ", "Ộ": "OÄ",
    "Ơ": "Ô", "Ờ": "ÔØ", "Ớ": "ÔÙ", "Ở": "ÔÛ", "Ỡ": "ÔÕ", "Ợ": "ÔÏ",
    # u ư
    "ù": "uø", "ú": "uù", "ủ": "uû", "ũ": "uõ", "ụ": "uï",
    "ư": "ö", "ừ": "öø", "ứ": "öù", "ử": "öû", "ữ": "öõ", "ự": "öï",
    "Ù": "UØ", "Ú": "UÙ", "Ủ": "UÛ", "Ũ": "UÕ", "Ụ": "UÏ",
    "Ư": "Ö", "Ừ": "ÖØ", "Ứ": "ÖÙ", "Ử": "ÖÛ", "Ữ": "ÖÕ", "Ự": "ÖÏ",
    # y (ỵ is a single byte: the dot below would clash with y's tail)
    "ỳ": "yø", "ý": "yù", "ỷ": "yû", "ỹ": "yõ", "ỵ": "\xee",  # î
    "Ỳ": "YØ", "Ý": "YÙ", "Ỷ": "YÛ", "Ỹ": "YÕ", "Ỵ": "\xce",  # Î
    # đ
    "đ": "\xf1", "Đ": "\xd1",  # ñ Ñ
}

# --------------------------------------------------------------------------
# Decoders and encoders
# --------------------------------------------------------------------------

_TONES = {"\u0300": "grave", "\u0301": "acute", "\u0303": "tilde", "\u0309": "hook", "\u0323": "dot"}
_VOWEL_BASES = "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"

_TCVN3_DECODE = str.maketrans({byte: letter for letter, byte in TCVN3.items()})
_TCVN3_MARK = re.compile(f"([{_VOWEL_BASES}])([{''.join(TCVN3_MARKS)}])")
# Encoding: capitals without a byte fall back to their lowercase byte.
_TCVN3_ENCODE = str.maketrans(
    {
        **{
            unicodedata.normalize("NFC", base + tone).upper(): TCVN3[unicodedata.normalize("NFC", base + tone)]
            for base in "aăâeêioôơuưy"
            for tone in _TONES
        },
        **TCVN3,
    }
)
#: Lowercase letters whose capital has no TCVN3 byte (the 60 toned vowels).
_TCVN3_CASELESS = frozenset(k for k in TCVN3 if k.islower() and k.upper() not in TCVN3)


def _vni_decode_table() -> dict[str, str]:
    table = {code: letter for letter, code in VNI.items()}
    extra: dict[str, str] = {}
    for code, letter in table.items():
        if len(code) == 2:  # base + mark: also accept the mark in the other case
            extra.setdefault(code[0] + code[1].swapcase(), letter)
    # Lenient readings seen in the wild, never produced by encode_vni: i + tone
    # mark instead of the precomposed toned i, y + the usual dot mark for ỵ.
    for tone, (lower, upper) in {
        "\u0300": ("ø", "Ø"), "\u0301": ("ù", "Ù"), "\u0309": ("û", "Û"),
        "\u0303": ("õ", "Õ"), "\u0323": ("ï", "Ï"),
    }.items():
        for base in "iI":
            letter = unicodedata.normalize("NFC", base + tone)
            extra.setdefault(base + lower, letter)
            extra.setdefault(base + upper, letter)
    for code in ("yï", "yÏ"):
        extra.setdefault(code, "ỵ")
    for code in ("YÏ", "Yï"):
        extra.setdefault(code, "Ỵ")
    return {**extra, **table}


_VNI_DECODE = _vni_decode_table()
# Longest match first: "ôù" (ớ) before "ô" (ơ).
_VNI_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True)))
_VNI_ENCODE = str.maketrans(VNI)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _restore_caps(text: str) -> str:
    """Uppercase caseless TCVN3 letters inside capitalised text or words."""
    if not any(ch in _TCVN3_CASELESS for ch in text):
        return text

    def upper_caseless(part: str) -> str:
        return "".join(ch.upper() if ch in _TCVN3_CASELESS else ch for ch in part)

    cased = [ch for ch in text if ch.isalpha() and ch not in _TCVN3_CASELESS and ch.lower() != ch.upper()]
    if len(cased) >= 2 and all(ch.isupper() for ch in cased):
        return upper_caseless(text)

    def fix_word(match: re.Match[str]) -> str:
        word = match[0]
        others = [(i, ch) for i, ch in enumerate(word) if ch not in _TCVN3_CASELESS and ch.lower() != ch.upper()]
        if others and all(ch.isupper() for _, ch in others) and any(i > 0 for i, _ in others):
            return upper_caseless(word)
        return word

    return re.sub(r"\w+", fix_word, text)


def decode_tcvn3(text: str, restore_caps: bool = True) -> str:
    """Decode TCVN3 (ABC) text, as read with cp1252 or latin-1, to NFC Unicode.

    Bytes outside the table (ASCII, unused high bytes) are kept as they are.
    With ``restore_caps``, toned vowels, which single-font TCVN3 can only write
    in lowercase, are put in capitals when the text (or the word) around them
    is in capitals.

    >>> decode_tcvn3("§éc lËp - Tù do - H¹nh phóc")
    'Độc lập - Tự do - Hạnh phúc'
    """
    out = _TCVN3_MARK.sub(lambda m: m[1] + TCVN3_MARKS[m[2]], text.translate(_TCVN3_DECODE))
    out = _nfc(out)
    return _restore_caps(out) if restore_caps else out


def decode_vni(text: str) -> str:
    """Decode VNI-Windows text, as read with cp1252 or latin-1, to NFC Unicode.

    >>> decode_vni("Ñoäc laäp - Töï do - Haïnh phuùc")
    'Độc lập - Tự do - Hạnh phúc'
    """
    return _nfc(_VNI_PATTERN.sub(lambda m: _VNI_DECODE[m[0]], text))


def encode_tcvn3(text: str) -> str:
    """Unicode -> TCVN3 as it reads in cp1252 (inverse of :func:`decode_tcvn3`).

    Capital toned vowels have no TCVN3 byte and are written with the
    lowercase one (what single-font text does); characters outside the table
    pass through unchanged.
    """
    return _nfc(text).translate(_TCVN3_ENCODE)


def encode_vni(text: str) -> str:
    """Unicode -> VNI as it reads in cp1252 (inverse of :func:`decode_vni`)."""
    return _nfc(text).translate(_VNI_ENCODE)


_DECODERS = {"tcvn3": decode_tcvn3, "vni": decode_vni}

# --------------------------------------------------------------------------
# Plausibility: is a token a well-formed Vietnamese syllable?
# --------------------------------------------------------------------------

_INITIALS = (
    "ngh", "ng", "gh", "gi", "kh", "ch", "nh", "ph", "th", "tr", "qu",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)
# Vowel nucleus (with its medial glide) -> allowed finals; "-" = open syllable.
_RIMES_BY_NUCLEUS = {
    "a": "- c ch m n ng nh p t", "ă": "c m n ng p t", "â": "c m n ng p t",
    "e": "- c m n ng p t", "ê": "- ch m n nh p t", "i": "- ch m n nh p t",
    "o": "- c m n ng p t", "ô": "- c m n ng p t", "ơ": "- m n p t",
    "u": "- c m n ng p t", "ư": "- c m n ng t", "y": "-",
    "oa": "- c ch m n ng nh p t", "oă": "c m n ng p t", "oe": "- n t", "oo": "c ng",
    "uâ": "n ng t", "uê": "- ch n nh", "uy": "- ch n nh p t", "uơ": "-",
    "iê": "c m n ng p t", "yê": "m n ng t", "uô": "c m n ng t", "ươ": "c m n ng p t",
    "uyê": "n t",
    # diphthongs and triphthongs ending in a glide: open only
    **dict.fromkeys(
        "ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu ươi ươu oai oao oay oeo "
        "uây uôi iêu yêu uya uyu".split(),
        "-",
    ),
    # spelling of Tày place names in official lists (Pác Miầu)
    "iâu": "-",
}
_RIMES = {
    nucleus + ("" if final == "-" else final): final
    for nucleus, finals in _RIMES_BY_NUCLEUS.items()
    for final in finals.split()
}
# Well-formed but rare rimes (loanwords, a handful of words): half credit, so
# that e.g. VNI "Thoâng" reads better as "Thông" than as TCVN3 "Thoõng".
_RARE_RIMES = frozenset({"oong", "ooc", "uơ", "oao", "oeo", "uyu", "iâu", "oen", "oet", "uêch", "uênh"})
_STOP_FINALS = {"c", "ch", "p", "t"}
_SEPARATORS = re.compile(r"[\s\d\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+")


@lru_cache(maxsize=65536)
def _syllable_score(token: str) -> float:
    """1 for a well-formed Vietnamese syllable, 0.5 for a rare one, else 0."""
    if not 0 < len(token) <= 8:
        return 0.0
    decomposed = unicodedata.normalize("NFD", token.lower())
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) > 1:
        return 0.0
    base = _nfc("".join(ch for ch in decomposed if ch not in _TONES))
    best = 0.0
    for initial in _INITIALS:
        if base.startswith(initial):
            rime = base[len(initial):]
            final = _RIMES.get(rime)
            if final is None:
                continue
            # syllables closed by p, t, c, ch take only the sắc or nặng tone
            if final in _STOP_FINALS and (not tones or tones[0] not in ("\u0301", "\u0323")):
                continue
            best = max(best, 0.5 if rime in _RARE_RIMES else 1.0)
    return best


def _is_syllable(token: str) -> bool:
    return _syllable_score(token) > 0


def _tokens(text: str) -> list[str]:
    return [t for t in _SEPARATORS.split(text) if t]


def _plausibility(text: str) -> tuple[float, int]:
    """(valid syllables, with rare ones counting half; tokens) of ``text``."""
    tokens = _tokens(text)
    return sum(_syllable_score(t) for t in tokens), len(tokens)


# Characters a cp1252 or latin-1 reading of bytes can produce.
_CP1252_HIGH = bytes(range(0x80, 0xA0)).decode("cp1252", errors="ignore")
_NOT_LEGACY = re.compile(f"[^\\x00-\\xff{re.escape(_CP1252_HIGH)}]")


def _legacy_readable(text: str) -> bool:
    """Could ``text`` be 8-bit bytes read as cp1252/latin-1? (No "ả", no NFD marks.)"""
    return _NOT_LEGACY.search(text) is None


# --------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------

_MAX_SAMPLE = 5000  # distinct values looked at by detect(), most frequent first


def _detect_counts(counts: Mapping[str, int]) -> str:
    items = sorted(counts.items(), key=lambda kv: -kv[1])[:_MAX_SAMPLE]
    scores: dict[str, float] = {}
    changed = dict.fromkeys(_DECODERS, False)
    for encoding in ENCODINGS:
        good = 0.0
        total = 0
        for value, n in items:
            if encoding == "utf-8":
                text = _nfc(value)
            elif _legacy_readable(value):
                text = _DECODERS[encoding](value)
                changed[encoding] |= text != _nfc(value)
            else:  # this reading of the value is impossible: count it all as wrong
                total += n * max(len(_tokens(value)), 1)
                continue
            valid, count = _plausibility(text)
            good += n * valid
            total += n * count
        scores[encoding] = good / total if total else 0.0
    if abs(scores["tcvn3"] - scores["vni"]) > 1e-9:
        best = max(("tcvn3", "vni"), key=lambda e: scores[e])
    else:  # a tie: look at the bytes each encoding is known by
        best = "tcvn3" if _tcvn3_hits(items) >= _vni_hits(items) else "vni"
    if changed[best] and scores[best] > scores["utf-8"] + 1e-9:
        return best
    return "utf-8"


# Bytes 0xA1-0xBF (¡ ... ¿) are TCVN3's capitals, ă â ê ô ơ ư đ and most
# toned a's; VNI never uses them. VNI is known by a vowel followed by a mark.
_TCVN3_ONLY = re.compile("[\xa1-\xbf]")
_VNI_SEQUENCE = re.compile(
    "[aeouyAEOUYôöÔÖ][\u00f9\u00f8\u00fb\u00f5\u00ef\u00e2\u00e1\u00e0\u00e5\u00e3\u00e4"
    "\u00ea\u00e9\u00e8\u00fa\u00fc\u00eb\u00d9\u00d8\u00db\u00d5\u00cf\u00c2\u00c1"
    "\u00c0\u00c5\u00c3\u00c4\u00ca\u00c9\u00c8\u00da\u00dc\u00cb]"
)


def _tcvn3_hits(items: list[tuple[str, int]]) -> int:
    return sum(n * len(_TCVN3_ONLY.findall(v)) for v, n in items)


def _vni_hits(items: list[tuple[str, int]]) -> int:
    return sum(n * len(_VNI_SEQUENCE.findall(v)) for v, n in items)


def detect(values: Iterable[str]) -> str:
    """Guess whether text values are Unicode, TCVN3 or VNI.

    Each value is read three ways (as is, decoded from TCVN3, decoded from
    VNI); the score of a reading is the share of its tokens that are valid
    Vietnamese syllables, a reading that is impossible for a value (it holds
    characters that no 8-bit byte gives in cp1252, such as "ả") counting as all
    wrong. A legacy encoding wins only with a strictly higher score, so plain
    ASCII and Unicode text give ``"utf-8"``; in a mixed column the reading
    that fits most values wins. Non-strings are ignored.

    Returns
    -------
    str
        ``"utf-8"``, ``"tcvn3"`` or ``"vni"``.
    """
    return _detect_counts(Counter(v for v in values if isinstance(v, str)))


# --------------------------------------------------------------------------
# pandas
# --------------------------------------------------------------------------


def _fix_value(value: str, encoding: str) -> str:
    """NFC; decode too, unless the value cannot be legacy text or decoding
    makes it read worse (a Unicode value among legacy ones)."""
    original = _nfc(value)
    if encoding == "utf-8" or not _legacy_readable(value):
        return original
    decoded = _DECODERS[encoding](value)
    if decoded == original:
        return original
    good_before, n_before = _plausibility(original)
    good_after, n_after = _plausibility(decoded)
    if n_before and n_after and good_before / n_before > good_after / n_after:
        return original
    return decoded


def _fix_column(series: pd.Series, encoding: str) -> tuple[pd.Series, str, bool]:
    if encoding != "auto" and encoding not in ENCODINGS:
        raise ValueError(f"encoding must be 'auto' or one of {ENCODINGS}, got {encoding!r}")
    values = series.to_numpy(dtype=object, copy=True)
    try:
        codes, uniques = pd.factorize(values)
    except TypeError:  # unhashable cells (lists ...): only strings are text
        strings = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
        codes = np.full(len(values), -1, dtype=np.intp)
        sub_codes, uniques = pd.factorize(values[strings])
        codes[strings] = sub_codes
    uniques = np.asarray(uniques, dtype=object)
    is_text = np.fromiter((isinstance(u, str) for u in uniques), dtype=bool, count=len(uniques))
    if all(u.isascii() for u in uniques[is_text]):  # every reading of ASCII is itself: nothing to decode
        return series.copy(), "utf-8" if encoding == "auto" else encoding, False
    if encoding == "auto":
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        encoding = _detect_counts({u: int(c) for u, c, t in zip(uniques, counts, is_text) if t})
    fixed = np.array(
        [_fix_value(u, encoding) if t else u for u, t in zip(uniques, is_text)], dtype=object
    )
    differs = np.fromiter(
        (t and f != u for u, f, t in zip(uniques, fixed, is_text)), dtype=bool, count=len(uniques)
    )
    if not differs.any():
        return series.copy(), encoding, False
    rows = codes >= 0
    rows[rows] = differs[codes[rows]]
    values[rows] = fixed[codes[rows]]
    dtype = series.dtype if isinstance(series.dtype, pd.StringDtype) else object
    return pd.Series(values, index=series.index, name=series.name, dtype=dtype), encoding, True


def fix_column(series: pd.Series, encoding: str = "auto") -> tuple[pd.Series, str]:
    """Decode a text column to NFC Unicode.

    Parameters
    ----------
    series : pandas.Series
        Strings as read with cp1252/latin-1 (or already Unicode). Non-string
        cells (numbers, None, NaN) are returned untouched.
    encoding : {"auto", "utf-8", "tcvn3", "vni"}
        ``"auto"`` runs :func:`detect` on the column. With a legacy encoding,
        values that cannot be legacy text (they contain e.g. "ả") or that would
        read worse decoded are only NFC-normalised, so a column mixing Unicode
        and TCVN3 can be repaired with ``encoding="tcvn3"``.

    Returns
    -------
    (pandas.Series, str)
        The repaired copy (same index, name and string dtype) and the encoding
        used. Each distinct value is decoded once.
    """
    fixed, used, _ = _fix_column(series, encoding)
    return fixed, used


def fix_frame(frame: pd.DataFrame, encoding: str = "auto") -> tuple[pd.DataFrame, dict[str, str]]:
    """Apply :func:`fix_column` to every object or string column.

    Returns
    -------
    (pandas.DataFrame, dict)
        A repaired copy, and ``{column: encoding used}`` for the columns whose
        values changed (``"utf-8"`` when only NFC normalisation changed them).
        Numeric, datetime, categorical and geometry columns are left as they are.
    """
    out = frame.copy()
    changed: dict[str, str] = {}
    for position, column in enumerate(frame.columns):
        series = frame.iloc[:, position]
        if not (series.dtype == object or isinstance(series.dtype, pd.StringDtype)):
            continue
        fixed, used, did_change = _fix_column(series, encoding)
        if did_change:
            out.isetitem(position, fixed)
            changed[column] = used
    return out, changed
