"""The Train page's re-render with 200 runs in the registry and a job running (a tiny frozen-mode run on a 2-layer
BERT, training while the page renders; the run shown is the running one, with its live curves and log).

    python bench/train_page.py [--runs 200] [--renders 15]
Last line: ``train_page_render_ms: <median ms of a re-render, AppTest's own overhead included>`` (target <= 200).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "train")]  # run as `python bench/<name>.py`; the tiny encoder
from mmtl_core.jobs.inputs import snapshot_files  # noqa: E402
from mmtl_core.jobs.queue import JobQueue  # noqa: E402
from mmtl_core.jobs.supervisor import supervisor_pid  # noqa: E402
from mmtl_core.train.config import TaskSpec, TrainConfig  # noqa: E402
from mmtl_core.workspace import Workspace  # noqa: E402
from train_helpers import reviews_workspace, save_tiny_bert, wait_for  # noqa: E402

SLICES = "from snorkel.slicing import slicing_function\n\n\n@slicing_function()\ndef negated(x):\n" \
         "    return x.text.startswith('not ')\n"


def workspace(folder: Path) -> Workspace:
    ws = reviews_workspace(folder)
    (ws.functions_dir / "reviews_slices.py").write_text(SLICES)
    return ws


def fill_registry(queue: JobQueue, n: int) -> None:
    """``n`` finished runs as the registry holds them: configs, function snapshots, metrics, progress."""
    ws = queue.workspace
    config = TrainConfig(tasks=(TaskSpec("reviews", dataset="reviews", slices=("negated",)),), mode="frozen",
                         workspace=str(ws.root), functions_dir=str(ws.functions_dir)).to_dict()
    snapshot = snapshot_files(ws.functions_dir)
    states = ("succeeded", "succeeded", "succeeded", "failed", "cancelled")
    for i in range(n):
        run_id = f"20260101-{i:06d}-bench"
        queue.registry.create_run(run_id, name=f"reviews (gold) · frozen · seed {i}", config={**config, "seed": i},
                                  functions=snapshot, artifacts=str(ws.runs_dir / run_id), backend="local",
                                  device="cpu", parent_id=f"20260101-{i - 1:06d}-bench" if i % 3 else None)
        queue.registry.claim_next("cpu", host="elsewhere", slots=n)
        queue.registry.transition(run_id, 1, "running", progress={"phase": "train", "step": 90,
                                                                  "total_steps": 90, "stage": 1})
        queue.registry.transition(run_id, 1, states[i % len(states)], error="boom" if i % 5 == 3 else None,
                                  metrics={"reviews/reviews/dev/accuracy": 0.5 + i / 1000,
                                           "reviews/reviews/dev/f1": 0.4 + i / 1000,
                                           "reviews:negated/reviews/dev/accuracy": 0.7})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--renders", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = workspace(tmp)
        os.environ.update(MMTL_WORKSPACE=str(ws.root), MMTL_FUNCTIONS_DIR=str(ws.functions_dir))
        queue = JobQueue.for_workspace(ws)
        fill_registry(queue, args.runs)
        encoder = save_tiny_bert(tmp / "encoder")
        running = queue.launch(TrainConfig(tasks=(TaskSpec("reviews", dataset="reviews"),), encoder=str(encoder),
                                           mode="frozen", epochs=100_000, max_length=8, batch_size=16))
        try:
            wait_for(lambda: (queue.registry.get(running.id).progress or {}).get("step"), 120, "the job to train")
            at = AppTest.from_file(str(REPO / "studio.py"), default_timeout=120)  # app.py serves it behind the door
            at.run()
            at.switch_page("pages/views/training.py")
            at.run()
            assert not at.exception, [e.message for e in at.exception]
            table = next(d.value for d in at.dataframe if "progress" in d.value.columns)
            assert len(table) == args.runs + 1 and table["state"].iloc[0] == "running", table.head()
            times = []
            for _ in range(args.renders):
                t0 = time.perf_counter()
                at.run()
                times.append((time.perf_counter() - t0) * 1000)
            assert not at.exception, [e.message for e in at.exception]
            step = queue.registry.get(running.id).progress["step"]
        finally:
            queue.cancel(running.id)
            wait_for(lambda: queue.registry.get(running.id).finished, 60, "the cancel")
            pid = supervisor_pid(queue.runs_dir)
            if pid:
                os.kill(pid, signal.SIGTERM)
        print(f"{args.runs} runs in the registry, one job training (step {step} when measured); "
              f"{args.renders} re-renders: median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
        print(f"train_page_render_ms: {statistics.median(times):.0f}")


if __name__ == "__main__":
    main()
