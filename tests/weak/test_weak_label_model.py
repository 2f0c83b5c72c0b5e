"""The label model learns which function is best from votes alone, deterministically, and refuses bad votes."""

import numpy as np
import pytest

from mmtl_core.errors import FunctionError
from mmtl_core.weak import check_label_matrix, fit_label_model


def synthetic_votes(accuracies, coverage=0.6, n=5000, seed=0):
    """Conditionally independent functions with known accuracies on a balanced binary Y."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    columns = []
    for acc in accuracies:
        vote = np.where(rng.random(n) < acc, y, 1 - y)
        columns.append(np.where(rng.random(n) < coverage, vote, -1))
    return np.stack(columns, axis=1).astype(np.int8), y


def test_label_model_recovers_which_function_is_best_and_beats_majority_vote():
    accuracies = [0.95, 0.6, 0.65, 0.7, 0.62]
    L, y = synthetic_votes(accuracies)
    lm = fit_label_model(L, 2, seed=0, names=[f"lf_{j}" for j in range(5)])
    assert int(np.argmax(lm.weights)) == 0
    assert np.corrcoef(lm.weights, accuracies)[0, 1] > 0.9
    np.testing.assert_allclose(lm.weights, accuracies, atol=0.08)
    covered = (L != -1).any(axis=1)
    lm_acc = np.mean(lm.predict_proba(L)[covered].argmax(1) == y[covered])
    votes = np.stack([(L == k).sum(1) for k in (0, 1)], axis=1)
    mv_acc = np.mean(votes[covered].argmax(1) == y[covered])  # ties to 0: fine for a comparison this wide
    assert lm_acc > mv_acc + 0.03


def test_fit_is_deterministic_given_the_seed():
    L, _ = synthetic_votes([0.9, 0.7, 0.6], n=500)
    a = fit_label_model(L, 2, seed=7)
    b = fit_label_model(L, 2, seed=7)
    np.testing.assert_array_equal(a.predict_proba(L), b.predict_proba(L))
    np.testing.assert_array_equal(a.weights, b.weights)


def test_a_function_that_never_votes_has_no_weight():
    L, _ = synthetic_votes([0.9, 0.8, 0.7], n=300)
    L[:, 1] = -1
    assert np.isnan(fit_label_model(L, 2, seed=0).weights[1])


def test_a_vote_outside_the_classes_names_the_function():
    L = np.array([[0, 1, -1], [1, 2, 0]], dtype=np.int8)
    with pytest.raises(FunctionError, match="'spam_words' returned 2 at row 1") as info:
        check_label_matrix(L, ["ham_words", "spam_words", "short"], 2)
    assert info.value.function == "spam_words"


def test_no_functions_is_a_clear_error():
    with pytest.raises(FunctionError, match="no labeling functions"):
        fit_label_model(np.zeros((5, 0), dtype=np.int8), 2)
