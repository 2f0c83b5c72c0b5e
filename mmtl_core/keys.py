"""Metric keys ``task/dataset/split/metric``, slice-head names ``task:slice`` and slice-membership columns
``slice:<name>``: built and parsed only here."""

from __future__ import annotations

import keyword
from dataclasses import dataclass

SLICE_SEP = ":"
SLICE_COLUMN_PREFIX = "slice:"


def check_identifier(name: str, what: str) -> str:
    """Names of tasks, functions and slices must be Python identifiers, so they are safe in keys and file names."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{what} name {name!r} is not a valid identifier (letters, digits and _, not starting "
                         "with a digit)")
    return name


def head_name(task: str, slice_name: str | None = None) -> str:
    """The name of a task's head, or of one of its slice heads (``RTE:dash_semicolon``)."""
    return task if slice_name is None else f"{task}{SLICE_SEP}{slice_name}"


def split_head(head: str) -> tuple[str, str | None]:
    """``'RTE:dash'`` -> ``('RTE', 'dash')``; ``'RTE'`` -> ``('RTE', None)``."""
    task, sep, slice_name = head.partition(SLICE_SEP)
    return task, (slice_name if sep else None)


def slice_column(slice_name: str) -> str:
    """The column holding a slice's membership in a run's gold files (``slice:dash_semicolon``)."""
    return f"{SLICE_COLUMN_PREFIX}{slice_name}"


@dataclass(frozen=True)
class MetricKey:
    """One metric of one head on one split of one dataset."""

    head: str
    dataset: str
    split: str
    metric: str

    def __str__(self) -> str:
        return "/".join((self.head, self.dataset, self.split, self.metric))

    @classmethod
    def parse(cls, key: str) -> "MetricKey":
        parts = key.split("/")
        if len(parts) != 4 or not all(parts):
            raise ValueError(f"metric key {key!r} is not of the form task/dataset/split/metric")
        return cls(*parts)

    @property
    def task(self) -> str:
        return split_head(self.head)[0]

    @property
    def slice(self) -> str | None:
        return split_head(self.head)[1]
