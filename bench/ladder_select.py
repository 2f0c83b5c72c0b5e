"""Choosing the ladder's settings on the RTE holdout (``python bench/ladder.py --select``).

Each candidate is a recipe with a few settings changed; its runs train on RTE_holdout's train split and are
judged only by their holdout (dev) accuracy after each epoch, read from metrics.jsonl. The reported rows (the
test split, RTE dev) are never read here. The recipes then carry the winning settings, by hand, with this page's
table as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from mmtl_core.train import TrainConfig

from ladder_report import Point, holdout_curve, pct

#: Auxiliary task names, for candidates that change only those tasks.
AUXILIARY_TASKS = ("MRPC", "STSB", "WNLI", "CoLA", "SST2")


@dataclass(frozen=True)
class Candidate:
    label: str  # what it changes, e.g. "lr 1e-4"
    step: str  # the ladder step whose recipe it starts from
    settings: dict[str, Any] = field(default_factory=dict)  # TrainConfig settings
    auxiliary: dict[str, Any] = field(default_factory=dict)  # TaskSpec settings of every auxiliary task


#: The candidates tried, in order: learning rate and epochs (single task, one seed each: the holdout curves after
#: every epoch), then at the quick budget's two epochs pooling, then the usual remedies for multi-task training that
#: does not help: a smaller loss multiplier on the auxiliary tasks, temperature sampling that draws RTE's batches far
#: more often (p ~ n^(1/T), T < 1 sharpens towards the largest task), more auxiliary rows.
CANDIDATES = (
    Candidate("lr 2e-5, 4 epochs", "1", {"lr": 2e-5, "epochs": 4}),
    Candidate("lr 5e-5, 4 epochs", "1", {"lr": 5e-5, "epochs": 4}),
    Candidate("lr 1e-4, 4 epochs", "1", {"lr": 1e-4, "epochs": 4}),
    Candidate("lr 1e-4, 2 epochs", "1", {"lr": 1e-4, "epochs": 2}),
    Candidate("cls pooling, lr 1e-4, 2 epochs", "1", {"lr": 1e-4, "epochs": 2, "pooling": "cls"}),
    Candidate("auxiliary loss x0.3", "2", {"lr": 1e-4, "epochs": 2}, {"loss_weight": 0.3}),
    Candidate("temperature 0.5 (RTE in about 9 of 10 batches)", "2", {"lr": 1e-4, "epochs": 2,
                                                                      "schedule": "temperature", "temperature": 0.5}),
    Candidate("1000 auxiliary rows", "2", {"lr": 1e-4, "epochs": 2}, {"max_train_rows": 1000}),
)


def candidate_config(base: TrainConfig, candidate: Candidate, seed: int) -> TrainConfig:
    tasks = tuple(replace(t, **candidate.auxiliary) if t.task in AUXILIARY_TASKS else t for t in base.tasks)
    return replace(base, **candidate.settings, tasks=tasks, seed=seed, save_weights=False,  # nothing starts from them
                   name=f"{base.name} · holdout choice: {candidate.label} · seed {seed}")


@dataclass
class CandidateScore:
    candidate: Candidate
    curves: list[list[Point]]  # one per seed
    runs: list[Path]

    def mean_curve(self) -> dict[tuple[int, float], float]:
        per: dict[tuple[int, float], list[float]] = {}
        for curve in self.curves:
            for p in curve:
                per.setdefault((p.stage, p.epoch), []).append(p.accuracy)
        return {k: float(np.mean(v)) for k, v in sorted(per.items())}

    def best(self) -> tuple[tuple[int, float], float]:
        curve = self.mean_curve()
        key = max(curve, key=lambda k: curve[k])
        return key, curve[key]


def score_candidate(candidate: Candidate, runs: list[Path], task: str, dataset: str) -> CandidateScore:
    return CandidateScore(candidate, [holdout_curve(r, task, dataset) for r in runs], runs)


def select_table(scores: list[CandidateScore]) -> str:
    keys = sorted({k for s in scores for k in s.mean_curve()})
    head = ["candidate", "from step", "seeds", *(f"stage {s} ep {e:g}" for s, e in keys), "best (mean over seeds)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in scores:
        curve = s.mean_curve()
        (stage, epoch), value = s.best()
        lines.append("| " + " | ".join([s.candidate.label, s.candidate.step, str(len(s.curves)),
                                        *(pct(curve[k]) if k in curve else "" for k in keys),
                                        f"{pct(value)} (stage {stage} ep {epoch:g})"]) + " |")
    return "\n".join(lines)


def describe(candidate: Candidate) -> str:
    changes = {**candidate.settings, **{f"auxiliary {k}": v for k, v in candidate.auxiliary.items()}}
    return ", ".join(f"{k}={v}" for k, v in changes.items())
