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
    "StrictLoader",
    "RULES",
    "THEMES",
    "LEVELS",
    "DIRECTIONS",
    "AGGREGATES",
    "UNITS",
    "POPULATIONS",
    "NEEDS",
    "Change",
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
#: Whose people or households an indicator counts: DTTS only, everyone, or not people.
POPULATIONS = ("dtts", "all", "none")
#: Columns a data table may be required to give for an indicator (its ``needs``).
NEEDS = ("value", "numerator", "denominator", "ref_numerator", "ref_denominator")

#: Rules whose outcome does not depend on a numeric target.
_NO_TARGET_RULES = ("qualitative", "parity")

CATALOGUE_PATH = Path(__file__).resolve().parent.parent / "data" / "indicators.yaml"


@dataclass(frozen=True)
class Change:
    """A change of standard from ``from_year`` on (e.g. the 2022-2025 poverty standard)."""

    from_year: int
    note_vi: str
    note_en: str

    def note(self, lang: str = "vi") -> str:
        return self.note_vi if lang == "vi" else self.note_en


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
    numerator_en: str | None
    denominator_en: str | None
    population: str
    reference_en: str | None
    needs: tuple[str, ...]
    min_coverage: float
    counts_from: int | None
    interpretation_en: str | None
    changes: tuple[Change, ...]

    def notes(self, year: int | None = None, lang: str = "vi") -> list[str]:
        """The changes of standard that matter for a status in ``year`` (all when None).

        >>> get_indicator("2").notes(2021), len(get_indicator("2").notes(2023))
        ([], 1)
        """
        return [c.note(lang) for c in self.changes if year is None or year >= c.from_year]

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
    "population": POPULATIONS,
}
_OPTIONAL_TEXT = ("note_en", "numerator_en", "denominator_en", "reference_en", "interpretation_en")
_REQUIRED_TEXT = ("id", "source_ref", "name_vi", "name_en", "text_vi", "text_en")
_NAMES = ("name_vi", "name_en")


class StrictLoader(yaml.SafeLoader):
    """Safe YAML loader that rejects a key repeated within one mapping (for every YAML table in data/)."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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
        elif key in _OPTIONAL_TEXT:
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise _fail(path, where, f"field {key} must be a non-empty string or null, got {value!r}")
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
    _contract(path, where, values)
    return Indicator(**values)


def _contract(path: Path, where: str, values: dict[str, Any]) -> None:
    """Validate (and convert in place) the data-contract fields of one entry."""
    needs = values["needs"]
    if not isinstance(needs, list) or not needs or any(n not in NEEDS for n in needs) or len(set(needs)) != len(needs):
        raise _fail(path, where, f"field needs must be a list of distinct names among {', '.join(NEEDS)}, got {needs!r}")
    ratio = values["aggregate"] == "ratio"
    if ratio and not {"numerator", "denominator"} <= set(needs):
        raise _fail(path, where, "field needs must list numerator and denominator for aggregate ratio")
    if not ratio and needs != ["value"]:
        raise _fail(path, where, f"field needs must be [value] for aggregate {values['aggregate']}")
    if ratio and (values["numerator_en"] is None or values["denominator_en"] is None):
        raise _fail(path, where, "fields numerator_en and denominator_en must say what is counted (aggregate ratio)")
    parity = values["rule"] == "parity"
    if parity != (values["reference_en"] is not None) or parity != ({"ref_numerator", "ref_denominator"} <= set(needs)):
        raise _fail(path, where, "a parity rule, and only it, has reference_en and needs ref_numerator, ref_denominator")
    values["needs"] = tuple(needs)
    coverage = values["min_coverage"]
    if not _is_number(coverage) or not 0 < coverage <= 1:
        raise _fail(path, where, f"field min_coverage must be a number in (0, 1], got {coverage!r}")
    if not ratio and coverage != 1:
        raise _fail(path, where, f"field min_coverage must be 1 for aggregate {values['aggregate']} "
                                 "(a partial count understates)")
    values["min_coverage"] = float(coverage)
    first = values["counts_from"]
    if first is not None and (not _is_int(first) or not values["baseline_year"] < first <= values["target_year"]):
        raise _fail(path, where, f"field counts_from must be null or a year after the baseline, got {first!r}")
    changes = values["changes"]
    if not isinstance(changes, list):
        raise _fail(path, where, f"field changes must be a list (use [] for none), got {changes!r}")
    parsed = []
    for change in changes:
        if not isinstance(change, dict) or set(change) != {"from_year", "note_vi", "note_en"} \
                or not _is_int(change["from_year"]) \
                or not all(isinstance(change[k], str) and change[k].strip() for k in ("note_vi", "note_en")):
            raise _fail(path, where, f"each entry of changes needs from_year (integer), note_vi and note_en, got {change!r}")
        parsed.append(Change(change["from_year"], nfc(change["note_vi"]), nfc(change["note_en"])))
    values["changes"] = tuple(parsed)


def _read(path: Path) -> dict[str, Indicator]:
    """Read and validate the catalogue at ``path``; see :func:`load_catalogue`."""
    try:
        with open(path, encoding="utf-8") as handle:
            doc = yaml.load(handle, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
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


# --------------------------------------------------------------------------- documentation
_RULE_WORDS = {
    "min_share": "share = 100 x numerator / denominator; achieved when share {op} {target}{unit}",
    "max_share": "share = 100 x numerator / denominator; achieved when share {op} {target}{unit} (lower is better)",
    "ratio_to_baseline": "achieved when value {op} {target} x the unit's own 2020 value",
    "yearly_reduction_pp": "expected value in year Y = 2020 value - {target} x (Y - 2020), with no floor; achieved "
                           "when value <= 2020 value - {target} x 5, or when it reaches 0 (nothing left to fall)",
    "yearly_relative_reduction": "achieved when count <= 2020 count x (1 - {target}/100)^5; units with no couple in "
                                 "2020 are not applicable",
    "units_leaving": "province: units of the 2020 list off it in the year asked, each counted once, achieved when "
                     "{op} {target}; units that entered the list are counted apart and never subtracted; below the "
                     "province each unit is described (left / still listed / entered / not listed), never judged",
    "parity": "achieved when the DTTS share of cadres >= the reference share (DTTS share of the population)",
    "qualitative": "level 0 not started, 1 in progress, 2 basically complete; achieved at 2, on track at 1 before "
                   "2025",
}
_PATH_WORDS = ("on track when not achieved but at or better than the straight line from the unit's 2020 value to its "
               "2025 target in that year (never in 2025); behind otherwise")


def _examples(ind: Indicator) -> list[tuple[str, dict]]:
    """Worked cases for ``ind``: (description, records for geo.indicators.evaluate and its arguments)."""
    def rec(unit: str, year: int, **cols: float) -> dict:
        return {"unit_code": unit, "indicator_id": ind.id, "year": year, **cols}

    goal = ind.target
    if ind.rule in ("min_share", "max_share") and ind.counts_from is not None:
        return [("10 at-risk households, 3 resettled in 2020 (before the programme), none more in 2021",
                 {"records": [rec("X", 2020, numerator=3, denominator=10), rec("X", 2021, numerator=3, denominator=10)],
                  "year": 2021}),
                ("the same, 2 more resettled in 2021 (2 of the 7 of the programme)",
                 {"records": [rec("X", 2020, numerator=3, denominator=10), rec("X", 2021, numerator=5, denominator=10)],
                  "year": 2021})]
    if ind.rule in ("min_share", "max_share"):
        higher = ind.direction == "higher"
        base = max(goal - 20, 0) if higher else goal + 10
        worse = base + (goal - base) * 0.5
        better = base + (goal - base) * 0.7
        cases = []
        for value in (worse, better):
            cases.append((f"2020: {base:g} of 100; 2023: {value:g} of 100",
                          {"records": [rec("X", 2020, numerator=base, denominator=100),
                                       rec("X", 2023, numerator=value, denominator=100)], "year": 2023}))
        return cases
    if ind.rule == "ratio_to_baseline":
        return [(f"2020: 20 per person; 2023: {v:g}", {"records": [rec("X", 2020, numerator=2000, denominator=100),
                                                                   rec("X", 2023, numerator=v * 100, denominator=100)],
                                                       "year": 2023}) for v in (30, 33)]
    if ind.rule == "yearly_reduction_pp":
        return [(f"2020: 12%; {y}: {v:g}%", {"records": [rec("X", 2020, numerator=12, denominator=100),
                                                        rec("X", y, numerator=v, denominator=100)], "year": y})
                for y, v in ((2022, 7), (2022, 4), (2025, 0))]
    if ind.rule == "yearly_relative_reduction":
        return [(f"2020: 20 couples; 2023: {v}", {"records": [rec("X", 2020, value=20), rec("X", 2023, value=v)],
                                                  "year": 2023}) for v in (18, 19)]
    if ind.rule == "units_leaving":
        flags = {"A": (1, 0), "B": (0, 1), "C": (1, 1), "D": (0, 0)}
        records = [rec(u, y, value=f[i]) for u, f in flags.items() for i, y in enumerate((2020, 2023))]
        return [("four units in 2020 -> 2023: A listed -> off, B off -> listed, C listed -> listed, D never listed",
                 {"records": records, "year": 2023, "parent": "province"}),
                ("the same four units, each one on its own", {"records": records, "year": 2023})]
    if ind.rule == "parity":
        return [(f"2023: {n} of 40 cadres DTTS; population 900 DTTS of 1000",
                 {"records": [rec("X", 2023, numerator=n, denominator=40, ref_numerator=900, ref_denominator=1000)],
                  "year": 2023}) for n in (30, 36)]
    return [(f"{y}: level {v}", {"records": [rec("P", 2020, value=0), rec("P", y, value=v)], "year": y,
                                 "province": True}) for y, v in ((2023, 1), (2025, 1), (2025, 2))]


def _fmt(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def markdown(path: str | Path | None = None) -> str:
    """``docs/indicators.md``: for each target the plan's words, the rule, the data it needs, the reading
    chosen where the plan is vague, and worked examples computed by :func:`geo.indicators.evaluate`.

    Written by ``python -m geo docs --out docs/indicators.md``; a test checks the committed file is current.
    """
    from geo.indicators import aggregate, evaluate

    catalogue = load_catalogue(path)
    lines = ["# Indicators of the Cao Bằng ethnic-affairs plan 2021-2025: how each status is decided", "",
             "Generated from `data/indicators.yaml` by `python -m geo docs --out docs/indicators.md`; do not edit by "
             "hand. Every worked example below is computed by the engine (`geo.indicators.evaluate`), so a planner "
             "can check any status by hand against it.", "",
             "Statuses: **achieved** (the 2025 target is met, strictly where the plan says \"trên\"/\"dưới\"); "
             f"**on track** ({_PATH_WORDS.split('; ')[0].removeprefix('on track ')}); **behind**; **no data** (the "
             "value, or the 2020 value a rule needs, is missing, or a unit built from sub-units rests on fewer of them "
             "than the indicator's minimum coverage); **not applicable**. Shares of larger units are sums of "
             "numerators over sums of denominators; a unit that gives a share without numerator and denominator "
             "keeps its own status but is left out of the larger unit's share, and counted as \"value only\". The "
             "province status says how many communes it rests on (\"từ 143 trên 161 xã\" / \"from 143 of 161 "
             "communes\").", ""]
    for ind in catalogue.values():
        op = (">" if ind.strict else ">=") if ind.direction == "higher" else ("<" if ind.strict else "<=")
        unit = "%" if ind.unit == "%" else f" {ind.unit}"
        rule = _RULE_WORDS[ind.rule].format(op=op, target=_fmt(ind.target), unit=unit)
        lines += [f"## {ind.id}. {ind.name_en} / {ind.name_vi}", "",
                  f"**Plan's words** (target {ind.source_ref}): \"{ind.text_vi}\"  ", f"*{ind.text_en}*", "",
                  f"**Rule** (`{ind.rule}`, measured per {ind.level}, combined by `{ind.aggregate}`): {rule}."]
        if ind.rule in ("min_share", "max_share", "ratio_to_baseline", "yearly_relative_reduction"):
            path_words = _PATH_WORDS
            if ind.counts_from is not None:
                path_words = ("on track when at or above the one path of geo/resettlement.py: 0% at the end of "
                              f"{ind.counts_from - 1}, {_fmt(ind.target)}% at the end of {ind.target_year}, a straight "
                              "line between; behind otherwise")
            lines[-1] += f" Path: {path_words}."
        lines += ["", "**Data it needs**:", ""]
        lines.append(f"- columns: {', '.join(ind.needs)}")
        if ind.numerator_en:
            lines.append(f"- numerator: {ind.numerator_en}")
        if ind.denominator_en:
            lines.append(f"- denominator: {ind.denominator_en}")
        lines.append(f"- whose population: {dict(dtts='ethnic minorities (DTTS) only', all='everyone', none='not people (lengths, units, levels, counts)')[ind.population]}")
        if ind.reference_en:
            lines.append(f"- reference share: {ind.reference_en}")
        if ind.counts_from is not None:
            lines.append(f"- counts from: {ind.counts_from} (work done before is reported apart)")
        lines.append(f"- minimum coverage of a larger unit: {round(100 * ind.min_coverage)}% of its sub-units")
        if ind.note_en:
            lines.append(f"- convention: {ind.note_en}")
        lines.append("")
        if ind.interpretation_en:
            lines += [f"**Interpretation chosen**: {ind.interpretation_en}", ""]
        for change in ind.changes:
            lines += [f"**Change of standard from {change.from_year}**: {change.note_en}  ", f"*{change.note_vi}*", ""]
        lines += ["**Worked example**:", "", "| case | unit | year | value | target | expected | status | more |",
                  "|---|---|---|---|---|---|---|---|"]
        for words, case in _examples(ind):
            frame = pd.DataFrame(case["records"])
            province = case.get("province", False)
            if case.get("parent"):
                frame = aggregate(frame, dict.fromkeys(frame["unit_code"], "P"), catalogue)
                province = True
            out = evaluate(frame, case["year"], catalogue=catalogue, province=province)
            for row in out.itertuples(index=False):
                more = []
                if isinstance(row.listing, str):
                    more.append(f"listing: {row.listing}")
                if row.entered == row.entered and ind.rule == "units_leaving":
                    more.append(f"entered: {_fmt(float(row.entered))}")
                if row.done_before == row.done_before:
                    more.append(f"done before {ind.counts_from}: {_fmt(float(row.done_before))}")
                if row.reference == row.reference:
                    more.append(f"reference: {_fmt(float(row.reference))}")
                lines.append(f"| {words} | {row.unit_code} | {row.year} | {_fmt(float(row.value))} | "
                             f"{_fmt(float(row.target_value))} | {_fmt(float(row.expected))} | {row.status} | "
                             f"{'; '.join(more) or '–'} |")
        lines.append("")
    return "\n".join(lines)
