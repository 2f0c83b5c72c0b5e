"""The module set of the chosen dataset/task, as both function pages show it: the sidebar's "Modules applied" and
the editor's module chooser (with "+ New module"). The set lives in the workspace (mmtl_core.studio.modules)."""

from __future__ import annotations

import streamlit as st

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.studio.modules import choose_modules, function_files, new_module, open_module_set, own_module_name
from mmtl_core.tasks import Task
from mmtl_core.workspace import Workspace
from pages.parts import common

NEW_MODULE = "+ New module"


def _keys(prefix: str, dataset: Dataset, task: Task) -> tuple[str, str]:
    scope = f"{dataset.name}_{task.name}"
    return f"{prefix}_modules_{scope}", f"{prefix}_file_{scope}"


def applied_modules(ws: Workspace, dataset: Dataset, task: Task, prefix: str) -> list[str]:
    """The sidebar's "Modules applied" for this dataset/task: its saved set, which a change saves."""
    key, _ = _keys(prefix, dataset, task)
    modules = open_module_set(ws, dataset, task)
    if st.session_state.get(key) != modules:
        st.session_state[key] = modules

    def save() -> None:
        try:
            choose_modules(ws, dataset, task, st.session_state[key])
        except MMTLError as e:
            st.session_state[f"{key}_error"] = e

    st.sidebar.multiselect("Modules applied", function_files(ws), key=key, on_change=save,
                           help=f"The modules of {escape_markdown(ws.functions_dir.name + '/')} whose functions "
                                f"{escape_markdown(repr(task.name))} on {escape_markdown(repr(dataset.name))} "
                                "applies; remembered in the workspace for this dataset and task.")
    if f"{key}_error" in st.session_state:
        common.show_error(st.session_state.pop(f"{key}_error"), "Modules not changed")
    return list(st.session_state[key])


def editor_module(ws: Workspace, dataset: Dataset, task: Task, modules: list[str], prefix: str,
                  container=st) -> str | None:
    """The editor's module chooser, over this dataset/task's modules and "+ New module" (a name, then Create: a
    module from the template, added to the set). None while the user makes a new module."""
    modules_key, key = _keys(prefix, dataset, task)
    name_key = f"{key}_new_name"

    def create() -> None:
        try:
            made = new_module(ws, dataset, task, st.session_state[name_key], modules)
        except MMTLError as e:
            st.session_state[f"{key}_error"] = e
        else:
            st.session_state[key] = made
            st.session_state[modules_key] = [*modules, made]

    if st.session_state.get(key) not in (*modules, NEW_MODULE):
        # The Slices page opens on a module named for slices, the Labeling page on one that is not (by name: which
        # module holds which kind is known only once they are applied, below the editor).
        for_slices = prefix == "sl"
        fitting = [m for m in modules if ("slice" in m.lower()) == for_slices]
        st.session_state[key] = (fitting or modules or [NEW_MODULE])[0]
    choice = container.selectbox("Module", [*modules, NEW_MODULE], key=key)
    if choice != NEW_MODULE:
        return choice
    if not modules:
        st.info(f"{escape_markdown(repr(task.name))} on {escape_markdown(repr(dataset.name))} applies no module yet: "
                "create one from the template.",
                icon=":material/lightbulb:")
    st.text_input("File name", value=own_module_name(dataset, task, function_files(ws)), key=name_key)
    st.button("Create", key=f"{key}_create", on_click=create)
    if f"{key}_error" in st.session_state:
        common.show_error(st.session_state.pop(f"{key}_error"), "Not created")
    return None
