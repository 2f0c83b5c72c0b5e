"""Bench: what a user waits for on the Slices page after saving a new slicing function.

The error-analysis loop on 10,000 dev examples with 30 slices already written and 20 stored training runs in the
workspace. The user saves one more slicing function; the page's own code path then runs, as timed here:

    mmtl_core.studio.slicing.analyse_slices       the module loaded, 30 slice columns from the label cache, the new one
                                                  applied to the 10k rows
    run_prediction_sets (PredictionFileCache)     the 20 runs' prediction files, read once and kept in memory between
                                                  reruns, keyed by each file's size and modification time
    slice_metrics                                 every slice's metric(s) with a 95% interval, for all 20 runs
    compare_table                                 the two-set comparison: the paired test and interval per slice

Two tasks are timed: RTE-like (accuracy, Wilson intervals, exact McNemar; the reported figure) and MRPC-like (F1
with Jeffreys posterior intervals and paired bootstrap differences, plus accuracy), printed for information.

Reference, in the same process: Snorkel's path for the per-slice part of the same work, PandasSFApplier for the new
function and Scorer.score_slices (what SliceAwareClassifier.score_slices calls) per prediction set on S as a
recarray. Snorkel computes NO intervals and no comparison: the ratio compares our whole page path against that.
Run: python bench/slice_rescore.py; the last line is ``slice_rescore_ms: <ms>``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snorkel.analysis import Scorer  # noqa: E402
from snorkel.slicing import PandasSFApplier  # noqa: E402

from mmtl_core.data.dataset import Dataset  # noqa: E402
from mmtl_core.functions import load_functions, save_function_file  # noqa: E402
from mmtl_core.keys import head_name  # noqa: E402
from mmtl_core.runs.jsonfiles import write_config  # noqa: E402
from mmtl_core.runs.layout import predictions_path  # noqa: E402
from mmtl_core.runs.predictions import write_predictions  # noqa: E402
from mmtl_core.runs.status import write_status  # noqa: E402
from mmtl_core.slices import compare_table, slice_metrics  # noqa: E402
from mmtl_core.studio.slicing import PredictionFileCache, analyse_slices, run_prediction_sets  # noqa: E402
from mmtl_core.tasks import GLUE_TASKS, Task  # noqa: E402
from mmtl_core.workspace import Workspace  # noqa: E402

N, N_RUNS, N_SLICES, REPEATS = 10_000, 20, 30, 3
MODULE = "bench_slices.py"
WORDS = "the a model said that it was not in 1999 - ; market rose fell he she they report".split()

#: 30 slices already written: templates, each a word in one of the sentences.
OLD_SLICES = "from mmtl_core.functions import KeywordSF\n\n" + "\n".join(
    f"slice_{j:02d} = KeywordSF('slice_{j:02d}', [{WORDS[j % len(WORDS)]!r}], field='sentence{1 + j % 2}')"
    for j in range(N_SLICES)) + "\n"
NEW_SLICE = '''
import re
from snorkel.slicing import slicing_function

DASH_OR_SEMICOLON = re.compile(r"\\s-+\\s|--|[\\u2013\\u2014;]")


@slicing_function()
def dash_semicolon(x):
    return bool(DASH_OR_SEMICOLON.search(x.sentence1) or DASH_OR_SEMICOLON.search(x.sentence2))
'''


def make_dataset(rng: np.random.Generator, name: str) -> Dataset:
    lengths = rng.integers(5, 40, size=(N, 2))
    frame = pd.DataFrame({"example_id": [f"dev:{i}" for i in range(N)], "split": "dev",
                          "sentence1": [" ".join(rng.choice(WORDS, k)) for k in lengths[:, 0]],
                          "sentence2": [" ".join(rng.choice(WORDS, k // 3 + 2)) for k in lengths[:, 1]],
                          "label": rng.integers(0, 2, N)})
    return Dataset(name, frame)


def store_runs(ws: Workspace, dataset: Dataset, task: Task, rng: np.random.Generator) -> list[Path]:
    """20 completed runs with predictions of the task's head on dev, written as training writes them."""
    gold = dataset.frame["label"].to_numpy()
    runs = []
    for i in range(N_RUNS):
        p_gold = np.clip(rng.normal(rng.uniform(0.55, 0.9), 0.2, N), 0.01, 0.99)
        probs = np.where(gold[:, None] == np.arange(2), p_gold[:, None], 1 - p_gold[:, None])
        run = ws.runs_dir / f"run_{i:02d}"
        run.mkdir(parents=True)
        write_status(run, "completed")
        write_config(run, {"name": f"bench {i:02d}", "tasks": [{"task": {"name": task.name}, "dataset": task.dataset}]})
        write_predictions(run, head_name(task.name), "dev", dataset.frame["example_id"].to_numpy(), probs)
        runs.append(run)
    return runs


STAGES: dict[str, list[float]] = {}


def page_after_save(ws: Workspace, dataset: Dataset, task: Task, files: PredictionFileCache) -> pd.DataFrame:
    """The Slices page's work after a save, in its order; each stage's milliseconds go to STAGES."""
    marks = [time.perf_counter()]
    analysis = analyse_slices(dataset, task, ws, [MODULE])
    data = analysis.split_slices("dev")
    marks.append(time.perf_counter())
    runs = run_prediction_sets(ws, task, "dev", data.example_ids, files)
    marks.append(time.perf_counter())
    table = slice_metrics(data, list(runs.sets.values()))
    marks.append(time.perf_counter())
    compare_table(data, runs.sets["run bench 00 (run_00)"], runs.sets["run bench 01 (run_01)"])
    marks.append(time.perf_counter())
    for name, start, stop in zip(("apply", "read runs", "metrics + intervals", "comparison"), marks, marks[1:]):
        STAGES.setdefault(name, []).append((stop - start) * 1000)
    assert len(runs.sets) == N_RUNS and not runs.errors and analysis.slice_names[-1] == "dash_semicolon"
    return table


def snorkel_reference(ws: Workspace, dataset: Dataset, task: Task, S_old: np.ndarray, runs: list[Path]) -> list:
    sf = [f for f in load_functions(ws.functions_dir, [MODULE]).functions if f.name == "dash_semicolon"][0].obj
    new = PandasSFApplier([sf]).apply(dataset.frame, progress_bar=False)
    names = [f"slice_{j:02d}" for j in range(N_SLICES)] + [sf.name]
    S_rec = np.rec.fromarrays([S_old[:, j].astype(int) for j in range(N_SLICES)] + [new[sf.name]], names=names)
    gold = dataset.frame["label"].to_numpy()
    scorer = Scorer(metrics=list(task.metrics))
    out = []
    for run in runs:
        probs = pd.read_parquet(predictions_path(run, task.name, "dev"))
        p = probs[["prob_0", "prob_1"]].to_numpy()
        out.append(scorer.score_slices(S_rec, gold, p.argmax(1), p, as_dataframe=True))
    return out


def bench_task(label: str, task: Task, root: Path) -> tuple[float, float, str]:
    rng = np.random.default_rng(0)
    dataset = make_dataset(rng, task.dataset)
    ws = Workspace.at(root / task.name / "workspace", root / task.name / "functions")
    runs = store_runs(ws, dataset, task, rng)
    files = PredictionFileCache()
    save_function_file(ws.functions_dir, MODULE, OLD_SLICES)
    # The page's earlier run: the 30 slices' columns went to the label cache, the runs' files were read.
    before = analyse_slices(dataset, task, ws, [MODULE])
    run_prediction_sets(ws, task, "dev", before.split_slices("dev").example_ids, files)
    STAGES.clear()
    times = []
    for i in range(REPEATS):
        # Each save changes the new function (a comment), so its column is computed again, as after a real edit.
        save_function_file(ws.functions_dir, MODULE, OLD_SLICES + NEW_SLICE + f"# edit {i}\n")
        start = time.perf_counter()
        table = page_after_save(ws, dataset, task, files)
        times.append((time.perf_counter() - start) * 1000)
    S_old = before.S
    start = time.perf_counter()
    ref = snorkel_reference(ws, dataset, task, S_old, runs)
    ms_ref = (time.perf_counter() - start) * 1000
    check = ref[0].loc["dash_semicolon", task.metrics[0]]
    mine = table.query("predictions == 'run bench 00 (run_00)' and slice == 'dash_semicolon'")["value"].iloc[0]
    assert abs(check - mine) < 1e-9, (check, mine)  # the same numbers as Snorkel's
    stages = ", ".join(f"{k} {min(v):.0f} ms" for k, v in STAGES.items())
    ms = float(np.median(times))
    print(f"  {label}: ours {ms:.0f} ms (median of {REPEATS} saves; best stages: {stages}; {len(table)} rows with "
          f"95% intervals) vs Snorkel PandasSFApplier + Scorer.score_slices {ms_ref:.0f} ms (no intervals, no "
          f"comparison): {ms_ref / ms:.1f}x")
    return ms, ms_ref, stages


def main() -> None:
    print(f"{N} dev examples, {N_RUNS} stored runs, {N_SLICES} slices + 1 new one")
    with tempfile.TemporaryDirectory() as tmp:
        bench_task("MRPC-like, f1 (jeffreys) + accuracy (Wilson)",
                   Task("MRPC", "mrpc_bench", ("sentence1", "sentence2"), metrics=GLUE_TASKS["MRPC"].metrics),
                   Path(tmp))
        ms, ms_ref, _ = bench_task("RTE-like, accuracy (Wilson)",
                                   Task("RTE", "rte_bench", ("sentence1", "sentence2")), Path(tmp))
    print(f"ratio (Snorkel's per-slice scores without intervals / our page path, RTE-like): {ms_ref / ms:.1f}x")
    print(f"slice_rescore_ms: {ms:.0f}")


if __name__ == "__main__":
    main()
