"""The training command line registers its runs: they show in the registry beside the app's, and a command-line
run killed outright is reaped like any job."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from jobs_helpers import table_config
from mmtl_core.jobs.supervisor import Supervisor
from mmtl_core.runs.registry import Registry, default_url
from mmtl_core.train.__main__ import main
from train_helpers import wait_for

REPO = Path(__file__).resolve().parents[2]


def write(config: dict, path: Path) -> Path:
    path.write_text(yaml.safe_dump(config))
    return path


def test_a_command_line_run_is_registered_with_its_outcome_and_a_bad_config_is_not(tmp_path, tiny_encoder, capsys):
    config = table_config(tmp_path, tiny_encoder, epochs=1)
    runs = Path(config["output_dir"])
    assert main([str(write({**config, "batch_size": 0}, tmp_path / "bad.yaml"))]) == 2
    assert "'batch_size' must be >= 1" in capsys.readouterr().err and not (runs / "runs.sqlite").exists()
    assert main([str(write(config, tmp_path / "run.yaml"))]) == 0
    folder = capsys.readouterr().out.strip()
    (record,) = Registry(default_url(runs)).list_runs(with_config=True)
    assert (record.backend, record.state, record.artifacts, record.pid) == ("cli", "succeeded", folder, os.getpid())
    assert record.metrics["review/review/dev/accuracy"] >= 0 and record.config["epochs"] == 1
    assert record.functions["functions"] == [] and record.heartbeat_at


def test_a_command_line_run_killed_outright_is_marked_lost_by_the_reaper(tmp_path, tiny_encoder):
    config = table_config(tmp_path, tiny_encoder, epochs=100_000)
    url = f"sqlite:///{tmp_path / 'registry.sqlite'}"
    proc = subprocess.Popen([sys.executable, "-m", "mmtl_core.train", str(write(config, tmp_path / "run.yaml")),
                             "--registry", url], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        registry = Registry(url)
        wait_for(lambda: (r := registry.list_runs()) and (r[0].progress or {}).get("phase") == "train", 120,
                 "the run to train")
        proc.kill()
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    Supervisor(registry, tmp_path / "runs").tick()  # any supervisor of this host reaps it, parent or not
    (record,) = registry.list_runs()
    assert record.state == "lost" and f"(pid {proc.pid}) ended (its exit status is unknown" in record.error
    assert record.metrics  # what it evaluated before is kept
