"""Train: launch multi-task training in the background (this machine or a Ray GPU box), follow the queue and runs
live, cancel, retry, retrain a run with the current functions, delete after confirmation."""

from __future__ import annotations

import streamlit as st
import torch

from mmtl_core.errors import MMTLError
from mmtl_core.markup import escape_markdown
from mmtl_core.runs.registry import ACTIVE, RunRecord
from mmtl_core.studio import recipes, training, training_view as view
from mmtl_core.tasks import tasks_for
from mmtl_core.train.config import GOLD, LABEL_MODEL, MODES, SCHEDULES
from pages.parts import charts, common, retrain

LABELS = {"gold": GOLD, "the current label model": LABEL_MODEL, "a labels file": "file"}
POLL_S = 1.0  # the queue and the selected run refresh this often: a job's progress shows within ~1.5 s


st.title("Train")
ws = common.workspace()
queue = retrain.job_queue(ws)
loaded = common.datasets()
choices = {f"{name} / {t.name}": (ds, t) for name, ds in loaded.items() for t in tasks_for(ds, common.user_tasks())}

# --- launching ----------------------------------------------------------------------------------------------------
with st.expander("Launch a run", icon=":material/rocket_launch:", expanded=queue.registry.is_empty()):
    if not choices:
        st.info("No task to train yet: load a dataset (and define a task) on the Data page.",
                icon=":material/lightbulb:")
        st.page_link("pages/views/data.py", label="Load a dataset", icon=":material/upload:")
    # The dataset and task chosen on the other pages, else that dataset's first task, else the first task.
    same_dataset = [c for c, (ds, _) in choices.items() if ds.name == st.session_state.get("dataset")]
    default = next((c for c in same_dataset if choices[c][1].name == st.session_state.get("task")),
                   (same_dataset or list(choices) or [None])[0])
    picked = st.multiselect("Tasks", list(choices), key="tr_tasks", default=[default] if default else [],
                            help="Several tasks train together: one shared encoder, one head per task (MMTL).")
    task_choices = []
    for label in picked:
        dataset, task = choices[label]
        functions = retrain.current_functions(ws, dataset, task)
        left, middle, right = st.columns([3, 2, 3])
        source = left.selectbox(f"Labels for {escape_markdown(label)}", list(LABELS),
                                key=f"tr_labels_{dataset.name}_{task.name}",
                                help="Gold labels of the training rows; the label model of the Labeling functions "
                                     "page, computed from the functions as they are at launch; or a labels file "
                                     "(the page's export: example_id + prob_<class>).")
        labels = LABELS[source]
        if labels == "file":
            labels = middle.text_input("Labels file", key=f"tr_labels_file_{dataset.name}_{task.name}",
                                       placeholder="workspace/labels/....parquet")
        slices = right.multiselect(f"Slice heads for {escape_markdown(label)}", training.slicing_names(functions),
                                   key=f"tr_slices_{dataset.name}_{task.name}",
                                   help="One extra head per slicing function, trained on that slice's examples.")
        task_choices.append(training.TaskChoice(dataset.name, task.name, labels, tuple(slices)))

    left, middle, right = st.columns(3)
    encoder = left.text_input("Encoder", key="tr_encoder", placeholder="bundled all-MiniLM-L6-v2",
                              help="A Hugging Face model folder or hub name; empty: the bundled MiniLM, offline.")
    mode = middle.radio("Mode", MODES[::-1], key="tr_mode", horizontal=True,
                        help="frozen: heads only, on cached encodings (seconds on a CPU); finetune: the whole "
                             "encoder too (wants a GPU).")
    name = right.text_input("Name", key="tr_name", placeholder="made from tasks, labels, mode and encoder")
    left, middle, right = st.columns(3)
    epochs = left.number_input("Epochs", min_value=0.0, value=3.0, step=1.0, key="tr_epochs")
    stage2 = middle.number_input("Second-stage epochs", min_value=0.0, value=0.0, step=1.0, key="tr_stage2",
                                 help="> 0: then fine-tune each task alone from its best multi-task checkpoint.")
    seeds = right.text_input("Seeds", value="0", key="tr_seeds", help="Several seeds (0, 1, 2) launch several "
                                                                      "runs, for an ensemble.")
    with st.expander("More settings", icon=":material/tune:"):
        left, middle, right = st.columns(3)
        schedule = left.selectbox("Task schedule", SCHEDULES, key="tr_schedule")
        lr = middle.number_input("Learning rate (0: the mode's default)", min_value=0.0, value=0.0, format="%g",
                                 key="tr_lr")
        batch_size = right.number_input("Batch size", min_value=1, value=32, step=8, key="tr_batch_size")
        max_length = left.number_input("Max tokens", min_value=8, value=128, step=16, key="tr_max_length")
        combiner = middle.checkbox("Slice combiner (attention over slice experts)", key="tr_combiner")

    backend = st.radio("Where", list(training.BACKENDS), format_func=training.BACKENDS.get, key="tr_backend",
                       horizontal=True)
    form = dict(device="auto", ray_address="", ray_artifacts="", ray_gpus=1.0)
    if backend == "local":
        devices = ["auto", "cpu", *(f"cuda:{i}" for i in range(torch.cuda.device_count()))]
        form["device"] = st.selectbox("Device", devices,
                                      key="tr_device", help="One job at a time per device; the others wait.")
    else:
        left, middle, right = st.columns(3)
        form["ray_address"] = left.text_input("Ray head", key="tr_ray_address", placeholder="http://gpu-box:8265")
        form["ray_artifacts"] = middle.text_input("Artifacts location", key="tr_ray_artifacts",
                                                  placeholder="/mnt/shared/runs or s3://bucket/runs")
        form["ray_gpus"] = right.number_input("GPUs per job", min_value=0.0, value=1.0, step=1.0, key="tr_ray_gpus")

    if st.button("Launch", type="primary", key="tr_launch", icon=":material/play_arrow:", disabled=not choices):
        try:
            launched = training.launch(queue, training.LaunchForm(
                tasks=tuple(task_choices), name=name, encoder=encoder, mode=mode, epochs=epochs,
                stage2_epochs=stage2, schedule=schedule, slice_combiner=combiner, lr=lr, batch_size=int(batch_size),
                max_length=int(max_length), seeds=training.parse_seeds(seeds), backend=backend, **form))
        except MMTLError as e:
            common.show_error(e, "Not launched")
        else:
            st.success(f"Queued {len(launched)} run(s): " + escape_markdown(", ".join(r.name for r in launched)),
                       icon=":material/schedule:")


# --- presets: the shipped recipes (recipes/, e.g. the RTE signal ladder), launched as they are ------------------------
with st.expander("Launch a preset (a shipped recipe)", icon=":material/menu_book:"):
    shipped = {r.label: r for r in recipes.list_recipes()}
    if not shipped:
        st.info(f"No recipe in {escape_markdown(recipes.RECIPES_DIR)}.", icon=":material/lightbulb:")
    else:
        left, right = st.columns([3, 1])
        recipe = shipped[left.selectbox("Recipe", list(shipped), key="tr_recipe",
                                        help="recipes/README.md says what each reproduces. The RTE ladder's "
                                             "datasets come from `python bench/ladder.py --prepare-only`.")]
        recipe_seeds = right.text_input("Seeds", value="0", key="tr_recipe_seeds",
                                        help="One run per seed: `0, 1` launches two.")
        st.code(recipe.text, language="yaml")
        if st.button("Launch preset", type="primary", key="tr_recipe_launch", icon=":material/play_arrow:"):
            try:
                launched = recipes.launch_recipe(queue, recipe, training.parse_seeds(recipe_seeds))
            except MMTLError as e:
                common.show_error(e, "Not launched")
            else:
                st.success(f"Queued {len(launched)} run(s): " + escape_markdown(", ".join(r.name for r in launched)),
                           icon=":material/schedule:")


# --- the queue, the runs, the selected run ------------------------------------------------------------------------
def run_detail(record: RunRecord) -> None:
    facts = view.run_facts(record)
    st.caption(escape_markdown(" · ".join(f"{k}: {v}" for k, v in facts.items())))
    if record.error:
        st.error(escape_markdown(record.error), icon=":material/error:")
    if record.traceback:
        with st.expander("Traceback / end of the log"):
            st.code(record.traceback, language=None)
    loss, metrics = view.loss_curve(record), view.metric_curves(record)
    left, right = st.columns(2)
    if len(loss):
        left.plotly_chart(charts.training_loss(loss), key="tr_loss_chart")
    else:
        left.caption("Training loss: none reported " + ("(the run ended before its first report)." if
                     record.finished else "yet (a report comes about twice a second while it trains)."))
    if len(metrics):
        right.plotly_chart(charts.dev_metric_curves(metrics), key="tr_metric_chart")
    else:
        right.caption("Dev metrics: none yet (the first evaluation ends the first epoch).")
    log = view.log_of(record)
    if log:
        with st.expander("Log (last lines)", expanded=record.active):
            st.code(log, language=None)


def run_actions(record: RunRecord) -> None:
    shown = ["retrain", *(["cancel"] if not record.finished else []),
             *(["retry"] if record.finished and record.state != "succeeded" else []),
             *(["delete"] if record.finished else [])]
    column = dict(zip(shown, st.columns(len(shown) + 3)))  # the spare columns keep the buttons side by side
    if "cancel" in column and column["cancel"].button("Cancel", key="tr_cancel", icon=":material/stop:"):
        queue.cancel(record.id)
        st.toast(f"Cancelling {escape_markdown(record.name)}")
    if "retry" in column and column["retry"].button("Retry", key="tr_retry", icon=":material/replay:",
                                                    help="A new attempt of this run, with its launch-time inputs."):
        queue.retry(record.id)
    retrain.retrain_button(queue, record, ws, choices, key="tr_retrain", container=column["retrain"])
    if "delete" in column:
        if column["delete"].button("Delete", key="tr_delete", icon=":material/delete:"):
            st.session_state["tr_confirm_delete"] = record.id
        if st.session_state.get("tr_confirm_delete") == record.id:
            st.warning(f"Delete run {escape_markdown(repr(record.name))} ({escape_markdown(record.id)}): its registry "
                       "entry, run folder and logs?",
                       icon=":material/warning:")
            yes, no = st.columns(2)
            if yes.button("Yes, delete it", key="tr_delete_yes", type="primary"):
                queue.delete(record.id)
                del st.session_state["tr_confirm_delete"]
                st.rerun()
            if no.button("Keep it", key="tr_delete_no"):
                del st.session_state["tr_confirm_delete"]
                st.rerun(scope="fragment")


@st.fragment(run_every=POLL_S)
def runs_section() -> None:
    records = queue.registry.list_runs(with_config=True)
    if any(r.state in ("queued", *ACTIVE) for r in records):
        queue.wake()  # the supervisor starts queued jobs and notices dead ones, with no browser needed after
    st.subheader("Queue and runs")
    if not records:
        st.info("No run yet: launch one above.", icon=":material/lightbulb:")
        return
    st.dataframe(view.runs_table(records), hide_index=True, key="tr_table", column_config={
        "progress": st.column_config.ProgressColumn("progress", min_value=0.0, max_value=1.0, format="percent"),
        "id": st.column_config.TextColumn("id", width="small")})
    by_id = {r.id: r for r in records}
    chosen = st.selectbox("Run", list(by_id), key="tr_run",
                          format_func=lambda i: f"{by_id[i].name} ({i}) · {by_id[i].state}")
    record = by_id[chosen]
    run_actions(record)
    run_detail(record)


runs_section()
retrain.follow(queue)
