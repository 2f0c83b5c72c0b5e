"""The local backend's latencies, as the Train page meets them: launch -> running (the supervisor already up, the
device free), and a progress report written by the job -> in the registry (the page polls the registry every
second on top of that). Tiny frozen-mode runs on a 2-layer BERT, so training itself is not what is measured.

    python bench/job_start.py [--runs 5]
Last line: ``job_start_s: <median seconds from launch to running>`` (target: <= 2 s, and progress on the page
<= 2 s: the registry delay printed above it plus the page's 1 s poll).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "train")]  # run as `python bench/<name>.py`; the tiny encoder
from mmtl_core.jobs.queue import JobQueue  # noqa: E402
from mmtl_core.jobs.supervisor import Settings, supervisor_pid  # noqa: E402
from mmtl_core.runs.layout import PROGRESS  # noqa: E402
from mmtl_core.workspace import Workspace  # noqa: E402
from train_helpers import save_tiny_bert, wait_for, write_table_config  # noqa: E402


def progress_delays(queue: JobQueue, run_id: str, seconds: float) -> list[float]:
    """For each training step seen in the job's progress.json, how much later the registry had it."""
    file_seen: dict[int, float] = {}
    matched: set[int] = set()
    delays = []
    end = time.monotonic() + seconds
    folder = queue.runs_dir / run_id
    while time.monotonic() < end:
        try:
            step = json.loads((folder / PROGRESS).read_text())["step"]
            file_seen.setdefault(step, time.monotonic())
        except (FileNotFoundError, ValueError, KeyError):  # not written yet, or replaced as we read it
            pass
        step = (queue.registry.get(run_id).progress or {}).get("step")
        if step in file_seen and step not in matched:
            matched.add(step)
            delays.append(time.monotonic() - file_seen[step])
        time.sleep(0.02)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        encoder = save_tiny_bert(tmp / "encoder")
        config = yaml.safe_load(write_table_config(tmp, str(encoder), "frozen", epochs=100_000).read_text())
        config["functions_dir"] = str(tmp / "functions")
        queue = JobQueue.for_workspace(Workspace.at(tmp / "workspace", tmp / "functions"),
                                       settings=Settings(idle_exit_s=60))
        queue.wake()
        wait_for(lambda: supervisor_pid(queue.runs_dir), 60, "the supervisor")
        starts, delays = [], []
        try:
            for i in range(args.runs):
                t0 = time.time()
                record = queue.launch({**config, "seed": i})
                running = wait_for(lambda: (r := queue.registry.get(record.id)).running_at and r, 60, "running")
                starts.append(running.running_at - t0)
                wait_for(lambda: (queue.registry.get(record.id).progress or {}).get("step"), 120, "training")
                delays += progress_delays(queue, record.id, 5.0)
                queue.cancel(record.id)
                wait_for(lambda: queue.registry.get(record.id).finished, 60, "the cancel")
        finally:
            pid = supervisor_pid(queue.runs_dir)
            if pid:
                os.kill(pid, signal.SIGTERM)
        print(f"launch -> running: median {statistics.median(starts):.3f} s, max {max(starts):.3f} s "
              f"over {len(starts)} launches")
        print(f"progress.json -> registry: median {statistics.median(delays):.3f} s, max {max(delays):.3f} s over "
              f"{len(delays)} reports (the page polls every 1 s on top)")
        print(f"job_start_s: {statistics.median(starts):.3f}")


if __name__ == "__main__":
    main()
