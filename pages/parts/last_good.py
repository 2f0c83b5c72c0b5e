"""Both function pages after a save: the current analysis, or the last one whose modules all loaded (marked stale)
when a module no longer loads (mmtl_core.studio.stale decides), with the load errors and functions' faults."""

from __future__ import annotations

import streamlit as st

from mmtl_core.data.dataset import Dataset
from mmtl_core.studio.stale import A, keep_last_good
from mmtl_core.tasks import Task
from pages.parts import editor


def results_to_show(current: A, dataset: Dataset, task: Task, prefix: str) -> A:
    key = f"{prefix}_last_good_{dataset.name}_{task.name}"
    shown = keep_last_good(current, st.session_state.get(key))
    if not current.load_errors:
        st.session_state[key] = current
    editor.show_problems(current.load_errors, shown.analysis.problems,  # type: ignore[attr-defined]
                         key=f"{prefix}_analysis", not_cached=shown.analysis.not_cached)  # type: ignore[attr-defined]
    if shown.stale:
        st.warning("These are the results of the last save whose modules all loaded: fix the error above and "
                   "save to see the new ones.", icon=":material/history:")
    return shown.analysis
