"""Interactive (Leaflet) maps built with folium, served without any CDN.

folium points every map at Leaflet, jQuery, Bootstrap and Font Awesome on
public CDNs; offline, such a map stays blank. :func:`localise` rewrites the
links of every element of a map to files that the app serves itself, copied
from the installed XStatic packages by :func:`install_assets`, and drops the
libraries these maps do not use. It raises if any element still needs a file
from the network, so a new plugin cannot silently bring a CDN back.

Text from the data (commune, site and village names, codes, ids) is data,
never markup nor code:

* Leaflet puts tooltips and legends into the page as HTML, so every text
  that reaches the map is escaped (:func:`html.escape`) first; a site named
  ``<img src=x onerror=...>`` is shown as those characters.
* branca renders the output of each element's template once more as a Jinja
  template (``Element(script(self, kwargs))``), so a name holding ``{{ ... }}``
  would run on the server; every ``{`` of such a text is written as the HTML
  character reference ``&#123;`` (the page still shows ``{``).

Examples
--------
>>> import folium
>>> m = localise(folium.Map(tiles=None))
>>> "://" in m.get_root().render()  # no link to any other server
False
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import os
import re
import shutil
import threading
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import branca
import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from folium.elements import JSCSSMixin

from geo.crs import METRIC_CRS, WGS84, with_lonlat
from geo.crsguess import PROVINCE_BOX
from geo.dataset import Dataset
from geo.hazards import HAZARD_TYPES, grown_zones, zone_unions
from geo.i18n import fmt_count, fmt_number, t
from geo.style import AGGREGATE_COLOUR, BUFFER_COLOUR, HAZARD_COLOURS, RESETTLEMENT_COLOURS, STATUS_COLOURS

__all__ = [
    "ASSET_URL",
    "BASEMAPS",
    "install_assets",
    "localise",
    "display_communes",
    "display_zones",
    "display_buffer",
    "LayerStore",
    "WebMap",
    "MapPlan",
    "CHANGE_TIPS",
    "indicator_map",
    "risk_map",
    "commune_code_in",
]

#: URL path under which the app serves ``static/vendor`` (Streamlit static serving).
ASSET_URL = "app/static/vendor"
#: Local copies of the only libraries the maps need: name in folium → (package, file).
_ASSETS = {
    "leaflet": ("leaflet", "leaflet.js"),
    "leaflet_css": ("leaflet", "leaflet.css"),
    "markerclusterjs": ("leaflet_markercluster", "leaflet.markercluster.js"),
    "markerclustercss": ("leaflet_markercluster", "MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet_markercluster", "MarkerCluster.Default.css"),
}
#: Libraries folium adds that these maps do not use (no Bootstrap popups, no icon fonts).
_UNUSED = {"jquery", "bootstrap", "awesome_markers", "bootstrap_css", "glyphicons_css",
           "awesome_markers_font_css", "awesome_markers_css", "awesome_rotate_css"}
BASEMAPS = ("none", "osm", "local")
#: How district lines are drawn, in the legend as on the map (webmap.js: 2 px, #252525).
_DISTRICT_BORDER = "3px solid #252525"
#: How the buffer's outline is drawn, in the legend as on the map (webmap.js: 2 px, dashed, the spec's colour).
_BUFFER_BORDER = f"2px dashed {BUFFER_COLOUR}"
#: Commune names are written on the web maps from this zoom level on (a district fills the map).
LABEL_ZOOM = 11
#: The maps' script in the browser; branca renders a map's script twice as a template, so it holds no delimiter.
_SCRIPT = (Path(__file__).with_name("webmap.js")).read_text(encoding="utf-8")
if any(mark in _SCRIPT for mark in ("{{", "{%", "{#")):
    raise RuntimeError("geo/webmap.js must hold no Jinja delimiter ({{, {%, {#)")
_OSM = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
_OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"


def _package_dir(name: str) -> Path:
    import importlib

    return Path(importlib.import_module(f"xstatic.pkg.{name}").BASE_DIR)


def install_assets(static_dir: str | Path) -> Path:
    """Copy Leaflet and Leaflet.markercluster into ``static_dir/vendor``.

    Idempotent: files already present with the same size are left alone.
    Returns the vendor folder.
    """
    vendor = Path(static_dir) / "vendor"
    for package in {p for p, _ in _ASSETS.values()}:
        source = _package_dir(package)
        for path in source.rglob("*"):
            if path.is_dir() or path.suffix == ".map":
                continue
            target = vendor / package / path.relative_to(source)
            if not target.exists() or target.stat().st_size != path.stat().st_size:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    return vendor


def _elements(root: branca.element.Element) -> Iterator[branca.element.Element]:
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from _elements(child)


def localise(m: folium.Map, base_url: str = "/" + ASSET_URL) -> folium.Map:
    """Point every JavaScript/CSS link of ``m`` at the app's own copies.

    Raises
    ------
    ValueError
        If an element needs a library that has no local copy.
    """
    for element in _elements(m):
        for attribute in ("default_js", "default_css"):
            links = getattr(element, attribute, None)
            if not links:
                continue
            local = []
            for name, url in links:
                if name in _UNUSED:
                    continue
                if name not in _ASSETS:
                    raise ValueError(f"{type(element).__name__} needs {url}, which has no offline copy")
                package, filename = _ASSETS[name]
                local.append((name, f"{base_url}/{package}/{filename}"))
            setattr(element, attribute, local)  # an instance attribute: the class keeps its list
    return m


def _base_map(bounds: tuple[float, float, float, float], basemap: str, local_tiles: str | None,
              canvas: bool = False) -> folium.Map:
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}, got {basemap!r}")
    if not np.isfinite(bounds).all():  # nothing to show yet: the province
        bounds = PROVINCE_BOX
    minx, miny, maxx, maxy = bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, zoom_start=9,
                   control_scale=True, prefer_canvas=canvas)
    m.options["maxZoom"] = 18  # folium gives it only to tile layers; marker clusters need it on the map
    m.options["zoomSnap"] = 0.25  # lets fitBounds fill the frame instead of jumping a whole zoom level
    if basemap == "osm":
        folium.TileLayer(_OSM, attr=_OSM_ATTRIBUTION, name="OpenStreetMap", max_zoom=19).add_to(m)
    elif basemap == "local":
        if not local_tiles:
            raise ValueError("the local basemap needs a tile URL template (setting GEO_LOCAL_TILES)")
        folium.TileLayer(local_tiles, attr="local tiles", name="local").add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


@lru_cache(maxsize=16)
def _to_wgs84(crs: pyproj.CRS) -> pyproj.Transformer:
    """A transformer from ``crs`` to WGS 84 (lon, lat), made once per CRS: making one costs more than using it."""
    return pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)


@lru_cache(maxsize=32)
def _lat_lon(crs: pyproj.CRS, xy: bytes) -> np.ndarray:
    """(lat, lon) rows of the (x, y) points packed in ``xy``, in WGS 84, rounded to 5 decimals (about 1 m).

    Kept per CRS and points: each script run has a thread of its own, and
    pyproj makes its transformation anew in every thread.
    """
    x, y = np.frombuffer(xy).reshape(-1, 2).T
    lon, lat = _to_wgs84(crs).transform(x, y)
    return np.column_stack([lat, lon]).round(5)


def _extent(frames: list[gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """The WGS 84 extent of the first non-empty layer (NaN when all are empty)."""
    for frame in frames:
        if len(frame) and frame.crs is not None:
            bounds = frame.total_bounds
            return bounds if frame.crs == WGS84 else _to_wgs84(frame.crs).transform_bounds(*bounds)
    return (np.nan,) * 4


def _with_geojson(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add each geometry as a GeoJSON dict, converted once (in C) for every later map."""
    frame["geojson"] = [json.loads(text) for text in shapely.to_geojson(frame.geometry.values)]
    return frame


def _escaped(value: object) -> object:
    """Text made inert for a folium map: HTML-escaped, and ``{`` as ``&#123;`` (no Jinja delimiter).

    Leaflet shows tooltips and legends as HTML, and branca renders the map's
    script a second time as a Jinja template; both show this text as it was.
    Anything else (numbers, missing values) is returned as it is.

    >>> _escaped('<img src=x onerror="alert(1)"> & co'), _escaped(None), _escaped(1.5)
    ('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co', None, 1.5)
    >>> _escaped("{{ 7*7 }}{% if x %}")
    '&#123;&#123; 7*7 }}&#123;% if x %}'
    """
    return html.escape(value).replace("{", "&#123;") if isinstance(value, str) else value


def _collection(frame: pd.DataFrame, properties: list[str], shown: Collection[str] = ()) -> dict:
    """A GeoJSON FeatureCollection from a display layer's cached geometries.

    ``shown``: the properties that may hold text from the data, escaped
    (:func:`_escaped`: folium's GeoJsonTooltip writes them into the page as
    HTML, and branca renders the script a second time as a template).
    """
    records = frame[properties].to_dict("records")
    for record in records:
        for key in shown:
            record[key] = _escaped(record[key])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": geometry, "properties": record}
        for geometry, record in zip(frame["geojson"], records)
    ]}


def commune_code_in(text: str | None) -> str | None:
    """The 5-digit commune code in a clicked commune's tooltip text, if any.

    >>> commune_code_in("Xã Quảng Lâm  Mã xã 01312  Giá trị 25.6")
    '01312'
    """
    match = re.search(r"\b(\d{5})\b", text or "")
    return match.group(1) if match else None


@lru_cache(maxsize=8)
def _simplified_communes(path: Path, revision: str, vintage: int, tolerance: float) -> gpd.GeoDataFrame:
    from geo.dataset import load

    communes = load(path).communes(vintage)
    simple = shapely.coverage_simplify(communes.geometry.values, tolerance)
    frame = gpd.GeoDataFrame(communes.drop(columns="geometry"), geometry=simple, crs=communes.crs).to_crs(WGS84)
    frame["geometry"] = shapely.set_precision(frame.geometry.values, 1e-5)
    return _with_geojson(frame)


def display_communes(ds: Dataset, vintage: int, tolerance: float = 50.0) -> gpd.GeoDataFrame:
    """Commune polygons for the web map, in WGS 84.

    Boundaries are simplified together (``shapely.coverage_simplify``, so
    neighbours still fit), by ``tolerance`` metres, and coordinates are
    rounded to 5 decimals (about 1 m). Cached per dataset and revision.
    """
    return _simplified_communes(ds.path, ds.revision, vintage, tolerance)


@lru_cache(maxsize=4)
def _display_zones(path: Path, revision: str, tolerance: float) -> gpd.GeoDataFrame:
    from geo.dataset import load

    unions = zone_unions(load(path))
    simple = shapely.simplify(list(unions.values()), tolerance, preserve_topology=True)
    frame = gpd.GeoDataFrame({"hazard_type": [k for k, _ in unions], "level": [lv for _, lv in unions]},
                             geometry=simple, crs=METRIC_CRS).to_crs(WGS84)
    frame["geometry"] = shapely.make_valid(shapely.set_precision(frame.geometry.values, 1e-5))
    return _with_geojson(frame)


@lru_cache(maxsize=16)
def _buffered_zones(path: Path, revision: str, buffer_m: float, min_level: int, tolerance: float) -> gpd.GeoDataFrame:
    from geo.dataset import load

    grown = grown_zones(load(path), buffer_m, min_level)
    simple = shapely.simplify(grown.geometry.values, tolerance, preserve_topology=True)
    frame = gpd.GeoDataFrame(grown.drop(columns="geometry"), geometry=simple, crs=METRIC_CRS).to_crs(WGS84)
    frame["geometry"] = shapely.make_valid(shapely.set_precision(frame.geometry.values, 1e-5))
    return _with_geojson(frame)


def display_buffer(ds: Dataset, buffer_m: float, min_level: int = 1, tolerance: float = 15.0) -> gpd.GeoDataFrame:
    """For each hazard type, its zones at ``min_level`` or above grown by ``buffer_m`` metres (in EPSG:9210).

    What the risk filter's buffer counts as affected: a household within
    ``buffer_m`` of such a zone lies inside its type's row. Simplified by
    ``tolerance`` metres and rounded to 5 decimals, in WGS 84; cached per
    dataset, revision, buffer and level.

    >>> from geo.dataset import load
    >>> grown = display_buffer(load(None), 100, 4)
    >>> sorted(grown.columns), grown.crs.to_epsg(), grown["hazard_type"].tolist()
    (['geojson', 'geometry', 'hazard_type'], 4326, ['landslide', 'flash_flood', 'tube_flood'])
    """
    return _buffered_zones(ds.path, ds.revision, float(buffer_m), int(min_level), tolerance)


def display_zones(ds: Dataset, tolerance: float = 30.0) -> gpd.GeoDataFrame:
    """Hazard zones for the web map: one (multi)polygon per type and level.

    Zones are merged by type and level (at most 15 features, whatever the
    number of zones), simplified by ``tolerance`` metres and rounded to 5
    decimals, in WGS 84. Cached per dataset and revision.
    """
    return _display_zones(ds.path, ds.revision, tolerance)


class LayerStore:
    """Where the web maps publish their large, filter-independent layers, once per dataset version.

    Commune boundaries and hazard zones do not change with the filters: each is
    written once to ``folder/<token>.json``, which the app serves under ``url``,
    and the browser fetches it once and keeps it (a filter change then sends
    only what changed). The token is a keyed hash of the dataset, its revision
    and the layer, with a ``secret`` held by this process, so the
    URL of a workspace's layer cannot be guessed: it is given only to a session
    that draws that map (household points are never published). The ``keep``
    newest files are kept.

    >>> import tempfile
    >>> store = LayerStore(Path(tempfile.mkdtemp()), "app/static/layers", b"secret")
    >>> url = store.publish(("demo", "r1", "zones"), lambda: {"type": "FeatureCollection", "features": []})
    >>> url.startswith("/app/static/layers/") and url.endswith(".json")
    True
    >>> store.publish(("demo", "r1", "zones"), dict) == url  # written once, the same URL
    True
    """

    def __init__(self, folder: Path, url: str, secret: bytes, keep: int = 64) -> None:
        self.folder, self.url, self.secret, self.keep = Path(folder), "/" + url.strip("/"), secret, keep

    def publish(self, parts: tuple, make: Callable[[], dict]) -> str:
        """The URL of the layer named by ``parts``, writing ``make()`` as its file the first time."""
        token = hmac.new(self.secret, repr(parts).encode(), hashlib.sha256).hexdigest()[:32]
        path = self.folder / f"{token}.json"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{token}.{os.getpid()}.{threading.get_ident()}")
            partial.write_text(json.dumps(make(), separators=(",", ":")), encoding="utf-8")
            os.replace(partial, path)  # whole or absent, even with two sessions writing it at once
            for old in sorted(self.folder.glob("*.json"), key=lambda f: f.stat().st_mtime)[:-self.keep]:
                old.unlink(missing_ok=True)
        return f"{self.url}/{token}.json"


def _source(store: LayerStore | None, parts: tuple, make: Callable[[], dict]) -> str | dict:
    """A layer for the browser: its URL when the app publishes layers, the data itself otherwise."""
    return make() if store is None else store.publish(parts, make)


class _Text(branca.element.Element):
    """Text put into a page as it is: never compiled and rendered again as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _Script(branca.element.MacroElement):
    """An element whose script goes into the page once, as written (branca would compile it as a template
    again, each time: slow for a map's data, and a second reading of any text in it)."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        figure.script.add_child(_Text(self._template.module.script(self, kwargs)), name=self.get_name())


class _Library(JSCSSMixin, _Script):
    """The maps' own script (``webmap.js``) and the marker-cluster library, loaded once with the base map."""

    default_js = [("markerclusterjs", "leaflet.markercluster.js")]
    default_css = [("markerclustercss", "MarkerCluster.css"), ("markerclusterdefaultcss", "MarkerCluster.Default.css")]
    _template = branca.element.Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")
    code = _SCRIPT


class _Draw(_Script):
    """One call of ``webmap.js`` drawing a map's changing layers into their feature group; ``spec`` is the JSON
    of :func:`_spec_text`."""

    _template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "geoMap.{{ this.kind }}({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }}, {{ this.spec }});"
        "{% endmacro %}"
    )

    def __init__(self, kind: str, spec: str) -> None:
        super().__init__()
        self.kind, self.spec = kind, spec


def _spec_text(spec: dict) -> str:
    """The JSON of a map's layers for ``webmap.js``, with a ``stamp`` that changes with what is drawn.

    Its texts were escaped (:func:`_escaped`), so neither Leaflet (HTML) nor
    branca's second rendering (a template) reads them as code.

    >>> _spec_text({"fit": None}) == _spec_text({"fit": None}), _spec_text({"fit": None}) == _spec_text({"fit": 1})
    (True, False)
    >>> json.loads(_spec_text({"fit": None, "legend": "<b>"}))  # doctest: +ELLIPSIS
    {'fit': None, 'legend': '<b>', 'stamp': '...'}
    """
    text = json.dumps(spec, separators=(",", ":"))  # once: the households make it long
    stamp = f'"stamp":"{hashlib.sha256(text.encode()).hexdigest()[:16]}"'
    return f"{text[:-1]},{stamp}}}" if spec else f"{{{stamp}}}"


@dataclass(frozen=True)
class MapPlan:
    """What a web map draws, as data, made once: :meth:`web` builds it into folium objects in a few
    milliseconds. A map drawn in a page (``st_folium``) changes its folium objects, so a map drawn again
    (the page run again with the same filters, or the map reporting a pan) needs new ones, not a new plan.

    >>> plan = MapPlan("indicator", (105.3, 22.3, 106.8, 23.1), "none", None, "Bản đồ", False, None)
    >>> first, again = plan.web(), plan.web()
    >>> first.base is not again.base and first.plan is again.plan is plan
    True
    """

    kind: str
    extent: tuple[float, float, float, float]
    basemap: str
    local_tiles: str | None
    name: str
    canvas: bool
    spec: str | None  # the layers' JSON (:func:`_spec_text`); None: nothing to draw

    def __post_init__(self) -> None:
        object.__setattr__(self, "extent", tuple(float(v) for v in self.extent))  # an array would not compare

    def web(self) -> WebMap:
        """A new :class:`WebMap` drawing this plan."""
        base = _base_map(self.extent, self.basemap, self.local_tiles, self.canvas)
        _Library().add_to(base)
        web = WebMap(localise(base), folium.FeatureGroup(name=self.name), self)
        if self.spec is not None:
            _Draw(self.kind, self.spec).add_to(web.layers)
        return web


@dataclass
class WebMap:
    """A web map in two parts: ``base`` (tiles, extent, scripts), which changes only with the dataset and the
    basemap, and ``layers``, which changes with the filters and is redrawn in place (``st_folium``'s
    ``feature_group_to_add``), so the browser keeps the map, its view and the layers it has fetched; ``plan``
    builds the same map again."""

    base: folium.Map
    layers: folium.FeatureGroup
    plan: MapPlan

    def html(self) -> str:
        """The whole map as one standalone HTML page."""
        self.layers.add_to(self.base)
        return self.base.get_root().render()


def _border(style: str) -> str:
    """A swatch's CSS border: "solid" or "dashed" in thin grey, or a whole CSS border as given.

    >>> _border("dashed"), _border(_DISTRICT_BORDER)
    ('1px dashed #444', '3px solid #252525')
    """
    return style if " " in style else f"1px {style} #444"


def _legend(title: str, rows: list[tuple[str, str, str]]) -> str:
    r"""The HTML of a collapsible legend listing (colour, border style, label) rows; title and labels are text.

    >>> _legend("{{ 7*7 }} <b>", [("#fff", "solid", "</script>")]).count("&lt;")
    2
    """
    items = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:middle;'
        f'background:{colour};border:{_border(border)}"></span>{_escaped(label)}</div>'
        for colour, border, label in rows
    )
    return (f'<details open class="geo-legend" style="background:white;padding:6px 8px;font:12px \'DejaVu Sans\','
            f'\'Noto Sans\',sans-serif;border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.3);max-width:260px">'
            f'<summary style="cursor:pointer"><b>{_escaped(title)}</b></summary>{items}</details>')


def _fit(bounds: tuple[float, float, float, float]) -> list[list[float]] | None:
    """Leaflet's [[south, west], [north, east]] of a WGS 84 extent (None when there is none)."""
    if not np.isfinite(bounds).all():
        return None
    minx, miny, maxx, maxy = (round(float(b), 5) for b in bounds)
    return [[miny, minx], [maxy, maxx]]


def _communes_source(ds: Dataset, vintage: int, store: LayerStore | None) -> str | dict:
    """Commune boundaries for the browser: code, name (as ``tip``, both escaped) and a point inside for its label."""
    def make() -> dict:
        shapes = display_communes(ds, vintage)
        inside = shapely.point_on_surface(shapes.geometry.values)
        at = np.column_stack([shapely.get_y(inside), shapely.get_x(inside)]).round(5).tolist()
        return _collection(shapes.assign(tip=shapes["name_vi"], at=at), ["ma_xa", "tip", "at"],
                           shown=["ma_xa", "tip"])
    return _source(store, ("communes", str(ds.path), ds.revision, vintage), make)


def _districts_source(ds: Dataset, vintage: int, store: LayerStore | None) -> str | dict | None:
    """District boundaries as lines (2020 units; the 2025 units have no districts), None without any."""
    shapes = display_communes(ds, vintage)
    if shapes.empty or "ma_huyen" not in shapes or shapes["ma_huyen"].isna().all():
        return None

    def make() -> dict:
        merged = shapes.dissolve("ma_huyen", as_index=False)
        lines = shapely.set_precision(shapely.boundary(merged.geometry.values), 1e-5)
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": json.loads(shapely.to_geojson(line)), "properties": {}} for line in lines]}
    return _source(store, ("districts", str(ds.path), ds.revision, vintage), make)


def _steps(lat: np.ndarray, lon: np.ndarray, values: np.ndarray, scale: int = 100_000) -> list[int]:
    """Points as flat [dlat, dlon, value] integer steps of 1/``scale`` degree from the previous point (compact JSON).

    >>> _steps(np.array([22.5, 22.50001]), np.array([106.1, 106.1]), np.array([0, 3]))
    [2250000, 10610000, 0, 1, 0, 3]
    """
    whole = np.column_stack([np.round(lat * scale), np.round(lon * scale)]).astype(np.int64)
    order = np.lexsort((whole[:, 1], whole[:, 0] // 1_000))  # rows of about 1 km: small steps
    whole, values = whole[order], np.asarray(values)[order]
    steps = np.diff(whole, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return np.column_stack([steps, values.astype(np.int64)]).ravel().tolist()


def _households_spec(households: gpd.GeoDataFrame, lang: str, max_points: int, max_clustered: int = 20_000,
                     cell_m: float = 2_000.0) -> dict:
    """Households for ``webmap.js``: points coloured by resettlement status, clustered, or counts per grid cell.

    Up to ``max_points`` are drawn one by one; up to ``max_clustered`` are
    clustered in the browser (individual circles from zoom 15); beyond that
    the browser gets one circle per ``cell_m`` grid cell with its count.
    """
    spec = {"scale": 100_000, "colours": list(RESETTLEMENT_COLOURS.values()),
            "names": [_escaped(t(s, lang)) for s in RESETTLEMENT_COLOURS], "cluster": False, "grid": False,
            "groupColour": AGGREGATE_COLOUR, "unit": _escaped(t("households", lang).lower()),
            "locale": "vi-VN" if lang == "vi" else "en-US", "points": []}
    if households.empty:
        return spec
    if len(households) > max_clustered:
        metric = households.to_crs(METRIC_CRS)
        cell = pd.DataFrame({"x": (metric.geometry.x // cell_m).to_numpy(), "y": (metric.geometry.y // cell_m).to_numpy()})
        counts = cell.value_counts().rename("n").reset_index()
        centres = gpd.GeoSeries(gpd.points_from_xy((counts["x"] + 0.5) * cell_m, (counts["y"] + 0.5) * cell_m),
                                crs=METRIC_CRS).to_crs(WGS84)
        return spec | {"grid": True, "points": _steps(centres.y.to_numpy(), centres.x.to_numpy(), counts["n"].to_numpy())}
    if "lon" not in households or "lat" not in households:
        households = with_lonlat(households)
    codes = {s: i for i, s in enumerate(RESETTLEMENT_COLOURS)}
    status = households["resettlement_status"].fillna("not_planned").map(codes).fillna(0).to_numpy()
    return spec | {"cluster": len(households) > max_points,
                   "points": _steps(households["lat"].to_numpy(), households["lon"].to_numpy(), status)}


def _sites_spec(sites: gpd.GeoDataFrame, unsafe_sites: set[str], lang: str) -> list[list]:
    """Resettlement sites as [lat, lon, colour, label]: green rings, red with a warning when unsafe."""
    if sites.empty:
        return []
    points = shapely.point_on_surface(sites.geometry.values)  # a point, whatever the file gave
    lat, lon = _lat_lon(sites.crs, np.column_stack([shapely.get_x(points), shapely.get_y(points)]).tobytes()).T
    bad = sites["site_id"].isin(list(unsafe_sites)).to_numpy()
    label = (np.where(bad, "⚠ ", "") + sites["name_vi"].fillna("").astype(str) + " (" + sites["site_id"].astype(str)
             + ")" + np.where(bad, f" — {t('site_unsafe', lang)}", ""))
    return [[float(y), float(x), colour, _escaped(text)] for y, x, colour, text in
            zip(lat, lon, np.where(bad, "#b2182b", "#1a9641"), label)]


#: The tooltip of a commune on the indicator map: (column, label key, shown as a number).
_STATUS_TIPS = (("value", "value", True), ("target_value", "target", True), ("expected", "expected", True),
                ("status", "status", False), ("gap", "gap", True))
#: The tooltip of a commune on the map of status changes between two years.
CHANGE_TIPS = (("status_before", "status_then", False), ("status_after", "status_now", False),
               ("value_before", "value_then", True), ("value_after", "value_now", True), ("status", "change_label", False))


def indicator_map(
    ds: Dataset,
    table: pd.DataFrame,
    title: str,
    units: str = "2020",
    lang: str = "vi",
    basemap: str = "none",
    local_tiles: str | None = None,
    store: LayerStore | None = None,
    classes: Mapping[str, str] = STATUS_COLOURS,
    tips: Collection[tuple[str, str, bool]] = _STATUS_TIPS,
) -> WebMap:
    """Communes coloured by class (their status), with a hover tooltip and a legend with counts.

    Parameters
    ----------
    table : DataFrame
        :func:`geo.status.commune_status` of the indicator and year shown, or
        any table with ``ma_xa`` and ``status`` holding one of ``classes``.
    title : str
        Legend title (indicator and year).
    store : LayerStore, optional
        Where the boundaries are published for the browser to fetch once;
        without one they are written into the map.
    classes : mapping
        Each class's colour, in the legend's order; ``no_data`` (dashed) for
        communes without one. ``tips``: the tooltip's (column, label, number?) lines.
    """
    shapes = display_communes(ds, int(units))
    plan = partial(MapPlan, "indicator", _extent([shapes]), basemap, local_tiles, t("map_title", lang), False)
    if shapes.empty:  # no commune boundaries yet: the page says what is missing
        return plan(None).web()
    data = shapes[["ma_xa", "name_vi"]].merge(table.drop(columns=["name_vi"], errors="ignore"), on="ma_xa", how="left")
    data["status"] = data["status"].fillna("no_data")
    labels = [_escaped(t(key, lang)) for key in ("commune", "code", *(label for _, label, _ in tips))]
    texts = [data[column].map((lambda v: fmt_number(v, 1, lang)) if number else
                              (lambda v: t(v, lang) if isinstance(v, str) else v)).fillna("–").astype(str).map(_escaped)
             for column, _, number in tips]
    # each commune's colour, dashed or not, and its tooltip's texts (webmap.js adds the name and the code)
    rows = {_escaped(code): [classes[status], status == "no_data", *cells]
            for code, status, *cells in zip(data["ma_xa"], data["status"], *texts)}
    counts = data["status"].value_counts()
    legend = [(colour, "dashed" if s == "no_data" else "solid", f"{t(s, lang)} ({int(counts.get(s, 0))})")
              for s, colour in classes.items()]
    districts = _districts_source(ds, int(units), store)
    if districts is not None:
        legend.append(("#ffffff", _DISTRICT_BORDER, t("district_lines", lang)))
    spec = {"fit": None, "legend": _legend(title + (f" — {ds.label}" if ds.is_demo else ""), legend),
            "communes": {"data": _communes_source(ds, int(units), store), "rows": rows, "labels": labels,
                         "labelZoom": LABEL_ZOOM, "missing": [classes["no_data"], True]},
            "districts": districts}
    return plan(_spec_text(spec)).web()


def risk_map(
    ds: Dataset,
    households: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    unsafe_sites: set[str],
    types: Collection[str] = HAZARD_TYPES,
    min_level: int = 1,
    lang: str = "vi",
    basemap: str = "none",
    local_tiles: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    max_points: int = 5_000,
    store: LayerStore | None = None,
    buffer_m: float = 0.0,
) -> WebMap:
    """Hazard zones by type and level, households and resettlement sites.

    Households are drawn as individual circles coloured by resettlement
    status when there are at most ``max_points`` of them (a commune), and as
    clusters that open into individual circles from zoom 15 otherwise, so the
    browser never draws more markers at once than it can handle smoothly.

    Parameters
    ----------
    households : GeoDataFrame
        Filtered households (any CRS; ``lon``/``lat`` columns from
        :func:`with_lonlat` are used when present) with ``household_id`` and
        ``resettlement_status``.
    unsafe_sites : set of str
        ``site_id`` of sites inside a hazard zone: drawn as warnings.
    types, min_level
        Zones drawn: these hazard types at or above this level.
    bounds : (minx, miny, maxx, maxy), optional
        WGS 84 extent to show (the chosen communes); the map fits to it when it changes.
    store : LayerStore, optional
        Where boundaries and zones are published for the browser to fetch once;
        without one they are written into the map.
    buffer_m : float
        The filter's buffer: above 0, the zones drawn are also outlined grown
        by it (:func:`display_buffer`, dashed, in the legend and the layer list
        with its distance), published once per dataset version, buffer and level.
    """
    communes = display_communes(ds, 2020)
    extent = _extent([communes, display_zones(ds), households, sites])

    def zones() -> dict:
        return _collection(display_zones(ds), ["hazard_type", "level"])

    rows = [(HAZARD_COLOURS[level], "solid", t(f"level_{level}", lang)) for level in range(1, 6)]
    homes = _households_spec(households, lang, max_points)
    if len(households):  # no household drawn (a viewer's map): no status colours to explain
        rows += [(RESETTLEMENT_COLOURS[s], "solid", t(s, lang)) for s in RESETTLEMENT_COLOURS]
    if homes["grid"] or homes["cluster"]:  # how households are grouped at this size, said in the legend
        rows.append((AGGREGATE_COLOUR, "solid", t("legend_grid" if homes["grid"] else "legend_cluster", lang)))
    districts = _districts_source(ds, 2020, store)
    if districts is not None:
        rows.append(("#ffffff", _DISTRICT_BORDER, t("district_lines", lang)))
    zone_source = _source(store, ("zones", str(ds.path), ds.revision), zones)
    buffer = None
    if buffer_m > 0:
        name = t("legend_buffer", lang, m=fmt_number(buffer_m, 0 if float(buffer_m).is_integer() else 1, lang))
        rows.append(("transparent", _BUFFER_BORDER, name))
        buffer = {"data": _source(store, ("buffer", str(ds.path), ds.revision, float(buffer_m), int(min_level)),
                                  lambda: _collection(display_buffer(ds, buffer_m, min_level), ["hazard_type"])),
                  "name": _escaped(name), "colour": BUFFER_COLOUR}
    spec = {
        "fit": _fit(bounds if bounds is not None else extent),
        "legend": _legend(t("risk_legend", lang) + (f" — {ds.label}" if ds.is_demo else ""), rows),
        "communes": {"data": _communes_source(ds, 2020, store), "rows": None, "labelZoom": LABEL_ZOOM},
        "districts": districts,
        "zones": {"data": zone_source, "key": zone_source if isinstance(zone_source, str) else "inline",
                  "types": [h for h in HAZARD_TYPES if h in set(types)], "min": int(min_level),
                  "colours": {str(level): colour for level, colour in HAZARD_COLOURS.items()},
                  "names": {h: _escaped(t(h, lang)) for h in HAZARD_TYPES},
                  "levels": {str(level): _escaped(t(f"level_{level}", lang)) for level in range(1, 6)}},
        "buffer": buffer,
        "households": homes,
        "sites": {"sites": _sites_spec(sites, unsafe_sites, lang)},
        "words": {"communes": _escaped(t("commune", lang)), "sites": _escaped(t("sites", lang)),
                  "households": _escaped(f"{t('households', lang)} ({fmt_count(len(households), lang)})")},
    }
    # drawn on a canvas: thousands of circles
    return MapPlan("risk", extent, basemap, local_tiles, t("layer_hazard_zones", lang), True, _spec_text(spec)).web()
