"""NB-weighted linear classifier (NBSVM / NB-LR, Wang & Manning 2012)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data


def _scale_columns(X: sp.csr_matrix, ratios: np.ndarray) -> sp.csr_matrix:
    """``X @ diag(ratios)`` without building the diagonal matrix."""
    scaled = X.copy()
    scaled.data = scaled.data * ratios[scaled.indices]
    return scaled


class NBLinearClassifier(ClassifierMixin, BaseEstimator):
    """Scale each feature by its naive-Bayes log-count ratio, then fit a linear model.

    For more than two classes one scaled model is fitted per class (one-vs-rest).
    Columns with any negative value (a sentence embedding) are not counts: they keep a
    ratio of 1.
    ``coef_`` holds the effective weights (ratio times linear weight), so evidence can
    be read off it like any linear model. Probabilities come from a calibration wrapper.
    """

    def __init__(
        self,
        loss: Literal["logreg", "svc"] = "logreg",
        C: float = 1.0,
        alpha: float = 1.0,
        class_weight: Any = None,
        max_iter: int = 2000,
        random_state: int = 0,
    ) -> None:
        self.loss = loss
        self.C = C
        self.alpha = alpha
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.random_state = random_state

    def _binary_class_weight(self) -> Any:
        """``balanced`` balances each positive-vs-rest fit; a dict is applied as row weights."""
        return self.class_weight if self.class_weight == "balanced" else None

    def _linear(self) -> Any:
        if self.loss == "svc":
            return LinearSVC(
                C=self.C,
                class_weight=self._binary_class_weight(),
                max_iter=self.max_iter,
                random_state=self.random_state,
            )
        return LogisticRegression(
            C=self.C,
            class_weight=self._binary_class_weight(),
            max_iter=self.max_iter,
            solver="liblinear",
            random_state=self.random_state,
        )

    def _ratio(self, Xb: sp.csr_matrix, positive: np.ndarray, weight: np.ndarray) -> np.ndarray:
        p = self.alpha + np.asarray(Xb.T @ (weight * positive)).ravel()
        q = self.alpha + np.asarray(Xb.T @ (weight * ~positive)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum()))
        ratio[self.signed_columns_] = 1.0  # count ratios mean nothing for signed (dense) features
        return ratio

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> NBLinearClassifier:
        """Fit one ratio-scaled linear model (binary) or one per class."""
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float64)
        X = sp.csr_matrix(X)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.size < 2:
            raise ValueError("NBLinearClassifier needs at least two classes")
        weight = (
            np.ones(X.shape[0]) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        )
        if isinstance(self.class_weight, dict):  # per original class, not per binary fit
            weight = weight * np.asarray([self.class_weight.get(c, 1.0) for c in y], dtype=float)
        self.signed_columns_ = np.zeros(X.shape[1], dtype=bool)
        self.signed_columns_[X.indices[X.data < 0]] = True
        Xb = X.copy()
        Xb.data[:] = 1.0
        targets = [self.classes_[1]] if self.classes_.size == 2 else list(self.classes_)
        coefs: list[np.ndarray] = []
        intercepts: list[float] = []
        iterations: list[int] = []
        for cls in targets:  # one ratio-scaled linear model per positive class
            positive = y == cls
            r = self._ratio(Xb, positive, weight)
            model = self._linear().fit(
                _scale_columns(X, r), positive.astype(int), sample_weight=weight
            )
            # (X diag(r)) w + b == X (r * w) + b: only the effective weights are kept
            coefs.append(r * model.coef_[0])
            intercepts.append(float(np.ravel(model.intercept_)[0]))
            iterations.append(int(np.max(model.n_iter_)))
        self.effective_coef_ = np.vstack(coefs)
        self.intercepts_ = np.asarray(intercepts)
        self.n_iters_ = np.asarray(iterations)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    @property
    def n_iter_(self) -> int:
        """Largest number of solver iterations among the fitted linear models."""
        check_is_fitted(self, "n_iters_")
        return int(self.n_iters_.max())

    @property
    def coef_(self) -> np.ndarray:
        """Effective weights per (positive) class over the input features."""
        check_is_fitted(self, "effective_coef_")
        return self.effective_coef_

    def decision_function(self, X: Any) -> np.ndarray:
        """Linear scores: shape (n,) for two classes, (n, n_classes) otherwise."""
        check_is_fitted(self, "effective_coef_")
        X = sp.csr_matrix(
            validate_data(self, X, accept_sparse="csr", dtype=np.float64, reset=False)
        )
        scores = np.asarray(X @ self.effective_coef_.T) + self.intercepts_
        return scores[:, 0] if self.classes_.size == 2 else scores

    def predict(self, X: Any) -> np.ndarray:
        """Class with the highest score."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]
