"""Compare: every run and ensemble; the selected ones head by head and per slice against a pinned baseline, with
paired intervals and corrected tests; an ensemble beside them; where two of them disagree; what changed between
them; retrain and compare in one click; export tables, predictions and models."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mmtl_core.compare.correction import ALPHA
from mmtl_core.compare.differences import changes_text
from mmtl_core.compare.disagreements import A_CLOSER, A_RIGHT, B_CLOSER, B_RIGHT
from mmtl_core.compare.per_slice import ranked
from mmtl_core.errors import MMTLError, RegistryError
from mmtl_core.export.model_folder import export_for_transformers
from mmtl_core.export.tables import FORMATS, predictions_frame, table_bytes
from mmtl_core.markup import escape_markdown as md
from mmtl_core.runs.ensemble import ensemble_runs
from mmtl_core.slices.intervals import INTERVAL_NOTE
from mmtl_core.slices.split_slices import OVERALL
from mmtl_core.studio import compare_view as view
from mmtl_core.studio.compare import CompareFiles, Selection, compare, disagreements_between, filter_runs, runs_overview
from mmtl_core.studio.slicing import analyse_slices
from mmtl_core.tasks import tasks_for
from pages.parts import charts, common, editor, retrain
from pages.parts.last_good import results_to_show
from pages.parts.modules import applied_modules


@st.cache_resource(show_spinner=False)
def compare_files() -> CompareFiles:
    """Stored predictions and gold splits, read once per content for every session (run files never change)."""
    return CompareFiles()


st.title("Compare")
ws = common.workspace()
queue = retrain.job_queue(ws)
dataset, task = common.dataset_and_task("cmp")
modules = applied_modules(ws, dataset, task, "cmp")
splits = list(dataset.splits)
split = st.sidebar.selectbox("Split", splits, index=splits.index("dev") if "dev" in splits else 0, key="cmp_split")
min_n = int(st.sidebar.number_input("Minimum n", min_value=1, value=30, step=5, key="cmp_min_n",
                                    help="Slices with fewer scored examples are flagged: their intervals are wide."))
files = compare_files()
overview = runs_overview(ws.runs_dir, queue.registry.list_runs(with_config=True), files)
by_id = overview.by_id()

# A retrain that finished opens here: the new run against its parent, the parent pinned.
opened = st.session_state.pop(retrain.OPEN_COMPARISON, None)
if opened:
    st.session_state["cmp_runs"], st.session_state["cmp_baseline"] = [opened[0], opened[1]], opened[0]
    st.session_state["cmp_opened"] = opened

# --- the runs table -------------------------------------------------------------------------------------------------
st.subheader("Runs")
if not overview.entries:
    st.info("No run yet: launch one on the Train page.", icon=":material/lightbulb:")
    st.page_link("pages/views/training.py", label="Train a model", icon=":material/model_training:")
    st.stop()
left, right = st.columns([3, 2])
text = left.text_input("Filter", key="cmp_filter", placeholder="words of a name, task, encoder, mode, labels or id")
states = right.multiselect("States", sorted({e.state for e in overview.entries}), key="cmp_states")
shown = filter_runs(overview.entries, text, states)
st.dataframe(view.runs_table(overview, shown), hide_index=True, width="stretch", key="cmp_table",
             height=min(38 + 35 * max(len(shown), 1), 300),
             column_config={"name": st.column_config.TextColumn("name", width="medium"),
                            "dev": st.column_config.TextColumn("dev", width="medium",
                                                               help="Each task head's first metric on dev, its 95% "
                                                                    "interval and n, from the run's stored files."),
                            "id": st.column_config.TextColumn("id", width="small")})
st.caption(f"{len(shown)} of {len(overview.entries)} runs and ensembles. Click a column's header to sort.")

# --- what to compare -------------------------------------------------------------------------------------------------
fitting = [e.id for e in overview.entries if e.comparable and e.trained(task.dataset, task.name)]
if "cmp_runs" not in st.session_state:
    st.session_state["cmp_runs"] = fitting[:2][::-1]  # the two newest runs of this task, the older one pinned
st.session_state["cmp_runs"] = [i for i in st.session_state["cmp_runs"] if i in by_id]
left, right = st.columns([3, 2])
chosen = left.multiselect("Runs to compare", list(by_id), key="cmp_runs", format_func=lambda i: by_id[i].title,
                          help=f"Any number. Runs of {md(task.name)} on {md(dataset.name)} are compared on its "
                               f"{md(split)} split.")
if not chosen:
    st.info(f"Choose runs to compare ({len(fitting)} finished run(s) of {md(task.name)} on {md(dataset.name)}).",
            icon=":material/lightbulb:")
    st.stop()
if st.session_state.get("cmp_baseline") not in chosen:
    st.session_state["cmp_baseline"] = chosen[0]
pinned = right.selectbox("Baseline", chosen, key="cmp_baseline", format_func=lambda i: by_id[i].title,
                         help="Every other run is compared with this one: its differences, their intervals, tests.")
try:
    pinned_record = queue.registry.get(pinned)
except RegistryError:
    pinned_record = None
choices = {f"{name} / {t.name}": (ds, t) for name, ds in common.datasets().items()
           for t in tasks_for(ds, common.user_tasks())}
if pinned_record is not None and pinned_record.finished:
    retrain.retrain_button(queue, pinned_record, ws, choices, key="cmp_retrain", container=right)
retrain.follow(queue)

# --- the analysis of the current functions (slices, votes), once per change of a module --------------------------
current = editor.analysis_once(
    "cmp_analysis", (dataset.fingerprint, task, editor.modules_digest(ws, modules)),
    lambda progress, rerun: analyse_slices(dataset, task, ws, modules, progress=progress, rerun=rerun),
    "Applying functions...")
analysis = results_to_show(current, dataset, task, "cmp")
try:
    data = analysis.split_slices(split)
except MMTLError as e:
    common.show_error(e, "Cannot score this split")
    st.stop()

messages = st.container()  # above the tabs: refusals, notes, the retrain's banner
tabs = st.tabs(["Heads", "Slices", "Ensemble", "Disagreements", "Differences", "Export"])

# The ensemble's choices come first: the comparison shows it beside the runs.
with tabs[2]:
    st.caption("Average the chosen runs' probabilities with these weights: the ensemble appears at once as a row "
               "beside the runs, on the Heads and Slices tabs.")
    members = st.multiselect("Runs in the ensemble", chosen, key="cmp_ens_runs", format_func=lambda i: by_id[i].title)
    weights = []
    if members:
        columns = st.columns(min(len(members), 4))
        for i, key in enumerate(members):
            weights.append(columns[i % len(columns)].number_input(
                f"Weight of {md(by_id[key].name)}", min_value=0.0, value=1.0, step=0.5, key=f"cmp_w_{key}"))

view_ = compare(overview.entries, data, Selection(tuple(chosen), pinned, tuple(members), tuple(weights)), files,
                function_files=modules, min_n=min_n)
for refusal in view_.refused:
    messages.warning(md(refusal.message), icon=":material/warning:")
for note in view_.notes:
    messages.info(md(note), icon=":material/info:")
if view_.baseline is None:
    st.stop()
if st.session_state.get("cmp_opened") == (pinned, chosen[-1]) and len(view_.candidates) > 1:
    changed = view_.changes.get(chosen[-1])
    messages.success(f"Retrained: {md(view_.candidates[1].title)} against its parent {md(view_.baseline.title)}."
               + (f" Functions changed: {md(changes_text(changed)) or 'none'}." if changed is not None else ""),
               icon=":material/compare_arrows:")
names = {c.key: c.title for c in view_.candidates}
note = ("Each value has its 95% interval and n; \"vs baseline\": the run minus the baseline, with a paired 95% "
        "interval; q: its p-value corrected by Benjamini-Hochberg over every difference in this table; ▲ gain or "
        f"▼ regression only when q < {ALPHA} and the interval excludes zero.")
how = (f"Intervals of values: {INTERVAL_NOTE} Paired intervals: Newcombe's square-and-add for accuracy, the paired "
       "bootstrap otherwise. Tests: exact McNemar for accuracy, the paired bootstrap otherwise.")

with tabs[0]:
    st.dataframe(view.head_rows(view_.heads), hide_index=True, width="stretch", key="cmp_heads")
    st.caption(f"Every task head (all labeled {md(split)} examples) and slice head (its slice's examples) of "
               f"{len(view_.candidates)} run(s). {note}", help=how)
    if view_.heads["diff"].notna().any():
        primary = view_.heads[view_.heads["metric"] == task.primary_metric]
        st.plotly_chart(charts.differences_from_baseline(
            primary, "run", f"{task.primary_metric} of each head against {view_.baseline.title}", series="head"),
            key="cmp_heads_chart")

with tabs[1]:
    metric = st.radio("Metric", list(task.metrics), horizontal=True, key="cmp_metric") if len(task.metrics) > 1 \
        else task.primary_metric
    st.dataframe(view.slice_matrix(view_.slices, metric), hide_index=True, width="stretch", key="cmp_matrix")
    from_runs = md(", ".join(f"{s} (from {r})" for s, r in view_.stored_slices.items()))
    st.caption(f"The task head of each run on every slice of the current slicing functions"
               + (f" and those only runs stored: {from_runs}" if from_runs else "")
               + f"; the baseline's {md(metric)} with n, then each run's difference from it. {note}", help=how)
    others = [c.key for c in view_.candidates[1:]]
    if others:
        who = st.selectbox("Where does it lose or gain?", others, index=len(others) - 1, key="cmp_rank_run",
                           format_func=names.get)
        rows = ranked(view_.slices, names[who], metric)
        base = view_.slices[(view_.slices["run"] == view_.baseline.title) & (view_.slices["metric"] == metric)]
        st.dataframe(view.ranked_rows(rows, base), hide_index=True, width="stretch", key="cmp_ranked")
        st.plotly_chart(charts.differences_from_baseline(rows, "slice", f"{names[who]} per slice, largest loss first"),
                        key="cmp_slices_chart")

with tabs[2]:
    if "cmp_saved" in st.session_state:
        st.success(md(st.session_state.pop("cmp_saved")), icon=":material/save:")
    if view_.ensemble_error:
        st.error(f"No ensemble: {md(view_.ensemble_error)}", icon=":material/error:")
    ensemble = next((c for c in view_.candidates if c.members), None)
    if ensemble is not None:
        rows = view_.heads[view_.heads["run"].isin([ensemble.title, *(names[k] for k, _ in ensemble.members)])]
        st.dataframe(view.head_rows(rows), hide_index=True, width="stretch", key="cmp_ens_heads")
        left, right = st.columns([3, 1])
        name = left.text_input("Name", key="cmp_ens_name", placeholder=ensemble.title.removesuffix(" · unsaved"))
        if right.button("Save the ensemble", key="cmp_ens_save", icon=":material/save:",
                        help="Written as a run of its own: listed, compared and exported like one."):
            try:
                saved = ensemble_runs([by_id[k].path for k, _ in ensemble.members], ws.runs_dir,
                                      [w for _, w in ensemble.members], name=name)
            except MMTLError as e:
                common.show_error(e, "Not saved")
            else:
                st.session_state["cmp_saved"] = f"Saved as run {saved.name}: it is in the runs table."
                st.rerun()  # the runs table lists it
    elif len(members) < 2:
        st.info("Choose two runs or more for an ensemble.", icon=":material/lightbulb:")

with tabs[3]:
    keys = [c.key for c in view_.candidates]
    if len(keys) < 2:
        st.info("Choose two runs (or an ensemble) to see where they disagree.", icon=":material/lightbulb:")
    else:
        left, middle, right = st.columns(3)
        a = left.selectbox("A", keys, key="cmp_dis_a", format_func=names.get)
        b = middle.selectbox("B", keys, index=len(keys) - 1, key="cmp_dis_b", format_func=names.get)
        where = right.selectbox("Slice", [OVERALL, *view_.data.slice_names], key="cmp_dis_slice")
        if a == b:
            st.info("Choose two different runs.")
        else:
            found = disagreements_between(view_, a, b, where)
            sides = (A_CLOSER, B_CLOSER) if task.is_regression else (A_RIGHT, B_RIGHT)
            side = st.radio("Examples", sides, horizontal=True, key="cmp_dis_side",
                            format_func=lambda s: f"{s} ({len(found.a_better if s == sides[0] else found.b_better)})")
            st.dataframe(found.a_better if side == sides[0] else found.b_better, hide_index=True, width="stretch",
                         key="cmp_dis_table", column_config={
                             "A confidence": st.column_config.NumberColumn(format="%.2f"),
                             "B confidence": st.column_config.NumberColumn(format="%.2f")})
            st.caption(f"A: {md(names[a])}. B: {md(names[b])}. {found.n} labeled example(s) in {md(where)}"
                       + (f"; {found.both_wrong} both get wrong with different classes" if found.both_wrong else "")
                       + ". The most confident disagreements first.")

with tabs[4]:
    for c in view_.candidates[1:]:
        changed = view_.changes.get(c.key)
        st.markdown(f"**{md(c.title)}** against the baseline")
        st.caption("Functions: " + ("no registry snapshot (an ensemble, or a run trained without the registry)"
                                    if changed is None else md(changes_text(changed)) or "none changed"))
    if view_.settings.empty:
        st.caption("Settings: the runs' settings agree.")
    else:
        st.dataframe(view_.settings, width="stretch", key="cmp_settings")
        st.caption("Only the settings that differ between the runs.")

with tabs[5]:
    fmt = st.radio("Format", list(FORMATS), horizontal=True, key="cmp_fmt")
    stem = f"{task.name}_{split}"
    left, middle, right = st.columns(3)
    # Written when clicked (Streamlit calls the function then), not on every rerun of the page.
    for column, label, frame, what in (
            (left, "Heads table", lambda: view_.heads, "heads"),
            (middle, "Slices table", lambda: view_.slices, "slices"),
            (right, "Predictions", lambda: predictions_frame(view_.data, view_.candidates), "predictions")):
        column.download_button(label, lambda frame=frame: table_bytes(frame(), fmt), f"{stem}_{what}.{fmt}",
                               FORMATS[fmt], key=f"cmp_dl_{what}", icon=":material/download:")
    st.divider()
    runs = [c.key for c in view_.candidates if c.entry is not None and not c.entry.is_ensemble]
    if runs:
        left, right = st.columns([2, 3])
        chosen_run = left.selectbox("Run to export for transformers", runs, key="cmp_export_run",
                                    format_func=names.get)
        target = right.text_input("Folder", key="cmp_export_folder",
                                  value=str(ws.root / "exports" / f"{chosen_run}_{task.name}"))
        if st.button("Export the model", key="cmp_export", icon=":material/folder_zip:"):
            try:
                folder = export_for_transformers(by_id[chosen_run].path, task.name, Path(target))
            except MMTLError as e:
                common.show_error(e, "Not exported")
            else:
                st.success(f"Exported to {md(folder)}: load it with its mmtl_heads.py (see its README.md).",
                           icon=":material/check:")
