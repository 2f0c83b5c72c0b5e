"""Saving the user's function files from the editor without ever losing their text.

A save writes a temporary file and renames it over the old one (a crash mid-save leaves the old file whole), and
first copies the previous text to ``<functions_dir>/.history/<stem>.<UTC timestamp>.py`` (newest
:data:`HISTORY_KEPT` kept per file), so a bad edit can be undone with :func:`restore_version`.

Choice: a file with a syntax error is still saved — the user's text must not be lost — and loading reports the
error (file and line) as for any file. Call :func:`check_syntax` to show the error in the editor before or after.
"""

from __future__ import annotations

import keyword
import os
import re
from datetime import datetime, timezone
from pathlib import Path

from mmtl_core.atomic import atomic_write
from mmtl_core.errors import FunctionError, WorkspaceError
from mmtl_core.functions.discovery import list_module_files

HISTORY_DIR = ".history"
HISTORY_KEPT = 20
_STAMP = re.compile(r"\d{8}T\d{12}Z")


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


def _write_atomic(path: Path, text: str) -> None:
    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())  # the user's code: on disk before the rename, not just in the page cache

    atomic_write(path, write)


def save_function_file(functions_dir: Path, filename: str, code: str) -> Path:
    """Write ``code`` to ``functions_dir/filename`` atomically, keeping the previous text in the history."""
    functions_dir = Path(functions_dir)
    path = functions_dir / _check_name(filename)
    try:
        functions_dir.mkdir(parents=True, exist_ok=True)
        if path.exists():
            old = path.read_text(encoding="utf-8")
            if old == code:
                return path
            history = functions_dir / HISTORY_DIR
            history.mkdir(exist_ok=True)
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            _write_atomic(history / f"{path.stem}.{stamp}.py", old)
            for stale in previous_versions(functions_dir, filename)[HISTORY_KEPT:]:
                stale.unlink(missing_ok=True)
        _write_atomic(path, code)
    except (OSError, UnicodeDecodeError) as e:
        raise WorkspaceError(f"cannot save {path}: {getattr(e, 'strerror', None) or e}") from e
    return path


def restore_version(functions_dir: Path, filename: str, version: Path | str) -> Path:
    """Make an earlier version (one of :func:`previous_versions`) current again; the current text goes to history."""
    chosen = Path(version).name
    match = next((p for p in previous_versions(functions_dir, filename) if p.name == chosen), None)
    if match is None:
        raise FunctionError(f"{chosen!r} is not a saved version of {filename}", path=str(filename))
    return save_function_file(functions_dir, filename, match.read_text(encoding="utf-8"))
