"""Plotly figures the pages draw. Pure functions of core results: no Streamlit here.

Every chart is framed alike (:func:`_frame`): its title in the top margin, its legend in a band of its own between
the title and the plot, so the two never overlap whatever the width. Plotly reads labels as a little HTML
(``<a href>`` makes a link): every name that comes from data (classes, splits, slices, prediction sets, functions)
goes through ``escape_html`` first.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from mmtl_core.markup import escape_html
from mmtl_core.studio.error_cells import Cell

#: One colour per prediction set or class, in order; a set keeps its colour across its bars.
PALETTE = ("#1F77B4", "#E8710A", "#2CA02C", "#9467BD", "#D62728", "#8C564B", "#E377C2", "#17BECF")
UNLABELED_COLOR = "#BBBBBB"
TITLE_PX, LEGEND_LINE_PX = 32, 24


def _legend_lines(names: Sequence[str], width: int) -> int:
    """How many lines a horizontal legend of ``names`` takes in a chart ``width`` pixels wide (an estimate on the
    safe side: 12 px text, a swatch and a gap per entry)."""
    lines, used = 1, 0
    for name in names:
        entry = 48 + 7 * len(name)
        if used and used + entry > width - 20:
            lines, used = lines + 1, 0
        used += entry
    return lines


def _frame(fig: go.Figure, title: str, height: int, *, width: int = 800, top: int = 0,
           order: str = "normal") -> go.Figure:
    """Title at the top of the figure, then a horizontal legend (when a trace shows in one) in a band of its own
    above the plot, as tall as its lines need in a chart about ``width`` pixels wide."""
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    band = LEGEND_LINE_PX * _legend_lines(names, width) if names else 0
    fig.update_layout(
        height=height + band, title=dict(text=title, font=dict(size=14), x=0, xanchor="left", xref="paper",
                                         y=1, yanchor="top", yref="container", pad=dict(t=8)),
        margin=dict(l=10, r=10, b=10, t=TITLE_PX + band + top),
        showlegend=bool(names),
        legend=dict(orientation="h", x=0, xanchor="left", y=1, yanchor="bottom", yref="paper", traceorder=order,
                    font=dict(size=12)))
    return fig


def _names(values) -> list[str]:
    return [escape_html(v) for v in values]


def _tint(color: str, alpha: float) -> str:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r}, {g}, {b}, {alpha})"


def coverage_conflicts(summary: pd.DataFrame) -> go.Figure:
    """Per labeling function: coverage, overlaps and conflicts on the train rows, as grouped horizontal bars."""
    order = summary.sort_values("Coverage").index
    fig = go.Figure()
    for column, color in (("Conflicts", "#E45756"), ("Overlaps", "#72B7B2"), ("Coverage", "#4C78A8")):
        fig.add_bar(y=_names(order), x=summary.loc[order, column], name=column, orientation="h", marker_color=color,
                    hovertemplate="%{y}: %{x:.1%}<extra>" + column + "</extra>")
    fig.update_layout(barmode="group", xaxis_tickformat=".0%")
    return _frame(fig, "Share of train rows each function votes on, overlaps and conflicts",
                  max(260, int(28 * len(order) * 1.6) + 60), order="reversed")


def slice_metric_bars(metrics: pd.DataFrame, metric: str, min_n: int) -> go.Figure:
    """One metric per slice (``slice_metrics``'s long table), a bar per prediction set with its interval as
    whiskers. A slice below ``min_n`` keeps its set's colour as an outline and hatching over a pale fill, so it
    stays visible for every set; empty slices are named on the axis with no bar."""
    rows = metrics[metrics["metric"] == metric]
    fig = go.Figure()
    for i, (name, part) in enumerate(rows.groupby("predictions", sort=False)):
        color = PALETTE[i % len(PALETTE)]
        value = part["value"].astype("float64").to_numpy()
        small = part["below_min_n"].to_numpy(dtype=bool)
        high = part["ci_high"].astype("float64").to_numpy() - value
        low = value - part["ci_low"].astype("float64").to_numpy()
        fig.add_bar(x=_names(part["slice"]), y=value, name=escape_html(name),
                    error_y=dict(type="data", symmetric=False, array=high, arrayminus=low, thickness=1.2,
                                 color="#444444"),
                    marker=dict(color=[_tint(color, 0.3) if s else color for s in small],
                                line=dict(color=color, width=1.5),
                                pattern=dict(shape=["/" if s else "" for s in small], fgcolor=color,
                                             fillmode="overlay", solidity=0.35)),
                    customdata=list(zip(part["n"], part["ci_method"], part["note"])),
                    hovertemplate="%{x}: %{y:.3f} (n=%{customdata[0]}, %{customdata[1]} interval)"
                                  "<extra>" + escape_html(name) + "</extra>")
    fig.update_layout(barmode="group", yaxis=dict(title=metric))
    return _frame(fig, f"{metric} per slice, with 95% intervals (hatched: n < {min_n})", 380)


def confusion_heatmap(table: pd.DataFrame, cells: Sequence[Cell], title: str, chosen: Cell) -> go.Figure:
    """A gold x predicted count table (``confusion_table``) as a heatmap with the counts in the cells. Each cell
    is also a clear bar (trace 1, in ``cells``'s order) that a click selects; the chosen cell is outlined."""
    k_gold, k_pred = table.shape
    counts = table.to_numpy()
    fig = go.Figure(go.Heatmap(z=counts, x=list(range(k_pred)), y=list(range(k_gold)), text=counts,
                               texttemplate="%{text}", textfont=dict(size=14), colorscale="Blues", showscale=False,
                               hoverinfo="skip"))
    gold = [str(g) for g in table.index]
    pred = [str(p) for p in table.columns]
    fig.add_bar(x=[pred.index(c.predicted) for c in cells], y=[1.0] * len(cells),
                base=[gold.index(c.gold) - 0.5 for c in cells], width=1.0, marker=dict(color="rgba(0,0,0,0)"),
                selected=dict(marker=dict(opacity=1.0)), unselected=dict(marker=dict(opacity=1.0)),
                customdata=[[escape_html(c.gold), escape_html(c.predicted), c.count] for c in cells],
                showlegend=False,
                hovertemplate="gold %{customdata[0]}, predicted %{customdata[1]}: %{customdata[2]} "
                              "(click for the examples)<extra></extra>")
    x, y = pred.index(chosen.predicted), gold.index(chosen.gold)
    fig.add_shape(type="rect", x0=x - 0.48, x1=x + 0.48, y0=y - 0.46, y1=y + 0.46,
                  line=dict(color="#E8710A", width=3))
    fig.update_layout(
        xaxis=dict(title="predicted", side="top", tickvals=list(range(k_pred)), ticktext=_names(pred),
                   showgrid=False, range=[-0.5, k_pred - 0.5], fixedrange=True),
        yaxis=dict(title="gold", tickvals=list(range(k_gold)), ticktext=_names(gold), autorange="reversed",
                   showgrid=False, fixedrange=True),
        clickmode="event+select", dragmode=False, bargap=0)
    return _frame(fig, escape_html(title), 110 + 56 * k_gold, top=40)


def label_balance(counts: pd.DataFrame, title: str, classes: Sequence[str]) -> go.Figure:
    """Rows per class in each split (``mmtl_core.browse.label_counts``), as stacked bars; each class keeps its
    colour (by its place in ``classes``) whichever rows are counted, unlabeled rows grey."""
    fig = go.Figure()
    for label in dict.fromkeys(counts["label"]):
        part = counts[counts["label"] == label]
        i = list(classes).index(label) if label in classes else len(classes)
        color = UNLABELED_COLOR if label == "unlabeled" else PALETTE[i % len(PALETTE)]
        fig.add_bar(x=_names(part["split"]), y=part["rows"].tolist(), name=escape_html(label), marker_color=color,
                    hovertemplate="%{x}: %{y:,} rows<extra>" + escape_html(label) + "</extra>")
    fig.update_layout(barmode="stack")
    return _frame(fig, escape_html(title), 260)


def training_loss(loss: pd.DataFrame) -> go.Figure:
    """A run's training loss by step (``training_view.loss_curve``), one line per stage."""
    fig = go.Figure()
    for stage, part in loss.groupby("stage", sort=True):
        fig.add_scatter(x=part["step"], y=part["loss"], mode="lines", name=f"stage {stage}",
                        hovertemplate="step %{x}: loss %{y:.4f}<extra>stage " + str(stage) + "</extra>")
    fig.update_layout(xaxis=dict(title="step"), yaxis=dict(title="loss"))
    return _frame(fig, "Training loss", 300, width=420)


def dev_metric_curves(metrics: pd.DataFrame) -> go.Figure:
    """A run's dev metrics at each evaluation (``training_view.metric_curves``), one line per metric key."""
    fig = go.Figure()
    for key, part in metrics.groupby("metric", sort=True):
        fig.add_scatter(x=part["step"], y=part["value"], mode="lines+markers", name=escape_html(key),
                        customdata=part[["stage", "epoch"]].to_numpy(),
                        hovertemplate="step %{x} (stage %{customdata[0]}, epoch %{customdata[1]:.2f}): %{y:.4f}"
                                      "<extra>" + escape_html(key) + "</extra>")
    fig.update_layout(xaxis=dict(title="step"))
    return _frame(fig, "Dev metrics", 300, width=420)


def differences_from_baseline(table: pd.DataFrame, axis: str, title: str, series: str = "run") -> go.Figure:
    """Differences from the baseline (``compare.heads.head_table`` or ``per_slice.slice_table`` rows with a
    difference), one row of the chart per ``axis`` value (run, head or slice) and one series per ``series`` value
    (a few traces draw fast even for many runs), each with its paired interval as whiskers; a gain or a regression
    is drawn solid, a difference not shown to be real hollow. Zero is the baseline."""
    rows = table[table["diff"].notna()]
    fig = go.Figure()
    for name, part in rows.groupby(series, sort=False):
        diff = part["diff"].astype("float64").to_numpy()
        flagged = part["verdict"].isin(["gain", "regression"]).to_numpy()
        fig.add_scatter(
            x=diff, y=_names(part[axis]), mode="markers", name=escape_html(name),
            error_x=dict(type="data", symmetric=False, thickness=1.2,
                         array=part["diff_high"].astype("float64").to_numpy() - diff,
                         arrayminus=diff - part["diff_low"].astype("float64").to_numpy()),
            marker=dict(size=10, symbol=["circle" if f else "circle-open" for f in flagged]),
            customdata=list(zip(part["n"], part["q_value"].astype("float64"), part["verdict"])),
            hovertemplate="%{y}: %{x:+.3f} (n=%{customdata[0]}, q=%{customdata[1]:.3f}) %{customdata[2]}"
                          "<extra>" + escape_html(name) + "</extra>")
    fig.add_vline(x=0, line=dict(color="#888", width=1, dash="dot"))
    fig.update_layout(height=max(260, 34 * rows[axis].nunique() + 120), margin=dict(l=10, r=10, t=40, b=10),
                      xaxis=dict(title="difference from the baseline", zeroline=False), yaxis=dict(autorange="reversed"),
                      legend=dict(orientation="h", y=-0.2), title=dict(text=escape_html(title), font=dict(size=13)))
    return fig
