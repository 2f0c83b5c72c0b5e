"""Worker processes that run (function, row block) tasks and can be killed when a function runs past its time.

Workers are forked, so the user's functions and the data reach them without pickling. Each worker takes one task
at a time over a pipe; the parent watches the clock. When a function's total running time passes its limit, every
worker busy with it is killed and replaced, its remaining tasks are dropped, and the others carry on. A worker that
dies (a segfault, ``os._exit`` in user code) costs only the function it was running.

Each worker asks the kernel to kill it when its parent dies (so no worker outlives the process that started it),
and ``prepare`` (limits on memory and CPU time) runs in the worker before each task. Inside the function host each
worker also confines its own signals, so a function cannot end the process that coordinates the others. In the app, workers are forked
from a single-threaded process inside the function host (:mod:`host`), never from the threaded server.
"""

from __future__ import annotations

import multiprocessing
import time
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import Any

from mmtl_core.sandbox import confine_signals, die_with_parent

_POLL_S = 0.05


@dataclass(frozen=True)
class Task:
    function: int  # index into the caller's function list
    chunk: int  # index of the row block
    start: int
    stop: int
    needs_rows: bool  # an arbitrary-Python function: the worker builds (and keeps) Row objects for this block


class _Worker:
    def __init__(self, run_task: Callable[[Task], Any], prepare: Callable[[Task], None] | None,
                 confine: bool) -> None:
        ctx = multiprocessing.get_context("fork")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child, run_task, prepare, confine), daemon=True)
        with warnings.catch_warnings():  # Python >= 3.12 warns about fork with threads; see the module docstring
            warnings.filterwarnings("ignore", category=DeprecationWarning, message=".*fork.*")
            self.process.start()
        child.close()
        self.task: Task | None = None
        self.started = 0.0
        self.rows_chunk: int | None = None  # the block whose rows this worker holds

    def send(self, task: Task) -> None:
        self.task, self.started = task, time.monotonic()
        if task.needs_rows:
            self.rows_chunk = task.chunk
        self.conn.send(task)

    def kill(self) -> None:
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(timeout=1)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def _serve(conn: Connection, run_task: Callable[[Task], Any], prepare: Callable[[Task], None] | None,
           confine: bool) -> None:
    die_with_parent()
    if confine:
        confine_signals()  # its functions cannot signal the process that coordinates them, nor other workers
    while True:
        task = conn.recv()
        if task is None:
            return
        if prepare is not None:
            prepare(task)
        conn.send(run_task(task))


def _pick(pending: OrderedDict[int, deque[Task]], worker: _Worker, claimed: set[int]) -> Task | None:
    """Prefer the block whose rows the worker already built, then a block no other worker holds."""
    if not pending:
        return None
    chunk = worker.rows_chunk
    if chunk not in pending:
        chunk = next((c for c in pending if c not in claimed), next(iter(pending)))
    queue = pending[chunk]
    task = queue.popleft()
    if not queue:
        del pending[chunk]
    return task


def run_tasks(tasks: list[Task], run_task: Callable[[Task], Any], n_workers: int, timeout_s: float,
              on_result: Callable[[Task, Any], None], on_timeout: Callable[[int], None],
              on_crash: Callable[[int, int | None], None], *, prepare: Callable[[Task], None] | None = None,
              on_start: Callable[[set[int]], None] | None = None, confine: bool = False) -> None:
    """Run ``tasks`` on ``n_workers`` forked workers; report each result, timed-out function and crash.

    ``on_start`` hears which functions the workers are running whenever that set changes; ``confine`` puts each
    worker in a Landlock domain of its own (see :func:`mmtl_core.sandbox.confine_signals`)."""
    pending: OrderedDict[int, deque[Task]] = OrderedDict()
    for t in tasks:
        pending.setdefault(t.chunk, deque()).append(t)
    used: dict[int, float] = {}  # seconds each function has run, finished tasks only
    workers = [_Worker(run_task, prepare, confine) for _ in range(max(1, min(n_workers, len(tasks))))]
    running_before: set[int] = set()

    def drop(function: int) -> None:
        for chunk in list(pending):
            pending[chunk] = deque(t for t in pending[chunk] if t.function != function)
            if not pending[chunk]:
                del pending[chunk]

    def replace(w: _Worker) -> _Worker:
        w.kill()
        fresh = _Worker(run_task, prepare, confine)
        workers[workers.index(w)] = fresh
        return fresh

    try:
        while True:
            starting: list[tuple[_Worker, Task]] = []
            for w in workers:
                if w.task is None:
                    claimed = {o.rows_chunk for o in workers if o is not w} | {t.chunk for _, t in starting}
                    task = _pick(pending, w, claimed)
                    if task is not None:
                        starting.append((w, task))
            running_now = ({w.task.function for w in workers if w.task is not None}
                           | {t.function for _, t in starting})
            if on_start is not None and running_now != running_before:
                on_start(running_now)  # before the tasks start: a function that kills us is already named
            running_before = running_now
            for w, task in starting:
                w.send(task)
            busy = [w for w in workers if w.task is not None]
            if not busy:
                return
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout=_POLL_S))
            for w in busy:
                task = w.task
                if w.conn in ready:
                    try:
                        result = w.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is not None:
                        w.task = None
                        used[task.function] = used.get(task.function, 0.0) + (time.monotonic() - w.started)
                        on_result(task, result)
                        continue
                if w.conn in ready or w.process.sentinel in ready:  # died without answering
                    w.process.join()
                    code = w.process.exitcode
                    replace(w)
                    drop(task.function)
                    on_crash(task.function, code)
            now = time.monotonic()
            running: dict[int, float] = {}
            for w in workers:
                if w.task is not None:
                    running[w.task.function] = running.get(w.task.function, 0.0) + now - w.started
            for function, seconds in running.items():
                if used.get(function, 0.0) + seconds > timeout_s:
                    for w in [w for w in workers if w.task is not None and w.task.function == function]:
                        replace(w)
                    drop(function)
                    on_timeout(function)
    finally:
        for w in workers:
            if w.task is None:
                w.stop()
            else:
                w.kill()
