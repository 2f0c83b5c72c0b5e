"""Function sets that cannot teach a model anything, named as such: every function votes one class, a class no
function votes, a label model whose weights did not move, training labels of one class.

Each passes silently otherwise: nine functions that all vote the rare class give a label model with arbitrary
weights, a one-class export, and an end model that predicts that class everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmtl_core.weak.export import TrainingLabels
from mmtl_core.weak.label_model import LabelModelResult

#: Weights that moved less than this from their start, or that all lie within this of each other, learned nothing.
STUCK_WEIGHT_TOLERANCE = 0.02


def class_name(k: int, label_names: Sequence[str]) -> str:
    """A class as the user knows it: its name where the task gives one, else its id."""
    return str(label_names[k]) if 0 <= k < len(label_names) else str(k)


def voted_classes(summary: pd.DataFrame) -> list[int]:
    """The classes some function votes on the train rows (from a function summary's Polarity column)."""
    return sorted({int(c) for polarity in summary.get("Polarity", []) for c in polarity})


def polarity_warnings(summary: pd.DataFrame, cardinality: int, label_names: Sequence[str] = ()) -> list[str]:
    """Every function votes the same single class, or some class is voted by no function (on the train rows)."""
    voted = voted_classes(summary)
    if not voted:
        return []
    if len(voted) == 1:
        only = class_name(voted[0], label_names)
        return [f"Every labeling function votes {only}: the label model cannot tell {only} from the other "
                f"class(es), and every training label will be {only}. Write functions that vote the other classes."]
    missing = [class_name(k, label_names) for k in range(cardinality) if k not in voted]
    if missing:
        return [f"No labeling function votes {', '.join(missing)}: no training label will be "
                f"{' or '.join(missing)}. Write a function for {'each of them' if len(missing) > 1 else 'it'}."]
    return []


def label_model_warnings(result: LabelModelResult | None) -> list[str]:
    """A label model whose weights stayed where they started, or came out all alike: it learned no accuracies."""
    if result is None:
        return []
    weights, start = result.weights, result.start_weights
    voting = np.isfinite(weights)
    if voting.sum() < 2:
        return []
    moved = float(np.max(np.abs(weights[voting] - start[voting])))
    spread = float(np.ptp(weights[voting]))
    if moved >= STUCK_WEIGHT_TOLERANCE and spread >= STUCK_WEIGHT_TOLERANCE:
        return []
    how = (f"moved at most {moved:.2f} from where they started" if moved < STUCK_WEIGHT_TOLERANCE
           else f"came out all alike ({np.min(weights[voting]):.2f} to {np.max(weights[voting]):.2f})")
    return [f"The label model's weights {how}: it learned nothing about which functions are more accurate, so it "
            "acts as a weighted majority vote. It learns from functions voting on the same rows (agreeing and "
            "disagreeing); write functions that overlap."]


def export_warnings(labels: TrainingLabels, label_names: Sequence[str] = ()) -> list[str]:
    """Training labels that all predict one class (by the one prediction rule)."""
    if len(labels.frame) and len(labels.classes) == 1:
        only = class_name(labels.classes[0], label_names)
        return [f"Every one of the {len(labels.frame)} training labels is {only}: a model trained on them can only "
                f"learn to predict {only}."]
    return []
