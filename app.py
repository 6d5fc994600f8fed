"""Streamlit front end: widgets and layout only; every figure comes from ``geo``.

Run with ``streamlit run app.py`` (see the README for the one-command set-up).
"""

from __future__ import annotations

import streamlit as st

from geo.catalogue import load_catalogue
from geo.dataset import load
from geo.i18n import t
from geo.render import status_map
from geo.status import commune_status, province_summary

st.set_page_config(page_title="Cao Bằng DTTS&MN 2021-2025", layout="wide")

lang = st.sidebar.radio("Ngôn ngữ / Language", ["vi", "en"], format_func={"vi": "Tiếng Việt", "en": "English"}.get)
ds = load()
catalogue = load_catalogue()
st.title(t("app_title", lang))
if ds.is_demo:
    st.warning(f"**{ds.label}** — {t('demo_banner', lang)}")

indicator = st.sidebar.selectbox(
    t("indicator", lang), list(catalogue), format_func=lambda i: f"{i}. {catalogue[i].name(lang)}"
)
year = st.sidebar.select_slider(t("year", lang), options=list(range(2020, 2026)), value=2025)
units = st.sidebar.radio(t("units", lang), ["2020", "2025"], format_func=lambda u: t(f"units_{u}", lang))

left, right = st.columns([3, 2])
with left:
    st.pyplot(status_map(ds, indicator, year, units, lang))
with right:
    st.subheader(t("furthest_behind", lang))
    table = commune_status(ds, indicator, year, units)
    table["status"] = table["status"].map(lambda s: t(s, lang))
    st.dataframe(table[["ma_xa", "name_vi", "value", "expected", "target_value", "status", "gap"]].head(20),
                 hide_index=True)
st.subheader(t("province", lang))
summary = province_summary(ds, year, lang)
summary["status"] = summary["status"].map(lambda s: t(s, lang))
st.dataframe(summary[["indicator_id", "name", "target", "value", "status", "gap"]], hide_index=True)
