"""Template functions: labeling and slicing functions described by data (keywords, a pattern, a length range).

Users create them as module-level instances in their function files, e.g.
``spam_words = KeywordLF("spam_words", ["subscribe", "check out"], label=1)``. Because a template says *what* it
looks for rather than running arbitrary code, the applier runs it over a whole column at once (one compiled regex
mapped over the column's values) instead of building a row object per example, which is what makes it fast.
Each template is also callable on one row, like a Snorkel ``LabelingFunction``, with exactly the same answer.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from mmtl_core.errors import FunctionError
from mmtl_core.functions.fastregex import Re2Plan, re2_plan, search_column
from mmtl_core.keys import check_identifier

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


def _definition_site() -> tuple[str, int]:
    """File and line of the user's code that created the template (the first frame outside this package)."""
    frame = sys._getframe(1)
    while frame is not None and str(Path(frame.f_code.co_filename).resolve().parent) == _PACKAGE_DIR:
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else ("", 0)


class TemplateFunction:
    """Base of the templates: a name, the field it reads, and a vectorised ``matches`` over that field's values."""

    kind: ClassVar[str] = ""

    def __init__(self, name: str, field: str) -> None:
        try:
            check_identifier(name, f"{type(self).__name__}")
        except ValueError as e:
            raise FunctionError(str(e), function=str(name)) from e
        if not isinstance(field, str) or not field:
            raise FunctionError(f"{type(self).__name__} {name!r}: field must be a column name, got {field!r}",
                                function=name)
        self.name = name
        self.field = field
        self.path, self.line = _definition_site()

    # --- what subclasses define -------------------------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """Everything that decides the output (not the name): hashed for the label cache."""
        raise NotImplementedError

    def _match_one(self, value: Any) -> bool:
        raise NotImplementedError

    # --- shared behaviour ----------------------------------------------------------------------------------------
    def matches(self, values: Sequence[Any] | None, arrow: pa.Array | None = None) -> np.ndarray:
        """Bool array: does each value match? Non-string values (missing text) never match.

        ``arrow``, when given, is ``fastregex.to_arrow(values)``, shared by the templates reading the same field;
        with it ``values`` may be None.
        """
        values = arrow.to_pylist() if values is None else values
        match = self._match_one
        return np.fromiter((match(v) for v in values), dtype=bool, count=len(values))

    def apply_column(self, values: Sequence[Any] | None, arrow: pa.Array | None = None) -> np.ndarray:
        """The column of this function over ``values`` (int8 labels for labeling, bool for slicing)."""
        raise NotImplementedError

    def __call__(self, x: Any) -> Any:
        """Label (or slice) one row, as a Snorkel function would: ``x[field]`` or ``x.<field>``."""
        value = x[self.field] if hasattr(x, "__getitem__") else getattr(x, self.field)
        return self._output(self._match_one(value))

    def _output(self, matched: bool) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({self.name!r}, {args})"


class _LabelingTemplate(TemplateFunction):
    kind = "labeling"

    def __init__(self, name: str, label: int, field: str) -> None:
        super().__init__(name, field)
        if isinstance(label, bool) or not isinstance(label, (int, np.integer)) or not 0 <= int(label) <= 127:
            raise FunctionError(f"{type(self).__name__} {name!r}: label must be a class id 0..K-1, got {label!r}",
                                function=name)
        self.label = int(label)

    def _output(self, matched: bool) -> int:
        return self.label if matched else -1

    def apply_column(self, values: Sequence[Any] | None, arrow: pa.Array | None = None) -> np.ndarray:
        return np.where(self.matches(values, arrow), np.int8(self.label), np.int8(-1)).astype(np.int8)


class _SlicingTemplate(TemplateFunction):
    kind = "slicing"

    def _output(self, matched: bool) -> bool:
        return bool(matched)

    def apply_column(self, values: Sequence[Any] | None, arrow: pa.Array | None = None) -> np.ndarray:
        return self.matches(values, arrow)


def _compile(owner: str, name: str, pattern: str, flags: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern, flags)
    except (re.error, TypeError) as e:
        raise FunctionError(f"{owner} {name!r}: the pattern {pattern!r} is not a valid regular expression: {e}",
                            function=name) from e


def _keyword_pattern(owner: str, name: str, keywords: Sequence[str], case_sensitive: bool,
                     whole_word: bool) -> tuple[tuple[str, ...], re.Pattern[str]]:
    if isinstance(keywords, str) or not keywords or not all(isinstance(k, str) and k for k in keywords):
        raise FunctionError(f"{owner} {name!r}: keywords must be a non-empty list of non-empty strings, got "
                            f"{keywords!r}", function=name)
    words = tuple(keywords)
    alternatives = "|".join(re.escape(k) for k in sorted(words, key=len, reverse=True))
    body = rf"\b(?:{alternatives})\b" if whole_word else f"(?:{alternatives})"
    return words, _compile(owner, name, body, 0 if case_sensitive else re.IGNORECASE)


class _SearchMixin:
    """Matches when ``self._regex.search(value)`` finds something; run by RE2 over the column where equivalent."""

    _regex: re.Pattern[str]
    _plan: Re2Plan | None

    def _set_regex(self, regex: re.Pattern[str]) -> None:
        self._regex, self._plan = regex, re2_plan(regex.pattern, regex.flags & ~re.UNICODE)

    def _match_one(self, value: Any) -> bool:
        return isinstance(value, str) and self._regex.search(value) is not None

    def matches(self, values: Sequence[Any] | None, arrow: pa.Array | None = None) -> np.ndarray:
        return search_column(self._regex, self._plan, values, arrow)


class KeywordLF(_SearchMixin, _LabelingTemplate):
    """Votes ``label`` when any of ``keywords`` occurs in ``field``; abstains otherwise."""

    def __init__(self, name: str, keywords: Sequence[str], label: int, field: str = "text",
                 case_sensitive: bool = False, whole_word: bool = False) -> None:
        super().__init__(name, label, field)
        self.keywords, regex = _keyword_pattern("KeywordLF", name, keywords, case_sensitive, whole_word)
        self.case_sensitive, self.whole_word = case_sensitive, whole_word
        self._set_regex(regex)

    def params(self) -> dict[str, Any]:
        return {"keywords": self.keywords, "label": self.label, "field": self.field,
                "case_sensitive": self.case_sensitive, "whole_word": self.whole_word}


class KeywordSF(_SearchMixin, _SlicingTemplate):
    """In the slice when any of ``keywords`` occurs in ``field``."""

    def __init__(self, name: str, keywords: Sequence[str], field: str = "text", case_sensitive: bool = False,
                 whole_word: bool = False) -> None:
        super().__init__(name, field)
        self.keywords, regex = _keyword_pattern("KeywordSF", name, keywords, case_sensitive, whole_word)
        self.case_sensitive, self.whole_word = case_sensitive, whole_word
        self._set_regex(regex)

    def params(self) -> dict[str, Any]:
        return {"keywords": self.keywords, "field": self.field, "case_sensitive": self.case_sensitive,
                "whole_word": self.whole_word}


class RegexLF(_SearchMixin, _LabelingTemplate):
    """Votes ``label`` when ``re.search(pattern, x[field], flags)`` matches; abstains otherwise."""

    def __init__(self, name: str, pattern: str, label: int, field: str = "text", flags: int = 0) -> None:
        super().__init__(name, label, field)
        self.pattern, self.flags = pattern, int(flags)
        self._set_regex(_compile("RegexLF", name, pattern, self.flags))

    def params(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "label": self.label, "field": self.field, "flags": self.flags}


class RegexSF(_SearchMixin, _SlicingTemplate):
    """In the slice when ``re.search(pattern, x[field], flags)`` matches."""

    def __init__(self, name: str, pattern: str, field: str = "text", flags: int = 0) -> None:
        super().__init__(name, field)
        self.pattern, self.flags = pattern, int(flags)
        self._set_regex(_compile("RegexSF", name, pattern, self.flags))

    def params(self) -> dict[str, Any]:
        return {"pattern": self.pattern, "field": self.field, "flags": self.flags}


class LengthSF(_SlicingTemplate):
    """In the slice when ``field`` has between ``min_words`` and ``max_words`` words (bounds included).

    Words are ``str.split()`` pieces; a missing value is never in the slice.
    """

    def __init__(self, name: str, field: str = "text", min_words: int | None = None,
                 max_words: int | None = None) -> None:
        super().__init__(name, field)
        if min_words is None and max_words is None:
            raise FunctionError(f"LengthSF {name!r}: give min_words, max_words or both", function=name)
        self.min_words = 0 if min_words is None else int(min_words)
        self.max_words = sys.maxsize if max_words is None else int(max_words)

    def params(self) -> dict[str, Any]:
        return {"field": self.field, "min_words": self.min_words, "max_words": self.max_words}

    def _match_one(self, value: Any) -> bool:
        return isinstance(value, str) and self.min_words <= len(value.split()) <= self.max_words


#: The template classes users may instantiate, for the editor's help text.
TEMPLATES: tuple[type[TemplateFunction], ...] = (KeywordLF, RegexLF, KeywordSF, RegexSF, LengthSF)
