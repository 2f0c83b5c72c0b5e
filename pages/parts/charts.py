"""Plotly figures the pages draw. Pure functions of core results: no Streamlit here.

Plotly reads labels as a little HTML (``<a href>`` makes a link): every name that comes from data (classes, splits,
slices, prediction sets, functions) goes through ``escape_html`` first.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from mmtl_core.markup import escape_html


def _names(values) -> list[str]:
    return [escape_html(v) for v in values]


def coverage_conflicts(summary: pd.DataFrame) -> go.Figure:
    """Per labeling function: coverage, overlaps and conflicts on the train rows, as grouped horizontal bars."""
    order = summary.sort_values("Coverage").index
    fig = go.Figure()
    for column, color in (("Coverage", "#4C78A8"), ("Overlaps", "#72B7B2"), ("Conflicts", "#E45756")):
        fig.add_bar(y=_names(order), x=summary.loc[order, column], name=column, orientation="h", marker_color=color,
                    hovertemplate="%{y}: %{x:.1%}<extra>" + column + "</extra>")
    fig.update_layout(barmode="group", height=max(260, 28 * len(order) * 1.6 + 80), xaxis_tickformat=".0%",
                      margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.08),
                      title=dict(text="Share of train rows", font=dict(size=13)))
    return fig


def slice_metric_bars(metrics: pd.DataFrame, metric: str, min_n: int) -> go.Figure:
    """One metric per slice (``slice_metrics``'s long table), a bar per prediction set with its interval as
    whiskers; slices below ``min_n`` are hatched and lighter, and empty slices are named on the axis with no bar."""
    rows = metrics[metrics["metric"] == metric]
    fig = go.Figure()
    for name, part in rows.groupby("predictions", sort=False):
        value = part["value"].astype("float64").to_numpy()
        small = part["below_min_n"].to_numpy(dtype=bool)
        high = part["ci_high"].astype("float64").to_numpy() - value
        low = value - part["ci_low"].astype("float64").to_numpy()
        fig.add_bar(x=_names(part["slice"]), y=value, name=escape_html(name),
                    error_y=dict(type="data", symmetric=False, array=high, arrayminus=low, thickness=1.2),
                    marker=dict(opacity=[0.45 if s else 1.0 for s in small],
                                pattern=dict(shape=["/" if s else "" for s in small])),
                    customdata=list(zip(part["n"], part["ci_method"], part["note"])),
                    hovertemplate="%{x}: %{y:.3f} (n=%{customdata[0]}, %{customdata[1]} interval)"
                                  "<extra>" + escape_html(name) + "</extra>")
    fig.update_layout(barmode="group", height=380, yaxis=dict(title=metric),
                      margin=dict(l=10, r=10, t=40, b=10), legend=dict(orientation="h", y=1.12),
                      title=dict(text=f"{metric} per slice; hatched, lighter bars: n < {min_n}", font=dict(size=13)))
    return fig


def confusion_heatmap(table: pd.DataFrame, title: str) -> go.Figure:
    """A gold x predicted count table (``confusion_table``) as a heatmap with the counts written in the cells."""
    counts = table.to_numpy()
    fig = go.Figure(go.Heatmap(z=counts, x=_names(table.columns), y=_names(table.index),
                               text=counts, texttemplate="%{text}", colorscale="Blues", showscale=False,
                               hovertemplate="gold %{y}, predicted %{x}: %{z}<extra></extra>"))
    fig.update_layout(height=120 + 50 * len(table), margin=dict(l=10, r=10, t=40, b=10),
                      xaxis=dict(title="predicted", side="top"), yaxis=dict(title="gold", autorange="reversed"),
                      title=dict(text=escape_html(title), font=dict(size=13)))
    return fig


def label_balance(counts: pd.DataFrame) -> go.Figure:
    """Rows per class in each split (``mmtl_core.browse.label_counts``), as stacked bars."""
    fig = go.Figure()
    for label, part in counts.groupby("label", sort=False):
        fig.add_bar(x=_names(part["split"]), y=part["rows"], name=escape_html(label),
                    hovertemplate="%{x}: %{y:,} rows<extra>" + escape_html(label) + "</extra>")
    fig.update_layout(barmode="stack", height=260, margin=dict(l=10, r=10, t=30, b=10),
                      legend=dict(orientation="h", y=1.15), title=dict(text="Rows per class", font=dict(size=13)))
    return fig


def training_loss(loss: pd.DataFrame) -> go.Figure:
    """A run's training loss by step (``training_view.loss_curve``), one line per stage."""
    fig = go.Figure()
    for stage, part in loss.groupby("stage", sort=True):
        fig.add_scatter(x=part["step"], y=part["loss"], mode="lines", name=f"stage {stage}",
                        hovertemplate="step %{x}: loss %{y:.4f}<extra>stage " + str(stage) + "</extra>")
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=40, b=10), xaxis=dict(title="step"),
                      yaxis=dict(title="loss"), legend=dict(orientation="h", y=1.12),
                      title=dict(text="Training loss", font=dict(size=13)))
    return fig


def dev_metric_curves(metrics: pd.DataFrame) -> go.Figure:
    """A run's dev metrics at each evaluation (``training_view.metric_curves``), one line per metric key."""
    fig = go.Figure()
    for key, part in metrics.groupby("metric", sort=True):
        fig.add_scatter(x=part["step"], y=part["value"], mode="lines+markers", name=str(key),
                        customdata=part[["stage", "epoch"]].to_numpy(),
                        hovertemplate="step %{x} (stage %{customdata[0]}, epoch %{customdata[1]:.2f}): %{y:.4f}"
                                      "<extra>" + str(key) + "</extra>")
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=40, b=10), xaxis=dict(title="step"),
                      legend=dict(orientation="h", y=-0.25), title=dict(text="Dev metrics", font=dict(size=13)))
    return fig


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
