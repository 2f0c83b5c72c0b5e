"""An ensemble of candidates computed at once, to see it beside its members before saving it: each shared head's
predictions averaged with the chosen weights, by the same functions a saved ensemble
(:func:`mmtl_core.runs.ensemble.ensemble_runs`) uses, so saving it changes no number."""

from __future__ import annotations

from collections.abc import Sequence

from mmtl_core.compare.candidates import Candidate
from mmtl_core.errors import PredictionsError
from mmtl_core.runs.ensemble import check_same_examples, ensemble_weights, weighted_average
from mmtl_core.slices.predictions import PredictionSet

UNSAVED_KEY = "ensemble"


def ensemble_title(members: Sequence[Candidate], weights: Sequence[float]) -> str:
    """``ensemble of A (0.50) + B (0.50) · unsaved``: what the unsaved ensemble is called in every table."""
    w = ensemble_weights(weights, len(members))
    return "ensemble of " + " + ".join(f"{m.entry.name if m.entry else m.title} ({wi:.2f})"
                                       for m, wi in zip(members, w)) + " · unsaved"


def ensemble_candidate(members: Sequence[Candidate], weights: Sequence[float] | None = None) -> Candidate:
    """The weighted average of ``members``' heads that every member has (probabilities, or scores for
    regression). PredictionsError when the weights are not usable, the members share no head, or one of them
    predicted other examples (the message names it and the ids)."""
    w = ensemble_weights(weights, len(members))
    shared = [h for h in members[0].heads if all(h in m.heads for m in members[1:])]
    if not shared:
        raise PredictionsError("the runs chosen share no head; an ensemble averages the same heads of several runs")
    title = ensemble_title(members, w)
    heads = {}
    for head in shared:
        sets = [m.heads[head] for m in members]
        if len({s.ids_digest for s in sets}) > 1:  # the same digest: the same ids in the same order
            check_same_examples([(m.title, s.example_ids) for m, s in zip(members, sets)], f"head {head}")
        if sets[0].is_regression:
            heads[head] = PredictionSet(title, sets[0].example_ids, scores=weighted_average([s.scores for s in sets],
                                                                                          w))
        else:
            heads[head] = PredictionSet(title, sets[0].example_ids, probs=weighted_average([s.probs for s in sets], w))
    return Candidate(UNSAVED_KEY, title, heads, members=tuple((m.key, float(wi)) for m, wi in zip(members, w)))
