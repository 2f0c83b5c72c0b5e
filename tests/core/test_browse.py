import pandas as pd

from mmtl_core.browse import describe_datasets, label_counts, matching
from mmtl_core.data.dataset import Dataset


def _ds():
    frame = pd.DataFrame({"example_id": ["a", "b", "c", "d"], "split": ["train", "train", "dev", "test"],
                          "text": ["Check out MY channel", "nice song", "subscribe to my channel", "love it"],
                          "label": [1, 0, 1, -1]})
    return Dataset("yt", frame)


def _ids(mask):
    return list(_ds().frame[mask]["example_id"])


def test_search_is_case_insensitive_and_combines_with_filters():
    assert _ids(matching(_ds(), query="my CHANNEL")) == ["a", "c"]
    assert _ids(matching(_ds(), query="channel", splits=["dev"])) == ["c"]
    assert _ids(matching(_ds(), labels=[0, -1])) == ["b", "d"]
    assert matching(_ds()).all()


def test_overview_counts_rows_per_split():
    row = describe_datasets([_ds()]).iloc[0]
    assert (row["rows"], row["train"], row["dev"], row["test"]) == (4, 2, 1, 1)
    assert row["columns"] == "text, label"


def test_label_counts_name_classes_and_unlabeled_rows():
    ds = Dataset("yt", _ds().frame, label_names=("ham", "spam"))
    counts = label_counts(ds)
    assert counts.to_dict("records") == [
        {"split": "train", "label": "ham", "rows": 1}, {"split": "train", "label": "spam", "rows": 1},
        {"split": "dev", "label": "spam", "rows": 1}, {"split": "test", "label": "unlabeled", "rows": 1}]


def test_label_counts_follow_the_filter():
    ds = Dataset("yt", _ds().frame, label_names=("ham", "spam"))
    counts = label_counts(ds, rows=matching(ds, query="channel"))
    assert counts.to_dict("records") == [{"split": "train", "label": "spam", "rows": 1},
                                         {"split": "dev", "label": "spam", "rows": 1}]
