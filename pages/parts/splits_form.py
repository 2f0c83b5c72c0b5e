"""The Data page's split maker: new train/dev/test splits, saved with the dataset (its spec's ``splits`` option)."""

from __future__ import annotations

import streamlit as st

from pages.parts.widget_defaults import defaults_when


def split_options(default_on: bool, source: object) -> dict | None:
    """The ``splits`` option chosen (a SplitPlan's settings), or None to keep the source's own splits."""
    defaults_when("splits", source, {"load_make_splits": default_on})
    if not st.checkbox("Make train/dev/test splits", key="load_make_splits",
                       help="Dev and test are drawn from the rows with a gold label, stratified by label and seeded; "
                            "rows without one go to train. Saved with the dataset: it reloads with the same splits."):
        return None
    c1, c2, c3, c4, c5 = st.columns(5)
    counts = c1.radio("Sizes as", ["percent", "rows"], key="load_split_unit", horizontal=True) == "rows"
    if counts:
        dev = c2.number_input("Dev rows", min_value=0, value=100, step=10, key="load_split_dev_rows")
        test = c3.number_input("Test rows", min_value=0, value=100, step=10, key="load_split_test_rows")
    else:
        dev = c2.number_input("Dev %", min_value=0.0, max_value=95.0, value=10.0, step=5.0,
                              key="load_split_dev_pct") / 100
        test = c3.number_input("Test %", min_value=0.0, max_value=95.0, value=10.0, step=5.0,
                               key="load_split_test_pct") / 100
    seed = c4.number_input("Seed", value=0, step=1, key="load_split_seed",
                           help="The same seed gives the same splits, on any machine and in any row order.")
    stratify = c5.checkbox("Stratify by label", value=True, key="load_split_stratify",
                           help="Each split keeps every class's share (classification labels only).")
    return {"dev": dev, "test": test, "counts": counts, "seed": int(seed), "stratify": stratify}  # checked by the spec
