"""Comparing runs: what the Compare page computes, from stored per-example predictions (never the models).

One concept per module; import what you need from them:

- ``correction``     Benjamini-Hochberg over the comparisons a table shows, and when a difference is a gain or a
                     regression (corrected p below alpha and its interval clear of zero)
- ``candidates``     a run's (or ensemble's) heads on one task and split, as prediction sets; which selected runs
                     cannot be compared, and why
- ``heads``          head by head against a pinned baseline: every task and slice head's metric with its interval
                     and n, and its paired difference from the baseline
- ``per_slice``      every slice (written before or after training) scored on every selected run, with paired
                     differences from the baseline, ranked by how much a candidate loses or gains
- ``ensemble``       a weighted ensemble of candidates, computed at once (the same average a saved one stores)
- ``disagreements``  examples where two candidates disagree, split by which one is right
- ``catalog``        every run and ensemble of a workspace as the runs table shows it (registry and run folders)
- ``differences``    what differs between runs: settings, and the labeling and slicing functions they used

``paired_heads`` in ``heads`` is the function for scripts (the ladder's paired tests): two runs' heads on a split,
with exact McNemar and intervals.
"""
