"""Decision thresholds tuned on validation data."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def tune_binary_threshold(y_true: np.ndarray, p_positive: np.ndarray, metric: str) -> float:
    """Threshold on P(positive) that maximises ``metric`` ("f1" or "macro_f1") on the data.

    Ties go to the threshold closest to 0.5, so a flat curve keeps the neutral choice.
    """
    y_true = np.asarray(y_true).astype(int)
    if np.unique(y_true).size < 2:
        return 0.5
    average = "macro" if metric == "macro_f1" else "binary"
    best, best_score = 0.5, -1.0
    for t in sorted(_GRID, key=lambda v: abs(v - 0.5)):
        score = f1_score(y_true, (p_positive >= t).astype(int), average=average, zero_division=0)
        if score > best_score + 1e-9:
            best, best_score = float(t), float(score)
    return best


def tune_label_thresholds(Y_true: np.ndarray, P: np.ndarray, metric: str) -> np.ndarray:
    """Per-label thresholds for a multi-label head; rows with -1 (unknown) are ignored."""
    thresholds = np.full(P.shape[1], 0.5)
    for j in range(P.shape[1]):
        known = Y_true[:, j] >= 0
        if known.sum():
            thresholds[j] = tune_binary_threshold(Y_true[known, j], P[known, j], metric)
    return thresholds
