"""Reading what a job leaves in its run folder, cheaply (no numpy or pandas: the supervisor and a starting job
read it before anything heavy is imported): its latest metrics and the tail of its log."""

from __future__ import annotations

import json
from pathlib import Path

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
    """The last ``lines`` lines of a log file ("" if there is none yet); reads only the end of a long log."""
    if not path:
        return ""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(0, size - 200 * lines))
            text = f.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
