"""A save that breaks a module keeps the last results whose modules all loaded, marked stale."""

from dataclasses import dataclass

from mmtl_core.errors import FunctionError
from mmtl_core.studio.stale import keep_last_good


@dataclass
class Result:
    label: str
    load_errors: tuple = ()


BROKEN = (FunctionError("youtube_spam.py, line 3: invalid syntax", line=3),)


def test_a_good_analysis_is_shown_as_it_is():
    shown = keep_last_good(Result("new"), Result("old"))
    assert shown.analysis.label == "new" and not shown.stale


def test_a_broken_save_keeps_the_last_good_results_with_the_error():
    shown = keep_last_good(Result("new", BROKEN), Result("old"))
    assert shown.analysis.label == "old" and shown.stale and shown.stale_because == BROKEN


def test_without_good_results_the_current_ones_are_shown():
    assert keep_last_good(Result("new", BROKEN), None).analysis.label == "new"
    assert keep_last_good(Result("new", BROKEN), Result("old", BROKEN)).analysis.label == "new"
