"""The pages' charts as Vega-Lite specifications, drawn with ``st.vega_lite_chart``.

Streamlit's ``st.bar_chart`` and ``st.line_chart`` build each chart with
Altair, which validates it against the whole Vega-Lite schema on every rerun
(about a third of a CPU-second per chart on this machine). These charts are
plain dictionaries instead: nothing to validate, and the same chart on screen.
Labels come from the caller, already in the user's language.

>>> spec = lines("year", {"share": "Tỷ lệ", "expected_share": "Lộ trình"}, "%")
>>> spec["encoding"]["color"]["scale"]["domain"]
['Tỷ lệ', 'Lộ trình']
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["lines", "stacked_bars", "long_table", "in_language"]

#: Colour-blind-safe series colours (ColorBrewer Dark2): done vs still needed, measured vs planned path.
_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e"]
#: Vega's number format of each language (9.178; 46,5).
_LOCALES = {"vi": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
            "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", ""]}}


def in_language(spec: dict, lang: str) -> dict:
    """``spec`` with the language's number format for axes and tooltips.

    >>> in_language({"mark": "bar"}, "vi")["config"]["locale"]["number"]["decimal"]
    ','
    """
    return spec | {"config": {"locale": {"number": _LOCALES[lang]}}}


def long_table(frame: pd.DataFrame, key: str, series: Mapping[str, str]) -> pd.DataFrame:
    """``frame``'s ``series`` columns stacked into (key, series name in words, value) rows."""
    return (frame[list(series)].rename(columns=series).rename_axis(key).reset_index()
            .melt(id_vars=key, var_name="series", value_name="value"))


def lines(key: str, series: Mapping[str, str], unit: str) -> dict:
    """Lines with points of each series over ``key`` (years as labels), the unit on the y axis."""
    names = list(series.values())
    return {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": key, "type": "ordinal", "title": None, "axis": {"labelAngle": 0}},
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": names, "range": _COLOURS[:len(names)]}, "legend": {"orient": "bottom", "labelLimit": 0}},
            "strokeDash": {"field": "series", "type": "nominal", "legend": None,
                           "scale": {"domain": names, "range": [[1, 0], [5, 3], [2, 2]][:len(names)]}},
            "tooltip": [{"field": key, "type": "ordinal"}, {"field": "series", "type": "nominal", "title": " "},
                        {"field": "value", "type": "quantitative", "format": ",.1f"}],
        },
    }


def stacked_bars(key: str, series: Mapping[str, str], order: list[str] | None = None) -> dict:
    """Horizontal bars of ``key`` (in ``order``, top first), each stacking ``series``."""
    names = list(series.values())
    return {
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": key, "type": "nominal", "title": None, "sort": order},
            "x": {"field": "value", "type": "quantitative", "title": None, "stack": "zero"},
            "color": {"field": "series", "type": "nominal", "title": None,
                      "scale": {"domain": names, "range": _COLOURS[:len(names)]}, "legend": {"orient": "bottom", "labelLimit": 0}},
            "tooltip": [{"field": key, "type": "nominal"}, {"field": "series", "type": "nominal", "title": " "},
                        {"field": "value", "type": "quantitative", "format": ",d"}],
        },
    }
