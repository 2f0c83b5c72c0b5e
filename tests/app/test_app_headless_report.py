"""``python -m mmtl_core.weak report`` prints the Labeling functions page's figures, from the workspace the app
uses: checked against the page itself (AppTest) on real YouTube spam data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app_helpers import table_with, weak_table

from mmtl_core.studio.display import metric_text, share_text

REPO = Path(__file__).resolve().parents[2]


def report(tmp_path, *args):
    env = {**os.environ, "MMTL_WORKSPACE": str(tmp_path / "workspace"),
           "MMTL_FUNCTIONS_DIR": str(tmp_path / "functions")}
    return subprocess.run([sys.executable, "-m", "mmtl_core.weak", "report", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_report_shows_the_pages_figures(app, youtube_workspace, tmp_path):
    at = app("pages/views/labeling.py")
    page_comparison = weak_table(at).T  # the page shows a column per model
    page_summary = table_with(at, "Learned Weight")
    page_warnings = [w.value for w in at.warning]

    done = report(tmp_path, "--dataset", "youtube_spam", "--task", "youtube_spam", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["modules"] == ["youtube_spam.py", "youtube_spam_slices.py"]  # the set the page applied
    assert list(out["summary"]) == list(page_summary.index)
    for name, row in out["summary"].items():
        assert row["Learned Weight"] == page_summary.loc[name, "Learned Weight"]
    assert list(out["comparison"]) == list(page_comparison.index)
    for model, row in out["comparison"].items():
        assert str(int(row["n"])) == page_comparison.loc[model, "rows with gold"]
        assert share_text(row["Coverage"]) == page_comparison.loc[model, "coverage"]
        for metric in ("accuracy", "accuracy (covered)", "f1", "f1 (covered)"):
            assert metric_text(row[metric]) == page_comparison.loc[model, metric]
    assert out["warnings"] == page_warnings
    assert "keyed by the example id" in out["rule"]

    text = report(tmp_path, "--dataset", "youtube_spam", "--task", "youtube_spam")
    assert text.returncode == 0, text.stderr
    assert page_comparison.loc["Label model", "accuracy"] in text.stdout and "keyword_subscribe" in text.stdout


def test_a_bad_name_exits_2_saying_what_there_is(youtube_workspace, tmp_path, shared_data):
    from mmtl_core.data import DatasetSpec, save_specs

    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam"))])
    done = report(tmp_path, "--dataset", "youtube", "--task", "youtube_spam")
    assert done.returncode == 2 and done.stdout == ""
    assert "no dataset named 'youtube'" in done.stderr and "youtube_spam" in done.stderr
    done = report(tmp_path, "--dataset", "youtube_spam", "--task", "spam")
    assert done.returncode == 2 and "dataset 'youtube_spam' has no task named 'spam'; its tasks: youtube_spam" \
        in done.stderr


def test_a_broken_module_fails_the_check(youtube_workspace, tmp_path, shared_data):
    from mmtl_core.data import DatasetSpec, save_specs

    save_specs(tmp_path / "workspace" / "datasets.json",
               [DatasetSpec("youtube_spam", "youtube_spam", str(shared_data / "youtube_spam"))])
    (youtube_workspace / "youtube_spam_broken.py").write_text("def oops(:\n    pass\n")
    done = report(tmp_path, "--dataset", "youtube_spam", "--task", "youtube_spam", "--modules",
                  "youtube_spam.py", "youtube_spam_broken.py")
    assert done.returncode == 1
    assert "ERROR: " in done.stdout and "youtube_spam_broken.py" in done.stdout and "line 1" in done.stdout
    assert "keyword_subscribe" in done.stdout  # the other module still reported
