"""Plain-language warnings about a set of labeling functions, each naming the function it is about."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Below this many functions the label model cannot tell their accuracies apart (it needs three views of Y).
MIN_FUNCTIONS = 3
#: A function needs this many dev votes before its accuracy is trusted enough to call it worse than chance.
MIN_DEV_VOTES = 5


def lf_warnings(summary: pd.DataFrame, cardinality: int) -> list[str]:
    """Warnings for a :func:`~mmtl_core.weak.summary.function_summary` (or an ``lf_summary`` with gold labels).

    * fewer than three functions;
    * a function whose dev accuracy is below chance (1/K), once it has at least :data:`MIN_DEV_VOTES` dev votes;
    * a function that never votes (coverage 0 on train and on dev);
    * no dev rows at all (``Dev coverage`` empty), so nothing can be scored.
    """
    found: list[str] = []
    if len(summary) and "Dev coverage" in summary and summary["Dev coverage"].isna().all():
        found.append("The dataset has no dev rows: accuracies of the functions and of the label model need a dev "
                     "split with gold labels.")
    if len(summary) < MIN_FUNCTIONS:
        found.append(f"Only {len(summary)} labeling function(s): the label model needs at least {MIN_FUNCTIONS} to "
                     "estimate their accuracies, so until then only majority vote is shown.")
    chance = 1.0 / cardinality
    for name, row in summary.iterrows():
        votes = int(row.get("Correct", 0) + row.get("Incorrect", 0))
        acc = row.get("Emp. Acc.", np.nan)
        if votes >= MIN_DEV_VOTES and acc < chance:
            found.append(f"{name!s} is right on {acc:.0%} of its {votes} dev votes, worse than chance "
                         f"({chance:.0%} for {cardinality} classes): check its logic or the class it returns.")
        dev_coverage = row.get("Dev coverage", 0.0)
        if row["Coverage"] == 0 and (dev_coverage == 0 or np.isnan(dev_coverage)):
            found.append(f"{name!s} never votes (coverage 0 on train and dev): it may test for text that never "
                         "occurs, or always return ABSTAIN.")
    return found
