"""What applying functions produces, as plain data: what each function is, how its column was obtained, the columns.

These cross from the sandboxed function host to the server (see :mod:`wire`), so they hold only names, numbers,
text and arrays, never the user's objects.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class FunctionInfo:
    """One labeling or slicing function found in a user file, described without the function itself."""

    name: str
    kind: str  # "labeling" | "slicing"
    path: Path
    line: int
    cache_key: str | None  # None: a dependency cannot be fingerprinted, so its column is never cached
    not_cached: str | None = None  # why not, for the page

    def to_plain(self) -> dict[str, Any]:
        return {**asdict(self), "path": str(self.path)}

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> "FunctionInfo":
        return cls(**{**data, "path": Path(data["path"])})


@dataclass(frozen=True)
class ApplyReport:
    """How one function's column was obtained. ``messages`` is what the UI shows."""

    faults: int = 0  # rows where the function raised (they abstain)
    first_traceback: str | None = None
    first_example_id: str | None = None  # example_id of the first faulting row
    line: int | None = None  # line in the user's file where the first fault was raised
    first_error: str | None = None  # the first fault's exception, e.g. "KeyError: 'text'"
    timed_out: bool = False
    error: str | None = None  # the whole column failed (timeout, memory, crashed worker, unknown field)
    seconds: float = 0.0  # time the function ran (summed over workers)
    from_cache: bool = False  # the column (or the failure) is remembered from an earlier run of the same code
    invalid: int = 0  # rows where it returned something that is not a label (an LF) or a bool (an SF)
    first_invalid_value: str | None = None
    first_invalid_example_id: str | None = None
    function: str = ""
    kind: str = "labeling"
    rows: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.faults == 0 and self.invalid == 0

    @property
    def remembered_failure(self) -> bool:
        """A failed column served from the cache: shown with a "run again" button rather than re-run."""
        return self.from_cache and self.error is not None

    @property
    def messages(self) -> list[str]:
        out = []
        if self.error:
            out.append(self.error + (" (remembered from an earlier run of this code)" if self.from_cache else ""))
        if self.faults:
            at = f", line {self.line}" if self.line else ""
            out.append(f"{self.function} raised an exception on {self.faults} of {self.rows} rows (they "
                       f"{'abstain' if self.kind == 'labeling' else 'are left out of the slice'}); first on "
                       f"example {self.first_example_id}{at}")
        if self.invalid:
            expected = ("-1 (abstain) or a class id 0..K-1 as an int" if self.kind == "labeling"
                        else "True or False")
            out.append(f"{self.function} returned {self.invalid} value(s) that are not {expected}, first "
                       f"{self.first_invalid_value} on example {self.first_invalid_example_id}")
        return out

    def to_plain(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_plain(cls, data: dict[str, Any]) -> "ApplyReport":
        """Known fields only: a report written by an older version still reads."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class AppliedFunctions:
    names: list[str]
    kind: str
    matrix: np.ndarray  # n x m: int8 (labeling, -1 = abstain) or bool (slicing), rows in dataset.frame order
    reports: dict[str, ApplyReport] = field(default_factory=dict)

    def column(self, name: str) -> np.ndarray:
        return self.matrix[:, self.names.index(name)]


def failed_column(kind: str) -> str:
    return "its column abstains everywhere" if kind == "labeling" else "its slice is empty"
