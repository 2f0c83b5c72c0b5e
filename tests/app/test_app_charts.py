"""The pages' charts read at a glance: the title and the legend each have their own band (they never overlap), a
small slice's bars stay visible for every prediction set, and each heatmap cell is a clickable mark naming it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from mmtl_core.slices import PredictionSet, SplitSlices, slice_metrics
from mmtl_core.studio.error_cells import CELL_TRACE, cells_of, chosen_cell, clicked_cell
from mmtl_core.tasks import GLUE_TASKS
from pages.parts import charts


def _metrics(sets: int = 2) -> pd.DataFrame:
    gold = np.array([0, 1] * 20)
    ids = np.array([f"d:{i}" for i in range(40)])
    frame = pd.DataFrame({"example_id": ids, "split": "dev", "sentence1": "a", "sentence2": "b", "label": gold})
    data = SplitSlices(GLUE_TASKS["MRPC"], frame, (np.arange(40) < 6)[:, None], ("tiny",))
    rng = np.random.default_rng(1)
    return slice_metrics(data, [PredictionSet.from_probs(f"run {i}", ids, rng.dirichlet([1, 1], 40))
                                for i in range(sets)], min_n=30)


def _assert_title_and_legend_apart(fig) -> None:
    layout = fig.layout
    assert layout.title.yref == "container" and layout.title.y == 1 and layout.title.yanchor == "top"
    if not layout.showlegend:
        return
    assert (layout.legend.yref, layout.legend.y, layout.legend.yanchor) == ("paper", 1, "bottom")
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    band = charts.LEGEND_LINE_PX * charts._legend_lines(names, 800)
    assert layout.margin.t >= charts.TITLE_PX + band  # the legend sits in its band, under the title's


def test_every_chart_keeps_its_legend_out_of_its_title():
    metrics = _metrics(3)
    counts = pd.DataFrame({"split": ["train", "train", "test"], "label": ["ham", "spam", "unlabeled"],
                           "rows": [5, 4, 9]})
    summary = pd.DataFrame({"Coverage": [0.2, 0.1], "Overlaps": [0.1, 0.05], "Conflicts": [0.01, 0.0]},
                           index=["a", "b"])
    loss = pd.DataFrame({"stage": [1, 1], "step": [1, 2], "loss": [0.7, 0.5]})
    curves = pd.DataFrame({"stage": [1, 1], "step": [1, 2], "epoch": [0.5, 1.0], "metric": ["t/d/dev/accuracy"] * 2,
                           "value": [0.6, 0.7]})
    table = pd.DataFrame([[5, 1], [3, 4]], index=pd.Index(["ham", "spam"], name="gold"),
                         columns=pd.Index(["ham", "spam"], name="predicted"))
    for fig in (charts.slice_metric_bars(metrics, "accuracy", 30), charts.label_balance(counts, "t", ("ham", "spam")),
                charts.coverage_conflicts(summary), charts.training_loss(loss), charts.dev_metric_curves(curves),
                charts.confusion_heatmap(table, cells_of(table), "t", chosen_cell(table))):
        _assert_title_and_legend_apart(fig)


def test_a_long_legend_gets_a_taller_band():
    short = charts._legend_lines(["Label model", "Majority vote"], 800)
    long = charts._legend_lines([f"run youtube_spam (label model) · frozen · seed {i}" for i in range(4)], 800)
    assert short == 1 and long == 2  # two 384-pixel entries to a line


def test_small_slice_bars_stay_visible_for_every_prediction_set():
    fig = charts.slice_metric_bars(_metrics(2), "accuracy", 30)
    colors = set()
    for trace in fig.data:
        small = [i for i, shape in enumerate(trace.marker.pattern.shape) if shape]
        assert small, "the 6-row slice is below min n"
        color = trace.marker.line.color
        colors.add(color)
        assert trace.marker.line.width >= 1.5 and trace.marker.pattern.fgcolor == color  # outlined in its colour
        assert trace.marker.opacity is None  # not faded: a pale fill under the set's own hatching
        assert all(trace.marker.color[i].startswith("rgba(") for i in small)
    assert len(colors) == 2  # each set keeps a colour of its own


def test_each_heatmap_cell_is_a_clickable_mark_in_cell_order():
    table = pd.DataFrame([[62, 5, 1], [4, 49, 0]], index=pd.Index(["ham", "spam"], name="gold"),
                         columns=pd.Index(["ham", "spam", "abstained"], name="predicted"))
    cells = cells_of(table)
    fig = charts.confusion_heatmap(table, cells, "Label model on overall", chosen_cell(table))
    marks = fig.data[CELL_TRACE]
    assert fig.layout.clickmode == "event+select" and len(marks.x) == len(cells)
    for i, cell in enumerate(cells):
        assert list(fig.layout.xaxis.ticktext)[marks.x[i]] == cell.predicted
        assert list(fig.layout.yaxis.ticktext)[int(marks.base[i] + 0.5)] == cell.gold
        point = {"curve_number": CELL_TRACE, "point_index": i}
        assert clicked_cell([point], cells) == cell  # what a click there reports names this very cell
    outline = fig.layout.shapes[0]
    assert (outline.x0 + outline.x1) / 2 == 1 and (outline.y0 + outline.y1) / 2 == 0  # ham -> spam, the chosen one
