"""status.json: running, completed or failed, written by the run's own process, which it names."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import traceback
from pathlib import Path
from typing import Any

from mmtl_core.processes import is_running, start_time
from mmtl_core.runs.jsonfiles import write_json
from mmtl_core.runs.layout import STATUS

RUNNING, COMPLETED, FAILED = "running", "completed", "failed"
STATUSES = (RUNNING, COMPLETED, FAILED)


def write_status(run: Path, status: str, error: BaseException | None = None) -> None:
    """status.json; it names the writing process, so a reader can tell a live run from one that was killed."""
    data: dict[str, Any] = {"status": status, "time": dt.datetime.now(dt.timezone.utc).isoformat(),
                            "pid": os.getpid(), "pid_started": start_time(os.getpid()), "host": socket.gethostname()}
    if error is not None:
        data["error"] = f"{type(error).__name__}: {error}"
        data["traceback"] = "".join(traceback.format_exception(error))
    write_json(run / STATUS, data)


def read_status(run: Path) -> dict[str, Any]:
    """The run's status.json. A "running" run whose process is gone from this machine (SIGKILL, the kernel's
    out-of-memory killer, a power cut) cannot record its end itself: it reads as "failed", saying so; the file
    is left as it is."""
    data = json.loads((run / STATUS).read_text())
    pid = data.get("pid")
    if data.get("status") == RUNNING and data.get("host") == socket.gethostname() and pid and not _alive(data):
        data = {**data, "status": FAILED,
                "error": f"the training process (pid {pid}) ended without recording an outcome: it was killed "
                         "(SIGKILL, or out of memory) or its machine stopped; log.txt has its last lines"}
    return data


def _alive(data: dict[str, Any]) -> bool:
    """Whether the process that wrote ``data`` still runs: its pid, started when it said (a pid is reused by a
    later process, which must not pass for the run). A file written before start times were recorded falls back
    to the pid alone."""
    if data.get("pid_started") is not None:
        return is_running(data["pid"], data["pid_started"])
    try:
        os.kill(data["pid"], 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True
