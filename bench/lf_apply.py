"""Bench: applying labeling functions to 100,000 short texts, against Snorkel's PandasLFApplier in the same run.

1. Ten arbitrary-Python LFs (keywords, regex, length, case ratios...) through ``apply_functions`` (forked workers,
   one per core) vs ``PandasLFApplier`` (one process) on the same rows; the matrices must be identical. The same
   race again with one worker on our side, so the ratio without parallelism is seen too.
2. Ten template LFs (vectorised) vs Snorkel running equivalent ``@labeling_function`` versions.
3. What the app pays for running user code sandboxed: the ten Python LFs written to a module and applied through
   ``apply_modules`` (the function host: import in a forked child, workers, columns back over a socket) against
   ``apply_functions`` in this process, both cold (no cache) and with the host already holding the data.

Texts are YouTube spam comments from ../shared/data/youtube_spam (random words where it is absent), sampled with
replacement. Run: ``python bench/lf_apply.py``. The last line is ``lf_apply_speedup_vs_snorkel: <x>``.
"""

from __future__ import annotations

import glob
import os
import random
import re
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from snorkel.labeling import PandasLFApplier, labeling_function  # noqa: E402

from mmtl_core.data.dataset import Dataset  # noqa: E402
from mmtl_core.functions import (FunctionHost, KeywordLF, RegexLF, apply_functions, apply_modules,  # noqa: E402
                                 make_user_function)
from mmtl_core.functions import apply as apply_module  # noqa: E402
from mmtl_core.functions.apply import MIN_ROWS_PER_WORKER, default_workers  # noqa: E402

N_ROWS = 100_000
SPAM, HAM, ABSTAIN = 1, 0, -1
DATA = Path(os.environ.get("MMTL_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def make_texts(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    files = sorted(glob.glob(str(DATA / "youtube_spam" / "*.csv")))
    if files:
        pool = pd.concat([pd.read_csv(f) for f in files])["CONTENT"].astype(str).tolist()
        print(f"texts: {len(pool)} YouTube comments from {DATA / 'youtube_spam'}, sampled to {n} rows")
    else:
        words = "check out my channel please subscribe song love this video great free http www com".split()
        pool = [" ".join(rng.choices(words, k=rng.randint(3, 20))) for _ in range(2000)]
        print(f"texts: {DATA / 'youtube_spam'} not found; {n} rows of random words")
    return [rng.choice(pool) for _ in range(n)]


# --- ten arbitrary-Python LFs --------------------------------------------------------------------------------
@labeling_function()
def check_out(x):
    return SPAM if "check out" in x.text.lower() else ABSTAIN


LINK = re.compile(r"https?://|www\.")
UPPER, LOWER = re.compile(r"[A-Z]"), re.compile(r"[a-z]")  # for the case ratio


@labeling_function()
def has_link(x):
    return SPAM if LINK.search(x.text) else ABSTAIN


@labeling_function()
def short_comment(x):
    return HAM if len(x.text.split()) < 5 else ABSTAIN


@labeling_function()
def mostly_upper(x):
    upper, lower = len(UPPER.findall(x.text)), len(LOWER.findall(x.text))
    return SPAM if upper >= 5 and upper / (upper + lower) > 0.6 else ABSTAIN


@labeling_function()
def all_lowercase(x):
    return HAM if len(x.text) > 20 and x.text == x.text.lower() else ABSTAIN


@labeling_function()
def my_channel(x):
    text = x.text.lower()
    return SPAM if "my channel" in text or "my video" in text else ABSTAIN


@labeling_function()
def subscribe(x):
    return SPAM if "subscrib" in x.text.lower() else ABSTAIN


@labeling_function()
def song_words(x):
    words = set(x.text.lower().split())
    return HAM if words & {"song", "love", "beautiful", "best"} else ABSTAIN


@labeling_function()
def many_exclaims(x):
    return SPAM if x.text.count("!") >= 3 else ABSTAIN


@labeling_function()
def long_comment(x):
    return SPAM if len(x.text) > 200 else ABSTAIN


PYTHON_LFS = [check_out, has_link, short_comment, mostly_upper, all_lowercase, my_channel, subscribe, song_words,
              many_exclaims, long_comment]

# --- ten templates and their Snorkel equivalents -----------------------------------------------------------------
TEMPLATE_SPECS = [  # (name, keywords or pattern, label, is_regex)
    ("t_check", ["check out", "check my"], SPAM, False),
    ("t_subscribe", ["subscribe", "sub4sub"], SPAM, False),
    ("t_channel", ["my channel", "my video"], SPAM, False),
    ("t_free", ["free", "win", "gift card"], SPAM, False),
    ("t_love", ["love", "beautiful", "amazing"], HAM, False),
    ("t_song", ["song", "music", "lyrics"], HAM, False),
    ("t_link", r"https?://|www\.", SPAM, True),
    ("t_money", r"\$\d+|money|cash", SPAM, True),
    ("t_views", r"\b\d+\s*(?:million|billion|m|b)\b", HAM, True),
    ("t_shout", r"!{3,}", SPAM, True),
]


def templates() -> list:
    return [RegexLF(n, spec, label) if is_regex else KeywordLF(n, spec, label)
            for n, spec, label, is_regex in TEMPLATE_SPECS]


def snorkel_equivalents() -> list:
    lfs = []
    for name, spec, label, is_regex in TEMPLATE_SPECS:
        if is_regex:
            def f(x, _p=re.compile(spec), _y=label):
                return _y if _p.search(x.text) else ABSTAIN
        else:
            def f(x, _k=tuple(k.lower() for k in spec), _y=label):
                text = x.text.lower()
                return _y if any(k in text for k in _k) else ABSTAIN
        f.__name__ = name
        lfs.append(labeling_function(name=name)(f))
    return lfs


def timed(f):
    t0 = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t0


def race(label: str, ours: list, theirs: list, frame: pd.DataFrame, rounds: int = 2,
         n_workers: int | None = None) -> float:
    """Both appliers on all the rows, ``rounds`` times, alternating which goes first so that load from other
    processes on a shared machine falls on both alike. Times are summed over the rounds; matrices compared.

    Each of our runs starts cold: the row objects the applier keeps between calls (for the edit loop) are dropped
    first, so every run pays for building its rows, as Snorkel's does."""
    users = [make_user_function(o) for o in ours]
    dataset = Dataset("bench", frame)
    t_ours = t_snorkel = 0.0
    mine, snorkel = [], []
    for r in range(rounds):

        def run_ours():
            apply_module._row_cache.clear()
            return apply_functions(users, dataset, timeout_s=600, n_workers=n_workers)

        def run_snorkel():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return PandasLFApplier(theirs).apply(frame, progress_bar=False)

        first, second = (run_ours, run_snorkel) if r % 2 == 0 else (run_snorkel, run_ours)
        out1, t1 = timed(first)
        out2, t2 = timed(second)
        applied, L, dt_ours, dt_snorkel = (out1, out2, t1, t2) if r % 2 == 0 else (out2, out1, t2, t1)
        assert all(r.ok for r in applied.reports.values()), [r.messages for r in applied.reports.values()]
        mine.append(applied.matrix)
        snorkel.append(L)
        t_ours, t_snorkel = t_ours + dt_ours, t_snorkel + dt_snorkel
    L_ours, L_snorkel = mine[0], snorkel[0]
    assert all(np.array_equal(m, s) for m, s in zip(mine, snorkel)), f"{label}: our matrix differs from Snorkel's"
    coverage = (L_ours >= 0).mean(axis=0).round(3).tolist()
    workers = max(1, min(n_workers or default_workers(), len(frame) // MIN_ROWS_PER_WORKER))
    print(f"{label} on {len(frame)} rows, {rounds} rounds: ours {t_ours:.2f} s ({workers} worker process"
          f"{'es' if workers > 1 else ''} on {len(os.sched_getaffinity(0))} cores), Snorkel PandasLFApplier "
          f"{t_snorkel:.2f} s (1 process), speedup {t_snorkel / t_ours:.1f}x; identical matrices; "
          f"coverage {coverage}")
    return t_snorkel / t_ours


def sandbox_overhead(frame: pd.DataFrame, rounds: int = 3) -> None:
    """The ten Python LFs from a module file through the sandboxed host vs in this process, same workers."""
    source = Path(__file__).read_text()
    body = source[source.index("# --- ten arbitrary-Python LFs"):source.index("PYTHON_LFS = [")]
    dataset = Dataset("bench", frame)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "bench_lfs.py").write_text("import re\nfrom snorkel.labeling import labeling_function\n"
                                             "SPAM, HAM, ABSTAIN = 1, 0, -1\n" + body)
        host = FunctionHost()
        started = time.perf_counter()
        host.start()
        start_s = time.perf_counter() - started
        users = [make_user_function(o) for o in PYTHON_LFS]
        first, t_first = timed(lambda: apply_modules(dataset, folder, host=host, timeout_s=600))
        host_times, local_times = [], []
        for _ in range(rounds):
            run, t_host = timed(lambda: apply_modules(dataset, folder, host=host, timeout_s=600))
            apply_module._row_cache.clear()  # rows built once per dataset, as the host keeps them
            apply_module.cached_rows(dataset)
            local, t_local = timed(lambda: apply_functions(users, dataset, timeout_s=600))
            assert np.array_equal(run.applied["labeling"].matrix, local.matrix)
            host_times.append(t_host)
            local_times.append(t_local)
        host.stop()
    overhead = min(host_times) - min(local_times)
    print(f"sandboxed host: started in {start_s:.2f} s (once per server); first apply {t_first:.2f} s (sends "
          f"{len(frame)} rows once); then {min(host_times):.3f} s vs {min(local_times):.3f} s in this process "
          f"(best of {rounds}): {overhead * 1000:+.0f} ms per apply of 10 functions x {len(frame)} rows; "
          f"identical matrices")


def main() -> None:
    texts = make_texts(N_ROWS)
    frame = pd.DataFrame({"example_id": [f"yt:{i}" for i in range(N_ROWS)], "split": "train", "text": texts})
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    python_speedup = race("10 arbitrary-Python LFs", PYTHON_LFS, PYTHON_LFS, frame)
    one_worker = race("10 arbitrary-Python LFs, one worker on our side", PYTHON_LFS, PYTHON_LFS, frame, n_workers=1)
    template_speedup = race("10 template LFs", templates(), snorkel_equivalents(), frame)
    sandbox_overhead(frame)
    print(f"load average after: {os.getloadavg()[0]:.1f} (other processes on this machine slow both sides)")
    print(f"lf_apply_template_speedup_vs_snorkel: {template_speedup:.1f}")
    print(f"lf_apply_speedup_vs_snorkel_one_worker: {one_worker:.1f}")
    print(f"lf_apply_speedup_vs_snorkel: {python_speedup:.1f}")


if __name__ == "__main__":
    main()
