"""metrics.jsonl: one line per evaluation, keyed ``task/dataset/split/metric`` (see :mod:`mmtl_core.keys`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mmtl_core.runs.jsonfiles import json_safe
from mmtl_core.runs.layout import METRICS


def append_metrics(run: Path, record: dict[str, Any]) -> None:
    """One line per evaluation; an undefined metric (no labeled rows, a constant prediction's correlation) is null."""
    with open(run / METRICS, "a") as f:
        f.write(json.dumps(json_safe(record), default=float, allow_nan=False) + "\n")


def read_metrics(run: Path) -> list[dict[str, Any]]:
    """The records of metrics.jsonl; null metric values come back as NaN, so every value is a float."""
    path = run / METRICS
    if not path.exists():
        return []
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for r in records:
        r["metrics"] = {k: float("nan") if v is None else v for k, v in r.get("metrics", {}).items()}
    return records
