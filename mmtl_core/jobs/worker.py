"""``python -m mmtl_core.jobs.worker REGISTRY_URL RUN_ID ATTEMPT``: one job of the local backend, in its own
process (and process group), started by the supervisor, which records it running with this process's pid as soon
as it is spawned (importing torch takes seconds; the job is running meanwhile). Its output goes to the attempt's
log (``.jobs/<run id>-<attempt>.log``).

Exit status as the training command line's: 0 trained, 2 the config or data is wrong, 143 stopped (cancelled or
SIGTERM), 1 anything else (the traceback is in the log and the registry).
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
import time
from pathlib import Path

from mmtl_core.errors import MMTLError
from mmtl_core.jobs.attempt import run_attempt
from mmtl_core.jobs.heartbeat import Heartbeat
from mmtl_core.jobs.stopping import Stopped
from mmtl_core.runs.registry import Registry, RunRecord

EXIT_STOPPED = 143  # 128 + SIGTERM, as a process stopped by SIGTERM reports
CLAIM_WAIT_S = 30.0


def wait_until_mine(registry: Registry, run_id: str, attempt: int) -> RunRecord | None:
    """The attempt once the registry shows it running in this process; None if it never does (another process
    runs it, or it was cancelled before it started)."""
    deadline = time.monotonic() + CLAIM_WAIT_S
    while True:
        record = registry.get(run_id)
        if record.attempt == attempt and record.state == "running" and record.pid == os.getpid():
            return record
        if record.attempt != attempt or record.state != "starting" or time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    url, run_id, attempt = (argv if argv is not None else sys.argv[1:])
    faulthandler.enable()  # a crash in native code (SIGSEGV, SIGABRT...) still leaves a Python traceback in the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    registry = Registry(url)
    record = wait_until_mine(registry, run_id, int(attempt))
    if record is None:
        print(f"run {run_id} attempt {attempt} is not this process's to run (cancelled, or run elsewhere)")
        return 0
    with Heartbeat(registry, run_id, record.attempt, Path(record.artifacts)) as beat:
        try:
            run = run_attempt(registry, record, beat)
        except MMTLError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        except Stopped as e:
            print(f"{e}; the run folder keeps what it wrote", file=sys.stderr)
            return EXIT_STOPPED
    print(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
