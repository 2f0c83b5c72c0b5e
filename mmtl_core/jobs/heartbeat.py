"""A job's heartbeat: a thread that writes the job's progress to the registry every second or so and watches for
a cancel request, which the training loop then honours between steps (``on_progress`` raises Stopped). Every
progress report also goes to the attempt's progress history, for loss curves."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from mmtl_core.errors import MMTLError
from mmtl_core.jobs.layout import progress_history
from mmtl_core.jobs.progress import append_progress, summary_metrics
from mmtl_core.runs.registry import Registry
from mmtl_core.jobs.stopping import Stopped

log = logging.getLogger("mmtl_core.jobs")
INTERVAL_S = 1.0  # a progress update reaches the page within this plus the page's own polling interval
MIN_SPACING_S = 0.5  # progress reports arrive every 0.5 s at most (PROGRESS_INTERVAL_S in the loop)


class Heartbeat:
    """Use as a context manager around a job; pass :meth:`on_progress` to ``train``."""

    def __init__(self, registry: Registry, run_id: str, attempt: int, run_dir: Path,
                 interval_s: float = INTERVAL_S) -> None:
        self.registry, self.run_id, self.attempt, self.run_dir = registry, run_id, attempt, Path(run_dir)
        self.interval_s = interval_s
        self.history = progress_history(self.run_dir, attempt)
        self._progress: dict[str, Any] = {"phase": "preparing"}
        self._lock = threading.Lock()
        self._news = threading.Event()
        self._done = threading.Event()
        self.cancel_requested = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._news.set()
        self._thread.join()

    @property
    def progress(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._progress)

    def set_phase(self, phase: str) -> None:
        with self._lock:
            self._progress = {**self._progress, "phase": phase}
        self._news.set()

    def on_progress(self, report: dict[str, Any]) -> None:
        """The run's progress hook (loading, encoding, training: see mmtl_core.progress): record the report; stop
        the run if a cancel was requested."""
        with self._lock:
            self._progress = dict(report)
        if "loss" in report:  # a training step's report: a line every half second at most, the loss curve
            append_progress(self.history, report)
        self._news.set()
        if self.cancel_requested.is_set():
            raise Stopped("cancelled from the app")

    def _run(self) -> None:
        while not self._done.is_set():
            try:
                self.beat()
            except MMTLError:  # the registry is busy or unreachable for now: training goes on, the next beat retries
                log.exception("heartbeat of run %s could not be written", self.run_id)
            self._done.wait(MIN_SPACING_S)
            self._news.wait(self.interval_s - MIN_SPACING_S)
            self._news.clear()

    def beat(self) -> None:
        still_active = self.registry.heartbeat(self.run_id, self.attempt, self.progress,
                                               summary_metrics(self.run_dir))
        # a finished attempt (someone else recorded its end) must not keep training unobserved
        if not still_active or self.registry.cancel_requested(self.run_id, self.attempt):
            self.cancel_requested.set()
