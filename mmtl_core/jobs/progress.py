"""What a job leaves beside its run, read and written cheaply (no numpy or pandas: the supervisor reads it): its
latest metrics, the tail of its log, and its progress history (every report, one JSON line each)."""

from __future__ import annotations

import json
from pathlib import Path

CRASH_MARK = "Fatal Python error"
CRASH_DUMP_BYTES = 64_000  # room for a crash dump of a process with many threads
LOG_TAIL_LINES = 40


def summary_metrics(run_dir: Path) -> dict[str, float | None] | None:
    """The final metrics of a run that finished, else those of its latest evaluation (a crashed or killed run keeps
    them); None before the first evaluation. Undefined metrics are null."""
    path = Path(run_dir) / "metrics.jsonl"
    try:
        lines = path.read_text().splitlines()
    except FileNotFoundError:
        return None
    for line in reversed(lines):
        try:
            record = json.loads(line)
        except ValueError:  # the last line of a run killed mid-write
            continue
        if record.get("metrics"):
            return record["metrics"]
    return None


def log_tail(path: Path | str | None, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file ("" if there is none yet); reads only the end of a long log.

    A native crash's dump (Python's faulthandler: "Fatal Python error: ..." then every thread's stack) is kept
    from its first line, however many threads it lists: its header says what killed the job."""
    if not path:
        return ""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - max(200 * lines, CRASH_DUMP_BYTES)))
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
    all_lines = text.splitlines()
    dump = next((i for i in range(len(all_lines) - 1, -1, -1) if all_lines[i].startswith(CRASH_MARK)), None)
    if dump is not None:
        return "\n".join(all_lines[dump:])
    return "\n".join(all_lines[-lines:])


def append_progress(path: Path, report: dict) -> None:
    """One progress report more in an attempt's history."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(report, default=str) + "\n")


def read_progress(path: Path) -> list[dict]:
    """An attempt's progress reports, oldest first ([] before the first); a line cut by a kill is skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    reports = []
    for line in lines:
        try:
            reports.append(json.loads(line))
        except ValueError:
            continue
    return reports
