"""The Train page through AppTest, with real background jobs (tiny frozen-mode runs on a 2-layer BERT): launch,
follow, cancel, retrain with the changed functions listed, delete after confirmation; bad settings named."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests" / "train"), str(REPO / "tests" / "jobs")]  # the tiny encoder, job teardown

from app_helpers import shown  # noqa: E402
from jobs_helpers import stop_everything  # noqa: E402
from mmtl_core.jobs.queue import JobQueue  # noqa: E402
from train_helpers import reviews_workspace, wait_for  # noqa: E402

PAGE = "pages/views/training.py"
SLICES = '''from snorkel.slicing import slicing_function


@slicing_function()
def negated(x):
    return x.text.startswith("not ")
'''


@pytest.fixture
def reviews(tmp_path, monkeypatch):
    """A workspace with the dataset "reviews" (a 120-row CSV, labels neg/pos) and its slicing module; the queue
    of that workspace, every process it started stopped by pid afterwards."""
    ws = reviews_workspace(tmp_path)
    (ws.functions_dir / "reviews_slices.py").write_text(SLICES)
    queue = JobQueue.for_workspace(ws)
    try:
        yield ws, queue
    finally:
        stop_everything(queue)


def fill_form(at, encoder: str, epochs: float = 1.0, **keys):
    at.text_input(key="tr_encoder").set_value(encoder)
    at.number_input(key="tr_epochs").set_value(epochs)
    for key, value in keys.items():
        widget = at.multiselect(key=key) if key.startswith("tr_slices") else at.text_input(key=key)
        widget.set_value(value)
    return at


def finished(queue, run_id):
    return wait_for(lambda: (r := queue.registry.get(run_id)).finished and r, 180, f"run {run_id} to finish")


def test_without_data_the_page_leads_to_the_data_page(app):
    at = app(PAGE)
    assert any("No task to train yet" in shown(i.value) for i in at.info)
    assert at.button(key="tr_launch").disabled and not at.exception


def test_the_shipped_recipes_are_presets_and_a_missing_dataset_is_named_before_queuing(app):
    at = app(PAGE)
    presets = at.selectbox(key="tr_recipe")
    assert "rte_ladder/quick/1_single_task.yaml" in presets.options and "rte_ladder/full/4_slice_heads.yaml" in \
        presets.options
    presets.set_value("rte_ladder/quick/2_multi_task.yaml")
    at.run()
    assert any("max_train_rows: 300" in c.value for c in at.code)  # the recipe itself, shown as it is
    at.button(key="tr_recipe_launch").click().run()  # this workspace has none of the ladder's datasets
    assert "Not launched" in shown(at.error[0].value) and "RTE_holdout" in shown(at.error[0].value)
    assert not at.exception


def test_bad_settings_are_refused_naming_them_and_nothing_is_queued(app, reviews, tiny_encoder):
    ws, queue = reviews
    at = app(PAGE)
    fill_form(at, tiny_encoder, tr_seeds="0, one").button(key="tr_launch").click().run()
    assert "setting 'seeds' must be whole numbers" in shown(at.error[0].value)
    at.text_input(key="tr_seeds").set_value("0")
    at.selectbox(key="tr_labels_reviews_reviews").set_value("a labels file")
    at.run().button(key="tr_launch").click().run()
    assert "'labels' is empty" in shown(at.error[0].value)
    at.text_input(key="tr_labels_file_reviews_reviews").set_value(str(ws.root / "nope.parquet"))
    at.button(key="tr_launch").click().run()
    assert "'labels' names" in shown(at.error[0].value) and "which does not exist" in shown(at.error[0].value)
    assert queue.registry.list_runs() == [] and not at.exception


def test_launch_follow_retrain_with_the_changed_functions_and_delete_after_confirmation(app, reviews, tiny_encoder):
    ws, queue = reviews
    at = fill_form(app(PAGE), tiny_encoder, tr_slices_reviews_reviews=["negated"], tr_seeds="0, 1")
    at.button(key="tr_launch").click().run()
    assert "Queued 2 run(s)" in shown(at.success[0].value) and not at.exception
    runs = queue.registry.list_runs(with_config=True)
    assert [r.config["seed"] for r in runs] == [1, 0] and {r.state for r in runs} <= {"queued", "starting",
                                                                                          "running"}
    parent = finished(queue, runs[-1].id)
    finished(queue, runs[0].id)
    assert parent.state == "succeeded", parent.error

    at.run()
    table = next(d.value for d in at.dataframe if "progress" in d.value.columns)
    assert list(table["state"]) == ["succeeded", "succeeded"] and (table["progress"] == 1.0).all()
    assert table["dev metrics"].str.contains("accuracy").all() and (table["tasks"] == "reviews").all()
    at.selectbox(key="tr_run").set_value(parent.id).run()
    assert any("No labeling or slicing function changed" in shown(c.value) for c in at.caption)

    (ws.functions_dir / "reviews_slices.py").write_text(SLICES.replace('"not "', '"not"'))  # the user edits it
    at.run()
    assert any("Changed since this run: edited slicing negated" in shown(c.value) for c in at.caption)
    at.button(key="tr_retrain").click().run()
    assert "Queued" in shown(at.success[0].value) and not at.exception
    child = next(r for r in queue.registry.list_runs() if r.parent_id == parent.id)
    assert child.name.endswith(" · retrain") and finished(queue, child.id).state == "succeeded"
    at.run()  # the retrain has finished: the Compare page opens on it against its parent (issue 12, item 6)
    assert shown(at.success[0].value).startswith(f"Retrained: {child.name} ({child.id}) against its parent")
    at.switch_page(PAGE).run()
    table = next(d.value for d in at.dataframe if "parent" in d.value.columns)
    assert table.loc[table["id"] == child.id, "parent"].item() == parent.name

    at.selectbox(key="tr_run").set_value(parent.id).run()
    at.button(key="tr_delete").click().run()
    assert "Delete run" in shown(at.warning[0].value)
    at.button(key="tr_delete_no").click().run()
    assert parent.id in [r.id for r in queue.registry.list_runs()]  # kept
    at.button(key="tr_delete").click().run()
    at.button(key="tr_delete_yes").click().run()
    assert parent.id not in [r.id for r in queue.registry.list_runs()] and not Path(parent.artifacts).exists()
    at.run()
    table = next(d.value for d in at.dataframe if "parent" in d.value.columns)
    assert table.loc[table["id"] == child.id, "parent"].item() == f"{parent.id} (deleted)"
    assert not at.exception


def test_a_running_job_is_followed_and_cancelled_from_the_page(app, reviews, tiny_encoder):
    ws, queue = reviews
    at = fill_form(app(PAGE), tiny_encoder, epochs=100_000.0)
    at.button(key="tr_launch").click().run()
    (record,) = queue.registry.list_runs()
    wait_for(lambda: (queue.registry.get(record.id).progress or {}).get("step"), 120, "training progress")
    at.run()
    table = next(d.value for d in at.dataframe if "progress" in d.value.columns)
    assert table["state"].item() == "running" and 0 < table["progress"].item() < 1 and table["time left"].item()
    assert any("now: Training (stage 1): step" in shown(c.value) and "examples/s" in c.value for c in at.caption)
    assert at.get("plotly_chart")  # the live loss curve
    at.button(key="tr_cancel").click().run()
    assert finished(queue, record.id).state == "cancelled" and not at.exception
