"""Real data: the shipped YouTube spam functions and WRENCH's precomputed votes, against published numbers."""

import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from snorkel.labeling import LFAnalysis, PandasLFApplier

from mmtl_core.data import load_wrench, load_youtube_spam
from mmtl_core.functions import apply_functions, load_functions
from mmtl_core.tasks import Task
from mmtl_core.weak import lf_summary, score_weak_predictions, weak_report, weak_report_for_task

REPO = Path(__file__).resolve().parents[2]
SPAM_TASK = Task("spam", "youtube_spam", ("text",), "label", 2, ("accuracy", "f1"), ("ham", "spam"))


@pytest.fixture(scope="module")
def youtube(shared_data):
    dataset = load_youtube_spam(shared_data / "youtube_spam")
    functions = load_functions(REPO / "labeling_functions", ["youtube_spam.py"])
    assert functions.errors == []
    applied = apply_functions(functions.of_kind("labeling"), dataset, cardinality=2)
    report = weak_report_for_task(dataset, SPAM_TASK, applied.matrix, applied.names)
    return SimpleNamespace(dataset=dataset, functions=functions, applied=applied, report=report)


def split_rows(dataset, name):
    return (dataset.frame["split"] == name).to_numpy()


def test_shipped_functions_load_and_run_cleanly(youtube):
    assert len(youtube.applied.names) >= 8
    assert all(r.ok for r in youtube.applied.reports.values()), [m for r in youtube.applied.reports.values()
                                                                  for m in r.messages]
    assert youtube.report.warnings == []
    # Plain Snorkel runs them too, with the same votes.
    dev = split_rows(youtube.dataset, "dev")
    snorkel_L = PandasLFApplier([f.obj for f in youtube.functions.functions]).apply(
        youtube.dataset.frame[dev], progress_bar=False)
    np.testing.assert_array_equal(youtube.applied.matrix[dev], snorkel_L)


def test_label_model_reaches_the_tutorial_accuracy_on_the_shakira_test_video(youtube):
    test = split_rows(youtube.dataset, "test")
    gold = youtube.dataset.frame["label"].to_numpy()[test]
    table = score_weak_predictions(youtube.report.on_split("test"), gold, ("accuracy", "f1"))
    print("\nShakira test video:\n" + table.to_string())
    assert table["n"].tolist() == [250, 250]  # both models on every test row, abstains included
    assert table.loc["Label model", "accuracy"] >= 0.86  # Snorkel tutorial: LM 86.0, MV 84.0
    assert table.loc["Majority vote", "accuracy"] >= 0.84


def test_dev_comparison_uses_the_same_rows_for_both_models(youtube):
    table = youtube.report.comparison
    print("\nShakira dev rows:\n" + table.to_string())
    assert table["n"].tolist() == [120, 120] and table["covered"].nunique() == 1
    assert list(table.columns) == ["n", "covered", "Coverage", "accuracy", "accuracy (covered)", "f1",
                                   "f1 (covered)"]


def test_summary_on_real_votes_equals_snorkels(youtube):
    dev = split_rows(youtube.dataset, "dev")
    L, gold, names = youtube.applied.matrix[dev], youtube.dataset.frame["label"].to_numpy()[dev], youtube.applied.names
    ours = lf_summary(L, names, gold, youtube.report.label_model.weights)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Input has data type", FutureWarning)  # Snorkel's scipy call
        theirs = LFAnalysis(L.astype(int), [SimpleNamespace(name=n) for n in names]).lf_summary(
            Y=gold, est_weights=youtube.report.label_model.weights)
    assert ours["Polarity"].tolist() == theirs["Polarity"].tolist()
    for col in ours.columns.drop("Polarity"):
        np.testing.assert_allclose(ours[col].to_numpy(float), theirs[col].to_numpy(float), err_msg=col)


def test_wrench_youtube_matches_published_label_model_numbers(shared_data):
    dataset = load_wrench(shared_data / "wrench" / "youtube")
    frame = dataset.frame
    report = weak_report(dataset.weak_labels, dataset.weak_label_names, frame["split"].to_numpy(),
                         frame["label"].to_numpy(), frame["example_id"].to_numpy(), 2)
    test = split_rows(dataset, "test")
    table = score_weak_predictions(report.on_split("test"), frame["label"].to_numpy()[test])
    print("\nWRENCH youtube test (published: MV 84.0, LabelModel 84.0):\n" + table.to_string())
    assert table["n"].tolist() == [250, 250]
    assert table.loc["Majority vote", "accuracy"] == pytest.approx(0.84, abs=0.03)
    assert table.loc["Label model", "accuracy"] == pytest.approx(0.84, abs=0.03)
