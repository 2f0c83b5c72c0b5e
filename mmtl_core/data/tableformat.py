"""How a table file is read: its format, whether its first line is a header, and how quotes count."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mmtl_core.errors import DataError

#: Table formats by the extension that names them (messages list these, so they cannot drift from the readers).
EXTENSIONS: dict[str, str] = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".parquet": "parquet"}
FORMATS: tuple[str, ...] = tuple(EXTENSIONS.values())
DELIMITED = ("csv", "tsv")


@dataclass(frozen=True)
class TableFormat:
    """How to read one table file; the defaults read a ``.csv``/``.tsv`` file as such, with a header row.

    ``format`` None reads by the file's extension, and sniffs the content of a file without a known one.
    ``header``, ``column_names`` and ``quoting`` apply to CSV and TSV only: ``quoting`` True makes double quotes
    enclose fields (CSV's rule), False reads a quote as an ordinary character, None is the format's own rule
    (CSV quotes, TSV does not). A file without a header row gets ``column_names`` (default column_1...).
    """

    format: str | None = None
    header: bool = True
    column_names: tuple[str, ...] = ()
    quoting: bool | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(str(n) for n in self.column_names))
        if self.format is not None and self.format not in FORMATS:
            raise DataError(f"unknown table format {self.format!r}; choose from {', '.join(FORMATS)}")
        if self.format is not None and self.format not in DELIMITED and (
                not self.header or self.column_names or self.quoting is not None):
            raise DataError(f"header, column names and quoting apply to {' and '.join(DELIMITED)} files, not "
                            f"{self.format}")

    @property
    def quotes(self) -> bool:
        """Whether double quotes enclose fields when reading this (delimited) format."""
        return self.format == "csv" if self.quoting is None else self.quoting


def format_from_extension(path: Path) -> str | None:
    return EXTENSIONS.get(Path(path).suffix.lower())
