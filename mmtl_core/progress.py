"""Progress of long work (loading an encoder, tokenizing, encoding, training) as plain reports that a callback
receives, progress.json stores, the app draws as a bar and the command line prints as a line.

A report is a dict with ``phase`` ("load_encoder", "tokenize", "encode", "train"), ``what`` (which data or
model), ``done`` and ``total`` (rows; steps when training) and, once measurable, ``rows_per_s`` and ``eta_s``.
Training reports carry the loop's own fields too (stage, step, loss, lr...). :func:`progress_text` and
:func:`progress_fraction` are the one way to show a report, so the bar and the line always agree.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

Report = dict[str, Any]
Progress = Callable[[Report], None]

_VERBS = {"load_encoder": "Loading the encoder", "tokenize": "Tokenizing", "encode": "Encoding",
          "train": "Training"}


class Meter:
    """Counts the rows of one phase and reports them (with rows/s and time left) at most every ``interval_s``
    seconds, and always at the start and the end."""

    def __init__(self, report: Progress | None, phase: str, what: str, total: int, interval_s: float = 0.5) -> None:
        self.report, self.phase, self.what, self.total = report, phase, what, total
        self.interval_s, self.done = interval_s, 0
        self.start = self.last = time.perf_counter()
        self._send(0.0)

    def advance(self, rows: int) -> None:
        self.done += rows
        now = time.perf_counter()
        if self.done >= self.total or now - self.last >= self.interval_s:
            self.last = now
            self._send(now - self.start)

    def _send(self, elapsed: float) -> None:
        if self.report is None:
            return
        report: Report = {"phase": self.phase, "what": self.what, "done": self.done, "total": self.total,
                          "elapsed_s": elapsed}
        if self.done and elapsed > 0:
            rate = self.done / elapsed
            report |= {"rows_per_s": rate, "eta_s": (self.total - self.done) / rate}
        self.report(report)


def progress_fraction(report: Report) -> float:
    """How much of the phase is done, 0..1 (training: of the stage's steps)."""
    done, total = (report.get("step", 0), report.get("total_steps", 0)) if report.get("phase") == "train" else \
        (report.get("done", 0), report.get("total", 0))
    return min(1.0, done / total) if total else 0.0


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def progress_text(report: Report) -> str:
    """``'Encoding RTE/train: 1,216 of 4,972 texts (52.3 rows/s, 1 min 12 s left)'`` and the like."""
    phase = report.get("phase", "train")
    verb = _VERBS.get(phase, phase)
    if phase == "train":
        head = (f"{verb} (stage {report.get('stage', 1)}): step {report.get('step', 0):,} of "
                f"{report.get('total_steps', 0):,}, epoch {report.get('epoch', 0):.2f}, loss {report.get('loss', 0):.4f}")
        rate = report.get("examples_per_s")
        unit = "examples/s"
    else:
        head = f"{verb} {report.get('what', '')}".rstrip()
        if phase != "load_encoder":
            head += f": {report.get('done', 0):,} of {report.get('total', 0):,} rows"
        elif report.get("done"):
            head += f": done in {_duration(report.get('elapsed_s', 0))}"
        rate, unit = report.get("rows_per_s"), "rows/s"
    if rate is None or phase == "load_encoder":
        return head
    return f"{head} ({rate:,.1f} {unit}, {_duration(report.get('eta_s', 0))} left)"
