"""Writer processes for the registry's concurrency tests, run as ``python registry_writers.py ACTION URL GO ...``:
each waits for the file GO to exist (so all start together), does its writes, and prints what it did as JSON.

A plain script started with subprocess, not multiprocessing: a spawned child re-runs the parent's ``__main__``,
which in a test process that ran AppTest is a page of the app."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the checkout's mmtl_core
from mmtl_core.runs.registry import Registry  # noqa: E402


def wait_for_go(go: Path) -> None:
    while not go.exists():
        time.sleep(0.001)


def drain_queue(registry: Registry, host: str) -> dict:
    """Claim, run and finish queued runs until none is left (one active per device and host at a time)."""
    done = []
    while registry.list_runs(states=("queued",)):
        record = registry.claim_next("cpu", host=host)
        if record is None:
            time.sleep(0.002)
            continue
        assert registry.transition(record.id, 1, "running")
        for step in range(3):
            assert registry.heartbeat(record.id, 1, {"step": step})
        assert registry.transition(record.id, 1, "succeeded", metrics={"by": float(os.getpid())})
        done.append(record.id)
        time.sleep(0.01)  # as a supervisor's poll would: the others get their turn at the next claim
    return {"ran": done}


def race_to_finish(registry: Registry, state: str, ids: list[str]) -> dict:
    """Try to end every run in this process's own way; report which ends it won."""
    return {"state": state, "won": [run_id for run_id in ids if registry.transition(run_id, 1, state, error=state)]}


def main() -> None:
    action, url, go, *rest = sys.argv[1:]
    registry = Registry(url)
    wait_for_go(Path(go))
    result = drain_queue(registry, *rest) if action == "drain" else race_to_finish(registry, rest[0], rest[1:])
    registry.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
