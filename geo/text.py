"""Vietnamese text: NFC normalisation and keys for matching names.

Two keys are offered:

* :func:`name_key` folds case, spacing, *where the tone mark sits* ("Hoà" and
  "Hòa", "Thuỷ" and "Thủy" give one key) and the old "y" for "i" after a
  consonant ("Sỹ" and "Sĩ", "Kỳ" and "Kì"), but keeps every other letter and
  tone, so "Hòa" and "Hoa" stay different names.
* :func:`loose_key` also drops all diacritics and "đ"; it is the fallback for
  names typed without accents ("Bao Lam" for "Bảo Lâm").

Examples
--------
>>> name_key("Hoà An") == name_key("Hòa  an")
True
>>> name_key("Hòa") == name_key("Hoa"), name_key("Hồng Sỹ") == name_key("Hồng Sĩ")
(False, True)
>>> loose_key("Bảo Lâm") == loose_key("bao lam")
True
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["nfc", "name_key", "loose_key", "strip_unit_type", "code_words", "drawable", "one_line"]

# Combining marks of the five Vietnamese tones (grave, acute, hook above, tilde,
# dot below). Vowel-quality marks (circumflex, breve, horn) are not tones.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_SPACES = re.compile(r"\s+")
# "y" standing alone as the vowel after a consonant is the old spelling of "i" (Sỹ = Sĩ);
# after a vowel ("Thủy", "Quý", "Tày") it is a different letter and is kept.
_Y_AS_I = re.compile(r"(?<=\b[bcdđghklmnpqrstvx])y|(?<=\b[cgknpt]h)y|(?<=\bng)y|(?<=\btr)y")
_UNIT_TYPES = re.compile(
    r"^(xã|phường|thị trấn|thị xã|thành phố|huyện|tỉnh|tp\.?|tt\.?|p\.)\s+", re.IGNORECASE
)


#: Unicode categories no font draws: controls, format characters (a right-to-left override among them, which
#: turns the rest of a line around), private-use and surrogates.
_UNDRAWN = frozenset({"Cc", "Cf", "Co", "Cs"})


def drawable(value: object) -> str:
    r"""Text from a file as a page or a screen can draw it: characters no font draws left out, a line break kept;
    "–" when missing.

    >>> drawable("Nà\x1b[31m Pài\u202e\n$x$"), drawable(None), drawable(float("nan"))
    ('Nà[31m Pài\n$x$', '–', '–')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return "".join(c for c in str(value) if c == "\n" or unicodedata.category(c) not in _UNDRAWN)


def one_line(value: object) -> str:
    r"""As :func:`drawable`, on one line: any run of spaces, tabs or line breaks becomes one space (for a widget's
    option, which shows its text as typed, or a message).

    >>> one_line("Điểm\nTĐC \u202eA\t1"), one_line(None)
    ('Điểm TĐC A 1', '–')
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    return " ".join(drawable(" ".join(str(value).split())).split())


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC with runs of white space folded to one."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def _move_tones_to_word_end(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    # Sorted, so that a (mis-typed) word with two tone marks has one key whatever
    # their order: NFC of the key may reorder them canonically.
    tones = "".join(sorted(ch for ch in decomposed if ch in _TONES))
    letters = "".join(ch for ch in decomposed if ch not in _TONES)
    return letters + tones


def name_key(text: str) -> str:
    """Key for tone-placement- and case-insensitive matching of a name."""
    words = nfc(text).casefold().split(" ")
    return _Y_AS_I.sub("i", " ".join(_move_tones_to_word_end(w) for w in words))


def loose_key(text: str) -> str:
    """Key that ignores case, spacing and every diacritic (including đ)."""
    decomposed = unicodedata.normalize("NFD", nfc(text).casefold().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def strip_unit_type(name: str) -> str:
    """Remove a leading unit type ("Xã", "Phường", "Thị trấn", ...) from ``name``.

    >>> strip_unit_type("Thị trấn Bảo Lạc")
    'Bảo Lạc'
    """
    return _UNIT_TYPES.sub("", nfc(name))


def code_words(values: pd.Series, table: Mapping[str, object]) -> pd.Series:
    """Code every value by its :func:`loose_key` in ``table``; None where unknown or missing.

    Each distinct value is looked up once, so a column of a million cells
    with a handful of words costs a handful of lookups. Excel's "1.0" is "1".

    >>> code_words(pd.Series(["Có", "KHÔNG", 1.0, None, "?"]), {"co": True, "khong": False, "1": True}).tolist()
    [True, False, True, None, None]
    """
    codes, uniques = pd.factorize(values.astype(object))
    keys = [loose_key(str(v)).removesuffix(".0") for v in uniques]
    lookup = np.array([table.get(k) for k in keys] + [None], dtype=object)
    return pd.Series(lookup[codes], index=values.index, dtype=object)
