"""The split maker: exact sizes, stratified by label, seeded and independent of row order; unlabeled rows train."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data import Dataset, DatasetSpec, SplitPlan, assign_splits, load_dataset, with_splits
from mmtl_core.data.splits import apportion
from mmtl_core.errors import DataError


def frame(labels, prefix="r") -> pd.DataFrame:
    return pd.DataFrame({"example_id": [f"{prefix}{i}" for i in range(len(labels))], "split": "train",
                         "text": "t", "label": labels})


# 700 of class 0, 250 of class 1, 50 of class 2, and 40 unlabeled rows
LABELS = np.array([0] * 700 + [1] * 250 + [2] * 50 + [-1] * 40)


def sizes(split, labels=LABELS) -> dict:
    return pd.crosstab(split, labels).to_dict()


def test_fractions_give_exact_stratified_sizes_and_unlabeled_rows_train():
    split = assign_splits(frame(LABELS), SplitPlan(dev=0.1, test=0.2, seed=1))
    counts = pd.Series(split).value_counts().to_dict()
    assert counts == {"train": 740, "dev": 100, "test": 200}  # 1000 labeled rows: 70% / 10% / 20%, +40 unlabeled
    by_class = sizes(split)
    assert by_class[0] == {"train": 490, "dev": 70, "test": 140}
    assert by_class[1] == {"train": 175, "dev": 25, "test": 50}
    assert by_class[2] == {"train": 35, "dev": 5, "test": 10}
    assert by_class[-1] == {"train": 40, "dev": 0, "test": 0}


def test_counts_and_rounding_always_add_up():
    labels = np.array([0] * 7 + [1] * 5 + [2] * 1)
    split = assign_splits(frame(labels), SplitPlan(dev=3, test=4, counts=True))
    assert pd.Series(split).value_counts().to_dict() == {"train": 6, "test": 4, "dev": 3}
    for dev, test in [(0.15, 0.15), (0.333, 0.333), (0.01, 0.0)]:
        split = assign_splits(frame(labels), SplitPlan(dev=dev, test=test))
        train, d, t = apportion(13, np.array([1 - dev - test, dev, test]))
        assert (split == "dev").sum() == d and (split == "test").sum() == t and (split == "train").sum() == train
    assert apportion(10, np.array([1, 1, 1])).tolist() == [4, 3, 3]


def test_seeded_stable_under_reordering_and_different_across_seeds():
    plan = SplitPlan(dev=0.1, test=0.1, seed=7)
    a = frame(LABELS)
    first = dict(zip(a["example_id"], assign_splits(a, plan)))
    shuffled = a.sample(frac=1.0, random_state=3)
    assert dict(zip(shuffled["example_id"], assign_splits(shuffled, plan))) == first
    other = dict(zip(a["example_id"], assign_splits(a, SplitPlan(dev=0.1, test=0.1, seed=8))))
    assert other != first and sum(first[k] != other[k] for k in first) > 100


def test_unstratified_and_regression_labels():
    skewed = np.array([0] * 90 + [1] * 10)
    split = assign_splits(frame(skewed), SplitPlan(dev=0.5, test=0.0, stratify=False, seed=0))
    assert (split == "dev").sum() == 50  # the total is exact; the classes fall as they may
    scores = frame(np.r_[np.linspace(0, 5, 20), [np.nan] * 5])
    split = assign_splits(scores, SplitPlan(dev=0.25, test=0.25))
    assert pd.Series(split[:20]).value_counts().to_dict() == {"train": 10, "dev": 5, "test": 5}
    assert (split[20:] == "train").all()


def test_impossible_plans_name_the_problem():
    with pytest.raises(DataError, match=r"dev \(0.5\) and test \(0.5\) fractions must leave some rows for train"):
        SplitPlan(dev=0.5, test=0.5)
    with pytest.raises(DataError, match=r"dev \(10\) and test \(5\) ask for 15 rows, but only 13 rows have a gold"):
        assign_splits(frame(np.array([0] * 13 + [-1] * 4)), SplitPlan(dev=10, test=5, counts=True))
    with pytest.raises(DataError, match="must be a whole number of rows, got 2.5"):
        SplitPlan(dev=2.5, counts=True)
    with pytest.raises(DataError, match="no row has a gold label"):
        assign_splits(frame(np.array([-1, -1])), SplitPlan())
    with pytest.raises(DataError, match="splits: no setting 'valid'; the settings are counts, dev, seed, "):
        SplitPlan.from_options({"valid": 0.1})


def test_splits_are_saved_in_the_spec_and_reload_the_same(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"text": [f"text {i}" for i in range(50)], "y": ["a", "b"] * 25}).to_csv(path, index=False)
    spec = DatasetSpec("t", "table", path, {"text_fields": ["text"], "label_field": "y",
                                            "splits": SplitPlan(dev=0.2, test=0.2, seed=3).to_options()})
    first, again = load_dataset(spec), load_dataset(DatasetSpec(**{**spec.__dict__}))
    assert first.frame["split"].value_counts().to_dict() == {"train": 30, "dev": 10, "test": 10}
    assert first.frame["split"].tolist() == again.frame["split"].tolist()
    assert "splits made: 20% dev and 20% test of the labeled rows, seed 3, stratified by label" in first.notes
    with pytest.raises(DataError, match=r"dataset 't': option 'splits': .*must leave some rows for train"):
        DatasetSpec("t", "table", path, {"text_fields": ["text"], "splits": {"dev": 0.9, "test": 0.1}})


def test_new_splits_replace_a_sources_own(shared_data):
    from mmtl_core.data import load_youtube_spam

    ds = with_splits(load_youtube_spam(shared_data / "youtube_spam"), SplitPlan(dev=200, test=300, counts=True))
    assert ds.frame["split"].value_counts().to_dict() == {"train": 1456, "test": 300, "dev": 200}
    assert isinstance(ds, Dataset) and ds.fingerprint != load_youtube_spam(shared_data / "youtube_spam").fingerprint
