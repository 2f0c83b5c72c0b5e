"""Applying functions: Snorkel's matrix, faults and bad outputs reported, loops stopped, crashes contained."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from snorkel.labeling import LabelingFunction, PandasLFApplier, labeling_function
from snorkel.preprocess import preprocessor
from snorkel.slicing import slicing_function

from mmtl_core.data.dataset import Dataset
from mmtl_core.errors import FunctionError
from mmtl_core.functions import KeywordLF, apply_functions, make_user_function


@labeling_function()
def f_bad(x):  # deliberately broken: rows without a number have no 'num' to compare
    return 0 if x.num > 42 else -1


@preprocessor()
def add_lower(x):
    x.lower = x.text.lower()
    return x


@labeling_function(pre=[add_lower], resources={"words": ("spam", "offer")})
def lf_words(x, words):
    return 1 if any(w in x.lower for w in words) else -1


@labeling_function()
def lf_long(x):
    return 0 if len(x["text"]) > 12 else -1


@labeling_function()
def lf_endless(x):
    while True:
        pass


@labeling_function()
def lf_crash(x):
    os._exit(3)


def make_dataset(n: int, with_nums: bool = False) -> Dataset:
    base = ["cheap SPAM offer now", "hello friend", "spam?", "a much longer message here", "offer"]
    frame = pd.DataFrame({"example_id": [f"t:{i}" for i in range(n)], "split": "train",
                          "text": [base[i % len(base)] for i in range(n)]})
    if with_nums:
        frame["num"] = pd.Series([float(i) if i % 4 else None for i in range(n)], dtype=object)
    return Dataset("toy", frame)


def snorkel_matrix(lfs: list, n: int) -> np.ndarray:
    """Snorkel's PandasLFApplier on the five distinct rows, repeated to n rows (make_dataset cycles through them)."""
    five = PandasLFApplier(lfs).apply(make_dataset(5).frame, progress_bar=False)
    return np.tile(five, (n // 5 + 1, 1))[:n]


def user(*objs):
    return [make_user_function(o) for o in objs]


LFS = [lf_words, lf_long, LabelingFunction("lf_lambda", lambda x: 1 if "?" in x.text else -1)]


def test_matrix_equals_snorkel_with_resources_and_preprocessors():
    ds = make_dataset(200)
    applied = apply_functions(user(*LFS), ds)
    assert applied.matrix.dtype == np.int8 and applied.matrix.shape == (200, 3)
    np.testing.assert_array_equal(applied.matrix, PandasLFApplier(LFS).apply(ds.frame, progress_bar=False))
    assert applied.names == ["lf_words", "lf_long", "lf_lambda"]
    assert all(r.ok and not r.from_cache for r in applied.reports.values())


def test_two_workers_give_snorkels_matrix_on_thousands_of_rows():
    applied = apply_functions(user(*LFS), make_dataset(9000), n_workers=2)
    np.testing.assert_array_equal(applied.matrix, snorkel_matrix(LFS, 9000))


def test_raising_rows_abstain_and_the_first_fault_is_kept_with_the_users_line():
    ds = make_dataset(40, with_nums=True)
    applied = apply_functions(user(f_bad, lf_long), ds)
    report = applied.reports["f_bad"]
    assert report.faults == 10  # rows 0, 4, 8...: num is None
    assert report.first_example_id == "t:0"
    assert report.line == f_bad._f.__code__.co_firstlineno + 2
    assert "TypeError" in report.first_traceback and "test_functions_apply.py" in report.first_traceback
    assert "rows.py" not in report.first_traceback  # the applier's own frames are not the user's business
    assert "10 of 40 rows" in report.messages[0] and f"line {report.line}" in report.messages[0]
    assert applied.matrix[0, 0] == -1 and applied.matrix[43 % 40, 0] == -1 and applied.matrix[1, 0] == -1
    assert (applied.matrix[:, 1] >= 0).sum() == 16  # the other column is whole


@pytest.mark.parametrize("n_rows", [10, 5000])  # one worker for a tiny input, two for a larger one
def test_endless_loop_is_stopped_at_the_timeout_and_other_columns_are_intact(n_rows):
    ds = make_dataset(n_rows)
    applied = apply_functions(user(lf_words, lf_endless, lf_long), ds, timeout_s=1.0, n_workers=2)
    report = applied.reports["lf_endless"]
    assert report.timed_out and "stopped after 1 s" in report.error
    assert (applied.matrix[:, 1] == -1).all()
    np.testing.assert_array_equal(applied.matrix[:, [0, 2]], snorkel_matrix([lf_words, lf_long], n_rows))


def test_a_function_that_kills_its_worker_costs_only_its_own_column():
    ds = make_dataset(50)
    applied = apply_functions(user(lf_crash, lf_long), ds)
    assert "died (exit code 3)" in applied.reports["lf_crash"].error
    assert (applied.matrix[:, 0] == -1).all() and (applied.matrix[:, 1] >= 0).sum() == 20


def test_labels_outside_the_classes_and_non_ints_are_reported_and_abstain():
    out_of_range = LabelingFunction("lf_three", lambda x: 3 if "spam" in x.text else -1)
    forgot_return = LabelingFunction("lf_none", lambda x: None)
    applied = apply_functions(user(out_of_range, forgot_return), make_dataset(10), cardinality=2)
    three, none = applied.reports["lf_three"], applied.reports["lf_none"]
    assert three.invalid == 2 and three.first_invalid_value == "3 (int)" and three.first_invalid_example_id == "t:2"
    assert none.invalid == 10 and none.first_invalid_value == "None (NoneType)"
    assert "class id 0..K-1" in three.messages[0]
    assert (applied.matrix == -1).all()


def test_slicing_function_returning_a_non_boolean_is_reported():
    @slicing_function()
    def sf_truthy(x):
        return x.text and "offer" in x.text  # returns the str '' for empty text: not a bool

    @slicing_function()
    def sf_question(x):
        return x.text.endswith("?")

    frame = pd.DataFrame({"example_id": ["a", "b", "c"], "split": "dev", "text": ["", "an offer?", "no"]})
    applied = apply_functions(user(sf_truthy, sf_question), Dataset("s", frame))
    assert applied.kind == "slicing" and applied.matrix.dtype == bool
    report = applied.reports["sf_truthy"]
    assert report.invalid == 1 and report.first_invalid_example_id == "a" and "'' (str)" in report.messages[0]
    np.testing.assert_array_equal(applied.matrix, [[False, False], [True, True], [False, False]])


def test_labeling_and_slicing_functions_cannot_be_mixed_in_one_call():
    @slicing_function()
    def sf_any(x):
        return True

    with pytest.raises(FunctionError, match="sf_any"):
        apply_functions(user(lf_long, sf_any), make_dataset(3))


def test_template_reading_a_missing_field_fails_alone_with_the_fields_listed():
    applied = apply_functions(user(KeywordLF("kw_title", ["x"], 1, field="title"), lf_long), make_dataset(5))
    assert "'title'" in applied.reports["kw_title"].error and "text" in applied.reports["kw_title"].error
    assert (applied.matrix[:, 1] >= 0).sum() == 2


def test_matrix_is_int8_so_a_million_rows_by_fifty_functions_fit_in_100_mb():
    lfs = [KeywordLF(f"kw_{i}", ["spam", "offer"][i % 2:], i % 3) for i in range(50)]
    applied = apply_functions(user(*lfs), make_dataset(2000))
    assert applied.matrix.dtype == np.int8 and applied.matrix.nbytes == 2000 * 50
    assert applied.matrix.itemsize * 1_000_000 * 50 <= 100 * 2**20


def test_progress_is_reported_up_to_one_and_names_what_runs_with_its_limit():
    seen: list[tuple[float, str]] = []
    apply_functions(user(lf_long, lf_words), make_dataset(3000), progress=lambda f, note: seen.append((f, note)),
                    timeout_s=12)
    fractions = [f for f, _ in seen]
    assert fractions[-1] == 1.0 and fractions == sorted(fractions) and len(seen) >= 3
    notes = {note for _, note in seen if note}
    assert notes and all("time limit 12 s" in note for note in notes)
    assert any("lf_long" in note for note in notes) and any("lf_words" in note for note in notes)


def test_reused_rows_are_never_changed_by_a_function_that_mutates_its_row():
    # The rows of the last dataset are kept between applies (the edit loop); a function that writes to x
    # must not leak into the next apply.
    @labeling_function()
    def shouts(x):
        x.text = x.text.upper()
        return 1 if "SPAM" in x.text else -1

    @labeling_function()
    def says_spam_lowercase(x):
        return 1 if "spam" in x.text else -1

    dataset = make_dataset(5_000)
    first = apply_functions([make_user_function(shouts)], dataset).matrix[:, 0]
    again = apply_functions([make_user_function(says_spam_lowercase)], dataset).matrix[:, 0]
    assert (first == 1).sum() == 2_000  # "cheap SPAM offer now" and "spam?"
    assert (again == 1).sum() == 1_000  # only "spam?": the rows kept their original text
