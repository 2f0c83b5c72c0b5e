"""Labeling functions: edit them live, and see coverage, conflicts, dev accuracy and the label model at once."""

from __future__ import annotations

import streamlit as st

from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.studio.display import summary_view, weak_comparison_view
from mmtl_core.studio.display_rows import inspector_view
from mmtl_core.studio.labeling import EXAMPLE_KINDS, analyse_labeling, function_examples
from mmtl_core.weak import PREDICTION_RULE, SUMMARY_NOTE, export_training_labels
from pages.parts import charts, common, editor, tables
from pages.parts.last_good import just_saved_names, results_to_show
from pages.parts.modules import applied_modules, editor_module

INSPECT_LIMIT = 1000  # examples listed for one function, 20 to a page

st.title("Labeling functions")

ws = common.workspace()
dataset, task = common.dataset_and_task("lf")
if task.is_regression:
    st.warning(f"Task {escape_markdown(repr(task.name))} is a regression task: labeling functions vote classes. "
               "Pick a classification task.")
    st.stop()
modules = applied_modules(ws, dataset, task, "lf")

# --- the editor -------------------------------------------------------------------------------------------------
left, right = st.columns([3, 2], gap="large")
with left:
    choice = editor_module(ws, dataset, task, modules, "lf")
    if choice is not None:
        editor.module_editor(ws, choice, key="lf_editor", height=(20, 32))

# --- analysis ---------------------------------------------------------------------------------------------------
with right:
    st.subheader("Label model", help=f"Majority vote and the label model on the dev rows with a gold label. "
                                     f"{PREDICTION_RULE}")
    # Re-analyse only when the data, task or a module's text changed (every widget click reruns this script).
    current = editor.analysis_once(
        "lf_analysis", (dataset.fingerprint, task, editor.modules_digest(ws, modules)),
        lambda progress, rerun: analyse_labeling(dataset, task, ws, modules, progress=progress, rerun=rerun),
        "Applying labeling functions...")
    analysis = results_to_show(current, dataset, task, "lf")
    report = analysis.report
    if report is None:
        st.info("No labeling functions yet in the modules applied. Write one in the editor and save.")
        st.stop()
    for warning in report.warnings:
        st.warning(escape_markdown(warning), icon=":material/warning:")
    tables.show(weak_comparison_view(report.comparison, task.metrics), key="lf_comparison")
    # A callable: the Parquet is written when the button is clicked, not on every rerun of the page.
    st.download_button("Export training labels (Parquet)",
                       lambda: report.training_labels.frame.to_parquet(index=False),
                       file_name=f"{task.name}_training_labels.parquet", key="lf_export",
                       help=report.training_labels.note)
    if st.button("Save training labels to the workspace", key="lf_save_labels",
                 help="For training runs: a Parquet file of example_id and one probability per class."):
        try:
            path = export_training_labels(ws.labels_path(dataset.name, task.name), report.training_labels)
        except MMTLError as e:
            common.show_error(e, "Not saved")
        else:
            st.success(f"Saved to {escape_markdown(path)}")
    st.caption(escape_markdown(report.training_labels.note))

saved, fresh = just_saved_names(analysis, analysis.names, analysis.applied.reports if analysis.applied else {},
                                dataset, task, "lf")
if fresh:
    st.session_state["lf_inspect"] = saved[0]  # the function just saved is the one to look at
st.subheader("Summary", help=SUMMARY_NOTE)
tables.show(summary_view(report.summary, task.label_names, highlight=saved), key="lf_summary")
st.plotly_chart(charts.coverage_conflicts(report.summary), key="lf_chart")

st.subheader("Inspect a function")
c1, c2 = st.columns([3, 1])
splits = list(dataset.splits)
name = c1.selectbox("Function", list(analysis.names), key=common.kept("lf_inspect", options=analysis.names))
split = c2.selectbox("Split", splits, key=common.kept("lf_split", "dev" if "dev" in splits else splits[0], splits))
kind = st.radio("Examples", list(EXAMPLE_KINDS), format_func=EXAMPLE_KINDS.get, key=common.kept("lf_kind"),
                horizontal=True)
examples, total = function_examples(dataset, task, analysis, name, kind, split=split, limit=INSPECT_LIMIT)
st.caption(f"{total:,} example(s) in {escape_markdown(split)} {EXAMPLE_KINDS[kind]}"
           + (f"; the first {len(examples):,} below" if total > len(examples) else "."))
tables.show_paged(inspector_view(examples, task.text_fields), key="lf_examples")
