"""Paired scores remembered by content, so a page that reruns on every click scores only what changed: one
candidate's rows (its metrics, and its difference from the baseline) depend only on the split, the baseline, that
candidate and the settings (every resampling is seeded per slice), never on the other candidates. The key is the
content of all of these (digests of the examples, gold labels, slice memberships and predictions), so a changed
file or function can never be served stale rows. Benjamini-Hochberg is applied afterwards, over the whole table.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from mmtl_core.compare.paired import paired_scores
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import IntervalSettings
from mmtl_core.slices.split_slices import SplitSlices


class PairedMemo:
    """:func:`~mmtl_core.compare.paired.paired_scores`, one candidate at a time, remembered by content (the
    ``max_entries`` most recently used)."""

    def __init__(self, max_entries: int = 4000) -> None:
        self.max_entries = max_entries
        self._rows: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        self._digests: OrderedDict[int, tuple[Any, str]] = OrderedDict()  # id -> (the object, its digest)

    def scores(self, data: SplitSlices, baseline: PredictionSet | None, others: Sequence[PredictionSet],
               slices: Sequence[str] | None = None, *, min_n: int = 30,
               settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
        """The same table as ``paired_scores(data, baseline, others, slices, ...)``."""
        common = (self._digest(data, _split_digest), None if baseline is None else self._digest(baseline, _set_digest),
                  None if baseline is None else baseline.name, None if slices is None else tuple(slices), min_n,
                  settings)
        if not others:
            return self._remember((*common, None, None), lambda: paired_scores(data, baseline, [], slices,
                                                                              min_n=min_n, settings=settings)).copy()
        parts = []
        for i, other in enumerate(others):
            key = (*common, self._digest(other, _set_digest), other.name)
            parts.append(self._remember(key, lambda: paired_scores(data, baseline, [other], slices, min_n=min_n,
                                                                    settings=settings)))
            if i > 0 and baseline is not None:  # the baseline's rows once, from the first
                parts[-1] = self._remember((*key, "without the baseline"),
                                           lambda: parts[-1][parts[-1]["run"] != baseline.name])
        return pd.concat(parts, ignore_index=True)

    def _remember(self, key: tuple, compute) -> pd.DataFrame:
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = compute()
            while len(self._rows) > self.max_entries:
                self._rows.popitem(last=False)
        self._rows.move_to_end(key)
        return rows

    def _digest(self, value: Any, digest) -> str:
        """``digest(value)``, computed once per object (the object is kept with it, so its id is not reused)."""
        found = self._digests.get(id(value))
        if found is None or found[0] is not value:
            found = self._digests[id(value)] = (value, digest(value))
            while len(self._digests) > self.max_entries:
                self._digests.popitem(last=False)
        self._digests.move_to_end(id(value))
        return found[1]


def _split_digest(data: SplitSlices) -> str:
    h = hashlib.blake2b(repr((data.task, data.split, data.slice_names)).encode(), digest_size=16)
    h.update(data.ids_digest.encode())
    for array in (data.gold, np.ascontiguousarray(data.S, dtype=bool)):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def _set_digest(predictions: PredictionSet) -> str:
    h = hashlib.blake2b(repr((predictions.name, predictions.example_ids.shape)).encode(), digest_size=16)
    h.update("\0".join(predictions.example_ids.tolist()).encode())
    for array in (predictions.probs, predictions.scores, predictions.classes):
        h.update(b"-" if array is None else np.ascontiguousarray(array).tobytes())
    return h.hexdigest()
