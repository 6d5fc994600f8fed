"""Tests of geo.hazards: parsing of types and levels, zone preparation and household flagging."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely import Polygon, box

import geo.hazards
from geo.crs import METRIC_CRS, WGS84
from geo.dataset import load
from geo.hazards import (
    HAZARD_TYPES,
    LEVEL_COLUMNS,
    LEVEL_NUMBER_FORMS,
    LEVEL_NUMERALS,
    LEVEL_PHRASES,
    LEVEL_WORD_FORMS_EN,
    LEVEL_WORD_FORMS_VI,
    LEVEL_WORDS_EN,
    LEVEL_WORDS_VI,
    TYPE_FORMS,
    TYPE_TERMS,
    HazardZones,
    changed_between,
    code_hazard_types,
    code_levels,
    flag_households,
    flag_register,
    levels_at,
    parse_hazard_types,
    parse_levels,
    prepare_zones,
    suggest,
)
from geo.text import loose_key

X0, Y0 = 551_000.0, 2_506_000.0  # central Cao Bằng in EPSG:9210
SIZE = 20_000.0


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("landslide", "landslide"), ("Landslide", "landslide"), (" LANDSLIDE ", "landslide"),
        ("flash_flood", "flash_flood"), ("Flash flood", "flash_flood"), ("flash-flood", "flash_flood"),
        ("tube_flood", "tube_flood"), ("Tube Flood", "tube_flood"),
        ("Sạt lở", "landslide"), ("sat lo", "landslide"), ("Sạt lở đất", "landslide"), ("trượt lở", "landslide"),
        ("Lũ quét", "flash_flood"), ("lu quet", "flash_flood"), ("LŨ QUÉT", "flash_flood"),
        ("Lũ ống", "tube_flood"), ("lu ong", "tube_flood"),
    ],
)
def test_parse_hazard_types(raw, code):
    assert parse_hazard_types(pd.Series([raw])).tolist() == [code]


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        (4, 4), ("4", 4), (4.0, 4), ("4.0", 4), (np.int64(2), 2), (np.float32(5), 5), (" 1 ", 1),
        ("very_low", 1), ("low", 2), ("medium", 3), ("High", 4), ("very high", 5), ("Very-High", 5),
        ("Rất thấp", 1), ("rat thap", 1), ("Thấp", 2), ("Trung bình", 3), ("trung binh", 3), ("Cao", 4),
        ("Rất cao", 5), ("RAT CAO", 5),
    ],
)
def test_parse_levels(raw, level):
    parsed = parse_levels(pd.Series([raw], dtype=object))
    assert parsed.tolist() == [level]
    assert parsed.dtype == np.int8


def test_parse_numeric_series_keeps_index():
    values = pd.Series([1.0, 5.0, 3.0], index=["a", "b", "c"])
    assert parse_levels(values).to_dict() == {"a": 1, "b": 5, "c": 3}
    assert parse_levels(pd.Series([2, 4])).tolist() == [2, 4]


@pytest.mark.parametrize("bad", ["động đất", "lũ", None, np.nan, ""])
def test_unknown_type_raises_naming_the_feature(bad):
    # Features are numbered from 1 in file order, whatever the frame's index.
    values = pd.Series(["landslide", bad, "lũ quét"], index=[10, 11, 12], dtype=object)
    with pytest.raises(ValueError, match=r"feature 2, column 'hazard_type'"):
        parse_hazard_types(values)


@pytest.mark.parametrize("bad", [0, 6, 4.5, "extreme", "cao lắm", None, -1])
def test_unknown_level_raises_naming_the_feature(bad):
    values = pd.Series([3, bad], index=["ok", "zone-7"], dtype=object)
    with pytest.raises(ValueError, match=r"feature 2, column 'level'"):
        parse_levels(values)


def test_error_counts_bad_rows():
    with pytest.raises(ValueError, match=r"^feature 2, column 'level': 'x' is not a level \(2 such\)"):
        parse_levels(pd.Series([1, "x", 3, "y"]))


# --------------------------------------------------------------------------- vocabulary


def _spellings(term: str) -> list[str]:
    """A term as offices type it: as is, upper case, without accents, with underscores."""
    return [term, term.upper(), loose_key(term), term.replace(" ", "_")]


TYPE_FAMILIES = [(term, code) for code, terms in TYPE_TERMS.items() for term in terms]


@pytest.mark.parametrize(("term", "code"), TYPE_FAMILIES)
@pytest.mark.parametrize("form", TYPE_FORMS)
def test_every_type_term_in_every_form(term, code, form):
    values = pd.Series([form.format(s) for s in _spellings(term)])
    assert code_hazard_types(values).tolist() == [code] * 4


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Trượt lở đất đá", "landslide"), ("Nguy cơ trượt lở đất đá", "landslide"), ("TLĐĐ", "landslide"),
        ("tldd", "landslide"), ("Sạt trượt", "landslide"), ("sạt lở đất", "landslide"), ("Lở đá", "landslide"),
        ("Lũ bùn đá", "flash_flood"), ("LŨ QUÉT", "flash_flood"), ("debris-flow", "flash_flood"),
        ("Lũ ống", "tube_flood"), ("vùng nguy cơ lũ ống", "tube_flood"),
    ],
)
def test_official_type_terms(raw, code):
    assert code_hazard_types(pd.Series([raw])).tolist() == [code]


LEVEL_FAMILIES = (
    [(form.format(n), level) for level, ns in LEVEL_NUMERALS.items() for n in ns for form in LEVEL_NUMBER_FORMS]
    + [(form.format(w), level) for level, ws in LEVEL_WORDS_VI.items() for w in ws for form in LEVEL_WORD_FORMS_VI]
    + [(form.format(w), level) for level, ws in LEVEL_WORDS_EN.items() for w in ws for form in LEVEL_WORD_FORMS_EN]
    + [(p, level) for level, ps in LEVEL_PHRASES.items() for p in ps]
)


@pytest.mark.parametrize(("term", "level"), LEVEL_FAMILIES)
def test_every_level_term_in_every_form(term, level):
    coded = code_levels(pd.Series(_spellings(term)))
    assert coded.tolist() == [level] * 4
    assert coded.dtype == "Int8"


@pytest.mark.parametrize(
    ("raw", "level"),
    [
        ("cấp 3", 3), ("Cấp độ 3", 3), ("cấp độ rủi ro 3", 3), ("Rủi ro cấp 3", 3), ("III", 3), ("cấp độ III", 3),
        ("3.0", 3), (3.0, 3), ("3,0", 3), (np.int8(3), 3), ("Nguy cơ cao", 4), ("nguy cơ rất thấp", 1),
        ("Rất cao", 5), ("very_high", 5), ("Moderate", 3), ("Cấp độ rủi ro thiên tai 5", 5), ("V", 5), ("iv", 4),
        # Decision 18/2021 has its own words: its "trung bình" is 2 where the zoning maps' is 3.
        ("Rủi ro thấp", 1), ("Rủi ro trung bình", 2), ("rủi ro lớn", 3), ("Rủi ro rất lớn", 4), ("Thảm họa", 5),
    ],
)
def test_official_level_terms(raw, level):
    assert code_levels(pd.Series([raw], dtype=object)).tolist() == [level]


@pytest.mark.parametrize("bad", ["-1", -1, "0", 0, "", "  ", "6", 6, "4.5", 4.5, "cấp 6", "cấp 0", "VI", "extreme",
                                 None, np.nan, pd.NA, "rủi ro", "cấp"])
def test_not_levels_are_na_not_raised(bad):
    coded = code_levels(pd.Series([2, bad, "cao"], dtype=object))
    assert coded.isna().tolist() == [False, True, False]
    assert coded.dtype == "Int8"


@pytest.mark.parametrize("bad", ["Ngập lụt", "lũ", "Lũ quét - sạt lở", "động đất", "", None, np.nan, 3, "SL", "rock"])
def test_unknown_types_are_none_not_raised(bad):
    coded = code_hazard_types(pd.Series(["lũ ống", bad], index=["a", "b"], dtype=object))
    assert coded.to_dict() == {"a": "tube_flood", "b": None}


def test_codes_keep_the_index_and_repeat_for_repeated_values():
    values = pd.Series(["Trượt lở đất đá"] * 3 + ["x"] * 2, index=list("vwxyz"))
    assert code_hazard_types(values).to_dict() == {"v": "landslide", "w": "landslide", "x": "landslide",
                                                   "y": None, "z": None}
    assert code_levels(pd.Series([], dtype=object)).dtype == "Int8"


def test_extra_is_consulted_first():
    values = pd.Series(["Trượt lở đất đá", "Ngập lụt", "Sạt lở"])
    extra = {"Ngập  lụt": "flash_flood", "sat lo": "tube_flood"}  # loose keys, as typed
    assert code_hazard_types(values, extra=extra).tolist() == ["landslide", "flash_flood", "tube_flood"]
    levels = code_levels(pd.Series(["Cao", "Cấp A", "cực cao"]), extra={"cao": 5, "CẤP A": 1})
    assert levels.tolist() == [5, 1, pd.NA]


@pytest.mark.parametrize(("function", "extra"), [(code_hazard_types, {"x": "rockslide"}), (code_levels, {"x": 6}),
                                                 (code_levels, {"x": "3"}), (code_levels, {"x": True})])
def test_bad_extra_raises(function, extra):
    with pytest.raises(ValueError, match="extra"):
        function(pd.Series(["x"]), extra=extra)


@pytest.mark.parametrize(
    ("value", "guess"),
    [
        ("Trượt lở đất đá", "landslide"),     # known: itself
        ("Khu vực nguy cơ lở đá lăn", "landslide"), ("Nguy cơ sạt trượt taluy", "landslide"),
        ("Lũ quét kèm bùn", "flash_flood"), ("lu qet", "flash_flood"), ("trot lo dat da", "landslide"),
        ("SL", "landslide"), ("LQ", "flash_flood"), ("TLĐ", "landslide"),
        ("Lũ quét - sạt lở", None),           # two types in one zone: the user splits or chooses
        ("LO", None),                         # "lở" or "lũ ống"
        ("Ngập lụt", None), ("Lũ lụt", None), ("sụt lún", None), ("động đất", None), ("", None),
    ],
)
def test_suggest_hazard_type(value, guess):
    assert suggest(value, "hazard_type") == guess


@pytest.mark.parametrize(
    ("value", "guess"),
    [
        ("Nguy cơ cao", 4), ("Vùng nguy cơ rất cao", 5), ("Cấp độ rủi ro thiên tai: 3 (lớn)", 3), ("cấp IV", 4),
        ("hight", 4), ("trung bnh", 3), ("Nguy cơ trượt lở thấp", 2),
        ("Cấp 2-3", None), ("rất cao / cao", None), ("III (cao)", None), ("-1", None), ("0", None), ("6", None),
        ("4.5", None), ("", None), ("không xác định", None),
    ],
)
def test_suggest_level(value, guess):
    assert suggest(value, "level") == guess


def test_suggest_checks_what():
    with pytest.raises(ValueError, match="hazard_type, level"):
        suggest("cao", "risk")


# --------------------------------------------------------------------------- one vocabulary (data/hazards.yaml)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("riverbank_erosion", "riverbank_erosion"), ("Riverbank erosion", "riverbank_erosion"),
        ("Sạt lở bờ sông", "riverbank_erosion"), ("sat lo bo song", "riverbank_erosion"),
        ("SẠT_LỞ_BỜ_SÔNG", "riverbank_erosion"), ("Xói lở bờ sông", "riverbank_erosion"),
        ("Vùng nguy cơ sạt lở bờ sông", "riverbank_erosion"), ("sạt lở bờ suối", "riverbank_erosion"),
        ("Sạt lở", "landslide"), ("sạt lở đất", "landslide"),  # the mountain landslide keeps its words
    ],
)
def test_riverbank_erosion_is_read(raw, code):
    assert parse_hazard_types(pd.Series([raw])).tolist() == [code]


@pytest.mark.parametrize(
    ("value", "guess"),
    [
        ("Đoạn sạt lở bờ sông Bằng Giang", "riverbank_erosion"),  # the longer hint hides "sạt" and "lở"
        ("Khu vực xói lở ven suối", "riverbank_erosion"), ("SLBS", "riverbank_erosion"),
        ("Sạt lở đồi", "landslide"), ("Ngập lụt ven sông", None),
    ],
)
def test_suggest_riverbank_erosion(value, guess):
    assert suggest(value, "hazard_type") == guess


def test_riverbank_erosion_zones_are_flagged():
    zones = gpd.GeoDataFrame({"hazard_type": ["Sạt lở bờ sông", "sạt lở"], "level": ["cao", 2]},
                             geometry=[box(0, 0, 10, 10), box(5, 5, 20, 20)], crs=METRIC_CRS)
    result = flag_households(_homes([[1, 1], [8, 8], [30, 30]]), zones)
    assert result["level_riverbank_erosion"].tolist() == [4, 4, 0]
    assert result["hazard_types"].tolist() == ["riverbank_erosion", "landslide;riverbank_erosion", ""]


def test_every_type_is_named_headed_hatched_and_exported():
    """Everything per type derives from data/hazards.yaml: nothing else has to be edited for a new type."""
    from geo.dataexport import COLUMN_DOCS
    from geo.hazardtypes import HAZARD_VOCAB
    from geo.i18n import header, t
    from geo.mapexport import _HAZARD_HATCH
    from geo.risk import PUBLIC_COLUMNS, RiskFilter

    assert HAZARD_TYPES == tuple(h.code for h in HAZARD_VOCAB) == tuple(TYPE_TERMS)
    assert LEVEL_COLUMNS == [f"level_{code}" for code in HAZARD_TYPES]
    assert RiskFilter().types == HAZARD_TYPES
    for hazard in HAZARD_VOCAB:
        assert (t(hazard.code), t(hazard.code, "en")) == (hazard.name_vi, hazard.name_en)
        assert header(hazard.level_column, "en") == hazard.level_header_en
        assert hazard.level_column in PUBLIC_COLUMNS and hazard.level_column in COLUMN_DOCS
        assert _HAZARD_HATCH[hazard.code] == hazard.hatch
        assert code_hazard_types(pd.Series([hazard.code, hazard.name_vi, hazard.name_en])).tolist() == [hazard.code] * 3
    assert len({h.hatch for h in HAZARD_VOCAB}) == len(HAZARD_VOCAB)  # colour shows the level, hatch the type


def test_riverbank_erosion_names_and_sources():
    from geo.hazardtypes import HAZARD_VOCAB
    from geo.i18n import header

    riverbank = HAZARD_VOCAB[HAZARD_TYPES.index("riverbank_erosion")]
    assert (header("level_riverbank_erosion"), header("level_riverbank_erosion", "en")) == (
        "Mức sạt lở bờ sông", "Riverbank-erosion level")
    assert riverbank.level_doc == ("Mức nguy cơ sạt lở bờ sông (0 = không)", "Riverbank-erosion level (0 = none)")
    assert "QĐ01" in riverbank.terms_by_source  # Decision 01/2011/QĐ-TTg on riverbank and coastal erosion


_GOOD_TYPE = """
  - code: rockfall_x
    name: ["Đá lăn", "Rock fall"]
    hatch: "oo"
    terms:
      EN: [rock fall]
    hints: [da lan]
"""


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda text: text, None),
        (lambda text: text.replace("EN: [rock fall]", "NOPE: [rock fall]"), "cite 'NOPE'"),
        (lambda text: text.replace('hatch: "oo"', 'hatch: "zz"'), "hatch"),
        (lambda text: text.replace('hatch: "oo"', 'hatch: "oo"\n    colour: red'), "unknown field"),
        (lambda text: text.replace("rockfall_x", "Rock Fall"), "code must be"),
        (lambda text: text.replace('["Đá lăn", "Rock fall"]', '["Đá lăn"]'), "name must be"),
        (lambda text: text + text.split("types:")[1], "share the code"),
        (lambda text: text.replace("    hints: [da lan]", "    hints: [da lan]\n    hints: []"), "duplicate key"),
    ],
)
def test_vocabulary_file_is_checked(tmp_path, edit, message):
    from geo.hazardtypes import load_hazard_types

    path = tmp_path / "hazards.yaml"
    path.write_text(edit('sources:\n  EN: "English"\ntypes:' + _GOOD_TYPE), encoding="utf-8")
    if message is None:
        (rock,) = load_hazard_types(path)
        assert (rock.code, rock.terms, rock.level_column, rock.level_header_vi) == (
            "rockfall_x", ("rock fall",), "level_rockfall_x", "Mức đá lăn")
    else:
        with pytest.raises(ValueError, match=message):
            load_hazard_types(path)


# --------------------------------------------------------------------------- random data


def _star(rng: np.random.Generator, cx: float, cy: float, radius: float) -> Polygon:
    n = int(rng.integers(5, 14))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = radius * rng.uniform(0.3, 1.0, n)
    return Polygon(np.c_[cx + radii * np.cos(angles), cy + radii * np.sin(angles)])


def random_zones(seed: int, n: int = 50) -> gpd.GeoDataFrame:
    """``n`` random, often overlapping zones of all types and levels; some with holes, some multi-part."""
    rng = np.random.default_rng(seed)
    geoms = []
    for i in range(n):
        cx, cy = X0 + rng.uniform(0, SIZE), Y0 + rng.uniform(0, SIZE)
        shape = _star(rng, cx, cy, rng.uniform(500, 4000))
        if i % 7 == 3:  # with a hole
            shape = shape.difference(shapely.Point(cx, cy).buffer(rng.uniform(50, 300)))
        if i % 11 == 5:  # two parts
            shape = shapely.union(shape, _star(rng, cx + 6000, cy - 3000, 800))
        geoms.append(shape)
    types = np.array(HAZARD_TYPES)[np.arange(n) % len(HAZARD_TYPES)]
    levels = (np.arange(n) // len(HAZARD_TYPES)) % 5 + 1
    rng.shuffle(types)
    rng.shuffle(levels)
    assert set(types) == set(HAZARD_TYPES) and set(levels) == {1, 2, 3, 4, 5}
    return gpd.GeoDataFrame({"hazard_type": types, "level": levels}, geometry=geoms, crs=METRIC_CRS)


def random_homes(seed: int, n: int = 2000) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    xy = np.c_[X0 - 1000 + rng.uniform(0, SIZE + 2000, n), Y0 - 1000 + rng.uniform(0, SIZE + 2000, n)]
    # A non-default, shuffled index: results must be aligned on it.
    index = rng.permutation(n) + 1000
    return gpd.GeoDataFrame({"name": [f"h{i}" for i in index]}, geometry=shapely.points(xy), index=index, crs=METRIC_CRS)


def brute_force(homes: gpd.GeoDataFrame, zones: gpd.GeoDataFrame, buffer_m: float, min_level: int) -> np.ndarray:
    """Expected levels by a plain double loop (EPSG:9210 inputs)."""
    zone_types = parse_hazard_types(zones["hazard_type"]).tolist()
    zone_levels = parse_levels(zones["level"]).tolist()
    zone_geoms = list(zones.geometry)
    expected = np.zeros((len(homes), len(HAZARD_TYPES)), dtype=int)
    for i, point in enumerate(homes.geometry):
        if point is None or point.is_empty:
            continue
        for geom, kind, level in zip(zone_geoms, zone_types, zone_levels):
            if level < min_level:
                continue
            hit = point.intersects(geom) if buffer_m == 0 else point.distance(geom) <= buffer_m
            if hit:
                j = HAZARD_TYPES.index(kind)
                expected[i, j] = max(expected[i, j], level)
    return expected


def _check_result(result: pd.DataFrame, homes: gpd.GeoDataFrame, expected: np.ndarray) -> None:
    assert result.index.equals(homes.index)
    assert result[LEVEL_COLUMNS].to_numpy().tolist() == expected.tolist()
    assert result["max_level"].tolist() == expected.max(axis=1).tolist()
    joined = [";".join(t for t, lv in zip(HAZARD_TYPES, row) if lv > 0) for row in expected]
    assert result["hazard_types"].tolist() == joined


# Seeds whose data exercise the cases below; with a fourth hazard type, seed 5 put no home in level-5 zones of
# two types, so the level-5 case takes seed 7.
@pytest.mark.parametrize(("seed", "buffer_m", "min_level"), [(1, 0, 1), (2, 75, 1), (3, 0, 3), (4, 75, 3), (7, 0, 5)])
def test_flag_households_equals_brute_force(seed, buffer_m, min_level):
    zones = random_zones(seed)
    homes = random_homes(seed + 100)
    # Some homes exactly on zone vertices and edges, and one missing point.
    ring = shapely.get_exterior_ring(zones.geometry.values[:10])
    on_edges = shapely.line_interpolate_point(ring, 0.37, normalized=True)
    on_vertices = shapely.get_point(ring, 0)
    extra = gpd.GeoDataFrame(
        {"name": "edge"}, geometry=list(on_edges) + list(on_vertices) + [None], index=range(21), crs=METRIC_CRS
    )
    homes = pd.concat([homes, extra])
    expected = brute_force(homes, zones, buffer_m, min_level)
    result = flag_households(homes, zones, buffer_m=buffer_m, min_level=min_level)
    _check_result(result, homes, expected)
    # The data exercise the interesting cases.
    assert (expected > 0).sum(axis=1).max() >= 2  # homes in zones of several types
    assert (expected == 0).all(axis=1).sum() > 0
    assert result.loc[20, [*LEVEL_COLUMNS, "max_level"]].tolist() == [0] * (len(LEVEL_COLUMNS) + 1)


def test_buffer_widens_and_min_level_narrows():
    zones, homes = random_zones(7), random_homes(8)
    base = flag_households(homes, zones)
    wide = flag_households(homes, zones, buffer_m=75)
    high = flag_households(homes, zones, min_level=3)
    assert (wide[LEVEL_COLUMNS].to_numpy() >= base[LEVEL_COLUMNS].to_numpy()).all()
    assert (wide["max_level"] > base["max_level"]).any()
    assert (high["max_level"] <= base["max_level"]).all()
    assert high[LEVEL_COLUMNS].isin([0, 3, 4, 5]).all().all()


def test_wgs84_inputs_give_the_same_result():
    zones, homes = random_zones(11), random_homes(12)
    metric = flag_households(homes, zones, buffer_m=75, min_level=2)
    zones_wgs, homes_wgs = zones.to_crs(WGS84), homes.to_crs(WGS84)
    for z, h in ((zones_wgs, homes_wgs), (zones, homes_wgs), (zones_wgs, homes)):
        pd.testing.assert_frame_equal(flag_households(h, z, buffer_m=75, min_level=2), metric)
    # And both equal the brute force on the data as the function sees them.
    expected = brute_force(homes_wgs.to_crs(METRIC_CRS), zones_wgs.to_crs(METRIC_CRS), 75, 2)
    _check_result(flag_households(homes_wgs, zones_wgs, buffer_m=75, min_level=2), homes, expected)


def test_buffer_is_measured_in_metres_even_for_wgs84():
    zones = gpd.GeoDataFrame({"hazard_type": ["landslide"], "level": [5]}, geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)],
                             crs=METRIC_CRS)
    homes = gpd.GeoDataFrame(geometry=shapely.points([[X0 + 1070, Y0 + 500], [X0 + 1080, Y0 + 500]]), crs=METRIC_CRS)
    result = flag_households(homes.to_crs(WGS84), zones.to_crs(WGS84), buffer_m=75)
    assert result["max_level"].tolist() == [5, 0]


def _zone(geom, hazard_type="landslide", level=4, crs=METRIC_CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"hazard_type": [hazard_type], "level": [level]}, geometry=[geom], crs=crs)


def _homes(xy, crs=METRIC_CRS) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=shapely.points(xy), crs=crs)


def test_missing_crs_raises():
    zones = _zone(box(0, 0, 10, 10))
    homes = _homes([[1, 1]])
    with pytest.raises(ValueError, match="households has no coordinate reference system"):
        flag_households(homes.set_crs(None, allow_override=True), zones)
    with pytest.raises(ValueError, match="hazard zones has no coordinate reference system"):
        flag_households(homes, zones.set_crs(None, allow_override=True))


def test_bow_tie_zone_is_repaired_not_dropped():
    bow_tie = Polygon([(0, 0), (100, 100), (100, 0), (0, 100)])
    zones = pd.concat([_zone(bow_tie, "lũ quét", "rất cao"), _zone(box(500, 500, 600, 600), "sạt lở", 2)], ignore_index=True)
    assert not zones.geometry.iloc[0].is_valid
    before = zones.geometry.iloc[0].wkt
    prepared = prepare_zones(zones)
    assert len(prepared) == 2
    assert prepared.geometry.is_valid.all()
    assert prepared.geometry.iloc[0].area == pytest.approx(5000)  # both triangles kept
    assert prepared["hazard_type"].tolist() == ["flash_flood", "landslide"]
    assert prepared["level"].tolist() == [5, 2]
    assert zones.geometry.iloc[0].wkt == before  # the input is not modified
    homes = _homes([[10, 50], [90, 50], [50, 10], [550, 550]])
    result = flag_households(homes, zones)
    assert result["level_flash_flood"].tolist() == [5, 5, 0, 0]
    assert result["level_landslide"].tolist() == [0, 0, 0, 2]


def test_repaired_zone_keeps_no_dangling_line():
    # A square with a 500 m spike (zero-width): make_valid must not keep the spike as a line.
    spiked = Polygon([(0, 0), (100, 0), (100, 100), (0, 100), (0, 0), (-500, 0), (0, 0)])
    prepared = prepare_zones(_zone(spiked))
    assert shapely.get_type_id(prepared.geometry.values[0]) in (3, 6)
    homes = _homes([[-300, 20], [-300, 0], [50, 50]])
    assert flag_households(homes, _zone(spiked), buffer_m=75)["max_level"].tolist() == [0, 0, 4]


@pytest.mark.parametrize(
    "geom",
    [
        shapely.Point(0, 0),
        shapely.LineString([(0, 0), (10, 10)]),
        shapely.MultiPoint([(0, 0), (1, 1)]),
        shapely.GeometryCollection([shapely.Point(0, 0)]),
        shapely.GeometryCollection([box(0, 0, 1, 1), shapely.LineString([(5, 5), (6, 6)])]),
        Polygon(),
        None,
    ],
)
def test_non_polygon_zone_raises(geom):
    zones = pd.concat([_zone(box(0, 0, 10, 10)), _zone(geom)], ignore_index=True)
    with pytest.raises(ValueError, match="feature 1 is not a polygon"):
        prepare_zones(zones)
    with pytest.raises(ValueError, match="not a polygon"):
        flag_households(_homes([[1, 1]]), zones)


def test_polygonal_collection_is_accepted():
    zones = _zone(shapely.GeometryCollection([box(0, 0, 10, 10), box(20, 0, 30, 10)]))
    assert flag_households(_homes([[25, 5], [15, 5]]), zones)["max_level"].tolist() == [4, 0]


def test_zones_need_type_and_level_columns():
    zones = _zone(box(0, 0, 1, 1)).drop(columns="level")
    with pytest.raises(ValueError, match="'level' column"):
        prepare_zones(zones)


def test_bad_level_in_zones_names_the_feature():
    zones = pd.concat([_zone(box(0, 0, 1, 1)), _zone(box(0, 0, 1, 1), level="nguy hiểm")], ignore_index=True)
    with pytest.raises(ValueError, match="feature 2"):
        flag_households(_homes([[0.5, 0.5]]), zones)


def test_households_must_be_points_and_arguments_checked():
    zones = _zone(box(0, 0, 10, 10))
    with pytest.raises(ValueError, match="points"):
        flag_households(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=METRIC_CRS), zones)
    with pytest.raises(ValueError, match="buffer_m"):
        flag_households(_homes([[1, 1]]), zones, buffer_m=-1)
    with pytest.raises(ValueError, match="min_level"):
        flag_households(_homes([[1, 1]]), zones, min_level=6)


def test_no_zone_left_gives_zeros():
    homes = _homes([[1, 1], [50, 50]])
    low = _zone(box(0, 0, 10, 10), level=2)
    result = flag_households(homes, low, min_level=3)
    assert result[LEVEL_COLUMNS + ["max_level"]].to_numpy().tolist() == [[0] * (len(LEVEL_COLUMNS) + 1)] * 2
    assert result["hazard_types"].tolist() == ["", ""]
    empty = flag_households(homes, low.iloc[:0])
    assert empty["max_level"].tolist() == [0, 0]


def test_no_households():
    result = flag_households(_homes(np.empty((0, 2))), _zone(box(0, 0, 10, 10)))
    assert len(result) == 0
    assert list(result.columns) == LEVEL_COLUMNS + ["max_level", "hazard_types"]


def test_hazard_types_lists_types_present():
    zones = gpd.GeoDataFrame(
        {"hazard_type": ["landslide", "lũ ống", "flash flood", "landslide"], "level": [2, 3, 1, 5]},
        geometry=[box(0, 0, 100, 100), box(50, 0, 150, 100), box(0, 50, 150, 150), box(0, 0, 10, 10)],
        crs=METRIC_CRS,
    )
    homes = _homes([[60, 60], [5, 5], [120, 20], [20, 20], [500, 500], [20, 70]])
    result = flag_households(homes, zones)
    assert result["hazard_types"].tolist() == [
        "landslide;flash_flood;tube_flood",
        "landslide",
        "tube_flood",
        "landslide",
        "",
        "landslide;flash_flood",
    ]
    assert result["level_landslide"].tolist() == [2, 5, 0, 2, 0, 2]
    assert result["max_level"].tolist() == [3, 5, 3, 2, 0, 2]
    only_high = flag_households(homes, zones, min_level=3)
    assert only_high["hazard_types"].tolist() == ["tube_flood", "landslide", "tube_flood", "", "", ""]


# --------------------------------------------------------------------------- prepared zones


def _bow_tie_zones(crs=METRIC_CRS) -> gpd.GeoDataFrame:
    """A self-intersecting flash-flood zone and a plain landslide zone, words for types and levels."""
    bow_tie = Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])
    zones = pd.concat([_zone(bow_tie, "lũ quét", "rất cao"), _zone(box(X0 + 50, Y0 + 40, X0 + 600, Y0 + 60), "sạt lở", 2)],
                      ignore_index=True)
    return zones.set_index(pd.Index([7, 3])).to_crs(crs)


_BOW_TIE_HOMES = [[X0 + 10, Y0 + 50], [X0 + 90, Y0 + 50], [X0 + 50, Y0 + 10], [X0 + 300, Y0 + 50], [X0 + 50, Y0 + 95]]
# flash flood in the bow tie's two triangles only; landslide along the strip
def _row(**levels: int) -> list[int]:
    """A row of level columns: the levels given by type, 0 for every other type."""
    return [levels.get(t, 0) for t in HAZARD_TYPES]


_BOW_TIE_LEVELS = [_row(flash_flood=5), _row(landslide=2, flash_flood=5), _row(), _row(landslide=2), _row()]


@pytest.mark.parametrize(("seed", "buffer_m", "min_level"), [(21, 0, 1), (23, 60, 1), (25, 0, 4), (27, 60, 3)])
def test_prepared_zones_flag_as_the_plain_path(seed, buffer_m, min_level):
    zones, homes = random_zones(seed), random_homes(seed + 100)
    prepared = HazardZones.prepare(zones)
    plain = flag_households(homes, zones, buffer_m=buffer_m, min_level=min_level)
    pd.testing.assert_frame_equal(flag_households(homes, prepared, buffer_m=buffer_m, min_level=min_level), plain)
    _check_result(plain, homes, brute_force(homes, zones, buffer_m, min_level))
    assert (plain["max_level"] > 0).any()
    xy = shapely.get_coordinates(homes.geometry.values)
    assert levels_at(xy[:, 0], xy[:, 1], prepared, min_level).tolist() == \
        levels_at(xy[:, 0], xy[:, 1], zones, min_level).tolist()
    pd.testing.assert_frame_equal(flag_register(homes, prepared, buffer_m=buffer_m, min_level=min_level),
                                  flag_register(homes, zones, buffer_m=buffer_m, min_level=min_level))


def test_prepared_bow_tie_is_repaired_and_flags_as_the_plain_path():
    zones = _bow_tie_zones()
    prepared = HazardZones.prepare(zones)
    assert shapely.is_valid(prepared.geometries).all()
    assert prepared.geometries[0].area == pytest.approx(5000)  # both triangles kept
    assert prepared.type_code.tolist() == [HAZARD_TYPES.index("flash_flood"), HAZARD_TYPES.index("landslide")]
    assert prepared.level.tolist() == [5, 2] and prepared.level.dtype == np.int8
    assert prepared.frame.index.tolist() == [7, 3]
    assert not zones.geometry.iloc[0].is_valid  # the input is not modified
    homes = _homes(_BOW_TIE_HOMES)
    result = flag_households(homes, prepared)
    assert result[LEVEL_COLUMNS].to_numpy().tolist() == _BOW_TIE_LEVELS
    pd.testing.assert_frame_equal(result, flag_households(homes, zones))


def test_zones_in_wgs84_are_prepared_in_metres():
    metric = _bow_tie_zones()
    prepared = HazardZones.prepare(_bow_tie_zones(WGS84))
    assert prepared.frame.crs.to_epsg() == 9210
    assert shapely.equals_exact(prepared.geometries[1], metric.geometry.iloc[1], tolerance=1e-3)
    homes = _homes(_BOW_TIE_HOMES).to_crs(WGS84)
    assert flag_households(homes, prepared)[LEVEL_COLUMNS].to_numpy().tolist() == _BOW_TIE_LEVELS
    wide = flag_households(_homes([[X0 + 300, Y0 + 120]]), prepared, buffer_m=65)  # 60 m from the strip
    assert wide["max_level"].tolist() == [2]


def test_unknown_hazard_word_is_refused_when_preparing():
    zones = pd.concat([_zone(box(0, 0, 1, 1)), _zone(box(0, 0, 1, 1), hazard_type="ngập lụt")], ignore_index=True)
    with pytest.raises(ValueError, match="feature 2, column 'hazard_type': 'ngập lụt'"):
        HazardZones.prepare(zones)
    with pytest.raises(ValueError, match="feature 0 is not a polygon"):
        HazardZones.prepare(pd.concat([_zone(shapely.Point(0, 0)), _zone(box(0, 0, 1, 1))], ignore_index=True))


def _forbid_validation(monkeypatch) -> None:
    """Make every validation step raise."""
    def forbidden(*args, **kwargs):
        raise AssertionError("validated again")

    for name in ("prepare_zones", "parse_hazard_types", "parse_levels", "to_metric"):
        monkeypatch.setattr(geo.hazards, name, forbidden)
    monkeypatch.setattr(shapely, "is_valid", forbidden)
    monkeypatch.setattr(shapely, "make_valid", forbidden)


def test_levels_at_does_no_validation_on_prepared_zones(monkeypatch):
    zones, homes = random_zones(31), random_homes(32)
    xy = shapely.get_coordinates(homes.geometry.values)
    prepared = HazardZones.prepare(zones)
    expected = brute_force(homes, zones, 0, 2)
    _forbid_validation(monkeypatch)
    assert levels_at(xy[:, 0], xy[:, 1], prepared, min_level=2).tolist() == expected.tolist()
    with pytest.raises(AssertionError, match="validated again"):  # the plain path does validate
        levels_at(xy[:, 0], xy[:, 1], zones)


def test_flagging_functions_trust_prepared_zones(monkeypatch):
    zones, homes = random_zones(33), random_homes(34)
    prepared, newer = HazardZones.prepare(zones), HazardZones.prepare(zones.assign(level=5))
    expected = flag_households(homes, zones, buffer_m=50)
    register = flag_register(homes, zones, min_level=3)
    changed = changed_between(homes, zones, zones.assign(level=5))
    assert len(changed) and register["in_hazard"].any()
    monkeypatch.setattr(geo.hazards, "prepare_zones", lambda *a, **k: pytest.fail("validated again"))
    pd.testing.assert_frame_equal(flag_households(homes, prepared, buffer_m=50), expected)
    pd.testing.assert_frame_equal(flag_register(homes, prepared, min_level=3), register)
    pd.testing.assert_frame_equal(changed_between(homes, prepared, newer), changed)


def test_plain_zones_are_prepared_once_per_call(monkeypatch):
    zones, homes = random_zones(35), random_homes(36, n=200)
    calls = []
    original = geo.hazards.prepare_zones
    monkeypatch.setattr(geo.hazards, "prepare_zones", lambda *a, **k: calls.append(1) or original(*a, **k))
    flag_register(homes, zones, buffer_m=30)
    assert len(calls) == 1
    changed_between(homes, zones, zones.assign(level=5))
    assert len(calls) == 3  # one per version


def test_prepared_zones_are_read_only_and_index_once():
    prepared = HazardZones.prepare(random_zones(38))
    for array in (prepared.geometries, prepared.type_code, prepared.level):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]
    assert prepared.tree is prepared.tree
    assert len(prepared) == 50 and repr(prepared) == "HazardZones(50 zones)"
    assert HazardZones.of(prepared) is prepared
    assert prepared.at_least(4)[2].tolist() == [v for v in prepared.level.tolist() if v >= 4]


def test_dataset_prepares_its_zones_once():
    ds = load()
    prepared = ds.hazard_zones
    assert isinstance(prepared, HazardZones) and load().hazard_zones is prepared
    assert len(prepared) == len(ds.zones) > 0
    homes = ds.households.iloc[::50]
    pd.testing.assert_frame_equal(flag_households(homes, prepared), flag_households(homes, ds.zones))
