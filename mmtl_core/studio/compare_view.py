"""What the Compare page shows of its service's results, as text tables: every number is written by
:mod:`mmtl_core.studio.display` (so a metric reads the same on every page) and comes from :mod:`mmtl_core.compare`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from mmtl_core.compare.catalog import RunEntry
from mmtl_core.compare.correction import GAIN, REGRESSION
from mmtl_core.compare.headline import Headline
from mmtl_core.studio.compare import RunsOverview
from mmtl_core.studio.display import interval_text, metric_text
from mmtl_core.train.naming import encoder_label, labels_label

# The answer (the dev headline) right after the name, so it is in view on a laptop screen.
RUN_COLUMNS = ("name", "state", "dev", "tasks", "mode", "encoder", "labels", "settings", "parent", "created", "id")
VERDICTS = {GAIN: "▲ gain", REGRESSION: "▼ regression"}


def runs_table(overview: RunsOverview, entries: Sequence[RunEntry]) -> pd.DataFrame:
    """One row per run of ``entries`` (a filtered part of ``overview``), as the runs table shows it."""
    names = {e.id: e.name for e in overview.entries}
    rows = []
    for e in entries:
        s = e.settings
        rows.append({
            "name": e.name, "state": e.state,
            "tasks": " + ".join(t.task if t.dataset in (t.task, "") else f"{t.task} ({t.dataset})" for t in e.tasks),
            "mode": "ensemble" if e.is_ensemble else str(s.get("mode", "")),
            "encoder": "" if e.is_ensemble else encoder_label(str(s.get("encoder", ""))),
            "labels": f"{len(e.ensemble['runs'])} runs" if e.ensemble else ", ".join(
                labels_label(t.labels) for t in e.tasks if t.labels),
            "dev": headline_text(overview.headlines.get(e.id, []), len(e.tasks) > 1) or overview.problems.get(e.id,
                                                                                                               ""),
            "settings": settings_text(e),
            "parent": names.get(e.parent_id, f"{e.parent_id} (deleted)") if e.parent_id else "",
            "created": dt.datetime.fromtimestamp(e.created).strftime("%Y-%m-%d %H:%M"), "id": e.id})
    return pd.DataFrame(rows, columns=list(RUN_COLUMNS))


def headline_text(headlines: Sequence[Headline], with_task: bool) -> str:
    """``accuracy 0.842 [0.800, 0.877] n=120``; several tasks: each prefixed by its name."""
    return " · ".join((f"{h.task} " if with_task else "") + f"{h.metric} {metric_text(h.value, h.n)} "
                      f"{interval_text(h.low, h.high)} n={h.n}".replace("  ", " ") for h in headlines)


def settings_text(entry: RunEntry) -> str:
    """The settings that tell runs apart at a glance: ``3 ep · lr 0.001 · batch 32 · seed 0 · slices: a, b``."""
    if entry.ensemble:
        return "weights " + ", ".join(f"{w:.2f}" for w in entry.ensemble.get("weights", []))
    s = entry.settings
    parts = [f"{s['epochs']:g} ep" if "epochs" in s else "",
             f"+ {s['stage2_epochs']:g} per task" if s.get("stage2_epochs") else "",
             f"lr {s['lr']:g}" if s.get("lr") else "", f"batch {s['batch_size']}" if "batch_size" in s else "",
             f"seed {s['seed']}" if "seed" in s else "", "combiner" if s.get("slice_combiner") else ""]
    slices = sorted({name for t in entry.tasks for name in t.slices})
    if slices:
        parts.append("slices: " + ", ".join(slices))
    return " · ".join(p for p in parts if p)


def signed(value: object) -> str:
    """A difference with its sign: ``+0.052``, ``-0.031``, ``0.000``."""
    return "" if value is None or pd.isna(value) else f"{float(value):+.3f}".replace("+0.000", "0.000")  # type: ignore[arg-type]


def signed_interval(low: object, high: object) -> str:
    if low is None or high is None or pd.isna(low) or pd.isna(high):  # type: ignore[arg-type]
        return ""
    return f"[{signed(low)}, {signed(high)}]"


def p_text(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[arg-type]
        return ""
    return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"  # type: ignore[arg-type]


def compared_rows(table: pd.DataFrame) -> pd.DataFrame:
    """Rows of a head or slice table as text: value with interval and n, difference from the baseline with its
    paired interval, corrected p-value (q) and the verdict (or the note: baseline, empty, ...)."""
    out = pd.DataFrame({
        "run": table["run"], "n": table["n"].astype(int), "metric": table["metric"],
        "value": [metric_text(v, int(n)) for v, n in zip(table["value"], table["n"])],
        "interval": [interval_text(lo, hi) for lo, hi in zip(table["ci_low"], table["ci_high"])],
        "vs baseline": [signed(d) for d in table["diff"]],
        "paired interval": [signed_interval(lo, hi) for lo, hi in zip(table["diff_low"], table["diff_high"])],
        "q": [p_text(q) for q in table["q_value"]],
        "verdict": [VERDICTS.get(v) or (note if isinstance(note, str) else "")
                    for v, note in zip(table["verdict"], table["note"])],
    })
    for column in ("head", "slice"):
        if column in table.columns:
            out.insert(1, column, table[column].to_numpy())
    # The answer (the difference, its interval, the verdict) before the details, in view on a laptop screen.
    first = [c for c in ("run", "head", "slice", "metric", "value", "vs baseline", "paired interval", "verdict")
             if c in out.columns]
    return out[first + [c for c in out.columns if c not in first]].reset_index(drop=True)


def head_rows(heads: pd.DataFrame) -> pd.DataFrame:
    """The head-by-head table: run, head, n, metric, value, interval, vs baseline, paired interval, q, verdict."""
    return compared_rows(heads).drop(columns=["slice"])


def slice_matrix(slices: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Slices (rows, ``overall`` first) x runs: the baseline's value and n, then each candidate's difference from
    it, marked where it is a gain or a regression."""
    rows = slices[slices["metric"] == metric]
    runs = list(dict.fromkeys(rows["run"]))
    if not runs:
        return pd.DataFrame()
    base = rows[rows["run"] == runs[0]].set_index("slice")
    out = pd.DataFrame({"slice": base.index, "n": base["n"].astype(int).to_numpy(),
                        f"baseline {metric}": [metric_text(v, int(n)) for v, n in zip(base["value"], base["n"])]})
    others = rows[rows["run"] != runs[0]]
    marks = {GAIN: " ▲", REGRESSION: " ▼"}
    cells = {(r, sl): (signed(d) + marks.get(v, "")).strip()
             for r, sl, d, v in zip(others["run"], others["slice"], others["diff"], others["verdict"])}
    for run in runs[1:]:
        out[run] = [cells.get((run, sl), "") for sl in base.index]
    return out


def ranked_rows(rows: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    """A candidate's slices ranked (compare.per_slice.ranked) beside the baseline's value on each."""
    out = compared_rows(rows).drop(columns=["run"])
    base = baseline.set_index("slice")["value"].reindex(rows["slice"])
    out.insert(2, "baseline", [metric_text(v, int(n)) for v, n in zip(base, rows["n"])])
    return out
