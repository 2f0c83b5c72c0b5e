"""Before a table is saved as a dataset: a guess of its column mapping (defaults the user changes) and the mapping
shown column by column."""

from __future__ import annotations

import re

import pandas as pd

from mmtl_core.data.table import SPLIT_ALIASES, ColumnMapping

_LABEL_NAMES = re.compile(r"(?i)(label|labels|class|category|target|y|gold|quality|score|sentiment)")
_ID_NAMES = re.compile(r"(?i)(id|idx|index|.*_id|.*_idx)")
MAX_CLASSES = 50  # a column with more distinct values is not offered as a label by default


def _is_split(values: pd.Series) -> bool:
    return bool(values.astype(str).str.strip().str.lower().isin(list(SPLIT_ALIASES)).all())


def _mean_length(values: pd.Series) -> float:
    return float(values.astype(str).str.len().mean()) if len(values) else 0.0


def _pair_key(column: str) -> str | None:
    """``'sentence#'`` for sentence1 and sentence2 (``'## String'``...): columns holding the two texts of a pair."""
    return re.sub(r"[12]", "#", column, count=1) if re.search(r"[12]", column) else None


def guess_mapping(frame: pd.DataFrame) -> ColumnMapping:
    """A likely column mapping of a raw table: a split column holds only split names; a label column is named
    like one (label, class, ...) or has few distinct values; an id column is named like one and unique; the text
    is the longest remaining column (or a pair such as sentence1/sentence2)."""
    columns = [str(c) for c in frame.columns]
    sample = frame.head(2000)
    split = next((c for c in columns if _is_split(sample[c])), None)
    rest = [c for c in columns if c != split]
    ids = [c for c in rest if _ID_NAMES.fullmatch(c) and frame[c].is_unique]
    rest = [c for c in rest if c not in ids]
    distinct = {c: sample[c].nunique() for c in rest}
    few = sorted((c for c in rest if 2 <= distinct[c] <= min(MAX_CLASSES, max(2, len(sample) // 2))),
                 key=distinct.get)  # the fewest classes first (a source tag has more values than a label)
    label = next((c for c in rest if _LABEL_NAMES.fullmatch(c)), None) or (few[0] if few else None)
    texts = sorted((c for c in rest if c != label), key=lambda c: -_mean_length(sample[c]))
    if not texts:
        texts, label = [label] if label else columns[:1], None
    key = _pair_key(texts[0])
    partner = next((c for c in texts[1:] if key and _pair_key(c) == key), None)
    text_fields = tuple(sorted([texts[0], partner])) if partner else (texts[0],)
    return ColumnMapping(text_fields, label, split, id_field=ids[0] if ids else None)


def column_roles(columns: list[str], mapping: ColumnMapping) -> pd.DataFrame:
    """One row per source column: what the dataset makes of it (text, label, split, id, or kept as it is)."""
    roles = {**{c: "text" for c in mapping.text_fields}, mapping.label_field: "gold label",
             mapping.split_field: "split", mapping.id_field: "row id (example ids)"}
    return pd.DataFrame({"column": columns, "becomes": [roles.get(c, "kept as a column") for c in columns]})
