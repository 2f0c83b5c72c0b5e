import pandas as pd

from mmtl_core.browse import browse, describe_datasets
from mmtl_core.data.dataset import Dataset


def _ds():
    frame = pd.DataFrame({"example_id": ["a", "b", "c", "d"], "split": ["train", "train", "dev", "test"],
                          "text": ["Check out MY channel", "nice song", "subscribe to my channel", "love it"],
                          "label": [1, 0, 1, -1]})
    return Dataset("yt", frame)


def test_search_is_case_insensitive_and_combines_with_filters():
    rows, total = browse(_ds(), query="my CHANNEL")
    assert list(rows["example_id"]) == ["a", "c"] and total == 2
    rows, total = browse(_ds(), query="channel", splits=["dev"])
    assert list(rows["example_id"]) == ["c"]
    rows, total = browse(_ds(), labels=[0, -1])
    assert list(rows["example_id"]) == ["b", "d"]


def test_limit_still_reports_the_full_count():
    rows, total = browse(_ds(), limit=1)
    assert len(rows) == 1 and total == 4


def test_overview_counts_rows_per_split():
    row = describe_datasets([_ds()]).iloc[0]
    assert (row["rows"], row["train"], row["dev"], row["test"]) == (4, 2, 1, 1)
    assert row["columns"] == "text, label"


def test_label_counts_name_classes_and_unlabeled_rows():
    from mmtl_core.browse import label_counts

    ds = Dataset("yt", _ds().frame, label_names=("ham", "spam"))
    counts = label_counts(ds)
    assert counts.to_dict("records") == [
        {"split": "train", "label": "ham", "rows": 1}, {"split": "train", "label": "spam", "rows": 1},
        {"split": "dev", "label": "spam", "rows": 1}, {"split": "test", "label": "unlabeled", "rows": 1}]
