"""Predicting with a trained run on new rows: ``predict(run_dir, frame)`` and ``python -m mmtl_core.predict``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors.torch import load_file

from mmtl_core.errors import DataError, MMTLError, PredictionsError
from mmtl_core.model.encoder import hidden_size, load_encoder, load_tokenizer
from mmtl_core.model.heads import MultiTaskModel
from mmtl_core.runs.columns import EXAMPLE_ID, SCORE_COLUMN, prob_columns
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.layout import weights_path
from mmtl_core.tasks import Task
from mmtl_core.train.evaluate import inference_rows, predict_split
from mmtl_core.train.frozen import frozen_features
from mmtl_core.train.inputs import SplitData, tokenize


def predict(run_dir: Path | str, frame: pd.DataFrame, *, batch_size: int = 0,
            device: str | None = None) -> dict[str, np.ndarray]:
    """Per head (``task`` and ``task:slice``): probabilities (n, K) or scores (n,) for the rows of ``frame``.

    Tasks whose text columns ``frame`` lacks are skipped; if it fits no task a DataError names the columns.
    ``batch_size`` 0 picks the device's inference batch (see ``inference_rows``).
    """
    run = Path(run_dir)
    meta = read_config(run)
    if "ensemble" in meta:
        raise PredictionsError(f"run {run.name} is an ensemble: it has no weights of its own; predict with each of "
                               f"its runs ({', '.join(meta['ensemble']['runs'])}) and average")
    cfg = meta["config"]
    tasks = [(Task(**{**t["task"], "text_fields": tuple(t["task"]["text_fields"])}), tuple(t["slices"]))
             for t in meta["tasks"]]
    usable = [(t, s) for t, s in tasks if all(f in frame.columns for f in t.text_fields)]
    if not usable:
        wanted = " or ".join(str(list(t.text_fields)) for t, _ in tasks)
        raise DataError(f"the rows have columns {list(map(str, frame.columns))}; run {run.name} needs {wanted}")
    dev = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    encoder = load_encoder(meta["encoder_path"] if cfg["encoder"] == "" else cfg["encoder"]).to(dev)
    tokenizer = load_tokenizer(meta["encoder_path"] if cfg["encoder"] == "" else cfg["encoder"])
    rows = batch_size or inference_rows(dev, cfg["batch_size"])
    frozen = cfg["mode"] == "frozen"
    out: dict[str, np.ndarray] = {}
    for task, slices in usable:
        weights = weights_path(run, task.name)
        if not weights.exists():
            raise PredictionsError(f"run {run.name} has no weights for task {task.name!r} ({weights} is missing; "
                                   "was it trained with save_weights: false?)")
        split = rows_to_split(frame, task, len(slices))
        if frozen:  # the heads read the features training computed, made by the same function
            split.features = frozen_features(encoder, tokenizer, split, pooling=cfg["pooling"],
                                             max_length=cfg["max_length"],
                                             pair_encoding=cfg.get("pair_encoding", "joint"),  # older runs: joint
                                             device=dev, rows=rows, bf16=cfg["bf16"])
            width = split.features.shape[1]
        else:
            tokenize(tokenizer, split, cfg["max_length"])
            width = hidden_size(encoder)
        model = MultiTaskModel(None if frozen else encoder, {task.name: width}, cfg["pooling"],
                               {task.name: (task.cardinality, slices)}, cfg["slice_combiner"]).to(dev)
        missing, _ = model.load_state_dict(load_file(str(weights), device=str(dev)), strict=False)
        if not frozen and any(k.startswith("encoder.") for k in missing):
            raise PredictionsError(f"{weights} lacks encoder weights")
        out.update(predict_split(model, task, slices, split, dev, rows, cfg["bf16"]))
    return out


def rows_to_split(frame: pd.DataFrame, task: Task, n_slices: int) -> SplitData:
    """New rows as an unlabeled split (predictions only need texts)."""
    n = len(frame)
    texts = tuple(frame[f].fillna("").astype(str).tolist() for f in task.text_fields)
    return SplitData(np.arange(n).astype(str), texts, np.full(n, -1), np.zeros((n, task.cardinality), np.float32),
                     np.zeros((n, n_slices), bool))


def read_table(path: Path) -> pd.DataFrame:
    readers = {".csv": pd.read_csv, ".tsv": lambda p: pd.read_csv(p, sep="\t", quoting=3),
               ".jsonl": lambda p: pd.read_json(p, lines=True), ".parquet": pd.read_parquet}
    if path.suffix.lower() not in readers:
        raise DataError(f"{path}: unknown file type {path.suffix!r}; use one of {', '.join(readers)}")
    try:
        return readers[path.suffix.lower()](path)
    except (OSError, ValueError) as e:
        raise DataError(f"cannot read {path}: {e}") from e


def to_frame(preds: dict[str, np.ndarray], ids: pd.Series) -> pd.DataFrame:
    """One column per head and class (``RTE/prob_0``) or head score (``STSB/score``)."""
    cols = {EXAMPLE_ID: ids.astype(str).to_numpy()}
    for head, v in preds.items():
        if v.ndim == 1:
            cols[f"{head}/{SCORE_COLUMN}"] = v
        else:
            cols.update({f"{head}/{c}": v[:, k] for k, c in enumerate(prob_columns(v.shape[1]))})
    return pd.DataFrame(cols)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mmtl_core.predict", description=__doc__)
    parser.add_argument("run", type=Path, help="run directory written by training")
    parser.add_argument("file", type=Path, help="rows to predict (.csv, .tsv, .jsonl or .parquet)")
    parser.add_argument("--out", type=Path, help="output parquet (default: <file>.predictions.parquet)")
    args = parser.parse_args(argv)
    try:
        frame = read_table(args.file)
        preds = predict(args.run, frame)
    except MMTLError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    ids = frame[EXAMPLE_ID] if EXAMPLE_ID in frame.columns else pd.Series(np.arange(len(frame)))
    out = args.out or args.file.with_suffix(".predictions.parquet")
    to_frame(preds, ids).to_parquet(out, index=False)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
