"""Tests of the indicator catalogue (data/indicators.yaml) and its loader."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
import yaml

from geo.catalogue import (
    CATALOGUE_PATH,
    RULES,
    THEMES,
    Indicator,
    catalogue_frame,
    get_indicator,
    load_catalogue,
)

EXPECTED_IDS = [
    "1", "2", "3a", "3b", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13",
    "14a", "14b", "14c", "14d", "15", "16", "17", "18", "19", "20a", "20b",
    "21", "22", "23", "24", "25",
]  # fmt: skip

# id -> (rule, target, strict, direction, aggregate, level, unit, theme)
EXPECTED = {
    "1": ("ratio_to_baseline", 2, True, "higher", "ratio", "commune", "triệu đồng/người/năm", "income_poverty"),
    "2": ("yearly_reduction_pp", 4, False, "lower", "ratio", "commune", "%", "income_poverty"),
    "3a": ("units_leaving", 62, False, "higher", "leaving", "commune", "xã", "income_poverty"),
    "3b": ("units_leaving", 24, False, "higher", "leaving", "village", "thôn", "income_poverty"),
    "4": ("min_share", 85, False, "higher", "ratio", "commune", "%", "infrastructure"),
    "5": ("min_share", 100, False, "higher", "ratio", "commune", "%", "infrastructure"),
    "6": ("min_share", 100, False, "higher", "ratio", "commune", "%", "infrastructure"),
    "7": ("min_share", 100, False, "higher", "ratio", "commune", "%", "infrastructure"),
    "8": ("min_share", 95, False, "higher", "ratio", "commune", "%", "infrastructure"),
    "9": ("min_share", 100, False, "higher", "ratio", "commune", "%", "infrastructure"),
    "10": ("qualitative", None, False, "higher", "min", "province", "mức", "settlement"),
    "11": ("min_share", 90, False, "higher", "ratio", "commune", "%", "settlement"),
    "12": ("min_share", 60, False, "higher", "ratio", "commune", "%", "settlement"),
    "13": ("min_share", 90, False, "higher", "ratio", "commune", "%", "settlement"),
    "14a": ("min_share", 98, True, "higher", "ratio", "commune", "%", "education"),
    "14b": ("min_share", 97, True, "higher", "ratio", "commune", "%", "education"),
    "14c": ("min_share", 95, True, "higher", "ratio", "commune", "%", "education"),
    "14d": ("min_share", 60, True, "higher", "ratio", "commune", "%", "education"),
    "15": ("min_share", 90, True, "higher", "ratio", "commune", "%", "education"),
    "16": ("qualitative", None, False, "higher", "min", "province", "mức", "health"),
    "17": ("min_share", 100, False, "higher", "ratio", "commune", "%", "health"),
    "18": ("min_share", 80, True, "higher", "ratio", "commune", "%", "health"),
    "19": ("max_share", 16.4, True, "lower", "ratio", "commune", "%", "health"),
    "20a": ("yearly_relative_reduction", 3, False, "lower", "sum", "commune", "cặp", "culture"),
    "20b": ("yearly_relative_reduction", 5, False, "lower", "sum", "commune", "cặp", "culture"),
    "21": ("min_share", 50, False, "higher", "ratio", "commune", "%", "education"),
    "22": ("qualitative", None, False, "higher", "min", "province", "mức", "culture"),
    "23": ("min_share", 80, False, "higher", "ratio", "village", "%", "culture"),
    "24": ("min_share", 50, False, "higher", "ratio", "village", "%", "culture"),
    "25": ("parity", None, False, "higher", "ratio", "commune", "%", "cadres"),
}

SEED_ARTICLE = Path("/work/shared/seed/000_75564cb67d1620b6.txt")
VI_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I)


@pytest.fixture(scope="module")
def catalogue() -> dict[str, Indicator]:
    return load_catalogue()


@pytest.fixture(scope="module")
def raw_doc() -> dict:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


# ----------------------------------------------------------------- coverage


def test_every_seed_target_present_in_file_order(catalogue):
    assert list(catalogue) == EXPECTED_IDS


def test_every_seed_number_is_a_source_ref(catalogue):
    refs = {ind.source_ref for ind in catalogue.values()}
    assert refs == {str(n) for n in range(1, 26)}


@pytest.mark.parametrize(
    ("ident", "ref"),
    [("3a", "3"), ("3b", "3"), ("14a", "14"), ("14d", "14"), ("20a", "20"), ("20b", "20"), ("7", "7"), ("25", "25")],
)
def test_source_ref_of_split_targets(catalogue, ident, ref):
    assert catalogue[ident].source_ref == ref


def test_ids_unique_in_raw_file(raw_doc):
    ids = [entry["id"] for entry in raw_doc["indicators"]]
    assert len(ids) == len(set(ids)) == 30
    assert all(isinstance(i, str) for i in ids)


def test_meta(raw_doc):
    meta = raw_doc["meta"]
    assert meta["baseline_year"] == 2020 and meta["target_year"] == 2025
    assert "1719/QĐ-TTg" in meta["programme"]
    assert "2015/KH-UBND" in meta["source"] and "CAO BẰNG" in meta["source"].upper()


# ----------------------------------------------------------------- per-id rules


@pytest.mark.parametrize("ident", EXPECTED_IDS)
def test_rule_per_id(catalogue, ident):
    rule, target, strict, direction, aggregate, level, unit, theme = EXPECTED[ident]
    ind = catalogue[ident]
    assert ind.rule == rule
    assert ind.target == (None if target is None else pytest.approx(target))
    assert ind.strict is strict
    assert ind.direction == direction
    assert ind.aggregate == aggregate
    assert ind.level == level
    assert ind.unit == unit
    assert ind.theme == theme


def test_poverty_target(catalogue):
    ind = catalogue["2"]
    assert (ind.rule, ind.target, ind.direction) == ("yearly_reduction_pp", 4.0, "lower")


def test_land_assumption_is_documented(catalogue):
    assert "giải quyết cơ bản" in catalogue["13"].note_en
    assert "assumption" in catalogue["13"].note_en


def test_couples_note_not_applicable(catalogue):
    for ident in ("20a", "20b"):
        assert "not applicable" in catalogue[ident].note_en


# ----------------------------------------------------------------- validity


@pytest.mark.parametrize("ident", EXPECTED_IDS)
def test_entry_valid(catalogue, ident):
    ind = catalogue[ident]
    assert ind.id == ident
    assert ind.rule in RULES and ind.theme in THEMES
    assert ind.baseline_year == 2020 and ind.target_year == 2025
    if ind.rule in ("qualitative", "parity"):
        assert ind.target is None
    else:
        assert isinstance(ind.target, float) and ind.target > 0
    if ind.unit == "%" and ind.target is not None and ind.rule in ("min_share", "max_share"):
        assert 0 < ind.target <= 100
    for text in (ind.name_vi, ind.name_en, ind.text_vi, ind.text_en):
        assert text and text == text.strip()
    assert ind.note_en is None or ind.note_en.strip()


def test_vietnamese_text_nfc_with_diacritics(catalogue):
    for ind in catalogue.values():
        for text in (ind.name_vi, ind.text_vi):
            assert unicodedata.is_normalized("NFC", text), ind.id
            assert VI_LETTERS.search(text), (ind.id, text)


def test_english_names_are_ascii(catalogue):
    for ind in catalogue.values():
        assert ind.name_en.isascii(), (ind.id, ind.name_en)


def test_raw_file_is_nfc():
    text = CATALOGUE_PATH.read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", text)


def test_text_vi_quotes_the_article(catalogue):
    if not SEED_ARTICLE.exists():
        pytest.skip("seed article not available")
    article = " ".join(unicodedata.normalize("NFC", SEED_ARTICLE.read_text(encoding="utf-8")).split())
    article = article.casefold()
    for ind in catalogue.values():
        for piece in ind.text_vi.split("[…]"):
            assert piece.strip().casefold() in article, (ind.id, piece)


def test_name_lang(catalogue):
    ind = catalogue["2"]
    assert ind.name() == "Tỷ lệ hộ nghèo DTTS"
    assert ind.name("en") == "Poverty rate of ethnic-minority households"
    with pytest.raises(ValueError):
        ind.name("fr")


# ----------------------------------------------------------------- API


def test_indicator_is_frozen(catalogue):
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue["1"].target = 3.0  # type: ignore[misc]


def test_default_load_is_cached_but_copy_is_safe():
    first = load_catalogue()
    first.pop("1")
    second = load_catalogue()
    assert "1" in second and second["2"] is load_catalogue()["2"]


def test_catalogue_frame():
    frame = catalogue_frame()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == [f.name for f in dataclasses.fields(Indicator)]
    assert frame["id"].tolist() == EXPECTED_IDS
    assert frame.loc[frame["id"] == "19", "target"].item() == pytest.approx(16.4)
    assert frame.loc[frame["id"] == "25", "target"].isna().all()


def test_get_indicator():
    assert get_indicator("3b").target == 24.0
    with pytest.raises(KeyError, match=r"'99'.*3a.*25"):
        get_indicator("99")


# ----------------------------------------------------------------- loader errors


def _write_variant(tmp_path: Path, raw_doc: dict, edit) -> Path:
    doc = {"meta": dict(raw_doc["meta"]), "indicators": [dict(e) for e in raw_doc["indicators"]]}
    edit(doc["indicators"])
    path = tmp_path / "indicators.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _by_id(entries: list[dict], ident: str) -> dict:
    return next(e for e in entries if e["id"] == ident)


def test_unmodified_copy_loads(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda entries: None)
    assert load_catalogue(path) == load_catalogue()


def test_error_unknown_rule(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "4").update(rule="at_least"))
    with pytest.raises(ValueError, match=r"'4'.*rule.*at_least") as info:
        load_catalogue(path)
    assert str(path) in str(info.value)


def test_error_duplicate_id(tmp_path, raw_doc):
    def edit(entries):
        entries.append(dict(_by_id(entries, "14b")))

    path = _write_variant(tmp_path, raw_doc, edit)
    with pytest.raises(ValueError, match=r"'14b'.*\bid\b.*duplicated"):
        load_catalogue(path)


def test_error_missing_target(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "12").update(target=None))
    with pytest.raises(ValueError, match=r"'12'.*target.*min_share"):
        load_catalogue(path)


def test_error_missing_key(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "8").pop("aggregate"))
    with pytest.raises(ValueError, match=r"'8'.*missing.*aggregate"):
        load_catalogue(path)


def test_error_unknown_key(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "8").update(colour="red"))
    with pytest.raises(ValueError, match=r"'8'.*unknown.*colour"):
        load_catalogue(path)


@pytest.mark.parametrize(
    ("field", "value"),
    [("theme", "water"), ("level", "district"), ("direction", "up"), ("aggregate", "mean")],
)
def test_error_bad_choice(tmp_path, raw_doc, field, value):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "9").update({field: value}))
    with pytest.raises(ValueError, match=rf"'9'.*{field}.*{value}"):
        load_catalogue(path)


def test_error_strict_not_bool(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "15").update(strict="yes"))
    with pytest.raises(ValueError, match=r"'15'.*strict"):
        load_catalogue(path)


def test_error_year_not_int(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "15").update(target_year="2025"))
    with pytest.raises(ValueError, match=r"'15'.*target_year"):
        load_catalogue(path)


def test_error_name_not_nfc(tmp_path, raw_doc):
    def edit(entries):
        entry = _by_id(entries, "2")
        entry["name_vi"] = unicodedata.normalize("NFD", entry["name_vi"])

    path = _write_variant(tmp_path, raw_doc, edit)
    with pytest.raises(ValueError, match=r"'2'.*name_vi.*NFC"):
        load_catalogue(path)


def test_text_is_normalised_on_load(tmp_path, raw_doc):
    def edit(entries):
        entry = _by_id(entries, "2")
        entry["text_vi"] = unicodedata.normalize("NFD", entry["text_vi"])

    path = _write_variant(tmp_path, raw_doc, edit)
    assert load_catalogue(path)["2"].text_vi == load_catalogue()["2"].text_vi


def test_error_unquoted_id(tmp_path, raw_doc):
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, "7").update(id=7))
    with pytest.raises(ValueError, match=r"7.*\bid\b.*string"):
        load_catalogue(path)


def test_error_duplicate_key_in_entry(tmp_path):
    text = CATALOGUE_PATH.read_text(encoding="utf-8").replace(
        "    rule: qualitative\n", "    rule: qualitative\n    rule: min_share\n", 1
    )
    path = tmp_path / "indicators.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"duplicate key 'rule'"):
        load_catalogue(path)


# ----------------------------------------------------------------- data contract (issue 16)


@pytest.mark.parametrize(
    ("ident", "change", "message"),
    [
        ("2", {"needs": ["value"]}, "needs must list numerator and denominator"),
        ("3a", {"needs": ["numerator"]}, r"needs must be \[value\]"),
        ("2", {"population": "dtts_only"}, "population"),
        ("2", {"min_coverage": 1.5}, "min_coverage"),
        ("3a", {"min_coverage": 0.8}, "partial count understates"),
        ("25", {"reference_en": None}, "parity rule"),
        ("12", {"counts_from": 2019}, "counts_from"),
        ("2", {"changes": [{"from_year": 2022, "note_vi": "x"}]}, "changes needs from_year"),
        ("8", {"denominator_en": None}, "must say what is counted"),
    ],
)
def test_error_contract_fields(tmp_path, raw_doc, ident, change, message):
    """"tỷ lệ hộ nghèo trong đồng bào dân tộc thiểu số": every indicator's data contract is written and checked."""
    path = _write_variant(tmp_path, raw_doc, lambda es: _by_id(es, ident).update(change))
    with pytest.raises(ValueError, match=message):
        load_catalogue(path)


def test_contract_of_every_indicator(catalogue):
    """"Bảo đảm tỷ lệ cán bộ [...] phù hợp với tỷ lệ dân số là người dân tộc thiểu số": the reference share of
    target 25 is part of its contract; every share says what its numerator and denominator count."""
    for ind in catalogue.values():
        assert ind.population in ("dtts", "all", "none")
        assert 0 < ind.min_coverage <= 1
        if ind.aggregate == "ratio":
            assert ind.numerator_en and ind.denominator_en
    assert catalogue["25"].needs == ("numerator", "denominator", "ref_numerator", "ref_denominator")
    assert catalogue["12"].counts_from == 2021
    assert "basically" in catalogue["10"].interpretation_en or "level 2" in catalogue["10"].interpretation_en
