"""Retrain and compare: the one flow the Train and Compare pages share. From a run, after the user changed
labeling or slicing functions: the functions changed since it are listed; one click retrains it through the job
queue with the current functions, as its child; when the child finishes, the Compare page opens on the child
against its parent, with the changed functions listed there too."""

from __future__ import annotations

import streamlit as st

from mmtl_core.compare.differences import changes_text
from mmtl_core.errors import MMTLError, RegistryError
from mmtl_core.jobs.queue import JobQueue
from mmtl_core.markup import escape_markdown as md
from mmtl_core.progress import progress_fraction, progress_text
from mmtl_core.runs.registry import RunRecord, default_url
from mmtl_core.studio import training
from mmtl_core.studio.modules import module_set
from mmtl_core.workspace import Workspace
from pages.parts import common, editor

COMPARE_PAGE = "pages/views/compare.py"
FOLLOWING = "retrain_following"  # {"child": id, "parent": id} while a retrain started here runs
OPEN_COMPARISON = "compare_open"  # (parent id, child id): the Compare page opens on these, parent pinned
POLL_S = 1.0


@st.cache_resource(show_spinner=False)
def _job_queue(root: str, functions_dir: str, url: str) -> JobQueue:
    return JobQueue.for_workspace(Workspace.at(root, functions_dir), url)


def job_queue(ws: Workspace) -> JobQueue:
    """One queue (and registry connection pool) per workspace and registry, shared by the sessions of this
    server."""
    return _job_queue(str(ws.root), str(ws.functions_dir), default_url(ws.runs_dir))


def current_functions(ws: Workspace, dataset, task) -> training.CurrentFunctions:
    """The functions the pages apply to this dataset/task now, loaded again only when a module's text changed."""
    files = module_set(ws, dataset, task)
    key = (dataset.name, task.name, editor.modules_digest(ws, files))
    cache = st.session_state.setdefault("retrain_functions", {})
    if key not in cache:
        cache[key] = training.current_functions(ws, dataset, task)
    return cache[key]


def retrain_button(queue: JobQueue, record: RunRecord, ws: Workspace, choices: dict, *, key: str,
                   container=st) -> None:
    """The Retrain button of ``record`` in ``container``, and below it the functions changed since it.
    ``choices``: "dataset / task" -> (Dataset, Task) of the workspace."""
    tasks = [(t["dataset"], t["task"]) for t in (record.config or {}).get("tasks", [])]
    found = {pair: choices.get(f"{pair[0]} / {pair[1]}") for pair in tasks}
    functions = {pair: current_functions(ws, *chosen) for pair, chosen in found.items() if chosen}
    changes = [c for fs in functions.values() for c in training.changed_functions(record.functions or {}, fs)]
    if container.button("Retrain and compare", key=key, icon=":material/model_training:",
                        help="Run this config again with the current labeling and slicing functions, as its child; "
                             "when it finishes, the Compare page opens on it against this run."):
        slices = {task: training.slicing_names(fs) for (_, task), fs in functions.items()}
        try:
            child = training.retrain(queue, record, slices)
        except MMTLError as e:
            common.show_error(e, "Not retrained")
        else:
            st.session_state[FOLLOWING] = {"child": child.id, "parent": record.id}
            st.success(f"Queued {md(child.name)} ({md(child.id)}); the comparison opens when it finishes.",
                       icon=":material/schedule:")
    if changes:
        st.caption("Changed since this run: " + md(changes_text(changes)))
    elif functions:
        st.caption("No labeling or slicing function changed since this run.")


@st.fragment(run_every=POLL_S)
def follow(queue: JobQueue) -> None:
    """While a retrain started on this page runs: its progress; when it has finished, the Compare page on it."""
    following = st.session_state.get(FOLLOWING)
    if not following:
        return
    try:
        child = queue.registry.get(following["child"])
    except RegistryError:
        del st.session_state[FOLLOWING]  # deleted meanwhile
        return
    if not child.finished:
        st.progress(progress_fraction(child.progress or {}), text=f"Retraining as {md(child.name)}: {child.state}"
                    + (f" · {md(progress_text(child.progress))}" if child.progress else "")
                    + " · the comparison with its parent opens when it finishes")
        return
    del st.session_state[FOLLOWING]
    if child.state == "succeeded":
        st.session_state[OPEN_COMPARISON] = (following["parent"], child.id)
        st.switch_page(COMPARE_PAGE)
    st.error(f"The retrain {md(child.name)} ({md(child.id)}) {child.state}: "
             f"{md(child.error) if child.error else 'see its log on the Train page'}",
             icon=":material/error:")
