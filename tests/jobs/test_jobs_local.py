"""The local backend with real jobs: a detached supervisor, one spawned process per job (tiny frozen-mode runs),
the registry on a real SQLite file. Faults are real too: SIGKILL, SIGSEGV, a diverging run, an app restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from safetensors import safe_open

from jobs_helpers import stop_everything, table_config, wait_state
from train_helpers import wait_for
from mmtl_core.errors import ConfigError
from mmtl_core.jobs.queue import JobQueue
from mmtl_core.jobs.supervisor import Supervisor, supervisor_pid
from mmtl_core.runs.registry import this_host
from mmtl_core.runs.status import read_status

REPO = Path(__file__).resolve().parents[2]
SLICES = '''from snorkel.slicing import slicing_function


@slicing_function()
def negated(x):
    return x.text.startswith("not ")
'''
LONG = 100_000  # epochs: far longer than any test waits


def training(queue: JobQueue, run_id: str, past_step: int = 0) -> dict:
    """Wait until the run reports training progress beyond ``past_step``; its progress."""
    def progressed():
        progress = queue.registry.get(run_id).progress or {}
        return progress if progress.get("phase") == "train" and progress.get("step", 0) > past_step else None

    return wait_for(progressed, 120, f"run {run_id} to report training progress")


def test_a_launched_run_trains_in_the_background_on_the_functions_frozen_at_launch(queue, workspace, tiny_encoder,
                                                                                   tmp_path):
    module = workspace.functions_dir / "review_slices.py"
    module.write_text(SLICES)
    config = table_config(tmp_path / "data", tiny_encoder, epochs=2, functions_dir=str(workspace.functions_dir))
    config["tasks"][0]["slices"] = ["negated"]
    record = queue.launch(config, name="first try")
    assert (record.state, record.name, record.backend, record.device) == ("queued", "first try", "local", "cpu")
    module.write_text("this is not python (")  # edited after launch: the run uses what was launched
    done = wait_state(queue, record.id, ("succeeded", "failed"))
    assert done.state == "succeeded", done.error
    assert done.metrics["review/review/dev/accuracy"] > 0 and "review:negated/review/dev/accuracy" in done.metrics
    assert done.progress["phase"] == "done" and done.heartbeat_at and done.pid
    snapshot = done.functions
    assert snapshot["files"]["review_slices.py"]["source"] == SLICES
    assert [(f["name"], f["kind"], f["file"]) for f in snapshot["functions"]] == [("negated", "slicing",
                                                                                   "review_slices.py")]
    assert len(snapshot["functions"][0]["cache_key"]) >= 20 and snapshot["errors"] == []
    run = Path(done.artifacts)
    assert run == queue.runs_dir.resolve() / record.id and read_status(run)["status"] == "completed"
    assert "Running training" in Path(done.log_path).read_text()
    with safe_open(run / "weights" / "review.safetensors", "pt") as f:  # the best checkpoint, with its origin
        assert f.metadata()["stage"] == "1" and int(f.metadata()["step"]) > 0


def test_an_invalid_config_is_refused_before_it_is_queued_naming_the_setting(queue, tiny_encoder, tmp_path):
    config = table_config(tmp_path / "data", tiny_encoder)
    with pytest.raises(ConfigError, match="'batch_size' must be >= 1"):
        queue.launch({**config, "batch_size": 0})
    with pytest.raises(ConfigError, match="'data' names .*which does not exist"):
        queue.launch({**config, "tasks": [{**config["tasks"][0], "data": str(tmp_path / "gone.csv")}]})
    with pytest.raises(ConfigError, match="'device' is 'cuda:3'"):
        queue.launch(config, device="cuda:3")
    assert queue.registry.list_runs() == [] and not list((queue.runs_dir / ".inputs").glob("*"))


def test_simultaneous_launches_queue_run_one_at_a_time_and_survive_a_kill_and_a_cancel(queue, tiny_encoder,
                                                                                     tmp_path):
    config = table_config(tmp_path / "data", tiny_encoder, epochs=LONG)
    barrier, ids = threading.Barrier(2), []

    def launch(seed: int) -> None:  # two browser sessions are two threads of the app's process
        barrier.wait()
        ids.append(queue.launch({**config, "seed": seed}).id)

    threads = [threading.Thread(target=launch, args=(s,)) for s in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(ids)) == 2 and {queue.registry.get(i).config["seed"] for i in ids} == {1, 2}
    first_id = wait_for(lambda: [i for i in ids if queue.registry.get(i).state == "running"], 60, "a start")[0]
    second_id = next(i for i in ids if i != first_id)
    first = training(queue, first_id)
    later = training(queue, first_id, past_step=first["step"])  # progress is followed live
    assert later["total_steps"] == first["total_steps"] and later["eta_s"] > 0 and later["examples_per_s"] > 0
    assert queue.registry.get(second_id).state == "queued"  # one job at a time on the device

    wait_for(lambda: queue.registry.get(first_id).metrics, 60, "a first evaluation")
    victim = queue.registry.get(first_id)
    os.killpg(victim.pid, signal.SIGKILL)  # as the out-of-memory killer would
    lost = wait_state(queue, first_id, ("lost", "failed", "cancelled"), timeout=30)
    assert lost.state == "lost" and f"(pid {victim.pid}) was killed by SIGKILL" in lost.error
    assert "stage 1 step" in lost.traceback  # the tail of its log
    assert lost.metrics["review/review/dev/accuracy"] >= 0  # its partial metrics are kept
    assert read_status(Path(lost.artifacts))["status"] == "failed"  # the run folder says so too
    with safe_open(Path(lost.artifacts) / "weights" / "review.safetensors", "pt") as f:  # its best checkpoint
        assert int(f.metadata()["step"]) > 0

    training(queue, second_id)  # the next queued job started
    queue.cancel(second_id)
    cancelled = wait_state(queue, second_id, ("cancelled", "failed", "lost"), timeout=60)
    assert (cancelled.state, cancelled.error) == ("cancelled", "cancelled from the app")  # stopped itself, no signal
    assert cancelled.metrics and "Stopped: cancelled from the app" in cancelled.traceback
    run = Path(cancelled.artifacts)
    assert read_status(run)["status"] == "failed" and (run / "metrics.jsonl").exists()  # what it wrote is kept


def test_a_crash_in_native_code_keeps_the_traceback_and_a_retry_is_a_new_attempt(queue, tiny_encoder, tmp_path):
    record = queue.launch(table_config(tmp_path / "data", tiny_encoder, epochs=LONG))
    training(queue, record.id)
    os.kill(queue.registry.get(record.id).pid, signal.SIGSEGV)
    crashed = wait_state(queue, record.id, ("lost", "failed"), timeout=30)
    assert "killed by SIGSEGV" in crashed.error
    assert "Fatal Python error: Segmentation fault" in crashed.traceback and 'File "' in crashed.traceback
    retried = queue.retry(record.id)
    assert retried.attempt == 2 and retried.state == "queued"
    training(queue, record.id)
    queue.cancel(record.id)
    wait_state(queue, record.id, ("cancelled",), timeout=60)
    attempts = queue.registry.attempts(record.id)
    assert [a["state"] for a in attempts] == ["lost", "cancelled"]
    assert (queue.runs_dir / ".attempts" / f"{record.id}-1" / "config.json").exists()  # the first run folder kept
    logs = [Path(a["log_path"]).read_text() for a in attempts]  # one log per attempt
    assert "Segmentation fault" in logs[0] and "Segmentation fault" not in logs[1]


def test_a_run_that_diverges_mid_run_fails_naming_the_setting_and_keeps_its_partial_metrics(queue, tiny_encoder,
                                                                                             tmp_path):
    record = queue.launch(table_config(tmp_path / "data", tiny_encoder, epochs=LONG, lr=1e38, eval_every=1,
                                       grad_clip=0.0))
    failed = wait_state(queue, record.id, ("failed", "succeeded"))
    assert failed.state == "failed" and "training diverged; lower 'lr'" in failed.error
    assert failed.metrics and "ConfigError" in failed.traceback
    assert "training diverged" in Path(failed.log_path).read_text()


APP_PROCESS = """
import sys, json
from mmtl_core.jobs.queue import JobQueue
from mmtl_core.workspace import Workspace
sys.path.insert(0, {tests!r})
from conftest import FAST
queue = JobQueue.for_workspace(Workspace.at({root!r}, {functions!r}), settings=FAST)
print(queue.launch(json.loads({config!r})).id, flush=True)
sys.stdin.read()  # runs until killed, like a server
"""


def test_the_app_and_the_supervisor_dying_leave_a_running_job_going_and_a_new_app_controls_it(queue, workspace,
                                                                                             tiny_encoder, tmp_path):
    config = table_config(tmp_path / "data", tiny_encoder, epochs=LONG)
    code = APP_PROCESS.format(tests=str(Path(__file__).parent), root=str(workspace.root),
                              functions=str(workspace.functions_dir), config=json.dumps(config))
    app = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    try:
        run_id = app.stdout.readline().strip()
        first = training(queue, run_id)
        app.kill()  # the app dies (as the out-of-memory killer or a crash would take it)
        app.wait(30)
        os.kill(supervisor_pid(queue.runs_dir), signal.SIGKILL)  # and its supervisor with it
        after = training(queue, run_id, past_step=first["step"])  # the job trains on, and says so
        assert queue.registry.get(run_id).state == "running" and after["step"] > first["step"]
        restarted = JobQueue.for_workspace(workspace, settings=queue.settings)  # the app starts again
        assert [r.id for r in restarted.registry.list_runs()] == [run_id]
        restarted.cancel(run_id)  # wakes a new supervisor too
        assert wait_state(restarted, run_id, ("cancelled",), timeout=60).error == "cancelled from the app"
        wait_for(lambda: supervisor_pid(queue.runs_dir), 30, "the new supervisor")
    finally:
        if app.poll() is None:
            app.kill()
        app.communicate()
        stop_everything(queue)


def test_a_reused_pid_is_never_taken_for_the_job(workspace):
    queue = JobQueue.for_workspace(workspace)
    registry = queue.registry
    registry.create_run("r1", name="r1", config={}, functions={}, artifacts=str(workspace.runs_dir / "r1"),
                        backend="local", device="cpu")
    registry.claim_next("cpu", host=this_host())
    stranger = subprocess.Popen(["sleep", "60"])  # alive, with the job's old pid as far as the registry knows
    try:
        registry.transition("r1", 1, "running", pid=stranger.pid, pid_started=1000.0)  # the job started long ago
        registry.request_cancel("r1")
        Supervisor(registry, workspace.runs_dir).tick()
        record = registry.get("r1")
        assert record.state == "cancelled" and f"pid {stranger.pid}" in record.error
        assert stranger.poll() is None  # the stranger was neither signalled nor mistaken for the job
    finally:
        stranger.kill()
        stranger.wait()
