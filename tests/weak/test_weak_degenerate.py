"""Degenerate function sets are named: one class voted by all, a class nobody votes, a label model that learned
nothing, training labels of one class."""

import numpy as np

from mmtl_core.weak import weak_report

N = 600


def report_for(columns, cardinality=2, label_names=("ham", "spam"), seed=0):
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, cardinality, N)
    L = np.stack([c(rng, gold) for c in columns], axis=1).astype(np.int8)
    split = np.where(np.arange(N) < 400, "train", "dev")
    return weak_report(L, [f"lf_{j}" for j in range(L.shape[1])], split, np.where(split == "dev", gold, -1),
                       [f"r{i}" for i in range(N)], cardinality, label_names=label_names)


def noisy(accuracy, coverage=0.5):
    """A function voting on ``coverage`` of the rows, right with probability ``accuracy``."""
    def column(rng, gold):
        k = gold.max() + 1
        vote = np.where(rng.random(N) < accuracy, gold, (gold + rng.integers(1, k, N)) % k)
        return np.where(rng.random(N) < coverage, vote, -1)
    return column


def always(label, coverage=0.2):
    return lambda rng, gold: np.where(rng.random(N) < coverage, label, -1)


def test_a_sound_set_gets_no_degenerate_warning():
    report = report_for([noisy(0.9), noisy(0.8), noisy(0.7), noisy(0.85)])
    assert report.warnings == []
    assert report.training_labels.classes == (0, 1)


def test_all_functions_voting_one_class_is_named_once():
    report = report_for([always(1) for _ in range(9)])
    degenerate = [w for w in report.warnings if "worse than chance" not in w]  # random votes: some below chance
    assert len(degenerate) == 1 and degenerate[0].startswith("Every labeling function votes spam")
    assert report.training_labels.classes == (1,)


def test_a_class_no_function_votes_is_named():
    zero_or_two = lambda rng, gold: np.where(rng.random(N) < 0.5, np.where(gold < 2, 0, 2), -1)  # noqa: E731
    report = report_for([zero_or_two, always(0), always(2), zero_or_two], cardinality=4,
                        label_names=("a", "b", "c", "d"))
    found = [w for w in report.warnings if w.startswith("No labeling function votes")]
    assert found == ["No labeling function votes b, d: no training label will be b or d. Write a function for each "
                     "of them."]


def test_functions_that_never_overlap_teach_the_label_model_nothing():
    def disjoint(j):
        def column(rng, gold):
            which = np.arange(N) % 5
            vote = np.where(np.random.default_rng(j).random(N) < 0.8, gold, 1 - gold)
            return np.where(which == j, vote, -1)
        return column

    report = report_for([disjoint(j) for j in range(4)])
    found = [w for w in report.warnings if w.startswith("The label model's weights")]
    assert len(found) == 1 and "learned nothing" in found[0]
    assert np.ptp(report.label_model.weights) < 0.02


def test_an_export_of_one_class_is_named_when_the_functions_vote_both():
    # Many confident "spam" functions and one rare, weak "ham" one: every covered row ends up spam.
    report = report_for([always(1, 0.6), always(1, 0.6), always(1, 0.6), always(0, 0.01)])
    assert report.training_labels.classes == (1,)
    assert any(w.startswith(f"Every one of the {len(report.training_labels.frame)} training labels is spam")
               for w in report.warnings)
