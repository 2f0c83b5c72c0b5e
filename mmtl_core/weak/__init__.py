"""Weak supervision: labeling-function analysis, label models (Snorkel's LabelModel and majority vote) with one rule
for their predictions (predictions.py), scored honestly on the dev split, and probabilistic training labels."""

from mmtl_core.weak.export import TrainingLabels, export_training_labels, training_labels
from mmtl_core.weak.label_model import LabelModelConfig, LabelModelResult, fit_label_model, warm_up
from mmtl_core.weak.matrix import ABSTAIN, check_label_matrix
from mmtl_core.weak.predictions import (LABEL_MODEL, MAJORITY_VOTE, PREDICTION_RULE, labeling_model,
                                        majority_vote_proba, weak_predictions)
from mmtl_core.weak.report import WeakReport, weak_report, weak_report_for_task
from mmtl_core.weak.scoring import score_weak_predictions
from mmtl_core.weak.summary import SUMMARY_NOTE, function_summary, lf_summary

__all__ = [
    "ABSTAIN", "LABEL_MODEL", "MAJORITY_VOTE", "PREDICTION_RULE", "SUMMARY_NOTE", "LabelModelConfig",
    "LabelModelResult", "TrainingLabels", "WeakReport", "check_label_matrix",
    "export_training_labels", "fit_label_model", "function_summary", "labeling_model", "lf_summary",
    "majority_vote_proba", "score_weak_predictions", "training_labels", "warm_up",
    "weak_predictions", "weak_report", "weak_report_for_task",
]
