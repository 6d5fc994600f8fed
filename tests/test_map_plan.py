"""A map drawn again (the page rerun with the same filters, a pan reported by the map) is built from the plan
made the first time: the same layers and legend as making it again, in new folium objects; a change of any
argument (another table, another revision of the dataset, another language) makes it again."""

from __future__ import annotations

import re
from functools import partial

import pytest

from geo.dataset import load
from geo.maps import LayerStore, indicator_map, risk_map
from geo.risk import RiskFilter, risk_view
from geo.status import commune_status
from ui.mapview import _call_key


@pytest.fixture(scope="module")
def ds():
    return load(None)


def _drawn(page: str) -> str:
    """The call drawing the map's layers (``geoMap.kind(map, group, spec)``) with the generated names left out."""
    return re.sub(r"(map|feature_group)_[0-9a-f]{32}", r"\1", re.search(r"geoMap\.(risk|indicator)\(.*\);", page)[0])


def test_a_map_drawn_again_from_its_plan_draws_what_making_it_again_draws(ds, tmp_path):
    store = LayerStore(tmp_path / "layers", "app/static/layers", b"test")
    view = risk_view(ds, RiskFilter(min_level=3, buffer_m=150))
    make = partial(risk_map, ds, view.shown, ds.sites, set(), ["landslide", "flash_flood"], 3, "en", store=store,
                   buffer_m=150)
    first = make()
    again, made_again = first.plan.web(), make()
    assert again.base is not first.base and again.layers is not first.layers
    assert again.plan is first.plan and again.plan == made_again.plan
    assert _drawn(again.html()) == _drawn(made_again.html())
    table = commune_status(ds, "1", 2025, "2020")
    web = indicator_map(ds, table, "Thu nhập — 2025", store=store)
    assert _drawn(web.plan.web().html()) == _drawn(indicator_map(ds, table, "Thu nhập — 2025", store=store).html())
    assert web.plan != indicator_map(ds, table, "Thu nhập — 2024", store=store).plan  # the title is in the legend


class _Versioned:
    def __init__(self, revision: str) -> None:
        self.revision = revision


def test_a_map_is_made_again_when_an_argument_changes():
    table, ds = object(), _Versioned("r1")

    def key(*args, **options) -> tuple:
        return _call_key(partial(risk_map, *args, **options))
    kept = key(ds, table, ["landslide"], 3, "vi", buffer_m=0.0)
    assert kept == key(ds, table, ["landslide"], 3, "vi", buffer_m=0.0)
    assert kept != key(ds, object(), ["landslide"], 3, "vi", buffer_m=0.0)  # another table
    assert kept != key(ds, table, ["landslide", "flash_flood"], 3, "vi", buffer_m=0.0)
    assert kept != key(ds, table, ["landslide"], 3, "vi", buffer_m=100.0)
    assert kept != key(ds, table, ["landslide"], 3, "vi", buffer_m=0)  # 0 and 0.0: equal, yet not the same value
    assert kept != key(ds, table, ["landslide"], 3, "en", buffer_m=0.0)
    assert kept != _call_key(partial(indicator_map, ds, table, ["landslide"], 3, "vi", buffer_m=0.0))
    ds.revision = "r2"  # the same dataset object, read again since
    assert kept != key(ds, table, ["landslide"], 3, "vi", buffer_m=0.0)
