"""Scoring the ladder's runs on the reported rows and writing its tables, through the app's own computations:
slice membership from the Slices page's analysis, per-slice accuracy with Wilson intervals
(``slices.slice_metrics``), and exact McNemar tests between runs (``slices.compare``).

Holdout (``dev``) figures come from the runs' metrics.jsonl, which is what chose every setting and checkpoint.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.keys import MetricKey, head_name
from mmtl_core.runs.jsonfiles import read_config
from mmtl_core.runs.listing import read_run_info
from mmtl_core.runs.metrics import read_metrics
from mmtl_core.runs.predictions import has_predictions, read_head_predictions
from mmtl_core.slices import OVERALL, PredictionSet, SplitSlices
from mmtl_core.slices.compare import Comparison, compare_on_slice
from mmtl_core.slices.intervals import wilson_interval
from mmtl_core.slices.slice_metrics import slice_metrics
from mmtl_core.studio.slicing import analyse_slices
from mmtl_core.tasks import Task
from mmtl_core.workspace import Workspace

from ladder_data import SLICE_MODULE

#: The slices of Snorkel MeTaL's RTE submission, from labeling_functions/rte_slices.py.
SEED_SLICES = ("dash_semicolon", "multiple_pronouns")
REPORTED, HOLDOUT = "test", "dev"  # RTE dev is the prepared dataset's test split; the holdout is its dev split


def scored_split(dataset: Dataset, task: Task, workspace: Workspace, split: str = REPORTED) -> SplitSlices:
    """The split's rows with the seed's two slices, applied by the Slices page's analysis."""
    analysis = analyse_slices(dataset, task, workspace, [SLICE_MODULE])
    problems = [*analysis.load_errors, *(m for r in analysis.problems for m in r.messages)]
    missing = [s for s in SEED_SLICES if s not in analysis.slice_names]
    if problems or missing:
        raise FunctionError(f"{SLICE_MODULE} in {workspace.functions_dir}: "
                            + (f"{problems[0]}" if problems else f"no slicing function {missing[0]!r}"))
    full = analysis.split_slices(split)
    columns = [full.slice_names.index(s) for s in SEED_SLICES]
    return SplitSlices(full.task, full.frame, full.S[:, columns], SEED_SLICES, split=split)


@dataclass(frozen=True)
class Point:
    """One evaluation on the holdout: stage (as the ladder counts them), optimizer step, epoch, accuracy, and the
    stage as the run itself recorded it."""

    stage: int
    step: int
    epoch: float
    accuracy: float
    trained_stage: int


@dataclass
class RunScore:
    """One run of a step, scored on the reported rows."""

    seed: int
    path: Path
    name: str
    predictions: PredictionSet
    seconds: float = 0.0
    reused: bool = False
    overall: float = math.nan
    holdout: float = math.nan  # the chosen checkpoint's holdout accuracy
    slices: dict[str, float] = field(default_factory=dict)  # the task head's accuracy on each slice
    slice_heads: dict[str, float] = field(default_factory=dict)  # each slice head's own accuracy on its slice
    curve: list[Point] = field(default_factory=list)
    chosen: str = ""  # which checkpoint the holdout chose


@dataclass
class StepScore:
    step: str
    label: str
    previous: str | None
    runs: list[RunScore]
    comparisons: list[Comparison] = field(default_factory=list)  # against the step before, seed by seed

    @property
    def accuracies(self) -> np.ndarray:
        return np.array([r.overall for r in self.runs])


def score_run(data: SplitSlices, dataset: str, path: Path, seed: int, seconds: float = 0.0,
              reused: bool = False) -> RunScore:
    """The run's task head on the reported rows (and its slice heads, if any), and its holdout curve."""
    info = read_run_info(path)
    ps = read_head_predictions(path, head_name(data.task.name), data.split, data.example_ids,
                               name=f"{info.name} ({info.run_id})")
    run = RunScore(seed, path, info.name, ps, seconds, reused)
    table = slice_metrics(data, ps)
    values = dict(zip(table["slice"], table["value"].astype(float)))
    run.overall = values.pop(OVERALL)
    run.slices = values
    records = read_metrics(path)
    final = records[-1] if records else {}
    run.holdout = final.get("metrics", {}).get(str(MetricKey(data.task.name, dataset, HOLDOUT, "accuracy")), math.nan)
    for s in data.slice_names:  # a slice head scored on its own slice, by the same computation
        head = head_name(data.task.name, s)
        if has_predictions(path, head, data.split):
            own = slice_metrics(data, read_head_predictions(path, head, data.split, data.example_ids))
            run.slice_heads[s] = float(own.loc[own["slice"] == s, "value"].iloc[0])
    run.curve = holdout_curve(path, data.task.name, dataset)
    best = final.get("best", {}).get(data.task.name)
    at = [p for p in run.curve if best and (p.trained_stage, p.step) == (best["stage"], best["step"])]
    run.chosen = f"stage {at[0].stage} ep {at[0].epoch:g}" if at else ""
    return run


def holdout_curve(path: Path, task: str, dataset: str) -> list[Point]:
    """The holdout after each evaluation. A run started from step 2's (``init_from``) continues it: its stage 1 is
    shown as the ladder's stage 2 (RTE alone), and its epoch 0 is where it started."""
    key = str(MetricKey(task, dataset, HOLDOUT, "accuracy"))
    later = 1 if read_config(path).get("config", {}).get("init_from") else 0
    return [Point(int(r["stage"]) + later, int(r["step"]), round(float(r["epoch"]), 2), r["metrics"][key],
                  int(r["stage"]))
            for r in read_metrics(path)
            if isinstance(r.get("stage"), int) and key in r.get("metrics", {})]


def compare_steps(data: SplitSlices, before: StepScore, after: StepScore, *, by_seed: bool = True) -> list[Comparison]:
    """Each run of ``after`` against the run of ``before`` with the same seed, or (``by_seed`` False: an ensemble
    of ``before``'s runs) against each of them, on all reported rows: exact McNemar."""
    seeds = {r.seed: r for r in before.runs}
    pairs = [(seeds[r.seed], r) for r in after.runs if r.seed in seeds] if by_seed else \
        [(b, a) for b in before.runs for a in after.runs]
    return [compare_on_slice(data, a.predictions, b.predictions, OVERALL) for a, b in pairs]


# --- tables ------------------------------------------------------------------------------------------------------

def pct(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{100 * x:.1f}"


def p_text(p: float | None) -> str:
    return "p –" if p is None else "p<0.001" if p < 0.001 else f"p={p:.3f}" if p < 0.01 else f"p={p:.2f}"


def points(x: float) -> str:
    """A difference in points, signed (never "-0.0")."""
    return f"{100 * x + 0.0:+.1f}".replace("-0.0", "+0.0")


def half_width(n: int) -> float:
    """Half the width of a 95% interval of an accuracy near 0.5 on n rows, in points."""
    return 100 * 1.96 * (0.25 / n) ** 0.5 if n else float("nan")


def spread(values: np.ndarray) -> str:
    values = values[np.isfinite(values)]
    if not len(values):
        return "–"
    sd = f" ± {100 * values.std(ddof=1):.1f}" if len(values) > 1 else ""
    return f"{100 * values.mean():.1f}{sd}"


def interval_at_mean(values: np.ndarray, n: int) -> str:
    """Wilson's 95% interval of one run scoring the mean accuracy on n rows: the sampling noise of the rows."""
    values = values[np.isfinite(values)]
    if not len(values) or not n:
        return "–"
    lo, hi = wilson_interval(float(values.mean()) * n, n)
    return f"[{100 * lo:.1f}, {100 * hi:.1f}]"


def delta_cell(comparisons: list[Comparison]) -> str:
    if not comparisons:
        return "–"
    diffs = np.array([c.diff for c in comparisons], float)
    seeds = ", ".join(f"{points(c.diff)} ({p_text(c.p_value)})" for c in comparisons)
    return f"{points(diffs.mean())}: {seeds}"


def slice_sizes(data: SplitSlices) -> dict[str, int]:
    labeled = data.labeled
    return {s: int((data.members(s) & labeled).sum()) for s in data.slice_names}


def ladder_table(data: SplitSlices, steps: list[StepScore]) -> str:
    sizes = slice_sizes(data)
    n = int(data.labeled.sum())
    head = ["step", "runs", f"RTE dev accuracy (n={n}), mean ± sd over seeds", "per seed",
            "95% interval at the mean", *(f"{s} (n={sizes[s]})" for s in data.slice_names),
            "vs the step before: mean Δ: per seed Δ (exact McNemar p)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for st in steps:
        per_seed = ", ".join(pct(r.overall) for r in st.runs)
        slices = [spread(np.array([r.slices.get(s, np.nan) for r in st.runs])) for s in data.slice_names]
        vs = f"vs {st.previous}: {delta_cell(st.comparisons)}" if st.previous else "–"
        lines.append("| " + " | ".join([f"{st.step} {st.label}", str(len(st.runs)), spread(st.accuracies), per_seed,
                                        interval_at_mean(st.accuracies, n), *slices, vs]) + " |")
    return "\n".join(lines)


def slice_head_lines(steps: list[StepScore]) -> list[str]:
    out = []
    for st in steps:
        for s in SEED_SLICES:
            own = np.array([r.slice_heads[s] for r in st.runs if s in r.slice_heads])
            if len(own):
                task = spread(np.array([r.slices.get(s, np.nan) for r in st.runs]))
                out.append(f"- step {st.step}: slice head `RTE:{s}` on its own slice {spread(own)} "
                           f"(the task head there: {task})")
    return out


def curve_table(steps: list[StepScore]) -> str:
    """Holdout accuracy after each epoch, mean over a step's seeds (stage 2: RTE alone from step 2's checkpoint;
    its epoch 0 is that checkpoint)."""
    points: dict[tuple[int, float], list[float]] = {}
    rows = []
    for st in steps:
        per = {}
        for r in st.runs:
            for p in r.curve:
                per.setdefault((p.stage, p.epoch), []).append(p.accuracy)
        points.update({k: [] for k in per})
        chosen = ", ".join(sorted({r.chosen for r in st.runs if r.chosen})) or "–"
        rows.append((st, per, chosen))
    keys = sorted(points)
    if not keys:
        return ""
    head = ["step", *(f"stage {s} ep {e:g}" for s, e in keys), "checkpoints chosen (per run)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for st, per, chosen in rows:
        cells = [pct(float(np.mean(per[k]))) if k in per else "" for k in keys]
        lines.append("| " + " | ".join([f"{st.step} {st.label}", *cells, chosen]) + " |")
    return "\n".join(lines)
