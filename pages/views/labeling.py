"""Labeling functions: edit them live, and see coverage, conflicts, dev accuracy and the label model at once."""

from __future__ import annotations

import streamlit as st

from mmtl_core.errors import MMTLError
from mmtl_core.studio.display import weak_comparison_table
from mmtl_core.studio.labeling import EXAMPLE_KINDS, analyse_labeling, function_examples
from mmtl_core.weak import PREDICTION_RULE, SUMMARY_NOTE, export_training_labels
from pages.parts import charts, common, editor
from pages.parts.last_good import results_to_show
from pages.parts.modules import applied_modules, editor_module

st.title("Labeling functions")

ws = common.workspace()
dataset, task = common.dataset_and_task("lf")
if task.is_regression:
    st.warning(f"Task {task.name!r} is a regression task: labeling functions vote classes. Pick a classification task.")
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
    st.subheader("Label model")
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
        st.warning(warning, icon=":material/warning:")
    st.dataframe(weak_comparison_table(report.comparison), width="stretch", key="lf_comparison")
    st.caption(f"Dev rows with a gold label. {PREDICTION_RULE}")
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
            st.success(f"Saved to `{path}`")
    st.caption(report.training_labels.note)

st.subheader("Summary")
st.dataframe(report.summary, width="stretch", key="lf_summary",
             column_config={c: st.column_config.NumberColumn(format="percent")
                            for c in ("Coverage", "Overlaps", "Conflicts", "Emp. Acc.", "Dev coverage")})
st.caption(SUMMARY_NOTE)
st.plotly_chart(charts.coverage_conflicts(report.summary), key="lf_chart")

st.subheader("Inspect a function")
c1, c2, c3 = st.columns([2, 2, 1])
name = c1.selectbox("Function", list(analysis.names), key="lf_inspect")
kind = c2.radio("Examples", list(EXAMPLE_KINDS), format_func=EXAMPLE_KINDS.get, horizontal=True, key="lf_kind")
split = c3.selectbox("Split", list(dataset.splits), index=list(dataset.splits).index("dev")
                     if "dev" in dataset.splits else 0, key="lf_split")
examples, total = function_examples(dataset, task, analysis, name, kind, split=split)
st.caption(f"{total:,} example(s) in {split} {EXAMPLE_KINDS[kind]}" + (f"; showing {len(examples)}" if
                                                                        total > len(examples) else ""))
st.dataframe(examples, hide_index=True, width="stretch", key="lf_examples")
