"""What a run records about where it came from: the functions' git commit and the package versions."""

from __future__ import annotations

import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

RECORDED_PACKAGES = ("torch", "transformers", "numpy", "pandas", "safetensors")


def git_state(folder: Path) -> dict[str, Any]:
    """The commit checked out where ``folder`` lives, and whether files there differ from it (uncommitted edits
    to labeling functions would otherwise pass for the committed ones); nulls outside a git work tree."""
    def git(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, timeout=5)
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip() if out.returncode == 0 else None

    commit = git("rev-parse", "HEAD") if folder.is_dir() else None
    if not commit:
        return {"git_commit": None, "git_dirty": None}
    changes = git("status", "--porcelain", "--untracked-files=no", "--", ".")
    return {"git_commit": commit, "git_dirty": None if changes is None else bool(changes)}


def package_versions() -> dict[str, str]:
    out = {}
    for name in RECORDED_PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out
