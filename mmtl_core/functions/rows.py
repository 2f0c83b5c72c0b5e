"""Running one function over a block of rows, inside a worker: the row object, output checks, fault records.

Snorkel's PandasLFApplier hands each function a ``pd.Series`` built per row, which costs more than most functions
themselves. Here a row is a :class:`Row` (attribute *and* item access) built from plain column lists.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Sequence

import numpy as np
from snorkel.labeling import LabelingFunction
import pyarrow as pa

from mmtl_core.functions.templates import TemplateFunction

_THIS_FILE = str(Path(__file__).resolve())


class Row(SimpleNamespace):
    """One example: ``x.text`` and ``x["text"]`` both work. Module-level so Snorkel's preprocessors can pickle it."""

    def __getitem__(self, key: str) -> Any:
        try:
            return self.__dict__[key]
        except KeyError:
            raise KeyError(f"{key!r} is not a column; columns: {list(self.__dict__)}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self.__dict__.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.__dict__


def build_rows(names: Sequence[str], columns: Sequence[list], start: int, stop: int) -> list[Row]:
    """Rows ``start:stop`` from column lists (one list per name), without any per-row pandas object."""
    rows = []
    new = Row.__new__
    for values in zip(*(c[start:stop] for c in columns)):
        row = new(Row)
        row.__dict__.update(zip(names, values))
        rows.append(row)
    return rows


@dataclass
class ChunkResult:
    """The output of one function on rows ``start:stop``. Row positions below are relative to ``start``."""

    column: np.ndarray
    seconds: float
    faults: int = 0
    first_fault_row: int | None = None
    first_traceback: str | None = None
    first_fault_line: int | None = None
    invalid: int = 0
    first_invalid_row: int | None = None
    first_invalid_value: str | None = None
    first_error: str | None = None  # "Type: message" of the first fault
    out_of_memory: bool = False  # the function hit the worker's memory cap: its whole column fails


def _user_traceback(e: BaseException, user_file: str) -> tuple[str, int | None]:
    """The traceback from the user's code on (our own and Snorkel's frames dropped) and the user's deepest line."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _THIS_FILE:
        tb = tb.tb_next
    start = tb
    while start is not None and start.tb_frame.f_code.co_filename != user_file:
        start = start.tb_next
    tb = start or tb
    summary = traceback.extract_tb(tb)
    lines = [fr.lineno for fr in summary if fr.filename == user_file]
    text = "".join(traceback.format_exception(type(e), e, tb))
    return text, (lines[-1] if lines else None)


def _one_line(e: BaseException, limit: int = 200) -> str:
    text = f"{type(e).__name__}: {e}".splitlines()[0] if str(e) else type(e).__name__
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _label_ok(cardinality: int | None) -> Any:
    high = 127 if cardinality is None else cardinality - 1

    def ok(y: Any) -> bool:
        return (type(y) is int or (isinstance(y, np.integer) and not isinstance(y, np.bool_))) and -1 <= y <= high
    return ok


def _slice_ok(y: Any) -> bool:
    return type(y) is bool or isinstance(y, np.bool_)


def _direct_call(fn: Any) -> Any:
    """Snorkel's ``LabelingFunction.__call__`` minus its per-row overhead when there is nothing to preprocess."""
    if isinstance(fn, LabelingFunction) and not fn._pre:
        return partial(fn._f, **fn._resources) if fn._resources else fn._f
    return fn


def run_python(fn: Any, kind: str, rows: Sequence[Row], user_file: str, cardinality: int | None) -> ChunkResult:
    """Call ``fn`` on each row. A raise or an invalid output abstains on that row (or leaves it out of the slice)."""
    t0 = time.perf_counter()
    labeling = kind == "labeling"
    ok = _label_ok(cardinality) if labeling else _slice_ok
    high = (127 if cardinality is None else cardinality - 1) if labeling else 1
    missing = -1 if labeling else False
    out: list[Any] = []
    res = ChunkResult(np.empty(0), 0.0)
    call = _direct_call(fn)
    for i, x in enumerate(rows):
        try:
            y = call(x)
        except MemoryError:
            res.out_of_memory = True
            break
        except BaseException as e:  # noqa: BLE001 (SystemExit, KeyboardInterrupt: the user's row fails, no more)
            res.faults += 1
            if res.first_fault_row is None:
                res.first_fault_row = i
                res.first_traceback, res.first_fault_line = _user_traceback(e, user_file)
                res.first_error = _one_line(e)
            out.append(missing)
            continue
        # the common answers first, without a function call: this loop runs once per row
        if (type(y) is int and -1 <= y <= high) if labeling else (y is True or y is False):
            out.append(y)
        elif ok(y):
            out.append(y)
        else:
            res.invalid += 1
            if res.first_invalid_row is None:
                res.first_invalid_row, res.first_invalid_value = i, f"{y!r} ({type(y).__name__})"
            out.append(missing)
    out.extend([missing] * (len(rows) - len(out)))
    res.column = np.array(out, dtype=np.int8 if labeling else bool)
    res.seconds = time.perf_counter() - t0
    return res


def run_template(fn: TemplateFunction, values: Sequence[Any] | None, arrow: pa.Array | None) -> ChunkResult:
    t0 = time.perf_counter()
    try:
        column = fn.apply_column(values, arrow)
    except MemoryError:
        return ChunkResult(np.empty(0), time.perf_counter() - t0, out_of_memory=True)
    return ChunkResult(column, time.perf_counter() - t0)
