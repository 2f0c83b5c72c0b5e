"""Labeling functions: edit them live, and see coverage, conflicts, dev accuracy and the label model at once."""

from __future__ import annotations

import streamlit as st

from mmtl_core.errors import MMTLError
from mmtl_core.functions.files import create_function_file
from mmtl_core.weak import SCORING_NOTE, SUMMARY_NOTE, export_training_labels
from mmtl_core.workbench import (EXAMPLE_KINDS, NEW_MODULE_TEMPLATE, analyse_labeling, default_files,
                                 function_examples, function_files)
from pages.parts import charts, common, editor

st.title("Labeling functions")

ws = common.workspace()
dataset, task = common.dataset_and_task("lf")
if task.is_regression:
    st.warning(f"Task {task.name!r} is a regression task: labeling functions vote classes. Pick a classification task.")
    st.stop()

files = function_files(ws.functions_dir)
ACTIVE_KEY = f"lf_active_{dataset.name}_{task.name}"
active = st.sidebar.multiselect("Modules applied", files, default=default_files(ws.functions_dir, dataset, task),
                                key=ACTIVE_KEY, help="Which modules of labeling_functions/ hold functions for this "
                                                     "task. The module open in the editor is always applied.")

# --- the editor -------------------------------------------------------------------------------------------------



def _create_module(ws) -> None:
    # A callback: it runs before the file chooser is drawn, so it may switch the chooser to the new module.
    try:
        path = create_function_file(ws.functions_dir, st.session_state["lf_new_name"], NEW_MODULE_TEMPLATE)
    except MMTLError as e:
        st.session_state["lf_create_error"] = e
    else:
        st.session_state["lf_file"] = path.name
        st.session_state[ACTIVE_KEY] = [*st.session_state.get(ACTIVE_KEY, []), path.name]


left, right = st.columns([3, 2], gap="large")
with left:
    c1, c2 = st.columns([2, 1])
    choice = c1.selectbox("Module", [*files, "+ New module"], key="lf_file",
                          index=files.index(active[0]) if active and active[0] in files else 0)
    if choice == "+ New module":
        if not files:
            st.info(f"No labeling functions yet: `{ws.functions_dir.name}/` has no module. Create one to start "
                    "from a template.", icon=":material/lightbulb:")
        c2.text_input("File name", value="my_functions.py", key="lf_new_name")
        st.button("Create", key="lf_create", on_click=_create_module, args=(ws,))
        if "lf_create_error" in st.session_state:
            common.show_error(st.session_state.pop("lf_create_error"), "Not created")
        st.stop()
    editor.module_editor(ws, choice, key="lf_editor", height=(20, 32))

# --- analysis ---------------------------------------------------------------------------------------------------
with right:
    st.subheader("Label model")
    # Re-analyse only when the data, task or a module's text changed (every widget click reruns this script).
    applied = sorted({*active, choice})
    analysis, stale = editor.analysis_once(
        "lf_analysis", (dataset.fingerprint, task, editor.modules_digest(ws, applied)),
        lambda progress, rerun: analyse_labeling(dataset, task, ws, files=applied, progress=progress, rerun=rerun),
        "Applying labeling functions...", scope=(dataset.fingerprint, task.name))
    editor.show_stale(stale)
    editor.show_problems(analysis.load_errors, analysis.problems, key="lf_analysis", not_cached=analysis.not_cached)
    report = analysis.report
    if report is None:
        st.info("No labeling functions yet in the modules applied. Write one in the editor and save.")
        st.stop()
    for warning in report.warnings:
        st.warning(warning, icon=":material/warning:")
    st.dataframe(report.comparison, width="stretch", key="lf_comparison",
                 column_config={c: st.column_config.NumberColumn(format="percent") for c in report.comparison.columns
                                if c not in ("n", "covered")})
    st.caption(SCORING_NOTE)
    # A callable: the Parquet is written when the button is clicked, not on every rerun of the page.
    st.download_button("Export training labels (Parquet)",
                       lambda: report.training_labels.frame.to_parquet(index=False),
                       file_name=f"{task.name}_training_labels.parquet", key="lf_export",
                       help=report.training_labels.note)
    if st.button("Save training labels to the workspace", key="lf_save_labels",
                 help="For training runs: a Parquet file of example_id and one probability per class."):
        try:
            path = export_training_labels(ws.root / "labels" / f"{dataset.name}_{task.name}.parquet",
                                          report.training_labels)
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
