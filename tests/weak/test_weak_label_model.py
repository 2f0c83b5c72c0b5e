"""The label model learns which function is best from votes alone, deterministically, and refuses bad votes."""

import numpy as np
import pytest

from mmtl_core.errors import FunctionError
from mmtl_core.weak import LabelModelConfig, check_label_matrix, fit_label_model


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


@pytest.mark.parametrize(("k", "balance"), [(3, None), (2, None), (2, (0.8, 0.2))])
def test_fitting_from_vote_patterns_gives_snorkels_model(k, balance):
    from snorkel.labeling.model import LabelModel

    rng = np.random.default_rng(7)
    gold = rng.integers(0, k, 3000)
    L = np.stack([np.where(rng.random(3000) < c, np.where(rng.random(3000) < a, gold, rng.integers(0, k, 3000)), -1)
                  for c, a in ((0.5, 0.9), (0.3, 0.7), (0.6, 0.6), (0.2, 0.95), (0.4, 0.8))], axis=1)
    ours = fit_label_model(L.astype(np.int8), k, seed=5, config=LabelModelConfig(class_balance=balance))
    theirs = LabelModel(cardinality=k, verbose=False)
    theirs.fit(L, progress_bar=False, n_epochs=100, lr=0.01, seed=5, class_balance=balance and list(balance))
    # The same O to the last bit; the loop's arithmetic is torch's in float32, in another order: equal to ~1e-6.
    np.testing.assert_array_equal(ours.model.O.numpy(), theirs.O.numpy())
    np.testing.assert_allclose(ours.model.mu.detach().numpy(), theirs.mu.detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(ours.weights, theirs.get_weights(), atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(L.astype(np.int8)), theirs.predict_proba(L), atol=1e-5)
