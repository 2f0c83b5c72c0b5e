"""GLUE tasks from a folder in the layout of GLUE's own download script (``glue_data/<TASK>/{train,dev,test}.tsv``).

The files are tab-separated with no quoting at all (a ``"`` is an ordinary character, as ``csv.QUOTE_NONE`` reads
it), so each line is split on tabs. Frames use Hugging Face's GLUE column names and class ids in the order of
``mmtl_core.tasks.GLUE_TASKS[...].label_names``; test rows, which GLUE leaves unlabeled, get -1 (NaN for STS-B).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import SPLITS, Dataset, make_example_ids
from mmtl_core.data.labels import encode_labels, encode_scores
from mmtl_core.data.locate import Locator
from mmtl_core.data.textfile import read_text, require_folder
from mmtl_core.errors import DataError


@dataclass(frozen=True)
class GlueFormat:
    """How one GLUE task's files are laid out."""

    task_key: str                          # key in GLUE_TASKS (SST2 for folder SST-2)
    columns: dict[str, str]                # source column -> HF GLUE column (text fields)
    label: str | None = "label"            # source label column (absent from test files)
    no_header: tuple[str, ...] = ()        # column names of train/dev files that have no header row (CoLA)


GLUE_FORMATS: dict[str, GlueFormat] = {
    "RTE": GlueFormat("RTE", {"sentence1": "sentence1", "sentence2": "sentence2"}),
    "WNLI": GlueFormat("WNLI", {"sentence1": "sentence1", "sentence2": "sentence2"}),
    "QNLI": GlueFormat("QNLI", {"question": "question", "sentence": "sentence"}),
    "STS-B": GlueFormat("STSB", {"sentence1": "sentence1", "sentence2": "sentence2"}, label="score"),
    "MRPC": GlueFormat("MRPC", {"#1 String": "sentence1", "#2 String": "sentence2"}, label="Quality"),
    "SST-2": GlueFormat("SST2", {"sentence": "sentence"}),
    "CoLA": GlueFormat("CoLA", {"sentence": "sentence"},
                       no_header=("source", "label", "original_judgment", "sentence")),
}

#: GLUE task folder names, as GLUE's download script writes them.
GLUE_TASK_FOLDERS: tuple[str, ...] = tuple(GLUE_FORMATS)


def glue_folder_name(task: str) -> str:
    """``'SST2'``, ``'sst-2'`` or ``'SST-2'`` -> ``'SST-2'``; unknown names raise DataError listing the tasks."""
    wanted = task.replace("-", "").lower()
    for folder, fmt in GLUE_FORMATS.items():
        if wanted in (folder.replace("-", "").lower(), fmt.task_key.lower()):
            return folder
    raise DataError(f"unknown GLUE task {task!r}; choose from {', '.join(GLUE_TASK_FOLDERS)}")


def _split_lines(text: str) -> tuple[list[int], list[list[str]]]:
    """1-based line numbers and tab-split fields of the non-blank lines."""
    numbers, rows = [], []
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if line:
            numbers.append(n)
            rows.append(line.split("\t"))
    return numbers, rows


def read_glue_tsv(path: Path, fmt: GlueFormat, split: str) -> pd.DataFrame:
    """One split file as a frame with the source's column names plus ``_line`` (1-based line in the file)."""
    numbers, rows = _split_lines(read_text(path, "a GLUE TSV file"))
    # CoLA's train/dev files have no header row; a copy that has one is read by its header.
    headerless = bool(fmt.no_header) and split != "test" and rows[0][: len(fmt.no_header)] != list(fmt.no_header)
    header = list(fmt.no_header) if headerless else rows[0]
    start = 0 if headerless else 1
    for n, row in zip(numbers[start:], rows[start:]):
        if len(row) != len(header):
            raise DataError(f"{path}, line {n}: {len(row)} tab-separated fields, expected "
                            f"{len(header)} ({', '.join(header)})")
    wanted = [*fmt.columns] + ([fmt.label] if split != "test" and fmt.label else [])
    missing = [c for c in wanted if c not in header]
    if missing:
        raise DataError(f"{path}: no column {missing[0]!r}; the columns found are {', '.join(header)}")
    frame = pd.DataFrame(rows[start:], columns=header, dtype=object)
    frame["_line"] = numbers[start:]
    return frame


def _task_dir(folder: Path, name: str) -> Path:
    folder = require_folder(folder, f"a GLUE folder (glue_data, holding {name}/) or the task's own folder")
    if (folder / name).is_dir():
        return folder / name
    # the task's own folder: named after it, or (an upload) holding split files and named after no other task
    own_files = any((folder / f"{s}.tsv").is_file() for s in SPLITS) and folder.name not in GLUE_FORMATS
    if folder.name.lower() == name.lower() or own_files:
        return folder
    raise DataError(f"no GLUE task folder {name!r} in {folder}; expected {folder / name} holding "
                    "train.tsv, dev.tsv and/or test.tsv")


def load_glue_task(folder: Path, task: str, name: str | None = None, splits: tuple[str, ...] = SPLITS) -> Dataset:
    """Load one GLUE task from ``folder`` (the ``glue_data`` root, or the task's own folder).

    Every split file present among ``splits`` is read; a task with none of them raises DataError.
    """
    # Imported here: mmtl_core.tasks imports this package (for Dataset), so a module-level import would be circular.
    from mmtl_core.tasks import GLUE_TASKS

    task_name = glue_folder_name(task)
    fmt = GLUE_FORMATS[task_name]
    spec = GLUE_TASKS[fmt.task_key]
    task_dir = _task_dir(folder, task_name)
    parts = []
    for split in splits:
        path = task_dir / f"{split}.tsv"
        if path.exists():
            parts.append(_glue_split(path, fmt, split, spec.label_names, task_name))
    if not parts:
        found = sorted(p.name for p in task_dir.iterdir())
        raise DataError(f"{task_dir} has none of {', '.join(s + '.tsv' for s in splits)}; found: "
                        f"{', '.join(found) or 'nothing'}")
    frame = pd.concat(parts, ignore_index=True)
    return Dataset(name or task_name, frame, label_names=spec.label_names, source=f"glue:{task_dir}")


def _glue_split(path: Path, fmt: GlueFormat, split: str, label_names: tuple[str, ...], task: str) -> pd.DataFrame:
    raw = read_glue_tsv(path, fmt, split)
    where = Locator(str(path), raw["_line"].to_numpy())
    has_label = fmt.label is not None and fmt.label in raw.columns
    regression = not label_names
    if has_label:
        label = encode_scores(raw[fmt.label], where, fmt.label) if regression else \
            encode_labels(raw[fmt.label], where, fmt.label, label_names)[0]
    else:
        label = np.full(len(raw), np.nan if regression else -1)
    # GLUE's own ``index`` column where the file has one, else the row's position (as HF's ``idx``).
    natural = raw["index"] if "index" in raw.columns else None
    out = pd.DataFrame({"example_id": make_example_ids(f"{task}/{split}", natural, len(raw)),
                        "split": split})
    for source, target in fmt.columns.items():
        out[target] = raw[source].astype(str).to_numpy()
    out["label"] = label
    out["idx"] = np.arange(len(raw))
    return out
