"""The run directory: one folder per run, written as training goes so a crash keeps what was done.

    <output_dir>/<run_id>/
      config.json        resolved config + seed, git commit, package versions, device
      metrics.jsonl      one JSON object per evaluation: stage, step, epoch, metrics {"task/dataset/split/metric": v}
      predictions/<head>/<split>.parquet   example_id + prob_0..prob_{K-1} (or score)
      gold/<task>/<split>.parquet          example_id, label, slice:<name> membership (scores ensembles later)
      weights/<task>.safetensors           encoder + that task's heads, from that task's best checkpoint
      log.txt, progress.json (rewritten atomically), status.json (running / completed / failed)
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import secrets
import socket
import subprocess
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mmtl_core.atomic import atomic_write, atomic_write_text

STATUSES = ("running", "completed", "failed")


def new_run_id() -> str:
    """``20261125-183000-ab12``: sorts by creation time (UTC), safe as a folder name, unique enough."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def create_run_dir(output_dir: Path) -> Path:
    output_dir.mkdir(parents=True, exist_ok=True)
    while True:
        path = output_dir / new_run_id()
        try:
            path.mkdir()
            return path
        except FileExistsError:  # same second and same random suffix: draw again
            continue


def json_safe(value: Any) -> Any:
    """NaN and infinities as null: strict JSON, which browsers' and other languages' parsers accept."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_json(path: Path, data: Any) -> None:
    """Atomic: write beside, then rename, so a reader never sees half a file."""
    atomic_write_text(path, json.dumps(json_safe(data), indent=2, default=str, allow_nan=False))


def append_metrics(run: Path, record: dict[str, Any]) -> None:
    """One line per evaluation; an undefined metric (no labeled rows, a constant prediction's correlation) is null."""
    with open(run / "metrics.jsonl", "a") as f:
        f.write(json.dumps(json_safe(record), default=float, allow_nan=False) + "\n")


def read_metrics(run: Path) -> list[dict[str, Any]]:
    """The records of metrics.jsonl; null metric values come back as NaN, so every value is a float."""
    path = run / "metrics.jsonl"
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for r in records:
        r["metrics"] = {k: float("nan") if v is None else v for k, v in r.get("metrics", {}).items()}
    return records


def write_predictions(run: Path, head: str, split: str, example_ids: np.ndarray, values: np.ndarray) -> Path:
    """``predictions/<head>/<split>.parquet``: example_id + prob_k columns, or one ``score`` column."""
    folder = run / "predictions" / head
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"example_id": np.asarray(example_ids).astype(str)})
    if values.ndim == 1:
        frame["score"] = values.astype(np.float64)
    else:
        for k in range(values.shape[1]):
            frame[f"prob_{k}"] = values[:, k].astype(np.float64)
    return atomic_write(folder / f"{split}.parquet", lambda tmp: frame.to_parquet(tmp, index=False))


def write_gold(run: Path, data, split: str) -> Path:
    """``gold/<task>/<split>.parquet``: the labels and slice membership the run's metrics were computed on."""
    part = data.splits[split]
    folder = run / "gold" / data.task.name
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame({"example_id": np.asarray(part.example_ids).astype(str), "label": part.gold})
    for j, s in enumerate(data.slices):
        frame[f"slice:{s}"] = part.slices[:, j]
    return atomic_write(folder / f"{split}.parquet", lambda tmp: frame.to_parquet(tmp, index=False))


def read_predictions(run: Path) -> dict[str, dict[str, pd.DataFrame]]:
    """{head: {split: frame}} for every stored prediction file of a run (or ensemble)."""
    out: dict[str, dict[str, pd.DataFrame]] = {}
    for f in sorted((run / "predictions").glob("*/*.parquet")):
        out.setdefault(f.parent.name, {})[f.stem] = pd.read_parquet(f)
    return out


def write_status(run: Path, status: str, error: BaseException | None = None) -> None:
    """status.json; it names the writing process, so a reader can tell a live run from one that was killed."""
    data: dict[str, Any] = {"status": status, "time": dt.datetime.now(dt.timezone.utc).isoformat(),
                            "pid": os.getpid(), "host": socket.gethostname()}
    if error is not None:
        data["error"] = f"{type(error).__name__}: {error}"
        data["traceback"] = "".join(traceback.format_exception(error))
    write_json(run / "status.json", data)


def read_status(run: Path) -> dict[str, Any]:
    """The run's status.json. A "running" run whose process is gone from this machine (SIGKILL, the kernel's
    out-of-memory killer, a power cut) cannot record its end itself: it reads as "failed", saying so; the file
    is left as it is."""
    data = json.loads((run / "status.json").read_text())
    pid = data.get("pid")
    if data.get("status") == "running" and data.get("host") == socket.gethostname() and pid and not _alive(pid):
        data = {**data, "status": "failed",
                "error": f"the training process (pid {pid}) ended without recording an outcome: it was killed "
                         "(SIGKILL, or out of memory) or its machine stopped; log.txt has its last lines"}
    return data


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def git_state(folder: Path) -> dict[str, Any]:
    """The commit checked out where ``folder`` lives, and whether files there differ from it (uncommitted edits
    to labeling functions would otherwise pass for the committed ones); nulls outside a git work tree."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD") if folder.is_dir() else None
    if not commit:
        return {"git_commit": None, "git_dirty": None}
    changes = git("status", "--porcelain", "--untracked-files=no", "--", ".")
    return {"git_commit": commit, "git_dirty": None if changes is None else bool(changes)}


def package_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("torch", "transformers", "numpy", "pandas", "safetensors"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out
