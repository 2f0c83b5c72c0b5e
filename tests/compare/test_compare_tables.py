"""Head by head and per slice against a pinned baseline, ensembles and disagreements, on hand-counted examples."""

import numpy as np
import pandas as pd
import pytest

from compare_helpers import A, B, GOLD, candidate, split
from mmtl_core.compare.disagreements import disagreements
from mmtl_core.compare.ensemble import ensemble_candidate
from mmtl_core.compare.heads import NO_BASELINE_HEAD, head_table
from mmtl_core.compare.per_slice import ranked, slice_table
from mmtl_core.compare.stored import stored_split
from mmtl_core.errors import PredictionsError
from mmtl_core.runs.jsonfiles import write_config
from mmtl_core.runs.layout import create_run_dir
from mmtl_core.slices import PredictionSet


def test_head_table_scores_every_head_and_compares_it_with_the_baseline():
    base = candidate("a", A)
    cand = candidate("b", B, slice_heads={"first_five": np.zeros(10, int)})  # right on all of the first five
    table = head_table(split(), base, [cand])
    task_rows = table[table["head"] == "spam"].set_index("run")
    assert list(task_rows.index) == ["run a", "run b"]
    assert task_rows.loc["run a", "value"] == pytest.approx(0.3) and task_rows.loc["run a", "note"] == "baseline"
    b = task_rows.loc["run b"]
    assert (b["n"], b["value"], b["diff"]) == (10, pytest.approx(0.8), pytest.approx(0.5))
    # exact McNemar on 1 (A only) vs 6 (B only) discordant examples: 2 * P(X <= 1 | 7, 1/2) = 0.125
    assert b["p_value"] == pytest.approx(0.125) and b["test"] == "exact McNemar"
    assert b["diff_low"] < 0.5 < b["diff_high"] and b["diff_method"] == "newcombe"
    # the slice head: only the candidate has it, scored on its slice's 5 rows, not compared
    (sliced,) = table[table["head"] == "spam:first_five"].itertuples()
    assert (sliced.run, sliced.slice, sliced.n, sliced.value) == ("run b", "first_five", 5, 1.0)
    assert sliced.note == NO_BASELINE_HEAD and pd.isna(sliced.q_value)
    # one comparison in the table: BH leaves its p-value as it is; 0.125 is not a gain
    assert b["q_value"] == pytest.approx(0.125) and b["verdict"] == ""


def test_a_clear_difference_is_flagged_and_the_correction_counts_every_comparison():
    gold = np.zeros(60, dtype=int)
    base = candidate("a", np.r_[np.ones(30, int), np.zeros(30, int)])  # 30 of 60 right
    better = candidate("b", np.zeros(60, int))  # all right: B alone right on 30 rows
    data = split(gold, {"second_half": np.arange(60) >= 30, "first_half": np.arange(60) < 30})
    table = slice_table(data, base, [better])
    rows = table[table["run"] == "run b"].set_index("slice")
    assert rows.loc["overall", "verdict"] == "gain" and rows.loc["first_half", "verdict"] == "gain"
    assert rows.loc["second_half", "diff"] == 0 and rows.loc["second_half", "verdict"] == ""
    # three comparisons: p of the first half (30 vs 0 discordant, 2 * 0.5^30) is multiplied by 3 / 2 (its rank)
    assert rows.loc["first_half", "q_value"] == pytest.approx(2 * 0.5 ** 30 * 3 / 2)
    order = ranked(table, "run b", "accuracy")
    assert list(order["slice"]) == ["second_half", "overall", "first_half"]  # the smallest gain first


def test_ensemble_averages_with_the_weights_and_is_compared_like_a_run():
    a, b = candidate("a", A, confidence=0.9), candidate("b", B, confidence=0.8)
    even = ensemble_candidate([a, b], [1, 1])
    # where they disagree A's class keeps (0.9 + 0.2) / 2 = 0.55: the ensemble predicts as A does
    assert list(even.heads["spam"].preds) == list(A) and even.title.endswith("· unsaved")
    np.testing.assert_allclose(even.heads["spam"].probs[0], [0.55, 0.45])
    leaning = ensemble_candidate([a, b], [1, 3])  # (0.9 + 3 * 0.2) / 4 = 0.375 for A's class: B wins
    assert list(leaning.heads["spam"].preds) == list(B) and leaning.members == (("a", 0.25), ("b", 0.75))
    table = head_table(split(), a, [b, leaning])
    assert table.loc[table["run"] == leaning.title, "value"].item() == pytest.approx(0.8)


def test_ensemble_refuses_other_examples_naming_them():
    a = candidate("a", A)
    ids = [f"e{i}" for i in range(9)] + ["e99"]
    other = candidate("b", B)
    other.heads["spam"] = PredictionSet("run b", ids, probs=other.heads["spam"].probs)
    with pytest.raises(PredictionsError, match=r"run b predicted other examples than run a for head spam: 1 "
                                               r"example\(s\) the first did not predict \('e99'\) and 1 of the "
                                               r"first's example\(s\) missing \('e9'\)"):
        ensemble_candidate([a, other], [1, 1])
    with pytest.raises(PredictionsError, match="weights"):
        ensemble_candidate([a, candidate("b", B)], [0, 0])


def test_disagreements_by_side_with_both_predictions_and_what_fired():
    L = np.full((10, 2), -1)
    L[0, 0] = 1  # lf_a votes spam on e0
    data = split(L=L)
    found = disagreements(data, candidate("a", A).heads["spam"], candidate("b", B, 0.7).heads["spam"])
    assert list(found.a_better["example_id"]) == ["e0"] and found.n == 10 and found.both_wrong == 0
    row = found.a_better.iloc[0]
    assert (row["gold"], row["A predicted"], row["B predicted"]) == ("ham", "ham", "spam")
    assert (row["A confidence"], row["B confidence"]) == (pytest.approx(0.9), pytest.approx(0.7))
    assert (row["labeling_functions"], row["slices"]) == ("lf_a=spam", "first_five")
    assert sorted(found.b_better["example_id"]) == [f"e{i}" for i in range(3, 9)]
    in_slice = disagreements(data, candidate("a", A).heads["spam"], candidate("b", B).heads["spam"], "first_five")
    assert list(in_slice.b_better["example_id"]) == ["e3", "e4"] and in_slice.n == 5
    assert GOLD.sum() == 0


def test_a_run_whose_config_lacks_its_task_fields_is_refused_naming_it(tmp_path):
    run = create_run_dir(tmp_path)
    write_config(run, {"name": "by hand", "tasks": [{"task": {"name": "RTE"}, "dataset": "RTE"}]})
    with pytest.raises(PredictionsError, match=r"task 'RTE' does not record its dataset, text_fields, metrics"):
        stored_split(run, "RTE")
