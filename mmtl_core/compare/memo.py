"""Paired scores remembered by content, so a page that reruns on every click scores only what changed. A set's own
rows (its metrics, intervals and n) depend only on the split, that set, the slices and the settings; a candidate's
differences from the baseline only on these and the baseline (every resampling is seeded per slice), never on the
other candidates. So the baseline is scored once, and each candidate once on its own and once against the
baseline; a one-slice table (a head's) is read from the same set's rows on every slice when they are there.
Keys are the content of all of these (digests of the examples, gold labels, slice memberships and
predictions), so a changed file or function can never be served stale rows. Benjamini-Hochberg is applied
afterwards, over the whole table.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd

from mmtl_core.compare.paired import differences, joined, own_scores, paired_scores, scoped, slice_names
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import IntervalSettings
from mmtl_core.slices.split_slices import SplitSlices


class PairedMemo:
    """:func:`~mmtl_core.compare.paired.paired_scores`, one set at a time, remembered by content (the
    ``max_entries`` most recently used)."""

    def __init__(self, max_entries: int = 4000) -> None:
        self.max_entries = max_entries
        self._rows: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
        # An object's digest lives as long as the object (an unsaved ensemble's sets are gone after a rerun).
        self._digests: WeakKeyDictionary[Any, str] = WeakKeyDictionary()

    def scores(self, data: SplitSlices, baseline: PredictionSet | None, others: Sequence[PredictionSet],
               slices: Sequence[str] | None = None, *, min_n: int = 30,
               settings: IntervalSettings = IntervalSettings()) -> pd.DataFrame:
        """The same table as ``paired_scores(data, baseline, others, slices, ...)``."""
        if baseline is None and not others:
            return paired_scores(data, None, [], slices, min_n=min_n, settings=settings)
        names = slice_names(data, slices)
        split = (self._digest(data, _split_digest), names, settings)
        within: list[SplitSlices] = []  # ``data`` scoped to the slices, made only when something is scored

        def scoped_data() -> SplitSlices:
            if not within:
                within.append(scoped(data, names))
            return within[0]

        def own(ps: PredictionSet) -> pd.DataFrame:
            return self._remember(("own", *split, min_n, *self._set_key(ps)),
                                  lambda: own_scores(scoped_data(), [ps], names, min_n=min_n, settings=settings))

        every = slice_names(data)

        def rows(key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
            """Remembered; or for one slice, taken from the same set's rows on every slice when they are (each
            slice's figures do not depend on the others: the head table's overall row is the slice table's)."""
            if key not in self._rows and len(names) == 1 and names != every and names[0] in every:
                wide = self._rows.get((key[0], key[1], every, *key[3:]))
                if wide is not None:
                    return self._remember(key, lambda: wide[wide["slice"] == names[0]].reset_index(drop=True))
            return self._remember(key, compute)

        base = None if baseline is None else self._set_key(baseline)
        keys, parts = [], []
        if baseline is not None:
            keys.append(("baseline", *split, min_n, *base))
            parts.append(rows(keys[-1], lambda: joined(own(baseline), None, baseline.name)))
        for other in others:
            keys.append(("paired", *split, min_n, base, *self._set_key(other)))
            parts.append(rows(keys[-1], lambda: joined(
                own(other), None if baseline is None else
                differences(scoped_data(), baseline, [other], names, settings=settings),
                None if baseline is None else baseline.name)))
        if len(parts) < 3:
            return pd.concat(parts, ignore_index=True)
        # What changes between reruns is mostly the last candidate (the unsaved ensemble, as its weights change):
        # the rows before it are joined once.
        before = self._remember(("concatenated", *keys[:-1]), lambda: pd.concat(parts[:-1], ignore_index=True))
        return pd.concat([before, parts[-1]], ignore_index=True)

    def _set_key(self, predictions: PredictionSet) -> tuple[str, str]:
        return self._digest(predictions, _set_digest), predictions.name

    def _remember(self, key: tuple, compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        rows = self._rows.get(key)
        if rows is None:
            rows = self._rows[key] = compute()
            while len(self._rows) > self.max_entries:
                self._rows.popitem(last=False)
        self._rows.move_to_end(key)
        return rows

    def _digest(self, value: Any, digest) -> str:
        """``digest(value)``, computed once per object."""
        found = self._digests.get(value)
        if found is None:
            found = self._digests[value] = digest(value)
        return found


def _split_digest(data: SplitSlices) -> str:
    h = hashlib.blake2b(repr((data.task, data.split, data.slice_names)).encode(), digest_size=16)
    h.update(data.ids_digest.encode())
    for array in (data.gold, np.ascontiguousarray(data.S, dtype=bool)):
        h.update(np.ascontiguousarray(array).tobytes())
    return h.hexdigest()


def _set_digest(predictions: PredictionSet) -> str:
    h = hashlib.blake2b(repr((predictions.name, predictions.example_ids.shape)).encode(), digest_size=16)
    h.update(predictions.ids_digest.encode())  # the set keeps it: aligning to a split needs it too
    for array in (predictions.probs, predictions.scores, predictions.classes):
        h.update(b"-" if array is None else np.ascontiguousarray(array).tobytes())
    return h.hexdigest()
