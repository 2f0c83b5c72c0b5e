"""Home: where the user stands, and the next step."""

import streamlit as st

from mmtl_core.studio.display import datasets_view
from pages.parts import common, tables

st.title("MMTL Studio")
st.caption("Write labeling and slicing functions, see their effect at once, and find where your model is weak.")

datasets = common.datasets()
if not datasets:
    st.info("No data yet. Start by loading a dataset: YouTube spam, a GLUE task, WRENCH JSON, or your own file.")
    st.page_link("pages/views/data.py", label="Load a dataset", icon=":material/upload:")
    st.stop()

st.subheader("Your datasets")
tables.show(datasets_view(common.datasets_overview(datasets)), key="home_datasets")
col1, col2, col3 = st.columns(3)
col1.page_link("pages/views/data.py", label="Browse data and define tasks", icon=":material/table:")
col2.page_link("pages/views/labeling.py", label="Write labeling functions", icon=":material/rule:")
col3.page_link("pages/views/slices.py", label="Explore slices", icon=":material/pie_chart:")
