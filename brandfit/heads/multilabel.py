"""One-vs-rest for multi-label data where some labels are unknown for some rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted, validate_data

UNKNOWN = -1


class PartialLabelOneVsRest(ClassifierMixin, BaseEstimator):
    """Fit one binary classifier per label, each on the rows where that label is known.

    ``Y`` is an indicator matrix with 1 (has label), 0 (does not) or -1 (not judged).
    This lets one safety head learn ``offensive`` from one data set and ``hate`` from
    another without pretending the missing judgements are negatives.
    """

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = False
        tags.input_tags.sparse = True
        return tags

    def fit(self, X: Any, Y: Any, sample_weight: Any = None) -> PartialLabelOneVsRest:
        """Fit one clone of ``estimator`` per column of ``Y``."""
        if np.ndim(Y) != 2:
            raise ValueError("Y must be a 2-D indicator matrix (1 / 0 / -1 for not judged)")
        X, Y = validate_data(self, X, Y, accept_sparse="csr", multi_output=True)
        Y = np.asarray(Y)
        self.estimators_: list[Any] = []
        for j in range(Y.shape[1]):
            known = Y[:, j] != UNKNOWN
            y = Y[known, j]
            if np.unique(y).size < 2:
                raise ValueError(f"label column {j} has a single class among its known rows")
            est = clone(self.estimator)
            weight = None if sample_weight is None else np.asarray(sample_weight)[known]
            if weight is None:
                est.fit(X[known], y)
            else:
                est.fit(X[known], y, sample_weight=weight)
            self.estimators_.append(est)
        self.classes_ = np.arange(Y.shape[1])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each label, shape (n_samples, n_labels)."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        return np.column_stack([est.predict_proba(X)[:, 1] for est in self.estimators_])

    def predict(self, X: Any) -> np.ndarray:
        """Indicator matrix at a 0.5 threshold (heads apply tuned thresholds instead)."""
        return (self.predict_proba(X) >= 0.5).astype(int)
