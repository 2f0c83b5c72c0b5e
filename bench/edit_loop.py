"""Bench: what a user waits for after pressing Save on the Labeling functions page, on 100,000 rows x 20 functions.

The page's own code path, timed from Save to everything the page shows: the module saved, loaded and applied
(``mmtl_core.studio.labeling.analyse_labeling``: 19 columns from the workspace's label cache, the edited one run
again), the function summary, the label model refit, both models' predictions on every row by the one rule and
their comparison on dev, the warnings, the training labels, the comparison table as the page writes it, the
coverage chart and the examples of the inspected function. The edited function is the slowest of the 20: the share
of uppercase letters, a Python loop over every character of the text; each edit changes its threshold, so its
column misses the cache every time, as a real edit does.

The reference does the same work once the way Snorkel's tutorial does: PandasLFApplier over every row and function,
LFAnalysis.lf_summary, LabelModel.fit and predict_proba. Texts are YouTube spam comments from
../shared/data/youtube_spam sampled with replacement (random words where it is absent).
Run: ``python bench/edit_loop.py``; the last line is ``edit_loop_median_s: <s>``.
"""

from __future__ import annotations

import cProfile
import glob
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snorkel.labeling import LFAnalysis, PandasLFApplier  # noqa: E402
from snorkel.labeling.model import LabelModel  # noqa: E402

from mmtl_core.data.dataset import Dataset  # noqa: E402
from mmtl_core.functions import load_functions, save_function_file  # noqa: E402
from mmtl_core.studio.display import weak_comparison_table  # noqa: E402
from mmtl_core.studio.labeling import analyse_labeling, function_examples  # noqa: E402
from mmtl_core.tasks import Task  # noqa: E402
from mmtl_core.workspace import Workspace  # noqa: E402
from pages.parts.charts import coverage_conflicts  # noqa: E402

N_ROWS = 100_000
N_DEV = 2_000
N_EDITS = 7
FILENAME = "bench_lfs.py"
DATA = Path(os.environ.get("MMTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
#: The edited function's threshold, one per edit, so every edit is a cache miss.
EDIT_THRESHOLDS = [0.60, 0.61, 0.62, 0.63, 0.64, 0.65, 0.66, 0.67, 0.68]
TASK = Task("spam", "edit_loop_bench", ("text",), label_names=("ham", "spam"))

FUNCTIONS_FILE = '''
import re
from snorkel.labeling import labeling_function
from mmtl_core.functions import KeywordLF, RegexLF

ABSTAIN, HAM, SPAM = -1, 0, 1


@labeling_function()
def mostly_upper(x):
    """The edited one, and the slowest: a Python loop over every character."""
    letters = [c for c in x.text if c.isalpha()]
    return SPAM if letters and sum(c.isupper() for c in letters) / len(letters) > {threshold} else ABSTAIN


@labeling_function()
def free_stuff(x):
    return SPAM if "free" in x.text.lower() else ABSTAIN


@labeling_function()
def keyword_my(x):
    return SPAM if re.search(r"\\bmy\\b", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def check_out(x):
    return SPAM if re.search(r"check.*out", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def has_link(x):
    return SPAM if re.search(r"https?://|www\\.|\\.com", x.text) else ABSTAIN


@labeling_function()
def short_comment(x):
    return HAM if len(x.text.split()) < 5 else ABSTAIN


@labeling_function()
def long_comment(x):
    return SPAM if len(x.text.split()) > 40 else ABSTAIN


@labeling_function()
def many_exclamations(x):
    return SPAM if x.text.count("!") >= 3 else ABSTAIN


@labeling_function()
def song_words(x):
    words = set(x.text.lower().split())
    return HAM if words & {{"song", "love", "lyrics", "beat", "voice"}} and "my" not in words else ABSTAIN


@labeling_function()
def view_count(x):
    return HAM if re.search(r"views|billion", x.text, flags=re.I) else ABSTAIN


@labeling_function()
def has_number(x):
    return SPAM if re.search(r"\\d{{4,}}", x.text) else ABSTAIN


@labeling_function()
def emoji_only(x):
    return HAM if x.text and not any(c.isalpha() for c in x.text) else ABSTAIN


kw_please = KeywordLF("kw_please", ["please", "plz"], SPAM)
kw_subscribe = KeywordLF("kw_subscribe", ["subscribe", "sub"], SPAM)
kw_money = KeywordLF("kw_money", ["money", "earn", "$"], SPAM)
kw_love = KeywordLF("kw_love", ["love", "awesome", "amazing"], HAM)
kw_best = KeywordLF("kw_best", ["best", "legend"], HAM)
re_channel = RegexLF("re_channel", r"(?i)my (channel|video|music)", SPAM)
re_follow = RegexLF("re_follow", r"(?i)follow|like 4 like|sub 4 sub", SPAM)
re_haha = RegexLF("re_haha", r"(?i)\\b(lol|haha|xd)\\b", HAM)
'''


def make_dataset(n: int, seed: int = 0) -> Dataset:
    rng = random.Random(seed)
    files = sorted(glob.glob(str(DATA / "youtube_spam" / "*.csv")))
    if files:
        pool = pd.concat([pd.read_csv(f) for f in files])
        texts, labels = pool["CONTENT"].astype(str).tolist(), pool["CLASS"].astype(int).tolist()
        print(f"texts: {len(texts)} YouTube comments from {DATA / 'youtube_spam'}, sampled to {n} rows")
    else:
        words = "check out my channel please subscribe song love this video great free http www com".split()
        texts = [" ".join(rng.choices(words, k=rng.randint(3, 20))) for _ in range(2000)]
        labels = [int("subscribe" in t or "channel" in t) for t in texts]
        print(f"texts: {DATA / 'youtube_spam'} not found; {n} rows of random words")
    picks = [rng.randrange(len(texts)) for _ in range(n)]
    split = np.where(np.arange(n) < N_DEV, "dev", "train")
    frame = pd.DataFrame({"example_id": [f"bench:{i}" for i in range(n)], "split": split,
                          "text": [texts[i] for i in picks], "label": [labels[i] for i in picks]})
    return Dataset(TASK.dataset, frame, label_names=("ham", "spam"))


def edit_once(ws: Workspace, threshold: float, dataset: Dataset) -> tuple[dict[str, float], int]:
    """One Save on the page; returns the seconds of its stages and how many columns came from the cache."""
    times, start = {}, time.perf_counter()
    save_function_file(ws.functions_dir, FILENAME, FUNCTIONS_FILE.format(threshold=threshold))
    analysis = analyse_labeling(dataset, TASK, ws, [FILENAME])
    times["save + analyse"] = time.perf_counter() - start
    if analysis.load_errors or analysis.problems:
        raise RuntimeError(f"bench functions failed: {analysis.load_errors} {analysis.problems}")
    shown = time.perf_counter()
    weak_comparison_table(analysis.report.comparison)
    coverage_conflicts(analysis.report.summary)
    function_examples(dataset, TASK, analysis, "mostly_upper", "fires")
    times["tables, chart, examples"] = time.perf_counter() - shown
    return times, sum(r.from_cache for r in analysis.applied.reports.values())


def cached_analysis_s(ws: Workspace, dataset: Dataset) -> float:
    """The same analysis again, every column from the cache: what is not applying the edited function (the
    load, the summary, the label model refit, both predictions, the comparison, the training labels)."""
    start = time.perf_counter()
    analyse_labeling(dataset, TASK, ws, [FILENAME])
    return time.perf_counter() - start


def profile_analysis(ws: Workspace, dataset: Dataset) -> None:
    """Where an analysis with every column cached spends its time (printed for information)."""
    profiler = cProfile.Profile()
    profiler.enable()
    analyse_labeling(dataset, TASK, ws, [FILENAME])
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def snorkel_reference(folder: Path, dataset: Dataset) -> float:
    """Everything redone once with Snorkel: apply all functions, summarise, fit and predict."""
    lfs = [f.obj for f in load_functions(folder, [FILENAME]).functions]  # templates are callable per row too
    frame = dataset.frame
    start = time.perf_counter()
    L = PandasLFApplier(lfs).apply(frame, progress_bar=False)
    train, dev = (frame["split"] == "train").to_numpy(), (frame["split"] == "dev").to_numpy()
    named = [SimpleNamespace(name=f.name) for f in lfs]
    LFAnalysis(L[train], named).lf_summary()
    LFAnalysis(L[dev], named).lf_summary(Y=frame["label"].to_numpy()[dev])
    model = LabelModel(cardinality=2, verbose=False)
    model.fit(L[train], n_epochs=100, seed=0, progress_bar=False)
    model.predict_proba(L[train])
    model.predict(L[dev], tie_break_policy="random")
    return time.perf_counter() - start


def main() -> None:
    warnings.simplefilter("ignore")  # Snorkel 0.10's deprecation noise under current numpy/scipy
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    dataset = make_dataset(N_ROWS)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.at(Path(tmp) / "workspace", Path(tmp) / "functions")
        first, _ = edit_once(ws, EDIT_THRESHOLDS[-1], dataset)
        print(f"first load: all 20 functions applied + first label model fit (imports torch's optimizer "
              f"machinery once per process): {sum(first.values()):.2f} s")
        totals, rests = [], []
        for i, threshold in enumerate(EDIT_THRESHOLDS[:N_EDITS]):
            stages, cached = edit_once(ws, threshold, dataset)
            assert cached == 19, f"edit {i}: expected 19 columns from the cache, got {cached}"
            totals.append(sum(stages.values()))
            rest = cached_analysis_s(ws, dataset)
            rests.append(rest)
            print(f"edit {i + 1}: threshold {threshold}: {totals[-1]:.3f} s = "
                  + " + ".join(f"{k} {v:.3f}" for k, v in stages.items())
                  + f" ({cached}/20 columns from the cache; the analysis without applying: {rest:.3f}); "
                  f"load average {os.getloadavg()[0]:.1f}")
        median = statistics.median(totals)
        print(f"median of the analysis without applying the edited function: {statistics.median(rests):.3f} s "
              "(the rest is the functions engine running mostly_upper on 100k rows)")
        if os.environ.get("EDIT_LOOP_PROFILE"):
            profile_analysis(ws, dataset)
        reference = snorkel_reference(ws.functions_dir, dataset)
    print(f"reference (Snorkel PandasLFApplier + LFAnalysis + LabelModel, once): {reference:.2f} s on {cores} cores")
    print(f"edit_loop_speedup_vs_snorkel: {reference / median:.1f}")
    print(f"edit_loop_median_s: {median:.3f}")


if __name__ == "__main__":
    main()
