"""Looking at data: an overview of loaded datasets and a filtered, searchable view of one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import pandas as pd

from mmtl_core.data.dataset import SPLITS, Dataset


def describe_datasets(datasets: Iterable[Dataset]) -> pd.DataFrame:
    """One row per dataset: its size per split, its columns and its fingerprint."""
    rows = []
    for ds in datasets:
        counts = ds.frame["split"].value_counts()
        rows.append({"dataset": ds.name, "rows": len(ds),
                     **{s: int(counts.get(s, 0)) for s in SPLITS},
                     "columns": ", ".join(c for c in ds.frame.columns if c not in ("example_id", "split")),
                     "precomputed LFs": 0 if ds.weak_labels is None else ds.weak_labels.shape[1],
                     "fingerprint": ds.fingerprint, "source": ds.source})
    return pd.DataFrame(rows, columns=["dataset", "rows", *SPLITS, "columns", "precomputed LFs", "fingerprint",
                                       "source"])


def text_columns(dataset: Dataset) -> list[str]:
    """Columns holding text (object/string dtype), apart from the id and split."""
    frame = dataset.frame
    return [c for c in frame.columns if c not in ("example_id", "split")
            and (pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object)]


def matching(dataset: Dataset, *, splits: Sequence[str] = (), query: str = "", labels: Sequence[object] = (),
             label_field: str = "label") -> pd.Series:
    """Which rows match every filter given (an empty filter matches all), as a boolean mask over the dataset's rows.

    ``query`` is a case-insensitive substring looked for in every text column. The Data page's table and its class
    balance chart both follow this mask.
    """
    frame = dataset.frame
    mask = pd.Series(True, index=frame.index)
    if splits:
        mask &= frame["split"].isin(list(splits))
    if labels and label_field in frame.columns:
        mask &= frame[label_field].isin(list(labels))
    if query:
        hit = pd.Series(False, index=frame.index)
        for col in text_columns(dataset):
            hit |= frame[col].astype(str).str.contains(query, case=False, regex=False, na=False)
        mask &= hit
    return mask


def label_counts(dataset: Dataset, label_field: str = "label", rows: pd.Series | None = None) -> pd.DataFrame:
    """Rows per split and class (``unlabeled`` for -1/NaN), with class ids shown by name where the dataset has
    names: the class balance a user should know before trusting an accuracy. Regression labels are not counted.
    ``rows`` (a mask from :func:`matching`) counts only those rows."""
    frame = dataset.frame if rows is None else dataset.frame[rows]
    if label_field not in frame.columns or not dataset.label_names:
        return pd.DataFrame(columns=["split", "label", "rows"])
    names = {i: n for i, n in enumerate(dataset.label_names)}
    labels = frame[label_field].map(lambda v: names.get(v, "unlabeled") if pd.notna(v) else "unlabeled")
    counts = pd.DataFrame({"split": frame["split"], "label": labels}).value_counts().rename("rows").reset_index()
    order = {s: i for i, s in enumerate(SPLITS)} | {n: i for i, n in enumerate([*dataset.label_names, "unlabeled"])}
    return counts.sort_values(["split", "label"], key=lambda c: c.map(order), ignore_index=True)


def split_table(dataset: Dataset, label_field: str = "label") -> pd.DataFrame:
    """One row per split: its rows, then rows per class (and unlabeled), from :func:`label_counts`; the sizes and
    class balance a user checks after making splits."""
    sizes = dataset.frame["split"].value_counts()
    table = pd.DataFrame({"split": [s for s in SPLITS if s in sizes],
                          "rows": [int(sizes[s]) for s in SPLITS if s in sizes]})
    counts = label_counts(dataset, label_field)
    if len(counts):
        classes = [*dataset.label_names, "unlabeled"]
        wide = counts.pivot(index="split", columns="label", values="rows").reindex(columns=classes)
        wide = wide.dropna(axis=1, how="all").fillna(0).astype(int)
        table = table.join(wide, on="split")
    return table


def class_table(dataset: Dataset, label_field: str = "label") -> pd.DataFrame:
    """One row per class (id, name, rows in all splits), plus unlabeled rows: the classes to confirm before saving."""
    if label_field not in dataset.frame.columns or not dataset.label_names:
        return pd.DataFrame(columns=["id", "class", "rows"])
    counts = dataset.frame[label_field].value_counts()
    rows = [{"id": i, "class": name, "rows": int(counts.get(i, 0))} for i, name in enumerate(dataset.label_names)]
    unlabeled = int((~dataset.frame[label_field].isin(range(len(dataset.label_names)))).sum())
    if unlabeled:
        rows.append({"id": -1, "class": "unlabeled", "rows": unlabeled})
    return pd.DataFrame(rows)
