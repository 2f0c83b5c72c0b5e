"""Slices: edit slicing functions live, and see per-slice metrics with intervals, error cells and comparisons."""

from __future__ import annotations


import streamlit as st

from mmtl_core.errors import MMTLError
from mmtl_core.slices import OVERALL, bucket_examples, compare_table, confusion_table, slice_metrics
from mmtl_core.slices.intervals import INTERVAL_NOTE
from mmtl_core.slices.slice_metrics import IntervalSettings
from mmtl_core.studio.display import comparison_table, slice_table, weak_comparison_table
from mmtl_core.studio.slicing import (ALPHA, PredictionFileCache, analyse_slices, largest_error_cell,
                                      run_prediction_sets, significant, slice_sizes, uploaded_prediction_set,
                                      weak_comparison, weak_prediction_sets)
from mmtl_core.weak import LABEL_MODEL, MAJORITY_VOTE, PREDICTION_RULE
from pages.parts import charts, common, editor
from pages.parts.last_good import results_to_show
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
split = st.sidebar.selectbox("Split", splits, index=splits.index("dev") if "dev" in splits else 0, key="sl_split")
min_n = int(st.sidebar.number_input("Minimum n", min_value=1, value=30, step=5, key="sl_min_n",
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
    st.caption(f"CSV or Parquet with `example_id` and `prob_0..prob_{task.cardinality - 1}` (or `label`; "
               f"`score` for regression) for every row of the {split} split.")
    uploaded = st.file_uploader("Prediction files", type=["csv", "parquet"], accept_multiple_files=True,
                                key="sl_upload", label_visibility="collapsed")
for file in uploaded or []:
    tag = (file.file_id, scope)
    if tag in upload_errors:
        st.error(upload_errors[tag], icon=":material/error:")
        continue
    if tag in upload_seen:
        continue
    upload_seen.add(tag)
    try:
        ps = uploaded_prediction_set(file.name, file.getvalue(), task, data.example_ids)
    except MMTLError as e:
        upload_errors[tag] = f"{file.name} was not used: {e}"
        st.error(upload_errors[tag], icon=":material/error:")
    else:
        uploads[ps.name] = ps

runs = run_prediction_sets(ws, task, split, data.example_ids, prediction_files())
for err in runs.errors:
    st.error(str(err), icon=":material/error:")
sets = {**weak_prediction_sets(analysis.labeling, split), **runs.sets, **uploads}
if not sets:
    st.info("No predictions to score yet: write labeling functions (for majority vote and the label model), train "
            "a model, or upload a predictions file.", icon=":material/lightbulb:")
    st.dataframe(slice_sizes(data), hide_index=True, key="sl_sizes")
    st.stop()
names = list(sets)
chosen = st.multiselect("Prediction sets", names, default=[LABEL_MODEL] if LABEL_MODEL in sets else names[:1],
                        key=f"sl_sets_{'_'.join(scope)}")
if not chosen:
    st.info("Choose at least one prediction set.")
    st.stop()

# --- per-slice metrics --------------------------------------------------------------------------------------------
settings = IntervalSettings()
metrics = slice_metrics(data, [sets[n] for n in chosen], min_n=min_n, settings=settings)
st.subheader(f"Per-slice metrics on {split} ({len(data.frame):,} rows)")
st.dataframe(slice_table(metrics), hide_index=True, width="stretch", key="sl_table")
st.caption(f"n counts the slice's rows with a gold label. Intervals: {settings.level:.0%}; {INTERVAL_NOTE} "
           f"`below min n`: fewer than {min_n} examples, so the interval is wide. An empty slice shows `empty`, a "
           "metric without a value there (F1 with no positive example) `undefined`.")
metric = st.radio("Metric", list(task.metrics), horizontal=True, key="sl_metric")
st.plotly_chart(charts.slice_metric_bars(metrics, metric, min_n), key="sl_bars")

# The weak sets' figures on all rows and on covered rows, as the Labeling functions page shows them.
weak = weak_comparison(analysis, split)
if weak is not None:
    with st.expander(f"Majority vote and label model on {split}", icon=":material/rule:"):
        st.dataframe(weak_comparison_table(weak), width="stretch", key="sl_weak")
        st.caption(f"{split.capitalize()} rows with a gold label. {PREDICTION_RULE}")

# --- error cells --------------------------------------------------------------------------------------------------
st.subheader("Errors by slice")
c1, c2 = st.columns(2)
set_name = c1.selectbox("Prediction set", chosen, key="sl_cm_set")
slice_name = c2.selectbox("Slice", [OVERALL, *data.slice_names], key="sl_cm_slice")
predictions = sets[set_name]
table = confusion_table(data, predictions, slice_name)
if int(table.to_numpy().sum()) == 0:
    st.info(f"Slice {slice_name!r} is empty on {split}: no labeled example falls in it.")
else:
    st.plotly_chart(charts.confusion_heatmap(table, f"{set_name} on {slice_name}"), key="sl_heatmap")
    # A new table opens on its largest error cell; the user's choice stands until the table changes.
    if st.session_state.get("sl_cell_for") != (scope, set_name, slice_name):
        st.session_state["sl_cell_for"] = (scope, set_name, slice_name)
        st.session_state["sl_cell_gold"], st.session_state["sl_cell_pred"] = largest_error_cell(table)
    c1, c2 = st.columns(2)
    gold = c1.selectbox("Gold", [str(i) for i in table.index], key="sl_cell_gold")
    pred = c2.selectbox("Predicted", [str(c) for c in table.columns], key="sl_cell_pred")
    examples = bucket_examples(data, predictions, gold, pred, slice_name)
    st.caption(f"{len(examples):,} example(s) with gold {gold} predicted {pred} in {slice_name}.")
    st.dataframe(examples, hide_index=True, width="stretch", key="sl_examples",
                 column_order=[*task.text_fields, "gold", "predicted", "confidence", "labeling_functions", "slices",
                               "example_id"],
                 column_config={"confidence": st.column_config.NumberColumn(format="%.2f")})

# --- comparison -----------------------------------------------------------------------------------------------------
st.subheader("Compare two prediction sets")
if len(sets) < 2:
    st.info("One prediction set only: upload a file or train a model to compare with.")
    st.stop()
c1, c2 = st.columns(2)
a_name = c1.selectbox("A", names, index=names.index(MAJORITY_VOTE) if MAJORITY_VOTE in names else 0, key="sl_cmp_a")
b_name = c2.selectbox("B", names, index=names.index(LABEL_MODEL) if LABEL_MODEL in names else 1, key="sl_cmp_b")
if a_name == b_name:
    st.info("Choose two different prediction sets.")
    st.stop()
comparison = compare_table(data, sets[a_name], sets[b_name], settings=settings)
comparison.insert(0, "significant", significant(comparison["p_value"]))
compared = comparison_table(comparison)[["significant", "slice", "metric", "n", "metric_a", "metric_b", "diff",
                                        "interval", "p_value", "test"]]
st.dataframe(compared.style.apply(lambda row: ["background-color: rgba(255, 200, 0, 0.3)" if row["significant"]
                                               else "" for _ in row], axis=1),
             hide_index=True, width="stretch", key="sl_compare")
st.caption(f"diff = B - A (positive: B is better), with its paired interval (Newcombe's for accuracy, the paired "
           f"bootstrap otherwise). Highlighted: p < {ALPHA} "
           "(exact McNemar for accuracy, paired bootstrap otherwise), not corrected for the number of slices.")
