"""Per-slice metric tables and error buckets on tiny literal data with hand-checked numbers."""

import numpy as np
import pandas as pd
import pytest

from mmtl_core import metrics
from mmtl_core.errors import DataError, FunctionError, PredictionsError
from mmtl_core.slices import (IntervalSettings, PredictionSet, SplitSlices, bucket_examples, confusion_table,
                              error_buckets, slice_metrics)
from mmtl_core.tasks import GLUE_TASKS, Task

RTE = GLUE_TASKS["RTE"]
GOLD = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
PRED = [1, 0, 0, 1, 0, 1, 0, 1, 0, 1]  # rows 0 and 1 wrong: 8/10 overall
SLICES = ("head", "tail", "nothing", "single")


def frame(labels, n_extra_unlabeled=0):
    n = len(labels) + n_extra_unlabeled
    return pd.DataFrame({"example_id": [f"dev:{i}" for i in range(n)], "split": "dev",
                         "sentence1": [f"premise {i}" for i in range(n)], "sentence2": [f"hyp {i}" for i in range(n)],
                         "label": list(labels) + [-1] * n_extra_unlabeled})


def slice_matrix(n):
    S = np.zeros((n, 4), dtype=bool)
    S[:5, 0] = True  # head: rows 0-4, 3/5 right
    S[5:10, 1] = True  # tail: rows 5-9, 5/5 right
    S[0, 3] = True  # single: row 0, wrong
    return S


@pytest.fixture
def data():
    f = frame(GOLD, n_extra_unlabeled=1)  # the unlabeled row 10 is in "tail" but never scored
    S = slice_matrix(11)
    S[10, 1] = True
    L = np.full((11, 2), -1, dtype=np.int8)
    L[0] = [1, 0]
    L[2, 1] = 0
    return SplitSlices(RTE, f, S, SLICES, L=L, lf_names=("lf_long", "lf_short"), split="dev")


@pytest.fixture
def preds():
    return PredictionSet.from_labels("model", [f"dev:{i}" for i in range(11)], np.array(PRED + [0]), 2)


def test_accuracy_table_with_wilson_intervals_small_and_empty_slices(data, preds):
    table = slice_metrics(data, preds, min_n=5).set_index("slice")
    assert table.index.tolist() == ["overall", *SLICES]
    assert table["n"].tolist() == [10, 5, 5, 0, 1]
    assert (table["ci_method"] == "wilson").all() and (table["metric"] == "accuracy").all()
    assert table.loc["overall", ["value", "ci_low", "ci_high"]].astype(float).round(4).tolist() == \
        [0.8, 0.4902, 0.9433]
    assert table.loc["tail", ["value", "ci_low", "ci_high"]].astype(float).round(4).tolist() == [1.0, 0.5655, 1.0]
    assert table.loc["head", "value"] == pytest.approx(0.6)
    assert table["below_min_n"].tolist() == [False, False, False, True, True]
    empty = table.loc["nothing"]
    assert empty["note"] == "empty" and pd.isna(empty["value"]) and pd.isna(empty["ci_low"])
    assert table.loc["single", "value"] == 0.0 and table.loc["single", "note"] == ""


def test_several_prediction_sets_in_one_long_table(data, preds):
    perfect = PredictionSet.from_labels("perfect", data.example_ids, np.array(GOLD + [0]), 2)
    table = slice_metrics(data, [preds, perfect])
    assert table.groupby("predictions").size().to_dict() == {"model": 5, "perfect": 5}
    assert table.query("predictions == 'perfect' and n > 0")["value"].eq(1.0).all()


def test_posterior_intervals_contain_the_estimate_and_are_reproducible(data, preds):
    kwargs = dict(metrics=["f1", "matthews_corrcoef"], settings=IntervalSettings(n_boot=500, seed=3))
    table = slice_metrics(data, preds, **kwargs)
    again = slice_metrics(data, preds, **kwargs)
    other_seed = slice_metrics(data, preds, metrics=["f1"], settings=IntervalSettings(n_boot=500, seed=4))
    pd.testing.assert_frame_equal(table, again)
    scored = table[table["n"] >= 5]
    assert (scored["ci_method"] == "jeffreys").all()
    assert ((scored["ci_low"] <= scored["value"]) & (scored["value"] <= scored["ci_high"])).all()
    overall_f1 = table.query("slice == 'overall' and metric == 'f1'").iloc[0]
    assert overall_f1["value"] == pytest.approx(metrics.f1(np.array(GOLD), np.array(PRED)))
    assert overall_f1["ci_low"] != other_seed.query("slice == 'overall'").iloc[0]["ci_low"]


def test_an_all_right_slice_gets_an_interval_that_does_not_collapse():
    # 54 examples, every prediction right: the percentile bootstrap said F1 [1.000, 1.000], a certainty 54 examples
    # do not hold. The posterior interval reaches the estimate and leaves room below it, like Wilson's for accuracy.
    gold = np.array([0, 1] * 27)
    data = SplitSlices(GLUE_TASKS["MRPC"], frame(gold), np.ones((54, 1), bool), ("all",))
    table = slice_metrics(data, PredictionSet.from_labels("perfect", data.example_ids, gold, 2),
                          metrics=["f1", "accuracy", "matthews_corrcoef"]).query("slice == 'all'").set_index("metric")
    assert (table["value"] == 1.0).all() and (table["ci_high"] == 1.0).all()
    assert 0.9 < table.loc["f1", "ci_low"] < 0.96
    assert table.loc["f1", "ci_low"] == pytest.approx(table.loc["accuracy", "ci_low"], abs=0.02)  # ~ Wilson's
    assert 0.8 < table.loc["matthews_corrcoef", "ci_low"] < 0.95
    # All wrong is the other boundary: the interval reaches 0 and leaves room above it.
    wrong = slice_metrics(data, PredictionSet.from_labels("wrong", data.example_ids, 1 - gold, 2), metrics=["f1"])
    row = wrong.query("slice == 'all'").iloc[0]
    assert row["value"] == 0.0 and row["ci_low"] == 0.0 and 0.02 < row["ci_high"] < 0.1


def test_an_undefined_metric_has_no_interval():
    gold = np.zeros(5, dtype=int)  # no positive example: F1 of class 1 is undefined, whatever is predicted
    data = SplitSlices(GLUE_TASKS["MRPC"], frame(gold), np.ones((5, 1), bool), ("hams",))
    row = slice_metrics(data, PredictionSet.from_labels("p", data.example_ids, gold, 2),
                        metrics=["f1"]).query("slice == 'hams'").iloc[0]
    assert pd.isna(row["value"]) and pd.isna(row["ci_low"]) and row["note"] == "undefined on this slice"


def test_slice_interval_does_not_depend_on_the_other_slices(data, preds):
    alone = SplitSlices(RTE, data.frame, data.S[:, :1], ("head",))
    settings = IntervalSettings(n_boot=300)
    a = slice_metrics(alone, preds, metrics=["f1"], settings=settings).query("slice == 'head'")
    b = slice_metrics(data, preds, metrics=["f1"], settings=settings).query("slice == 'head'")
    assert a[["ci_low", "ci_high"]].to_numpy().tolist() == b[["ci_low", "ci_high"]].to_numpy().tolist()


def test_the_same_rows_with_other_slices_score_as_a_split_built_anew(data, preds):
    gold = data.gold  # computed before, so the new split takes it as it is
    kept = data.with_slices(data.S[:, ::-1], SLICES[::-1])
    assert kept.gold is gold and kept.ids_digest == data.ids_digest and kept.L is data.L
    anew = SplitSlices(RTE, data.frame, data.S[:, ::-1], SLICES[::-1], L=data.L, lf_names=data.lf_names,
                       split="dev")
    pd.testing.assert_frame_equal(slice_metrics(kept, preds), slice_metrics(anew, preds))
    assert data.with_slices(data.S[:, :1], SLICES[:1], votes=False).L is None


def test_three_classes_with_abstentions():
    task = Task("nli3", "toy", ("sentence1", "sentence2"), cardinality=3,
                metrics=("macro_f1", "accuracy", "matthews_corrcoef"), label_names=("e", "n", "c"))
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 120)
    pred = np.where(rng.random(120) < 0.7, gold, rng.integers(-1, 3, 120))
    data = SplitSlices(task, frame(gold), (gold == 2)[:, None], ("contradictions",))
    table = slice_metrics(data, PredictionSet.from_labels("p", data.example_ids, pred, 3))
    overall = table[table["slice"] == "overall"].set_index("metric")["value"]
    for name in task.metrics:
        assert overall[name] == pytest.approx(metrics.get_metric(name)(gold, pred))
    assert table.set_index(["slice", "metric"]).loc[("contradictions", "accuracy"), "n"] == (gold == 2).sum()


def test_regression_table_and_buckets():
    gold = np.array([0.0, 1.2, 2.5, 3.1, 4.5, 5.0, 0.5, 2.0, 3.9, 4.8] * 4)
    scores = gold + np.tile([0.3, -0.4, 0.2, 0.9, -3.5, 2.0, 0.1, -0.2, 0.3, 0.0], 4)
    data = SplitSlices(GLUE_TASKS["STSB"], frame(gold), np.column_stack([gold > 2, gold == 5]), ("high", "fives"))
    ps = PredictionSet.from_scores("reg", data.example_ids, scores)
    table = slice_metrics(data, ps, settings=IntervalSettings(n_boot=300))
    row = table.query("slice == 'overall' and metric == 'pearson'").iloc[0]
    assert row["value"] == pytest.approx(metrics.pearson(gold, scores))
    assert row["ci_low"] <= row["value"] <= row["ci_high"] and row["ci_method"] == "bootstrap"
    fives = table[table["slice"] == "fives"]  # constant gold: no correlation to speak of
    assert (fives["n"] == 4).all() and (fives["note"] == "undefined on this slice").all()
    assert fives["value"].isna().all() and fives["ci_low"].isna().all()
    cm = confusion_table(data, ps)
    assert cm.index.tolist() == ["[0.00, 1.00)", "[1.00, 2.00)", "[2.00, 3.00)", "[3.00, 4.00)", "[4.00, 5.00]"]
    assert cm.to_numpy().sum() == 40
    # 4.5 predicted 1.0 lands in [1, 2); 5.0 predicted 7.0 (past the range) in the last bin.
    assert cm.loc["[4.00, 5.00]", "[1.00, 2.00)"] == 4 and cm.loc["[4.00, 5.00]", "[4.00, 5.00]"] == 8
    cell = bucket_examples(data, ps, "[4.00, 5.00]", 1)
    assert cell["gold"].tolist() == [4.5] * 4 and cell["predicted"].tolist() == [1.0] * 4
    assert cell["confidence"].isna().all()


def test_confusion_table_and_long_buckets(data, preds):
    cm = confusion_table(data, preds)
    assert cm.index.name == "gold" and cm.columns.name == "predicted"
    assert cm.loc["entailment"].tolist() == [4, 1] and cm.loc["not_entailment"].tolist() == [1, 4]
    long = error_buckets(data, preds)
    assert long.groupby("slice")["count"].sum().to_dict() == {"overall": 10, "head": 5, "tail": 5, "nothing": 0,
                                                              "single": 1}
    assert set(long.columns) == {"slice", "gold", "predicted", "count", "correct"}


def test_abstentions_get_their_own_column(data):
    ps = PredictionSet.from_labels("mv", data.example_ids, np.array([-1, 1, 0, -1, 0, 1, 0, 1, 0, 1, 0]), 2)
    cm = confusion_table(data, ps)
    assert cm.columns.tolist() == ["entailment", "not_entailment", "abstained"]
    assert cm["abstained"].tolist() == [1, 1]
    assert bucket_examples(data, ps, 0, "abstained")["example_id"].tolist() == ["dev:0"]


def test_bucket_examples_show_text_and_the_functions_that_fired(data, preds):
    cell = bucket_examples(data, preds, "entailment", "not_entailment")
    assert cell.to_dict("records") == [{
        "example_id": "dev:0", "sentence1": "premise 0", "sentence2": "hyp 0", "gold": "entailment",
        "predicted": "not_entailment", "confidence": 1.0,
        "labeling_functions": "lf_long=not_entailment, lf_short=entailment", "slices": "head, single"}]
    in_tail = bucket_examples(data, preds, 1, 1, slice_name="tail")
    assert in_tail["example_id"].tolist() == ["dev:5", "dev:7", "dev:9"]
    assert in_tail["labeling_functions"].tolist() == ["", "", ""]
    with pytest.raises(ValueError, match=r"no gold bucket 'maybe'; buckets: \['entailment', 'not_entailment'\]"):
        bucket_examples(data, preds, "maybe", 0)
    with pytest.raises(FunctionError, match=r"no slice named 'tial'; slices: overall, head, tail"):
        bucket_examples(data, preds, 0, 0, slice_name="tial")


def test_mismatched_inputs_raise_errors_that_say_what_is_wrong(data, preds):
    three = PredictionSet.from_probs("three", data.example_ids, np.full((11, 3), 1 / 3))
    with pytest.raises(PredictionsError, match=r"wrong number of classes for task 'RTE': found 3 classes, expected 2"):
        slice_metrics(data, three)
    other = PredictionSet.from_labels("other", [f"x:{i}" for i in range(11)], np.zeros(11, int), 2)
    with pytest.raises(PredictionsError, match=r"11 example id\(s\) are not in this split"):
        slice_metrics(data, other)
    with pytest.raises(DataError, match=r"slice matrix of shape \(11, 3\) does not fit 11 rows and 4 slice names"):
        SplitSlices(RTE, data.frame, data.S[:, :3], SLICES)
    with pytest.raises(FunctionError, match="two slicing functions are named 'head'"):
        SplitSlices(RTE, data.frame, data.S[:, :2], ("head", "head"))
    with pytest.raises(FunctionError, match="may not be named 'overall'"):
        SplitSlices(RTE, data.frame, data.S[:, :1], ("overall",))
