"""``python -m mmtl_core.train CONFIG`` (YAML or JSON); also under ``torchrun --nproc_per_node=N``.

The run is registered in the run registry (``--registry URL``; default ``$MMTL_REGISTRY_URL``, else runs.sqlite in
the config's output_dir, the workspace's registry when output_dir is the workspace's runs folder), so it shows in
the app beside the runs launched there, with its progress live; ``--no-registry`` trains without it.

Exit status: 0 trained (the run folder is printed), 2 the config or data is wrong (the message says which
setting), 143 stopped by SIGTERM (a job queue cancelling the run, or torchrun stopping its workers). A stopped
run's folder keeps what it wrote and its status.json says "failed" with the signal, like any other failure.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from mmtl_core.errors import MMTLError
from mmtl_core.jobs.queue import run_from_command_line
from mmtl_core.jobs.stopping import Stopped, stop_on_sigterm
from mmtl_core.train.config import load_config
from mmtl_core.train.loop import train


@contextlib.contextmanager
def _log_to_stderr() -> Iterator[None]:
    """Our progress lines on stderr while ``main`` runs (only ours: the root logger at INFO would also print every
    HTTP request of the hub client); removed after, so a second call in one process writes to its own stderr."""
    logger = logging.getLogger("mmtl_core")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmtl_core.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="training config file (.yaml/.yml or .json)")
    parser.add_argument("--run-dir", type=Path, help="write the run to this new (or empty) folder instead of a new "
                                                      "one under the config's output_dir")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--registry", metavar="URL", help="the run registry's database URL")
    where.add_argument("--no-registry", action="store_true", help="do not register the run")
    args = parser.parse_args(argv)
    # under torchrun only rank 0 registers; the other ranks follow it
    register = not args.no_registry and os.environ.get("RANK", "0") == "0"
    try:
        with _log_to_stderr(), stop_on_sigterm():
            cfg = load_config(args.config)
            run = (run_from_command_line(cfg, args.registry, args.run_dir) if register else
                   train(cfg, run_dir=args.run_dir))
    except MMTLError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Stopped as e:
        print(f"{e}; the run folder keeps what it wrote", file=sys.stderr)
        return 128 + signal.SIGTERM
    print(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
