"""The example slicing functions on the real RTE and YouTube spam data, through the whole analysis."""

from pathlib import Path

import numpy as np
import pytest

from mmtl_core.data import load_glue_task, load_youtube_spam
from mmtl_core.functions import apply_functions, load_functions
from mmtl_core.slices import (PredictionSet, SplitSlices, bucket_examples, compare_table, confusion_table,
                              slice_metrics)
from mmtl_core.tasks import GLUE_TASKS, Task
from mmtl_core.weak import majority_vote_proba

# Not imported from conftest: several test folders have a conftest.py, and which one 'conftest' names depends
# on the order pytest loaded them.
REPO = Path(__file__).resolve().parents[2]

FUNCTIONS = REPO / "labeling_functions"
RTE_SLICES = ["dash_semicolon", "multiple_pronouns", "negation", "numbers", "long_premise", "low_overlap"]


def applied(filename, dataset):
    found = load_functions(FUNCTIONS, [filename])
    assert not found.errors, found.errors
    result = apply_functions(found.functions, dataset, n_workers=1)
    assert all(r.ok for r in result.reports.values()), {n: r.messages for n, r in result.reports.items()}
    return result


@pytest.fixture(scope="module")
def rte(shared_data):
    dataset = load_glue_task(shared_data / "glue_data" / "RTE", "RTE")
    slices = applied("rte_slices.py", dataset)
    return SplitSlices.of(GLUE_TASKS["RTE"], dataset, "dev", slices.matrix, slices.names)


def test_rte_slices_fire_on_sensible_numbers_of_dev_examples(rte):
    assert list(rte.slice_names) == RTE_SLICES
    sizes = dict(zip(rte.slice_names, rte.S.sum(0).tolist()))
    # MeTaL's two slices are rare (tens of the 277 dev pairs); the others are common but far from everything.
    assert 15 <= sizes["dash_semicolon"] <= 60 and 15 <= sizes["multiple_pronouns"] <= 60, sizes
    assert all(15 <= n <= 140 for n in sizes.values()), sizes


def test_rte_per_slice_table_for_an_overlap_baseline(rte):
    # A word-overlap heuristic: low overlap -> not_entailment (1), else entailment (0).
    low = rte.members("low_overlap")
    baseline = PredictionSet.from_labels("overlap", rte.example_ids, low.astype(int), 2)
    table = slice_metrics(rte, baseline).set_index("slice")
    assert table.index.tolist() == ["overall", *RTE_SLICES]
    assert table.loc["overall", "n"] == 277
    gold = rte.gold
    assert table.loc["low_overlap", "value"] == pytest.approx(np.mean(gold[low] == 1))
    assert (table["ci_low"] <= table["value"]).all() and (table["value"] <= table["ci_high"]).all()
    assert (table["below_min_n"] == (table["n"] < 30)).all()
    cm = confusion_table(rte, baseline, "low_overlap")
    assert cm["entailment"].sum() == 0 and cm.to_numpy().sum() == low.sum()


def test_rte_comparison_table_against_always_entailment(rte):
    low = rte.members("low_overlap").astype(int)
    ids = rte.example_ids
    table = compare_table(rte, PredictionSet.from_labels("always_entailment", ids, np.zeros(277, int), 2),
                          PredictionSet.from_labels("overlap", ids, low, 2))
    assert len(table) == 7 and (table["test"] == "exact McNemar").all()
    assert table["p_value"].between(0, 1).all()


@pytest.fixture(scope="module")
def youtube(shared_data):
    dataset = load_youtube_spam(shared_data / "youtube_spam")
    lfs = applied("youtube_spam.py", dataset)
    slices = applied("youtube_spam_slices.py", dataset)
    task = Task("spam", dataset.name, ("text",), label_names=dataset.label_names)
    return SplitSlices.of(task, dataset, "test", slices.matrix, slices.names, lfs.matrix, lfs.names)


def test_youtube_slices_with_majority_vote(youtube):
    probs = majority_vote_proba(youtube.L, 2)
    mv = PredictionSet.from_probs("majority_vote", youtube.example_ids, probs)
    table = slice_metrics(youtube, mv).set_index("slice")
    assert table.loc["overall", "n"] == 250
    assert 0.7 < table.loc["overall", "value"] < 0.95  # the tutorial's majority vote scores 84% here
    assert table.loc[list(youtube.slice_names), "n"].tolist() == youtube.S.sum(0).tolist()
    assert (table.loc[list(youtube.slice_names), "n"] > 0).all()
    missed = bucket_examples(youtube, mv, "spam", "ham")
    assert len(missed) == confusion_table(youtube, mv).loc["spam", "ham"] > 0
    assert set(missed.columns) >= {"text", "gold", "predicted", "confidence", "labeling_functions", "slices"}
    assert (missed["gold"] == "spam").all() and (missed["predicted"] == "ham").all()
    caught = bucket_examples(youtube, mv, "spam", "spam")
    assert caught["labeling_functions"].str.contains("=spam").all()  # a spam vote is why it was caught
