"""Data: load datasets, browse them with search and filters, define tasks."""

from __future__ import annotations

import streamlit as st

from mmtl_core.browse import label_counts, matching, text_columns
from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS
from mmtl_core.tasks import Task, identifier_from, tasks_for
from mmtl_core.studio.display import datasets_view
from mmtl_core.studio.display_rows import class_name, data_rows, search_hint
from pages.parts import charts, common, tables
from pages.parts.load_form import load_form

st.title("Data")


def _browse(dataset) -> None:
    fields = common.text_fields_of(dataset)
    hint = search_hint(dataset.frame[fields[0]]) if fields else ""
    c1, c2, c3 = st.columns([2, 1, 1])
    query = c1.text_input("Search text", key=common.kept("browse_query"), placeholder=f"e.g. {hint}" if hint else "",
                          help="Case-insensitive, in every text column. The chart and the table follow it.")
    splits = c2.multiselect("Splits", list(dataset.splits),
                            key=common.kept("browse_splits", options=list(dataset.splits)))
    label_values = sorted(dataset.frame["label"].dropna().unique().tolist()) if "label" in dataset.frame else []
    labels = c3.multiselect("Labels", label_values, key=common.kept("browse_labels", options=label_values),
                            format_func=lambda v: str(class_name(v, dataset.label_names)))
    rows = matching(dataset, splits=splits, query=query, labels=labels)
    total = int(rows.sum())
    counts = label_counts(dataset, rows=rows)
    if len(counts):
        st.plotly_chart(charts.label_balance(counts, "Rows per class, of the matching rows", dataset.label_names),
                        key="browse_balance")
    st.caption(f"{total:,} of {len(dataset):,} rows match.")
    tables.show_paged(data_rows(dataset.frame[rows], fields, dataset.label_names), key="browse_table")


def _tasks(dataset) -> None:
    user = common.user_tasks()
    tasks = tasks_for(dataset, user)
    if tasks:
        st.dataframe([{"task": t.name, "inputs": ", ".join(t.text_fields), "label": t.label_field,
                       "classes": "regression" if t.is_regression else ", ".join(t.label_names) or t.cardinality,
                       "metrics": ", ".join(t.metrics), "defined by": "you" if t in user else "built in"}
                      for t in tasks], hide_index=True, width="stretch")
    with st.form("task_form"):
        st.markdown("**Define a task**")
        c1, c2 = st.columns(2)
        name = c1.text_input("Task name", value=f"{identifier_from(dataset.name)}_task", key="task_name")
        fields = c2.multiselect("Input text field(s)", text_columns(dataset), max_selections=2, key="task_fields")
        columns = [c for c in dataset.frame.columns if c not in ("example_id", "split")]
        label_field = c1.selectbox("Label field", columns, index=columns.index("label") if "label" in columns else 0,
                                   key="task_label_field")
        kind = c2.radio("Kind", ["classification", "regression"], horizontal=True, key="task_kind")
        label_names = c1.text_input("Class names, comma-separated, in id order (classification)",
                                    value=", ".join(dataset.label_names), key="task_label_names")
        metrics = c2.multiselect("Metrics (the first ranks)", [*CLASSIFICATION_METRICS, *REGRESSION_METRICS],
                                 default=["accuracy"], key="task_metrics")
        if st.form_submit_button("Save task", key="task_save"):
            names = tuple(n.strip() for n in label_names.split(",") if n.strip())
            try:
                task = Task(name, dataset.name, tuple(fields), label_field,
                            1 if kind == "regression" else len(names), tuple(metrics),
                            () if kind == "regression" else names)
                task.check_against(dataset)
                common.workspace().save_task(task)
            except MMTLError as e:
                common.show_error(e, "The task was not saved")
            else:
                st.success(f"Saved task {escape_markdown(repr(task.name))}.")
                st.rerun()


# keyed, so it stays as the user left it (open while nothing is loaded yet)
with st.expander("Load a dataset", expanded=not common.specs(), key="load_expander"):
    load_form()

loaded = common.datasets()
dataset = common.choose_dataset(loaded, key="data_dataset")
if dataset is not None:
    browse_tab, tasks_tab, overview_tab = st.tabs(["Browse", "Tasks", "All datasets"])
    with browse_tab:
        _browse(dataset)
    with tasks_tab:
        _tasks(dataset)
    with overview_tab:
        tables.show(datasets_view(common.datasets_overview(loaded)), key="data_overview")
        if st.button(f"Forget {escape_markdown(repr(dataset.name))}", key="data_forget",
                     help="Removes it from the workspace list; the files on disk are untouched."):
            common.remove_dataset(dataset.name)
            st.rerun()
