"""Naming rows in messages: ``'m.csv, line 7'`` for text formats, ``'m.parquet, row 7'`` for Parquet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd


@dataclass(frozen=True, eq=False)
class Locator:
    """Where each row of a frame came from: ``numbers[i]`` is the 1-based line (or row) of row ``i`` in ``source``."""

    source: str
    numbers: np.ndarray
    unit: str = "line"  # "line" in a text file, "row" in a Parquet file

    @classmethod
    def of(cls, frame: pd.DataFrame, path: Path | str) -> "Locator":
        """The locator of a frame read by ``read_table_file`` (its ``lines`` attribute), else its row positions."""
        if "lines" in frame.attrs:
            return cls(str(path), np.asarray(frame.attrs["lines"]))
        return cls(str(path), np.arange(1, len(frame) + 1), "row")

    def at(self, i: int, column: str | None = None) -> str:
        """``'m.csv, line 7'`` (with ``, column 'cls'`` when a column is given) for row ``i`` (0-based)."""
        where = f"{self.source}, {self.unit} {self.numbers[i]}"
        return f"{where}, column {column!r}" if column is not None else where

    def few(self, rows: np.ndarray | list[int], limit: int = 5) -> str:
        """``'lines 5, 9, 12 and 4 more'`` for the rows ``rows`` (0-based positions, in order)."""
        rows = list(rows)
        shown = ", ".join(str(self.numbers[i]) for i in rows[:limit])
        more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
        return f"{self.unit}{'s' if len(rows) > 1 else ''} {shown}{more}"
