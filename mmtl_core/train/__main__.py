"""``python -m mmtl_core.train CONFIG`` (YAML or JSON); also under ``torchrun --nproc_per_node=N``."""

from __future__ import annotations

import argparse
import logging
import sys

from mmtl_core.errors import MMTLError
from mmtl_core.train.loop import train


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmtl_core.train", description=__doc__)
    parser.add_argument("config", help="training config file (.yaml/.yml or .json)")
    args = parser.parse_args(argv)
    # our progress lines only: the root logger at INFO would also print every HTTP request of the hub client
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("mmtl_core").addHandler(handler)
    logging.getLogger("mmtl_core").setLevel(logging.INFO)
    try:
        run = train(args.config)
    except MMTLError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
