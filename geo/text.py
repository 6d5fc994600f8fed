"""Vietnamese text: NFC normalisation and keys for matching names.

Two keys are offered:

* :func:`name_key` folds case, spacing and *where the tone mark sits* ("Hoà" and
  "Hòa", "Thuỷ" and "Thủy" give one key) but keeps every letter and tone, so
  "Hòa" and "Hoa" stay different names.
* :func:`loose_key` also drops all diacritics and "đ"; it is the fallback for
  names typed without accents ("Bao Lam" for "Bảo Lâm").

Examples
--------
>>> name_key("Hoà An") == name_key("Hòa  an")
True
>>> name_key("Hòa") == name_key("Hoa")
False
>>> loose_key("Bảo Lâm") == loose_key("bao lam")
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["nfc", "name_key", "loose_key", "strip_unit_type"]

# Combining marks of the five Vietnamese tones (grave, acute, hook above, tilde,
# dot below). Vowel-quality marks (circumflex, breve, horn) are not tones.
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_SPACES = re.compile(r"\s+")
_UNIT_TYPES = re.compile(
    r"^(xã|phường|thị trấn|thị xã|thành phố|huyện|tỉnh|tp\.?|tt\.?|p\.)\s+", re.IGNORECASE
)


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
    return " ".join(_move_tones_to_word_end(w) for w in words)


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
