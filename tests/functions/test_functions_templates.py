"""Templates: vectorised, and exactly the answer of the equivalent Python function (Python's ``re``, not RE2's)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from snorkel.labeling import PandasLFApplier, labeling_function

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions import KeywordLF, KeywordSF, LengthSF, RegexLF, RegexSF, apply_functions, make_user_function
from mmtl_core.functions.fastregex import python_search, re2_plan, search_column

# Texts where RE2 and Python's re disagree unless handled: Unicode digits/letters/spaces, case folds, newlines.
TRICKY = ["plain ascii 42 times", "Kelvin \u212a and long \u017f", "arabic \u0661\u0662\u0663 digits",
          "nbsp\xa0space", "caf\xe9 au lait", "ends with newline\n", "\ufeffBOM then text", "emoji \U0001F600 ok",
          "tab\tand\x1cfile sep", "Istanbul \u0130 \u0131", "", None, float("nan"), "UPPER CASE SONG", "x\u0301 mark"]
PATTERNS = [(r"\d+", 0), (r"\w+\s\w+", 0), (r"\bsong\b", re.I), (r"k", re.I), (r"s\b", re.I), (r"line$", 0),
            (r"^\S+$", re.M), (r"(?i)caf", 0), (r"i", re.I), (r"\W", 0), (r"a.b", re.S), (r"(\w)\1", 0),
            (r"\s", 0), (r"[^a-z ]", 0), (r"[:alpha:]", 0), (r"x{,2}", 0)]


@pytest.mark.parametrize(("pattern", "flags"), PATTERNS)
def test_column_search_gives_pythons_answer_on_unicode_edge_cases(pattern, flags):
    regex = re.compile(pattern, flags)
    texts = TRICKY * 3
    np.testing.assert_array_equal(search_column(regex, re2_plan(pattern, flags), texts), python_search(regex, texts))


def test_patterns_re2_would_read_differently_are_left_to_python():
    assert re2_plan(r"line$", 0) is None and re2_plan(r"(\w)\1", 0) is None and re2_plan(r"(?=a)", 0) is None
    assert re2_plan(r"x{,2}", 0) is None and re2_plan("caf\xe9", 0) is None and re2_plan("a", re.X) is None
    assert re2_plan(r"check\ out|www\.", re.I).pattern == r"(?i)check\ out|www\."


def make_dataset(texts: list) -> Dataset:
    titles = ["Song" if i % 2 else "News" for i in range(len(texts))]
    return Dataset("t", pd.DataFrame({"example_id": [str(i) for i in range(len(texts))], "split": "train",
                                      "text": texts, "title": titles}))


def python_equivalents() -> list:
    @labeling_function()
    def kw_spam(x):
        return 1 if any(k in x.text.lower() for k in ("check out", "subscribe")) else -1

    @labeling_function()
    def kw_word(x):
        return 0 if re.search(r"\bsong\b", x.text, re.I) else -1

    @labeling_function()
    def rx_digits(x):
        return 1 if re.search(r"\d{2,}", x.text) else -1

    @labeling_function()
    def kw_title(x):
        return 0 if "Song" in x.title else -1

    return [kw_spam, kw_word, rx_digits, kw_title]


def templates() -> list:
    return [KeywordLF("kw_spam", ["check out", "subscribe"], label=1),
            KeywordLF("kw_word", ["song"], label=0, whole_word=True),
            RegexLF("rx_digits", r"\d{2,}", label=1),
            KeywordLF("kw_title", ["Song"], label=0, field="title", case_sensitive=True)]


def texts_from(shared_data: Path) -> list[str]:
    frames = [pd.read_csv(f) for f in sorted((shared_data / "youtube_spam").glob("*.csv"))]
    return pd.concat(frames)["CONTENT"].astype(str).tolist()


def test_templates_equal_equivalent_python_functions_on_real_comments(shared_data):
    texts = texts_from(shared_data) + [t for t in TRICKY if isinstance(t, str)]
    ds = make_dataset(texts)
    applied = apply_functions([make_user_function(t) for t in templates()], ds)
    expected = PandasLFApplier(python_equivalents()).apply(ds.frame, progress_bar=False)
    np.testing.assert_array_equal(applied.matrix, expected)
    assert (applied.matrix >= 0).sum(axis=0).min() > 10  # each template fires somewhere: the test has teeth


def test_template_called_on_one_row_agrees_with_its_column():
    texts = ["Check out my song", "a 2nd song", "nothing", None]
    for t in templates()[:3]:
        column = t.apply_column(texts)
        rows = [t(SimpleNamespace(text=v)) for v in texts]
        assert column.dtype == np.int8 and column.tolist() == rows


def test_slicing_templates_are_boolean_and_missing_text_is_out():
    texts = ["What a song?", "one two three four five six", None, "hi"]
    sfs = [KeywordSF("sf_song", ["SONG"]), RegexSF("sf_question", r"\?$"), LengthSF("sf_short", max_words=3)]
    applied = apply_functions([make_user_function(s) for s in sfs], make_dataset(texts))
    assert applied.kind == "slicing" and applied.matrix.dtype == bool
    np.testing.assert_array_equal(applied.matrix, [[True, True, True], [False, False, False],
                                                   [False, False, False], [False, False, True]])


@pytest.mark.parametrize(("make", "message"), [
    (lambda: RegexLF("rx_bad", "(unclosed", 1), "not a valid regular expression"),
    (lambda: KeywordLF("kw_str", "subscribe", 1), "list of non-empty strings"),
    (lambda: KeywordLF("kw bad", ["a"], 1), "not a valid identifier"),
    (lambda: KeywordLF("kw_label", ["a"], -1), "label must be a class id"),
    (lambda: LengthSF("sf_len"), "min_words, max_words"),
])
def test_a_wrong_template_raises_a_function_error_naming_it(make, message):
    with pytest.raises(FunctionError, match=message):
        make()


def test_templates_read_non_string_columns_without_error_only_strings_match():
    frame = pd.DataFrame({"example_id": ["a", "b", "c", "d"], "split": "train",
                          "text": pd.Series(["call 555", 555, None, "no"], dtype=object),
                          "tag": pd.Categorical(["x1", "y", "x2", "y"])})
    sfs = [RegexSF("sf_digits", r"\d"), KeywordSF("sf_x", ["x"], field="tag"), LengthSF("sf_one", min_words=2)]
    applied = apply_functions([make_user_function(s) for s in sfs], Dataset("mixed", frame))
    assert all(r.ok for r in applied.reports.values())
    np.testing.assert_array_equal(applied.matrix, [[True, True, True], [False, False, False],
                                                   [False, True, False], [False, False, False]])
