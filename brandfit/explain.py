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
from brandfit.text.stopwords import is_stop_term


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
    """For each post, up to ``k`` word n-grams with the largest positive contribution to ``label``.

    Terms made only of stop words (``"and"``, ``"of the"``) are left out: they explain nothing.
    """
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
    per_post = [list(dict.fromkeys(featurizer.word_features(post.tokens))) for post in posts]
    terms = [term for row in per_post for term in row]
    if not terms:
        return [[] for _ in posts]
    owner = np.repeat(np.arange(len(posts)), [len(row) for row in per_post])
    columns = featurizer.word_feature_indices(terms)  # one hashing pass for every term
    blocks = [columns]
    if target_ids is not None:  # the shared block plus the post's own target block
        blocks.append(columns + (1 + target_ids[owner].astype(np.int64)) * d)
    contribution = np.zeros(len(terms))
    for block in blocks:
        selected = select._positions(block.astype(np.int64))  # one binary search per block
        hit = np.flatnonzero(selected >= 0)
        if hit.size:
            values = weighted[owner[hit], selected[hit]]
            contribution[hit] += np.asarray(values, dtype=np.float64).ravel() * coef[selected[hit]]
    results: list[list[tuple[str, float]]] = []
    start = 0
    for row in per_post:
        scored = [
            (term, round(float(value), 4))
            for term, value in zip(row, contribution[start : start + len(row)], strict=True)
            if value > 0 and not is_stop_term(term)
        ]
        start += len(row)
        scored.sort(key=lambda item: -item[1])
        results.append(scored[:k])
    return results
