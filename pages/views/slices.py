"""Slices: edit slicing functions live, and see per-slice metrics with intervals, error cells and comparisons."""

from __future__ import annotations

import hashlib

import streamlit as st

from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.slices import OVERALL, bucket_examples, compare_table, confusion_table, slice_metrics
from mmtl_core.slices.intervals import INTERVAL_NOTE
from mmtl_core.slices.slice_metrics import IntervalSettings
from mmtl_core.runs.columns import prob_columns
from mmtl_core.studio.display import SIGNIFICANT, comparison_rows, slice_rows, weak_comparison_view
from mmtl_core.studio.display_rows import bucket_view
from mmtl_core.studio.error_cells import cells_of, chosen_cell
from mmtl_core.studio.slicing import (ALPHA, PredictionFileCache, analyse_slices, run_prediction_sets, slice_sizes,
                                      uploaded_prediction_set, weak_comparison, weak_prediction_sets)
from mmtl_core.weak import LABEL_MODEL, MAJORITY_VOTE, PREDICTION_RULE
from pages.parts import charts, common, editor, tables
from pages.parts.last_good import just_saved_names, results_to_show
from pages.parts.modules import applied_modules, editor_module


@st.cache_resource(show_spinner=False)
def prediction_files() -> PredictionFileCache:
    """Stored runs' prediction files, read once per content for every session (entries are never modified)."""
    return PredictionFileCache()


st.title("Slices")

ws = common.workspace()
dataset, task = common.dataset_and_task("sl")
modules = applied_modules(ws, dataset, task, "sl")
splits = list(dataset.splits)
split = st.sidebar.selectbox("Split", splits, key=common.kept("sl_split", "dev" if "dev" in splits else splits[0],
                                                               splits))
min_n = int(st.sidebar.number_input("Minimum n", min_value=1, step=5, key=common.kept("sl_min_n", 30),
                                    help="Slices with fewer scored examples are flagged: their intervals are wide."))

# --- the editor -------------------------------------------------------------------------------------------------
# Collapsed once the modules hold slices: the results below are what a user comes back for.
with st.expander("Edit slicing functions", icon=":material/edit:",
                 expanded=not any("slice" in f.lower() for f in modules)):
    choice = editor_module(ws, dataset, task, modules, "sl")
    if choice is not None:
        editor.module_editor(ws, choice, key="sl_editor", height=(14, 28))

# --- analysis: re-run only when the data, task or a module's text changed --------------------------------------
current = editor.analysis_once(
    "sl_analysis", (dataset.fingerprint, task, editor.modules_digest(ws, modules)),
    lambda progress, rerun: analyse_slices(dataset, task, ws, modules, progress=progress, rerun=rerun),
    "Applying functions...")
analysis = results_to_show(current, dataset, task, "sl")
if not analysis.slice_names:
    st.info("No slicing functions in the modules applied: only the overall row is scored. Write one with "
            "`@slicing_function()` and save.", icon=":material/lightbulb:")
try:
    data = analysis.split_slices(split)
except MMTLError as e:
    common.show_error(e, "Cannot score this split")
    st.stop()

# --- prediction sets: weak supervision, stored runs, uploaded files ---------------------------------------------
scope = (dataset.name, task.name, split)
uploads = st.session_state.setdefault("sl_uploads", {}).setdefault(scope, {})
upload_errors = st.session_state.setdefault("sl_upload_errors", {})
upload_seen = st.session_state.setdefault("sl_upload_seen", set())
with st.sidebar.expander("Upload predictions", icon=":material/upload:"):
    wanted = "`score`" if task.is_regression else (
        ", ".join(escape_markdown(c) for c in prob_columns(task.cardinality, task.label_names)) + " (or `label`)")
    st.caption(f"CSV or Parquet with `example_id` and {wanted} for every row of the {escape_markdown(split)} split.")
    uploaded = st.file_uploader("Prediction files", type=["csv", "parquet"], accept_multiple_files=True,
                                key="sl_upload", label_visibility="collapsed")
for file in uploaded or []:
    tag = (file.file_id, scope)
    if tag in upload_errors:
        st.error(escape_markdown(upload_errors[tag]), icon=":material/error:")
        continue
    if tag in upload_seen:
        continue
    upload_seen.add(tag)
    try:
        ps = uploaded_prediction_set(file.name, file.getvalue(), task, data.example_ids)
    except MMTLError as e:
        upload_errors[tag] = f"{file.name} was not used: {e}"
        st.error(escape_markdown(upload_errors[tag]), icon=":material/error:")
    else:
        uploads[ps.name] = ps

runs = run_prediction_sets(ws, task, split, data.example_ids, prediction_files())
for err in runs.errors:
    st.error(escape_markdown(err), icon=":material/error:")
sets = {**weak_prediction_sets(analysis.labeling, split), **runs.sets, **uploads}
if not sets:
    st.info("No predictions to score yet: write labeling functions (for majority vote and the label model), train "
            "a model, or upload a predictions file.", icon=":material/lightbulb:")
    st.dataframe(slice_sizes(data), hide_index=True, key="sl_sizes")
    st.stop()
names = list(sets)
default_sets = [n for n in (LABEL_MODEL, MAJORITY_VOTE) if n in sets] or names[:1]
chosen = st.multiselect("Prediction sets", names, key=common.kept(f"sl_sets_{'_'.join(scope)}", default_sets, names),
                        help="Scored side by side: weak supervision's two models, stored runs, uploaded files.")
if not chosen:
    st.info("Choose at least one prediction set.")
    st.stop()

# --- per-slice metrics --------------------------------------------------------------------------------------------
settings = IntervalSettings()
metrics = slice_metrics(data, [sets[n] for n in chosen], min_n=min_n, settings=settings)
saved, fresh = just_saved_names(analysis, analysis.slice_names, analysis.applied.reports if analysis.applied else {},
                                dataset, task, "sl")
if fresh:
    st.session_state["sl_cm_slice"] = saved[0]  # the slice just saved is the one to look into
st.subheader(f"Per-slice metrics on {escape_markdown(split)} ({len(data.frame):,} rows)",
             help=f"One row per slice; n counts its rows with a gold label. Intervals: {settings.level:.0%}; "
                  f"{INTERVAL_NOTE} 'few rows': fewer than the sidebar's minimum n ({min_n}), so the interval is "
                  "wide. An empty slice shows `empty`, a metric without a value there (F1 with no positive "
                  "example) `undefined`.")
metric = st.radio("Metric", list(task.metrics), horizontal=True, key=common.kept("sl_metric", options=task.metrics),
                  help="The metric of the table, the chart and the comparison below.")
tables.show(slice_rows(metrics, metric, highlight=saved), key="sl_table")
st.plotly_chart(charts.slice_metric_bars(metrics, metric, min_n), key="sl_bars")

# The weak sets' figures on all rows and on covered rows, as the Labeling functions page shows them.
weak = weak_comparison(analysis, split)
if weak is not None:
    with st.expander(f"Majority vote and label model on {escape_markdown(split)}, all rows and covered rows",
                     icon=":material/rule:"):
        st.caption(PREDICTION_RULE)
        tables.show(weak_comparison_view(weak, task.metrics), key="sl_weak")

# --- error cells --------------------------------------------------------------------------------------------------
st.subheader("Errors by slice", help="Click a cell of the table (gold rows, predicted columns) to list its "
                                     "examples; it opens on the largest error cell.")
c1, c2 = st.columns(2)
set_name = c1.selectbox("Prediction set", chosen, key=common.kept("sl_cm_set", options=chosen))
slice_name = c2.selectbox("Slice", [OVERALL, *data.slice_names],
                          key=common.kept("sl_cm_slice", options=[OVERALL, *data.slice_names]))
predictions = sets[set_name]
table = confusion_table(data, predictions, slice_name)
if int(table.to_numpy().sum()) == 0:
    st.info(f"Slice {escape_markdown(repr(slice_name))} is empty on {escape_markdown(split)}: no labeled example "
            "falls in it.")
else:
    # One chart and one cell list per table; the cell shown is remembered per table, across page switches.
    table_key = (*scope, set_name, slice_name)
    suffix = hashlib.sha1(repr(table_key).encode()).hexdigest()[:10]
    chart_key, pick_key, seen_key = f"sl_heatmap_{suffix}", f"sl_cell_{suffix}", f"sl_clicked_{suffix}"
    remembered = st.session_state.setdefault("sl_cells", {})
    points = list((st.session_state.get(chart_key) or {}).get("selection", {}).get("points", []))
    cell = chosen_cell(table, points=points, seen=st.session_state.get(seen_key, []),
                       picked=st.session_state.get(pick_key), remembered=remembered.get(table_key))
    st.session_state[seen_key] = points
    st.session_state[pick_key] = remembered[table_key] = cell.key
    cells = cells_of(table)
    st.plotly_chart(charts.confusion_heatmap(table, cells, f"{set_name} on {slice_name}: gold × predicted", cell),
                    key=chart_key, on_select="rerun", selection_mode="points")
    labels = {c.key: c.label for c in cells}
    st.selectbox("Examples of", list(labels), format_func=labels.get, key=pick_key,
                 help="Or click a cell of the table.")
    examples = bucket_examples(data, predictions, cell.gold, cell.predicted, slice_name)
    tables.show_paged(bucket_view(examples, task.text_fields), key="sl_examples")

# --- comparison -----------------------------------------------------------------------------------------------------
st.subheader("Compare two prediction sets",
             help=f"B - A on each slice (positive: B is better), with a paired bootstrap interval. {SIGNIFICANT}: "
                  f"p < {ALPHA} (exact McNemar for accuracy, paired bootstrap otherwise), not corrected for the "
                  "number of slices.")
if len(sets) < 2:
    st.info("One prediction set only: upload a file or train a model to compare with.")
    st.stop()
c1, c2 = st.columns(2)
a_name = c1.selectbox("A", names, key=common.kept("sl_cmp_a", MAJORITY_VOTE if MAJORITY_VOTE in names else names[0],
                                                  names))
b_name = c2.selectbox("B", names, key=common.kept("sl_cmp_b", LABEL_MODEL if LABEL_MODEL in names else names[1],
                                                  names))
if a_name == b_name:
    st.info("Choose two different prediction sets.")
    st.stop()
comparison = compare_table(data, sets[a_name], sets[b_name], metrics=[metric], settings=settings)
tables.show(comparison_rows(comparison, metric), key="sl_compare")
