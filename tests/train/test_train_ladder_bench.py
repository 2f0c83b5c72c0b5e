"""A miniature RTE ladder through bench/ladder.py itself (a tiny BERT with MiniLM's tokenizer, a few rows of each
real GLUE task): every step's runs, table rows and results-page lines are produced, and a second invocation
reuses every run instead of training it again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.listing import list_runs

REPO = Path(__file__).resolve().parents[2]
STEP_ROWS = ("1 single task", "2 multi-task", "3 + per-task fine-tuning", "4 + slice heads",
             "4b + slice combiner (variant of 4)", "5 ensemble of 3 runs")


def ladder(tmp_path: Path, encoder: str, glue: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [sys.executable, "bench/ladder.py", "--encoder", encoder, "--workspace", str(tmp_path / "ws"),
            "--glue", str(glue), "--results", str(tmp_path / "results.md"), "--max-rows", "16", "--seeds", "2",
            "--variant-seeds", "1", "--threads", "1", *extra]
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.returncode == 0, done.stderr[-3000:]
    return done


@pytest.mark.slow
def test_miniature_ladder_trains_every_step_writes_its_table_and_resumes(tmp_path, tiny_encoder, shared_data):
    first = ladder(tmp_path, tiny_encoder, shared_data / "glue_data")
    runs = list_runs(tmp_path / "ws" / "runs")
    assert all(r.completed for r in runs)
    names = sorted(r.name for r in runs)
    for step, seeds in (("1 single task", 2), ("2 multi-task", 2), ("3 per-task fine-tuning", 2),
                        ("4 slice heads", 2), ("4b slice combiner", 1)):
        assert [n for n in names if f"· {step} · seed" in n] == [f"RTE ladder (quick) · {step} · seed {s}"
                                                                  for s in range(seeds)]
    (ensemble,) = [r for r in runs if r.is_ensemble]
    assert len(read_config(ensemble.path)["ensemble"]["runs"]) == 3
    trained = {r.name: r for r in runs}
    assert trained["RTE ladder (quick) · 2 multi-task · seed 0"].tasks == ("RTE", "MRPC", "STSB", "WNLI", "CoLA",
                                                                          "SST2")
    for later in ("3 per-task fine-tuning · seed 1", "4 slice heads · seed 1", "4b slice combiner · seed 0"):
        run = trained[f"RTE ladder (quick) · {later}"]  # RTE alone, from step 2's run of the same seed
        seed = later[-1]
        assert run.tasks == ("RTE",)
        assert read_config(run.path)["config"]["init_from"] == str(
            trained[f"RTE ladder (quick) · 2 multi-task · seed {seed}"].path)
    assert (trained["RTE ladder (quick) · 4 slice heads · seed 0"].path / "predictions" / "RTE:multiple_pronouns"
            / "test.parquet").exists()

    page = (tmp_path / "results.md").read_text()
    section = re.search(r"<!-- ladder-quick: .*? -->\n(.*)\n<!-- /ladder-quick -->", page, re.S)[1]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| step")]
    table_rows = [r for r in rows if re.match(r"\| (\d+b?) ", r) and "%" not in r][:len(STEP_ROWS)]
    assert [r.split(" | ")[0][2:] for r in table_rows] == list(STEP_ROWS)
    assert "| 2 multi-task | 2 | " in section and re.search(r"vs 1: [+-]\d+\.\d: [+-]\d+\.\d \(p[=<]\d\.\d+\)", section)
    assert "dash_semicolon (n=" in section and "multiple_pronouns (n=" in section
    assert "- command: `python bench/ladder.py --encoder" in section and "- encoder: " in section
    for run in runs:
        assert run.run_id in section  # every run named on the page
    lines = first.stdout.strip().splitlines()
    assert re.fullmatch(r"ladder_quick_minutes: \d+\.\d", lines[-1])

    again = ladder(tmp_path, tiny_encoder, shared_data / "glue_data")
    assert len(list_runs(tmp_path / "ws" / "runs")) == len(runs)  # nothing trained twice
    assert again.stdout.count("reused") >= 10 and "trained in" not in again.stdout
    assert f"step 5: reused {ensemble.run_id}" in again.stdout
