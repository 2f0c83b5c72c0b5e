"""Training: launching multi-task runs in the background is not built yet; this page says so and what exists."""

import streamlit as st

st.title("Training")
st.info(
    "Coming next: launch multi-task training (shared encoder, one head per task, slice heads) in the background "
    "on this machine or a Ray GPU box, follow its progress, and retrain with one click after editing a function.",
    icon=":material/construction:",
)
st.markdown(
    "Today you can already train from the command line with `python -m mmtl_core.train CONFIG.yaml` "
    "(see README.md); the label model's training labels are exported from the **Labeling functions** page."
)
