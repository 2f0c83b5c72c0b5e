"""The pieces join by name, on real data: the Labeling functions page's own export trains a run from a config
that names the workspace dataset and task, and the run shows up where the Slices page lists runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest

from mmtl_core.data import DatasetSpec, load_dataset, save_specs
from mmtl_core.runs.listing import list_runs
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import read_labels
from mmtl_core.studio.labeling import analyse_labeling
from mmtl_core.studio.modules import module_set
from mmtl_core.studio.slicing import run_prediction_sets
from mmtl_core.tasks import tasks_for
from mmtl_core.train.__main__ import main
from mmtl_core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def workspace_with(tmp_path: Path, monkeypatch, spec: DatasetSpec, *modules: str) -> Workspace:
    """The app's workspace (as $MMTL_WORKSPACE names it) with one dataset and the shipped function modules."""
    ws = Workspace.at(tmp_path / "workspace", tmp_path / "functions")
    save_specs(ws.datasets_file, [spec])
    for name in modules:
        shutil.copy(REPO / "labeling_functions" / name, ws.functions_dir)
    monkeypatch.setenv("MMTL_WORKSPACE", str(ws.root))
    monkeypatch.setenv("MMTL_FUNCTIONS_DIR", str(ws.functions_dir))
    return ws


def run_cli(tmp_path: Path, yaml: str, capsys) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(yaml)
    assert main([str(path)]) == 0, capsys.readouterr().err[-3000:]
    return Path(capsys.readouterr().out.strip())


def test_the_pages_export_trains_a_run_named_by_workspace_names_and_the_slices_page_lists_it(
        tmp_path, monkeypatch, shared_data, tiny_encoder, capsys):
    ws = workspace_with(tmp_path, monkeypatch, DatasetSpec("youtube_spam", "youtube_spam",
                                                           str(shared_data / "youtube_spam")), "youtube_spam.py")
    page = AppTest.from_file(str(REPO / "studio.py"), default_timeout=120)  # app.py serves it behind the door
    page.run()
    page.switch_page("pages/views/labeling.py")
    page.run()
    page.button(key="lf_save_labels").click().run()
    assert not page.exception, [e.message for e in page.exception]
    (export,) = (ws.root / "labels").glob("*.parquet")
    written = pd.read_parquet(export)
    assert list(written.columns) == ["example_id", "prob_ham", "prob_spam"]  # as the page writes it

    # no output_dir and no workspace: the app's, from $MMTL_WORKSPACE
    run = run_cli(tmp_path, f"tasks:\n  - dataset: youtube_spam\n    task: youtube_spam\n    labels: {export}\n"
                            f"encoder: {tiny_encoder}\nmode: frozen\nepochs: 1\nmax_length: 16\n", capsys)
    assert run.parent == ws.runs_dir
    meta = json.loads((run / "config.json").read_text())
    assert meta["tasks"][0]["labels"]["matched_train_rows"] == meta["tasks"][0]["rows"]["train"] == len(written)
    assert {"youtube_spam/youtube_spam/dev/accuracy", "youtube_spam/youtube_spam/dev/f1"} \
        <= set(read_metrics(run)[-1]["metrics"])

    dataset = load_dataset(DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam")))
    (task,) = tasks_for(dataset, [])
    dev_ids = dataset.frame.loc[dataset.frame["split"] == "dev", "example_id"].to_numpy()
    listed = run_prediction_sets(ws, task, "dev", dev_ids)  # what the Slices page offers
    (info,) = list_runs(ws.runs_dir)
    assert info.name == meta["name"] and info.name.startswith("youtube_spam (") and "frozen" in info.name
    assert list(listed.sets) == [f"run {info.title}"] and not listed.errors
    assert len(listed.sets[f"run {info.title}"].example_ids) == 120


def test_wrench_json_trains_on_the_current_label_model_computed_at_launch(tmp_path, monkeypatch, shared_data,
                                                                            tiny_encoder, capsys):
    spec = DatasetSpec("youtube_wrench", "wrench", str(shared_data / "wrench" / "youtube"))
    ws = workspace_with(tmp_path, monkeypatch, spec)  # its weak labels are the functions: no module needed
    run = run_cli(tmp_path, f"workspace: {ws.root}\ntasks:\n  - dataset: youtube_wrench\n    task: youtube_wrench\n"
                            f"    labels: label_model\nencoder: {tiny_encoder}\nmode: frozen\nepochs: 1\n"
                            "max_length: 16\n", capsys)
    dataset = load_dataset(spec)
    (task,) = tasks_for(dataset, [])
    page = analyse_labeling(dataset, task, ws, module_set(ws, dataset, task))
    stored = read_labels(run, "youtube_wrench")
    assert list(stored.columns) == ["example_id", "prob_HAM", "prob_SPAM"]
    pd.testing.assert_frame_equal(stored, page.report.training_labels.frame.reset_index(drop=True), check_dtype=False)
    labels = json.loads((run / "config.json").read_text())["tasks"][0]["labels"]
    assert labels["source"] == "label_model" and len(labels["functions"]) == 10 and labels["model"] == "label model"
    assert list_runs(ws.runs_dir)[0].completed
