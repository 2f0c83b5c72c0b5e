"""Applying labeling or slicing functions to a dataset: the label matrix L (int8, -1 = abstain) or slice matrix S.

:func:`compute_columns` runs functions in forked worker processes (see :mod:`pool`), templates vectorised over their
column, arbitrary Python once per row. A function that raises, returns nonsense, loops, runs out of memory or
crashes its worker loses only its own column (abstain everywhere, or out of the slice), and its
:class:`ApplyReport` says what happened and where. Tiny inputs use a single worker (one fork, a few milliseconds):
a worker is what lets an endless loop be stopped.

:func:`apply_functions` adds the label cache around it, in the caller's process: the library entry point for
function objects at hand (a notebook). The app never runs user code in its own process: it calls
:func:`mmtl_core.functions.client.apply_modules`, whose sandboxed host calls :func:`compute_columns`.
"""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions.cache import Column, LabelCache, assemble, cached_columns, empty_column, remember_columns
from mmtl_core.functions.discovery import UserFunction
from mmtl_core.functions.fastregex import to_arrow
from mmtl_core.functions.limits import Limits, cap_cpu, cap_memory, exit_reason
from mmtl_core.functions.pool import Task, run_tasks
from mmtl_core.functions.report import AppliedFunctions, ApplyReport, FunctionInfo, failed_column
from mmtl_core.functions.rows import ChunkResult, Row, build_rows, run_python, run_template
from mmtl_core.functions.templates import TemplateFunction

#: Below this many rows per worker, extra workers cost more (fork, row building) than they save.
MIN_ROWS_PER_WORKER = 2_000
MAX_ROWS_PER_TASK = 50_000
#: Up to this many rows, the row objects of recent datasets are kept and reused by the next apply: the edit loop
#: re-applies one function to the same data, and building 100k rows costs more than most functions do.
#: (About 400 bytes a row; a larger dataset builds its rows per block inside the workers instead.)
ROW_CACHE_MAX_ROWS = 300_000
ROW_CACHE_DATASETS = 2  # the Labeling and Slices pages may be on two datasets
_row_cache: OrderedDict[str, list[Row]] = OrderedDict()

#: ``progress(fraction, note)``: how far, and which functions run now with their time limit.
Progress = Callable[[float, str], None]


def cached_rows(dataset: Dataset) -> list[Row] | None:
    """The dataset's rows, built once in this process (before the fork, so workers share them copy-on-write).

    Workers only ever see their own forked copy, so a function that mutates its row cannot change the cached one.
    """
    if len(dataset) > ROW_CACHE_MAX_ROWS:
        return None
    rows = _row_cache.get(dataset.fingerprint)
    if rows is None:
        frame = dataset.frame
        rows = build_rows([str(c) for c in frame.columns], [frame[c].tolist() for c in frame.columns], 0,
                          len(frame))
        _row_cache[dataset.fingerprint] = rows
        while len(_row_cache) > ROW_CACHE_DATASETS:
            _row_cache.popitem(last=False)
    _row_cache.move_to_end(dataset.fingerprint)
    return rows


@dataclass
class _Progress:
    """What the workers have reported so far for one function (row positions are global)."""

    seconds: float = 0.0
    faults: int = 0
    first_fault: tuple[int, str | None, int | None, str | None] | None = None
    invalid: int = 0
    first_invalid: tuple[int, str | None] | None = None
    error: str | None = None
    timed_out: bool = False

    def add(self, r: ChunkResult, start: int) -> None:
        self.seconds += r.seconds
        self.faults += r.faults
        if r.first_fault_row is not None and (self.first_fault is None or start + r.first_fault_row
                                              < self.first_fault[0]):
            self.first_fault = (start + r.first_fault_row, r.first_traceback, r.first_fault_line, r.first_error)
        self.invalid += r.invalid
        if r.first_invalid_row is not None and (self.first_invalid is None or start + r.first_invalid_row
                                                < self.first_invalid[0]):
            self.first_invalid = (start + r.first_invalid_row, r.first_invalid_value)


def check_call(functions: Sequence[FunctionInfo], cardinality: int | None) -> str:
    """The one kind of a call's functions; FunctionError for mixed kinds, repeated names or a bad K."""
    kinds = {f.kind for f in functions}
    if len(kinds) > 1:
        raise FunctionError("apply labeling and slicing functions in separate calls (got both: "
                            f"{', '.join(f.name for f in functions if f.kind == 'slicing')} are slicing)")
    names = [f.name for f in functions]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise FunctionError(f"function names must be unique; repeated: {', '.join(dupes)}", function=dupes[0])
    if cardinality is not None and not 1 <= cardinality <= 127:
        raise FunctionError(f"cardinality must be between 1 and 127 for an int8 label matrix, got {cardinality}")
    return kinds.pop() if kinds else "labeling"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def apply_functions(functions: Sequence[UserFunction], dataset: Dataset, *, cache: LabelCache | None = None,
                    timeout_s: float = 30.0, n_workers: int | None = None, progress: Progress | None = None,
                    cardinality: int | None = None, rerun: Collection[str] = (),
                    limits: Limits | None = None) -> AppliedFunctions:
    """Apply ``functions`` (all labeling or all slicing) to every row of ``dataset.frame``, in this process's
    workers (user code runs here: for objects defined in a notebook; the app uses ``apply_modules``).

    ``timeout_s`` limits each function's total running time (and CPU time) over the dataset; ``cardinality`` (K),
    when given, makes labels outside -1..K-1 count as invalid. Columns come from ``cache`` where the function's
    key and the data match, failures included, except for the functions named in ``rerun``.
    """
    kind = check_call(functions, cardinality)
    n = len(dataset)
    known = cached_columns(cache, dataset.fingerprint, functions, n, cardinality, rerun)
    missing = [f for f in functions if f.name not in known]
    computed = compute_columns(missing, dataset, timeout_s=timeout_s, n_workers=n_workers, progress=progress,
                               cardinality=cardinality, limits=limits)
    remember_columns(cache, dataset.fingerprint, missing, computed, cardinality)
    if progress is not None:
        progress(1.0, "")
    return assemble(functions, kind, n, {**known, **computed})


def compute_columns(functions: Sequence[UserFunction], dataset: Dataset, *, timeout_s: float = 30.0,
                    n_workers: int | None = None, progress: Progress | None = None,
                    cardinality: int | None = None, limits: Limits | None = None,
                    confine: bool = False) -> dict[str, Column]:
    """Run ``functions`` (one kind) over every row; each one's column and report, by name. No cache.

    ``limits`` cap each worker's memory; ``confine`` (the function host) confines each worker's signals."""
    frame = dataset.frame
    n = len(frame)
    out: dict[str, Column] = {}
    to_run = []
    for fn in functions:
        base = ApplyReport(function=fn.name, kind=fn.kind, rows=n)
        if isinstance(fn.obj, TemplateFunction) and fn.obj.field not in frame.columns:
            out[fn.name] = (empty_column(fn.kind, n), replace(base, error=(
                f"{fn.name} reads the field {fn.obj.field!r}, which dataset {dataset.name!r} does not have; "
                f"its fields: {', '.join(map(str, frame.columns))}")))
        elif n == 0:
            out[fn.name] = (empty_column(fn.kind, 0), base)
        else:
            to_run.append(fn)
    if to_run:
        out.update(_run(to_run, dataset, timeout_s, n_workers or default_workers(), progress, cardinality, limits,
                        confine))
    return out


def _note(functions: Sequence[UserFunction], running: set[int], timeout_s: float) -> str:
    names = [functions[j].name for j in sorted(running)]
    if not names:
        return ""
    shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
    return f"Running {shown} (time limit {timeout_s:g} s {'each' if len(names) > 1 else ''})".replace(" )", ")")


def _run(functions: Sequence[UserFunction], dataset: Dataset, timeout_s: float, n_workers: int,
         progress: Progress | None, cardinality: int | None, limits: Limits | None,
         confine: bool) -> dict[str, Column]:
    frame = dataset.frame
    n, m = len(frame), len(functions)
    matrix = np.stack([empty_column(fn.kind, n) for fn in functions], axis=1)
    workers = max(1, min(n_workers, n // MIN_ROWS_PER_WORKER))
    python = [not isinstance(fn.obj, TemplateFunction) for fn in functions]
    # Python functions: several blocks per worker, so a slow function's blocks spread and progress moves;
    # templates alone are vectorised: one block per worker is the least overhead.
    per_worker = 4 if any(python) else 1
    size = min(MAX_ROWS_PER_TASK, max(1_000, math.ceil(n / (workers * per_worker))))
    # Built before the fork, so every worker reads them without pickling or per-row pandas objects: plain lists
    # for Python functions, Arrow arrays (zero-copy from pandas' string columns) for templates.
    names = [str(c) for c in frame.columns]
    template_fields = {fn.obj.field for fn, p in zip(functions, python) if not p}
    arrows = {f: to_arrow(frame[f]) for f in template_fields}
    all_rows = cached_rows(dataset) if any(python) else None
    per_block = any(python) and all_rows is None
    needed = names if per_block else sorted(f for f in template_fields if arrows[f] is None)
    columns = {c: frame[c].tolist() for c in needed}
    column_lists = [columns[c] for c in names] if per_block else []
    tasks = [Task(j, c, start, min(start + size, n), python[j])
             for c, start in enumerate(range(0, n, size)) for j in range(m)]
    held: dict[str, Any] = {"chunk": None, "rows": None}  # the worker's own copy after the fork

    def run_task(task: Task) -> ChunkResult:
        fn = functions[task.function]
        if not task.needs_rows:
            arrow, values = arrows[fn.obj.field], columns.get(fn.obj.field)
            return run_template(fn.obj, None if values is None else values[task.start:task.stop],
                                None if arrow is None else arrow.slice(task.start, task.stop - task.start))
        if held["chunk"] != task.chunk:
            held["chunk"], held["rows"] = task.chunk, (all_rows[task.start:task.stop] if all_rows is not None
                                                       else build_rows(names, column_lists, task.start, task.stop))
        return run_python(fn.obj, fn.kind, held["rows"], str(fn.path), cardinality)

    def prepare(task: Task) -> None:
        if limits is not None:
            cap_memory(limits.memory_bytes)
        cap_cpu(timeout_s)

    state = [_Progress() for _ in functions]
    done = [0.0]
    note = [""]

    def report_progress() -> None:
        if progress is not None:
            progress(min(done[0] / (n * m), 0.999), note[0])

    def on_start(running: set[int]) -> None:
        note[0] = _note(functions, running, timeout_s)
        report_progress()

    def on_result(task: Task, r: ChunkResult) -> None:
        s = state[task.function]
        if s.error is not None:
            return  # the function already failed as a whole elsewhere
        if r.out_of_memory:
            fn = functions[task.function]
            who = f"{fn.name}"
            s.error = (limits.memory_message(who) if limits is not None else f"{who} ran out of memory") + \
                f"; {failed_column(fn.kind)}"
            return
        matrix[task.start:task.stop, task.function] = r.column
        s.add(r, task.start)
        done[0] += task.stop - task.start
        report_progress()

    def on_timeout(j: int) -> None:
        state[j].timed_out = True
        state[j].error = (f"stopped after {timeout_s:g} s: {functions[j].name} ran longer than the time limit "
                          f"(an endless loop?); {failed_column(functions[j].kind)}")

    def on_crash(j: int, code: int | None) -> None:
        state[j].error = (f"the worker process running {functions[j].name} died "
                          f"({exit_reason(code, limits, timeout_s)}); {failed_column(functions[j].kind)}")

    run_tasks(tasks, run_task, workers, timeout_s, on_result, on_timeout, on_crash, prepare=prepare,
              on_start=on_start, confine=confine)

    ids = frame["example_id"]
    out: dict[str, Column] = {}
    for j, fn in enumerate(functions):
        s = state[j]
        column = empty_column(fn.kind, n) if s.error is not None else matrix[:, j].copy()
        fault_row, tb, line, first_error = s.first_fault or (None, None, None, None)
        invalid_row, value = s.first_invalid or (None, None)
        out[fn.name] = (column, ApplyReport(
            function=fn.name, kind=fn.kind, rows=n, faults=s.faults, first_traceback=tb, line=line,
            first_error=first_error, first_example_id=None if fault_row is None else str(ids.iloc[fault_row]),
            timed_out=s.timed_out, error=s.error, seconds=round(s.seconds, 4), invalid=s.invalid,
            first_invalid_value=value,
            first_invalid_example_id=None if invalid_row is None else str(ids.iloc[invalid_row])))
    return out
