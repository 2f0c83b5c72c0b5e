"""Runs: the one owner of the run folder. Import what you need from its modules (this file imports nothing, so
the registry and the job runners do not pay for pandas, and the upload parser can use the column names):

- ``layout``       where each file of a run folder lives; new run ids
- ``columns``      ``prob_<class>`` / ``score`` column names of prediction and label files, and their class order
- ``predictions``  writing and reading per-example predictions and gold files (``read_head_predictions``)
- ``listing``      every run of a runs folder with its readable name and status (``list_runs``)
- ``status``, ``metrics``, ``jsonfiles``, ``provenance``   status.json, metrics.jsonl, config.json, git/versions
- ``ensemble``     ensembles written as runs
- ``registry``     the run registry (SQLite by URL)

Training writes a run through these modules; the Slices page, ensembles, compare and predict read through them.
"""
