"""Module sets: a dataset/task applies its own modules, never every module; a new one starts from the template."""

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.studio.labeling import analyse_labeling
from mmtl_core.studio.modules import (choose_modules, module_set, module_template, new_module, open_module_set,
                                      own_module_name)
from mmtl_core.tasks import Task
from mmtl_core.workspace import Workspace

REVIEWS = Dataset("my reviews", pd.DataFrame({
    "example_id": [f"r:{i}" for i in range(6)], "split": ["train"] * 4 + ["dev"] * 2,
    "body": ["an example", "a sample", "fine", "an example and a sample", "example", "plain"],
    "label": [1, 0, 0, 1, 1, 0]}), label_names=("bad review", "good review"))
TASK = Task("stars", "my reviews", ("body",), label_names=("bad review", "good review"))


@pytest.fixture
def ws(tmp_path):
    ws = Workspace.at(tmp_path / "ws", tmp_path / "functions")
    for name in ("youtube_spam.py", "rte_slices.py", "stars_extra.py"):
        (ws.functions_dir / name).write_text("X = 1\n")
    return ws


def test_a_dataset_without_its_own_module_gets_one_from_the_template(ws):
    assert module_set(ws, REVIEWS, TASK) == ["stars_extra.py"]  # named after the task
    (ws.functions_dir / "stars_extra.py").unlink()
    assert module_set(ws, REVIEWS, TASK) == []  # never every module
    assert ws.module_set(REVIEWS.name, TASK.name) is None  # looking changes nothing
    opened = open_module_set(ws, REVIEWS, TASK)
    assert opened == ["my_reviews_stars.py"] and ws.module_set(REVIEWS.name, TASK.name) == opened
    assert open_module_set(ws, REVIEWS, TASK) == opened  # made once
    analysis = analyse_labeling(REVIEWS, TASK, ws, opened)
    assert analysis.names == ("mentions_example", "says_sample") and not analysis.problems
    assert analysis.L[:, 0].tolist() == [1, -1, -1, 1, 1, -1]  # GOOD_REVIEW on "example"
    assert analysis.L[:, 1].tolist() == [-1, 0, -1, 0, -1, -1]  # BAD_REVIEW on "sample"


def test_the_template_names_the_classes_of_the_task():
    text = module_template(REVIEWS, TASK)
    assert "BAD_REVIEW, GOOD_REVIEW = 0, 1" in text and "x['body']" in text
    numbered = module_template(REVIEWS, Task("t", "my reviews", ("body",), label_names=("0", "1")))
    assert "CLASS_0, CLASS_1 = 0, 1" in numbered


def test_a_chosen_set_is_kept_and_checked(ws):
    assert choose_modules(ws, REVIEWS, TASK, ["rte_slices.py"]) == ["rte_slices.py"]
    assert module_set(ws, REVIEWS, TASK) == ["rte_slices.py"]
    with pytest.raises(FunctionError, match="no module 'gone.py'"):
        choose_modules(ws, REVIEWS, TASK, ["gone.py"])
    (ws.functions_dir / "rte_slices.py").unlink()
    assert module_set(ws, REVIEWS, TASK) == []  # a deleted module drops out; nothing else comes in


def test_a_new_module_never_replaces_one(ws):
    with pytest.raises(FunctionError, match="exists already"):
        new_module(ws, REVIEWS, TASK, "youtube_spam.py", [])
    assert (ws.functions_dir / "youtube_spam.py").read_text() == "X = 1\n"
    assert new_module(ws, REVIEWS, TASK, "stars_more.py", ["stars_extra.py"]) == "stars_more.py"
    assert ws.module_set(REVIEWS.name, TASK.name) == ["stars_extra.py", "stars_more.py"]
    assert own_module_name(REVIEWS, TASK, ["my_reviews_stars.py"]) == "my_reviews_stars_2.py"


def test_no_modules_means_no_functions(ws):
    analysis = analyse_labeling(REVIEWS, TASK, ws, [])
    assert analysis.report is None and analysis.names == () and np.shape(analysis.L) == (6, 0)


def test_a_regression_task_starts_from_slicing_functions(ws):
    from mmtl_core.studio.slicing import analyse_slices

    scores = Dataset("scores", REVIEWS.frame.assign(label=[0.5, 1.0, 2.0, 3.5, 4.0, 5.0]))
    task = Task("similarity", "scores", ("body",), cardinality=1, metrics=("pearson",))
    (opened,) = open_module_set(ws, scores, task)
    assert "@labeling_function" not in (ws.functions_dir / opened).read_text()
    analysis = analyse_slices(scores, task, ws, [opened])
    assert analysis.slice_names == ("mentions_example", "short_text") and not analysis.problems
    assert analysis.S[:, 0].tolist() == [True, False, False, True, True, False]
