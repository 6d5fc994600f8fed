"""Colours, shared by the web map and the printed maps.

Status colours are a colour-blind-safe blue-orange diverging scheme
(ColorBrewer RdBu); "no data" is light grey *and* hatched, so it is never read
as a value. Hazard levels use ColorBrewer YlOrRd, 5 classes.
"""

from __future__ import annotations

__all__ = ["STATUS_COLOURS", "NO_DATA_HATCH", "HAZARD_COLOURS", "RESETTLEMENT_COLOURS", "AGGREGATE_COLOUR",
           "CHANGE_COLOURS"]

STATUS_COLOURS = {
    "achieved": "#2166ac",
    "on_track": "#92c5de",
    "behind": "#f4a582",
    "no_data": "#d9d9d9",
    "not_applicable": "#ffffff",
}
NO_DATA_HATCH = "////"
HAZARD_COLOURS = {1: "#ffffb2", 2: "#fecc5c", 3: "#fd8d3c", 4: "#f03b20", 5: "#bd0026"}
RESETTLEMENT_COLOURS = {
    "not_planned": "#7f7f7f",
    "planned": "#fdae61",
    "moving": "#abd9e9",
    "resettled": "#1a9641",
    "stabilised": "#2c7bb6",
}
#: Groups of households on the web map (clusters, grid cells): a purple no hazard level or status uses.
AGGREGATE_COLOUR = "#54278f"
#: How a status moved between two years (ColorBrewer PuOr, colour-blind safe); no data grey and dashed.
CHANGE_COLOURS = {"improved": "#5e3c99", "same": "#f7f7f7", "worse": "#e66101", "no_data": "#d9d9d9"}
