"""The Data page's download section: fetch a public dataset into the workspace cache, then load it."""

from __future__ import annotations

import streamlit as st

from mmtl_core.data import DOWNLOADABLE, DatasetSpec, download_dataset
from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.workspace import Workspace
from pages.parts import common


def download_section(ws: Workspace) -> None:
    name = st.selectbox("Public dataset", DOWNLOADABLE, key="download_name",
                        help="GLUE tasks from GLUE's own download location; YouTube spam from the UCI archive. "
                             "Files are checked against known SHA-256 digests.")
    if not st.button("Download and load", type="primary", key="download_button"):
        return
    bar = st.progress(0.0, text=f"Downloading {name}...")

    def progress(done: int, total: int) -> None:
        fraction = done / total if total else 0.0
        bar.progress(min(fraction, 1.0), text=f"Downloading {name}: {done / 1e6:.1f} of "
                                              f"{total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB")

    try:
        folder = download_dataset(name, ws.downloads_dir, progress=progress)
        kind, options = ("youtube_spam", {}) if name == "youtube_spam" else ("glue", {"task": name})
        dataset = common.add_dataset(DatasetSpec(name, kind,
                                                 str(folder), options))
    except MMTLError as e:
        bar.empty()
        common.show_error(e, "Download failed")
        return
    bar.empty()
    st.success(f"Downloaded and loaded {escape_markdown(repr(dataset.name))}: {len(dataset):,} rows.")
