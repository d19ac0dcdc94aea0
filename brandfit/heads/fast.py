"""Fast scoring of a fitted head: the same numbers as the scikit-learn path, less overhead.

A head is column selection + TF-IDF, a linear model and calibrators. scikit-learn
re-validates inputs at every step, which costs more than the arithmetic when a
request carries one post. Here the linear scores are computed straight from the
fitted coefficients and fed to the fitted calibrators, following scikit-learn's own
``_CalibratedClassifier.predict_proba``. Structures this module does not recognise
fall back to the scikit-learn path; a test pins that both paths agree.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV

from brandfit.heads.multilabel import PartialLabelOneVsRest


def _linear_weights(estimator: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """(coef (k, n), intercept (k,)) of a fitted linear model, unwrapping FrozenEstimator."""
    inner = getattr(estimator, "estimator", None)
    if inner is not None and not hasattr(estimator, "coef_"):
        estimator = inner
    coef = getattr(estimator, "effective_coef_", None)
    if coef is not None:
        return coef, np.asarray(estimator.intercepts_, dtype=np.float64)
    coef = getattr(estimator, "coef_", None)
    intercept = getattr(estimator, "intercept_", None)
    if coef is None or intercept is None:
        return None
    return np.atleast_2d(coef), np.atleast_1d(np.asarray(intercept, dtype=np.float64))


def _calibrated_proba(calibrated: CalibratedClassifierCV, X: sp.csr_matrix) -> np.ndarray | None:
    parts = getattr(calibrated, "calibrated_classifiers_", None)
    if not parts or len(parts) != 1:
        return None
    cc = parts[0]
    weights = _linear_weights(cc.estimator)
    if weights is None:
        return None
    coef, intercept = weights
    decision = np.asarray(X @ coef.T) + intercept  # (n, 1) binary or (n, k)
    n_classes = len(cc.classes)
    proba = np.zeros((X.shape[0], n_classes))
    if cc.method in ("sigmoid", "isotonic"):
        if n_classes == 2:
            proba[:, 1] = cc.calibrators[0].predict(decision[:, 0])
            proba[:, 0] = 1.0 - proba[:, 1]
        else:
            for k, calibrator in enumerate(cc.calibrators):
                proba[:, k] = calibrator.predict(decision[:, k])
            total = proba.sum(axis=1, keepdims=True)
            proba = np.divide(
                proba, total, out=np.full_like(proba, 1 / n_classes), where=total != 0
            )
    elif cc.method == "temperature":
        proba = np.asarray(cc.calibrators[0].predict(decision), dtype=np.float64)
    else:
        return None
    proba[(proba > 1.0) & (proba <= 1.0 + 1e-5)] = 1.0
    return proba


def fast_predict_proba(estimator: Any, inputs: sp.csr_matrix) -> np.ndarray | None:
    """Probabilities from a head pipeline, or ``None`` when the structure is not recognised."""
    select = estimator.named_steps.get("select")
    clf = estimator.named_steps.get("clf")
    trusted = getattr(select, "transform_trusted", None)
    if trusted is None or clf is None:
        return None
    X = trusted(inputs)
    if isinstance(clf, CalibratedClassifierCV):
        return _calibrated_proba(clf, X)
    if isinstance(clf, PartialLabelOneVsRest):
        columns = []
        for label_estimator in clf.estimators_:
            if not isinstance(label_estimator, CalibratedClassifierCV):
                return None
            proba = _calibrated_proba(label_estimator, X)
            if proba is None:
                return None
            columns.append(proba[:, 1])
        return np.column_stack(columns)
    return None
