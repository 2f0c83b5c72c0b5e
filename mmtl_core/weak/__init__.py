"""Weak supervision: labeling-function analysis, label models (Snorkel's LabelModel and majority vote) scored
honestly on the dev split, and probabilistic training labels."""

from mmtl_core.weak.export import TrainingLabels, export_training_labels, training_labels
from mmtl_core.weak.function_warnings import lf_warnings
from mmtl_core.weak.label_model import (LabelModelConfig, LabelModelResult, fit_label_model, majority_vote_proba,
                                        warm_up)
from mmtl_core.weak.matrix import ABSTAIN, check_label_matrix
from mmtl_core.weak.report import WeakReport, weak_report, weak_report_for_task
from mmtl_core.weak.scoring import MODEL_NAMES, SCORING_NOTE, break_ties, compare_label_models
from mmtl_core.weak.summary import SUMMARY_COLUMNS, SUMMARY_NOTE, function_summary, lf_summary

__all__ = [
    "ABSTAIN", "MODEL_NAMES", "SCORING_NOTE", "SUMMARY_COLUMNS", "SUMMARY_NOTE", "LabelModelConfig",
    "LabelModelResult", "TrainingLabels", "WeakReport", "break_ties", "check_label_matrix", "compare_label_models",
    "export_training_labels", "fit_label_model", "function_summary", "lf_summary", "lf_warnings",
    "majority_vote_proba", "training_labels", "warm_up", "weak_report", "weak_report_for_task",
]
