import numpy as np
import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset, fingerprint, make_example_ids
from mmtl_core.errors import TaskError
from mmtl_core.tasks import GLUE_TASKS, Task, load_tasks, save_tasks


def _dataset(labels):
    frame = pd.DataFrame({"example_id": [f"d:{i}" for i in range(len(labels))], "split": "train",
                          "text": ["x"] * len(labels), "label": labels})
    return Dataset("d", frame)


def test_glue_tasks_carry_their_standard_metrics():
    assert GLUE_TASKS["CoLA"].primary_metric == "matthews_corrcoef"
    assert GLUE_TASKS["MRPC"].metrics == ("f1", "accuracy")
    assert GLUE_TASKS["STSB"].is_regression and GLUE_TASKS["STSB"].metrics == ("pearson", "spearman")
    assert GLUE_TASKS["RTE"].label_names == ("entailment", "not_entailment")


def test_task_rejects_metric_of_the_wrong_kind_and_lists_choices():
    with pytest.raises(TaskError, match="choose from accuracy"):
        Task("spam", "youtube", ("text",), metrics=("pearson",))


def test_labels_outside_declared_classes_name_column_value_and_row():
    task = Task("spam", "d", ("text",), cardinality=2)
    with pytest.raises(TaskError, match=r"column 'label' has 3 value\(s\) outside 0..1 \(and -1 for unlabeled\): "
                                        r"5, 7, in rows d:2, d:4, d:5"):
        task.check_against(_dataset([0, 1, 5, -1, 7, 5]))
    with pytest.raises(TaskError, match="no column 'body'"):
        Task("spam", "d", ("body",)).check_against(_dataset([0]))


def test_tasks_round_trip_and_duplicates_are_named(tmp_path):
    tasks = [Task("spam", "d", ("text",), label_names=("ham", "spam")), GLUE_TASKS["STSB"]]
    save_tasks(tmp_path / "tasks.json", tasks)
    assert load_tasks(tmp_path / "tasks.json") == tasks
    with pytest.raises(TaskError, match="'spam'"):
        save_tasks(tmp_path / "tasks.json", [tasks[0], tasks[0]])


def test_fingerprint_follows_content_and_ids_are_unique_and_stable():
    frame = pd.DataFrame({"a": ["x", "y"]})
    assert fingerprint(frame) == fingerprint(frame.copy())
    assert fingerprint(frame) != fingerprint(frame.assign(a=["x", "z"]))
    ids = make_example_ids("yt", pd.Series(["c1", "c2", "c1"]), 3)
    assert list(ids) == ["yt:c1", "yt:c2", "yt:c1#2"]
    assert list(make_example_ids("f", None, 2)) == ["f:0", "f:1"]
    assert np.all(make_example_ids("yt", pd.Series(["c1", "c2", "c1"]), 3) == ids)


def test_tasks_for_a_dataset_prefer_user_then_glue_then_inferred():
    from mmtl_core.tasks import tasks_for

    frame = pd.DataFrame({"example_id": ["a"], "split": ["train"], "text": ["x"], "label": [1]})
    spam = Dataset("youtube-spam", frame, label_names=("ham", "spam"))
    (inferred,) = tasks_for(spam, [])
    assert (inferred.name, inferred.text_fields, inferred.cardinality) == ("youtube_spam", ("text",), 2)
    mine = Task("mine", "youtube-spam", ("text",), label_names=("ham", "spam"))
    assert tasks_for(spam, [mine]) == [mine]
    rte = Dataset("my_rte", frame.rename(columns={"text": "sentence1"}).assign(sentence2="y"),
                  source="glue:/data/glue_data/RTE")
    assert [(t.name, t.dataset) for t in tasks_for(rte, [])] == [("RTE", "my_rte")]
