"""The Labeling functions page service, and the training labels it hands the trainer."""

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset
from mmtl_core.studio.labeling import analyse_labeling, function_examples
from mmtl_core.tasks import Task
from mmtl_core.weak import LABEL_MODEL
from mmtl_core.workspace import Workspace

N = 400
RNG = np.random.default_rng(0)
GOLD = RNG.integers(0, 2, N)
WORDS = np.where(GOLD == 1, "buy now", "nice song")
DATA = Dataset("toy", pd.DataFrame({
    "example_id": [f"toy:{i}" for i in range(N)], "split": np.where(np.arange(N) < 300, "train", "dev"),
    "text": [f"{w} {'!' * (i % 4)}" for i, w in enumerate(WORDS)], "label": np.where(np.arange(N) < 300, -1, GOLD)}),
    label_names=("ham", "spam"))
TASK = Task("spam", "toy", ("text",), label_names=("ham", "spam"))
MODULE = '''from snorkel.labeling import labeling_function
from mmtl_core.functions import KeywordLF

buy = KeywordLF("buy", ["buy"], label=1, field="text")
song = KeywordLF("song", ["song"], label=0, field="text")


@labeling_function()
def shouts(x):
    return 1 if x.text.count("!") >= 2 else -1
'''


@pytest.fixture
def ws(tmp_path):
    ws = Workspace.at(tmp_path / "ws", tmp_path / "functions")
    (ws.functions_dir / "spam_functions.py").write_text(MODULE)
    return ws


def test_examples_show_the_class_the_rule_gives(ws):
    analysis = analyse_labeling(DATA, TASK, ws, ["spam_functions.py"])
    examples, total = function_examples(DATA, TASK, analysis, "shouts", "conflicts", split="dev")
    assert total == len(examples) > 0 and examples["others that fired"].str.contains("song=ham").all()
    lm = analysis.report.predictions[LABEL_MODEL]
    rows = DATA.frame.index[DATA.frame["example_id"].isin(examples["example_id"])]
    assert examples["label model"].tolist() == [f"{('ham', 'spam')[c]} ({p[c]:.2f})"
                                                for c, p in zip(lm.classes[rows], lm.proba[rows])]
