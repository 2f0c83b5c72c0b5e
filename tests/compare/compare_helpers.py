"""Tiny literal fixtures for the compare tests: ten examples whose right and wrong answers are counted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmtl_core.compare.candidates import Candidate
from mmtl_core.slices import PredictionSet, SplitSlices
from mmtl_core.tasks import Task

TASK = Task("spam", "videos", ("text",), label_names=("ham", "spam"))
GOLD = np.zeros(10, dtype=int)
A = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1])  # right on rows 0-2
B = np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1])  # right on rows 1-8: 6 rows only B gets right, 1 row only A gets
FIRST_FIVE = np.arange(10) < 5


def split(gold=GOLD, slices=None, L=None, task: Task = TASK) -> SplitSlices:
    slices = {"first_five": FIRST_FIVE} if slices is None else slices
    n = len(gold)
    frame = pd.DataFrame({"example_id": [f"e{i}" for i in range(n)], "split": "dev",
                          "text": [f"text {i}" for i in range(n)], "label": gold})
    S = np.column_stack(list(slices.values())) if slices else np.zeros((n, 0), bool)
    lf_names = ("lf_a", "lf_b") if L is not None else ()
    return SplitSlices(task, frame, S, tuple(slices), L, lf_names, "dev")


def probs(preds, confidence: float) -> np.ndarray:
    """Each row puts ``confidence`` on its predicted class."""
    out = np.full((len(preds), 2), 1 - confidence)
    out[np.arange(len(preds)), preds] = confidence
    return out


def candidate(key: str, preds, confidence: float = 0.9, slice_heads: dict | None = None) -> Candidate:
    ids = [f"e{i}" for i in range(len(preds))]
    heads = {"spam": PredictionSet(f"run {key}", ids, probs=probs(preds, confidence))}
    for name, p in (slice_heads or {}).items():
        heads[f"spam:{name}"] = PredictionSet(f"run {key}", ids, probs=probs(p, confidence))
    return Candidate(key, f"run {key}", heads)
