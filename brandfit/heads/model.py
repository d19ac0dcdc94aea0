"""A fitted head: shared featurizer + its own estimator + how to decide labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn import config_context
from sklearn.pipeline import Pipeline

from brandfit.errors import UnknownLabelError
from brandfit.features import SocialFeatureHasher
from brandfit.heads.fast import fast_predict_proba
from brandfit.heads.targets import condition_on_targets
from brandfit.labels import canonical_target

HeadKind = Literal["binary", "multiclass", "multilabel"]


@dataclass
class HeadModel:
    """Everything needed to score posts for one head.

    ``estimator`` maps the featurizer's hashed matrix (conditioned on a target for
    heads with ``targets``) to probabilities whose columns follow ``labels``.
    ``thresholds`` are per-label cut-offs (multi-label), the cut-off on the positive
    label (binary) or additive log-probability offsets (multi-class), all tuned on
    validation data.
    """

    name: str
    kind: HeadKind
    labels: list[str]
    featurizer: SocialFeatureHasher
    estimator: Pipeline
    thresholds: list[float] | None = None
    positive_label: str | None = None
    targets: list[str] | None = None
    low_coverage_min_known: int = 2
    config: dict[str, Any] = field(default_factory=dict)

    # -- targets -----------------------------------------------------------------
    def featurizer_setting(self) -> tuple[tuple[str, str], ...]:
        """A key equal for heads whose featurizers give the same matrix (batch size aside)."""
        params = self.featurizer.get_params()
        return tuple(sorted((k, str(v)) for k, v in params.items() if k != "batch_size"))

    def target_ids(self, targets: Sequence[str]) -> np.ndarray:
        """Indices of ``targets`` (aliases resolved); unknown names raise a clear error."""
        if self.targets is None:
            raise UnknownLabelError(f"head {self.name!r} does not take a target")
        index = {t: i for i, t in enumerate(self.targets)}
        ids = []
        for raw in targets:
            name = canonical_target(raw)
            if name not in index:
                known = ", ".join(self.targets)
                raise UnknownLabelError(
                    f"unknown value {raw!r} for head {self.name!r}; known values: {known}"
                )
            ids.append(index[name])
        return np.asarray(ids, dtype=np.int64)

    def _inputs(self, X: sp.csr_matrix, targets: Sequence[str] | None) -> sp.csr_matrix:
        if self.targets is None:
            return X
        if targets is None:
            raise UnknownLabelError(f"head {self.name!r} needs a target for every post")
        return condition_on_targets(X, self.target_ids(targets), len(self.targets))

    # -- scoring -----------------------------------------------------------------
    def predict_proba(self, X: sp.csr_matrix, targets: Sequence[str] | None = None) -> np.ndarray:
        """Calibrated probabilities, shape (n_posts, n_labels), columns in ``labels`` order."""
        inputs = self._inputs(X, targets)
        fast = fast_predict_proba(self.estimator, inputs)
        if fast is not None:
            return fast
        with config_context(assume_finite=True, skip_parameter_validation=True):
            P = self.estimator.predict_proba(inputs)
        return np.asarray(P, dtype=np.float64)

    def known_counts(self, X: sp.csr_matrix) -> np.ndarray:
        """How many of each post's word n-grams this head learned weights for.

        ``X`` is the plain hashed matrix; for target-conditioned heads the shared block
        is what counts. Character n-grams are ignored: almost any string shares some.
        """
        n_word = self.featurizer.n_word_columns
        select = self.estimator.named_steps["select"]
        X = sp.csr_matrix(X)
        in_words = X.indices < n_word
        hit = np.zeros(X.indices.shape[0], dtype=bool)
        hit[in_words] = select._positions(X.indices[in_words].astype(np.int64)) >= 0
        rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
        return np.bincount(rows[hit], minlength=X.shape[0])

    def decide(self, P: np.ndarray) -> list[list[str]]:
        """Turn probabilities into decided labels (one for single-label heads)."""
        if self.kind == "multilabel":
            cut = np.asarray(self.thresholds if self.thresholds else [0.5] * len(self.labels))
            return [[self.labels[j] for j in np.flatnonzero(row >= cut)] for row in P]
        if self.kind == "binary" and self.thresholds and self.positive_label is not None:
            pos = self.labels.index(self.positive_label)
            neg = self.labels[1 - pos]
            return [[self.positive_label] if p >= self.thresholds[0] else [neg] for p in P[:, pos]]
        if self.kind == "multiclass" and self.thresholds:  # tuned log-probability offsets
            scores = np.log(np.clip(P, 1e-12, 1.0)) + np.asarray(self.thresholds)
            return [[self.labels[j]] for j in scores.argmax(axis=1)]
        return [[self.labels[j]] for j in P.argmax(axis=1)]
