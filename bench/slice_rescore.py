"""Bench: a new slicing function, then every per-slice metric with intervals for 20 stored prediction sets.

The error-analysis loop: 10,000 dev examples, 20 stored prediction sets (past runs), 30 slices already applied.
The user writes one more slicing function; we load and apply it to the 10k rows (mmtl_core.functions, sandboxed)
and recompute every slice's metric(s) WITH a 95% interval for all 20 sets (mmtl_core.slices.slice_metrics).

Reference, in the same process: Snorkel's path for the same work, PandasSFApplier for the new function and
Scorer.score_slices (what SliceAwareClassifier.score_slices calls) per prediction set on S as a recarray.
Snorkel computes NO intervals: the ratio compares our work with intervals against theirs without.

Two tasks are timed: RTE-like (accuracy: Wilson intervals; the reported figure) and MRPC-like (F1 with 1000
bootstrap resamples per slice, plus accuracy), printed for information. Run: python bench/slice_rescore.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mmtl_core.data.dataset import Dataset  # noqa: E402
from mmtl_core.functions import apply_functions, load_functions  # noqa: E402
from mmtl_core.slices import PredictionSet, SplitSlices, slice_metrics  # noqa: E402
from mmtl_core.tasks import GLUE_TASKS  # noqa: E402

N, N_SETS, N_SLICES, REPEATS = 10_000, 20, 30, 3
NEW_SF = '''
import re
from snorkel.slicing import slicing_function

DASH_OR_SEMICOLON = re.compile(r"\\s-+\\s|--|[\\u2013\\u2014;]")


@slicing_function()
def dash_semicolon(x):
    return bool(DASH_OR_SEMICOLON.search(x.sentence1) or DASH_OR_SEMICOLON.search(x.sentence2))
'''


def make_data(rng: np.random.Generator) -> tuple[Dataset, np.ndarray, list[PredictionSet]]:
    words = np.array("the a model said that it was not in 1999 - ; market rose fell he she they report".split())
    lengths = rng.integers(5, 40, size=(N, 2))
    sentence1 = [" ".join(rng.choice(words, k)) for k in lengths[:, 0]]
    sentence2 = [" ".join(rng.choice(words, k // 3 + 2)) for k in lengths[:, 1]]
    gold = rng.integers(0, 2, N)
    frame = pd.DataFrame({"example_id": [f"dev:{i}" for i in range(N)], "split": "dev", "sentence1": sentence1,
                          "sentence2": sentence2, "label": gold})
    coverage = rng.uniform(0.01, 0.4, N_SLICES)
    S = rng.random((N, N_SLICES)) < coverage  # slices already applied (cached columns)
    sets = []
    for i in range(N_SETS):
        skill = rng.uniform(0.55, 0.9)
        p_gold = np.clip(rng.normal(skill, 0.2, N), 0.01, 0.99)
        probs = np.where(gold[:, None] == np.arange(2), p_gold[:, None], 1 - p_gold[:, None])
        sets.append(PredictionSet.from_probs(f"run_{i:02d}", frame["example_id"].to_numpy(), probs))
    return Dataset("bench", frame), S, sets


STAGES: dict[str, list[float]] = {"load + apply": [], "metrics + intervals": []}


def ours(folder: Path, dataset: Dataset, S: np.ndarray, sets: list[PredictionSet], task) -> pd.DataFrame:
    t = time.perf_counter()
    found = load_functions(folder)
    new = apply_functions(found.functions, dataset)
    t_apply = time.perf_counter()
    data = SplitSlices.of(task, dataset, "dev", np.column_stack([S, new.matrix]),
                          [f"slice_{j:02d}" for j in range(N_SLICES)] + new.names)
    table = slice_metrics(data, sets)
    STAGES["load + apply"].append((t_apply - t) * 1000)
    STAGES["metrics + intervals"].append((time.perf_counter() - t_apply) * 1000)
    return table


def snorkel_reference(folder: Path, dataset: Dataset, S: np.ndarray, sets: list[PredictionSet], task) -> list:
    from snorkel.analysis import Scorer
    from snorkel.slicing import PandasSFApplier

    sf = load_functions(folder).functions[0].obj
    new = PandasSFApplier([sf]).apply(dataset.frame, progress_bar=False)
    names = [f"slice_{j:02d}" for j in range(N_SLICES)] + [sf.name]
    S_rec = np.rec.fromarrays([S[:, j].astype(int) for j in range(N_SLICES)] + [new[sf.name]], names=names)
    gold = dataset.frame["label"].to_numpy()
    scorer = Scorer(metrics=list(task.metrics))
    return [scorer.score_slices(S_rec, gold, ps.preds, ps.probs, as_dataframe=True) for ps in sets]


def best_ms(fn, *args) -> tuple[float, object]:
    times, out = [], None
    for _ in range(REPEATS):
        t = time.perf_counter()
        out = fn(*args)
        times.append((time.perf_counter() - t) * 1000)
    return min(times), out


def main() -> None:
    rng = np.random.default_rng(0)
    dataset, S, sets = make_data(rng)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "new_slice.py").write_text(NEW_SF)
        results = {}
        for label, task in (("MRPC-like, f1 (bootstrap) + accuracy (Wilson)", GLUE_TASKS["MRPC"]),
                            ("RTE-like, accuracy (Wilson)", GLUE_TASKS["RTE"])):
            for stage in STAGES.values():
                stage.clear()
            ms_ours, table = best_ms(ours, folder, dataset, S, sets, task)
            stages = ", ".join(f"{k} {min(v):.0f} ms" for k, v in STAGES.items())
            ms_ref, ref = best_ms(snorkel_reference, folder, dataset, S, sets, task)
            check = ref[0].loc["dash_semicolon", task.metrics[0]]
            mine = table.query("predictions == 'run_00' and slice == 'dash_semicolon'")["value"].iloc[0]
            assert abs(check - mine) < 1e-9, (check, mine)  # same numbers as Snorkel's
            results[label] = (ms_ours, ms_ref, len(table), stages)
    print(f"{N} examples, {N_SETS} prediction sets, {N_SLICES} + 1 new slices; best of {REPEATS} runs")
    for label, (ms_ours, ms_ref, rows, stages) in results.items():
        print(f"  {label}: ours {ms_ours:.0f} ms ({stages}; {rows} rows with 95% intervals) vs Snorkel "
              f"PandasSFApplier + Scorer.score_slices {ms_ref:.0f} ms (no intervals): {ms_ref / ms_ours:.1f}x faster")
    ms_ours, ms_ref, _, _ = results["RTE-like, accuracy (Wilson)"]
    print(f"ratio (Snorkel without intervals / ours with intervals, RTE-like): {ms_ref / ms_ours:.1f}x")
    print(f"slice_rescore_ms: {ms_ours:.0f}")


if __name__ == "__main__":
    main()
