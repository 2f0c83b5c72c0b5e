"""Saving the user's function files from the editor without ever losing their text, or anyone else's.

A save writes a temporary file and renames it over the old one (a crash mid-save leaves the old file whole), and
first copies the previous text to ``<functions_dir>/.history/<stem>.<UTC timestamp>.py`` (newest
:data:`HISTORY_KEPT` kept per file), so a bad edit can be undone with :func:`restore_version`. Temporary files
that interrupted saves left behind are removed on the next save.

Given the digest of the text the editor opened (:func:`file_digest`), a save first checks that the file still
holds that text; if another session, tab or ``git pull`` changed it meanwhile, nothing is written and
:class:`~mmtl_core.errors.SaveConflict` carries both texts, so the user can choose (save as a copy, reload,
overwrite) without losing either. The check and the write happen under a lock on the folder.

Choice: a file with a syntax error is still saved — the user's text must not be lost — and loading reports the
error (file and line) as for any file. Call :func:`check_syntax` to show the error in the editor before or after.
"""

from __future__ import annotations

import difflib
import fcntl
import hashlib
import keyword
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from mmtl_core.atomic import atomic_write, remove_interrupted_writes
from mmtl_core.errors import FunctionError, SaveConflict, WorkspaceError
from mmtl_core.functions.discovery import list_module_files

HISTORY_DIR = ".history"
HISTORY_KEPT = 20
_STAMP = re.compile(r"\d{8}T\d{12}Z")
_LOCK = ".save.lock"


def _check_name(filename: str) -> str:
    stem, dot, ext = str(filename).rpartition(".")
    if (os.sep in filename or "/" in filename or (os.altsep and os.altsep in filename) or ext != "py" or not dot
            or not stem.isidentifier() or keyword.iskeyword(stem) or stem.startswith("_")):
        raise FunctionError(f"{filename!r} is not a valid function file name: use a plain name like my_lfs.py "
                            "(letters, digits and _, not starting with a digit or _, ending in .py, no folders)",
                            path=str(filename))
    return filename


def check_syntax(code: str, filename: str) -> None:
    """Raise FunctionError (with file and line) if ``code`` is not valid Python."""
    try:
        compile(code, filename, "exec")
    except SyntaxError as e:
        raise FunctionError(f"{filename}, line {e.lineno}: syntax error: {e.msg}", path=filename,
                            line=e.lineno) from e
    except ValueError as e:  # null bytes
        raise FunctionError(f"{filename}: {e}", path=filename) from e


def file_digest(text: str | None) -> str:
    """The digest a save compares: of the text, or of "no file" (None)."""
    return "absent" if text is None else hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def read_function_file(functions_dir: Path, filename: str) -> str | None:
    """The file's text, or None when there is no such file."""
    try:
        return (Path(functions_dir) / _check_name(filename)).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise WorkspaceError(f"cannot read {filename}: {getattr(e, 'strerror', None) or e}") from e


def list_function_files(functions_dir: Path) -> list[Path]:
    """The function files the loader reads, sorted by name."""
    return list_module_files(Path(functions_dir))


def previous_versions(functions_dir: Path, filename: str) -> list[Path]:
    """Saved earlier versions of ``filename``, newest first."""
    stem = _check_name(filename)[:-3]
    history = Path(functions_dir) / HISTORY_DIR
    if not history.is_dir():
        return []
    return sorted((p for p in history.glob(f"{stem}.*.py") if _STAMP.fullmatch(p.name[len(stem) + 1:-3])),
                  key=lambda p: p.name, reverse=True)


def version_time(version: Path) -> datetime:
    """When a history version was replaced (UTC), from its name."""
    return datetime.strptime(Path(version).name.rsplit(".", 2)[-2], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=timezone.utc)


def _write_atomic(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())  # the user's code: on disk before the rename, not just in the page cache

    atomic_write(path, write)


@contextmanager
def _folder_lock(functions_dir: Path) -> Iterator[None]:
    """One save at a time per folder, across threads (sessions) and processes."""
    functions_dir.mkdir(parents=True, exist_ok=True)
    with open(functions_dir / _LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def keep_in_history(functions_dir: Path, filename: str, text: str) -> Path:
    """Add ``text`` to ``filename``'s history (the newest :data:`HISTORY_KEPT` versions are kept)."""
    history = Path(functions_dir) / HISTORY_DIR
    history.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    path = history / f"{_check_name(filename)[:-3]}.{stamp}.py"
    _write_atomic(path, text)
    for stale in previous_versions(functions_dir, filename)[HISTORY_KEPT:]:
        stale.unlink(missing_ok=True)
    return path


def save_function_file(functions_dir: Path, filename: str, code: str, *, expected: str | None = None) -> Path:
    """Write ``code`` to ``functions_dir/filename`` atomically, keeping the previous text in the history.

    ``expected``, the :func:`file_digest` of the text the editor opened, makes the save refuse (SaveConflict)
    when the file no longer holds that text; None saves whatever the file holds now.
    """
    functions_dir = Path(functions_dir)
    path = functions_dir / _check_name(filename)
    try:
        with _folder_lock(functions_dir):
            remove_interrupted_writes(functions_dir)
            remove_interrupted_writes(functions_dir / HISTORY_DIR)
            old = path.read_text(encoding="utf-8") if path.exists() else None
            if expected is not None and file_digest(old) != expected and old != code:
                raise SaveConflict(
                    f"{filename} changed on disk since you opened it (another tab, session or a git pull): "
                    "nothing was saved; choose which text to keep", path=str(path), mine=code, theirs=old or "")
            if old == code:
                return path
            if old is not None:
                keep_in_history(functions_dir, filename, old)
            _write_atomic(path, code)
    except (OSError, UnicodeDecodeError) as e:
        raise WorkspaceError(f"cannot save {path}: {getattr(e, 'strerror', None) or e}") from e
    return path


def create_function_file(functions_dir: Path, filename: str, code: str) -> Path:
    """A new module: FunctionError if one of that name exists (it is never replaced)."""
    functions_dir = Path(functions_dir)
    path = functions_dir / _check_name(filename)
    with _folder_lock(functions_dir):
        if path.exists():
            raise FunctionError(f"{filename} already exists: choose another name, or open it from the list of "
                                "modules", path=str(path))
        try:
            _write_atomic(path, code)
        except OSError as e:
            raise WorkspaceError(f"cannot save {path}: {e.strerror or e}") from e
    return path


def free_copy_name(functions_dir: Path, filename: str) -> str:
    """A name for a copy of ``filename`` that no file has: ``<stem>_copy.py``, ``<stem>_copy2.py``..."""
    stem = _check_name(filename)[:-3]
    for i in range(1, 1000):
        name = f"{stem}_copy{'' if i == 1 else i}.py"
        if not (Path(functions_dir) / name).exists():
            return name
    raise WorkspaceError(f"no free name for a copy of {filename}")


def restore_version(functions_dir: Path, filename: str, version: Path | str) -> Path:
    """Make an earlier version (one of :func:`previous_versions`) current again; the current text goes to history."""
    return save_function_file(functions_dir, filename, read_version(functions_dir, filename, version))


def read_version(functions_dir: Path, filename: str, version: Path | str) -> str:
    chosen = Path(version).name
    match = next((p for p in previous_versions(functions_dir, filename) if p.name == chosen), None)
    if match is None:
        raise FunctionError(f"{chosen!r} is not a saved version of {filename}", path=str(filename))
    return match.read_text(encoding="utf-8")


def text_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff of two texts (empty when they are equal)."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), old_name,
                                        new_name))
