"""Stance of a post toward any value named in words: ``supports`` / ``neutral`` / ``opposes``.

:class:`ValueStanceClassifier` is an sklearn-style estimator on :class:`PairBatch` rows
(post embedding, value embedding, lexical cross features, post polarity): the pair
columns of :mod:`brandfit.features.value_pairs`, standardised, then a multinomial
logistic regression, then one temperature (fitted on leave-target-out predictions, so
its probabilities are calibrated for values it never saw). Values it was trained on by
name (``known_values``: the TweetEval targets) also get the post embedding in a block of
their own ("frustratingly easy" domain adaptation), so their own data still counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from brandfit.features.value_pairs import BLOCKS, ValueSpec, lexical_cross, pair_columns, polarity

DEFAULT_BLOCKS = ("prod", "absdiff", "cos", "lex", "polar")


@dataclass
class PairBatch:
    """Model input: one row per (post, value) pair."""

    post_vecs: np.ndarray  # (n, d) unit rows
    value_vecs: np.ndarray  # (n, d) unit rows
    lexical: np.ndarray  # (n, 3), see lexical_cross
    polar: np.ndarray  # (n, 3), see polarity
    values: list[str | None]  # the TweetEval target each row's value names, else None
    dir_vecs: np.ndarray | None = (
        None  # (n, d) value directions (for - against), see ValueSpec.sides
    )

    def __len__(self) -> int:
        return int(self.post_vecs.shape[0])

    def take(self, index: np.ndarray | Sequence[int]) -> PairBatch:
        """The rows at ``index``."""
        idx = np.asarray(index, dtype=np.int64)
        return PairBatch(
            self.post_vecs[idx],
            self.value_vecs[idx],
            self.lexical[idx],
            self.polar[idx],
            [self.values[i] for i in idx],
            None if self.dir_vecs is None else self.dir_vecs[idx],
        )


def make_pairs(
    posts: Sequence[str],
    post_vecs: np.ndarray,
    specs: Sequence[ValueSpec],
    value_vecs: np.ndarray,
    dir_vecs: np.ndarray | None = None,
) -> PairBatch:
    """A :class:`PairBatch` for aligned posts, their vectors, value specs and value vectors."""
    if not (len(posts) == len(post_vecs) == len(specs) == len(value_vecs)):
        raise ValueError("posts, post vectors, values and value vectors must align")
    return PairBatch(
        np.asarray(post_vecs, dtype=np.float32),
        np.asarray(value_vecs, dtype=np.float32),
        lexical_cross(posts, specs),
        polarity(posts),
        [spec.known_target for spec in specs],
        None if dir_vecs is None else np.asarray(dir_vecs, dtype=np.float32),
    )


def fit_temperature(logits: np.ndarray, y_index: np.ndarray) -> float:
    """The temperature minimising the log loss of ``softmax(logits / T)`` on ``y_index``."""

    def loss(log_t: float) -> float:
        logp = log_softmax(logits / np.exp(log_t), axis=1)
        return float(-logp[np.arange(len(y_index)), y_index].mean())

    best = minimize_scalar(loss, bounds=(-3.0, 3.0), method="bounded")
    return float(np.exp(best.x))


class ValueStanceClassifier(ClassifierMixin, BaseEstimator):
    """Multinomial logistic regression (or a one-layer MLP) on pair columns, with a temperature."""

    def __init__(
        self,
        C: float = 1.0,
        blocks: Sequence[str] = DEFAULT_BLOCKS,
        known_values: Sequence[str] = (),
        max_iter: int = 500,
        hidden: int = 0,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.blocks = blocks
        self.known_values = known_values
        self.max_iter = max_iter
        self.hidden = hidden
        self.random_state = random_state

    def _columns(self, X: PairBatch) -> np.ndarray:
        cols = pair_columns(X.post_vecs, X.value_vecs, X.lexical, X.polar, self.blocks, X.dir_vecs)
        known = list(self.known_values)
        if not known:
            return cols
        d = X.post_vecs.shape[1]
        own = np.zeros((len(X), len(known) * d), dtype=np.float32)
        for i, value in enumerate(X.values):
            if value in known:
                k = known.index(value)
                own[i, k * d : (k + 1) * d] = X.post_vecs[i]
        return np.hstack([cols, own])

    def fit(
        self, X: PairBatch, y: Sequence[str], sample_weight: np.ndarray | None = None
    ) -> ValueStanceClassifier:
        """Fit on pairs ``X`` with labels ``y`` (temperature reset to 1)."""
        unknown = set(self.blocks) - set(BLOCKS)
        if unknown:
            raise ValueError(f"unknown pair block(s): {', '.join(sorted(unknown))}")
        cols = self._columns(X)
        self.scaler_ = StandardScaler().fit(cols, sample_weight=sample_weight)
        if self.hidden:  # one hidden layer; C becomes the L2 penalty 1/C
            self.model_ = MLPClassifier(
                hidden_layer_sizes=(self.hidden,),
                alpha=1.0 / self.C,
                early_stopping=True,
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        else:
            self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=1e-3)
        self.model_.fit(self.scaler_.transform(cols), np.asarray(y), sample_weight=sample_weight)
        self.classes_ = self.model_.classes_
        self.temperature_ = 1.0
        return self

    def decision_function(self, X: PairBatch) -> np.ndarray:
        """Uncalibrated logits, columns in ``classes_`` order."""
        cols = self.scaler_.transform(self._columns(X))
        if self.hidden:
            return np.log(np.clip(self.model_.predict_proba(cols), 1e-12, 1.0)).astype(np.float64)
        return np.asarray(self.model_.decision_function(cols), dtype=np.float64)

    def calibrate(self, logits: np.ndarray, y: Sequence[str]) -> ValueStanceClassifier:
        """Set the temperature from held-out ``logits`` (of models like this one) and labels."""
        index = {c: i for i, c in enumerate(self.classes_)}
        self.temperature_ = fit_temperature(logits, np.array([index[v] for v in y]))
        return self

    def predict_proba(self, X: PairBatch) -> np.ndarray:
        """Calibrated probabilities, columns in ``classes_`` order."""
        return softmax(self.decision_function(X) / self.temperature_, axis=1)

    def predict(self, X: PairBatch) -> np.ndarray:
        """The most probable label per pair."""
        return self.classes_[self.decision_function(X).argmax(axis=1)]
