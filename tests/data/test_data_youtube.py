"""The YouTube spam collection: video split, a stable dev split, and the real files' sizes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mmtl_core.data import load_youtube_spam
from mmtl_core.errors import DataError


def write_video(folder: Path, name: str, n: int, start: int = 0, order: slice = slice(None)) -> None:
    frame = pd.DataFrame({
        "COMMENT_ID": [f"{name}{i}" for i in range(start, start + n)],
        "AUTHOR": [f"user{i}" for i in range(n)],
        "DATE": ["2014-01-01T00:00:00"] * (n - 1) + [""],
        "CONTENT": [f"comment {i} on {name}" for i in range(n)],
        "CLASS": [i % 2 for i in range(n)],
    }).iloc[order]
    frame.to_csv(folder / f"Youtube0{len(list(folder.glob('*.csv'))) + 1}-{name}.csv", index=False)


@pytest.fixture
def spam(tmp_path: Path) -> Path:
    folder = tmp_path / "yt"
    folder.mkdir()
    for name in ("Psy", "Katy", "Shakira"):
        write_video(folder, name, 10)
    return folder


def test_columns_splits_and_ids(spam):
    ds = load_youtube_spam(spam, dev_size=4)
    assert list(ds.frame.columns) == ["example_id", "split", "text", "label", "author", "date", "video",
                                      "comment_id"]
    assert ds.label_names == ("ham", "spam")
    sizes = ds.frame.groupby(["video", "split"]).size().to_dict()
    assert sizes == {("Katy", "train"): 10, ("Psy", "train"): 10, ("Shakira", "dev"): 4, ("Shakira", "test"): 6}
    assert ds.frame["example_id"].iloc[0] == "youtube:Psy0"
    assert ds.frame["date"].iloc[9] == ""


def test_dev_rows_are_stable_when_file_order_changes(spam, tmp_path):
    dev = set(load_youtube_spam(spam, dev_size=4).split("dev")["example_id"])
    shuffled = tmp_path / "yt2"
    shuffled.mkdir()
    for name in ("Psy", "Katy", "Shakira"):
        write_video(shuffled, name, 10, order=slice(None, None, -1))
    assert set(load_youtube_spam(shuffled, dev_size=4).split("dev")["example_id"]) == dev


def test_test_videos_option_and_errors(spam):
    ds = load_youtube_spam(spam, test_videos=("Psy", "Katy"), dev_size=0)
    assert set(ds.split("test")["video"]) == {"Psy", "Katy"} and "dev" not in ds.splits
    with pytest.raises(DataError, match="no video 'Eminem' in .*; the videos found are Psy, Katy, Shakira"):
        load_youtube_spam(spam, test_videos=("Eminem",))
    with pytest.raises(DataError, match=r"dev_size=11 but the test video\(s\) Shakira have only 10 comments"):
        load_youtube_spam(spam, dev_size=11)


def test_bad_files(spam, tmp_path):
    with pytest.raises(DataError, match=r"holds no YouTube CSVs \(Youtube\*-\*.csv\).*; it holds yt/"):
        load_youtube_spam(tmp_path)
    with pytest.raises(DataError, match=r"nowhere does not exist; expected the UCI YouTube Spam Collection"):
        load_youtube_spam(tmp_path / "nowhere")
    with pytest.raises(DataError, match=r"Youtube02-Katy.csv is a file, not a folder"):
        load_youtube_spam(spam / "Youtube02-Katy.csv")
    path = spam / "Youtube02-Katy.csv"
    path.write_text(path.read_text().replace("CONTENT", "TEXT"))
    with pytest.raises(DataError, match=r"Youtube02-Katy.csv: no column 'CONTENT'; the columns found are "
                                        r"COMMENT_ID, AUTHOR, DATE, TEXT, CLASS"):
        load_youtube_spam(spam)
    path.write_text("COMMENT_ID,AUTHOR,DATE,CONTENT,CLASS\nk1,a,d,hi,0\nk2,a,d,buy,2\n")
    with pytest.raises(DataError, match=r"Youtube02-Katy.csv, column 'CLASS': 1 row\(s\) have labels outside "
                                        r"the classes \['ham', 'spam'\]: '2' \(line 3\)"):
        load_youtube_spam(spam)


def test_real_collection_reproduces_wrench_sizes(shared_data):
    ds = load_youtube_spam(shared_data / "youtube_spam")
    assert [len(ds.split(s)) for s in ("train", "dev", "test")] == [1586, 120, 250]
    assert set(ds.split("train")["video"]) == {"Psy", "KatyPerry", "LMFAO", "Eminem"}
    assert set(ds.split("dev")["video"]) == set(ds.split("test")["video"]) == {"Shakira"}
    assert ds.frame["example_id"].is_unique and ds.frame["example_id"].str.startswith("youtube:").all()
    assert ds.frame["label"].isin([0, 1]).all()
    again = load_youtube_spam(shared_data / "youtube_spam")
    assert again.fingerprint == ds.fingerprint
    assert again.split("dev")["example_id"].tolist() == ds.split("dev")["example_id"].tolist()
