"""Colours, shared by the web map and the printed maps.

Status colours are a colour-blind-safe blue-orange diverging scheme
(ColorBrewer RdBu); "no data" is light grey *and* hatched, so it is never read
as a value. Hazard levels use ColorBrewer YlOrRd, 5 classes.
"""

from __future__ import annotations

__all__ = ["STATUS_COLOURS", "NO_DATA_HATCH", "HAZARD_COLOURS", "RESETTLEMENT_COLOURS", "AGGREGATE_COLOUR",
           "BUFFER_COLOUR", "CHANGE_COLOURS", "INK", "PAPER", "contrast", "text_colour"]

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
#: The outline of the zones grown by the risk filter's buffer, on the web map and on print (dashed).
BUFFER_COLOUR = "#6a3d9a"
#: How a status moved between two years (ColorBrewer PuOr, colour-blind safe); no data grey and dashed.
CHANGE_COLOURS = {"improved": "#5e3c99", "same": "#f7f7f7", "worse": "#e66101", "no_data": "#d9d9d9"}
#: Text colours for printed maps: near-black ink and white paper; :func:`text_colour` picks one for a fill.
INK, PAPER = "#111111", "#ffffff"


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#rrggbb`` colour (0 black, 1 white)."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours, 1 (none) to 21 (black on white).

    >>> round(contrast("#000000", "#ffffff"), 1), round(contrast("#2166ac", "#111111"), 1)
    (21.0, 3.2)
    """
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour(fill: str) -> str:
    """The text colour (:data:`INK` or :data:`PAPER`) that reads best on ``fill``.

    >>> text_colour(STATUS_COLOURS["achieved"]), text_colour(STATUS_COLOURS["behind"])
    ('#ffffff', '#111111')
    """
    return PAPER if contrast(fill, PAPER) > contrast(fill, INK) else INK
