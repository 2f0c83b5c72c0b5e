"""The Slices page service: slicing functions applied, prediction sets gathered, tables ready to show."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data import load_glue_task, load_youtube_spam
from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import PredictionsError
from mmtl_core.runs.jsonfiles import write_config
from mmtl_core.runs.layout import create_run_dir
from mmtl_core.runs.predictions import write_predictions
from mmtl_core.runs.status import write_status
from mmtl_core.slices import compare_table, slice_metrics
from mmtl_core.studio.display import slice_rows
from mmtl_core.studio.slicing import (PredictionFileCache, analyse_slices, largest_error_cell, run_prediction_sets,
                                      significant, slice_sizes, uploaded_prediction_set, weak_comparison,
                                      weak_prediction_sets)
from mmtl_core.tasks import GLUE_TASKS, Task
from mmtl_core.weak import LABEL_MODEL, MAJORITY_VOTE
from mmtl_core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]
SPAM = Task("youtube_spam", "youtube_spam", ("text",), "label", 2, ("accuracy", "f1"), ("ham", "spam"))
YOUTUBE_SLICES = ("short_text", "contains_link", "shouting", "emoji_or_other_script")


def _workspace(root: Path, *modules: str) -> Workspace:
    functions = root / "functions"
    functions.mkdir(parents=True)
    for name in modules:
        shutil.copy(REPO / "labeling_functions" / name, functions)
    return Workspace.at(root / "workspace", functions)


@pytest.fixture(scope="module")
def youtube(tmp_path_factory, shared_data):
    dataset = load_youtube_spam(shared_data / "youtube_spam")
    ws = _workspace(tmp_path_factory.mktemp("yt"), "youtube_spam.py", "youtube_spam_slices.py")
    return dataset, ws, analyse_slices(dataset, SPAM, ws, ["youtube_spam.py", "youtube_spam_slices.py"])


@pytest.mark.slow
def test_youtube_slices_and_weak_prediction_sets(youtube):
    dataset, ws, analysis = youtube
    assert analysis.slice_names == YOUTUBE_SLICES and analysis.S.shape == (len(dataset), 4)
    assert not analysis.problems and not analysis.load_errors
    data = analysis.split_slices("dev")
    assert len(data.frame) == 120 and data.L.shape == (120, len(analysis.labeling.names))

    sets = weak_prediction_sets(analysis.labeling, "dev")
    assert list(sets) == [MAJORITY_VOTE, LABEL_MODEL]
    assert (data.L == -1).all(axis=1).any()
    # Every row has a class, uncovered ones too: the very classes the Labeling functions page scores.
    report_dev = analysis.labeling.report.on_split("dev")
    for name, ps in sets.items():
        assert not ps.abstained.any() and (ps.preds == report_dev[name].classes).all()
    pd.testing.assert_frame_equal(weak_comparison(analysis, "dev"), analysis.labeling.report.comparison)
    table = slice_metrics(data, list(sets.values()))
    overall = table[(table["slice"] == "overall") & (table["metric"] == "accuracy")].set_index("predictions")
    for name in sets:
        assert overall.loc[name, "value"] == analysis.labeling.report.comparison.loc[name, "accuracy"]

    table = slice_metrics(data, list(sets.values()))
    lm = table[(table["predictions"] == LABEL_MODEL) & (table["metric"] == "accuracy")].set_index("slice")
    assert lm.loc["overall", "n"] == 120 and lm.loc["overall", "value"] > 0.85
    assert lm.loc["short_text", "n"] == int(data.S[:, 0].sum()) > 0
    # The paired comparison's difference is the one the Labeling functions page shows: on these 120 rows the two
    # models are within a few examples of each other, not significantly apart.
    cmp = compare_table(data, sets[MAJORITY_VOTE], sets[LABEL_MODEL], metrics=["accuracy"])
    accuracy = analysis.labeling.report.comparison["accuracy"]
    assert cmp.loc[0, "diff"] == pytest.approx(accuracy[LABEL_MODEL] - accuracy[MAJORITY_VOTE])
    assert not significant(cmp["p_value"])[0]


@pytest.mark.slow
def test_applying_again_reads_the_cache(youtube):
    dataset, ws, first = youtube
    again = analyse_slices(dataset, SPAM, ws, ["youtube_spam.py", "youtube_spam_slices.py"])
    assert all(r.from_cache for r in again.applied.reports.values())
    assert np.array_equal(again.S, first.S)


def test_rte_slices_without_labeling_functions(tmp_path, shared_data):
    dataset = load_glue_task(shared_data / "glue_data", "RTE")
    ws = _workspace(tmp_path, "rte_slices.py")
    task = GLUE_TASKS["RTE"]
    analysis = analyse_slices(dataset, task, ws, ["rte_slices.py"])
    assert len(analysis.slice_names) >= 4 and not analysis.problems
    assert weak_prediction_sets(analysis.labeling, "dev") == {}  # no labeling function: no MV/LM
    assert weak_comparison(analysis, "dev") is None
    data = analysis.split_slices("dev")
    assert len(data.frame) == 277 and data.S.any(axis=0).all()
    test = analysis.split_slices("test")
    assert not test.labeled.any()  # GLUE's test split is unlabeled
    sizes = slice_sizes(test).set_index("slice")
    assert sizes.loc["overall", "rows"] == len(test.frame) and (sizes["labeled"] == 0).all()


# --- tiny fixtures -------------------------------------------------------------------------------------------------
def _toy(label=(0, 1, 1, 0, 1, 0)) -> Dataset:
    n = len(label)
    return Dataset("toy", pd.DataFrame({"example_id": [f"t:{i}" for i in range(n)], "split": "dev",
                                        "text": [f"row {i}" + (" http://x.com" if i % 2 else "") for i in range(n)],
                                        "label": list(label)}), label_names=("ham", "spam"))


TOY = Task("toy", "toy", ("text",), "label", 2, ("accuracy",), ("ham", "spam"))
TOY_MODULE = '''from snorkel.labeling import labeling_function
from snorkel.slicing import slicing_function


@labeling_function()
def has_link(x):
    return 1 if "http" in x.text else -1


@slicing_function()
def links(x):
    return "http" in x.text


@slicing_function()
def never(x):
    return False


@slicing_function()
def broken(x):
    return x.text.nope
'''


@pytest.fixture
def toy_ws(tmp_path) -> Workspace:
    ws = Workspace.at(tmp_path / "ws", tmp_path / "functions")
    (ws.functions_dir / "toy.py").write_text(TOY_MODULE)
    (ws.functions_dir / "toy_broken.py").write_text("def oops(:\n")
    return ws


def test_faults_are_reported_and_an_empty_slice_reads_empty(toy_ws):
    analysis = analyse_slices(_toy(), TOY, toy_ws, ["toy.py", "toy_broken.py"], timeout_s=10)
    assert analysis.slice_names == ("links", "never", "broken")
    assert [e.path for e in analysis.load_errors] and "toy_broken.py" in str(analysis.load_errors[0])
    (fault,) = analysis.problems
    assert fault.function == "broken" and "nope" in fault.first_traceback
    data = analysis.split_slices("dev")
    assert data.S[:, 0].tolist() == [False, True] * 3
    sets = weak_prediction_sets(analysis.labeling, "dev")
    assert list(sets) == [MAJORITY_VOTE]  # one function is too few for a label model
    view = slice_rows(slice_metrics(data, sets[MAJORITY_VOTE]), "accuracy")
    shown, ci = view.frame, f"{MAJORITY_VOTE} · 95% CI"
    assert shown.loc["never", MAJORITY_VOTE] == "empty" and shown.loc["never", ci] == ""
    assert shown.loc["links", MAJORITY_VOTE] == "0.333" and shown.loc["links", "small"] == "few rows"
    assert "wilson" in view.columns[ci].help
    # Rows without a link: no vote, so every class ties, settled by the example id (never "abstained").
    mv = analysis.labeling.report.on_split("dev")[MAJORITY_VOTE]
    assert not sets[MAJORITY_VOTE].abstained.any() and (sets[MAJORITY_VOTE].preds == mv.classes).all()
    gold = np.array([0, 1, 1, 0, 1, 0])
    assert shown.loc["overall", MAJORITY_VOTE] == f"{(mv.classes == gold).mean():.3f}"


def test_regression_task_has_slices_but_no_weak_prediction_sets(toy_ws):
    stsb = Task("score", "toy", ("text",), "label", 1, ("pearson",))
    dataset = _toy(label=(0.5, 1.0, 2.0, 3.0, 4.5, 5.0))
    (toy_ws.functions_dir / "toy.py").write_text(TOY_MODULE.split("@labeling_function")[0]
                                                 + "@slicing_function" + TOY_MODULE.split("@slicing_function", 1)[1])
    analysis = analyse_slices(dataset, stsb, toy_ws, ["toy.py"])
    assert analysis.labeling is None and analysis.split_slices("dev").L is None
    assert weak_prediction_sets(analysis.labeling, "dev") == {} and weak_comparison(analysis, "dev") is None


def _ids(n=6):
    return np.array([f"t:{i}" for i in range(n)])


def _stored_run(ws: Workspace, name: str, head: str, ids: np.ndarray, status: str = "completed",
                dataset: str = "toy") -> Path:
    run = create_run_dir(ws.runs_dir)
    write_status(run, status)
    write_config(run, {"name": name, "tasks": [{"task": {"name": head}, "dataset": dataset}]})
    write_predictions(run, head, "dev", ids, np.tile([0.2, 0.8], (len(ids), 1)))
    return run


def test_stored_runs_are_found_by_name_and_a_bad_one_is_named(toy_ws):
    good = _stored_run(toy_ws, "toy frozen", "toy", _ids()[::-1])
    short = _stored_run(toy_ws, "toy short", "toy", _ids()[:3])
    _stored_run(toy_ws, "other", "other_task", _ids())
    _stored_run(toy_ws, "toy unfinished", "toy", _ids(), status="running")
    _stored_run(toy_ws, "toy broken", "toy", _ids(), status="failed")
    _stored_run(toy_ws, "toy elsewhere", "toy", _ids(), dataset="other_dataset")  # same task name, other rows
    files = PredictionFileCache()
    found = run_prediction_sets(toy_ws, TOY, "dev", _ids(), files)
    assert list(found.sets) == [f"run toy frozen ({good.name})"]
    assert found.sets[f"run toy frozen ({good.name})"].example_ids.tolist() == _ids().tolist()  # split's order
    (err,) = found.errors
    assert short.name in str(err) and "missing" in str(err)
    assert run_prediction_sets(toy_ws, TOY, "train", _ids()).sets == {}


def test_stored_predictions_are_read_again_only_when_the_file_changes(toy_ws):
    run = _stored_run(toy_ws, "toy frozen", "toy", _ids())
    files = PredictionFileCache()
    first = files.run_predictions(run, "toy", "dev")
    assert files.run_predictions(run, "toy", "dev") is first  # unchanged: from memory
    write_predictions(run, "toy", "dev", _ids(), np.tile([0.9, 0.1], (6, 1)))
    again = run_prediction_sets(toy_ws, TOY, "dev", _ids(), files).sets[f"run toy frozen ({run.name})"]
    assert again.preds.tolist() == [0] * 6  # the rewritten file, not the remembered one


def test_uploaded_file_errors_name_the_users_file():
    good = pd.DataFrame({"example_id": _ids(), "label": ["ham", "spam"] * 3}).to_csv(index=False).encode()
    ps = uploaded_prediction_set("my preds.csv", good, TOY, _ids())
    assert ps.name == "file my preds" and ps.preds.tolist() == [0, 1] * 3
    bad = pd.DataFrame({"example_id": _ids(), "label": ["ham", "eggs"] * 3}).to_csv(index=False).encode()
    with pytest.raises(PredictionsError, match=r"^my preds\.csv: .*eggs") as e:
        uploaded_prediction_set("my preds.csv", bad, TOY, _ids())
    assert "mmtl_upload_" not in str(e.value)
    with pytest.raises(PredictionsError, match=r"preds\.txt.*unsupported"):
        uploaded_prediction_set("preds.txt", good, TOY, _ids())


def test_largest_error_cell_and_significance():
    table = pd.DataFrame([[5, 1], [3, 4]], index=pd.Index(["ham", "spam"], name="gold"),
                         columns=pd.Index(["ham", "spam"], name="predicted"))
    assert largest_error_cell(table) == ("spam", "ham")
    perfect = pd.DataFrame([[5, 0], [0, 4]], index=table.index, columns=table.columns)
    assert largest_error_cell(perfect) == ("ham", "ham")
    assert significant(pd.Series([0.01, 0.2, None], dtype="Float64")).tolist() == [True, False, False]


def test_each_module_runs_once_per_analysis(tmp_path):
    # The labeling analysis inside reuses the slice analysis's round trip to the function host: user code with a
    # slow import runs once per save, not twice. (The module cannot leave a mark outside its sandbox: the host's
    # progress notes say what it imports.)
    ws = _workspace(tmp_path)
    (ws.functions_dir / "toy_functions.py").write_text(
        "from snorkel.labeling import labeling_function\n"
        "from snorkel.slicing import slicing_function\n\n"
        "@labeling_function()\n"
        "def says_a(x):\n    return 1 if 'a' in x.text else -1\n\n"
        "@slicing_function()\n"
        "def short(x):\n    return len(x.text) < 3\n")
    notes: list[str] = []
    analysis = analyse_slices(_toy(), SPAM, ws, ["toy_functions.py"],
                              progress=lambda fraction, note: notes.append(note))
    assert analysis.slice_names == ("short",) and analysis.labeling.names == ("says_a",)
    assert [n for n in notes if n.startswith("Importing")] == ["Importing toy_functions.py (time limit 10 s)"]
