"""What every page shares: the workspace, the loaded datasets, the dataset/task chooser, error display.

Caching lives here (the app layer), never in mmtl_core: ``st.cache_resource`` for read-only shared objects
(a loaded Dataset), keyed by what determines them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import asdict

import streamlit as st

from mmtl_core.browse import describe_datasets, text_columns
from mmtl_core.data import DatasetSpec, load_dataset
from mmtl_core.data.dataset import Dataset
from mmtl_core.data.sources import source_stamp
from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.tasks import Task, tasks_for
from mmtl_core.weak.label_model import warm_up
from mmtl_core.workspace import Workspace


@st.cache_resource(show_spinner=False)
def warm_up_in_background() -> threading.Thread:
    """Once per server: pay the label model's one-off import cost now, not on the user's first save."""
    thread = threading.Thread(target=warm_up, name="mmtl-warm-up", daemon=True)
    thread.start()
    return thread


# Streamlit's wide layout keeps 5rem beside and 6rem above the content; at 1280 x 800 with the sidebar open that
# leaves 820 pixels for tables of eight or more columns. Our own fixed rule, no data in it.
_LAYOUT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding: 2.5rem 2rem 4rem 2rem; }
</style>"""


def tighten_layout() -> None:
    """Narrower margins around every page's content, so the tables' answer columns fit at 1280 x 800."""
    st.html(_LAYOUT_CSS)


def workspace() -> Workspace:
    # Not cached: the environment (MMTL_WORKSPACE) decides, and tests point it at a temporary folder.
    return Workspace.from_env()


@st.cache_resource(show_spinner="Loading dataset...", max_entries=16)
def _load(spec_json: str, stamp: tuple) -> Dataset:
    return load_dataset(DatasetSpec(**json.loads(spec_json)))


def load(spec: DatasetSpec) -> Dataset:
    """The dataset ``spec`` describes, loaded once per spec and source content (a preview, then saving it, loads
    it once)."""
    return _load(json.dumps(asdict(spec), sort_keys=True), source_stamp(spec.path))


def specs() -> list[DatasetSpec]:
    return workspace().dataset_specs()


def datasets() -> dict[str, Dataset]:
    """Every dataset the user loaded, by name. One that no longer loads is reported and skipped, not fatal."""
    loaded = {}
    for spec in specs():
        try:
            loaded[spec.name] = load(spec)
        except MMTLError as e:
            st.warning(f"Dataset {escape_markdown(repr(spec.name))} could not be reloaded: {escape_markdown(e)}",
                       icon=":material/warning:")
    return loaded


def add_dataset(spec: DatasetSpec) -> Dataset:
    """Load ``spec`` and remember it in the workspace; on failure nothing already saved changes. The dataset, and
    its first task, become the selection on every page."""
    dataset = load(spec)
    workspace().save_dataset(spec)
    tasks = tasks_for(dataset, user_tasks())
    st.session_state["dataset"], st.session_state["task"] = spec.name, tasks[0].name if tasks else None
    return dataset


def remove_dataset(name: str) -> None:
    workspace().forget_dataset(name)


def datasets_overview(loaded: dict[str, Dataset]):
    return describe_datasets(loaded.values())


def user_tasks() -> list[Task]:
    return workspace().tasks()


def text_fields_of(dataset: Dataset) -> tuple[str, ...]:
    """The text field(s) that matter in ``dataset``: those of the task chosen on every page (else its first task),
    else its text columns."""
    tasks = tasks_for(dataset, user_tasks())
    chosen = next((t for t in tasks if t.name == st.session_state.get("task")), tasks[0] if tasks else None)
    return chosen.text_fields if chosen is not None else tuple(text_columns(dataset))


def kept(key: str, default: object = None, options: Sequence | None = None) -> str:
    """``key``, for a widget whose choice outlives a visit to another page (Streamlit forgets the state of a widget
    a run did not draw): the choice is copied aside on every run and put back on the first run after a revisit.
    ``default`` is the first choice (give the widget no value or index of its own); a kept choice that is no longer
    among ``options`` falls back to it."""
    aside = f"_kept_{key}"
    if key not in st.session_state and st.session_state.get(aside) is not None:
        st.session_state[key] = st.session_state[aside]
    value = st.session_state.get(key)
    if options is not None and value is not None:
        fits = all(v in options for v in value) if isinstance(value, list) else value in options
        if not fits:
            del st.session_state[key]
    if key not in st.session_state and default is not None:
        st.session_state[key] = default
    if st.session_state.get(key) is not None:
        st.session_state[aside] = st.session_state[key]
    return key


def _share(key: str, shared: str) -> None:
    """A chooser changed: its choice becomes every page's selection."""
    st.session_state[shared] = st.session_state[key]


def _show_shared(key: str, shared: str, options: list[str]) -> None:
    """Before a chooser is drawn: it shows the shared selection (made on another page, or by loading a dataset)."""
    if st.session_state.get(shared) not in options:
        st.session_state[shared] = options[0]
    st.session_state[key] = st.session_state[shared]


def choose_dataset(loaded: dict[str, Dataset], *, key: str, container=st.sidebar) -> Dataset | None:
    """The dataset chooser, shared by all pages through ``st.session_state['dataset']``."""
    if not loaded:
        container.info("No dataset loaded yet.")
        container.page_link("pages/views/data.py", label="Load a dataset", icon=":material/upload:")
        return None
    _show_shared(key, "dataset", list(loaded))
    name = container.selectbox("Dataset", list(loaded), key=key, on_change=_share, args=(key, "dataset"))
    return loaded[name]


def choose_task(dataset: Dataset, *, key: str, container=st.sidebar) -> Task | None:
    tasks = tasks_for(dataset, user_tasks())
    if not tasks:
        container.info(f"Dataset {escape_markdown(repr(dataset.name))} has no task yet: define one on the Data page.")
        container.page_link("pages/views/data.py", label="Define a task", icon=":material/add:")
        return None
    by_name = {t.name: t for t in tasks}
    _show_shared(key, "task", list(by_name))
    name = container.selectbox("Task", list(by_name), key=key, on_change=_share, args=(key, "task"),
                               help="What to predict: its text field(s), label field, classes and metrics.")
    return by_name[name]


def dataset_and_task(prefix: str) -> tuple[Dataset, Task]:
    """The sidebar's dataset and task choosers (keys ``<prefix>_dataset``/``<prefix>_task``); without both the page
    stops, having said how to get them."""
    dataset = choose_dataset(datasets(), key=f"{prefix}_dataset")
    task = choose_task(dataset, key=f"{prefix}_task") if dataset is not None else None
    if dataset is None or task is None:
        st.stop()
    return dataset, task


def show_error(error: MMTLError, what: str) -> None:
    st.error(f"{what}: {escape_markdown(error)}", icon=":material/error:")
