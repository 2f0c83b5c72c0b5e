"""Majority vote and the label model scored side by side on the dev split, on the same rows, by the task's metric."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmtl_core.errors import TaskError
from mmtl_core.metrics import CLASSIFICATION_METRICS
from mmtl_core.weak.label_model import LabelModelResult, majority_vote_proba
from mmtl_core.weak.matrix import covered

#: Shown under the comparison table in the UI, verbatim; ``comparison.attrs["note"]`` carries it too.
SCORING_NOTE = (
    "Both models are scored on the same rows: every dev row with a gold label (n). Rows no labeling function votes "
    "on are not skipped: there majority vote ties between all classes, and the label model falls back on its class "
    "prior (uniform, so also a tie, unless a class balance was set). Every tie is broken by Snorkel's deterministic "
    "'random' tie-break, fixed by the row's position, so both models and every refit draw alike; a model earns "
    "nothing by abstaining. The '(covered)' columns score only the rows at least one function votes on (the same "
    "rows for both models); Coverage is their share of n."
)

MODEL_NAMES = ("Majority vote", "Label model")


def _snorkel_hash(i: int) -> int:
    # The same deterministic hash as snorkel.utils.core._hash, so our predictions equal Snorkel's.
    return int(hashlib.sha1(str(i).encode("utf-8")).hexdigest(), 16)


def break_ties(proba: np.ndarray, tol: float = 1e-5) -> np.ndarray:
    """Class predictions from probabilities, ties broken as Snorkel's ``probs_to_preds(tie_break_policy="random")``.

    Vectorised: only the tied rows (usually few) go through the hash.
    """
    proba = np.asarray(proba, dtype=np.float64)
    tied_mask = np.abs(proba - proba.max(axis=1, keepdims=True)) < tol
    preds = tied_mask.argmax(axis=1)
    n_tied = tied_mask.sum(axis=1)
    for i in np.flatnonzero(n_tied > 1):
        preds[i] = np.flatnonzero(tied_mask[i])[_snorkel_hash(int(i)) % int(n_tied[i])]
    return preds.astype(np.int64)


def _check_metrics(metrics: Sequence[str]) -> None:
    bad = [m for m in metrics if m not in CLASSIFICATION_METRICS]
    if bad or not metrics:
        raise TaskError(f"cannot score label models by {bad or '(no metric)'}; choose from "
                        f"{', '.join(CLASSIFICATION_METRICS)}")


def compare_label_models(L_dev: np.ndarray, gold_dev: np.ndarray, label_model: LabelModelResult | None,
                         metrics: Sequence[str] = ("accuracy",), *, cardinality: int | None = None) -> pd.DataFrame:
    """One row per model (:data:`MODEL_NAMES`), scored on the dev rows as :data:`SCORING_NOTE` says.

    Columns: ``n``, ``covered``, ``Coverage``, then per metric ``<metric>`` (all n rows) and ``<metric> (covered)``.
    Dev rows without a gold label (-1) are left out of n. Without a label model (fewer than three functions) only
    majority vote is scored; ``cardinality`` then gives K.
    """
    _check_metrics(metrics)
    gold_dev = np.asarray(gold_dev).astype(np.int64).ravel()
    has_gold = gold_dev >= 0
    L = np.asarray(L_dev)[has_gold]
    gold = gold_dev[has_gold]
    is_covered = covered(L)
    k = label_model.cardinality if label_model is not None else cardinality
    if k is None:
        raise ValueError("give the cardinality when there is no label model")
    probas = {MODEL_NAMES[0]: majority_vote_proba(L, k)}
    if label_model is not None:
        probas[MODEL_NAMES[1]] = label_model.predict_proba(L)
    rows = []
    for proba in probas.values():
        preds = break_ties(proba)
        row: dict[str, float] = {"n": len(gold), "covered": int(is_covered.sum()),
                                 "Coverage": float(is_covered.mean()) if len(gold) else float("nan")}
        for name in metrics:
            metric = CLASSIFICATION_METRICS[name]
            row[name] = metric(gold, preds)
            row[f"{name} (covered)"] = metric(gold[is_covered], preds[is_covered])
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(list(probas), name="model"))
    table.attrs["note"] = SCORING_NOTE
    return table
