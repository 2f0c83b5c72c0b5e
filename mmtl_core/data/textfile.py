"""Reading a data file's bytes as text, with errors that name the file and line (shared by every loader)."""

from __future__ import annotations

from pathlib import Path

from mmtl_core.errors import DataError

# Leading bytes of binary formats a user may hand us under the wrong extension.
_MAGIC = {b"PAR1": "a Parquet file", b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "a gzip archive",
          b"\x89PNG": "a PNG image", b"%PDF": "a PDF document"}


def sniff_binary(head: bytes) -> str | None:
    """What a file starting with ``head`` is, when it is a binary format we recognise; else None."""
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            return what
    return None


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes (its first ``limit`` bytes when given); a missing, unreadable or empty file raises
    DataError naming it."""
    path = Path(path)
    if not path.is_file():
        where = "is a folder, not a file" if path.is_dir() else "does not exist"
        raise DataError(f"{path} {where}")
    try:
        with open(path, "rb") as f:
            data = f.read(-1 if limit is None else limit)
    except OSError as e:
        raise DataError(f"cannot read {path}: {e.strerror}") from e
    if not data.strip():
        raise DataError(f"{path} is empty")
    return data


def require_folder(path: Path, expected: str) -> Path:
    """``path`` when it is a folder; else a DataError saying it does not exist or is a file, and what was expected
    (kept apart from "the folder lacks the files", which each loader says in its own words)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path} does not exist; expected {expected}")
    if not path.is_dir():
        raise DataError(f"{path} is a file, not a folder; expected {expected}")
    return path


def read_text(path: Path, expected: str = "text") -> str:
    """The file decoded as UTF-8 (a leading byte-order mark is dropped).

    ``expected`` names the format in messages (``"CSV"``), so a Parquet file named ``.csv`` says so plainly.
    """
    data = read_bytes(path)
    binary = sniff_binary(data[:8])
    if binary:
        raise DataError(f"{path} is {binary}, not {expected}; check the file or its extension")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise DataError(f"{path} is not UTF-8 text: byte 0x{data[e.start]:02x} at line {line} cannot be decoded; "
                        "re-save the file as UTF-8") from e
