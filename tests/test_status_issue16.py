"""Issue 16: indicator rules true to the plan's wording (Ban Dân tộc tỉnh Cao Bằng, 2021-2025).

Each test quotes the plan's Vietnamese words it defends. Hand-built cases run
through ``geo.indicators.evaluate`` / ``aggregate`` and the surfaces built on them.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from geo.catalogue import get_indicator, load_catalogue
from geo.dataexport import filter_table
from geo.indicators import aggregate, evaluate
from geo.resettlement import path_by_year, progress

ROOT = Path(__file__).resolve().parents[1]


def rec(unit, ind, year, **cols):
    return {"unit_code": unit, "indicator_id": ind, "year": year, **cols}


# ----------------------------------------------------------------- 1. targets 3a / 3b
def _listing_frame():
    # A: on the list in 2020, off in 2023 (left); B: off in 2020, on in 2023 (entered);
    # C: on both years (still listed); D: never listed.
    flags = {"A": (1, 0), "B": (0, 1), "C": (1, 1), "D": (0, 0)}
    return pd.DataFrame([rec(u, "3a", y, value=f[i]) for u, f in flags.items() for i, y in enumerate((2020, 2023))])


def test_3a_a_commune_that_enters_never_cancels_one_that_left():
    """"phấn đấu 62 xã và 24 thôn ra khỏi địa bàn đặc biệt khó khăn": a commune counts once when it was on
    the 2020 list and is off it in the year asked; one left + one entered is 1 left (and 1 entered), not 0."""
    province = aggregate(_listing_frame(), dict.fromkeys("ABCD", "CB"))
    row = evaluate(province, 2023, province=True).iloc[0]
    assert row["value"] == 1
    assert row["entered"] == 1
    assert row["target_value"] == 62


def test_3b_villages_counted_once_through_communes():
    """"24 thôn ra khỏi địa bàn đặc biệt khó khăn": villages are summed into communes, then the province; a
    village entering in one commune never cancels a village leaving in another."""
    frame = pd.DataFrame([rec("v1", "3b", 2020, value=1), rec("v1", "3b", 2024, value=0),
                          rec("v2", "3b", 2020, value=0), rec("v2", "3b", 2024, value=1)])
    communes = aggregate(frame, {"v1": "X1", "v2": "X2"})
    province = aggregate(communes, {"X1": "CB", "X2": "CB"})
    row = evaluate(province, 2024, province=True).iloc[0]
    assert (row["value"], row["entered"]) == (1, 1)


def test_3a_communes_are_left_still_listed_entered_never_behind():
    """"phấn đấu 62 xã [...] ra khỏi địa bàn đặc biệt khó khăn" is a province count: below the province a
    commune is shown as left / still listed / entered, never "behind"."""
    out = evaluate(_listing_frame(), 2023).set_index("unit_code")
    assert out["listing"].to_dict() == {"A": "left", "B": "entered", "C": "still_listed", "D": "not_listed"}
    assert "behind" not in set(out["status"]) and "achieved" not in set(out["status"])
    assert math.isnan(out.loc["C", "target_value"])


def test_3a_demo_communes_never_behind():
    """"62 xã [...] ra khỏi địa bàn đặc biệt khó khăn": on the demo for 2025 no commune is "behind" on 3a or 3b."""
    from geo.dataset import load
    from geo.status import commune_status

    for ind in ("3a", "3b"):
        table = commune_status(load(), ind, 2025)
        assert not (table["status"] == "behind").any()
        assert set(table["listing"].dropna()) <= {"left", "still_listed", "entered", "not_listed"}


# ----------------------------------------------------------------- 2. target 12: one path
def _homes_10_3():
    # 10 at-risk households of which 3 were done in 2020, none in 2021.
    dates = ["2020-06-01"] * 3 + [None] * 7
    homes = pd.DataFrame({"ma_xa": "A", "dtts": True, "scattered": True,
                          "resettlement_status": ["resettled"] * 3 + ["planned"] * 7,
                          "resettlement_date": pd.to_datetime(dates)})
    return homes, pd.DataFrame({"max_level": [5] * 10})


def test_12_one_path_on_risk_page_and_indicator_table():
    """"Quy hoạch, sắp xếp, di dời, bố trí 60% số hộ dân tộc thiểu số đang cư trú phân tán nơi có nguy cơ xảy ra
    lũ ống, lũ quét, sạt lở" (2021-2025): 10 at-risk households, 3 done in 2020: the risk page and the indicator
    table draw the same line and give the same answer for 2021."""
    homes, flags = _homes_10_3()
    page = progress(homes, flags, year=2021).loc["province"]
    table = pd.DataFrame([rec("A", "12", 2020, numerator=3, denominator=10),
                          rec("A", "12", 2021, numerator=3, denominator=10)])
    row = evaluate(table, 2021).iloc[0]
    assert page["expected_share"] == pytest.approx(0.12)
    assert row["expected"] == pytest.approx(100 * page["expected_share"])
    assert row["value"] == pytest.approx(100 * page["share"])
    assert row["status"] == page["status"] == "behind"


def test_12_households_done_before_2021_reported_apart():
    """"bố trí 60% số hộ dân tộc thiểu số đang cư trú phân tán" in the 2021-2025 programme: households done
    before 2021 no longer live there when it starts; they are out of both counts and reported apart."""
    homes, flags = _homes_10_3()
    row = progress(homes, flags, year=2025).loc["province"]
    assert (row["at_risk"], row["done"], row["done_before_2021"]) == (7, 0, 3)
    assert row["target_households"] == 5  # 60% of 7, rounded up
    path = path_by_year(homes, flags)
    assert path["done"].tolist() == [0] * 6
    from geo.resettlement import expected_share

    assert [expected_share(y) for y in range(2020, 2026)] == pytest.approx([0, 0.12, 0.24, 0.36, 0.48, 0.6])


def test_12_risk_view_uses_the_one_path():
    """"bố trí 60% số hộ [...] lũ ống, lũ quét, sạt lở": the officers' view (page, CLI, prints, exports) carries
    the path and status of geo/resettlement.py."""
    from geo.dataset import load
    from geo.risk import RiskFilter, risk_view

    view = risk_view(load(), RiskFilter(year=2023))
    from geo.resettlement import expected_share

    assert view.totals["expected_share"] == pytest.approx(expected_share(2023))
    assert "done_before_2021" in view.progress and "status" in view.progress


# ----------------------------------------------------------------- 3. target 25: the reference is kept
def test_25_import_keeps_reference(tmp_path):
    """"Bảo đảm tỷ lệ cán bộ, công chức, viên chức người dân tộc thiểu số phù hợp với tỷ lệ dân số là người dân
    tộc thiểu số ở từng địa phương": an imported table that carries the population share is judged, not "no data"."""
    from geo.importer import prepare

    path = tmp_path / "cadres.csv"
    path.write_text("Mã xã,Chỉ tiêu,Năm,Tử số,Mẫu số,Tử số tham chiếu,Mẫu số tham chiếu\n"
                    "01267,25,2020,10,40,900,1000\n01267,25,2025,37,40,900,1000\n", encoding="utf-8")
    report = prepare(path, "indicators", lang="en")
    assert report.good["ref_numerator"].tolist() == [900, 900]
    assert report.good["ref_denominator"].tolist() == [1000, 1000]
    row = evaluate(report.good, 2025).iloc[0]
    assert (row["reference"], row["status"]) == (90.0, "achieved")


def test_25_reference_share_column_and_missing_reference_told(tmp_path):
    """"phù hợp với tỷ lệ dân số là người dân tộc thiểu số": a "Tỷ lệ DTTS trong dân số" column is the reference;
    a table without any reference is told so in the import report, never silently."""
    from geo.importer import prepare

    share = tmp_path / "share.csv"
    share.write_text("Mã xã,Chỉ tiêu,Năm,Tử số,Mẫu số,Tỷ lệ DTTS trong dân số\n01267,25,2025,30,40,90\n",
                     encoding="utf-8")
    row = evaluate(prepare(share, "indicators").good, 2025).iloc[0]
    assert (row["reference"], row["status"]) == (pytest.approx(90.0), "behind")
    bare = tmp_path / "bare.csv"
    bare.write_text("Mã xã,Chỉ tiêu,Năm,Tử số,Mẫu số\n01267,25,2025,30,40\n", encoding="utf-8")
    report = prepare(bare, "indicators", lang="en")
    assert set(report.warnings["code"]) == {"no_reference"}
    assert any("indicator 25" in note and "ref_numerator" in note for note in report.notes)


# ----------------------------------------------------------------- 4. target 2: no floor
def test_2_no_floor_below_a_20_percent_baseline():
    """"tỷ lệ hộ nghèo trong đồng bào dân tộc thiểu số bình quân mỗi năm giảm từ 4% trở lên": from 12% the rate
    must be 8 points lower by 2022: 7% is behind (expected 12 - 4 x 2 = 4%), 4% is on track."""
    def run(year, value):
        frame = pd.DataFrame([rec("X", "2", 2020, numerator=12, denominator=100),
                              rec("X", "2", year, numerator=value, denominator=100)])
        return evaluate(frame, year).iloc[0]

    row = run(2022, 7)
    assert (row["expected"], row["status"]) == (pytest.approx(4.0), "behind")
    assert run(2022, 4)["status"] == "on_track"
    assert run(2025, 0)["target_value"] == pytest.approx(-8.0)


def test_2_at_zero_nothing_is_left_to_fall():
    """"giảm từ 4% trở lên" cannot go on below 0%: a rate of 0 meets any target (stated in the catalogue's
    interpretation), a rate above 0 is judged against baseline - 4 x years even when that is negative."""
    frame = pd.DataFrame([rec("X", "2", 2020, numerator=10, denominator=100),
                          rec("X", "2", 2025, numerator=0, denominator=100),
                          rec("Y", "2", 2020, numerator=10, denominator=100),
                          rec("Y", "2", 2025, numerator=1, denominator=100),
                          rec("Z", "2", 2020, numerator=10, denominator=100),
                          rec("Z", "2", 2023, numerator=0, denominator=100)])
    out = evaluate(frame, 2025).set_index("unit_code")
    assert out.loc["X", "status"] == "achieved" and out.loc["Y", "status"] == "behind"
    assert out.loc["Y", "gap"] == pytest.approx(1.0)  # measured to 0, the lowest a rate can reach
    assert evaluate(frame, 2023).set_index("unit_code").loc["Z", "status"] == "achieved"
    assert "0%" in get_indicator("2").interpretation_en


# ----------------------------------------------------------------- 5. partial data
def test_province_below_min_coverage_is_no_data():
    """"tỷ lệ hộ nghèo [...] giảm từ 4% trở lên" for the province: a share built from 3 of 10 communes is not the
    province's; below the catalogue's min_coverage its status is "no data"."""
    codes = [f"c{i}" for i in range(10)]
    recs = [rec(c, "2", 2020, numerator=40, denominator=100) for c in codes]
    recs += [rec(c, "2", 2025, numerator=10, denominator=100) for c in codes[:3]]
    province = aggregate(pd.DataFrame(recs), dict.fromkeys(codes, "CB"))
    row = evaluate(province, 2025, province=True).iloc[0]
    assert (row["n_reported"], row["n_units"]) == (3, 10)
    assert row["status"] == "no_data"
    assert get_indicator("2").min_coverage == 0.8


def test_value_only_commune_is_counted_apart_and_told():
    """"95% trở lên đồng bào dân tộc thiểu số được sử dụng nước sinh hoạt hợp vệ sinh": a commune that reports a
    share alone cannot be weighted; it is left out of the province share and counted as "value only"."""
    from geo.catalogue import get_indicator as ind
    from geo.status import coverage_text

    recs = [rec("a", "8", 2025, numerator=90, denominator=100), rec("b", "8", 2025, numerator=99, denominator=100),
            rec("c", "8", 2025, value=50.0)]
    row = aggregate(pd.DataFrame(recs), dict.fromkeys("abc", "CB")).iloc[0]
    assert row["value"] == pytest.approx(94.5)
    assert (row["n_units"], row["n_reported"], row["n_value_only"]) == (3, 2, 1)
    text = coverage_text(row.to_dict(), ind("8"), "vi")
    assert text.startswith("từ 2 trên 3 xã") and "1 xã chỉ báo tỷ lệ" in text


def test_demo_province_status_says_what_it_rests_on():
    """"Phấn đấu mức thu nhập bình quân của người dân tộc thiểu số tăng trên 2 lần so với năm 2020": the
    province's status says how many communes it rests on ("từ 153 trên 161 xã")."""
    from geo.dataset import load
    from geo.status import province_summary

    summary = province_summary(load(), 2025).set_index("indicator_id")
    assert summary.loc["1", "coverage"] == "từ 153 trên 161 xã"
    assert summary.loc["1", "n_reported"] == 153
    assert summary.loc["10", "coverage"] == ""  # assessed for the province itself


# ----------------------------------------------------------------- 6. who is counted, changes of standard
def test_dtts_restriction_is_part_of_the_contract():
    """"tỷ lệ hộ nghèo trong đồng bào dân tộc thiểu số", "95% trở lên đồng bào dân tộc thiểu số [...]", "100%
    đồng bào dân tộc thiểu số tham gia bảo hiểm y tế": targets 1, 2, 8, 9, 15, 17, 21 count DTTS people only."""
    cat = load_catalogue()
    for ident in ("1", "2", "8", "9", "15", "17", "21"):
        assert cat[ident].population == "dtts", ident
        assert "DTTS" in cat[ident].denominator_en
    assert cat["7"].population == "all"  # "100% số hộ dân": every household


def test_dtts_contract_told_at_import(tmp_path):
    """"tỷ lệ hộ nghèo trong đồng bào dân tộc thiểu số": importing target 2 says its counts are DTTS only."""
    from geo.importer import prepare

    path = tmp_path / "poverty.csv"
    path.write_text("Mã xã,Chỉ tiêu,Năm,Tử số,Mẫu số\n01267,2,2023,30,100\n", encoding="utf-8")
    notes = prepare(path, "indicators", lang="en").notes
    assert any("indicator 2: ethnic minorities (DTTS) only" in n for n in notes)
    assert any("Decree 07/2021/NĐ-CP" in n for n in notes)


def test_poverty_standard_change_beside_the_map_and_in_exports():
    """"tỷ lệ hộ nghèo [...] bình quân mỗi năm giảm từ 4% trở lên": from 2022 the rate follows the
    multidimensional standard (Decree 07/2021/NĐ-CP); the note goes with every export of target 2 from 2022."""
    ind = get_indicator("2")
    assert ind.notes(2021) == [] and "07/2021/NĐ-CP" in ind.notes(2023)[0]
    about = filter_table({"indicator": "2", "year": 2023, "units": "2020"}, "vi")
    assert about.iloc[:, 0].tolist()[-1] == "Thay đổi chuẩn"
    assert "chuẩn nghèo đa chiều" in about.iloc[:, 1].tolist()[-1]
    assert len(filter_table({"indicator": "2", "year": 2021}, "vi")) == 2
    source = (ROOT / "ui" / "indicators.py").read_text(encoding="utf-8")
    assert "ind.notes(year, ctx.lang)" in source


# ----------------------------------------------------------------- docs/indicators.md
def test_docs_indicators_is_generated_from_the_catalogue():
    """"Công tác dân tộc của tỉnh giai đoạn 2021 – 2025 tập trung thực hiện hoàn thành một số nhiệm vụ trọng tâm":
    docs/indicators.md is the catalogue's, every target with the plan's words, rule, data, interpretation and a
    worked example (regenerate: python -m geo docs --out docs/indicators.md)."""
    from geo.catalogue import markdown

    committed = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert committed == markdown() + "\n", "docs/indicators.md is stale: python -m geo docs --out docs/indicators.md"
    for ind in load_catalogue().values():
        section = committed.split(f"## {ind.id}. ", 1)[1].split("\n## ", 1)[0]
        assert ind.text_vi in section
        for part in ("**Rule**", "**Data it needs**", "**Worked example**"):
            assert part in section, (ind.id, part)
    assert "'giải quyết cơ bản' read as at least 90%" in committed


def test_docs_command(tmp_path):
    """"giai đoạn 2021 - 2025": the docs subcommand writes the same file."""
    from geo.cli import main

    out = tmp_path / "indicators.md"
    assert main(["docs", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
