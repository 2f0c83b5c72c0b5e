"""WRENCH JSON folders: splits, the weak label matrix aligned with rows, and broken files."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mmtl_core.data import load_wrench
from mmtl_core.errors import DataError


def example(text: str, label: int, weak: list[int]) -> dict:
    return {"data": {"text": text}, "label": label, "weak_labels": weak}


@pytest.fixture
def wrench(tmp_path: Path) -> Path:
    folder = tmp_path / "spam"
    folder.mkdir()
    (folder / "label.json").write_text(json.dumps({"0": "HAM", "1": "SPAM"}))
    splits = {
        "train": {"0": example("buy", 1, [1, -1, 1]), "1": example("song", 0, [-1, 0, -1])},
        "valid": {"0": example("sub", 1, [1, 1, -1])},
        "test": {"5": example("nice", 0, [0, -1, -1])},
    }
    for name, content in splits.items():
        (folder / f"{name}.json").write_text(json.dumps(content, indent=4))
    return folder


def test_splits_labels_and_weak_labels_align_with_rows(wrench):
    ds = load_wrench(wrench)
    assert ds.name == "spam"
    assert ds.frame["split"].tolist() == ["train", "train", "dev", "test"]  # valid -> dev
    assert ds.frame["example_id"].tolist() == ["spam/train:0", "spam/train:1", "spam/dev:0", "spam/test:5"]
    assert ds.frame["text"].tolist() == ["buy", "song", "sub", "nice"]
    assert ds.frame["label"].tolist() == [1, 0, 1, 0]
    assert ds.label_names == ("HAM", "SPAM")
    assert ds.weak_labels.dtype == np.int8
    np.testing.assert_array_equal(ds.weak_labels, [[1, -1, 1], [-1, 0, -1], [1, 1, -1], [0, -1, -1]])
    assert ds.weak_label_names == ("lf_0", "lf_1", "lf_2")


def test_fingerprint_covers_weak_labels(wrench):
    before = load_wrench(wrench).fingerprint
    path = wrench / "test.json"
    path.write_text(path.read_text().replace("-1,\n", "1,\n", 1))
    assert load_wrench(wrench).fingerprint != before


def test_weak_label_outside_classes(wrench):
    (wrench / "test.json").write_text(json.dumps({"5": example("nice", 0, [0, 2, -1])}))
    with pytest.raises(DataError, match=r"test.json: 1 example\(s\) have a weak label outside -1..1 "
                                        r"\(classes: HAM, SPAM\): values 2 in 'spam/test:5'"):
        load_wrench(wrench)


def test_ragged_weak_labels_and_bad_json(wrench):
    (wrench / "valid.json").write_text(json.dumps({"0": example("sub", 1, [1, 1])}))
    with pytest.raises(DataError, match=r"valid.json: example 'spam/dev:0' has 2 weak labels, the first example has 3"):
        load_wrench(wrench)
    (wrench / "valid.json").write_text('{\n  "0": {"data": {"text": "x"},\n  "label": 1,,\n}')
    with pytest.raises(DataError, match=r"valid.json, line 3: not valid JSON"):
        load_wrench(wrench)


def test_missing_text_and_empty_folder(wrench, tmp_path):
    (wrench / "test.json").write_text(json.dumps({"5": {"data": {"sentence": "x"}, "label": 0, "weak_labels": []}}))
    with pytest.raises(DataError, match=r"test.json: examples have no data.text; the data fields found are sentence"):
        load_wrench(wrench)
    (wrench / "test.json").write_text("{}")
    with pytest.raises(DataError, match=r"test.json holds no examples"):
        load_wrench(wrench)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty holds no WRENCH files"):
        load_wrench(tmp_path / "empty")
    with pytest.raises(DataError, match="nowhere does not exist; expected a WRENCH dataset folder"):
        load_wrench(tmp_path / "nowhere")


def test_real_wrench_youtube(shared_data):
    folder = shared_data / "wrench" / "youtube"
    ds = load_wrench(folder)
    assert [len(ds.split(s)) for s in ("train", "dev", "test")] == [1586, 120, 250]
    assert ds.weak_labels.shape == (1956, 10)
    assert ds.weak_label_names[0] == "keyword_my" and ds.weak_label_names[-1] == "textblob_subjectivity"
    assert ds.frame["example_id"].is_unique
    raw = json.loads((folder / "valid.json").read_text())
    row = int(np.flatnonzero(ds.frame["example_id"] == "youtube/dev:7")[0])
    assert ds.weak_labels[row].tolist() == raw["7"]["weak_labels"]
    assert ds.frame["text"].iloc[row] == raw["7"]["data"]["text"]
