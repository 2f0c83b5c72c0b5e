"""Writing a file so that a reader, or a crash mid-write, never sees half of it: write beside it, then rename."""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

#: The name atomic_write gives its temporary file: ``.<name>.<pid>.<8 hex>.tmp<suffix>``.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.tmp(?P<suffix>\.[^./]*)?")


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a fresh file beside ``path`` (same suffix, so writers that add one do not), then
    rename it over ``path``. The folder is created; on any failure the partial file is removed and ``path`` keeps
    its previous content. Errors propagate: callers name the thing they were saving."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: Path, text: str) -> Path:
    return atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_interrupted_writes(folder: Path, *, recursive: bool = False, older_than_s: float = 3600.0) -> list[Path]:
    """Delete the temporary files of writes that never finished (their process was killed mid-write): those
    whose process is gone, or older than ``older_than_s``. Returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    for path in (folder.rglob(".*.tmp*") if recursive else folder.glob(".*.tmp*")):
        m = _TEMPORARY.fullmatch(path.name)
        if m is None or not path.is_file():
            continue
        try:
            stale = not _alive(int(m["pid"])) or now - path.stat().st_mtime > older_than_s
            if stale:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue  # its writer finished (renamed it) meanwhile
    return removed
