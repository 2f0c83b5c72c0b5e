"""What the GPU checks need on a lent GPU machine, small enough to travel with the working tree (64 MiB).

That machine has its own Python (PyTorch, transformers, accelerate, pandas, pyarrow...) but neither the bundled
MiniLM package (83 MB: too big to carry) nor ../shared. So, here:

    python bench/gpu_kit.py                 # writes bench/.gpu_kit/ (ignored by git; about 3 MB)

puts MiniLM's config and tokenizer (no weights) and RTE's train/dev files there; and there, bench/gpu_checks.sh runs

    python3 bench/gpu_kit.py --materialize  # random weights of MiniLM's exact shape into bench/.gpu_kit/encoder

Random weights cost exactly the FLOPs and memory traffic of the trained ones, so throughput and MFU are those of
MiniLM; accuracies measured with them mean nothing (the checks report none).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as `python bench/<name>.py` from anywhere
KIT = Path(__file__).resolve().parent / ".gpu_kit"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ENCODER_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt")


def build(kit: Path, data: Path) -> None:
    from mmtl_core.model.encoder import default_encoder_path

    if kit.exists():
        shutil.rmtree(kit)
    encoder = kit / "encoder"
    encoder.mkdir(parents=True)
    for name in ENCODER_FILES:
        shutil.copy2(Path(default_encoder_path()) / name, encoder / name)
    rte = kit / "data" / "glue_data" / "RTE"
    rte.mkdir(parents=True)
    for name in ("train.tsv", "dev.tsv"):
        shutil.copy2(data / "glue_data" / "RTE" / name, rte / name)
    (kit / "data" / "README.md").write_text("RTE train/dev copied from ../shared/data for the GPU checks.\n")
    size = sum(p.stat().st_size for p in kit.rglob("*") if p.is_file())
    print(f"wrote {kit} ({size / 1e6:.1f} MB); on the GPU machine run: bash bench/gpu_checks.sh")


def materialize(kit: Path) -> None:
    """Random weights for the encoder folder, from its config (seeded, so every run races the same model)."""
    import torch
    from transformers import AutoConfig, AutoModel

    encoder = kit / "encoder"
    torch.manual_seed(0)
    AutoModel.from_config(AutoConfig.from_pretrained(encoder, local_files_only=True)).save_pretrained(encoder)
    print(f"random-weight encoder of the bundled MiniLM's shape in {encoder}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--materialize", action="store_true", help="on the GPU machine: write the random weights")
    parser.add_argument("--data", type=Path, default=SHARED_DATA, help="the shared data folder (holding glue_data)")
    parser.add_argument("--kit", type=Path, default=KIT, help=f"the kit folder (default {KIT})")
    args = parser.parse_args()
    materialize(args.kit) if args.materialize else build(args.kit, args.data)


if __name__ == "__main__":
    main()
