"""A run's JSON files (config.json, status.json, progress.json): strict JSON, written atomically."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from mmtl_core.atomic import atomic_write_text
from mmtl_core.errors import PredictionsError
from mmtl_core.runs.layout import CONFIG


def json_safe(value: Any) -> Any:
    """NaN and infinities as null: strict JSON, which browsers' and other languages' parsers accept."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def write_json(path: Path, data: Any) -> None:
    """Atomic: write beside, then rename, so a reader never sees half a file."""
    atomic_write_text(path, json.dumps(json_safe(data), indent=2, default=str, allow_nan=False))


def write_config(run: Path, data: dict[str, Any]) -> None:
    write_json(run / CONFIG, data)


def read_config(run: Path) -> dict[str, Any]:
    """The run's config.json; a PredictionsError names the folder when there is none or it cannot be read."""
    path = Path(run) / CONFIG
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as e:
        raise PredictionsError(f"{run} is not a run folder, or its run has not written its config yet "
                               f"(no {CONFIG})") from e
    except (OSError, ValueError) as e:
        raise PredictionsError(f"{path}: cannot read the run's config ({e})") from e
