"""The Compare page's re-render, and an ensemble's metrics, on the issue's realistic case: 20 finished runs in the
registry (run folders written with the run layout's own writers: a task head and two slice heads each, gold and
stored slices) on a 10,000-example dev split, with 30 current slicing functions, all 20 runs selected.

    python bench/compare_page.py [--runs 20] [--dev 10000] [--slices 30] [--renders 7]

The page runs under AppTest (its own overhead included, so an upper bound of the server's time). The first render
applies the functions and reads every run's files once; the figures are re-renders, as when the user changes a
choice: the page shown (runs table, heads, slices ranked, charts, the other tabs), and the same with an ensemble of
all 20 runs, weighted, after a weight changed (what the user waits for to see the ensemble).
Last line: ``compare_page_render_ms: <median ms of a re-render>`` (target <= 500; the ensemble's <= 300).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as `python bench/<name>.py`
from mmtl_core.data import DatasetSpec, load_dataset, save_specs  # noqa: E402
from mmtl_core.jobs.inputs import snapshot_files  # noqa: E402
from mmtl_core.keys import head_name  # noqa: E402
from mmtl_core.runs.jsonfiles import write_config  # noqa: E402
from mmtl_core.runs.predictions import write_gold, write_predictions  # noqa: E402
from mmtl_core.runs.registry import Registry, default_url  # noqa: E402
from mmtl_core.runs.status import COMPLETED, write_status  # noqa: E402
from mmtl_core.tasks import tasks_for  # noqa: E402
from mmtl_core.train.config import TaskSpec, TrainConfig  # noqa: E402
from mmtl_core.workspace import Workspace  # noqa: E402

WORDS = np.array("free video check my channel subscribe great song love this music watch win money link now".split())
STORED = ("has_link", "short")  # slices the runs trained heads on (also among the current functions)


def write_dataset(folder: Path, n_dev: int, rng: np.random.Generator) -> Path:
    n = n_dev + 2000
    texts = [" ".join(rng.choice(WORDS, rng.integers(3, 15))) for _ in range(n)]
    frame = pd.DataFrame({"text": texts, "label": rng.choice(["ham", "spam"], n),
                          "split": ["train"] * 2000 + ["dev"] * n_dev})
    frame.to_csv(folder / "comments.csv", index=False)
    return folder / "comments.csv"


def write_functions(ws: Workspace, n_slices: int) -> None:
    """One labeling function and ``n_slices`` slicing functions (two are the runs' stored slice heads)."""
    lines = ["from snorkel.labeling import labeling_function", "from snorkel.slicing import slicing_function", "",
             "", "@labeling_function()", "def says_free(x):", "    return 1 if 'free' in x.text else -1", "", "",
             "@slicing_function()", "def has_link(x):", "    return 'link' in x.text", "", "",
             "@slicing_function()", "def short(x):", "    return len(x.text) < 25", ""]
    for i in range(n_slices - len(STORED)):
        word = WORDS[i % len(WORDS)]
        lines += ["", f"@slicing_function()", f"def s{i:02d}_{word}(x):",
                  f"    return '{word}' in x.text and len(x.text) % {2 + i // len(WORDS)} == 0", ""]
    ws.functions_dir.mkdir(parents=True, exist_ok=True)
    (ws.functions_dir / "comments.py").write_text("\n".join(lines))


def write_runs(ws: Workspace, dataset, task, n_runs: int, rng: np.random.Generator) -> None:
    """``n_runs`` finished runs, registered as the job queue registers them, each with its run folder."""
    dev = dataset.frame[dataset.frame["split"] == "dev"]
    ids = dev["example_id"].to_numpy()
    gold = dev["label"].to_numpy(int)  # loaded as class ids
    stored = {"has_link": dev["text"].str.contains("link").to_numpy(), "short": (dev["text"].str.len() < 25).to_numpy()}
    config = TrainConfig(tasks=(TaskSpec(task.name, dataset=dataset.name, slices=STORED),), mode="frozen",
                         workspace=str(ws.root), functions_dir=str(ws.functions_dir))
    registry = Registry(default_url(ws.runs_dir))
    snapshot = snapshot_files(ws.functions_dir)
    for i in range(n_runs):
        run_id = f"20260101-{i:06d}-bench"
        run = ws.runs_dir / run_id
        settings = {**config.to_dict(), "seed": i}
        name = f"comments (gold) · frozen · seed {i}"
        write_config(run, {"name": name, "config": settings, "tasks": [
            {"task": asdict(task), "slices": list(STORED), "dataset": dataset.name, "labels": {"source": "gold"}}]})
        skill = 0.6 + 0.01 * i  # each run right on a different, growing share of examples
        for head in (head_name(task.name), *(head_name(task.name, s) for s in STORED)):
            right = rng.random(len(ids)) < skill
            p_gold = np.where(right, rng.uniform(0.5, 1.0, len(ids)), rng.uniform(0.0, 0.5, len(ids)))
            probs = np.zeros((len(ids), 2))
            probs[np.arange(len(ids)), gold] = p_gold
            probs[np.arange(len(ids)), 1 - gold] = 1 - p_gold
            write_predictions(run, head, "dev", ids, probs)
        write_gold(run, task.name, "dev", ids, gold, stored)
        write_status(run, COMPLETED)
        registry.create_run(run_id, name=name, config=settings, functions=snapshot, artifacts=str(run),
                            backend="local", device="cpu", parent_id=f"20260101-{i - 1:06d}-bench" if i else None)
        registry.claim_next("cpu", host="elsewhere", slots=n_runs)
        registry.transition(run_id, 1, "running")
        registry.transition(run_id, 1, "succeeded")
    registry.dispose()


def renders(at: AppTest, n: int, change=None) -> list[float]:
    times = []
    for i in range(n):
        t0 = time.perf_counter()
        (change(i) if change else at).run()
        times.append((time.perf_counter() - t0) * 1000)
        assert not at.exception, [e.message for e in at.exception]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--dev", type=int, default=10_000)
    parser.add_argument("--slices", type=int, default=30)
    parser.add_argument("--renders", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ws = Workspace.at(tmp / "workspace", tmp / "functions")
        spec = DatasetSpec("comments", "table", str(write_dataset(tmp, args.dev, rng)),
                           {"text_fields": ["text"], "label_field": "label", "split_field": "split",
                            "label_names": ["ham", "spam"]})
        save_specs(ws.datasets_file, [spec])
        dataset = load_dataset(spec)
        task = tasks_for(dataset, [])[0]
        write_functions(ws, args.slices)
        write_runs(ws, dataset, task, args.runs, rng)
        os.environ.update(MMTL_WORKSPACE=str(ws.root), MMTL_FUNCTIONS_DIR=str(ws.functions_dir))

        at = AppTest.from_file(str(REPO / "studio.py"), default_timeout=600)
        at.run()
        at.switch_page("pages/views/compare.py")
        t0 = time.perf_counter()
        at.run()
        first = (time.perf_counter() - t0) * 1000
        assert not at.exception, [e.message for e in at.exception]
        runs = next(d.value for d in at.dataframe if "dev" in d.value.columns)  # the runs table
        shown = at.multiselect(key="cmp_runs").value  # the two newest, the older one pinned
        at.multiselect(key="cmp_runs").set_value([*shown, *(i for i in runs["id"] if i not in shown)]).run()
        heads = next(d.value for d in at.dataframe if "vs baseline" in d.value.columns)
        matrix = next(d.value for d in at.dataframe if any(c.startswith("baseline ") for c in d.value.columns))
        assert heads["run"].nunique() == args.runs, heads["run"].nunique()
        assert len(matrix) == args.slices + 1, len(matrix)  # overall and every slice
        page = renders(at, args.renders)

        members = at.multiselect(key="cmp_runs").value
        at.multiselect(key="cmp_ens_runs").set_value(members).run()
        weight = at.number_input(key=f"cmp_w_{members[-1]}")
        ensemble = renders(at, args.renders, lambda i: weight.set_value(2.0 + i))
        heads = next(d.value for d in at.dataframe if "vs baseline" in d.value.columns)
        assert heads["run"].str.startswith("ensemble of").any()

    print(f"{args.runs} runs selected, {args.dev:,} dev examples, {args.slices} slicing functions "
          f"(first render, applying them and reading every run: {first:.0f} ms)")
    print(f"re-render: median {statistics.median(page):.0f} ms, max {max(page):.0f} ms (target <= 500)")
    print(f"an ensemble of all {args.runs} after a weight changed: median {statistics.median(ensemble):.0f} ms, "
          f"max {max(ensemble):.0f} ms (target <= 300)")
    print(f"compare_page_ensemble_ms: {statistics.median(ensemble):.0f}")
    print(f"compare_page_render_ms: {statistics.median(page):.0f}")


if __name__ == "__main__":
    main()
