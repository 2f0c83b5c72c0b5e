"""MMTL Studio: the frame and the router. Everything the pages compute comes from mmtl_core. Served by
``streamlit run app.py``, which puts the door (Host check, token) in front of it.

Page scripts live in pages/views/ and their shared parts in pages/parts/, not directly in pages/: Streamlit treats
top-level scripts in pages/ as v1 auto-pages and would run one directly when a browser opens its URL before this
script has run once, skipping the navigation below. (Known flaw: until a script has called st.navigation,
Streamlit's PagesManager flags any app with a pages/ folder as a v1 app, so the very first request after the server
starts goes through the v1 router, and a deep link opened then shows a "Page not found" notice before this
navigation takes over; with the folder named otherwise it does not, but the project's layout names it pages/.
Opening the app's root URL, as the README says, never shows it.)
"""

import streamlit as st

from mmtl_core import door
from pages.parts import common

st.set_page_config(page_title="MMTL Studio", page_icon=":material/hub:", layout="wide")
if st.context.headers.get("Host") and not door.installed():  # served over HTTP, but not through app.py's door
    st.error("Start MMTL Studio with `streamlit run app.py`: it runs code, and only app.py guards who may reach it.")
    st.stop()

PAGES = [
    st.Page("pages/views/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/views/data.py", title="Data", icon=":material/table:", url_path="data"),
    st.Page("pages/views/labeling.py", title="Labeling functions", icon=":material/rule:", url_path="labeling"),
    st.Page("pages/views/slices.py", title="Slices", icon=":material/pie_chart:", url_path="slices"),
    st.Page("pages/views/training.py", title="Train", icon=":material/model_training:", url_path="training"),
    st.Page("pages/views/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
]

common.tighten_layout()
common.warm_up_in_background()
st.navigation(PAGES).run()
