"""Evidence: which words of a post pushed a head towards a label.

A head is linear over TF-IDF weighted hashed n-grams, so a word n-gram's contribution
to a label is its TF-IDF value in the post times the label's coefficient (summed over
the shared and the target block for target-conditioned heads). Character n-grams
also contribute but are not readable evidence, so only word n-grams are reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from brandfit.heads.model import HeadModel


def _linear_part(estimator: Any) -> Any:
    """The underlying linear model of a (possibly calibrated) classifier."""
    calibrated = getattr(estimator, "calibrated_classifiers_", None)
    if calibrated:
        estimator = calibrated[0].estimator
    frozen = getattr(estimator, "estimator", None)  # FrozenEstimator around a prefit model
    return frozen if frozen is not None and hasattr(frozen, "coef_") else estimator


def label_coefficients(model: HeadModel, label: str) -> np.ndarray:
    """Weights of ``label`` over the head's selected columns (positive = towards the label)."""
    clf = model.estimator.named_steps["clf"]
    j = model.labels.index(label)
    if hasattr(clf, "estimators_"):  # one-vs-rest multi-label
        linear = _linear_part(clf.estimators_[j])
        return np.asarray(linear.coef_[0], dtype=np.float64)
    linear = _linear_part(clf)
    coef = np.asarray(linear.coef_, dtype=np.float64)
    if coef.shape[0] == 1:  # binary: coef_ points to classes_[1]
        return coef[0] if j == 1 else -coef[0]
    return coef[j]


def top_terms(
    model: HeadModel,
    texts: Sequence[str],
    label: str,
    targets: Sequence[str] | None = None,
    k: int = 5,
) -> list[list[tuple[str, float]]]:
    """For each post, up to ``k`` word n-grams with the largest positive contribution to ``label``."""
    if label not in model.labels:
        raise ValueError(f"head {model.name!r} has no label {label!r}")
    featurizer = model.featurizer
    posts = featurizer.tokenize(list(texts))
    X = featurizer.transform_tokenized(posts)
    inputs = model._inputs(X, targets)
    steps = model.estimator.named_steps
    weighted = sp.csr_matrix(steps["select"].transform(inputs))
    coef = label_coefficients(model, label)
    select = steps["select"]
    d = X.shape[1]
    target_ids = (
        model.target_ids(targets) if model.targets is not None and targets is not None else None
    )
    results: list[list[tuple[str, float]]] = []
    for i, post in enumerate(posts):
        terms = list(dict.fromkeys(featurizer.word_features(post.tokens)))
        if not terms:
            results.append([])
            continue
        columns = featurizer.word_feature_indices(terms).tolist()
        row = weighted.getrow(i)
        values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        scored: list[tuple[str, float]] = []
        for term, column in zip(terms, columns, strict=True):
            blocks = (
                [column] if target_ids is None else [column, column + (1 + int(target_ids[i])) * d]
            )
            contribution = 0.0
            for selected in select._positions(np.asarray(blocks, dtype=np.int64)).tolist():
                if selected >= 0:
                    contribution += values.get(int(selected), 0.0) * coef[selected]
            if contribution > 0:
                scored.append((term, round(contribution, 4)))
        scored.sort(key=lambda item: -item[1])
        results.append(scored[:k])
    return results
