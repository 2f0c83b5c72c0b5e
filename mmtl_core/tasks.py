"""Tasks: what to predict from which dataset, and how it is scored. GLUE's tasks come predefined."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from mmtl_core.atomic import atomic_write_text
from mmtl_core.browse import text_columns  # the one definition of "a text column"
from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import TaskError
from mmtl_core.keys import check_identifier
from mmtl_core.metrics import CLASSIFICATION_METRICS, REGRESSION_METRICS


@dataclass(frozen=True)
class Task:
    """A prediction problem over one dataset.

    ``cardinality`` is K for K-class classification (labels 0..K-1, -1 = unlabeled) and 1 for regression
    (float labels, NaN = unlabeled). The first metric is the one used to pick checkpoints and rank slices.
    """

    name: str
    dataset: str
    text_fields: tuple[str, ...]
    label_field: str = "label"
    cardinality: int = 2
    metrics: tuple[str, ...] = ("accuracy",)
    label_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        try:
            check_identifier(self.name, "task")
        except ValueError as e:
            raise TaskError(str(e)) from None
        object.__setattr__(self, "text_fields", tuple(self.text_fields))
        object.__setattr__(self, "metrics", tuple(self.metrics))
        object.__setattr__(self, "label_names", tuple(self.label_names))
        if not 1 <= len(self.text_fields) <= 2:
            raise TaskError(f"task {self.name!r}: give one or two text fields, not {len(self.text_fields)}")
        if self.cardinality < 1 or self.cardinality == 1 and self.label_names:
            raise TaskError(f"task {self.name!r}: cardinality must be K >= 2 classes, or 1 for regression")
        allowed = REGRESSION_METRICS if self.is_regression else CLASSIFICATION_METRICS
        bad = [m for m in self.metrics if m not in allowed]
        if bad or not self.metrics:
            kind = "regression" if self.is_regression else "classification"
            raise TaskError(f"task {self.name!r}: metric(s) {bad or '(none)'} do not fit {kind}; "
                            f"choose from {', '.join(allowed)}")
        if self.label_names and len(self.label_names) != self.cardinality:
            raise TaskError(f"task {self.name!r}: {len(self.label_names)} label names for "
                            f"{self.cardinality} classes")

    @property
    def is_regression(self) -> bool:
        return self.cardinality == 1

    @property
    def primary_metric(self) -> str:
        return self.metrics[0]

    def check_against(self, dataset: Dataset) -> None:
        """Raise a TaskError naming the column or label values that do not fit ``dataset``."""
        cols = dataset.frame.columns
        for f in (*self.text_fields, self.label_field):
            if f not in cols:
                raise TaskError(f"task {self.name!r}: dataset {dataset.name!r} has no column {f!r}; "
                                f"its columns are {', '.join(map(str, cols))}")
        if self.is_regression:
            return
        y = dataset.frame[self.label_field]
        bad = ~y.isin(range(-1, self.cardinality))
        if bad.any():
            rows = dataset.frame.loc[bad, "example_id"]
            values = ", ".join(map(repr, sorted(y[bad].unique().tolist(), key=str)[:8]))
            raise TaskError(f"task {self.name!r}: column {self.label_field!r} has {int(bad.sum())} value(s) outside "
                            f"0..{self.cardinality - 1} (and -1 for unlabeled): {values}, in rows "
                            f"{', '.join(rows.iloc[:5])}{' ...' if len(rows) > 5 else ''}")

    def gold(self, dataset: Dataset, split: str) -> np.ndarray:
        """Gold labels of one split (int class ids, or floats for regression)."""
        y = dataset.split(split)[self.label_field].to_numpy()
        return y.astype(np.float64) if self.is_regression else y.astype(np.int64)


def _glue(name: str, dataset: str, fields: tuple[str, ...], metrics: tuple[str, ...],
          label_names: tuple[str, ...] = ("0", "1")) -> Task:
    cardinality = 1 if metrics[0] in REGRESSION_METRICS else len(label_names)
    return Task(name, dataset, fields, "label", cardinality, metrics, () if cardinality == 1 else label_names)


#: GLUE's tasks with their standard metrics (the first one ranks).
GLUE_TASKS: dict[str, Task] = {t.name: t for t in (
    _glue("CoLA", "CoLA", ("sentence",), ("matthews_corrcoef", "accuracy"), ("unacceptable", "acceptable")),
    _glue("SST2", "SST-2", ("sentence",), ("accuracy",), ("negative", "positive")),
    _glue("MRPC", "MRPC", ("sentence1", "sentence2"), ("f1", "accuracy"), ("not_equivalent", "equivalent")),
    _glue("STSB", "STS-B", ("sentence1", "sentence2"), ("pearson", "spearman")),
    _glue("QNLI", "QNLI", ("question", "sentence"), ("accuracy",), ("entailment", "not_entailment")),
    _glue("RTE", "RTE", ("sentence1", "sentence2"), ("accuracy",), ("entailment", "not_entailment")),
    _glue("WNLI", "WNLI", ("sentence1", "sentence2"), ("accuracy",), ("not_entailment", "entailment")),
)}


def save_tasks(path: Path, tasks: list[Task]) -> None:
    """Write user-defined tasks as JSON, atomically."""
    names = [t.name for t in tasks]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise TaskError(f"two tasks are named {sorted(dup)[0]!r}; task names must be unique")
    atomic_write_text(path, json.dumps([asdict(t) for t in tasks], indent=2))


def load_tasks(path: Path) -> list[Task]:
    if not path.exists():
        return []
    try:
        return [Task(**d) for d in json.loads(path.read_text())]
    except (ValueError, TypeError) as e:
        raise TaskError(f"{path}: cannot read saved tasks ({e})") from e


def identifier_from(name: str) -> str:
    """A task name derived from a dataset name: ``'SST-2'`` -> ``'SST_2'``, ``'2020 data'`` -> ``'t_2020_data'``."""
    ident = "".join(c if c.isalnum() else "_" for c in name).strip("_") or "task"
    return ident if ident[0].isalpha() else f"t_{ident}"


def tasks_for(dataset: Dataset, user_tasks: list[Task]) -> list[Task]:
    """Tasks over ``dataset``: the user's, the predefined GLUE task of a GLUE folder (whatever the dataset's name),
    else one inferred from its labels.

    The inferred task needs a ``label`` column and label names (YouTube spam, WRENCH, a mapped file); its input is
    ``text`` when there is one, else the first text column.
    """
    found = [t for t in user_tasks if t.dataset == dataset.name]
    glue_folder = Path(dataset.source.removeprefix("glue:")).name if dataset.source.startswith("glue:") else None
    found += [replace(t, dataset=dataset.name) for t in GLUE_TASKS.values()
              if glue_folder in (t.dataset, t.name) and t.name not in {u.name for u in found}]
    if found or "label" not in dataset.frame.columns or len(dataset.label_names) < 2:
        return found
    texts = ["text"] if "text" in dataset.frame.columns else text_columns(dataset)[:1]
    if not texts:
        return found
    return [Task(identifier_from(dataset.name), dataset.name, tuple(texts), "label", len(dataset.label_names),
                 ("accuracy", "f1") if len(dataset.label_names) == 2 else ("accuracy", "macro_f1"),
                 dataset.label_names)]
