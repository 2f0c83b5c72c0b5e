"""How the pages write numbers: every metric, interval and share goes through the functions here, so one value
reads the same on every page (an undefined metric is "undefined" everywhere, never 0.000, NaN or None), and the
tables of numbers the pages draw, shaped to be read at a glance (one row per function, model measure or slice).

Analysis results stay numeric in the core (:mod:`mmtl_core.weak`, :mod:`mmtl_core.slices`); these turn them into
the tables a page draws, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from mmtl_core.slices.slice_metrics import EMPTY_NOTE
from mmtl_core.studio.display_rows import polarity_text
from mmtl_core.studio.slicing import ALPHA, significant
from mmtl_core.studio.table_view import Column, TableView
from mmtl_core.weak.scoring import COUNT_COLUMNS, covered_column

UNDEFINED = "undefined"
EMPTY = EMPTY_NOTE
#: The mark of a significant difference in a comparison table.
SIGNIFICANT = "★"

SUMMARY_COLUMNS = {
    "Polarity": Column(width=80, help="The classes the function votes, on the train rows."),
    "Coverage": Column(width=80, format="percent", help="Share of train rows it votes on."),
    "Overlaps": Column(width=76, format="percent", help="Share of train rows it votes on where another function "
                                                        "votes too."),
    "Conflicts": Column(width=76, format="percent", help="Share of train rows it votes on where two functions "
                                                         "disagree."),
    "Correct": Column(width=64, help="Its votes on dev rows that match the gold label."),
    "Incorrect": Column(width=72, help="Its votes on dev rows against the gold label."),
    "Emp. Acc.": Column(width=76, format="percent", help="Correct / (Correct + Incorrect) on dev; empty when it "
                                                         "never votes there."),
    "Dev coverage": Column(width=74, format="percent", label="Dev cov.", help="Share of dev rows it votes on."),
    "Learned Weight": Column(width=66, format="%.2f", label="Weight", help="The label model's estimate of the "
                             "function's accuracy, learned from the train rows without gold labels."),
    "j": Column(width=36, help="The function's column in the label matrix."),
}


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # type: ignore[arg-type]


def metric_text(value: object, n: int | None = None) -> str:
    """``0.933``; ``empty`` with no scored example (n = 0); ``undefined`` where the metric has no value (F1 of a
    slice with no positive example)."""
    if n == 0:
        return EMPTY
    return UNDEFINED if _missing(value) else f"{float(value):.3f}"  # type: ignore[arg-type]


def interval_text(low: object, high: object) -> str:
    """``[0.870, 0.971]``, or nothing where there is no interval (an empty slice, an undefined metric)."""
    return "" if _missing(low) or _missing(high) else f"[{float(low):.3f}, {float(high):.3f}]"  # type: ignore[arg-type]


def share_text(value: object) -> str:
    """A fraction of rows as a percentage (``94.2%``)."""
    return "" if _missing(value) else f"{float(value):.1%}"  # type: ignore[arg-type]


def p_text(value: object) -> str:
    return "" if _missing(value) else f"{float(value):.3f}"  # type: ignore[arg-type]


def summary_view(summary: pd.DataFrame, label_names: Sequence[str], highlight: Sequence[str] = ()) -> TableView:
    """The labeling functions' summary (:func:`~mmtl_core.weak.function_summary`), one row per function: polarity
    by class name, the label matrix column ``j`` last, ``highlight`` (function names) standing out."""
    out = summary.copy()
    out["Polarity"] = [polarity_text(p, label_names) for p in summary["Polarity"]]
    columns = {c: col for c, col in SUMMARY_COLUMNS.items() if c in out.columns}
    return TableView(out, columns, index=True, highlight=tuple(h for h in highlight if h in out.index))


def weak_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`~mmtl_core.weak.score_weak_predictions`'s table as text, one row per model (the headless report)."""
    out = pd.DataFrame(index=comparison.index)
    out["n"] = comparison["n"].astype(int)
    out["covered"] = comparison["covered"].astype(int)
    out["Coverage"] = [share_text(v) for v in comparison["Coverage"]]
    for column in comparison.columns:
        if column not in COUNT_COLUMNS:
            n = comparison["covered"] if column.endswith("(covered)") else comparison["n"]
            out[column] = [metric_text(v, int(k)) for v, k in zip(comparison[column], n)]
    return out


def weak_comparison_view(comparison: pd.DataFrame, metrics: Sequence[str]) -> TableView:
    """The same figures as both function pages show them, one column per model (a narrow table): per metric its
    value on every row with a gold label and on the covered rows, then the rows counted."""
    text = weak_comparison_table(comparison)
    rows = {}
    for m in metrics:
        rows[m] = text[m]
        rows[covered_column(m)] = text[covered_column(m)]
    rows["rows with gold"] = text["n"].astype(str)
    rows["covered rows"] = text["covered"].astype(str)
    rows["coverage"] = text["Coverage"]
    out = pd.DataFrame(rows).T
    out.index.name = "measure"
    out.columns.name = None
    model_help = {"Majority vote": "The most-voted class of each row.",
                  "Label model": "Snorkel's label model: the most probable class given the votes."}
    return TableView(out, {c: Column(width=96, help=model_help.get(str(c))) for c in out.columns}, index=True,
                     index_width=136)


def _set_columns(name: str, metric: str, methods: Sequence[str]) -> dict[str, Column]:
    return {name: Column(width=90, help=f"{metric} of {name} on the slice's rows with a gold label."),
            f"{name} · 95% CI": Column(width=128, help=f"95% interval ({', '.join(methods)}); none for an empty "
                                                         "slice or an undefined metric.")}


def slice_rows(metrics: pd.DataFrame, metric: str, highlight: Sequence[str] = ()) -> TableView:
    """:func:`mmtl_core.slices.slice_metrics`'s long table for one metric, one row per slice: its n, a flag when n
    is below the minimum, then each prediction set's value and interval side by side."""
    rows = metrics[metrics["metric"] == metric]
    slices = list(dict.fromkeys(rows["slice"]))
    first = rows.drop_duplicates("slice").set_index("slice").loc[slices]
    out = pd.DataFrame({"slice": slices, "n": first["n"].astype(int).to_numpy(),
                        "small": np.where(first["below_min_n"].to_numpy(dtype=bool), "few rows", "")})
    columns: dict[str, Column] = {
        "slice": Column(width=170), "n": Column(width=52, help="The slice's rows with a gold label."),
        "small": Column(width=78, label="flag", help="Fewer rows than the sidebar's minimum n: a wide interval.")}
    for name, part in rows.groupby("predictions", sort=False):
        part = part.set_index("slice").loc[slices]
        if (part["n"].astype(int).to_numpy() != out["n"].to_numpy()).any():
            raise ValueError(f"prediction set {name!r} scores other rows than the first set")
        out[str(name)] = [metric_text(v, int(n)) for v, n in zip(part["value"], part["n"])]
        out[f"{name} · 95% CI"] = [interval_text(lo, hi) for lo, hi in zip(part["ci_low"], part["ci_high"])]
        columns |= _set_columns(str(name), metric, sorted(set(part["ci_method"])))
    out.index = pd.Index(slices)  # unnamed: the table hides it, and highlight names rows by it
    return TableView(out, columns, highlight=tuple(h for h in highlight if h in slices))


def comparison_rows(comparison: pd.DataFrame, metric: str, alpha: float = ALPHA) -> TableView:
    """:func:`mmtl_core.slices.compare_table` for one metric, one row per slice: a mark where the difference is
    significant (p < ``alpha``), n, A's and B's values, B - A with its interval, and p."""
    rows = comparison[comparison["metric"] == metric].reset_index(drop=True)
    out = pd.DataFrame({
        "significant": np.where(significant(rows["p_value"], alpha), SIGNIFICANT, ""), "slice": rows["slice"],
        "n": rows["n"].astype(int),
        "A": [metric_text(v, int(n)) for v, n in zip(rows["metric_a"], rows["n"])],
        "B": [metric_text(v, int(n)) for v, n in zip(rows["metric_b"], rows["n"])],
        "B - A": [metric_text(v, int(n)) for v, n in zip(rows["diff"], rows["n"])],
        "95% CI of B - A": [interval_text(lo, hi) for lo, hi in zip(rows["ci_low"], rows["ci_high"])],
        "p": [p_text(v) for v in rows["p_value"]]})
    a, b = (str(rows[c].iloc[0]) if len(rows) else c for c in ("name_a", "name_b"))
    tests = ", ".join(dict.fromkeys(rows["test"])) or "none"
    columns = {
        "significant": Column(width=44, label="sig.", help=f"{SIGNIFICANT}: p < {alpha}, not corrected for the "
                                                           "number of slices."),
        "slice": Column(width=170), "n": Column(width=52, help="The slice's rows with a gold label."),
        "A": Column(width=72, help=f"{metric} of {a}"), "B": Column(width=72, help=f"{metric} of {b}"),
        "B - A": Column(width=72, help="Positive: B is better."),
        "95% CI of B - A": Column(width=140, help="Paired percentile bootstrap over the slice's rows."),
        "p": Column(width=60, help=f"Two-sided p-value ({tests})."),
    }
    return TableView(out, columns)


def datasets_view(overview: pd.DataFrame) -> TableView:
    """:func:`mmtl_core.browse.describe_datasets`'s table: name and sizes first, the fingerprint last and narrow."""
    columns = {"dataset": Column(width=150), "rows": Column(width=70), "train": Column(width=64),
               "dev": Column(width=56), "test": Column(width=56), "columns": Column(width=230),
               "precomputed LFs": Column(width=56, label="LFs", help="Precomputed labeling function columns "
                                                                     "(WRENCH's weak labels)."),
               "source": Column(width=220), "fingerprint": Column(width="small", help="A hash of the loaded "
                                                                                       "content.")}
    return TableView(overview, {c: col for c, col in columns.items() if c in overview.columns})
