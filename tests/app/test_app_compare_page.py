"""The Compare page through AppTest, on real tiny runs (frozen 2-layer BERT on the "reviews" dataset, registered
as the training command line registers them): the runs table, head by head and per slice against the baseline,
an ensemble beside the runs and saved as one, disagreements, differences, export; runs that cannot be compared
named with the reason while the rest still works; one-click retrain and compare through real background jobs."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO / "tests" / "train"), str(REPO / "tests" / "jobs")]  # the tiny encoder, job teardown

from app_helpers import messages, shown, table_with  # noqa: E402
from jobs_helpers import stop_everything  # noqa: E402
from mmtl_core.jobs.queue import JobQueue, run_from_command_line  # noqa: E402
from mmtl_core.runs.registry import Registry, default_url  # noqa: E402
from mmtl_core.tasks import Task  # noqa: E402
from mmtl_core.train import TaskSpec, TrainConfig  # noqa: E402
from train_helpers import reviews_workspace, wait_for  # noqa: E402

PAGE = "pages/views/compare.py"
FUNCTIONS = '''from snorkel.labeling import labeling_function
from snorkel.slicing import slicing_function


@labeling_function()
def says_not(x):
    return 0 if x.text.startswith("not") else -1


@slicing_function()
def negated(x):
    return x.text.startswith("not ")


@slicing_function()
def short(x):
    return len(x.text) < 9
'''


def train_run(ws, encoder: str, seed: int, slices=(), task: str = "reviews") -> Path:
    cfg = TrainConfig(tasks=(TaskSpec(task, dataset="reviews", slices=slices),), encoder=encoder, mode="frozen",
                      epochs=3, max_length=8, seed=seed, workspace=str(ws.root), functions_dir=str(ws.functions_dir))
    return run_from_command_line(cfg, None)


@pytest.fixture
def two_runs(tmp_path, tiny_encoder):
    """The reviews workspace (the app's, see conftest) with its functions and two registered runs: seed 0, and
    seed 1 with a slice head on ``negated``."""
    ws = reviews_workspace(tmp_path)
    (ws.functions_dir / "reviews.py").write_text(FUNCTIONS)
    return ws, train_run(ws, tiny_encoder, 0), train_run(ws, tiny_encoder, 1, ("negated",))


def dev_accuracy(run: Path, ws, weights=None, others=()) -> float:
    """Accuracy on dev read straight from the stored files (the average of several runs' probabilities when
    ``others`` are given), as a check independent of the page."""
    runs = [run, *others]
    frames = [pd.read_parquet(r / "predictions" / "reviews" / "dev.parquet").set_index("example_id") for r in runs]
    w = np.asarray(weights or [1.0] * len(runs), float)
    probs = sum(wi / w.sum() * f.loc[frames[0].index].to_numpy() for wi, f in zip(w, frames))
    gold = pd.read_parquet(run / "gold" / "reviews" / "dev.parquet").set_index("example_id").loc[frames[0].index]
    return float(np.mean(probs.argmax(1) == gold["label"].to_numpy()))


def test_without_runs_the_page_leads_to_training(app, tmp_path):
    reviews_workspace(tmp_path)
    at = app(PAGE)
    assert any("No run yet" in i.value for i in at.info) and not at.exception


def test_runs_heads_slices_ensemble_disagreements_and_export(app, two_runs, tmp_path):
    ws, first, second = two_runs
    at = app(PAGE)
    runs = table_with(at, "dev")
    assert list(runs["id"]) == [second.name, first.name]  # newest first, both compared by default
    assert runs["dev"].str.fullmatch(r"accuracy 0\.\d{3} \[0\.\d{3}, 0\.\d{3}\] n=36").all()
    assert runs.loc[runs["id"] == second.name, "settings"].item().endswith("seed 1 · slices: negated")

    heads = table_with(at, "vs baseline")
    base = heads[heads["run"].str.contains(first.name) & (heads["metric"] == "accuracy")].iloc[0]
    cand = heads[heads["run"].str.contains(second.name) & (heads["head"] == "reviews")
                 & (heads["metric"] == "accuracy")].iloc[0]
    assert base["verdict"] == "baseline" and float(base["value"]) == pytest.approx(dev_accuracy(first, ws), abs=5e-4)
    assert float(cand["vs baseline"]) == pytest.approx(dev_accuracy(second, ws) - dev_accuracy(first, ws), abs=5e-4)
    sliced = heads[heads["head"] == "reviews:negated"]
    assert (sliced["verdict"] == "the baseline has no such head").all() and (sliced["n"] == 10).all()
    matrix = table_with(at, "baseline accuracy")
    assert list(matrix["slice"]) == ["overall", "negated", "short"]
    assert at.get("plotly_chart")  # the differences with their intervals

    # an ensemble, weighted 1:3, appears beside the runs at once; saved, it is a run that reads the same
    at.multiselect(key="cmp_ens_runs").set_value([first.name, second.name]).run()
    at.number_input(key=f"cmp_w_{second.name}").set_value(3.0).run()
    heads = table_with(at, "vs baseline")
    ensemble = heads[heads["run"].str.startswith("ensemble of") & (heads["metric"] == "accuracy")]
    expected = dev_accuracy(first, ws, [1, 3], [second])
    assert float(ensemble["value"].item()) == pytest.approx(expected, abs=5e-4)
    assert "(0.25) +" in ensemble["run"].item() and ensemble["run"].item().endswith("(0.75) · unsaved")
    at.button(key="cmp_ens_save").click().run()
    assert "Saved as run" in shown(at.success[0].value) and not at.exception
    runs = table_with(at, "dev")
    saved = runs[runs["mode"] == "ensemble"].iloc[0]
    assert saved["settings"] == "weights 0.25, 0.75" and saved["labels"] == "2 runs"
    at.multiselect(key="cmp_ens_runs").set_value([]).run()
    at.multiselect(key="cmp_runs").set_value([first.name, saved["id"]]).run()
    heads = table_with(at, "vs baseline")
    as_run = heads[heads["run"].str.contains(saved["id"]) & (heads["metric"] == "accuracy")]
    assert float(as_run["value"].item()) == pytest.approx(expected, abs=5e-4)

    # where the two runs disagree: A right and B wrong, counted from the files
    at.multiselect(key="cmp_runs").set_value([first.name, second.name]).run()
    disagreeing = table_with(at, "A predicted")
    assert set(disagreeing["gold"]) <= {"neg", "pos"} and (disagreeing["gold"] == disagreeing["A predicted"]).all()
    assert (disagreeing["B predicted"] != disagreeing["gold"]).all()
    assert {"labeling_functions", "slices"} <= set(disagreeing.columns)

    settings = next(d.value for d in at.dataframe if d.value.index.name == "setting")
    assert "seed" in settings.index and "epochs" not in settings.index  # only what differs

    at.text_input(key="cmp_export_folder").set_value(str(tmp_path / "exported")).run()
    at.button(key="cmp_export").click().run()
    assert "Exported to" in shown(at.success[0].value) and (tmp_path / "exported" / "mmtl_heads.py").exists()
    assert not at.exception


def test_runs_that_cannot_be_compared_are_named_and_the_rest_still_works(app, two_runs, tiny_encoder):
    ws, first, second = two_runs
    for name in ("reviews", "other"):  # a user task hides the inferred one: both are defined
        ws.save_task(Task(name, "reviews", ("text",), metrics=("accuracy", "f1"), label_names=("neg", "pos")))
    other = train_run(ws, tiny_encoder, 2, task="other")
    broken = second.parent / "broken"
    broken.mkdir()
    (broken / "status.json").write_text((first / "status.json").read_text())
    (broken / "config.json").write_text((first / "config.json").read_text())  # nothing else was written

    at = app(PAGE)
    at.selectbox(key="cmp_task").set_value("reviews").run()
    at.multiselect(key="cmp_runs").set_value([first.name, second.name, other.name, "broken"]).run()
    warnings = messages(at.warning)
    assert any(f"({other.name}) is not compared: it trained other on reviews, not reviews on reviews" in w
               for w in warnings)
    assert any("(broken) is not compared" in w and "no predictions of head 'reviews'" in w for w in warnings)
    heads = table_with(at, "vs baseline")
    assert heads["run"].str.contains(second.name).any()  # the others are compared as usual
    (first / "predictions" / "reviews" / "dev.parquet").write_bytes(b"PAR1 half a file")  # cut off while written
    at.run()
    warnings = messages(at.warning)
    assert any(f"({first.name}) is not compared" in w and "cannot read the file" in w for w in warnings)
    assert table_with(at, "vs baseline")["run"].str.contains(second.name).all()  # the other run still shows
    assert not at.exception


def test_one_click_retrain_opens_the_comparison_with_the_changed_functions(app, tmp_path, tiny_encoder):
    ws = reviews_workspace(tmp_path)
    (ws.functions_dir / "reviews.py").write_text(FUNCTIONS)
    queue = JobQueue.for_workspace(ws)
    try:
        parent = queue.launch(TrainConfig(tasks=(TaskSpec("reviews", dataset="reviews", slices=("negated",)),),
                                          encoder=tiny_encoder, mode="frozen", epochs=2, max_length=8))
        wait_for(lambda: queue.registry.get(parent.id).finished, 180, "the parent run")
        assert queue.registry.get(parent.id).state == "succeeded"
        (ws.functions_dir / "reviews.py").write_text(FUNCTIONS.replace('"not "', '"not"'))  # the user edits a slice

        at = app(PAGE)
        at.multiselect(key="cmp_runs").set_value([parent.id]).run()
        assert any("Changed since this run: edited slicing negated" in shown(c.value) for c in at.caption)
        at.button(key="cmp_retrain").click().run()
        assert "the comparison opens when it finishes" in shown(at.success[0].value)
        child = next(r for r in queue.registry.list_runs() if r.parent_id == parent.id)
        wait_for(lambda: queue.registry.get(child.id).finished, 180, "the retrain")
        at.run()
        assert at.multiselect(key="cmp_runs").value == [parent.id, child.id]
        assert at.selectbox(key="cmp_baseline").value == parent.id
        banner = shown(at.success[0].value)
        assert banner.startswith("Retrained:") and "Functions changed: edited slicing negated" in banner
        assert table_with(at, "vs baseline")["run"].str.contains(child.id).any() and not at.exception
    finally:
        stop_everything(queue)
        Registry(default_url(ws.runs_dir)).dispose()
