"""The workspace: one folder holding everything a user's session must not lose.

    <root>/
      datasets.json        how to reload each dataset the user loaded (source path, loader, options)
      tasks.json           user-defined tasks
      cache/L/<fingerprint>/<function-hash>.npz   applied label / slice columns
      cache/downloads/     fetched public datasets
      runs/                training runs (one folder each) and runs.sqlite, the run registry

Its location is ``$MMTL_WORKSPACE`` or ``./workspace``. The user's functions live in ``labeling_functions/``
(``$MMTL_FUNCTIONS_DIR``), beside the app, so they can be versioned with git.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mmtl_core.errors import WorkspaceError


def default_root() -> Path:
    """The app's workspace folder: ``$MMTL_WORKSPACE``, else ``./workspace``."""
    return Path(os.environ.get("MMTL_WORKSPACE", "workspace")).resolve()


def default_functions_dir() -> Path:
    """The app's functions folder: ``$MMTL_FUNCTIONS_DIR``, else ``./labeling_functions``."""
    return Path(os.environ.get("MMTL_FUNCTIONS_DIR", "labeling_functions")).resolve()


@dataclass(frozen=True)
class Workspace:
    root: Path
    functions_dir: Path

    @classmethod
    def from_env(cls) -> "Workspace":
        return cls.at(default_root(), default_functions_dir())

    @classmethod
    def at(cls, root: Path | str, functions_dir: Path | str | None = None) -> "Workspace":
        root = Path(root)
        functions_dir = Path(functions_dir) if functions_dir is not None else root / "labeling_functions"
        try:
            for d in (root, functions_dir, root / "cache", root / "runs"):
                d.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise WorkspaceError(f"cannot create the workspace folder {root}: {e.strerror}") from e
        return cls(root, functions_dir)

    @property
    def datasets_file(self) -> Path:
        return self.root / "datasets.json"

    @property
    def tasks_file(self) -> Path:
        return self.root / "tasks.json"

    @property
    def label_cache_dir(self) -> Path:
        return self.root / "cache" / "L"

    @property
    def downloads_dir(self) -> Path:
        return self.root / "cache" / "downloads"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"
