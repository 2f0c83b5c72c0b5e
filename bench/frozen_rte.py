"""Frozen-encoder mode on RTE (2,490 train, 277 dev) with the bundled MiniLM: encode, train heads 10 epochs,
predict dev. Prints the cold time (encodings computed), the warm time (read from the cache), their ratio, and the
time after one row changed (one training pair's hypothesis edited and another training pair dropped, as a relabel
or a change of coverage does): the per-example cache encodes the one new sentence only.

    python bench/frozen_rte.py [--data ../shared/data/glue_data]
Last line: ``frozen_rte_end_to_end_s: <cold seconds>`` (targets: <= 60 s cold, <= 10 s warm and one row changed
on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/<name>.py` from anywhere
from mmtl_core.data import Dataset, load_glue_task
from mmtl_core.keys import MetricKey
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.train import TaskSpec, TrainConfig, train

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "glue_data"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("MMTL_GLUE_DATA", DEFAULT_DATA)))
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for attempt in ("cold", "warm", "one row changed"):
            t0 = time.perf_counter()
            rte = load_glue_task(args.data, "RTE", splits=("train", "dev"))
            if attempt == "one row changed":
                frame = rte.frame.drop(index=1).copy()  # a row no longer covered
                frame.loc[0, "sentence2"] = "A hypothesis this benchmark never encoded before."
                rte = Dataset(rte.name, frame, label_names=rte.label_names)
            cfg = TrainConfig(tasks=(TaskSpec("RTE"),), mode="frozen", epochs=10, batch_size=32, max_length=128,
                              output_dir=tmp, save_weights=False)
            run = train(cfg, datasets={"RTE": rte})
            times.append(time.perf_counter() - t0)
            acc = read_metrics(run)[-1]["metrics"][str(MetricKey("RTE", rte.name, "dev", "accuracy"))]
            print(f"{attempt}: {times[-1]:.1f} s end to end, dev accuracy {acc:.3f} ({torch.get_num_threads()} "
                  f"threads, device {'cuda' if torch.cuda.is_available() else 'cpu'})")
    print(f"warm_vs_cold: {times[1] / times[0]:.3f}")
    print(f"frozen_rte_warm_s: {times[1]:.1f}")
    print(f"frozen_rte_one_row_changed_s: {times[2]:.1f}")
    print(f"frozen_rte_end_to_end_s: {times[0]:.1f}")


if __name__ == "__main__":
    main()
