"""The command line as a job queue uses it: another process follows progress.json live, SIGTERM stops the run with
its folder kept and marked failed, and a run killed outright (SIGKILL) reads as failed instead of running forever."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

from train_helpers import only_run, wait_for, write_table_config
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.status import read_status

REPO = Path(__file__).resolve().parents[2]


def read_progress(runs: Path) -> dict | None:
    """The run's latest training report (before training, progress.json follows loading and encoding)."""
    for path in runs.glob("*/progress.json"):
        report = json.loads(path.read_text())  # written atomically: never half a file
        return report if report["phase"] == "train" else None
    return None


def start_long_run(tmp_path: Path, tiny_encoder: str) -> subprocess.Popen:
    config = write_table_config(tmp_path, tiny_encoder, "frozen", epochs=100_000)  # far longer than the test
    return subprocess.Popen([sys.executable, "-m", "mmtl_core.train", str(config)], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})


def test_progress_is_followed_live_and_sigterm_stops_the_run_keeping_its_folder(tmp_path, tiny_encoder):
    proc = start_long_run(tmp_path, tiny_encoder)
    try:
        runs = tmp_path / "runs"
        first = wait_for(lambda: read_progress(runs), what="the first progress report")
        later = wait_for(lambda: (p := read_progress(runs)) and p["step"] > first["step"] and p, what="progress")
        assert later["total_steps"] == first["total_steps"] and later["eta_s"] > 0 and later["examples_per_s"] > 0
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "stopped by SIGTERM" in err and "Traceback" not in err
    assert re.search(r"Encoding review/train: \d+ of \d+ rows \([\d,.]+ rows/s, \d+ s left\)", err)  # never silent
    run = only_run(runs)
    status = read_status(run)
    assert status["status"] == "failed" and "stopped by SIGTERM" in status["error"]
    assert read_metrics(run) and (run / "config.json").exists()  # what it wrote before the stop is kept
    assert "run failed: stopped by SIGTERM" in (run / "log.txt").read_text()


def test_a_killed_run_reads_as_failed_not_running_forever(tmp_path, tiny_encoder):
    proc = start_long_run(tmp_path, tiny_encoder)
    try:
        wait_for(lambda: read_progress(tmp_path / "runs"), what="the first progress report")
        run = only_run(tmp_path / "runs")
        assert read_status(run)["status"] == "running"
        proc.kill()  # SIGKILL: nothing in the process runs any more, so it records nothing
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    status = read_status(run)
    assert status["status"] == "failed" and f"pid {proc.pid}) ended without recording an outcome" in status["error"]
    assert json.loads((run / "status.json").read_text())["status"] == "running"  # a reader does not rewrite it
