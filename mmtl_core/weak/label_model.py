"""Snorkel's LabelModel, fitted on the train rows' votes (majority vote needs no fit: see predictions.py)."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from snorkel.labeling.model import LabelModel
from snorkel.labeling.model.label_model import TrainConfig
from snorkel.utils.config_utils import merge_config
from threadpoolctl import ThreadpoolController

from mmtl_core.errors import FunctionError
from mmtl_core.weak.matrix import check_label_matrix, distinct_rows


_THREADPOOLS: list[ThreadpoolController] = []  # found once: inspecting the loaded libraries costs milliseconds


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run the label model single-threaded: BLAS (numpy) and torch.

    Its work is one n x mK matrix product and hundreds of tiny (mK square) tensor ops; several threads gain nothing
    there but wait on each other, and on a busy 2-core machine that made a 100k-row fit 3-5x slower in wall time
    than in CPU time. The limits are process-wide while it runs; training runs in its own process.
    """
    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        with _THREADPOOLS[0].limit(limits=1):
            yield
    finally:
        torch.set_num_threads(previous)


class _PatternLabelModel(LabelModel):
    """Snorkel's LabelModel, fitted from the distinct vote patterns of the rows and how many rows show each, with
    its optimisation loop run in numpy.

    Snorkel's fit sees the rows only through sums over them (O, the co-occurrence of votes, over n; the coverage),
    and those sums are the same over patterns weighted by their counts: O comes out bit for bit as Snorkel builds it
    from every row (its entries are integer counts over n). The loop is Snorkel's default: SGD with momentum 0.9 on
    ||(O - mu P mu')[mask]||^2 + ||rowsum(mu P) - diag(O)||^2, constant learning rate, no L2, in float32 as torch
    runs it; its gradient is written out (-4 E mu P and 2 (mu p - diag O) p') instead of taken by autograd, which on
    these tiny (mK x K) matrices cost about as much as the rest of a 100k-row refit. Everything else (start, clamp,
    symmetry breaking, prediction) is Snorkel's own code. Private methods of snorkel 0.10 (pinned) are used; a test
    compares the result with a plain Snorkel fit.
    """

    def fit_patterns(self, patterns: np.ndarray, counts: np.ndarray, *, n_epochs: int, lr: float, seed: int,
                     class_balance: list[float] | None) -> None:
        self.train_config = merge_config(TrainConfig(), {"n_epochs": n_epochs, "lr": lr, "seed": seed})
        random.seed(seed)  # as Snorkel's fit seeds: its start (_init_params) draws from numpy's generator
        np.random.seed(seed)
        torch.manual_seed(seed)
        L_shift = patterns + 1
        self._set_constants(L_shift)  # n = the number of patterns, while their one-hot matrix is built
        self._set_class_balance(class_balance, None)
        self._create_tree()
        L_aug = self._get_augmented_label_matrix(L_shift)
        self.n = int(counts.sum())  # then the rows' n: O and the clamp on mu are per row
        self.coverage = ((patterns != -1) * counts[:, None]).sum(axis=0) / self.n
        self.d = L_aug.shape[1]
        self.O = torch.from_numpy((L_aug * counts[:, None]).T @ L_aug / self.n).float()
        self._init_params()
        self.mu.data = torch.from_numpy(self._descend(n_epochs, lr))
        self._clamp_params()
        self._break_col_permutation_symmetry()
        self.eval()

    def _descend(self, n_epochs: int, lr: float) -> np.ndarray:
        O, mask = self.O.numpy(), self.mask.numpy()
        p = np.diag(self.P.numpy()).astype(np.float32)
        mu = self.mu.detach().numpy().astype(np.float32)
        o_diag, rate, momentum = np.diag(O).copy(), np.float32(lr), np.float32(0.9)
        step = np.zeros_like(mu)
        for epoch in range(n_epochs):
            scaled = mu * p  # mu @ P for a diagonal P
            error = np.where(mask, O - scaled @ mu.T, np.float32(0))
            grad = np.float32(-4) * (error @ scaled) + np.float32(2) * np.outer(scaled.sum(axis=1) - o_diag, p)
            step = grad if epoch == 0 else momentum * step + grad  # torch's SGD: no dampening, not Nesterov
            mu = mu - rate * step
        return mu


@dataclass(frozen=True)
class LabelModelConfig:
    """How the label model is fitted; the defaults keep a refit on 100k rows x 20 functions well under a second."""

    # Snorkel's default. The spam tutorial uses 500, which costs 5x: on the shipped YouTube functions it changes no
    # dev or test accuracy; on WRENCH youtube it moves test accuracy 84.0 -> 86.4 (published: 84.0).
    n_epochs: int = 100
    lr: float = 0.01  # Snorkel's default SGD step
    class_balance: tuple[float, ...] | None = None  # prior P(Y); None = uniform, as Snorkel assumes


@dataclass(frozen=True, eq=False)
class LabelModelResult:
    """A fitted label model and what the UI shows about it."""

    model: LabelModel
    names: tuple[str, ...]
    weights: np.ndarray  # per function: the model's estimated accuracy (NaN for a function that never votes)
    seconds: float
    start_weights: np.ndarray  # the same estimate from the parameters the fit started from (NaN: never votes)

    @property
    def cardinality(self) -> int:
        return int(self.model.cardinality)

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """P(Y | votes) per row (n x K). A row with no vote gets the class prior (uniform by default).

        Computed once per distinct vote pattern: a row's probabilities depend on its votes only."""
        L = check_label_matrix(L, self.names, self.cardinality)
        if L.shape[0] == 0:
            return np.zeros((0, self.cardinality))
        patterns, inverse, _ = distinct_rows(L)
        with _one_thread():
            return self.model.predict_proba(patterns.astype(np.int64))[inverse]


def fit_label_model(L_train: np.ndarray, cardinality: int, seed: int = 0, *, names: Sequence[str] | None = None,
                    config: LabelModelConfig | None = None) -> LabelModelResult:
    """Fit Snorkel's LabelModel on the train rows' votes (gold labels are never used).

    Fitting is deterministic given ``seed``. Note that Snorkel's ``fit`` reseeds the global ``random``, ``numpy`` and
    ``torch`` generators with it.
    """
    config = config or LabelModelConfig()
    names = tuple(names) if names is not None else tuple(f"lf_{j}" for j in range(np.shape(L_train)[1]))
    L_train = check_label_matrix(L_train, names, cardinality)
    if L_train.shape[1] == 0:
        raise FunctionError("no labeling functions to fit a label model on; write at least one (three or more "
                            "for the label model to learn their accuracies)")
    if L_train.shape[0] == 0:
        raise FunctionError("the train split has no rows, so the label model has nothing to learn from")
    start = time.perf_counter()
    model = _PatternLabelModel(cardinality=cardinality, verbose=False)
    patterns, _, counts = distinct_rows(L_train)
    with _one_thread():
        model.fit_patterns(patterns.astype(np.int64), counts, n_epochs=config.n_epochs, lr=config.lr, seed=seed,
                           class_balance=list(config.class_balance) if config.class_balance else None)
    with np.errstate(divide="ignore", invalid="ignore"):
        weights, start_weights = model.get_weights(), _start_weights(model)
    # Snorkel divides by coverage; a function that never votes has no accuracy to learn.
    voted = model.coverage > 0
    return LabelModelResult(model, names, np.where(voted, weights, np.nan), time.perf_counter() - start,
                            np.where(voted, start_weights, np.nan))


def _start_weights(model: LabelModel) -> np.ndarray:
    """What ``get_weights`` gives for the initial parameters ``mu_init``, computed as Snorkel 0.10 computes it
    (its own helpers, on the start instead of the fitted parameters): how far a fit moved shows whether the votes'
    agreements taught the model anything."""
    cprobs = model._get_conditional_probs(model.mu_init.cpu().numpy())
    balance = model.P.cpu().numpy()
    accs = np.array([np.diag(cprobs[i, 1:, :] @ balance).sum() for i in range(model.m)])
    return np.clip(accs / model.coverage, 1e-6, 1.0)


def warm_up() -> None:
    """Fit a tiny label model once, so the first real refit is not slowed by a one-off import.

    Creating torch's first optimizer imports ``torch._dynamo`` (seconds on a busy machine); an app can call this in
    the background at start-up instead of making the user's first save wait for it.
    """
    fit_label_model(np.array([[0, 0, 1], [1, 1, -1], [0, -1, 0]], dtype=np.int8), 2)
