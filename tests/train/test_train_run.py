"""A training run end to end on a tiny encoder: the run directory, two stages, repeatability, failures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from train_helpers import negation_dataset, only_run, read_rte
from mmtl_core.errors import ConfigError, TaskError
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_prediction_frames
from mmtl_core.runs.status import read_status
from mmtl_core.train import TaskSpec, TrainConfig, train


@pytest.fixture(scope="module")
def rte_small(shared_data):
    return read_rte(shared_data, n_train=48, n_dev=24)


def rte_config(tmp_path, encoder, **kw) -> TrainConfig:
    base = dict(tasks=(TaskSpec("RTE"),), encoder=encoder, epochs=1, batch_size=8, max_length=48,
                output_dir=str(tmp_path / "runs"), lr=1e-3)
    return TrainConfig(**{**base, **kw})


def test_two_stage_run_writes_the_declared_run_directory(tmp_path, tiny_encoder, rte_small):
    seen = []
    run = train(rte_config(tmp_path, tiny_encoder, stage2_epochs=1), datasets={"RTE": rte_small},
                on_progress=seen.append)

    assert run.parent == tmp_path / "runs" and len(run.name) == len("20261125-183000-ab12")
    assert read_status(run)["status"] == "completed"
    config = json.loads((run / "config.json").read_text())
    assert config["seed"] == 0 and config["device"] == "cpu" and "torch" in config["versions"]
    assert config["config"]["encoder"] == tiny_encoder
    records = read_metrics(run)
    assert [r["stage"] for r in records] == [1, 2, "final"]
    assert set(records[0]) >= {"step", "epoch", "metrics"}
    assert set(records[-1]["metrics"]) == {f"RTE/{rte_small.name}/dev/accuracy"}
    dev = pd.read_parquet(run / "predictions" / "RTE" / "dev.parquet")
    assert list(dev.columns) == ["example_id", "prob_0", "prob_1"] and len(dev) == 24
    assert set(dev["example_id"]) == set(rte_small.split("dev")["example_id"])
    assert (run / "weights" / "RTE.safetensors").stat().st_size > 100_000  # encoder included
    progress = json.loads((run / "progress.json").read_text())
    assert progress["step"] == progress["total_steps"] == 6 and progress["stage"] == 2
    assert seen[-1] == progress and {"loss", "examples_per_s", "eta_s", "epoch"} <= set(progress)
    assert "Running training" in (run / "log.txt").read_text()


def test_same_seed_repeats_exactly_on_cpu(tmp_path, tiny_encoder, rte_small):
    runs = [train(rte_config(tmp_path, tiny_encoder), datasets={"RTE": rte_small}) for _ in range(2)]
    assert read_metrics(runs[0]) == read_metrics(runs[1])
    a, b = (read_prediction_frames(r)["RTE"]["dev"] for r in runs)
    pd.testing.assert_frame_equal(a, b)
    other = train(rte_config(tmp_path, tiny_encoder, seed=1), datasets={"RTE": rte_small})
    assert not read_prediction_frames(other)["RTE"]["dev"].equals(a)


def test_probabilistic_labels_train_only_the_covered_rows(tmp_path, tiny_encoder, rte_small):
    train_ids = rte_small.split("train")["example_id"].iloc[:20]
    probs = pd.DataFrame({"example_id": train_ids, "prob_0": 0.8, "prob_1": 0.2})
    path = tmp_path / "labels.parquet"
    probs.to_parquet(path)
    run = train(rte_config(tmp_path, tiny_encoder, tasks=(TaskSpec("RTE", labels=str(path)),)),
                datasets={"RTE": rte_small})
    config = json.loads((run / "config.json").read_text())
    assert config["tasks"][0]["rows"]["train"] == 20


def test_missing_encoder_folder_is_refused_before_a_run_folder_exists(tmp_path, rte_small):
    with pytest.raises(ConfigError, match="'encoder'.*does not exist"):
        train(rte_config(tmp_path, str(tmp_path / "no_such_model")), datasets={"RTE": rte_small})
    assert not (tmp_path / "runs").exists()


def test_default_encoder_can_be_another_folder_named_by_the_environment(tmp_path, tiny_encoder, monkeypatch):
    # a GPU box without the bundled MiniLM package (bench/gpu_checks.sh) sets it
    monkeypatch.setenv("MMTL_DEFAULT_ENCODER", tiny_encoder)
    run = train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), mode="frozen", epochs=1, max_length=8,
                            output_dir=str(tmp_path / "runs")), datasets={"s": negation_dataset(40)})
    assert json.loads((run / "config.json").read_text())["encoder_path"] == tiny_encoder
    monkeypatch.setenv("MMTL_DEFAULT_ENCODER", str(tmp_path))
    with pytest.raises(ConfigError, match=r"\$MMTL_DEFAULT_ENCODER names .* not a model folder"):
        train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), output_dir=str(tmp_path / "runs")),
              datasets={"s": negation_dataset(40)})


def test_unloadable_encoder_is_a_config_error_recorded_in_the_run(tmp_path, rte_small):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="setting 'encoder': cannot load"):
        train(rte_config(tmp_path, str(tmp_path / "empty")), datasets={"RTE": rte_small})
    (run,) = (tmp_path / "runs").iterdir()
    status = read_status(run)
    assert status["status"] == "failed" and "ConfigError" in status["error"] and "Traceback" in status["traceback"]


def test_unknown_task_and_missing_files_are_refused_before_loading(tmp_path, tiny_encoder):
    with pytest.raises(ConfigError, match="'RTEE' is not a GLUE task.*did you mean 'RTE'"):
        train(rte_config(tmp_path, tiny_encoder, tasks=(TaskSpec("RTEE", data=str(tmp_path)),)))
    with pytest.raises(ConfigError, match="'labels' names .*nope.parquet"):
        train(rte_config(tmp_path, tiny_encoder, tasks=(TaskSpec("RTE", data=str(tmp_path),
                                                                 labels=str(tmp_path / "nope.parquet")),)))
    assert not (tmp_path / "runs").exists()


def test_task_without_training_rows_is_refused_before_training(tmp_path, tiny_encoder, rte_small):
    frame = rte_small.frame.assign(label=np.where(rte_small.frame["split"] == "train", -1, rte_small.frame["label"]))
    from mmtl_core.data.dataset import Dataset

    with pytest.raises(ConfigError, match="no labeled training rows"):
        train(rte_config(tmp_path, tiny_encoder), datasets={"RTE": Dataset("glue", frame)})


def test_labels_out_of_range_name_the_column(tmp_path, tiny_encoder):
    ds = negation_dataset(40)
    ds.frame.loc[3, "label"] = 5
    from mmtl_core.data.dataset import Dataset

    with pytest.raises(TaskError, match="'label'.*outside 0..1"):
        train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=tiny_encoder,
                          output_dir=str(tmp_path)), datasets={"s": Dataset("d", ds.frame)})


def test_failure_midway_keeps_what_was_written(tmp_path, tiny_encoder, rte_small):
    def stop(progress):
        if progress.get("stage") == 2:
            raise RuntimeError("disk full (simulated)")

    with pytest.raises(RuntimeError, match="simulated"):
        train(rte_config(tmp_path, tiny_encoder, stage2_epochs=1), datasets={"RTE": rte_small}, on_progress=stop)
    (run,) = (tmp_path / "runs").iterdir()
    assert read_status(run)["status"] == "failed" and "disk full" in read_status(run)["error"]
    assert [r["stage"] for r in read_metrics(run)] == [1]  # stage 1's evaluation is kept
    assert "run failed" in (run / "log.txt").read_text()


def test_regression_task_writes_scores_and_correlations(tmp_path, tiny_encoder):
    from mmtl_core.data.dataset import Dataset

    ds = negation_dataset(80)
    frame = ds.frame.assign(score=ds.frame["label"] * 4.0 + np.arange(len(ds.frame)) % 3 * 0.5)
    spec = TaskSpec("sim", text_fields=("text",), label_field="score", cardinality=1, metrics=("pearson", "spearman"))
    run = train(TrainConfig(tasks=(spec,), encoder=tiny_encoder, mode="frozen", epochs=2, max_length=8,
                            output_dir=str(tmp_path / "runs")), datasets={"sim": Dataset("d", frame)})
    dev = read_prediction_frames(run)["sim"]["dev"]
    assert list(dev.columns) == ["example_id", "score"]
    assert set(read_metrics(run)[-1]["metrics"]) == {"sim/d/dev/pearson", "sim/d/dev/spearman"}


def test_out_of_memory_becomes_a_config_error_naming_batch_size(tmp_path, tiny_encoder, rte_small):
    def oom(progress):
        if progress["phase"] == "train":
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")

    with pytest.raises(ConfigError, match="out of memory with batch_size=8 and max_length=48"):
        train(rte_config(tmp_path, tiny_encoder), datasets={"RTE": rte_small}, on_progress=oom)


def test_labels_exported_by_the_labeling_page_train_a_task(tmp_path, tiny_encoder, rte_small):
    # The page writes prob_<label name> columns (prob_entailment, prob_not_entailment for RTE), in any order.
    from mmtl_core.weak import TrainingLabels, export_training_labels

    train_ids = rte_small.split("train")["example_id"].iloc[:12]
    frame = pd.DataFrame({"example_id": train_ids, "prob_not_entailment": 0.3, "prob_entailment": 0.7})
    path = export_training_labels(tmp_path / "labels.parquet", TrainingLabels(frame, dropped=0))
    run = train(rte_config(tmp_path, tiny_encoder, tasks=(TaskSpec("RTE", labels=str(path)),)),
                datasets={"RTE": rte_small})
    assert json.loads((run / "config.json").read_text())["tasks"][0]["rows"]["train"] == 12
    bad = tmp_path / "bad.parquet"
    frame.assign(prob_entailment=0.9).to_parquet(bad)
    with pytest.raises(ConfigError, match="'labels' names .*bad.parquet.*sum"):
        train(rte_config(tmp_path, tiny_encoder, tasks=(TaskSpec("RTE", labels=str(bad)),)),
              datasets={"RTE": rte_small})


def test_undefined_dev_metrics_are_null_in_strict_json(tmp_path, tiny_encoder):
    from mmtl_core.data.dataset import Dataset

    ds = negation_dataset(60)
    frame = ds.frame.assign(label=ds.frame["label"].where(ds.frame["split"] == "train", -1))  # dev unlabeled
    run = train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=tiny_encoder, mode="frozen",
                            epochs=1, max_length=8, output_dir=str(tmp_path / "runs")),
                datasets={"s": Dataset("d", frame)})

    def refuse(constant):
        raise AssertionError(f"{constant} is not JSON")

    lines = (run / "metrics.jsonl").read_text().splitlines()
    records = [json.loads(line, parse_constant=refuse) for line in lines]
    assert records[0]["metrics"] == {"s/d/dev/accuracy": None}
    assert np.isnan(read_metrics(run)[0]["metrics"]["s/d/dev/accuracy"])
    json.loads((run / "progress.json").read_text(), parse_constant=refuse)


def test_diverging_loss_stops_the_run_and_names_the_learning_rate(tmp_path, tiny_encoder):
    with pytest.raises(ConfigError, match=r"training diverged; lower 'lr' \(now 1e\+30\) or set 'grad_clip'"):
        train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=tiny_encoder, mode="frozen",
                          epochs=3, max_length=8, lr=1e30, grad_clip=0, output_dir=str(tmp_path / "runs")),
              datasets={"s": negation_dataset(200)})
    run = only_run(tmp_path / "runs")
    assert read_status(run)["status"] == "failed" and "diverged" in read_status(run)["error"]


def test_config_records_the_functions_commit_and_uncommitted_edits(tmp_path, tiny_encoder):
    import subprocess

    functions = tmp_path / "repo" / "labeling_functions"
    functions.mkdir(parents=True)
    (functions / "lfs.py").write_text("X = 1\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(tmp_path / "repo")]
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "functions"]):
        subprocess.run(git + args, check=True)
    head = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()

    def recorded() -> dict:
        run = train(TrainConfig(tasks=(TaskSpec("s", text_fields=("text",)),), encoder=tiny_encoder, mode="frozen",
                                epochs=1, max_length=8, functions_dir=str(functions), output_dir=str(tmp_path / "r")),
                    datasets={"s": negation_dataset(40)})
        config = json.loads((run / "config.json").read_text())
        return {k: config[k] for k in ("git_commit", "git_dirty")}

    assert recorded() == {"git_commit": head, "git_dirty": False}
    (functions / "lfs.py").write_text("X = 2\n")  # edited after the commit
    assert recorded() == {"git_commit": head, "git_dirty": True}
