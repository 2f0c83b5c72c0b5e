"""Warnings name the function they are about."""

import numpy as np

from mmtl_core.weak import function_summary
from mmtl_core.weak.function_warnings import lf_warnings

SPLIT = np.array(["train"] * 6 + ["dev"] * 6)
GOLD = np.array([-1] * 6 + [0, 0, 0, 1, 1, 1])


def warnings_for(columns, cardinality=2):
    L = np.array(columns, dtype=np.int8).T
    return lf_warnings(function_summary(L, [f"lf_{c}" for c in "abcdef"[: L.shape[1]]], SPLIT, GOLD), cardinality)


GOOD = [0, 0, 0, 1, 1, 1] + [0, 0, 0, 1, 1, 1]
ALSO_GOOD = [0, -1, 0, 1, -1, 1] + [0, 0, -1, 1, 1, -1]


def test_no_warning_for_three_sound_functions():
    assert warnings_for([GOOD, ALSO_GOOD, GOOD]) == []


def test_fewer_than_three_functions():
    found = warnings_for([GOOD, ALSO_GOOD])
    assert len(found) == 1 and "Only 2 labeling function" in found[0]


def test_function_below_chance_on_dev_is_named():
    wrong = [0] * 6 + [1, 1, 1, 0, 0, 0]  # always wrong on its 6 dev votes
    found = warnings_for([GOOD, ALSO_GOOD, wrong])
    assert len(found) == 1 and found[0].startswith("lf_c is right on 0% of its 6 dev votes")


def test_below_chance_needs_enough_dev_votes():
    few = [0] * 6 + [1, 1, -1, -1, -1, -1]  # wrong, but only twice
    assert warnings_for([GOOD, ALSO_GOOD, few]) == []


def test_chance_depends_on_the_number_of_classes():
    # 2 of 6 right: below chance (50%) for two classes, above it (33%) for three.
    so_so = [0] * 6 + [0, 0, 1, 0, 0, 0]
    assert any("lf_c" in w for w in warnings_for([GOOD, ALSO_GOOD, so_so], cardinality=2))
    assert warnings_for([GOOD, ALSO_GOOD, so_so], cardinality=3) == []


def test_function_that_never_votes_is_named():
    silent = [-1] * 12
    found = warnings_for([GOOD, ALSO_GOOD, GOOD, silent])
    assert found == ["lf_d never votes (coverage 0 on train and dev): it may test for text that never occurs, or "
                     "always return ABSTAIN."]
    votes_on_dev_only = [-1] * 6 + [0, -1, -1, -1, -1, -1]
    assert warnings_for([GOOD, ALSO_GOOD, GOOD, votes_on_dev_only]) == []


def test_missing_dev_split_is_said_once():
    L = np.array([GOOD[:6], ALSO_GOOD[:6], GOOD[:6]], dtype=np.int8).T
    summary = function_summary(L, ["a", "b", "c"], np.array(["train"] * 6), np.full(6, -1))
    assert lf_warnings(summary, 2) == ["The dataset has no dev rows: accuracies of the functions and of the label "
                                       "model need a dev split with gold labels."]
