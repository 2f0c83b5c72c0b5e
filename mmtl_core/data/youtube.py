"""The UCI YouTube Spam Collection: one CSV per video (COMMENT_ID, AUTHOR, DATE, CONTENT, CLASS; 1 = spam).

As in Snorkel's spam tutorial, four videos train and the fifth (Shakira) is held out. Like Snorkel and WRENCH,
``dev_size`` of the held-out video's comments become the dev split, so dev and test come from the same video:
with the defaults this gives the sizes of WRENCH's split (1586 / 120 / 250), though not its rows: only 177 of
WRENCH's 250 test rows are in this test split (its published numbers are on its own files, ``wrench/youtube``).
Dev rows are the ones whose example id hashes lowest, so the choice is stable across loads and machines and does
not depend on file order.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset, make_example_ids
from mmtl_core.data.labels import encode_labels
from mmtl_core.data.locate import Locator
from mmtl_core.data.tablefile import read_table_file
from mmtl_core.data.textfile import require_folder
from mmtl_core.errors import DataError

YOUTUBE_COLUMNS = ("COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS")
YOUTUBE_LABEL_NAMES = ("ham", "spam")
YOUTUBE_FILE_PATTERN = "Youtube*-*.csv"


def youtube_videos(folder: Path) -> dict[str, Path]:
    """Video name (``'Psy'``) -> its CSV, in file-name order."""
    files = sorted(Path(folder).glob(YOUTUBE_FILE_PATTERN))
    return {f.stem.split("-", 1)[1]: f for f in files}


def _read_video(path: Path, video: str) -> pd.DataFrame:
    raw = read_table_file(path)
    missing = [c for c in YOUTUBE_COLUMNS if c not in raw.columns]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r}; the columns found are {', '.join(map(str, raw.columns))}"
                        f" (expected {', '.join(YOUTUBE_COLUMNS)})")
    label, _ = encode_labels(raw["CLASS"], Locator.of(raw, path), "CLASS", YOUTUBE_LABEL_NAMES)
    return pd.DataFrame({"text": raw["CONTENT"].to_numpy(), "label": label, "author": raw["AUTHOR"].to_numpy(),
                         "date": raw["DATE"].to_numpy(), "video": video, "comment_id": raw["COMMENT_ID"].to_numpy()})


def _stable_rank(ids: pd.Series) -> np.ndarray:
    """Order of ``ids`` by a hash of each id: a fixed pseudo-random order that does not depend on row order."""
    digests = [hashlib.sha256(i.encode()).hexdigest() for i in ids]
    return np.argsort(np.array(digests), kind="stable")


def load_youtube_spam(folder: Path, test_videos: tuple[str, ...] = ("Shakira",), dev_size: int = 120,
                      name: str = "youtube_spam") -> Dataset:
    """Load the five (or however many are present) ``Youtube0N-<Video>.csv`` files of ``folder``."""
    expected = "the UCI YouTube Spam Collection's folder (Youtube01-Psy.csv ... Youtube05-Shakira.csv)"
    folder = require_folder(folder, expected)
    videos = youtube_videos(folder)
    if not videos:
        found = sorted(p.name + ("/" if p.is_dir() else "") for p in folder.iterdir() if not p.name.startswith("."))
        raise DataError(f"{folder} holds no YouTube CSVs ({YOUTUBE_FILE_PATTERN}); expected {expected}; it holds "
                        f"{', '.join(found[:10]) or 'nothing'}" + (f" and {len(found) - 10} more" if len(found) > 10
                                                                    else ""))
    test_videos = tuple(test_videos)
    unknown = [v for v in test_videos if v not in videos]
    if unknown:
        raise DataError(f"no video {unknown[0]!r} in {folder}; the videos found are {', '.join(videos)}")
    frame = pd.concat([_read_video(p, v) for v, p in videos.items()], ignore_index=True)
    frame = frame.fillna({"author": "", "date": ""})
    frame.insert(0, "example_id", make_example_ids("youtube", frame["comment_id"], len(frame)))
    held_out = frame["video"].isin(test_videos).to_numpy()
    split = np.where(held_out, "test", "train").astype(object)
    candidates = np.flatnonzero(held_out)
    if not 0 <= dev_size <= len(candidates):
        raise DataError(f"dev_size={dev_size} but the test video(s) {', '.join(test_videos)} have only "
                        f"{len(candidates)} comments")
    dev = candidates[_stable_rank(frame["example_id"].iloc[candidates])[:dev_size]]
    split[dev] = "dev"
    frame.insert(1, "split", split)
    return Dataset(name, frame, label_names=YOUTUBE_LABEL_NAMES, source=f"youtube_spam:{folder}")
