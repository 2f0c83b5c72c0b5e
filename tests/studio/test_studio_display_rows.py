"""Rows of data as a person reads them: texts decoded once and never rendered, classes by name, the answer columns
first and fitting the page, ids last; search hints from the data itself."""

import pandas as pd

from mmtl_core.studio.display_rows import (UNLABELED, bucket_view, class_name, data_rows, inspector_view,
                                           readable_text, search_hint)
from mmtl_core.studio.table_view import CELL_PAD_PX, CHAR_PX, CONTENT_PX, MIN_TEXT_PX, SMALL_PX

# As the YouTube spam CSVs hold them: HTML source.
COMMENT = "Top three Shakira songs (my choice) <br /><br />1- Waka Waka (it&#39;s time for &quot;Africa&quot;)"


def test_texts_are_decoded_once_and_markup_stays_text():
    assert readable_text(COMMENT) == 'Top three Shakira songs (my choice) \n\n1- Waka Waka (it\'s time for "Africa")'
    link = 'cool song <a href="http://x.io">x.io</a> &amp;lt;b&amp;gt;'
    assert readable_text(link) == 'cool song <a href="http://x.io">x.io</a> &lt;b&gt;'  # decoded once, not twice
    assert readable_text("&lt;br /&gt;") == "<br />"  # an escaped tag is text, not a line break
    assert readable_text(3) == 3 and readable_text(None) is None


def test_classes_by_name():
    names = ("ham", "spam")
    assert [class_name(v, names) for v in (0, 1, -1, 1.0, float("nan"))] == ["ham", "spam", UNLABELED, "spam",
                                                                             UNLABELED]
    assert class_name(3.7, ()) == 3.7 and class_name(2, ()) == 2  # regression scores, tasks without names


def _rte_rows():
    return pd.DataFrame({"example_id": ["RTE/dev:0", "RTE/dev:1"], "split": ["dev", "dev"],
                         "sentence1": ["A &quot;premise&quot;.", "Another premise."],
                         "sentence2": ["A hypothesis.", "It&#39;s true."], "label": [0, 1], "idx": [0, 1]})


def test_data_rows_show_both_sentences_and_the_label_before_anything_else():
    view = data_rows(_rte_rows(), ("sentence1", "sentence2"), ("entailment", "not_entailment"))
    assert list(view.columns) == ["sentence1", "sentence2", "label", "split", "idx", "example_id"]
    assert view.frame["label"].tolist() == ["entailment", "not_entailment"]
    assert view.frame["sentence1"][0] == 'A "premise".' and view.frame["sentence2"][1] == "It's true."
    answer = ("sentence1", "sentence2", "label", "split")
    assert sum(view.columns[c].width for c in answer) + SMALL_PX <= CONTENT_PX  # they fit, the id too
    assert _rte_rows()["sentence1"][0] == "A &quot;premise&quot;."  # the data itself is untouched


def test_inspector_and_error_cell_rows_put_the_answer_first_and_the_id_last():
    examples = pd.DataFrame({"example_id": ["yt:1"], "text": [COMMENT], "gold": ["ham"], "vote": ["spam"],
                             "label model": ["spam (0.93)"], "others that fired": ["has_link=spam"]})
    view = inspector_view(examples, ("text",))
    assert list(view.columns) == ["text", "gold", "vote", "label model", "others that fired", "example_id"]
    assert "&#39;" not in view.frame["text"][0]
    assert sum(c.width if isinstance(c.width, int) else SMALL_PX for c in view.columns.values()) <= CONTENT_PX
    cell = pd.DataFrame({"example_id": ["RTE/dev:0"], "sentence1": ["p"], "sentence2": ["h"], "gold": ["entailment"],
                         "predicted": ["entailment"], "confidence": pd.array([0.9], dtype="Float64"),
                         "labeling_functions": [""], "slices": ["negation"]})
    view = bucket_view(cell, ("sentence1", "sentence2"))
    assert list(view.columns) == ["sentence1", "sentence2", "gold", "predicted", "confidence", "labeling_functions",
                                  "slices", "example_id"]
    assert sum(c.width for name, c in view.columns.items() if name != "example_id") <= CONTENT_PX


def test_class_columns_show_the_longest_class_whole_and_the_answer_still_fits():
    examples = pd.DataFrame({"example_id": ["RTE/dev:0"], "sentence1": ["p"], "sentence2": ["h"],
                             "gold": ["not_entailment"], "vote": ["not_entailment"],
                             "label model": ["not_entailment (0.80)"], "others that fired": [""]})
    view = inspector_view(examples, ("sentence1", "sentence2"))
    assert view.columns["gold"].width >= CHAR_PX * len("not_entailment") + CELL_PAD_PX  # not cut to not_entailm
    assert view.columns["label model"].width >= CHAR_PX * len("not_entailment (0.80)") + CELL_PAD_PX
    answer = [c for c in view.columns if c != "example_id"]
    assert sum(view.columns[c].width for c in answer) <= CONTENT_PX  # the id alone may go behind the scroll
    assert min(view.columns[f].width for f in ("sentence1", "sentence2")) >= MIN_TEXT_PX
    browse = data_rows(_rte_rows(), ("sentence1", "sentence2"), ("entailment", "not_entailment"))
    assert browse.columns["label"].width >= CHAR_PX * len("not_entailment") + CELL_PAD_PX


def test_search_hint_comes_from_the_texts():
    spam = ["Please subscribe to my channel", "subscribe!! check my channel", "great song", "Subscribe for more"]
    assert search_hint(spam) == "subscribe"
    rte = ["The president visited Paris.", "Paris is in France, the president said.", "about their visit"]
    assert search_hint(rte) in {"president", "paris"} and search_hint([]) == ""
