"""Both function pages after a save: the current analysis, or the last one whose modules all loaded (marked stale)
when a module no longer loads (mmtl_core.studio.stale decides), with the load errors and functions' faults; and the
functions the save added or changed, which the page brings into view (mmtl_core.studio.changes decides)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import streamlit as st

from mmtl_core.data.dataset import Dataset
from mmtl_core.studio.changes import just_saved, recomputed
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


def just_saved_names(analysis: object, names: Sequence[str], reports: Mapping[str, object], dataset: Dataset,
                     task: Task, prefix: str) -> tuple[tuple[str, ...], bool]:
    """The functions the last save added or changed (to highlight and select), and whether this run is the first
    to show them (so a page selects them once and then leaves the choice to the user)."""
    key = f"{prefix}_seen_{dataset.name}_{task.name}"
    seen = st.session_state.get(key)
    if seen is not None and seen[0] is analysis:
        return seen[2], False
    saved = just_saved(None if seen is None else seen[1], names, recomputed(reports))
    st.session_state[key] = (analysis, tuple(names), saved)
    return saved, bool(saved)
