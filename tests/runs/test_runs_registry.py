"""The run registry on a real SQLite file (and a real PostgreSQL server, where this machine has one): the state
machine, and several processes writing at once."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmtl_core.errors import RegistryError
from mmtl_core.runs.registry import FINISHED, Registry

N_WRITERS = 4
WRITERS = Path(__file__).with_name("registry_writers.py")


def add(registry: Registry, run_id: str, device: str = "cpu", **kw):
    return registry.create_run(run_id, name=f"name of {run_id}", config={"epochs": 1, "lr": float("nan")},
                               functions={"files": {}}, artifacts=f"/runs/{run_id}", backend="local", device=device,
                               **kw)


def test_a_run_goes_queued_starting_running_succeeded_and_never_leaves_a_finished_state(registry):
    record = add(registry, "r1")
    assert (record.state, record.attempt, record.config) == ("queued", 1, {"epochs": 1, "lr": None})  # strict JSON
    assert not registry.transition("r1", 1, "running")  # not from queued
    claimed = registry.claim_next("cpu", host="h")
    assert (claimed.id, claimed.state, claimed.host) == ("r1", "starting", "h") and claimed.started_at
    assert registry.transition("r1", 1, "running", pid=123)
    assert registry.heartbeat("r1", 1, {"step": 3, "loss": 0.5})
    assert registry.get("r1").progress == {"step": 3, "loss": 0.5}
    assert registry.transition("r1", 1, "succeeded", metrics={"RTE/rte/dev/accuracy": 0.7})
    for state in FINISHED:
        assert not registry.transition("r1", 1, state)
    assert not registry.heartbeat("r1", 1, {"step": 4})  # a late heartbeat does not touch a finished run
    final = registry.get("r1")
    assert (final.state, final.progress["step"], final.metrics) == ("succeeded", 3, {"RTE/rte/dev/accuracy": 0.7})
    assert final.queued_at <= final.started_at <= final.running_at <= final.ended_at
    with pytest.raises(ValueError, match="no transition leads to 'queued'"):
        registry.transition("r1", 1, "queued")


def test_cancel_is_immediate_when_queued_and_a_request_when_running(registry):
    add(registry, "waiting")
    assert registry.request_cancel("waiting").state == "cancelled"
    add(registry, "busy")
    registry.claim_next("cpu", host="h")
    registry.transition("busy", 1, "running")
    record = registry.request_cancel("busy")
    assert record.state == "running" and record.cancel_requested_at and registry.cancel_requested("busy", 1)
    assert registry.request_cancel("busy").cancel_requested_at == record.cancel_requested_at  # the first request
    assert registry.transition("busy", 1, "cancelled")
    assert registry.request_cancel("busy").state == "cancelled"  # a finished run is left as it is


def test_a_retry_is_a_new_attempt_and_the_failed_one_stays_recorded(registry):
    add(registry, "r")
    with pytest.raises(RegistryError, match="is queued; only a finished run can be retried"):
        registry.retry("r")
    registry.claim_next("cpu", host="h")
    registry.transition("r", 1, "failed", error="boom")
    again = registry.retry("r")
    assert (again.attempt, again.state, again.error) == (2, "queued", None)
    assert [(a["number"], a["state"], a["error"]) for a in registry.attempts("r")] == [(1, "failed", "boom"),
                                                                                      (2, "queued", None)]
    assert not registry.transition("r", 1, "running")  # the old attempt stays failed
    assert registry.claim_next("cpu", host="h").attempt == 2


def test_delete_only_a_finished_run_and_unknown_ids_are_named(registry):
    add(registry, "r")
    with pytest.raises(RegistryError, match="is queued; cancel it before deleting it"):
        registry.delete_run("r")
    registry.request_cancel("r")
    registry.delete_run("r")
    with pytest.raises(RegistryError, match="no run 'r' in the registry"):
        registry.get("r")
    add(registry, "r")  # the id is free again
    with pytest.raises(RegistryError, match="'r' is already in the registry"):
        add(registry, "r")


def test_the_file_is_in_wal_mode_and_a_bad_url_is_a_clear_error(tmp_path):
    Registry(f"sqlite:///{tmp_path / 'runs.sqlite'}").dispose()
    assert sqlite3.connect(tmp_path / "runs.sqlite").execute("PRAGMA journal_mode").fetchone() == ("wal",)
    with pytest.raises(RegistryError, match="cannot open the run registry at nosuchdb://x"):
        Registry("nosuchdb://x")


def test_one_job_per_device_and_host_and_devices_are_independent(registry):
    for i, device in enumerate(["cpu", "cpu", "cuda:0"]):
        add(registry, f"r{i}", device=device)
        time.sleep(0.001)  # queued order
    assert registry.claim_next("cpu", host="h").id == "r0"
    assert registry.claim_next("cpu", host="h") is None  # the device is busy
    assert registry.claim_next("cuda:0", host="h").id == "r2"
    assert registry.claim_next("cpu", host="h", slots=2).id == "r1"


# --- several processes at once --------------------------------------------------------------------------------------
def run_writers(tmp_path, arguments: list[list[str]]) -> list[dict]:
    """One real writer process per argument list (registry_writers.py), all released at once; their reports."""
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, str(WRITERS), args[0], args[1], str(go), *args[2:]],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in arguments]
    time.sleep(0.5)  # let them open the registry: the race starts together
    go.touch()
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), [err[-2000:] for _, err in outputs]
    return [json.loads(out) for out, _ in outputs]


def test_concurrent_workers_claim_each_run_once_and_never_overlap_on_a_device(registry, registry_url, tmp_path):
    ids = [f"run{i:02d}" for i in range(24)]
    for run_id in ids:
        add(registry, run_id)
    reports = run_writers(tmp_path, [["drain", registry_url, "host-a"]] * N_WRITERS)
    assert sorted(run_id for r in reports for run_id in r["ran"]) == ids  # each claimed once
    records = registry.list_runs()
    assert sorted(r.id for r in records) == ids and {r.state for r in records} == {"succeeded"}
    assert len({r.metrics["by"] for r in records}) > 1  # the work really was shared between processes
    spans = sorted((r.started_at, r.ended_at) for r in records)
    for (_, end), (start, _) in zip(spans, spans[1:]):
        assert start >= end  # one at a time on the device, across all the processes
    assert all(r.progress == {"step": 2} for r in records)


def test_concurrent_final_transitions_have_exactly_one_winner_per_run(registry, registry_url, tmp_path):
    ids = [f"run{i:02d}" for i in range(30)]
    for run_id in ids:
        add(registry, run_id)
        registry.claim_next("cpu", host="h", slots=len(ids))
        registry.transition(run_id, 1, "running")
    states = ["succeeded", "failed", "cancelled", "lost"][:N_WRITERS]
    reports = run_writers(tmp_path, [["race", registry_url, state, *ids] for state in states])
    results = {r["state"]: r["won"] for r in reports}
    winners = [run_id for won in results.values() for run_id in won]
    assert sorted(winners) == ids  # every run ended exactly once
    for state, won in results.items():
        for run_id in won:
            record = registry.get(run_id)
            assert (record.state, record.error) == (state, state)  # the winner's end, nobody else's
