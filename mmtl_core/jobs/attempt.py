"""Running one attempt of a registered run in this process: train it with a heartbeat, and record how it ended.

Used by the local backend's worker process and by the training command line (which registers its runs too).
Whatever happens, the attempt ends in the registry as succeeded, failed or cancelled, with its metrics (partial
ones for a run that did not finish), its error and traceback; a process killed outright records nothing, and the
supervisor's reaper marks it instead.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import Any

import pandas as pd

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import MMTLError
from mmtl_core.functions import apply_modules
from mmtl_core.jobs.heartbeat import Heartbeat
from mmtl_core.jobs.progress import summary_metrics
from mmtl_core.jobs.stopping import Stopped, stop_on_sigterm
from mmtl_core.runs.registry import Registry, RunRecord
from mmtl_core.train.config import TrainConfig, config_from_dict
from mmtl_core.train.loop import train


def run_attempt(registry: Registry, record: RunRecord, beat: Heartbeat) -> Path:
    """Train ``record``'s current attempt (already ``running``, in this process) and record its outcome; returns
    the run folder. Exceptions propagate after they are recorded (the caller picks the exit status)."""
    run_dir = Path(record.artifacts)
    with stop_on_sigterm():
        try:
            cfg = config_from_dict(TrainConfig, record.config)
            beat.set_phase("loading functions")
            registry.record_function_keys(record.id, *function_keys(Path(cfg.functions_dir)))
            beat.set_phase("preparing data")
            run = train(cfg, run_dir=run_dir, on_progress=beat.on_progress)
        except BaseException as e:
            record_failure(registry, record, beat, e)
            raise
    registry.transition(record.id, record.attempt, "succeeded", expected=("running",),
                        metrics=summary_metrics(run_dir), progress={**beat.progress, "phase": "done"})
    return run


def record_failure(registry: Registry, record: RunRecord, beat: Heartbeat, error: BaseException) -> None:
    cancelled = isinstance(error, Stopped) and beat.cancel_requested.is_set()
    message = str(error) if isinstance(error, (MMTLError, Stopped)) else f"{type(error).__name__}: {error}"
    registry.transition(record.id, record.attempt, "cancelled" if cancelled else "failed",
                        metrics=summary_metrics(Path(record.artifacts)), progress=beat.progress,
                        error=message or type(error).__name__,
                        traceback="".join(traceback.format_exception(error)))


def function_keys(folder: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """Each labeling and slicing function in ``folder`` with its cache key (the hash of everything that decides
    its output), and the problems loading found (a module that does not load is reported, not fatal).

    The modules are imported in the sandboxed function host, as the pages import them: finding the functions
    means running the user's module code, which never runs in this process. Nothing is applied (no kinds), so
    the host is handed an empty dataset."""
    run = apply_modules(_NO_ROWS, folder, kinds=())
    rows = [{"name": f.name, "kind": f.kind, "file": f.path.name, "line": f.line, "cache_key": f.cache_key}
            for f in run.functions]
    return rows, [str(e) for e in run.errors]


_NO_ROWS = Dataset("functions", pd.DataFrame({"example_id": pd.Series([], dtype=str),
                                              "split": pd.Series([], dtype=str)}))
