"""Decision thresholds tuned on validation data."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import f1_score

_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)


def tune_binary_threshold(
    y_true: np.ndarray, p_positive: np.ndarray, metric: str, floor: float = 0.0
) -> float:
    """Threshold on P(positive) that maximises ``metric`` ("f1" or "macro_f1") on the data.

    Ties go to the threshold closest to 0.5, so a flat curve keeps the neutral choice.
    Thresholds below ``floor`` are not considered.
    """
    y_true = np.asarray(y_true).astype(int)
    if np.unique(y_true).size < 2:
        return 0.5
    average = "macro" if metric == "macro_f1" else "binary"
    best, best_score = 0.5, -1.0
    for t in sorted(_GRID[floor - 1e-9 <= _GRID], key=lambda v: abs(v - 0.5)):
        score = f1_score(y_true, (p_positive >= t).astype(int), average=average, zero_division=0)
        if score > best_score + 1e-9:
            best, best_score = float(t), float(score)
    return best


def tune_label_thresholds(
    Y_true: np.ndarray, P: np.ndarray, metric: str, min_positives: int = 10, floor: float = 0.0
) -> np.ndarray:
    """Per-label thresholds for a multi-label head; rows with -1 (unknown) are ignored.

    A label with fewer than ``min_positives`` positive validation rows gets the one
    threshold tuned over all labels pooled, instead of a cut-off fitted to a handful of posts.
    No threshold goes below ``floor``: on a small validation set the F1-best cut-off of a
    label can sit far down the tail, where it tags almost any post with that label.
    """
    known = Y_true >= 0
    pooled = tune_binary_threshold(Y_true[known], P[known], metric, floor) if known.any() else 0.5
    thresholds = np.full(P.shape[1], pooled)
    for j in range(P.shape[1]):
        rows = known[:, j]
        if int((Y_true[rows, j] == 1).sum()) >= min_positives:
            thresholds[j] = tune_binary_threshold(Y_true[rows, j], P[rows, j], metric, floor)
    return thresholds


def _multiclass_score(y_true: np.ndarray, pred: np.ndarray, metric: str) -> float:
    if metric == "macro_recall":
        from sklearn.metrics import recall_score

        return float(recall_score(y_true, pred, average="macro", zero_division=0))
    return float(f1_score(y_true, pred, average="macro", zero_division=0))


def tune_class_offsets(
    y_true: np.ndarray, P: np.ndarray, metric: str, rounds: int = 2
) -> np.ndarray:
    """Additive offsets on log-probabilities that maximise ``metric`` (coordinate ascent).

    Corrects a multi-class head for the difference between training priors and the
    priors the metric rewards (e.g. macro-recall). Offset 0 for the first class.
    """
    y_true = np.asarray(y_true)
    logp = np.log(np.clip(P, 1e-12, 1.0))
    offsets = np.zeros(P.shape[1])
    grid = np.round(np.arange(-1.0, 1.001, 0.05), 2)
    best = _multiclass_score(y_true, (logp + offsets).argmax(axis=1), metric)
    for _ in range(rounds):
        for k in range(1, P.shape[1]):
            for value in sorted(grid, key=abs):
                trial = offsets.copy()
                trial[k] = value
                score = _multiclass_score(y_true, (logp + trial).argmax(axis=1), metric)
                if score > best + 1e-9:
                    best, offsets = score, trial
    return offsets
