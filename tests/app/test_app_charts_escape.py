"""Names from data in charts are text: a class named like an HTML link is not a link."""

from __future__ import annotations

import pandas as pd

from mmtl_core.studio.error_cells import cells_of
from pages.parts import charts

LINK = "<a href='http://x'>ham</a>"
ESCAPED = "&lt;a href=&#x27;http://x&#x27;&gt;ham&lt;/a&gt;"


def test_chart_labels_from_data_are_escaped():
    table = pd.DataFrame([[3, 1], [0, 2]], index=pd.Index([LINK, "spam"], name="gold"),
                         columns=pd.Index([LINK, "spam"], name="predicted"))
    cells = cells_of(table)
    figure = charts.confusion_heatmap(table, cells, "<b>set</b> on <i>slice</i>", cells[1])
    labels = [*figure.layout.xaxis.ticktext, *figure.layout.yaxis.ticktext, figure.layout.title.text,
              *(str(v) for row in figure.data[1].customdata for v in row)]
    assert not any("<a" in label or "<b>" in label for label in labels)
    assert ESCAPED in figure.layout.xaxis.ticktext
    counts = pd.DataFrame({"split": ["train", "dev"], "label": [LINK, "0"], "rows": [5, 6]})
    balance = charts.label_balance(counts, "Rows per class", [LINK, "0"])
    assert all("<a" not in bar.name and "<a" not in bar.hovertemplate for bar in balance.data)
    assert ESCAPED in [bar.name for bar in balance.data]


def test_slice_and_function_names_in_bars_are_escaped():
    metrics = pd.DataFrame({"slice": [LINK], "predictions": ["<b>B</b>"], "metric": ["accuracy"], "value": [0.5],
                            "ci_low": [0.4], "ci_high": [0.6], "n": [40], "below_min_n": [False],
                            "ci_method": ["wilson"], "note": [""]})
    bars = charts.slice_metric_bars(metrics, "accuracy", 30)
    assert [ESCAPED] == list(bars.data[0].x) and bars.data[0].name == "&lt;b&gt;B&lt;/b&gt;"
    summary = pd.DataFrame({"Coverage": [0.5], "Overlaps": [0.1], "Conflicts": [0.0]}, index=[LINK])
    assert all(list(bar.y) == [ESCAPED] for bar in charts.coverage_conflicts(summary).data)
