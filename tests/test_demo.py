"""The demo province: reproducible, realistic in size and shape, labelled as demo data."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import shapely

from geo import demo
from geo.catalogue import load_catalogue
from geo.dataset import LAYERS, load
from geo.hazards import HAZARD_TYPES
from geo.resettlement import DONE, FORMS, STATUSES, check_sites
from geo.status import commune_status
from geo.units import communes, crosswalk


@pytest.fixture(scope="module")
def ds():
    return load()


def test_generation_is_byte_for_byte_reproducible(tmp_path):
    layers = [demo.generate(seed=7, n_households=4000) for _ in range(2)]
    paths = [demo.write(layer, tmp_path / f"d{i}.gpkg") for i, layer in enumerate(layers)]
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    assert len(digests) == 1
    other = demo.write(demo.generate(seed=8, n_households=4000), tmp_path / "other.gpkg")
    assert hashlib.sha256(other.read_bytes()).hexdigest() not in digests


def test_shipped_demo_equals_the_generator(ds):
    fresh = demo.generate()
    for name in ("households", "hazard_zones", "indicator_values", "communes_2020", "sites"):
        shipped = ds.layers[name]
        assert len(shipped) == len(fresh[name]), name
    homes = fresh["households"]
    assert (ds.households["household_id"].to_numpy() == homes["household_id"].to_numpy()).all()
    assert np.allclose(ds.households.geometry.x, homes.geometry.x)
    assert (ds.households["resettlement_status"].to_numpy() == homes["resettlement_status"].to_numpy()).all()
    values = fresh["indicator_values"]
    assert np.allclose(ds.values["numerator"].fillna(-1), values["numerator"].fillna(-1))


def test_layers_and_demo_label(ds):
    assert ds.is_demo and ds.meta["label"] == demo.DEMO_LABEL
    assert "Dữ liệu minh họa" in ds.label
    assert set(LAYERS) <= set(ds.layers)
    for name in ("communes_2020", "communes_2025", "villages", "households", "hazard_zones", "sites"):
        assert ds.layers[name].crs.to_epsg() == 9210, name
    assert "head_name" not in ds.households  # personal fields live apart
    people = ds.people()
    assert len(people) == len(ds.households) and people["head_name"].notna().all()


def test_communes_cover_the_official_lists(ds):
    old, new = ds.communes(2020), ds.communes(2025)
    assert sorted(old["ma_xa"]) == sorted(communes(2020)["ma_xa"])
    assert sorted(new["ma_xa"]) == sorted(communes(2025)["ma_xa"])
    assert shapely.is_valid(old.geometry.values).all() and not old.geometry.is_empty.any()
    # 2025 units are unions of their 2020 communes.
    cw = crosswalk().set_index("old_ma_xa")["new_ma_xa"]
    assert (old["ma_xa_2025"] == old["ma_xa"].map(cw)).all()
    assert abs(old.area.sum() - new.area.sum()) / old.area.sum() < 1e-6
    # A tessellation: neighbours do not overlap.
    assert abs(old.union_all().area - old.area.sum()) < 1e3
    area_km2 = old.area.sum() / 1e6
    assert 5_500 < area_km2 < 8_000  # Cao Bằng is about 6,700 km²


def test_households_are_realistic(ds):
    homes = ds.households
    assert 110_000 <= len(homes) <= 130_000
    assert homes["household_id"].is_unique
    assert set(homes["resettlement_status"]) == set(STATUSES)
    assert set(homes["resettlement_form"].dropna()) == set(FORMS)
    assert homes.loc[homes["resettlement_status"].isin(DONE), "resettlement_date"].notna().all()
    assert 0.85 < homes["dtts"].mean() < 0.99  # over 90% of Cao Bằng is ethnic minority
    assert homes["members"].between(1, 12).all()
    # Households sit in their commune, except the register's few clerical errors.
    located = homes.sjoin(ds.communes(2020)[["ma_xa", "geometry"]], predicate="within", how="left")
    assert 0.001 < (located["ma_xa_left"] != located["ma_xa_right"]).mean() < 0.01


def test_hazard_zones_cover_every_type_and_level(ds):
    zones = ds.zones
    # The demo draws the province's three mountain hazards; a type added to data/hazards.yaml
    # later need not have demo zones, and the demo stays byte for byte the same.
    assert {"landslide", "flash_flood", "tube_flood"} <= set(zones["hazard_type"]) <= set(HAZARD_TYPES)
    assert set(zones["level"]) == {1, 2, 3, 4, 5}
    assert zones.geom_type.isin(["Polygon", "MultiPolygon"]).all() and shapely.is_valid(zones.geometry.values).all()


def test_some_sites_are_deliberately_unsafe(ds):
    hits = check_sites(ds.sites, ds.zones, min_level=4)
    assert 1 <= hits["site_id"].nunique() < len(ds.sites)


def test_indicator_values_cover_the_catalogue_with_every_status(ds):
    assert set(ds.values["indicator_id"]) == set(load_catalogue())
    seen = set()
    for indicator in ("1", "2", "4", "8", "14a", "21"):
        seen |= set(commune_status(ds, indicator, 2023)["status"])
    assert {"achieved", "on_track", "behind", "no_data"} <= seen
    assert (ds.values["source"] == "demo").all()
    shares = ds.values.loc[ds.values["indicator_id"] == "7"]
    assert (shares["numerator"] <= shares["denominator"]).all()
