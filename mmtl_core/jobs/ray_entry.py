"""``python -m mmtl_core.jobs.ray_entry CONFIG KEY ARTIFACTS``: a training job as it runs on the Ray box.

Ray starts it in the job's working dir (the run's frozen inputs: function files, label files and CONFIG, whose
paths are relative to it). The run folder is ``ARTIFACTS/KEY`` when ARTIFACTS is a path (a shared folder the app
reads too), else a scratch folder uploaded to that fsspec URL when the job ends, however it ends. The registry is
on the app's side: this job reports through its log (progress lines the supervisor turns into heartbeats, and the
functions' cache keys), and Ray's ``stop_job`` (SIGTERM) stops it. Exit status as the training command line's.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import fsspec

from mmtl_core.errors import MMTLError
from mmtl_core.jobs.attempt import function_keys
from mmtl_core.jobs.progress import summary_metrics
from mmtl_core.jobs.ray_backend import FUNCTIONS_PREFIX, PROGRESS_PREFIX
from mmtl_core.jobs.stopping import Stopped, stop_on_sigterm
from mmtl_core.jobs.worker import EXIT_STOPPED
from mmtl_core.train.config import TrainConfig, config_from_dict
from mmtl_core.train.loop import train

PROGRESS_EVERY_S = 1.0


class ProgressLines:
    """The loop's progress hook: one ``MMTL_PROGRESS {json}`` line a second at most, with the latest metrics."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir, self.last = run_dir, 0.0

    def __call__(self, report: dict[str, Any]) -> None:
        if time.monotonic() - self.last >= PROGRESS_EVERY_S:
            self.last = time.monotonic()
            line = {"progress": report, "metrics": summary_metrics(self.run_dir)}
            print(PROGRESS_PREFIX + json.dumps(line, default=str), flush=True)


def is_path(artifacts: str) -> bool:
    return "://" not in artifacts or artifacts.startswith("file://")


def main(argv: list[str] | None = None) -> int:
    config_path, key, artifacts = argv if argv is not None else sys.argv[1:]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout)
    if is_path(artifacts):
        run_dir = Path(artifacts.removeprefix("file://")) / key
        cache_dir = run_dir.parent / ".encodings"
    else:
        run_dir = Path(tempfile.mkdtemp(prefix="mmtl-run-")) / key
        cache_dir = Path.home() / ".cache" / "mmtl_studio" / "encodings"  # kept between jobs on this box
    try:
        with stop_on_sigterm():
            try:
                settings = json.loads(Path(config_path).read_text())
                cfg = config_from_dict(TrainConfig, {**settings, "output_dir": str(run_dir.parent),
                                                     "cache_dir": str(cache_dir)})
                functions, errors = function_keys(Path(cfg.functions_dir))
                print(FUNCTIONS_PREFIX + json.dumps({"functions": functions, "errors": errors}), flush=True)
                train(cfg, run_dir=run_dir, on_progress=ProgressLines(run_dir))
            finally:
                if not is_path(artifacts) and run_dir.exists():
                    fs, path = fsspec.core.url_to_fs(artifacts.rstrip("/") + "/" + key)
                    fs.put(str(run_dir) + "/", path.rstrip("/") + "/", recursive=True)
    except MMTLError as e:
        print(f"error: {e}", flush=True)
        return 2
    except Stopped as e:
        print(f"{e}; the run folder keeps what it wrote", flush=True)
        return EXIT_STOPPED
    print(run_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
