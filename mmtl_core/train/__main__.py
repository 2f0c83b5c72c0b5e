"""``python -m mmtl_core.train CONFIG`` (YAML or JSON); also under ``torchrun --nproc_per_node=N``.

Exit status: 0 trained (the run folder is printed), 2 the config or data is wrong (the message says which
setting), 143 stopped by SIGTERM (a job queue cancelling the run, or torchrun stopping its workers). A stopped
run's folder keeps what it wrote and its status.json says "failed" with the signal, like any other failure.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path

from mmtl_core.errors import MMTLError
from mmtl_core.train.loop import train


class Stopped(KeyboardInterrupt):
    """A signal asked the run to stop; raised inside the loop, so the run records it before the process exits."""


def _stop(signum: int, frame) -> None:
    raise Stopped(f"stopped by {signal.Signals(signum).name}")


def _log_to_stderr() -> None:
    # our progress lines only: the root logger at INFO would also print every HTTP request of the hub client
    logger = logging.getLogger("mmtl_core")
    if not any(getattr(h, "_mmtl_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        handler._mmtl_cli = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmtl_core.train", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config", help="training config file (.yaml/.yml or .json)")
    parser.add_argument("--run-dir", type=Path, help="write the run to this new (or empty) folder instead of a new "
                                                      "one under the config's output_dir (for a job queue)")
    args = parser.parse_args(argv)
    _log_to_stderr()
    in_main_thread = threading.current_thread() is threading.main_thread()  # only there can signals be handled
    previous = signal.signal(signal.SIGTERM, _stop) if in_main_thread else None
    try:
        run = train(args.config, run_dir=args.run_dir)
    except MMTLError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except Stopped as e:
        print(f"{e}; the run folder keeps what it wrote", file=sys.stderr)
        return 128 + signal.SIGTERM
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous)
    print(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
