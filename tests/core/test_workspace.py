"""Workspace operations: datasets added or replaced in place, tasks saved, module sets remembered, labels' place."""

import pytest

from mmtl_core.data import DatasetSpec
from mmtl_core.errors import WorkspaceError
from mmtl_core.tasks import Task
from mmtl_core.workspace import Workspace


@pytest.fixture
def ws(tmp_path):
    return Workspace.at(tmp_path / "ws", tmp_path / "functions")


def test_a_dataset_is_added_then_replaced_in_its_place(ws, tmp_path):
    ws.save_dataset(DatasetSpec("a", "wrench", str(tmp_path / "a")))
    ws.save_dataset(DatasetSpec("b", "wrench", str(tmp_path / "b")))
    ws.save_dataset(DatasetSpec("a", "wrench", str(tmp_path / "a2")))
    assert [(s.name, s.path) for s in ws.dataset_specs()] == [("a", str(tmp_path / "a2")), ("b", str(tmp_path / "b"))]
    ws.forget_dataset("a")
    assert [s.name for s in Workspace.at(ws.root, ws.functions_dir).dataset_specs()] == ["b"]


def test_a_task_is_saved_and_replaced_by_name(ws):
    ws.save_task(Task("sentiment", "reviews", ("body",), label_names=("neg", "pos")))
    ws.save_task(Task("topic", "reviews", ("body",)))
    ws.save_task(Task("sentiment", "reviews", ("body",), metrics=("f1",), label_names=("neg", "pos")))
    assert [(t.name, t.metrics) for t in ws.tasks()] == [("sentiment", ("f1",)), ("topic", ("accuracy",))]


def test_module_sets_are_remembered_per_dataset_and_task(ws):
    assert ws.module_set("youtube_spam", "youtube_spam") is None
    ws.save_module_set("youtube_spam", "youtube_spam", ["youtube_spam.py", "youtube_spam.py", "extra.py"])
    ws.save_module_set("RTE", "RTE", [])
    again = Workspace.at(ws.root, ws.functions_dir)
    assert again.module_set("youtube_spam", "youtube_spam") == ["youtube_spam.py", "extra.py"]
    assert again.module_set("RTE", "RTE") == [] and again.module_set("RTE", "other") is None


def test_a_corrupt_module_set_file_is_named(ws):
    ws.module_sets_file.write_text('[{"dataset": "a"}]')
    with pytest.raises(WorkspaceError, match="module_sets.json: cannot read the saved module sets"):
        ws.module_set("a", "b")


def test_labels_go_under_the_workspace(ws):
    assert ws.labels_path("youtube_spam", "spam") == ws.root / "labels" / "youtube_spam_spam.parquet"
