"""Load a dataset (the demo province or a workspace) from a GeoPackage or PostGIS.

A dataset is one GeoPackage, or a PostGIS workspace (``postgresql://...``,
see :mod:`geo.pgstore`), with the layers written by :mod:`geo.demo`:
``communes_2020``, ``communes_2025``, ``villages``, ``households``,
``hazard_zones``, ``sites``, ``indicator_values`` and ``metadata``; personal
fields live apart in ``household_people`` and are read only on request.

Examples
--------
>>> ds = load()
>>> ds.is_demo, len(ds.communes(2020)), len(ds.communes(2025))
(True, 161, 56)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.crs import METRIC_CRS
from geo.demo import DEMO_LABEL, DEMO_PATH
from geo.hazards import HazardZones
from geo.pgstore import PgLocation, PgStore

__all__ = ["Dataset", "load", "LAYERS", "HISTORY"]

LAYERS = (
    "communes_2020",
    "communes_2025",
    "villages",
    "households",
    "hazard_zones",
    "sites",
    "indicator_values",
    "metadata",
)
#: The import history table (one row per import: file, who, when, layer, version).
HISTORY = "import_history"


@dataclass(frozen=True)
class Dataset:
    """The layers of one dataset, geometries in EPSG:9210.

    ``path`` is the GeoPackage, or the :class:`~geo.pgstore.PgLocation` of a
    PostGIS workspace; ``revision`` identifies the state it was read in
    (caches key on ``(path, revision)``) and ``changed`` is the date of that
    state (ISO).
    """

    path: Path | PgLocation
    layers: dict[str, pd.DataFrame] = field(repr=False)
    revision: str = ""
    changed: str = ""

    @property
    def meta(self) -> dict[str, str]:
        table = self.layers["metadata"]
        return dict(zip(table["key"], table["value"]))

    @property
    def is_demo(self) -> bool:
        """Whether any of the data is generated demo data (to be labelled as such).

        A workspace copied from the demo stays labelled while one of its layers
        still holds the demo's rows, and loses the label once every such layer
        has been replaced by an import.
        """
        if self.meta.get("demo") != "true":
            return False
        return any(len(self.layers[name]) and self.provenance(name) is None for name in LAYERS[:-1])

    @property
    def label(self) -> str:
        """Text to show wherever the data appears ("" for real data)."""
        return DEMO_LABEL if self.is_demo else ""

    def communes(self, vintage: int = 2020) -> gpd.GeoDataFrame:
        if vintage not in (2020, 2025):
            raise ValueError(f"vintage must be 2020 or 2025, got {vintage!r}")
        return self.layers[f"communes_{vintage}"]

    @property
    def villages(self) -> gpd.GeoDataFrame:
        return self.layers["villages"]

    @property
    def households(self) -> gpd.GeoDataFrame:
        return self.layers["households"]

    @property
    def zones(self) -> gpd.GeoDataFrame:
        return self.layers["hazard_zones"]

    @cached_property
    def hazard_zones(self) -> HazardZones:
        """The hazard zones prepared for flagging, once per loaded dataset (see :class:`geo.hazards.HazardZones`).

        >>> ds = load()
        >>> ds.hazard_zones is ds.hazard_zones, len(ds.hazard_zones) == len(ds.zones)
        (True, True)
        """
        return HazardZones.prepare(self.zones, name="hazard_zones layer")

    @property
    def sites(self) -> gpd.GeoDataFrame:
        return self.layers["sites"]

    @property
    def values(self) -> pd.DataFrame:
        return self.layers["indicator_values"]

    def provenance(self, layer: str) -> dict[str, str] | None:
        """Where ``layer`` comes from: its last import (file, version, by whom, when), None if never imported.

        >>> load().provenance("households") is None  # the demo is generated, not imported
        True
        """
        history = self.layers.get(HISTORY)
        if history is None or history.empty:
            return None
        rows = history.loc[history["layer"] == layer]
        return None if rows.empty else {k: ("" if pd.isna(v) else str(v)) for k, v in rows.iloc[-1].items()}

    def status(self) -> pd.DataFrame:
        """One row per layer: present or not, rows, version, source file, imported by whom and when.

        >>> table = load().status().set_index("layer")
        >>> bool(table.at["communes_2020", "present"]), int(table.at["communes_2020", "rows"])
        (True, 161)
        """
        rows = []
        for name in LAYERS[:-1]:
            frame = self.layers[name]
            origin = self.provenance(name) or {}
            rows.append({"layer": name, "present": not frame.empty, "rows": len(frame),
                         "version": origin.get("version") or ("demo" if self.is_demo and len(frame) else ""),
                         "file_name": origin.get("file_name", ""), "imported_by": origin.get("imported_by", ""),
                         "imported_at": origin.get("imported_at", "")})
        return pd.DataFrame(rows)

    def people(self) -> pd.DataFrame:
        """Personal fields (``household_id``, ``head_name``, ``id_number``): read only when asked for.

        A workspace without them (households imported with no names) gives an
        empty table with those columns.

        >>> list(load().people().columns)
        ['household_id', 'head_name', 'id_number']
        """
        from geo.workspace import PEOPLE, PEOPLE_COLUMNS

        if isinstance(self.path, PgLocation):
            try:
                people = PgStore(self.path).read(PEOPLE)
            except KeyError:
                people = None
        elif PEOPLE in set(pyogrio.list_layers(self.path)[:, 0]):
            people = pyogrio.read_dataframe(self.path, layer=PEOPLE)
        else:
            people = None
        if people is None or people.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PEOPLE_COLUMNS})
        for column in PEOPLE_COLUMNS:
            if column not in people:
                people[column] = None
        return people


def _read(path: Path, layer: str) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(path, layer=layer, use_arrow=True)
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and frame.crs.to_epsg() != 9210:
        frame = frame.to_crs(METRIC_CRS)
    return frame


#: Columns of each layer, for the layers a new workspace does not hold yet (empty until imported).
_EMPTY = {
    "communes_2020": ["ma_xa", "name_vi", "type_vi", "full_name_vi", "ma_huyen", "district_vi", "ma_xa_2025"],
    "communes_2025": ["ma_xa", "name_vi", "type_vi", "full_name_vi"],
    "villages": ["village_id", "ma_xa", "name_vi"],
    "households": ["household_id", "ma_xa", "village_id", "ethnicity", "dtts", "members", "poor", "scattered",
                   "resettlement_status", "resettlement_form", "resettlement_date", "site_id"],
    "hazard_zones": ["zone_id", "hazard_type", "level", "source", "version"],
    "sites": ["site_id", "name_vi", "form", "capacity", "ma_xa"],
    "indicator_values": ["level", "unit_code", "indicator_id", "year", "numerator", "denominator", "value",
                         "ref_numerator", "ref_denominator", "source"],
}


def _empty(name: str) -> pd.DataFrame:
    if name == "indicator_values":
        return pd.DataFrame({c: pd.Series(dtype=object) for c in _EMPTY[name]})
    return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in _EMPTY[name]}, geometry=[], crs=METRIC_CRS)


@lru_cache(maxsize=4)
def _load(path: Path | PgLocation, revision: str) -> Dataset:
    if isinstance(path, PgLocation):
        revision, changed, read = PgStore(path).snapshot((*LAYERS, HISTORY))  # one consistent snapshot
    else:
        present = set(pyogrio.list_layers(path)[:, 0])
        read = {name: _read(path, name) for name in (*LAYERS, HISTORY) if name in present}
        changed = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    if "metadata" not in read:
        raise ValueError(f"{path}: not a dataset or workspace (no 'metadata' table)")
    layers = {name: read[name] if name in read else _empty(name) for name in LAYERS}
    if HISTORY in read:
        layers[HISTORY] = read[HISTORY]
    households = layers["households"]
    if "resettlement_date" in households:
        households["resettlement_date"] = pd.to_datetime(households["resettlement_date"])
    return Dataset(path, layers, revision, changed)


def load(path: str | Path | PgLocation | None = None) -> Dataset:
    """Read a dataset; the demo province when ``path`` is None.

    ``path`` is a GeoPackage or a ``postgresql://`` URL. Reads are cached per
    source and revision, the token of the data's last change (one cheap query
    per call; entries in the access log leave it), so data another process
    changed is read again and a login reads nothing again.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file is not a dataset. Layers a workspace does not hold yet
        come back empty.
    """
    from geo.workspace import GpkgStore, target

    path = target(path) if path is not None else DEMO_PATH
    if isinstance(path, PgLocation):
        return _load(path, PgStore(path).revision())
    if not path.exists():
        hint = " (run `python -m geo demo` to create it)" if path == DEMO_PATH else ""
        raise FileNotFoundError(f"{path}: no such dataset{hint}")
    return _load(path.resolve(), GpkgStore(path.resolve()).revision())
