import numpy as np
import pytest
from sklearn import metrics as skm

from mmtl_core.metrics import accuracy, f1, get_metric, macro_f1, matthews_corrcoef, pearson, spearman

rng = np.random.default_rng(0)
GOLD3 = rng.integers(0, 3, 200)
PRED3 = np.where(rng.random(200) < 0.6, GOLD3, rng.integers(0, 3, 200))


def test_classification_metrics_match_sklearn():
    gold, pred = GOLD3 % 2, PRED3 % 2
    assert accuracy(gold, pred) == pytest.approx(skm.accuracy_score(gold, pred))
    assert f1(gold, pred) == pytest.approx(skm.f1_score(gold, pred))
    assert macro_f1(GOLD3, PRED3) == pytest.approx(skm.f1_score(GOLD3, PRED3, average="macro"))
    assert matthews_corrcoef(GOLD3, PRED3) == pytest.approx(skm.matthews_corrcoef(GOLD3, PRED3))


def test_regression_metrics():
    x = rng.random(50)
    assert pearson(x, 2 * x + 1) == pytest.approx(1.0)
    assert spearman(x, x**3) == pytest.approx(1.0)


def test_empty_or_constant_inputs_give_nan_not_errors():
    empty = np.array([], dtype=int)
    assert np.isnan(accuracy(empty, empty)) and np.isnan(f1(empty, empty))
    assert np.isnan(pearson(np.ones(5), np.arange(5.0)))
    assert matthews_corrcoef(np.ones(4, int), np.ones(4, int)) == 0.0


def test_unknown_metric_lists_known_ones():
    with pytest.raises(ValueError, match="accuracy"):
        get_metric("acc")
