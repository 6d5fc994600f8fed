"""Printed maps that read at a glance: orientation, labels, contrast, names whole, units; the risk atlas's pages."""

from __future__ import annotations

import itertools

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from pypdf import PdfReader

from geo.catalogue import load_catalogue
from geo.cli import main
from geo.dataset import load
from geo.i18n import fmt_count, t
from geo.mapexport import _household_pages, _ProfileSheet, atlas, indicator_figure, risk_figure
from geo.risk import RiskFilter, risk_view
from geo.status import commune_status
from geo.style import CHANGE_COLOURS, HAZARD_COLOURS, RESETTLEMENT_COLOURS, STATUS_COLOURS, contrast, text_colour


@pytest.fixture(scope="module")
def ds():
    return load()


@pytest.fixture(scope="module")
def view(ds):
    return risk_view(ds)


def _pages(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def _is_label(artist) -> bool:
    """A commune's name on a map (its ``gid`` is "commune-label CODE")."""
    return str(artist.get_gid()).startswith("commune-label ")


def _words(text: str) -> str:
    """Text with every run of spaces and line breaks as one space (a wrapped name reads whole)."""
    return " ".join(text.split())


def test_the_wide_province_prints_landscape_unless_asked(ds, tmp_path, capsys):
    width, height = indicator_figure(ds, "2", 2023).get_size_inches()
    assert width > height
    width, height = indicator_figure(ds, "2", 2023, landscape=False).get_size_inches()
    assert width < height
    out = tmp_path / "p.pdf"
    assert main(["export-map", "--map", "indicator", "--indicator", "2", "--portrait", "--out", str(out)]) == 0
    box = PdfReader(out).pages[0].mediabox
    assert float(box.width) < float(box.height)


def test_no_two_commune_names_overprint(ds):
    figure = indicator_figure(ds, "2", 2023, labels=True)
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    labels = [x for x in figure.findobj(_is_label) if x.get_visible()]
    assert len(labels) > 80  # most of the 161 communes are named
    boxes = [label.get_window_extent(renderer) for label in labels]
    assert not [(a, b) for a, b in itertools.combinations(range(len(boxes)), 2) if boxes[a].overlaps(boxes[b])]
    frame = figure.axes[0].get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)


@pytest.mark.parametrize("fill", sorted({*STATUS_COLOURS.values(), *HAZARD_COLOURS.values(),
                                         *RESETTLEMENT_COLOURS.values(), *CHANGE_COLOURS.values()}))
def test_text_on_every_fill_has_contrast(fill):
    assert contrast(fill, text_colour(fill)) >= 4.5


def test_names_on_the_map_and_statuses_in_the_atlas_read_on_their_fill(ds):
    figure = indicator_figure(ds, "2", 2023, labels=True)
    status = commune_status(ds, "2", 2023).set_index("ma_xa")["status"]
    labels = figure.findobj(_is_label)
    assert labels
    for label in labels:
        fill = STATUS_COLOURS[status[label.get_gid().split()[1]]]
        assert contrast(fill, label.get_color()) >= 4.5, label.get_text()
    sheet = _ProfileSheet(ds, 2024, "vi")  # the atlas's status cells, drawn once and placed in each row
    stamps = sheet.stamp_pages()
    assert {status for status, _ in sheet.stamps} == set(STATUS_COLOURS)
    for (status, _), stamp in zip(sheet.stamps, stamps, strict=True):
        (word,) = stamp.texts
        assert word.get_text() == t(status) and contrast(STATUS_COLOURS[status], word.get_color()) >= 4.5
    page = sheet.profiles(ds, ["01267"])[0]
    placed = sheet.placed(page)
    assert [sheet.stamps[form - 1][0] for form, _ in placed] == list(page.statuses)
    assert len(placed) == len(load_catalogue()) and [dy for _, dy in placed] == sorted(dy for _, dy in placed)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_indicator_name_is_printed_whole(ds, tmp_path, lang):
    text = _words(_pages(atlas(ds, tmp_path / "a.pdf", "indicator", 2024, communes=["01267"], lang=lang))[0])
    assert "…" not in text
    for indicator in load_catalogue().values():
        assert _words(indicator.name(lang)) in text, indicator.id


def test_counts_carry_their_units(ds, view):
    legend = [x.get_text() for x in indicator_figure(ds, "2", 2023).axes[1].get_legend().get_texts()]
    assert all(label.endswith(" xã)") for label in legend if "(" in label)
    risk = [x.get_text() for x in risk_figure(ds, view).axes[1].get_legend().get_texts()]
    assert any(label.endswith(" hộ dân)") for label in risk) and any(label.endswith(" điểm)") for label in risk)


def test_risk_atlas_page_outlines_its_commune_with_locator_and_district_lines(ds, view):
    page = risk_view(ds, RiskFilter(communes=("01303",)), flagged=view.flagged)
    figure = risk_figure(ds, page, locator=True)
    assert len(figure.axes) == 3  # the map, the legend panel, the locator
    assert any(isinstance(c, LineCollection) for c in figure.axes[0].collections)  # district lines
    assert any(isinstance(c, LineCollection) for c in figure.axes[2].collections)
    legend = [x.get_text() for x in figure.axes[1].get_legend().get_texts()]
    assert "Ranh giới xã" in legend and "Ranh giới huyện" in legend


def test_risk_atlas_skips_empty_communes_and_lists_households_by_village(ds, view, tmp_path):
    counted = view.shown["ma_xa_located"].value_counts()
    full = counted.index[0]
    empty = next(c for c in ds.communes(2020)["ma_xa"] if c not in counted.index)
    pages = _pages(atlas(ds, tmp_path / "r.pdf", "risk", communes=[full, empty], view=view))
    listed = [p for p in pages if "Danh sách hộ theo thôn" in p]
    assert len(pages) == 1 + len(listed)  # one commune: its map, then its list
    ids = view.shown.loc[view.shown["ma_xa_located"] == full, "household_id"]
    assert all(i in "".join(listed) for i in ids)
    every = _pages(atlas(ds, tmp_path / "all.pdf", "risk", communes=[full, empty], view=view, all_communes=True))
    assert len(every) > len(pages)
    # personal fields only when asked (and allowed), single households only for roles that may see them
    names = ds.people().set_index("household_id").loc[ids, "head_name"]
    personal = "".join(_pages(atlas(ds, tmp_path / "p.pdf", "risk", communes=[full], view=view, personal=True)))
    assert all(name in personal for name in names) and not any(name in "".join(listed) for name in names)
    counts = "".join(_pages(atlas(ds, tmp_path / "c.pdf", "risk", communes=[full], view=view,
                                  show_households=False, personal=True)))
    assert not any(i in counts for i in ids) and not any(name in counts for name in names)
    assert f"{fmt_count(len(ids))} hộ dân" in counts  # the map page says how many


def test_parallel_atlas_pages_equal_each_commune_alone(ds, tmp_path):
    codes = ds.communes(2020)["ma_xa"].tolist()[:6]
    calls = []
    pages = _pages(atlas(ds, tmp_path / "a.pdf", "indicator", 2024, communes=codes, workers=2,
                         progress=lambda *call: calls.append(call)))
    assert calls == [(i, len(codes)) for i in range(1, len(codes) + 1)]
    alone = [_pages(atlas(ds, tmp_path / f"{code}.pdf", "indicator", 2024, communes=[code], workers=1))[0]
             for code in codes]
    assert pages == alone


def test_parallel_risk_atlas_equals_one_process(ds, tmp_path):
    view = risk_view(ds, RiskFilter(min_level=5))
    codes = view.shown["ma_xa_located"].value_counts().index[-3:].tolist()  # small communes: few pages
    calls = []
    parallel = _pages(atlas(ds, tmp_path / "p.pdf", "risk", communes=codes, view=view, workers=2,
                            progress=lambda *call: calls.append(call)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert parallel == _pages(atlas(ds, tmp_path / "s.pdf", "risk", communes=codes, view=view, workers=1))


def test_a_long_name_in_the_household_list_is_wrapped_whole(ds, view):
    page = risk_view(ds, RiskFilter(communes=("01303",)), flagged=view.flagged)
    long = "Nguyễn Thị Hoàng Anh Phương Thảo Ngọc Diệp Bích Ngân Khánh Linh Mỹ Duyên " * 4

    class Named:  # the dataset, every household head with a 300-letter name
        def __getattr__(self, name):
            return getattr(ds, name)

        def people(self):
            return ds.people().assign(head_name=long)

    (figure,) = _household_pages(Named(), page, "Danh sách", "vi", True, True)
    text = _words(" ".join(x.get_text() for x in figure.texts))
    assert text.count(_words(long)) == len(page.shown)
    assert all(x.get_window_extent(FigureCanvasAgg(figure).get_renderer()).x1 <= figure.bbox.x1 for x in figure.texts)


def test_the_printed_risk_map_outlines_what_the_buffer_counts(ds, view):
    """With a buffer, the printed map outlines the chosen types' zones at the level or above grown by it (the
    same outline as the web map's, unsimplified), and says so in its legend; every household it counts lies
    inside that outline. Without one, no such outline."""
    import matplotlib.colors
    import numpy as np
    import shapely

    from geo.hazards import grown_zones
    from geo.style import BUFFER_COLOUR

    def buffer_lines(figure):
        wanted = matplotlib.colors.to_rgba(BUFFER_COLOUR)
        return [c for c in figure.axes[0].collections if isinstance(c, LineCollection)
                and any(np.allclose(colour, wanted) for colour in c.get_colors())]

    types = ("landslide", "flash_flood")
    page = risk_view(ds, RiskFilter(types, 3, 250.0, communes=("01267",)))
    figure = risk_figure(ds, page)
    drawn = [shapely.LineString(segment) for c in buffer_lines(figure) for segment in c.get_segments()
             if len(segment) > 1]
    grown = grown_zones(ds, 250, 3)
    expected = grown.loc[grown["hazard_type"].isin(types)]
    assert drawn and sum(line.length for line in drawn) == pytest.approx(expected.boundary.length.sum(), rel=1e-6)
    assert shapely.hausdorff_distance(shapely.union_all(drawn), shapely.union_all(expected.boundary.values)) < 0.01
    assert len(page.shown) and shapely.covered_by(page.shown.geometry.values, expected.union_all()).all()
    legend = [x.get_text() for x in figure.axes[1].get_legend().get_texts()]
    assert "Vùng nguy cơ nới rộng 250 m (vùng đệm)" in legend
    plain = risk_figure(ds, risk_view(ds, RiskFilter(types, 3, communes=("01267",)), flagged=view.flagged))
    assert not buffer_lines(plain)
    assert not any("vùng đệm" in x.get_text() for x in plain.axes[1].get_legend().get_texts())
