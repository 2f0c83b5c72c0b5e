"""Bench: the labeling-function edit loop on 100,000 rows x 20 functions, against redoing it all with Snorkel.

The UI reruns this loop on every save: the user edits one function, and the page shows its new statistics and the
refitted label model. Here the 20 functions (12 arbitrary-Python ``@labeling_function``s, 8 templates) are first
applied once into a :class:`LabelCache`; then, ``N_EDITS`` times, one Python function gets a different keyword
(so its column misses the cache) and the loop runs as the UI runs it:

    save_function_file -> load_functions -> apply_functions (19 columns from the cache) -> weak_report
    (summary on train + dev, label model refit on the train rows, MV vs LM on dev, warnings, training labels)

The reference does the same work once the way Snorkel's tutorial does: PandasLFApplier over every row and function,
LFAnalysis.lf_summary, LabelModel.fit and predict_proba. Texts are YouTube spam comments from
../shared/data/youtube_spam sampled with replacement (random words where it is absent).
Run: ``python bench/edit_loop.py``; the last line is ``edit_loop_median_s: <s>``.
"""

from __future__ import annotations

import glob
import os
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
from mmtl_core.functions import LabelCache, apply_functions, load_functions, save_function_file  # noqa: E402
from mmtl_core.weak import weak_report  # noqa: E402

N_ROWS = 100_000
N_DEV = 2_000
N_EDITS = 7
FILENAME = "bench_lfs.py"
DATA = Path(os.environ.get("MMTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
#: The edited function's keyword, one per edit, so every edit is a cache miss.
EDIT_KEYWORDS = ["subscribe", "channel", "free", "money", "visit", "follow", "watch", "click", "website"]

FUNCTIONS_FILE = '''
import re
from snorkel.labeling import labeling_function
from mmtl_core.functions import KeywordLF, RegexLF

ABSTAIN, HAM, SPAM = -1, 0, 1


@labeling_function()
def edited(x):
    return SPAM if "{keyword}" in x.text.lower() else ABSTAIN


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
def mostly_upper(x):
    letters = [c for c in x.text if c.isalpha()]
    return SPAM if letters and sum(c.isupper() for c in letters) / len(letters) > 0.6 else ABSTAIN


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
    return Dataset("edit_loop_bench", frame, label_names=("ham", "spam"))


def edit_once(folder: Path, keyword: str, dataset: Dataset, cache: LabelCache) -> tuple[list[float], int]:
    """One save in the UI; returns the seconds of (save + load, apply, weak_report) and the cached column count."""
    start = time.perf_counter()
    save_function_file(folder, FILENAME, FUNCTIONS_FILE.format(keyword=keyword))
    functions = load_functions(folder, [FILENAME])
    if functions.errors:
        raise RuntimeError(f"bench functions failed to load: {functions.errors}")
    loaded = time.perf_counter()
    applied = apply_functions(functions.of_kind("labeling"), dataset, cache=cache, cardinality=2)
    frame = dataset.frame
    was_applied = time.perf_counter()
    weak_report(applied.matrix, applied.names, frame["split"].to_numpy(), frame["label"].to_numpy(),
                frame["example_id"].to_numpy(), 2, label_names=dataset.label_names)
    phases = [loaded - start, was_applied - loaded, time.perf_counter() - was_applied]
    return phases, sum(r.from_cache for r in applied.reports.values())


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
        folder, cache = Path(tmp) / "functions", LabelCache(Path(tmp) / "cache")
        first, _ = edit_once(folder, EDIT_KEYWORDS[-1], dataset, cache)
        print(f"first load: all 20 functions applied + first label model fit (imports torch's optimizer "
              f"machinery once per process): {sum(first):.2f} s")
        times, weak_times = [], []
        for i, keyword in enumerate(EDIT_KEYWORDS[:N_EDITS]):
            phases, cached = edit_once(folder, keyword, dataset, cache)
            assert cached == 19, f"edit {i}: expected 19 columns from the cache, got {cached}"
            times.append(sum(phases))
            weak_times.append(phases[2])
            print(f"edit {i + 1}: keyword {keyword!r}: {sum(phases):.3f} s = save+load {phases[0]:.3f} + apply "
                  f"{phases[1]:.3f} ({cached}/20 columns from the cache) + summary/label model {phases[2]:.3f}; "
                  f"load average {os.getloadavg()[0]:.1f}")
        median = statistics.median(times)
        print(f"median of the summary + label model refit + dev scoring alone: {statistics.median(weak_times):.3f} s")
        reference = snorkel_reference(folder, dataset)
    print(f"reference (Snorkel PandasLFApplier + LFAnalysis + LabelModel, once): {reference:.2f} s on {cores} cores")
    print(f"edit_loop_speedup_vs_snorkel: {reference / median:.1f}")
    print(f"edit_loop_median_s: {median:.3f}")


if __name__ == "__main__":
    main()
