"""The risk map's buffer: drawn when the filter has one, the zones grown by its distance in EPSG:9210.

The layer the browser fetches (published through the LayerStore, as in the
app) is compared with a direct shapely computation: the zones of the types
shown, at the minimum level or above, unioned and buffered in EPSG:9210.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geo.crs import METRIC_CRS, with_lonlat
from geo.dataset import load
from geo.maps import LayerStore, risk_map
from geo.risk import RiskFilter, risk_view
from geo.style import BUFFER_COLOUR

#: How far the drawn outline may stray from the exact one: it is simplified by 15 m keeping its topology (which
#: strays up to about 25 m in places on the demo) and rounded to about 1 m.
TOLERANCE_M = 30


@pytest.fixture(scope="module")
def ds():
    return load(None)


def _spec(page: str) -> dict:
    """The risk map's spec, as its page hands it to webmap.js."""
    return json.loads(re.search(r"geoMap\.risk\([^,]+, [^,]+, (\{.*\})\);", page)[1])


def expected_buffer(zones: gpd.GeoDataFrame, types: list[str], min_level: int, buffer_m: float):
    """The zones of ``types`` at ``min_level`` or above, unioned and grown by ``buffer_m`` metres in EPSG:9210."""
    metric = zones.to_crs(METRIC_CRS)
    chosen = metric.loc[metric["hazard_type"].isin(types) & (metric["level"] >= min_level)]
    return shapely.buffer(shapely.union_all(shapely.make_valid(chosen.geometry.values)), buffer_m)


def drawn_buffer(collection: dict, types: list[str]):
    """What webmap.js draws of a published buffer layer for ``types``, back in EPSG:9210."""
    shapes = gpd.GeoDataFrame.from_features(collection["features"], crs="EPSG:4326")
    return shapely.union_all(shapes.loc[shapes["hazard_type"].isin(types)].to_crs(METRIC_CRS).geometry.values)


def assert_same_area(drawn, expected) -> None:
    """``drawn`` lies between ``expected`` shrunk and grown by :data:`TOLERANCE_M`, and strays from it by less
    than 5 m on average (the area between them over the outline's length)."""
    assert shapely.difference(shapely.buffer(expected, -TOLERANCE_M), drawn).area < 1.0  # m²: rounding only
    assert shapely.difference(drawn, shapely.buffer(expected, TOLERANCE_M)).area < 1.0
    assert shapely.symmetric_difference(drawn, expected).area / expected.boundary.length < 5


@pytest.mark.parametrize(("types", "min_level", "buffer_m"),
                         [(["landslide", "flash_flood", "tube_flood"], 4, 100), (["landslide"], 3, 250)])
def test_buffer_layer_is_the_zones_grown_by_the_buffer(ds, tmp_path, types, min_level, buffer_m):
    view = risk_view(ds, RiskFilter(types, min_level, buffer_m))
    store = LayerStore(tmp_path / "layers", "app/static/layers", b"test")
    spec = _spec(risk_map(ds, with_lonlat(view.shown), ds.sites, set(), types, min_level, store=store,
                          buffer_m=buffer_m).html())
    url = spec["buffer"]["data"]
    assert url.startswith("/app/static/layers/")
    assert spec["buffer"]["name"] == f"Vùng nguy cơ nới rộng {buffer_m} m (vùng đệm)"
    assert spec["buffer"]["name"] in spec["legend"]  # in the legend with its distance
    assert spec["buffer"]["colour"] == BUFFER_COLOUR and BUFFER_COLOUR in spec["legend"]  # one colour, both places
    published = json.loads((tmp_path / "layers" / Path(url).name).read_text(encoding="utf-8"))
    for kind in types:  # one dashed outline per type shown
        assert_same_area(drawn_buffer(published, [kind]), expected_buffer(ds.zones, [kind], min_level, buffer_m))
    # every household the filter counts lies inside the drawn buffer (or within its tolerance of its edge)
    inside = shapely.dwithin(drawn_buffer(published, types), view.shown.to_crs(METRIC_CRS).geometry.values,
                             TOLERANCE_M)
    assert len(view.shown) and inside.all()


def test_no_buffer_layer_without_a_buffer(ds, tmp_path):
    store = LayerStore(tmp_path / "layers", "app/static/layers", b"test")
    spec = _spec(risk_map(ds, ds.households.iloc[:0], ds.sites, set(), store=store).html())
    assert spec["buffer"] is None and "vùng đệm" not in spec["legend"]
