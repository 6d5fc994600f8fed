"""The hazard types, read from ``data/hazards.yaml``: the single list every module derives from.

This module is light (YAML only, no GIS) so that :mod:`geo.i18n` can take the
types' names from it without importing :mod:`geo.hazards`. The file is
validated when read: a typo fails at start-up naming the file, the type and the
field.

>>> [h.code for h in HAZARD_VOCAB][:3]
['landslide', 'flash_flood', 'tube_flood']
>>> landslide = HAZARD_VOCAB[0]
>>> landslide.name_vi, landslide.level_column, landslide.level_header_vi, landslide.level_header_en
('Sạt lở đất', 'level_landslide', 'Mức sạt lở đất', 'Landslide level')
>>> HAZARD_VOCAB[1].level_header_en, HAZARD_VOCAB[1].hatch
('Flash-flood level', '....')
>>> landslide.level_doc
('Mức nguy cơ sạt lở đất (0 = không)', 'Landslide level (0 = none)')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from geo.catalogue import StrictLoader

__all__ = ["HAZARDS_PATH", "HazardType", "load_hazard_types", "HAZARD_VOCAB"]

HAZARDS_PATH = Path(__file__).resolve().parent.parent / "data" / "hazards.yaml"

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_HATCH = re.compile(r"[/\\|\-+xXoO.*]+")
_FIELDS = ("code", "name", "hatch", "terms", "hints")


@dataclass(frozen=True)
class HazardType:
    """One entry of ``data/hazards.yaml`` (see the file's header for the fields)."""

    code: str
    name_vi: str
    name_en: str
    hatch: str | None
    #: source key -> the terms it gives, as written in the file.
    terms_by_source: dict[str, tuple[str, ...]]
    hints: tuple[str, ...]

    @property
    def terms(self) -> tuple[str, ...]:
        """Every term once, in the file's order."""
        return tuple(dict.fromkeys(term for terms in self.terms_by_source.values() for term in terms))

    @property
    def level_column(self) -> str:
        return f"level_{self.code}"

    @property
    def level_header_vi(self) -> str:
        return f"Mức {self.name_vi[:1].lower()}{self.name_vi[1:]}"

    @property
    def level_header_en(self) -> str:
        return f"{self.name_en.replace(' ', '-')} level"

    @property
    def level_doc(self) -> tuple[str, str]:
        """What the level column means (Vietnamese, English), for the exports' column sheet."""
        return (f"Mức nguy cơ {self.name_vi[:1].lower()}{self.name_vi[1:]} (0 = không)",
                f"{self.level_header_en} (0 = none)")


def _text(value: Any, path: Path, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{path}: {where} must be a non-empty string (quote it), got {value!r}")
    return unicodedata.normalize("NFC", value.strip())


def _entry(raw: Any, index: int, sources: dict, path: Path) -> HazardType:
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: type #{index + 1} is not a mapping")
    where = f"type {raw.get('code', f'#{index + 1}')!r}"
    unknown, missing = sorted(map(str, set(raw) - set(_FIELDS))), [f for f in _FIELDS if f not in raw]
    if unknown or missing:
        raise ValueError(f"{path}: {where}: unknown field(s) {unknown}, missing field(s) {missing}; "
                         f"the fields are {', '.join(_FIELDS)}")
    code = raw["code"]
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise ValueError(f"{path}: {where}: code must be lower-case letters, digits and '_', got {code!r}")
    name = raw["name"]
    if not isinstance(name, list) or len(name) != 2:
        raise ValueError(f"{path}: {where}: name must be [Vietnamese, English], got {name!r}")
    name_vi, name_en = (_text(n, path, f"{where}: name") for n in name)
    hatch = raw["hatch"]
    if hatch is not None and not (isinstance(hatch, str) and _HATCH.fullmatch(hatch)):
        raise ValueError(f"{path}: {where}: hatch must be null or matplotlib hatch characters (/\\|-+xoO.*), "
                         f"got {hatch!r}")
    terms = raw["terms"]
    if not isinstance(terms, dict) or not terms:
        raise ValueError(f"{path}: {where}: terms must map sources to lists of words")
    by_source: dict[str, tuple[str, ...]] = {}
    for source, words in terms.items():
        if source not in sources:
            raise ValueError(f"{path}: {where}: terms cite {source!r}, which is not under 'sources' "
                             f"({', '.join(sources)})")
        if not isinstance(words, list) or not words:
            raise ValueError(f"{path}: {where}: terms of {source} must be a non-empty list")
        by_source[source] = tuple(_text(w, path, f"{where}: a term of {source}") for w in words)
    hints = raw["hints"]
    if not isinstance(hints, list):
        raise ValueError(f"{path}: {where}: hints must be a list (may be empty: [])")
    return HazardType(code, name_vi, name_en, hatch, by_source,
                      tuple(_text(h, path, f"{where}: a hint") for h in hints))


def load_hazard_types(path: str | Path | None = None) -> tuple[HazardType, ...]:
    """The hazard types of ``path`` (default ``data/hazards.yaml``), validated, in the file's order.

    Raises ``ValueError`` naming the file, the type and the field on a problem.
    The default file is read once.
    """
    return _read(Path(path)) if path is not None else _read_default()


@functools.lru_cache(maxsize=1)
def _read_default() -> tuple[HazardType, ...]:
    return _read(HAZARDS_PATH)


def _read(path: Path) -> tuple[HazardType, ...]:
    try:
        with open(path, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or set(doc) != {"sources", "types"}:
        raise ValueError(f"{path}: expected a mapping with 'sources' and 'types'")
    sources, raw_types = doc["sources"], doc["types"]
    if not isinstance(sources, dict) or not isinstance(raw_types, list) or not raw_types:
        raise ValueError(f"{path}: 'sources' must be a mapping and 'types' a non-empty list")
    types = tuple(_entry(raw, i, sources, path) for i, raw in enumerate(raw_types))
    for attribute in ("code", "name_vi", "name_en", "hatch"):
        values = [getattr(h, attribute) for h in types]
        repeated = sorted({str(v) for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"{path}: two types share the {attribute.replace('_', ' ')} {', '.join(repeated)}")
    return types


#: The hazard types of ``data/hazards.yaml``, in its order.
HAZARD_VOCAB: tuple[HazardType, ...] = load_hazard_types()
