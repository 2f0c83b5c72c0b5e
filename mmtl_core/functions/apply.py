"""Applying labeling or slicing functions to a dataset: the label matrix L (int8, -1 = abstain) or slice matrix S.

Columns come from the :class:`LabelCache` where the function's source hash and the dataset's fingerprint match;
the others run in forked worker processes (see :mod:`pool`), templates vectorised over their column, arbitrary
Python once per row. A function that raises, returns nonsense, loops or crashes its worker loses only its own
column (abstain everywhere, or out of the slice), and its :class:`ApplyReport` says what happened and where.
Tiny inputs use a single worker (one fork, a few milliseconds): a worker is what lets an endless loop be stopped.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions.cache import LabelCache
from mmtl_core.functions.discovery import UserFunction
from mmtl_core.functions.fastregex import to_arrow
from mmtl_core.functions.pool import Task, run_tasks
from mmtl_core.functions.rows import ChunkResult, Row, build_rows, run_python, run_template
from mmtl_core.functions.templates import TemplateFunction

#: Below this many rows per worker, extra workers cost more (fork, row building) than they save.
MIN_ROWS_PER_WORKER = 2_000
MAX_ROWS_PER_TASK = 50_000
#: Up to this many rows, the row objects of the last dataset applied are kept and reused by the next apply: the edit
#: loop re-applies one function to the same data, and building 100k rows costs more than most functions do.
#: (About 400 bytes a row; a larger dataset builds its rows per block inside the workers instead.)
ROW_CACHE_MAX_ROWS = 300_000
_row_cache: dict[str, list[Row]] = {}


def _cached_rows(dataset: Dataset, names: list[str]) -> list[Row] | None:
    """The dataset's rows, built once in this process (before the fork, so workers share them copy-on-write).

    Workers only ever see their own forked copy, so a function that mutates its row cannot change the cached one.
    """
    if len(dataset) > ROW_CACHE_MAX_ROWS:
        return None
    rows = _row_cache.get(dataset.fingerprint)
    if rows is None:
        frame = dataset.frame
        rows = build_rows(names, [frame[c].tolist() for c in frame.columns], 0, len(frame))
        _row_cache.clear()  # keep one dataset's rows: the one being edited
        _row_cache[dataset.fingerprint] = rows
    return rows


@dataclass(frozen=True)
class ApplyReport:
    """How one function's column was obtained. ``messages`` is what the UI shows."""

    faults: int = 0  # rows where the function raised (they abstain)
    first_traceback: str | None = None
    first_example_id: str | None = None  # example_id of the first faulting row
    line: int | None = None  # line in the user's file where the first fault was raised
    timed_out: bool = False
    error: str | None = None  # the whole column failed (timeout, crashed worker, unknown field)
    seconds: float = 0.0  # time the function ran (summed over workers)
    from_cache: bool = False
    invalid: int = 0  # rows where it returned something that is not a label (an LF) or a bool (an SF)
    first_invalid_value: str | None = None
    first_invalid_example_id: str | None = None
    function: str = ""
    kind: str = "labeling"
    rows: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.faults == 0 and self.invalid == 0

    @property
    def messages(self) -> list[str]:
        out = [self.error] if self.error else []
        if self.faults:
            at = f", line {self.line}" if self.line else ""
            out.append(f"{self.function} raised an exception on {self.faults} of {self.rows} rows (they "
                       f"{'abstain' if self.kind == 'labeling' else 'are left out of the slice'}); first on "
                       f"example {self.first_example_id}{at}")
        if self.invalid:
            expected = ("-1 (abstain) or a class id 0..K-1 as an int" if self.kind == "labeling"
                        else "True or False")
            out.append(f"{self.function} returned {self.invalid} value(s) that are not {expected}, first "
                       f"{self.first_invalid_value} on example {self.first_invalid_example_id}")
        return out


@dataclass(frozen=True)
class AppliedFunctions:
    names: list[str]
    kind: str
    matrix: np.ndarray  # n x m: int8 (labeling, -1 = abstain) or bool (slicing), rows in dataset.frame order
    reports: dict[str, ApplyReport] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, self.names.index(name)]


@dataclass
class _Progress:
    """What the workers have reported so far for one function (row positions are global)."""

    seconds: float = 0.0
    faults: int = 0
    first_fault: tuple[int, str | None, int | None] | None = None
    invalid: int = 0
    first_invalid: tuple[int, str | None] | None = None
    error: str | None = None
    timed_out: bool = False

    def add(self, r: ChunkResult, start: int) -> None:
        self.seconds += r.seconds
        self.faults += r.faults
        if r.first_fault_row is not None and (self.first_fault is None or start + r.first_fault_row
                                              < self.first_fault[0]):
            self.first_fault = (start + r.first_fault_row, r.first_traceback, r.first_fault_line)
        self.invalid += r.invalid
        if r.first_invalid_row is not None and (self.first_invalid is None or start + r.first_invalid_row
                                                < self.first_invalid[0]):
            self.first_invalid = (start + r.first_invalid_row, r.first_invalid_value)
        self.error = self.error or r.error


def _check_call(functions: Sequence[UserFunction], cardinality: int | None) -> str:
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


def _cache_key(fn: UserFunction, cardinality: int | None) -> str:
    # the output checks depend on K, so a column checked against another K is not reused
    return fn.source_hash if cardinality is None or fn.kind == "slicing" else f"{fn.source_hash}_k{cardinality}"


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def apply_functions(functions: Sequence[UserFunction], dataset: Dataset, *, cache: LabelCache | None = None,
                    timeout_s: float = 30.0, n_workers: int | None = None,
                    progress: Callable[[float], None] | None = None,
                    cardinality: int | None = None) -> AppliedFunctions:
    """Apply ``functions`` (all labeling or all slicing) to every row of ``dataset.frame``.

    ``timeout_s`` limits each function's total running time over the dataset; ``cardinality`` (K), when given,
    makes labels outside -1..K-1 count as invalid.
    """
    kind = _check_call(functions, cardinality)
    frame = dataset.frame
    n, m = len(frame), len(functions)
    labeling = kind == "labeling"
    matrix = np.full((n, m), -1, dtype=np.int8) if labeling else np.zeros((n, m), dtype=bool)
    reports: dict[str, ApplyReport] = {}
    base = {fn.name: ApplyReport(function=fn.name, kind=kind, rows=n) for fn in functions}
    to_run: list[int] = []
    for j, fn in enumerate(functions):
        hit = cache.get(dataset.fingerprint, _cache_key(fn, cardinality)) if cache is not None else None
        if hit is not None and hit.column.shape == (n,) and hit.column.dtype == matrix.dtype:
            matrix[:, j] = hit.column
            known = {k: v for k, v in hit.report.items() if k in ApplyReport.__dataclass_fields__}
            reports[fn.name] = replace(ApplyReport(**known), from_cache=True, function=fn.name)
        elif isinstance(fn.obj, TemplateFunction) and fn.obj.field not in frame.columns:
            reports[fn.name] = replace(base[fn.name], error=(
                f"{fn.name} reads the field {fn.obj.field!r}, which dataset {dataset.name!r} does not have; "
                f"its fields: {', '.join(map(str, frame.columns))}"))
        else:
            to_run.append(j)
    if to_run and n:
        _run(functions, to_run, dataset, matrix, reports, base, timeout_s,
             n_workers or default_workers(), progress, cardinality, cache)
    for fn in functions:
        reports.setdefault(fn.name, base[fn.name])
    if progress is not None:
        progress(1.0)
    return AppliedFunctions([f.name for f in functions], kind, matrix,
                            {f.name: reports[f.name] for f in functions})


def _run(functions: Sequence[UserFunction], to_run: list[int], dataset: Dataset, matrix: np.ndarray,
         reports: dict[str, ApplyReport], base: dict[str, ApplyReport], timeout_s: float, n_workers: int,
         progress: Callable[[float], None] | None, cardinality: int | None, cache: LabelCache | None) -> None:
    frame = dataset.frame
    n, m = matrix.shape
    workers = max(1, min(n_workers, n // MIN_ROWS_PER_WORKER))
    python = {j: not isinstance(functions[j].obj, TemplateFunction) for j in to_run}
    # Python functions: several blocks per worker, so a slow function's blocks spread and progress moves;
    # templates alone are vectorised: one block per worker is the least overhead.
    per_worker = 4 if any(python.values()) else 1
    size = min(MAX_ROWS_PER_TASK, max(1_000, math.ceil(n / (workers * per_worker))))
    # Built before the fork, so every worker reads them without pickling or per-row pandas objects: plain lists
    # for Python functions, Arrow arrays (zero-copy from pandas' string columns) for templates.
    names = [str(c) for c in frame.columns]
    template_fields = {functions[j].obj.field for j in to_run if not python[j]}
    arrows = {f: to_arrow(frame[f]) for f in template_fields}
    all_rows = _cached_rows(dataset, names) if any(python.values()) else None
    needed = names if any(python.values()) and all_rows is None else \
        sorted(f for f in template_fields if arrows[f] is None)
    columns = {c: frame[c].tolist() for c in needed}
    column_lists = [columns[c] for c in names] if any(python.values()) and all_rows is None else []
    tasks = [Task(j, c, start, min(start + size, n), python[j])
             for c, start in enumerate(range(0, n, size)) for j in to_run]
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

    state = {j: _Progress() for j in to_run}
    done = [float(m - len(to_run)) * n]

    def on_result(task: Task, r: ChunkResult) -> None:
        if state[task.function].error is not None:
            return  # the function already timed out or crashed elsewhere
        matrix[task.start:task.stop, task.function] = r.column
        state[task.function].add(r, task.start)
        done[0] += task.stop - task.start
        if progress is not None:
            progress(min(done[0] / (n * m), 0.999))

    def on_timeout(j: int) -> None:
        state[j].timed_out = True
        state[j].error = (f"stopped after {timeout_s:g} s: {functions[j].name} ran longer than the time limit "
                          f"(an endless loop?); {_failed_column(functions[j].kind)}")

    def on_crash(j: int, code: int | None) -> None:
        state[j].error = (f"the worker process running {functions[j].name} died (exit code {code}); "
                          f"{_failed_column(functions[j].kind)}")

    run_tasks(tasks, run_task, workers, timeout_s, on_result, on_timeout, on_crash)

    ids = frame["example_id"]
    for j in to_run:
        fn, s = functions[j], state[j]
        if s.error is not None:
            matrix[:, j] = -1 if fn.kind == "labeling" else False
        fault_row, tb, line = s.first_fault or (None, None, None)
        invalid_row, value = s.first_invalid or (None, None)
        report = replace(base[fn.name], faults=s.faults, first_traceback=tb, line=line,
                         first_example_id=None if fault_row is None else str(ids.iloc[fault_row]),
                         timed_out=s.timed_out, error=s.error, seconds=round(s.seconds, 4), invalid=s.invalid,
                         first_invalid_value=value,
                         first_invalid_example_id=None if invalid_row is None else str(ids.iloc[invalid_row]))
        reports[fn.name] = report
        if cache is not None and s.error is None:  # a timeout may be the machine's fault: try again next time
            cache.put(dataset.fingerprint, _cache_key(fn, cardinality), matrix[:, j].copy(), asdict(report))


def _failed_column(kind: str) -> str:
    return "its column abstains everywhere" if kind == "labeling" else "its slice is empty"
