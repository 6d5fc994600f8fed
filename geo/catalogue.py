"""The indicator catalogue: one :class:`Indicator` per target of the programme.

The catalogue lives in ``data/indicators.yaml`` (its header comment documents the
schema and the value conventions). It is validated when loaded, so a typo in a rule
name or a missing target fails at start-up with a message naming the file, the
entry and the field, rather than later as a wrong map.

Examples
--------
>>> cat = load_catalogue()
>>> cat["2"].rule, cat["2"].target, cat["2"].direction
('yearly_reduction_pp', 4.0, 'lower')
>>> get_indicator("19").name("en")
'Underweight children under 5'
"""

from __future__ import annotations

import functools
from dataclasses import astuple, dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from geo.text import nfc

__all__ = [
    "RULES",
    "THEMES",
    "LEVELS",
    "DIRECTIONS",
    "AGGREGATES",
    "UNITS",
    "Indicator",
    "CATALOGUE_PATH",
    "load_catalogue",
    "catalogue_frame",
    "get_indicator",
]

RULES = (
    "min_share",
    "max_share",
    "ratio_to_baseline",
    "yearly_reduction_pp",
    "yearly_relative_reduction",
    "units_leaving",
    "parity",
    "qualitative",
)
THEMES = ("income_poverty", "infrastructure", "settlement", "education", "health", "culture", "cadres")
LEVELS = ("village", "commune", "province")
DIRECTIONS = ("higher", "lower")
AGGREGATES = ("ratio", "sum", "leaving", "min")
UNITS = ("%", "triệu đồng/người/năm", "xã", "thôn", "cặp", "mức")

#: Rules whose outcome does not depend on a numeric target.
_NO_TARGET_RULES = ("qualitative", "parity")

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "indicators.yaml"


@dataclass(frozen=True)
class Indicator:
    """One target of the programme, as described in the catalogue.

    Attributes mirror the keys of an entry in ``data/indicators.yaml``; ``target``
    is a float, or None for the ``qualitative`` and ``parity`` rules.

    Examples
    --------
    >>> ind = get_indicator("14a")
    >>> ind.target, ind.strict, ind.level
    (98.0, True, 'commune')
    """

    id: str
    source_ref: str
    theme: str
    name_vi: str
    name_en: str
    text_vi: str
    text_en: str
    unit: str
    level: str
    direction: str
    rule: str
    target: float | None
    strict: bool
    aggregate: str
    baseline_year: int
    target_year: int
    note_en: str | None

    def text(self, lang: str = "vi") -> str:
        """The target's wording in the plan (Vietnamese), or its English translation.

        >>> get_indicator("12").text("en")[:40]
        '60% of DTTS households living scattered '
        """
        return self.text_vi if lang == "vi" else self.text_en

    def name(self, lang: str = "vi") -> str:
        """Return the short label in ``lang`` ("vi" or "en").

        Examples
        --------
        >>> get_indicator("2").name()
        'Tỷ lệ hộ nghèo DTTS'
        """
        if lang == "vi":
            return self.name_vi
        if lang == "en":
            return self.name_en
        raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")


_FIELDS = tuple(f.name for f in fields(Indicator))
_CHOICES = {
    "rule": RULES,
    "theme": THEMES,
    "level": LEVELS,
    "direction": DIRECTIONS,
    "aggregate": AGGREGATES,
    "unit": UNITS,
}
_REQUIRED_TEXT = ("id", "source_ref", "name_vi", "name_en", "text_vi", "text_en")
_NAMES = ("name_vi", "name_en")


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects a key repeated within one mapping."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _fail(path: Path, where: str, message: str) -> ValueError:
    return ValueError(f"{path}: {where}: {message}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _parse_entry(path: Path, index: int, raw: Any) -> Indicator:
    """Validate one raw YAML entry and turn it into an :class:`Indicator`."""
    if not isinstance(raw, dict):
        raise _fail(path, f"entry #{index + 1}", "is not a mapping")
    ident = raw.get("id")
    where = f"entry id={ident!r}" if ident is not None else f"entry #{index + 1}"

    unknown = sorted(str(k) for k in raw if k not in _FIELDS)
    if unknown:
        raise _fail(path, where, f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(_FIELDS)}")
    missing = [k for k in _FIELDS if k not in raw]
    if missing:
        raise _fail(path, where, f"missing field(s) {', '.join(missing)} (use null where none)")

    values: dict[str, Any] = {}
    for key in _FIELDS:
        value = raw[key]
        if key in _REQUIRED_TEXT or key in _CHOICES:
            if not isinstance(value, str) or not value.strip():
                raise _fail(path, where, f"field {key} must be a non-empty string (quote it), got {value!r}")
        elif key == "note_en":
            if value is not None and not isinstance(value, str):
                raise _fail(path, where, f"field note_en must be a string or null, got {value!r}")
        if key in _NAMES and nfc(value) != value:
            raise _fail(path, where, f"field {key} is not NFC-normalised text (or has stray spaces): {value!r}")
        values[key] = nfc(value) if isinstance(value, str) else value

    for key, allowed in _CHOICES.items():
        if values[key] not in allowed:
            raise _fail(path, where, f"field {key} is {values[key]!r}; allowed: {', '.join(allowed)}")

    target = values["target"]
    if target is None:
        if values["rule"] not in _NO_TARGET_RULES:
            raise _fail(path, where, f"field target is missing (null) but rule {values['rule']} needs one")
    elif not _is_number(target):
        raise _fail(path, where, f"field target must be a number or null, got {target!r}")
    else:
        values["target"] = float(target)

    if not isinstance(values["strict"], bool):
        raise _fail(path, where, f"field strict must be true or false, got {values['strict']!r}")
    for key in ("baseline_year", "target_year"):
        if not _is_int(values[key]):
            raise _fail(path, where, f"field {key} must be an integer year, got {values[key]!r}")
    if values["target_year"] <= values["baseline_year"]:
        raise _fail(path, where, "field target_year must be after baseline_year")
    return Indicator(**values)


def _read(path: Path) -> dict[str, Indicator]:
    """Read and validate the catalogue at ``path``; see :func:`load_catalogue`."""
    try:
        with open(path, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("indicators"), list):
        raise ValueError(f"{path}: expected a mapping with an 'indicators' list")
    if not doc["indicators"]:
        raise ValueError(f"{path}: the 'indicators' list is empty")

    catalogue: dict[str, Indicator] = {}
    for index, raw in enumerate(doc["indicators"]):
        indicator = _parse_entry(path, index, raw)
        if indicator.id in catalogue:
            raise _fail(path, f"entry id={indicator.id!r}", "field id is duplicated")
        catalogue[indicator.id] = indicator
    return catalogue


@functools.lru_cache(maxsize=1)
def _read_default() -> dict[str, Indicator]:
    return _read(CATALOGUE_PATH)


def load_catalogue(path: str | Path | None = None) -> dict[str, Indicator]:
    """Load and validate the indicator catalogue.

    Parameters
    ----------
    path
        A catalogue YAML file; default :data:`CATALOGUE_PATH` (read once, cached).

    Returns
    -------
    dict[str, Indicator]
        Indicators by id, in file order.

    Raises
    ------
    ValueError
        If the file is not valid YAML or an entry breaks the schema; the message
        names the file, the entry id and the field.

    Examples
    --------
    >>> list(load_catalogue())[:4]
    ['1', '2', '3a', '3b']
    """
    if path is None:
        return dict(_read_default())
    return _read(Path(path))


def catalogue_frame(path: str | Path | None = None) -> pd.DataFrame:
    """Return the catalogue as a table, one row per indicator.

    Columns are the fields of :class:`Indicator`, in order; ``target`` is NaN where
    the catalogue has null.

    Examples
    --------
    >>> frame = catalogue_frame()
    >>> frame.loc[frame["id"] == "19", ["rule", "target"]].to_numpy().tolist()
    [['max_share', 16.4]]
    """
    rows = [astuple(ind) for ind in load_catalogue(path).values()]
    frame = pd.DataFrame(rows, columns=list(_FIELDS))
    frame["target"] = frame["target"].astype(float)
    return frame


def get_indicator(indicator_id: str, path: str | Path | None = None) -> Indicator:
    """Return the indicator with id ``indicator_id``.

    Raises
    ------
    KeyError
        If there is no such id; the message lists the valid ids.

    Examples
    --------
    >>> get_indicator("3b").target
    24.0
    """
    catalogue = load_catalogue(path)
    try:
        return catalogue[str(indicator_id)]
    except KeyError:
        raise KeyError(
            f"no indicator {indicator_id!r}; valid ids: {', '.join(catalogue)}"
        ) from None
