"""The workspace: one folder holding everything a user's session must not lose.

    <root>/
      datasets.json        how to reload each dataset the user loaded (source path, loader, options)
      tasks.json           user-defined tasks
      cache/L/<fingerprint>/<function-hash>.npz   applied label / slice columns
      cache/downloads/     fetched public datasets
      uploads/<digest>/    uploaded files, under the sha256 of their names and bytes (never replaced)
      runs/                training runs (one folder each) and runs.sqlite, the run registry

Its location is ``$MMTL_WORKSPACE`` or ``./workspace``. The user's functions live in ``labeling_functions/``
(``$MMTL_FUNCTIONS_DIR``), beside the app, so they can be versioned with git.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
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

    @property
    def uploads_dir(self) -> Path:
        return self.root / "uploads"

    def save_upload(self, files: Mapping[str, bytes]) -> Path:
        """Store uploaded files (name -> bytes) in ``uploads/<digest>/`` and return that folder.

        The digest covers every name and byte, so the same upload finds its folder again and an upload with a
        reused name but other bytes gets a folder of its own: a dataset's source is never replaced. The folder
        appears whole or not at all (written beside it, then renamed)."""
        names = {name: Path(name).name for name in files}
        bad = [n for n, base in names.items() if base in ("", ".", "..") or base.startswith(".")]
        if bad or len(set(names.values())) < len(names):
            raise WorkspaceError(f"cannot store the upload: file names {sorted(bad) or sorted(names)} are empty, "
                                 "hidden or repeated")
        h = hashlib.sha256()
        for name in sorted(files):
            h.update(names[name].encode() + b"\x00" + hashlib.sha256(files[name]).digest())
        target = self.uploads_dir / h.hexdigest()[:16]
        if target.is_dir():
            return target
        try:
            self.uploads_dir.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".partial-", dir=self.uploads_dir))
        except OSError as e:
            raise WorkspaceError(f"cannot store the upload in {self.uploads_dir}: {e.strerror}") from e
        try:
            for name, data in files.items():
                (staging / names[name]).write_bytes(data)
            os.rename(staging, target)
        except OSError as e:
            shutil.rmtree(staging, ignore_errors=True)
            if target.is_dir():  # another session stored the same upload first: its files are identical
                return target
            raise WorkspaceError(f"cannot store the upload in {self.uploads_dir}: {e.strerror}") from e
        return target
