"""Slices and error analysis: prediction sets, per-slice metrics with intervals, error buckets, paired comparisons.

Everything here is a pure function of a :class:`SplitSlices` (one split with its slice and label matrices) and
one or more :class:`PredictionSet`; results are plain DataFrames and frozen dataclasses, ready to draw.
"""

from mmtl_core.slices.buckets import bucket_examples, confusion_table, error_buckets
from mmtl_core.slices.compare import Comparison, compare_many, compare_on_slice, compare_table
from mmtl_core.slices.intervals import percentile_interval, wilson_interval
from mmtl_core.slices.predictions import PredictionSet
from mmtl_core.slices.slice_metrics import IntervalSettings, slice_metrics
from mmtl_core.slices.split_slices import OVERALL, SplitSlices

__all__ = [
    "OVERALL", "Comparison", "IntervalSettings", "PredictionSet", "SplitSlices", "bucket_examples",
    "compare_many", "compare_on_slice", "compare_table", "confusion_table", "error_buckets",
    "percentile_interval", "slice_metrics", "wilson_interval",
]
