"""The GPU race script (bench/trainer_vs_hf.py) runs where it matters only on a lent GPU, with no time to debug it
there: its CPU smoke mode runs here, and both sides must have trained on exactly the same batches."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_race_smoke_trains_both_sides_on_the_same_batches_and_prints_the_ratio(shared_data):
    done = subprocess.run([sys.executable, "bench/trainer_vs_hf.py", "--smoke", "--threads", "1",
                           "--data", str(shared_data / "glue_data")], cwd=REPO, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    windows = {m["side"]: (int(m["examples"]), int(m["tokens"])) for m in (
        re.match(r"(?P<side>ours|HF)\s*:.*\((?P<examples>\d+) examples, (?P<tokens>\d+) tokens", line)
        for line in lines) if m}
    assert windows["ours"] == windows["HF"] and windows["ours"][0] > 0
    assert re.fullmatch(r"trainer_vs_hf_throughput_ratio: \d+\.\d{3}", lines[-1])
