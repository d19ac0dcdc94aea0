"""Calibrate a fitted head's probabilities, preferably on held-out validation data.

The linear model is fitted on all training rows first. With validation data the
frozen model is calibrated on it (one calibrator per label for multi-label heads);
without, calibrators are learned from cross-validated predictions on the training
rows. Temperature scaling (multi-class) keeps the argmax; sigmoid scaling is monotone
per label, so thresholds tuned afterwards stay meaningful.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

MIN_PER_CLASS = 5


def _enough(y: np.ndarray) -> bool:
    _, counts = np.unique(y, return_counts=True)
    return counts.size >= 2 and counts.min() >= MIN_PER_CLASS


def calibrate_estimator(
    fitted: Any,
    method: str,
    X_val: Any | None,
    y_val: np.ndarray | None,
    X_train: Any,
    y_train: np.ndarray,
    cv: int,
    sample_weight: np.ndarray | None = None,
) -> Any:
    """A calibrated version of one fitted single-output classifier."""
    if X_val is not None and y_val is not None and _enough(y_val):
        return CalibratedClassifierCV(FrozenEstimator(fitted), method=method).fit(X_val, y_val)
    calibrated = CalibratedClassifierCV(clone(fitted), method=method, cv=cv, ensemble=False)
    if sample_weight is None:
        return calibrated.fit(X_train, y_train)
    return calibrated.fit(X_train, y_train, sample_weight=sample_weight)


def calibrate_multilabel(
    ovr: Any,
    X_val: Any | None,
    Y_val: np.ndarray | None,
    X_train: Any,
    Y_train: np.ndarray,
    cv: int,
    sample_weight: np.ndarray | None = None,
) -> None:
    """Replace each label's estimator of a fitted one-vs-rest by a sigmoid-calibrated one."""
    for j, est in enumerate(ovr.estimators_):
        known_val = None if Y_val is None else Y_val[:, j] >= 0
        known = Y_train[:, j] >= 0
        weight = None if sample_weight is None else sample_weight[known]
        ovr.estimators_[j] = calibrate_estimator(
            est,
            "sigmoid",
            None if known_val is None else X_val[known_val],
            None if known_val is None else Y_val[known_val, j],
            X_train[known],
            Y_train[known, j],
            cv,
            weight,
        )
