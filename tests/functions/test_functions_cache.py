"""The label cache: editing one function recomputes one column; a new process recomputes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmtl_core.data.dataset import Dataset
from mmtl_core.functions import LabelCache, apply_functions, load_functions
from mmtl_core.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]

# Each function appends one character to calls.log per row it labels, so recomputation is visible from outside.
FUNCTIONS = '''
from pathlib import Path
from snorkel.labeling import labeling_function

LOG = Path(__file__).with_name("calls.log")


def note(name):
    with LOG.open("a") as f:
        f.write(name + "\\n")


@labeling_function()
def lf_offer(x):
    note("lf_offer")
    return 1 if "offer" in x.text else -1


@labeling_function()
def lf_short(x):
    note("lf_short")
    return 0 if len(x.text) < 10 else -1
'''


def make_dataset() -> Dataset:
    texts = ["an offer", "hello", "special offer for you", "hi there friend"]
    return Dataset("toy", pd.DataFrame({"example_id": [f"t:{i}" for i in range(4)], "split": "train",
                                        "text": texts}))


def calls(folder: Path) -> list[str]:
    log = folder / "calls.log"
    out = log.read_text().split() if log.exists() else []
    log.unlink(missing_ok=True)
    return out


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    ws = Workspace.at(tmp_path / "ws", tmp_path / "lfs")
    (ws.functions_dir / "offers.py").write_text(textwrap.dedent(FUNCTIONS))
    return ws


def test_editing_one_function_recomputes_only_its_column(workspace):
    ds, cache = make_dataset(), LabelCache(workspace.label_cache_dir)
    first = apply_functions(load_functions(workspace.functions_dir).functions, ds, cache=cache)
    assert sorted(set(calls(workspace.functions_dir))) == ["lf_offer", "lf_short"]
    path = workspace.functions_dir / "offers.py"
    path.write_text(path.read_text().replace("len(x.text) < 10", "len(x.text) < 6"))
    second = apply_functions(load_functions(workspace.functions_dir).functions, ds, cache=cache)
    assert calls(workspace.functions_dir) == ["lf_short"] * 4
    assert second.reports["lf_offer"].from_cache and not second.reports["lf_short"].from_cache
    np.testing.assert_array_equal(first.matrix[:, 0], second.matrix[:, 0])
    np.testing.assert_array_equal(second.matrix[:, 1], [-1, 0, -1, -1])
    assert list((workspace.label_cache_dir / ds.fingerprint).glob("*.npz"))


def test_a_new_cache_object_on_the_same_folder_recomputes_nothing(workspace):
    ds = make_dataset()
    first = apply_functions(load_functions(workspace.functions_dir).functions, ds,
                            cache=LabelCache(workspace.label_cache_dir))
    calls(workspace.functions_dir)
    again = apply_functions(load_functions(workspace.functions_dir).functions, ds,
                            cache=LabelCache(workspace.label_cache_dir))
    assert calls(workspace.functions_dir) == []
    assert all(r.from_cache for r in again.reports.values())
    np.testing.assert_array_equal(first.matrix, again.matrix)


def test_other_data_or_other_cardinality_is_not_served_from_the_cache(workspace):
    ds, cache = make_dataset(), LabelCache(workspace.label_cache_dir)
    functions = load_functions(workspace.functions_dir).functions
    apply_functions(functions, ds, cache=cache)
    calls(workspace.functions_dir)
    apply_functions(functions, ds, cache=cache, cardinality=2)
    assert len(calls(workspace.functions_dir)) == 8
    frame = ds.frame.copy()
    frame.loc[0, "text"] = "no deal"
    changed = apply_functions(functions, Dataset("toy", frame), cache=cache)
    assert len(calls(workspace.functions_dir)) == 8 and changed.matrix[0, 0] == -1


def test_a_damaged_cache_file_is_recomputed_not_fatal(workspace):
    ds, cache = make_dataset(), LabelCache(workspace.label_cache_dir)
    functions = load_functions(workspace.functions_dir).functions
    apply_functions(functions, ds, cache=cache)
    for f in (workspace.label_cache_dir / ds.fingerprint).glob("*.npz"):
        f.write_bytes(b"torn write")
    calls(workspace.functions_dir)
    again = apply_functions(functions, ds, cache=cache)
    assert len(calls(workspace.functions_dir)) == 8 and not any(r.from_cache for r in again.reports.values())


def test_faults_are_cached_with_their_report(tmp_path):
    (tmp_path / "lfs").mkdir()
    (tmp_path / "lfs" / "bad.py").write_text("from snorkel.labeling import labeling_function\n\n"
                                             "@labeling_function()\ndef lf_bad(x):\n    return 1 // 0\n")
    cache = LabelCache(tmp_path / "cache")
    functions = load_functions(tmp_path / "lfs").functions
    apply_functions(functions, make_dataset(), cache=cache)
    report = apply_functions(functions, make_dataset(), cache=cache).reports["lf_bad"]
    assert report.from_cache and report.faults == 4 and report.line == 5 and "ZeroDivisionError" in \
        report.first_traceback


@pytest.mark.slow
def test_a_new_process_with_the_same_workspace_recomputes_nothing(workspace):
    script = textwrap.dedent(f"""
        import json, sys
        import pandas as pd
        sys.path.insert(0, {str(REPO)!r})
        from mmtl_core.data.dataset import Dataset
        from mmtl_core.functions import LabelCache, apply_functions, load_functions
        texts = ["an offer", "hello", "special offer for you", "hi there friend"]
        ds = Dataset("toy", pd.DataFrame({{"example_id": [f"t:{{i}}" for i in range(4)], "split": "train",
                                          "text": texts}}))
        out = apply_functions(load_functions({str(workspace.functions_dir)!r}).functions, ds,
                              cache=LabelCache({str(workspace.label_cache_dir)!r}))
        print(json.dumps({{n: r.from_cache for n, r in out.reports.items()}}))
    """)
    run = [sys.executable, "-W", "ignore", "-c", script]
    first = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(first.stdout.splitlines()[-1]) == {"lf_offer": False, "lf_short": False}
    calls(workspace.functions_dir)
    second = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(second.stdout.splitlines()[-1]) == {"lf_offer": True, "lf_short": True}
    assert calls(workspace.functions_dir) == []
