"""WRENCH benchmark datasets: ``{train,valid,test}.json`` (``id -> {data, label, weak_labels}``) and ``label.json``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset, make_example_ids
from mmtl_core.data.textfile import read_text, require_folder
from mmtl_core.errors import DataError

#: WRENCH file stem -> our split name.
WRENCH_SPLITS = {"train": "train", "valid": "dev", "test": "test"}


def _read_json(path: Path) -> object:
    try:
        return json.loads(read_text(path, "JSON"))
    except json.JSONDecodeError as e:
        raise DataError(f"{path}, line {e.lineno}: not valid JSON ({e.msg})") from e


def _label_names(folder: Path) -> tuple[str, ...]:
    path = folder / "label.json"
    if not path.exists():
        return ()
    names = _read_json(path)
    if not isinstance(names, dict) or sorted(names, key=str) != [str(i) for i in range(len(names))]:
        raise DataError(f"{path}: expected an object mapping class ids 0..K-1 to names, like "
                        '{"0": "HAM", "1": "SPAM"}')
    return tuple(str(names[str(i)]) for i in range(len(names)))


def _lf_names(folder: Path, m: int) -> tuple[str, ...]:
    """The LF names WRENCH's readme lists ("Labeling functions list:"), when they match the matrix width."""
    readme = folder / "readme.txt"
    if readme.exists():
        text = readme.read_text(encoding="utf-8", errors="replace")
        m_list = re.search(r"Labeling functions list:\s*\n((?:[ \t]*\w+,?[ \t]*\n?)+)", text)
        if m_list:
            names = tuple(n.strip() for n in m_list[1].replace(",", "\n").split() if n.strip())
            if len(names) == m and len(set(names)) == m:
                return names
    return tuple(f"lf_{j}" for j in range(m))


def _read_split(path: Path, split: str, prefix: str) -> tuple[pd.DataFrame, list[list[int]]]:
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a JSON object mapping example ids to "
                        '{"data": {...}, "label": ..., "weak_labels": [...]}')
    if not raw:
        raise DataError(f"{path} holds no examples")
    rows, weak = [], []
    for key, ex in raw.items():
        if not isinstance(ex, dict) or not isinstance(ex.get("data"), dict) or "label" not in ex:
            raise DataError(f"{path}: example {key!r} lacks \"data\" (an object) or \"label\"")
        rows.append({**ex["data"], "label": ex["label"]})
        lfs = ex.get("weak_labels", [])
        if not isinstance(lfs, list) or not all(isinstance(v, int) for v in lfs):
            raise DataError(f"{path}: example {key!r}: weak_labels must be a list of integers, not {lfs!r}")
        weak.append(lfs)
    frame = pd.DataFrame.from_records(rows)
    if "text" not in frame.columns:
        raise DataError(f"{path}: examples have no data.text; the data fields found are "
                        f"{', '.join(c for c in frame.columns if c != 'label')}")
    frame.insert(0, "example_id", make_example_ids(prefix, pd.Series(list(raw)), len(frame)))
    frame.insert(1, "split", split)
    return frame, weak


def load_wrench(folder: Path, name: str | None = None) -> Dataset:
    """Load a WRENCH dataset folder; ``weak_labels`` becomes the int8 label matrix aligned with the rows."""
    folder = require_folder(folder, "a WRENCH dataset folder (train.json, valid.json, test.json, label.json)")
    name = name or folder.name
    label_names = _label_names(folder)
    frames, weak, sources = [], [], []
    for stem, split in WRENCH_SPLITS.items():
        path = folder / f"{stem}.json"
        if path.exists():
            frame, w = _read_split(path, split, f"{name}/{split}")
            frames.append(frame)
            weak += w
            sources += [path] * len(frame)
    if not frames:
        raise DataError(f"{folder} holds no WRENCH files (none of train.json, valid.json, test.json)")
    frame = pd.concat(frames, ignore_index=True)
    widths = {len(w) for w in weak}
    if len(widths) > 1:
        i = next(i for i, w in enumerate(weak) if len(w) != len(weak[0]))
        raise DataError(f"{sources[i]}: example {frame.example_id[i]!r} has {len(weak[i])} weak labels, "
                        f"the first example has {len(weak[0])}")
    L = np.asarray(weak, dtype=np.int64).reshape(len(frame), widths.pop())
    label = pd.to_numeric(frame["label"], errors="coerce")
    k = len(label_names) or int(max(L.max(initial=0), label.max(skipna=True) if label.notna().any() else 0) + 1)
    for what, bad in (("weak label", (L < -1) | (L >= k)), ("label", ~label.isin(range(-1, k)).to_numpy())):
        rows = np.flatnonzero(bad.any(axis=1) if bad.ndim == 2 else bad)
        if len(rows):
            i = int(rows[0])
            values = sorted({str(v) for v in (L[bad] if bad.ndim == 2 else frame["label"].to_numpy()[bad])})
            examples = ", ".join(repr(e) for e in frame.example_id.iloc[rows[:3]])
            raise DataError(f"{sources[i]}: {len(rows)} example(s) have a {what} outside -1..{k - 1} "
                            f"(classes: {', '.join(label_names) or k}): values {', '.join(map(str, values[:8]))} "
                            f"in {examples}{' ...' if len(rows) > 3 else ''}")
    frame["label"] = label.astype(np.int64)
    has_weak = L.shape[1] > 0
    return Dataset(name, frame, label_names=label_names or tuple(str(i) for i in range(k)),
                   weak_labels=L.astype(np.int8) if has_weak else None,
                   weak_label_names=_lf_names(folder, L.shape[1]) if has_weak else (),
                   source=f"wrench:{folder}")
