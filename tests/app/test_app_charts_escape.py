"""Names from data in charts are text: a class named like an HTML link is not a link."""

from __future__ import annotations

import pandas as pd

from pages.parts import charts


def test_chart_labels_from_data_are_escaped():
    table = pd.DataFrame([[3, 1], [0, 2]], index=pd.Index(["<a href='http://x'>ham</a>", "spam"], name="gold"),
                         columns=pd.Index(["<a href='http://x'>ham</a>", "spam"], name="predicted"))
    figure = charts.confusion_heatmap(table, "<b>set</b> on <i>slice</i>")
    labels = [*figure.data[0].x, *figure.data[0].y, figure.layout.title.text]
    assert not any("<a" in label or "<b>" in label for label in labels)
    assert "&lt;a href=&#x27;http://x&#x27;&gt;ham&lt;/a&gt;" in figure.data[0].x
    counts = pd.DataFrame({"split": ["train", "dev"], "label": ["<a href='x'>1</a>", "0"], "rows": [5, 6]})
    assert all("<a" not in bar.name for bar in charts.label_balance(counts).data)
