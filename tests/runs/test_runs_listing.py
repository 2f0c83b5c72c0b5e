"""Listing runs: every run folder once, by its readable name, marked when it did not complete."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mmtl_core.errors import PredictionsError
from mmtl_core.processes import start_time
from mmtl_core.runs.jsonfiles import read_config, write_config
from mmtl_core.runs.layout import create_run_dir
from mmtl_core.runs.listing import list_runs, read_run_info
from mmtl_core.runs.status import write_status


def make_run(folder, name, status="completed", tasks=("spam",)):
    run = create_run_dir(folder)
    write_status(run, "running")
    write_config(run, {"name": name, "tasks": [{"task": {"name": t}, "dataset": "youtube"} for t in tasks]})
    if status != "running":
        write_status(run, status, RuntimeError("boom") if status == "failed" else None)
    return run


def test_runs_are_listed_oldest_first_with_names_and_states(tmp_path):
    done = make_run(tmp_path, "spam · frozen · gold")
    failed = make_run(tmp_path, "spam · finetune · gold", "failed")
    running = make_run(tmp_path, "spam · frozen · label model", "running")
    (tmp_path / ".encodings").mkdir()  # frozen mode's cache sits beside the runs
    (tmp_path / "notes").mkdir()  # a folder no run wrote
    runs = list_runs(tmp_path)
    assert [r.path for r in runs] == sorted([done, failed, running])
    by_path = {r.path: r for r in runs}
    assert by_path[done].title == f"spam · frozen · gold ({done.name})" and by_path[done].completed
    assert by_path[failed].status == "failed" and "boom" in by_path[failed].error
    assert by_path[running].status == "running" and by_path[running].tasks == ("spam",)
    assert by_path[done].trained_on("spam", "youtube") and not by_path[done].trained_on("spam", "wrench")
    assert [r.path for r in list_runs(tmp_path, completed_only=True)] == [done]
    assert list_runs(tmp_path / "nowhere") == []


def test_a_run_whose_process_was_killed_is_marked_failed(tmp_path):
    run = make_run(tmp_path, "killed", "running")
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    write_status(run, "running")
    data = json.loads((run / "status.json").read_text())
    (run / "status.json").write_text(json.dumps({**data, "pid": child.pid, "pid_started": start_time(child.pid)}))
    assert read_run_info(run).status == "running"
    child.kill()
    child.wait()
    info = read_run_info(run)
    assert info.status == "failed" and "ended without recording an outcome" in info.error


def test_a_reused_pid_is_not_taken_for_the_run(tmp_path):
    run = make_run(tmp_path, "reused", "running")
    write_status(run, "running")
    data = json.loads((run / "status.json").read_text())  # this live process's pid, but started before it
    (run / "status.json").write_text(json.dumps({**data, "pid_started": data["pid_started"] - 3600}))
    info = read_run_info(run)
    assert info.status == "failed" and "ended without recording an outcome" in info.error


def test_a_run_without_a_config_is_marked_failed_once_it_stopped(tmp_path):
    run = create_run_dir(tmp_path)
    write_status(run, "failed", ValueError("bad setting"))
    info = read_run_info(run)
    assert info.status == "failed" and info.name == run.name and "bad setting" in info.error
    with pytest.raises(PredictionsError, match="not a run folder, or its run has not written its config yet"):
        read_config(tmp_path / "nowhere")
