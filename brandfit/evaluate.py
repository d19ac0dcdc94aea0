"""Per-head metrics, shared by training, the CLI and the benchmarks."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

from brandfit.data import LabelledPosts, indicator_matrix
from brandfit.heads.model import HeadModel
from brandfit.labels import canonical_target

STANCE_POLES = ("supports", "opposes")


def _round(value: float) -> float:
    return round(float(value), 4)


def _per_label(y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]) -> dict[str, Any]:
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        label: {
            "precision": _round(p[i]),
            "recall": _round(r[i]),
            "f1": _round(f[i]),
            "support": int(s[i]),
        }
        for i, label in enumerate(labels)
    }


def _single_label_metrics(
    model: HeadModel, data: LabelledPosts, decided: list[list[str]]
) -> dict[str, Any]:
    y_true = np.asarray([row[0] for row in data.labels], dtype=object)
    y_pred = np.asarray([row[0] for row in decided], dtype=object)
    labels = sorted(set(model.labels) | set(y_true.tolist()))
    per_label = _per_label(y_true, y_pred, labels)
    present = [lab for lab in labels if per_label[lab]["support"] > 0]
    metrics: dict[str, Any] = {
        "accuracy": _round(accuracy_score(y_true, y_pred)),
        "macro_f1": _round(
            f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)
        ),
        "micro_f1": _round(
            f1_score(y_true, y_pred, labels=labels, average="micro", zero_division=0)
        ),
        "macro_recall": _round(np.mean([per_label[lab]["recall"] for lab in present])),
        "per_label": per_label,
    }
    if data.targets is not None and set(STANCE_POLES) <= set(model.labels):
        metrics.update(_stance_metrics(data.targets, y_true, y_pred))
    return metrics


def _stance_metrics(targets: list[str], y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, Any]:
    """TweetEval stance score: mean of F1(supports) and F1(opposes) over all targets pooled.

    This is TweetEval's official script (it concatenates the five targets' predictions);
    ``stance_f1_target_mean`` averages the same score computed within each target.
    """
    canon = np.asarray([canonical_target(t) for t in targets], dtype=object)
    per_target: dict[str, Any] = {}
    for target in sorted(set(canon.tolist())):
        rows = canon == target
        f = f1_score(
            y_true[rows], y_pred[rows], labels=list(STANCE_POLES), average=None, zero_division=0
        )
        per_target[target] = {
            "n": int(rows.sum()),
            "f1_supports": _round(f[0]),
            "f1_opposes": _round(f[1]),
            "stance_f1": _round(f.mean()),
        }
    pooled = f1_score(y_true, y_pred, labels=list(STANCE_POLES), average=None, zero_division=0)
    return {
        "stance_f1": _round(pooled.mean()),
        "stance_f1_target_mean": _round(np.mean([v["stance_f1"] for v in per_target.values()])),
        "per_target": per_target,
    }


def _multilabel_metrics(
    model: HeadModel, data: LabelledPosts, decided: list[list[str]]
) -> dict[str, Any]:
    labels = model.labels
    Y = indicator_matrix(data, labels)
    index = {name: j for j, name in enumerate(labels)}
    P = np.zeros_like(Y)
    for i, row in enumerate(decided):
        for name in row:
            P[i, index[name]] = 1
    per_label: dict[str, Any] = {}
    tp = fp = fn = 0
    for j, name in enumerate(labels):
        known = Y[:, j] >= 0
        if not known.any():
            continue
        t, p = Y[known, j], P[known, j]
        pr, rc, f, _ = precision_recall_fscore_support(t, p, average="binary", zero_division=0)
        per_label[name] = {
            "precision": _round(pr),
            "recall": _round(rc),
            "f1": _round(f),
            "support": int(t.sum()),
            "binary_macro_f1": _round(
                f1_score(t, p, average="macro", labels=[0, 1], zero_division=0)
            ),
            "judged": int(known.sum()),
        }
        tp += int(((t == 1) & (p == 1)).sum())
        fp += int(((t == 0) & (p == 1)).sum())
        fn += int(((t == 1) & (p == 0)).sum())
    fully_known = (Y >= 0).all(axis=1)
    exact = (Y[fully_known] == P[fully_known]).all(axis=1) if fully_known.any() else np.array([])
    scored = [v for v in per_label.values() if v["support"] > 0]
    return {
        "accuracy": _round(exact.mean()) if exact.size else None,
        "macro_f1": _round(np.mean([v["f1"] for v in scored])) if scored else 0.0,
        "micro_f1": _round(2 * tp / (2 * tp + fp + fn)) if tp + fp + fn else 0.0,
        "labels_per_post": _round(P.sum(axis=1).mean()) if len(P) else 0.0,
        "true_labels_per_post": (
            _round((Y[fully_known] == 1).sum(axis=1).mean()) if fully_known.any() else None
        ),
        "per_label": per_label,
    }


def evaluate_head(
    model: HeadModel, data: LabelledPosts, model_version: str | None = None
) -> dict[str, Any]:
    """Score ``model`` on labelled ``data``: n, accuracy, macro/micro F1, per-label figures."""
    decided = model.decide(model.predict_texts(data.texts, data.targets))
    return metrics_from_decisions(model, data, decided, model_version)


def metrics_from_decisions(
    model: HeadModel,
    data: LabelledPosts,
    decided: list[list[str]],
    model_version: str | None = None,
) -> dict[str, Any]:
    """:func:`evaluate_head`'s figures from labels already decided for ``data``'s rows."""
    if model.kind == "multilabel":
        metrics = _multilabel_metrics(model, data, decided)
    else:
        metrics = _single_label_metrics(model, data, decided)
    return {
        "head": model.name,
        "n": len(data),
        **metrics,
        "model_version": model_version,
        "data": data.source,
    }
