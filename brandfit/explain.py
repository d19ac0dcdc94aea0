"""Evidence: which words of a post pushed a head towards a label.

A head is linear over TF-IDF weighted hashed n-grams, so a word n-gram's contribution
to a label is its TF-IDF value in the post times the label's coefficient (summed over
the shared and the target block for target-conditioned heads). Character n-grams
also contribute but are not readable evidence, so only word n-grams are reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

from brandfit.heads.model import HeadModel
from brandfit.heads.value_head import ValueStanceHead
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
    if isinstance(model, ValueStanceHead):
        if targets is None:
            raise ValueError("the alignment head needs a value for every post")
        return [model.evidence(t, v, label, top=k) for t, v in zip(texts, targets, strict=True)]
    featurizer = model.featurizer
    posts = featurizer.tokenize(list(texts))
    X = featurizer.transform_tokenized(posts)
    inputs = model._inputs(X, targets, model.embed(texts))
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


def explain_predictions(
    heads: Mapping[str, HeadModel],
    texts: Sequence[str | None],
    predictions: Sequence[Mapping[str, Any]],
    k: int = 3,
) -> list[dict[str, Any]]:
    """Evidence terms for the labels each post was given (the ``evidence`` of ``predict --explain``).

    ``predictions`` are :meth:`brandfit.predict.Predictor.predict` rows for ``texts``.
    Per post: ``{head: {label: [term, ...]}}`` for niche, safety and sentiment, and
    ``{"alignment": {value: {stance: [term, ...]}}}``; a decided label with no readable
    evidence gets an empty list. One :func:`top_terms` call per (head, label[, value]).
    """
    out: list[dict[str, Any]] = [{} for _ in predictions]
    groups: dict[tuple[str, str, str | None], list[int]] = {}
    for i, row in enumerate(predictions):
        for name in heads:
            result = row.get(name)
            if not isinstance(result, Mapping):
                continue
            if heads[name].targets is not None:  # {value: {"labels": [...]}}
                for value, entry in result.items():
                    for label in entry["labels"]:
                        groups.setdefault((name, label, value), []).append(i)
            else:
                for label in result["labels"]:
                    groups.setdefault((name, label, None), []).append(i)
    for (name, label, value), rows in groups.items():
        batch = [texts[i] or "" for i in rows]
        targets = [value] * len(rows) if value is not None else None
        terms = top_terms(heads[name], batch, label, targets=targets, k=k)
        for i, found in zip(rows, terms, strict=True):
            words = [term for term, _ in found]
            head = out[i].setdefault(name, {})
            if value is None:
                head[label] = words
            else:
                head.setdefault(value, {})[label] = words
    return out
