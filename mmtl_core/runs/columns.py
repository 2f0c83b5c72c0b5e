"""Column names of prediction and label files: ``prob_<class>`` per class, or one ``score`` for regression.

The one owner of these names: training writes them, the weak-supervision export writes them, predict writes them,
and every reader orders a file's probability columns into class order through :func:`order_prob_columns`.
"""

from __future__ import annotations

from collections.abc import Sequence

from mmtl_core.errors import PredictionsError, TaskError

EXAMPLE_ID = "example_id"
PROB_PREFIX = "prob_"
SCORE_COLUMN = "score"


def prob_columns(cardinality: int, label_names: Sequence[str] = ()) -> list[str]:
    """``prob_<label name>`` per class, or ``prob_0``.. where the task names no labels."""
    if label_names and len(label_names) != cardinality:
        raise TaskError(f"{len(label_names)} label names for {cardinality} classes")
    columns = [f"{PROB_PREFIX}{name}" for name in (label_names or range(cardinality))]
    if len(set(columns)) != len(columns):
        raise TaskError(f"label names {list(label_names)} repeat; each class needs its own name")
    return columns


def is_prob_column(column: str) -> bool:
    return column.startswith(PROB_PREFIX)


def order_prob_columns(found: Sequence[str], cardinality: int | None, label_names: Sequence[str], where: str,
                       task_name: str = "") -> list[str]:
    """The probability columns of a file in class order, from ``prob_<i>`` or ``prob_<label name>``.

    ``cardinality`` None takes K from the number of columns (a run's own files, ``prob_0``..).
    """
    suffixes = [c[len(PROB_PREFIX):] for c in found]
    k = cardinality if cardinality is not None else len(found)
    by_index = prob_columns(k)
    by_name = prob_columns(k, label_names) if label_names else []
    task = f" for task {task_name}" if task_name else ""
    if len(found) != k:
        raise PredictionsError(f"{where}: wrong number of classes: found {len(found)} probability column(s) "
                               f"({', '.join(found)}), expected {k}{task} ({', '.join(by_index)}"
                               + (f" or {', '.join(by_name)})" if by_name else ")"))
    named = bool(by_name) and not all(s.isdigit() for s in suffixes)
    wanted = by_name if named else by_index
    missing = [c for c in wanted if c not in found]
    if missing:
        raise PredictionsError(f"{where}: missing probability column(s) {missing}; found {list(found)}")
    return wanted
