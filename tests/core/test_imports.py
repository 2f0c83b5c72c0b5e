"""The core library must import without Streamlit (the UI is a thin layer over it)."""

import pkgutil
import subprocess
import sys

import mmtl_core
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_mmtl_core_never_imports_streamlit():
    modules = [m.name for m in pkgutil.walk_packages(mmtl_core.__path__, "mmtl_core.")
               if not m.name.endswith("__main__")]
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "bad = sorted(m for m in sys.modules if m == 'streamlit' or m.startswith('streamlit.'))\n"
            "assert not bad, bad\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(modules) > 5
