"""What the browser tests and bench/page_switch.py share: a real ``streamlit run app.py`` on a free loopback port,
stopped by its process group, and the workspace the page walk opens (YouTube spam and RTE with their functions)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from mmtl_core.data import DatasetSpec, load_glue_task, save_specs
from mmtl_core.runs.jsonfiles import write_config
from mmtl_core.runs.layout import create_run_dir
from mmtl_core.runs.predictions import write_predictions
from mmtl_core.runs.status import write_status
from ports import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# Labeling functions for RTE, so its Labeling and Slices pages have votes, a label model and examples to show.
RTE_LFS = r'''
import re

from snorkel.labeling import labeling_function

ABSTAIN, ENTAILMENT, NOT_ENTAILMENT = -1, 0, 1
WORD = re.compile(r"[a-z0-9]+")
NEGATION = re.compile(r"\b(not|no|never)\b|n't\b", re.I)


def overlap(x):
    premise = set(WORD.findall(x.sentence1.lower()))
    hypothesis = WORD.findall(x.sentence2.lower())
    return sum(w in premise for w in hypothesis) / max(len(hypothesis), 1)


@labeling_function()
def hypothesis_inside_premise(x):
    return ENTAILMENT if overlap(x) >= 0.9 else ABSTAIN


@labeling_function()
def few_shared_words(x):
    return NOT_ENTAILMENT if overlap(x) < 0.5 else ABSTAIN


@labeling_function()
def negation_only_in_hypothesis(x):
    return NOT_ENTAILMENT if NEGATION.search(x.sentence2) and not NEGATION.search(x.sentence1) else ABSTAIN
'''


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    """``streamlit run app.py`` on a free loopback port, its workspace and functions under ``folder``; returns the
    process (its own process group) and the app's URL once it answers."""
    port = free_port()
    env = {**os.environ, "MMTL_WORKSPACE": str(folder / "workspace"), "MMTL_FUNCTIONS_DIR": str(folder / "functions")}
    with open(folder / "streamlit.log", "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_server(proc)
            raise RuntimeError(f"streamlit did not start:\n{(folder / 'streamlit.log').read_text()[-3000:]}")
        time.sleep(0.3)


def stop_server(proc: subprocess.Popen) -> None:
    """Stop the server and any workers it forked (its own process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def walk_workspace(folder: Path, shared_data: Path) -> None:
    """YouTube spam and RTE loaded, their shipped functions (and RTE_LFS), and a stored run of RTE predictions: a
    word-overlap baseline written through the runs package, as a training run writes its predictions (so the
    Slices page has a model's predictions to show without training one)."""
    save_specs(folder / "workspace" / "datasets.json", [
        DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam")),
        DatasetSpec("RTE", "glue", str(shared_data / "glue_data"), {"task": "RTE"})])
    functions = folder / "functions"
    functions.mkdir(exist_ok=True)
    for module in ("youtube_spam.py", "youtube_spam_slices.py", "rte_slices.py"):
        shutil.copy(REPO / "labeling_functions" / module, functions)
    (functions / "rte_votes.py").write_text(RTE_LFS)
    dev = load_glue_task(shared_data / "glue_data", "RTE").split("dev")
    words = [(set(re.findall(r"\w+", p.lower())), re.findall(r"\w+", h.lower()))
             for p, h in zip(dev["sentence1"], dev["sentence2"])]
    entail = np.array([sum(w in p for w in h) / max(len(h), 1) for p, h in words]).clip(0.05, 0.95)
    run = create_run_dir(folder / "workspace" / "runs")
    write_config(run, {"name": "word overlap", "tasks": [{"task": {"name": "RTE"}, "dataset": "RTE"}]})
    write_predictions(run, "RTE", "dev", dev["example_id"].to_numpy(), np.column_stack([entail, 1 - entail]))
    write_status(run, "completed")


def open_page(page, title: str) -> None:
    """Click ``title`` in the sidebar's navigation and wait until that page's script has finished running."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    wait_for_page(page, title)


def wait_for_page(page, title: str | None = None, timeout_ms: int = 180_000) -> None:
    """Until the app's script is not running (Streamlit's own flag on the app element) and, when ``title`` is given,
    the page's heading is drawn: the heading is ``title`` (Home's is the app's name)."""
    page.wait_for_function(
        """title => { const app = document.querySelector('[data-testid="stApp"]');
                      const h1 = document.querySelector('[data-testid="stMain"] h1');
                      return app && app.getAttribute('data-test-script-state') === 'notRunning'
                             && (title === null || (h1 && h1.innerText.trim() === title)) }""",
        arg=None if title is None else {"Home": "MMTL Studio"}.get(title, title), timeout=timeout_ms, polling=50)
