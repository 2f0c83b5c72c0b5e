"""A run's own scoring data: the task it trained and the gold labels and slice memberships it stored beside its
predictions. With them a run is scored exactly as it was at the end of training, without the dataset or the
functions (a script comparing two runs, the runs table's headline figures)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.errors import MMTLError, PredictionsError
from mmtl_core.keys import SLICE_COLUMN_PREFIX
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.predictions import read_gold
from mmtl_core.slices.split_slices import SplitSlices
from mmtl_core.tasks import Task


def run_task(config: dict, task_name: str, where: str) -> Task:
    """The definition of ``task_name`` as a run's config.json records it."""
    for t in config.get("tasks", []):
        spec = t.get("task")
        if isinstance(spec, dict) and spec.get("name") == task_name:
            missing = [k for k in ("dataset", "text_fields", "metrics") if k not in spec]
            if missing:  # a config written by hand or by an older version
                raise PredictionsError(f"{where}: config.json's task {task_name!r} does not record its "
                                       f"{', '.join(missing)}: the run cannot be scored as it trained")
            try:
                return Task(**{**spec, "text_fields": tuple(spec["text_fields"]), "metrics": tuple(spec["metrics"]),
                               "label_names": tuple(spec.get("label_names", ()))})
            except (TypeError, ValueError, MMTLError) as e:
                raise PredictionsError(f"{where}: config.json's task {task_name!r} cannot be read: {e}") from e
    trained = [t["task"]["name"] for t in config.get("tasks", []) if isinstance(t.get("task"), dict)]
    raise PredictionsError(f"{where}: the run did not train task {task_name!r} (its tasks: "
                           f"{', '.join(trained) or 'none recorded'})")


def stored_split(run: Path, task_name: str, split: str = "dev") -> SplitSlices:
    """The examples ``run`` scored ``task_name`` on for ``split``: their gold labels and the slice memberships it
    stored (``slice:<name>`` columns), as a SplitSlices. Texts are not stored there: the split's text fields are
    empty, which no score reads."""
    run = Path(run)
    task = run_task(read_config(run), task_name, str(run))
    gold = read_gold(run, task_name, split)
    if gold is None:
        raise PredictionsError(f"{run}: no stored gold labels of task {task_name!r} on split {split!r} (gold/"
                               f"{task_name}/{split}.parquet is missing: the run did not finish writing)")
    frame = gold.reset_index().rename(columns={"label": task.label_field})
    for field in task.text_fields:
        frame[field] = ""
    slices = [c for c in frame.columns if c.startswith(SLICE_COLUMN_PREFIX)]
    S = frame[slices].to_numpy(bool) if slices else np.zeros((len(frame), 0), bool)
    return SplitSlices(task, frame.drop(columns=slices), S, tuple(c[len(SLICE_COLUMN_PREFIX):] for c in slices),
                       split=split)


def with_stored_slices(data: SplitSlices, stored: Sequence[tuple[str, SplitSlices]]) -> tuple[SplitSlices,
                                                                                            dict[str, str]]:
    """``data`` (the split as the current functions slice it) with every slice a run stored that no current
    function defines, membership taken from the first run that stored it (by example id; an example that run did
    not score is outside). ``stored``: (run title, its stored split). Returns it and, per added slice, the run its
    membership came from."""
    known, added, columns, origin = set(data.slice_names), [], [], {}
    for title, run in stored:
        for name in run.slice_names:
            if name in known:
                continue
            known.add(name)
            member = pd.Series(run.S[:, run.slice_names.index(name)], index=run.example_ids)
            columns.append(member.reindex(data.example_ids, fill_value=False).to_numpy(bool))
            added.append(name)
            origin[name] = title
    if not added:
        return data, origin
    return data.with_slices(np.column_stack([data.S, *columns]), (*data.slice_names, *added)), origin
