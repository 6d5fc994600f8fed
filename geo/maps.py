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

import html
import json
import re
import shutil
from collections.abc import Collection, Iterator
from functools import lru_cache
from pathlib import Path

import branca
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.crs import METRIC_CRS, WGS84, with_lonlat
from geo.crsguess import PROVINCE_BOX
from geo.dataset import Dataset
from geo.hazards import HAZARD_TYPES
from geo.i18n import fmt_count, fmt_number, t
from geo.indicators import STATUSES
from geo.style import HAZARD_COLOURS, RESETTLEMENT_COLOURS, STATUS_COLOURS

__all__ = [
    "ASSET_URL",
    "BASEMAPS",
    "install_assets",
    "localise",
    "display_communes",
    "display_zones",
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


def _extent(frames: list[gpd.GeoDataFrame]) -> tuple[float, float, float, float]:
    """The WGS 84 extent of the first non-empty layer (NaN when all are empty)."""
    for frame in frames:
        if len(frame) and frame.crs is not None:
            return tuple(frame.to_crs(WGS84).total_bounds)
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

    zones = load(path).zones
    merged = zones.dissolve(["hazard_type", "level"], as_index=False)[["hazard_type", "level", "geometry"]]
    simple = shapely.simplify(merged.geometry.values, tolerance, preserve_topology=True)
    frame = gpd.GeoDataFrame(merged.drop(columns="geometry"), geometry=simple, crs=zones.crs).to_crs(WGS84)
    frame["geometry"] = shapely.make_valid(shapely.set_precision(frame.geometry.values, 1e-5))
    return _with_geojson(frame)


def display_zones(ds: Dataset, tolerance: float = 30.0) -> gpd.GeoDataFrame:
    """Hazard zones for the web map: one (multi)polygon per type and level.

    Zones are merged by type and level (at most 15 features, whatever the
    number of zones), simplified by ``tolerance`` metres and rounded to 5
    decimals, in WGS 84. Cached per dataset and revision.
    """
    return _display_zones(ds.path, ds.revision, tolerance)


def _tooltip(fields: list[str], aliases: list[str] | None = None, **options) -> folium.GeoJsonTooltip:
    """A GeoJsonTooltip whose labels are escaped (its values are: :func:`_collection`'s ``shown``)."""
    return folium.GeoJsonTooltip(fields=fields, aliases=None if aliases is None else [_escaped(a) for a in aliases],
                                 **options)


def _legend(title: str, rows: list[tuple[str, str, str]], position: str = "topright") -> branca.element.MacroElement:
    r"""A Leaflet control listing (colour, border style, label) rows.

    Title and labels are text (escaped); the HTML reaches the script as JSON,
    never as template source, so a title holding ``{{ ... }}`` is only text.

    >>> m = folium.Map(tiles=None)
    >>> _ = _legend("{{ 7*7 }} <b>", [("#fff", "solid", "</script>")]).add_to(m)
    >>> page = m.get_root().render()
    >>> "\\u0026#123;\\u0026#123; 7*7 }} \\u0026lt;b\\u0026gt;" in page, "\\u0026lt;/script\\u0026gt;" in page
    (True, True)
    """
    items = "".join(
        f'<div><span style="display:inline-block;width:14px;height:14px;margin-right:6px;vertical-align:middle;'
        f'background:{colour};border:1px {border} #444"></span>{_escaped(label)}</div>'
        for colour, border, label in rows
    )
    content = (f'<div class="geo-legend" style="background:white;padding:6px 8px;font:12px \'DejaVu Sans\','
               f'\'Noto Sans\',sans-serif;border-radius:4px;box-shadow:0 0 4px rgba(0,0,0,.3)">'
               f"<b>{_escaped(title)}</b>{items}</div>")
    element = branca.element.MacroElement()
    element.content = content
    element.position = position
    element._template = branca.element.Template(
        "{% macro script(this, kwargs) %}"
        "var legend = L.control({position: {{ this.position|tojson }}});"
        "legend.onAdd = function () { var d = L.DomUtil.create('div'); d.innerHTML = "
        "{{ this.content|tojson }}; return d; };"
        "legend.addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )
    return element


def _households_layer(households: gpd.GeoDataFrame, lang: str, max_points: int,
                      max_clustered: int = 20_000, cell_m: float = 2_000.0) -> folium.FeatureGroup:
    """Households as circles by resettlement status, clustered, or as grid counts.

    Up to ``max_points`` are drawn one by one; up to ``max_clustered`` are
    clustered in the browser (individual circles from zoom 15); beyond that
    the browser gets one circle per ``cell_m`` grid cell with its count.
    """
    group = folium.FeatureGroup(name=f"{t('households', lang)} ({fmt_count(len(households), lang)})")
    if households.empty:
        return group
    codes = {s: i for i, s in enumerate(RESETTLEMENT_COLOURS)}
    status = households["resettlement_status"].fillna("not_planned").map(codes).to_numpy()
    if len(households) > max_clustered:
        metric = households.to_crs(METRIC_CRS)
        cell = pd.DataFrame({"x": (metric.geometry.x // cell_m).to_numpy(), "y": (metric.geometry.y // cell_m).to_numpy()})
        counts = cell.value_counts().rename("n").reset_index()
        centres = gpd.GeoSeries(gpd.points_from_xy((counts["x"] + 0.5) * cell_m, (counts["y"] + 0.5) * cell_m),
                                crs=METRIC_CRS).to_crs(WGS84)
        for y, x, n in zip(centres.y.round(5), centres.x.round(5), counts["n"]):  # one per grid cell
            folium.CircleMarker([y, x], radius=float(3 + 2 * np.log2(n)), weight=1, color="#333333",
                                fill=True, fill_color="#6a51a3", fill_opacity=0.6,
                                tooltip=f"{fmt_count(n, lang)} {t('households', lang).lower()}").add_to(group)
        return group
    if "lon" not in households or "lat" not in households:
        households = with_lonlat(households)
    # One compact JSON array ([lat, lon, status code] per household) and one JavaScript
    # loop draw the points on the canvas; a click sends the point back to the app,
    # which shows the household's record.
    rows = pd.DataFrame({"lat": households["lat"].to_numpy(), "lon": households["lon"].to_numpy(), "s": status})
    callback = (
        "function (row) { var colours = " + json.dumps(list(RESETTLEMENT_COLOURS.values())) + ";"
        " var names = " + json.dumps([_escaped(t(s, lang)) for s in RESETTLEMENT_COLOURS]) + ";"
        " return L.circleMarker(new L.LatLng(row[0], row[1]), {radius: 4, weight: 1, color: '#333',"
        " fillColor: colours[row[2]], fillOpacity: 0.9}).bindTooltip(names[row[2]]); }"
    )
    folium.plugins.FastMarkerCluster(
        rows.to_numpy().tolist(), callback=callback,
        options={"disableClusteringAtZoom": 1 if len(households) <= max_points else 15, "chunkedLoading": True},
    ).add_to(group)
    return group


def _sites_layer(sites: gpd.GeoDataFrame, unsafe_sites: set[str], lang: str) -> folium.FeatureGroup:
    """Resettlement sites as one GeoJSON layer: large green rings, red with a warning when unsafe."""
    group = folium.FeatureGroup(name=t("sites", lang))
    if sites.empty:
        return group
    frame = sites.to_crs(WGS84)
    bad = frame["site_id"].isin(list(unsafe_sites))
    frame = frame.assign(
        colour=np.where(bad, "#b2182b", "#1a9641"),
        label=np.where(bad, "⚠ ", "") + frame["name_vi"].fillna("").astype(str) + " ("
        + frame["site_id"].astype(str) + ")" + np.where(bad, f" — {t('site_unsafe', lang)}", ""),
    )[["colour", "label", "geometry"]]
    frame["label"] = frame["label"].map(_escaped)  # shown as HTML by the tooltip: a name is only text
    folium.GeoJson(
        json.loads(frame.to_json()),
        marker=folium.CircleMarker(radius=9, weight=3, fill=True, fill_opacity=0.35),
        style_function=lambda f: {"color": f["properties"]["colour"], "fillColor": f["properties"]["colour"]},
        tooltip=_tooltip(["label"], labels=False),
    ).add_to(group)
    return group


def indicator_map(
    ds: Dataset,
    table: pd.DataFrame,
    title: str,
    units: str = "2020",
    lang: str = "vi",
    basemap: str = "none",
    local_tiles: str | None = None,
) -> folium.Map:
    """Communes coloured by status, with a hover tooltip and a legend with counts.

    Parameters
    ----------
    table : DataFrame
        :func:`geo.status.commune_status` of the indicator and year shown.
    title : str
        Legend title (indicator and year).
    """
    shapes = display_communes(ds, int(units))[["ma_xa", "name_vi", "geometry", "geojson"]]
    data = shapes.merge(table.drop(columns=["name_vi"], errors="ignore"), on="ma_xa", how="left")
    data["status"] = data["status"].fillna("no_data")
    data["status_text"] = data["status"].map(lambda s: t(s, lang))
    for column in ("value", "target_value", "expected", "gap"):
        data[f"{column}_text"] = data[column].map(lambda v: fmt_number(v, 1, lang))
    data["colour"] = data["status"].map(STATUS_COLOURS)
    keep = ["ma_xa", "name_vi", "status", "status_text", "colour", "value_text", "target_value_text",
            "expected_text", "gap_text", "geometry"]
    m = _base_map(tuple(shapes.total_bounds), basemap, local_tiles)
    if data.empty:  # no commune boundaries yet: the legend alone says what is missing
        return localise(m)
    tooltip_fields = ["name_vi", "ma_xa", "value_text", "target_value_text", "expected_text", "status_text", "gap_text"]
    folium.GeoJson(
        _collection(data, keep[:-1], shown=tooltip_fields),
        name=t("map_title", lang),
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#555555",
            "weight": 0.8,
            "fillOpacity": 0.8,
            "dashArray": "4 3" if f["properties"]["status"] == "no_data" else None,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000000"},
        tooltip=_tooltip(
            tooltip_fields,
            [t("commune", lang), t("code", lang), t("value", lang), t("target", lang), t("expected", lang),
             t("status", lang), t("gap", lang)],
        ),
    ).add_to(m)
    counts = data["status"].value_counts()
    rows = [(STATUS_COLOURS[s], "dashed" if s == "no_data" else "solid", f"{t(s, lang)} ({int(counts.get(s, 0))})")
            for s in STATUSES]
    legend_title = title + (f" — {ds.label}" if ds.is_demo else "")
    _legend(legend_title, rows).add_to(m)
    return localise(m)


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
) -> folium.Map:
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
        WGS 84 extent to show; zones are clipped to it (a commune's view).
    """
    communes = display_communes(ds, 2020)
    zones = display_zones(ds)
    # The communes' extent; without boundaries, that of whatever the workspace holds.
    extent = bounds or _extent([communes, zones, households, sites])
    # Thousands of circles: a canvas draws them much faster than SVG elements.
    m = _base_map(extent, basemap, local_tiles, canvas=True)
    if not communes.empty:
        folium.GeoJson(
            _collection(communes, ["ma_xa", "name_vi"], shown=["ma_xa", "name_vi"]), name=t("commune", lang),
            style_function=lambda f: {"fillOpacity": 0, "color": "#666666", "weight": 0.6},
            tooltip=_tooltip(["name_vi"], [t("commune", lang)]),
        ).add_to(m)
    zones = zones.loc[zones["hazard_type"].isin(list(types)) & (zones["level"] >= min_level)]
    if bounds is not None:
        margin = 0.02  # degrees, about 2 km: zones just outside the view stay visible when panning
        clipped = shapely.clip_by_rect(zones.geometry.values, bounds[0] - margin, bounds[1] - margin,
                                       bounds[2] + margin, bounds[3] + margin)
        zones = _with_geojson(zones.set_geometry(clipped).loc[~shapely.is_empty(clipped)].copy())
    for hazard in HAZARD_TYPES:
        part = zones.loc[zones["hazard_type"] == hazard]
        if part.empty:
            continue
        part = part.sort_values("level").assign(
            colour=lambda d: d["level"].map(HAZARD_COLOURS),
            level_text=lambda d: d["level"].map(lambda v: t(f"level_{v}", lang)),
        )
        group = folium.FeatureGroup(name=t(hazard, lang))
        folium.GeoJson(
            _collection(part, ["hazard_type", "level", "colour", "level_text"], shown=["level_text"]),
            style_function=lambda f: {"fillColor": f["properties"]["colour"], "fillOpacity": 0.65,
                                      "color": f["properties"]["colour"], "weight": 0.5},
            tooltip=_tooltip(["level_text"], [t(hazard, lang)]),
        ).add_to(group)
        group.add_to(m)

    _households_layer(households, lang, max_points).add_to(m)

    _sites_layer(sites, unsafe_sites, lang).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    rows = [(HAZARD_COLOURS[level], "solid", t(f"level_{level}", lang)) for level in range(1, 6)]
    if len(households):  # no household drawn (a viewer's map): no status colours to explain
        rows += [(RESETTLEMENT_COLOURS[s], "solid", t(s, lang)) for s in RESETTLEMENT_COLOURS]
    _legend(t("risk_legend", lang) + (f" — {ds.label}" if ds.is_demo else ""), rows, "bottomright").add_to(m)
    return localise(m)
