"""Rows of data as a person reads them: texts as text, classes by name, the columns that answer the question first
(the text, then gold, vote, prediction and the functions that fired), ids last and narrow.

Texts are decoded for reading only: the dataset, and what functions see, stay exactly as loaded.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from mmtl_core.studio.table_view import Column, TableView, fitting_width, text_widths

#: Columns of examples that hold a class name.
CLASS_COLUMNS = frozenset({"gold", "vote", "predicted", "label model", "majority vote"})
#: Label of a row without a gold label.
UNLABELED = "unlabeled"
ID_HELP = "The row's stable id: the source's own id where it has one, else its position in its file."

_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{5,}")
# Common words that say nothing about a dataset, so a search hint never suggests them.
_STOPWORDS = frozenset(
    "about above after again against being below between could doesn does didn every first from have having "
    "here into itself just might more most other ought their theirs them then there these they this those "
    "through under until very were what when where which while whom with would your yours yourself still "
    "because before should shall since also only than that many much some such each both said says".split())


def readable_text(value: object) -> object:
    """A text as its author wrote it: line-break tags become line breaks, then HTML entities are decoded once
    (``&quot;`` -> ``"``, ``&#39;`` -> ``'``; ``&amp;lt;`` -> ``&lt;``). Any other markup stays as plain characters:
    tables show it, never render it. Values that are not text come back unchanged."""
    if not isinstance(value, str):
        return value
    return html.unescape(_LINE_BREAK.sub("\n", value))


def readable_texts(values: Iterable[object]) -> list[object]:
    return [readable_text(v) for v in values]


def class_name(value: object, names: Sequence[str]) -> object:
    """A class id as its name (``1`` -> ``spam``); -1 or a missing label -> ``unlabeled``. Without names, or for a
    value that is not a class id (a regression score), the value itself."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return UNLABELED if names else value
    if not names or not isinstance(value, (int, np.integer, float, np.floating)) or value != int(value):
        return value
    k = int(value)
    if k == -1:
        return UNLABELED
    return names[k] if 0 <= k < len(names) else value


def class_names(values: Iterable[object], names: Sequence[str]) -> list[object]:
    return [class_name(v, names) for v in values]


def polarity_text(classes: Iterable[int], names: Sequence[str]) -> str:
    """The classes a labeling function votes, by name (``spam``; ``ham, spam``)."""
    return ", ".join(str(class_name(int(c), names)) for c in classes)


def data_rows(frame: pd.DataFrame, text_fields: Sequence[str], label_names: Sequence[str], *,
              label_field: str = "label") -> TableView:
    """Dataset rows (the Data page's browse and preview): the text field(s), the label by class name and the split
    first, then the source's other fields, the example id last."""
    texts = [f for f in text_fields if f in frame.columns]
    out = frame.copy()
    for f in texts:
        out[f] = readable_texts(out[f])
    if label_field in out.columns and label_names:
        out[label_field] = class_names(out[label_field], label_names)
    beside = {}
    if label_field in out.columns:
        width = fitting_width(label_names or out[label_field].head(1000), label_field, 72, 160)
        beside[label_field] = Column(width=width, help="The gold label" + (" (its class)" if label_names else ""))
    beside["split"] = Column(width=60)
    answer = {**{f: Column(width=w) for f, w in text_widths(texts, list(beside.values())).items()}, **beside}
    rest = {c: Column() for c in out.columns if c not in answer and c != "example_id"}
    return TableView(out, {**answer, **rest, "example_id": Column(width="small", help=ID_HELP)})


def examples_view(examples: pd.DataFrame, text_fields: Sequence[str], answer: dict[str, Column]) -> TableView:
    """Examples behind a number (a function's votes, an error cell): the text field(s) first, then ``answer``'s
    columns in its order, the example id last; texts decoded for reading."""
    texts = [f for f in text_fields if f in examples.columns]
    out = examples.copy()
    for f in texts:
        out[f] = readable_texts(out[f])
    # A column of classes is as wide as its longest class name (with its probability, where it shows one).
    shown = {c: replace(col, width=fitting_width(out[c], col.label or c, col.width, 200)) if c in CLASS_COLUMNS
             else col for c, col in answer.items() if c in out.columns}
    widths = text_widths(texts, list(shown.values()))
    columns = {**{f: Column(width=widths[f]) for f in texts}, **shown}
    return TableView(out, {**columns, "example_id": Column(width="small", help=ID_HELP)})


def search_hint(texts: Iterable[object], sample: int = 2000) -> str:
    """A word worth searching for in these texts: the most frequent word of five letters or more (common English
    words left out) among the first ``sample`` texts; empty when there is none."""
    counts: Counter[str] = Counter()
    for i, text in enumerate(texts):
        if i >= sample:
            break
        if isinstance(text, str):
            counts.update(w for w in (m.lower() for m in _WORD.findall(readable_text(text))) if w not in _STOPWORDS)
    return counts.most_common(1)[0][0] if counts else ""


def inspector_view(examples: pd.DataFrame, text_fields: Sequence[str]) -> TableView:
    """:func:`~mmtl_core.studio.labeling.function_examples` as the Labeling page shows them: the text, then the
    gold label, the function's vote, the label model's class (and its probability) and the other votes."""
    return examples_view(examples, text_fields, {
        "gold": Column(width=72, help="The gold label (empty where there is none)."),
        "vote": Column(width=72, help="This function's vote."),
        "label model": Column(width=108, help="The label model's class for the row, with its probability."),
        "majority vote": Column(width=108, help="Majority vote's class for the row, with its share of the votes."),
        "others that fired": Column(width=180, help="The other functions that voted on the row, and their votes."),
    })


def bucket_view(examples: pd.DataFrame, text_fields: Sequence[str]) -> TableView:
    """:func:`mmtl_core.slices.bucket_examples` as the Slices page shows them: the text, then gold, predicted and
    the confidence, then the labeling functions and slices that fired."""
    return examples_view(examples, text_fields, {
        "gold": Column(width=72), "predicted": Column(width=80),
        "confidence": Column(width=84, format="%.2f", help="The probability of the predicted class."),
        "labeling_functions": Column(width=160, label="votes", help="The labeling functions that voted, and how."),
        "slices": Column(width=110, help="The slices the row is in."),
    })
