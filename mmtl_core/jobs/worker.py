"""``python -m mmtl_core.jobs.worker REGISTRY_URL RUN_ID ATTEMPT``: one job of the local backend, in its own
process (and process group), started by the supervisor with its output going to the run's job.log.

Exit status as the training command line's: 0 trained, 2 the config or data is wrong, 143 stopped (cancelled or
SIGTERM), 1 anything else (the traceback is in the log and the registry).
"""

from __future__ import annotations

import faulthandler
import logging
import os
import sys
from pathlib import Path

from mmtl_core.errors import MMTLError
from mmtl_core.jobs.heartbeat import Heartbeat
from mmtl_core.jobs.processes import start_time
from mmtl_core.jobs.stopping import Stopped
from mmtl_core.runs.registry import Registry, this_host

EXIT_STOPPED = 143  # 128 + SIGTERM, as a process stopped by SIGTERM reports


def begin(registry: Registry, run_id: str, attempt: int) -> bool:
    """starting -> running for this process (its pid and start time recorded); False if the attempt is no longer
    starting (cancelled meanwhile)."""
    pid = os.getpid()
    return registry.transition(run_id, attempt, "running", expected=("starting",), pid=pid,
                               pid_started=start_time(pid), host=this_host())


def main(argv: list[str] | None = None) -> int:
    url, run_id, attempt = (argv if argv is not None else sys.argv[1:])
    faulthandler.enable()  # a crash in native code (SIGSEGV, SIGABRT...) still leaves a Python traceback in the log
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    registry = Registry(url)
    if not begin(registry, run_id, int(attempt)):
        print(f"run {run_id} attempt {attempt} is no longer waiting to start (cancelled?): nothing to do")
        return 0
    record = registry.get(run_id)
    with Heartbeat(registry, run_id, record.attempt, Path(record.artifacts)) as beat:
        # Imported only now, on purpose: torch and transformers take seconds to import, and the registry already
        # shows the job running (phase "loading libraries") while they do.
        from mmtl_core.jobs.attempt import run_attempt

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
