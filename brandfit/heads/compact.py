"""Shrink a fitted head for storage: linear weights as float32.

Halves the artefact (and its memory once loaded); scores move by ~1e-7, far below
the golden-check tolerance, and both scoring paths keep agreeing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator

from brandfit.heads.multilabel import PartialLabelOneVsRest


def _linear_models(estimator: Any) -> list[Any]:
    if isinstance(estimator, PartialLabelOneVsRest):
        return [m for est in estimator.estimators_ for m in _linear_models(est)]
    if isinstance(estimator, CalibratedClassifierCV):
        return [m for cc in estimator.calibrated_classifiers_ for m in _linear_models(cc.estimator)]
    if isinstance(estimator, FrozenEstimator):  # delegates attribute reads, so test the type
        return _linear_models(estimator.estimator)
    return [estimator]


def compact_weights(estimator: Any) -> None:
    """Store the coefficients of every linear model inside ``estimator`` as float32, in place."""
    for model in _linear_models(estimator):
        for name in ("effective_coef_", "coef_"):
            value = model.__dict__.get(name)
            if isinstance(value, np.ndarray) and value.dtype == np.float64:
                setattr(model, name, value.astype(np.float32))
