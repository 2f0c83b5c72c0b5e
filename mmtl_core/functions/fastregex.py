"""``re.search`` over a whole column, run by Arrow's RE2 engine where it provably gives Python's answer.

RE2 (``pyarrow.compute.match_substring_regex``) is 5-15x faster than a Python loop, but it is not Python's ``re``:
``\\d \\w \\s \\b`` are ASCII-only there, ``$`` ignores a trailing newline, and some syntax differs. So a pattern is
sent to RE2 only if it uses a conservative common subset (:func:`re2_plan`), and rows on which the two engines could
still differ (non-ASCII letters, digits or spaces for the class escapes; the few non-ASCII letters that case-fold to
ASCII for IGNORECASE) are answered by Python's ``re``. Anything unexpected (non-string values, a pattern RE2
rejects) falls back to Python for the whole column: the answer is always Python's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_FLAG_LETTERS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s"}
_ALLOWED_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.UNICODE
_CLASS_ESCAPES = set("dDwWsSbB")
_SAFE_LETTER_ESCAPES = _CLASS_ESCAPES | set("Anrtfx")
# Rows where \d \w \s \b may differ: ASCII controls Python counts as space, or any non-ASCII character that is not
# punctuation, a symbol (emoji), a format character (BOM) or private use.
_CLASS_UNSAFE_ROWS = r"[\x0b\x1c-\x1f]|[^\x00-\x7f\pP\pS\p{Cf}\p{Co}]"
# The non-ASCII letters that case-fold to ASCII ones (Kelvin sign, long s, dotted/dotless i).
_FOLD_UNSAFE_ROWS = r"[\x{130}\x{131}\x{17f}\x{212a}]"


@dataclass(frozen=True)
class Re2Plan:
    pattern: str  # the RE2 pattern, flags inlined
    unsafe_rows: str | None  # RE2 pattern selecting rows Python must answer


def re2_plan(pattern: str, flags: int) -> Re2Plan | None:
    """The RE2 form of a Python pattern, or None when the two engines might disagree on it."""
    if flags & ~_ALLOWED_FLAGS or not pattern.isascii() or "{," in pattern or "[:" in pattern:
        return None
    uses_classes = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1:i + 2]
            if nxt.isalnum():
                if nxt not in _SAFE_LETTER_ESCAPES:
                    return None  # backreferences, \Z, \u..., \N{...}: Python-only or different
                uses_classes |= nxt in _CLASS_ESCAPES
            i += 2
            continue
        if c == "(" and pattern[i + 1:i + 2] == "?" and pattern[i + 2:i + 3] != ":":
            return None  # lookarounds, named groups, inline flags
        if c == "$":
            return None  # Python's $ also matches before a final newline
        i += 1
    letters = "".join(v for k, v in _FLAG_LETTERS.items() if flags & k)
    unsafe = _CLASS_UNSAFE_ROWS if uses_classes else (_FOLD_UNSAFE_ROWS if flags & re.IGNORECASE else None)
    if uses_classes and flags & re.IGNORECASE:
        unsafe = f"{_CLASS_UNSAFE_ROWS}|{_FOLD_UNSAFE_ROWS}"
    return Re2Plan((f"(?{letters})" if letters else "") + pattern, unsafe)


def python_search(regex: re.Pattern[str], values: Sequence[Any]) -> np.ndarray:
    search = regex.search
    return np.fromiter((isinstance(v, str) and search(v) is not None for v in values), dtype=bool,
                       count=len(values))


def to_arrow(values: Sequence[Any]) -> pa.Array | None:
    """The values as an Arrow string array (missing values null), or None if they are not all strings."""
    try:
        return pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, UnicodeEncodeError):
        return None


def search_column(regex: re.Pattern[str], plan: Re2Plan | None, values: Sequence[Any] | None,
                  arrow: pa.Array | None = None) -> np.ndarray:
    """Bool per value: does ``regex.search(value)`` match? Non-strings never match.

    ``arrow`` is ``to_arrow(values)`` when the caller already has it (it is reused across templates); with it,
    ``values`` may be None (they are then read back from ``arrow`` only where Python must answer).
    """
    if values is None:
        if arrow is None:
            raise ValueError("search_column needs values or their Arrow array")
        if plan is None:
            return python_search(regex, arrow.to_pylist())
    elif plan is None or len(values) == 0:
        return python_search(regex, values)
    arr = arrow if arrow is not None else to_arrow(values)
    if arr is None:
        return python_search(regex, values)
    try:
        hits = pc.match_substring_regex(arr, plan.pattern).fill_null(False).to_numpy(zero_copy_only=False)
        if plan.unsafe_rows is not None:
            unsafe = pc.match_substring_regex(arr, plan.unsafe_rows).fill_null(False).to_numpy(zero_copy_only=False)
            rows = np.flatnonzero(unsafe)
            if len(rows):
                texts = arr.take(pa.array(rows)).to_pylist() if values is None else [values[i] for i in rows]
                hits[rows] = python_search(regex, texts)
    except (pa.ArrowException, TypeError, ValueError, UnicodeEncodeError):
        # mixed types, surrogates, syntax RE2 rejects: Python decides
        return python_search(regex, arr.to_pylist() if values is None else values)
    return hits.astype(bool, copy=False)
