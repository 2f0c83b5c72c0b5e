"""A run's readable name: the one given in its config, or one made from its tasks, labels, mode and encoder."""

from __future__ import annotations

import os
from pathlib import Path

from mmtl_core.train.config import GOLD, LABEL_MODEL, TaskSpec, TrainConfig

#: What the bundled default encoder is called in run names.
DEFAULT_ENCODER_NAME = "all-MiniLM-L6-v2"


def encoder_label(encoder: str) -> str:
    """``bert-base-uncased`` for a hub name or folder; the bundled MiniLM (or $MMTL_DEFAULT_ENCODER's folder)."""
    if not encoder:
        override = os.environ.get("MMTL_DEFAULT_ENCODER")
        return Path(override).name if override else DEFAULT_ENCODER_NAME
    return Path(encoder.rstrip("/\\")).name or encoder


def labels_label(labels: str) -> str:
    if labels == GOLD:
        return "gold"
    if labels == LABEL_MODEL:
        return "label model"
    return Path(labels).stem


def task_label(spec: TaskSpec) -> str:
    return f"{spec.task} ({labels_label(spec.labels)})"


def run_name(cfg: TrainConfig) -> str:
    """``youtube_spam (label model) · frozen · all-MiniLM-L6-v2``, with ``seed N`` when not 0 (runs of several
    seeds, made for an ensemble, then differ); ``cfg.name`` when given."""
    if cfg.name:
        return cfg.name
    mode = f"{cfg.mode} + per-task stage" if cfg.stage2_epochs else cfg.mode
    parts = [" + ".join(task_label(t) for t in cfg.tasks), mode, encoder_label(cfg.encoder)]
    if cfg.seed:
        parts.append(f"seed {cfg.seed}")
    return " · ".join(parts)
