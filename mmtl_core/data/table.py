"""Datasets from one CSV, TSV, JSON Lines or Parquet file (read as its TableFormat says), described by a column
mapping."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mmtl_core.data.dataset import Dataset, make_example_ids
from mmtl_core.data.labels import encode_labels, encode_scores, looks_like_scores
from mmtl_core.data.locate import Locator
from mmtl_core.data.tableformat import TableFormat
from mmtl_core.data.tablefile import read_table_file
from mmtl_core.errors import DataError

#: Raw split values accepted in a split column (case-insensitive), and the split each one means.
SPLIT_ALIASES: dict[str, str] = {
    "train": "train", "training": "train",
    "dev": "dev", "valid": "dev", "validation": "dev", "val": "dev",
    "test": "test", "testing": "test",
}

_RESERVED = ("example_id", "split", "label")


@dataclass(frozen=True)
class ColumnMapping:
    """Which of a file's columns hold the text, the gold label, the split and a natural row id.

    ``label_names`` fixes the class order (values may be those names or ids 0..K-1); without it integer labels
    are their own ids and other labels are numbered in sorted order. ``label_map`` maps raw label values to ids
    instead (``{"7": 2}``). Without a ``split_field`` every row is "train".
    """

    text_fields: tuple[str, ...]
    label_field: str | None = None
    split_field: str | None = None
    label_names: tuple[str, ...] | None = None
    id_field: str | None = None  # the source's own row id, for example ids that survive reordering
    label_map: Mapping[str, int] | None = None

    def __post_init__(self) -> None:
        fields = (self.text_fields,) if isinstance(self.text_fields, str) else self.text_fields
        object.__setattr__(self, "text_fields", tuple(fields))
        if self.label_names is not None:
            object.__setattr__(self, "label_names", tuple(str(n) for n in self.label_names))
        if not 1 <= len(self.text_fields) <= 2:
            raise DataError(f"give one or two text fields, not {len(self.text_fields)}")
        if self.label_map is not None:
            ids = list(self.label_map.values())
            if not all(isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in ids):
                raise DataError(f"label_map must map label values to class ids 0, 1, ...; got {dict(self.label_map)}")
            if self.label_names is not None and max(ids, default=-1) >= len(self.label_names):
                raise DataError(f"label_map uses class id {max(ids)} but only {len(self.label_names)} class names "
                                f"are given ({', '.join(self.label_names)})")

    @property
    def columns(self) -> tuple[str, ...]:
        """Every source column this mapping names."""
        return tuple(c for c in (*self.text_fields, self.label_field, self.split_field, self.id_field) if c)


def _check_columns(frame: pd.DataFrame, path: Path, mapping: ColumnMapping) -> None:
    found = [str(c) for c in frame.columns]
    for col in mapping.columns:
        if col not in found:
            lower = {f.lower(): f for f in found}
            close = [lower[c] for c in difflib.get_close_matches(col.lower(), list(lower), n=1)]
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise DataError(f"{path}: no column {col!r}{hint}; the columns found are: {', '.join(found)}")


def _splits(raw: pd.Series, where: Locator, field: str) -> np.ndarray:
    split = raw.astype(str).str.strip().str.lower().map(SPLIT_ALIASES)
    bad = np.flatnonzero(split.isna().to_numpy())
    if len(bad):
        values = sorted({str(v) for v in raw.iloc[bad]})
        raise DataError(f"{where.at(int(bad[0]), field)}: split {str(raw.iloc[bad[0]])!r} is not one of "
                        f"{', '.join(SPLIT_ALIASES)}" + (f"; {len(bad)} rows ({where.few(bad)}) have such values: "
                                                        f"{', '.join(map(repr, values[:8]))}" if len(bad) > 1 else ""))
    return split.to_numpy()


def _flat(column: pd.Series) -> np.ndarray:
    """Nested values (JSON objects and lists, Parquet lists) as JSON text, so the frame can be hashed and shown."""
    values = column.to_numpy()
    if column.dtype != object or not any(isinstance(v, (dict, list, np.ndarray)) for v in values):
        return values
    return np.array([json.dumps(v.tolist() if isinstance(v, np.ndarray) else v, default=str)
                     if isinstance(v, (dict, list, np.ndarray)) else v for v in values], dtype=object)


def load_table(path: Path, mapping: ColumnMapping, name: str | None = None,
               fmt: TableFormat = TableFormat()) -> Dataset:
    """Load a CSV, TSV, JSON Lines or Parquet file read as ``fmt`` says; other columns are kept as they are."""
    path = Path(path)
    frame = read_table_file(path, fmt).reset_index(drop=True)
    _check_columns(frame, path, mapping)
    name = name or path.stem
    where = Locator.of(frame, path)

    for col in (*mapping.text_fields, mapping.split_field, mapping.id_field):
        if col is None:
            continue
        empty = np.flatnonzero(frame[col].isna().to_numpy())
        if len(empty):
            raise DataError(f"{where.at(int(empty[0]))}: no value for column {col!r} "
                            "(a null, or a key missing from that record)")

    label_names: tuple[str, ...] = ()
    label = None
    if mapping.label_field is not None:
        raw = frame[mapping.label_field]
        if mapping.label_names is None and mapping.label_map is None and looks_like_scores(raw):
            label = encode_scores(raw, where, mapping.label_field)  # a regression target (e.g. similarity scores)
        else:
            label, label_names = encode_labels(raw, where, mapping.label_field, mapping.label_names,
                                               mapping.label_map)

    split = _splits(frame[mapping.split_field], where, mapping.split_field) if mapping.split_field \
        else np.full(len(frame), "train")
    natural = frame[mapping.id_field] if mapping.id_field else None
    out = pd.DataFrame({"example_id": make_example_ids(name, natural, len(frame)), "split": split})
    for col in mapping.text_fields:
        out[col] = frame[col].astype(str).to_numpy()
    if label is not None:
        out["label"] = label
    for col in frame.columns:
        if col in mapping.text_fields or col in (mapping.label_field, mapping.split_field):
            continue
        # A source column named like one we add keeps its data under a prefixed name.
        out[f"source_{col}" if col in _RESERVED else col] = _flat(frame[col])
    return Dataset(name, out, label_names=label_names, source=f"table:{path}", notes=frame.attrs.get("notes", ()))
