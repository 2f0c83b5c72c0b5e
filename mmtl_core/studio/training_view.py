"""What the Train page shows of the registry: the queue and runs table, and a run's curves, log and facts. Display
formatting only: every number comes from the registry, the run folder or the job's progress history."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from mmtl_core.jobs.layout import progress_history
from mmtl_core.jobs.progress import log_tail, read_progress
from mmtl_core.keys import MetricKey
from mmtl_core.progress import progress_fraction, progress_text
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.registry import RunRecord

TABLE_COLUMNS = ("name", "state", "progress", "time left", "tasks", "dev metrics", "parent", "created", "id")


def duration(seconds: float | None) -> str:
    """``45 s``, ``3 min 20 s``, ``2 h 05 min``; empty when unknown."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def dev_metrics(metrics: dict[str, Any] | None) -> str:
    """The task heads' dev metrics (``accuracy 0.842, f1 0.801``; several tasks: ``RTE accuracy 0.61 · ...``)."""
    if not metrics:
        return ""
    shown: dict[str, list[str]] = {}
    for key, value in metrics.items():
        k = MetricKey.parse(key)
        if k.split == "dev" and k.head == k.task:
            shown.setdefault(k.task, []).append(f"{k.metric} {'n/a' if value is None else f'{value:.3f}'}")
    if len(shown) == 1:
        return ", ".join(next(iter(shown.values())))
    return " · ".join(f"{task} {', '.join(values)}" for task, values in shown.items())


def run_fraction(record: RunRecord) -> float:
    """How far the run's current phase is (encoding, then each training stage), 0..1; 1 once it succeeded."""
    return 1.0 if record.state == "succeeded" else progress_fraction(record.progress or {})


def state_label(record: RunRecord, ahead: int) -> str:
    """The state as a user reads it: ``queued (2 ahead)``, ``running (cancelling)``, ``running: encode``."""
    if record.state == "queued":
        return f"queued ({ahead} ahead)" if ahead else "queued (next)"
    if record.active and record.cancel_requested_at:
        return f"{record.state} (cancelling)"
    phase = (record.progress or {}).get("phase")
    if record.state == "running" and phase and phase != "train":
        return f"running: {phase}"
    return record.state


def runs_table(records: list[RunRecord]) -> pd.DataFrame:
    """One row per run (records listed with their configs, for the tasks), as the queue and runs table shows it."""
    names = {r.id: r.name for r in records}
    waiting: dict[str, list[float]] = {}
    for r in records:
        if r.state == "queued":
            waiting.setdefault(r.device, []).append(r.queued_at)
    rows = []
    for r in records:
        ahead = sum(q < r.queued_at for q in waiting.get(r.device, ())) if r.state == "queued" else 0
        eta = (r.progress or {}).get("eta_s") if r.state == "running" else None
        rows.append({
            "name": r.name, "state": state_label(r, ahead), "progress": run_fraction(r),
            "time left": duration(eta), "tasks": ", ".join(t["task"] for t in (r.config or {}).get("tasks", [])),
            "dev metrics": dev_metrics(r.metrics),
            "parent": names.get(r.parent_id, f"{r.parent_id} (deleted)") if r.parent_id else "",
            "created": dt.datetime.fromtimestamp(r.created_at).strftime("%Y-%m-%d %H:%M"), "id": r.id})
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def loss_curve(record: RunRecord) -> pd.DataFrame:
    """The current attempt's training loss as reported (about twice a second), by stage and step."""
    reports = [r for r in read_progress(progress_history(Path(record.artifacts), record.attempt)) if "loss" in r]
    return pd.DataFrame(reports, columns=["stage", "step", "total_steps", "epoch", "loss"])


def metric_curves(record: RunRecord) -> pd.DataFrame:
    """Every evaluation's dev metrics: stage, step, epoch, metric key, value (long form, for one line per key)."""
    rows = [{"stage": r["stage"], "step": r["step"], "epoch": r["epoch"], "metric": key, "value": value}
            for r in read_metrics(Path(record.artifacts)) if r.get("stage") != "final"
            for key, value in r["metrics"].items()]
    return pd.DataFrame(rows, columns=["stage", "step", "epoch", "metric", "value"])


def run_facts(record: RunRecord) -> dict[str, str]:
    """What the detail shows beside the curves, as label -> text."""
    progress = record.progress or {}
    when = {label: dt.datetime.fromtimestamp(t).strftime("%Y-%m-%d %H:%M:%S") for label, t in
            (("queued", record.queued_at), ("started", record.running_at), ("ended", record.ended_at)) if t}
    facts = {"state": record.state, "backend": record.backend + (f" ({record.backend_address})"
                                                                 if record.backend_address else ""),
             "device": record.device, "attempt": str(record.attempt), **when}
    if record.active and record.heartbeat_at:
        facts["last heartbeat"] = duration(dt.datetime.now().timestamp() - record.heartbeat_at) + " ago"
    if record.active and ("done" in progress or "step" in progress):
        facts["now"] = progress_text(progress)
    if record.note:
        facts["note"] = record.note
    return facts


def log_of(record: RunRecord, lines: int = 40) -> str:
    return log_tail(record.log_path, lines)
