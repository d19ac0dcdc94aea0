"""A fitted head: shared featurizer + its own estimator + how to decide labels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn import config_context
from sklearn.pipeline import Pipeline

from brandfit.errors import ModelLoadError, UnknownLabelError
from brandfit.features import SocialFeatureHasher
from brandfit.features.encoder_input import encoder_texts
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
    #: version of the sentence encoder whose embeddings the head learned from (None: lexical only)
    encoder_version: str | None = None
    #: the loaded encoder (attached at load time; never pickled)
    encoder: Any = field(default=None, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["encoder"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("encoder_version", None)
        state.setdefault("encoder", None)
        self.__dict__.update(state)

    @property
    def uses_encoder(self) -> bool:
        """True when the head needs sentence-encoder embeddings of each post."""
        return self.encoder_version is not None

    @property
    def uses_lexical(self) -> bool:
        """True when the head learned weights for hashed n-grams (evidence, coverage)."""
        return bool(getattr(self.estimator.named_steps["select"], "lexical", True))

    def embed(self, texts: Sequence[str | None]) -> np.ndarray | None:
        """Encoder embeddings of ``texts`` (None for a lexical-only head)."""
        if not self.uses_encoder:
            return None
        if self.encoder is None:
            raise ModelLoadError(
                f"head {self.name!r} needs the sentence encoder {self.encoder_version}, "
                "which is not loaded"
            )
        return self.encoder.encode(encoder_texts(texts))

    def features(
        self, texts: Sequence[str | None], targets: Sequence[str] | None = None
    ) -> sp.csr_matrix:
        """The classifier's input for raw ``texts``: hashed n-grams (+ embeddings), conditioned."""
        return self._inputs(self.featurizer.transform(list(texts)), targets, self.embed(texts))

    def predict_texts(
        self, texts: Sequence[str | None], targets: Sequence[str] | None = None
    ) -> np.ndarray:
        """Calibrated probabilities for raw ``texts`` (featurised and encoded here)."""
        return self._predict_inputs(self.features(texts, targets))

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

    def _inputs(
        self,
        X: sp.csr_matrix,
        targets: Sequence[str] | None,
        embeddings: np.ndarray | None = None,
    ) -> sp.csr_matrix:
        """``[hashed | embeddings]``, each conditioned on the row's target for target heads."""
        blocks = [sp.csr_matrix(X)]
        if self.uses_encoder:
            if embeddings is None:
                raise ValueError(f"head {self.name!r} needs the posts' encoder embeddings")
            blocks.append(sp.csr_matrix(np.asarray(embeddings, dtype=np.float32)))
        if self.targets is not None:
            if targets is None:
                raise UnknownLabelError(f"head {self.name!r} needs a target for every post")
            ids = self.target_ids(targets)
            blocks = [condition_on_targets(b, ids, len(self.targets)) for b in blocks]
        return blocks[0] if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    # -- scoring -----------------------------------------------------------------
    def predict_proba(
        self,
        X: sp.csr_matrix,
        targets: Sequence[str] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> np.ndarray:
        """Calibrated probabilities, shape (n_posts, n_labels), columns in ``labels`` order.

        ``X`` is the featurizer's hashed matrix; ``embeddings`` the posts' encoder vectors
        (needed when the head uses the encoder block).
        """
        return self._predict_inputs(self._inputs(X, targets, embeddings))

    def _predict_inputs(self, inputs: sp.csr_matrix) -> np.ndarray:
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
            at_least = int(self.config.get("head", {}).get("min_labels", 0))
            decided = []
            for row in P:
                chosen = set(np.flatnonzero(row >= cut).tolist())
                if len(chosen) < at_least:  # the labels closest to their thresholds fill in
                    ranked = np.argsort(-(row - cut), kind="stable")
                    chosen.update(ranked[:at_least].tolist())
                decided.append([self.labels[j] for j in sorted(chosen)])
            return decided
        if self.kind == "binary" and self.thresholds and self.positive_label is not None:
            pos = self.labels.index(self.positive_label)
            neg = self.labels[1 - pos]
            return [[self.positive_label] if p >= self.thresholds[0] else [neg] for p in P[:, pos]]
        if self.kind == "multiclass" and self.thresholds:  # tuned log-probability offsets
            scores = np.log(np.clip(P, 1e-12, 1.0)) + np.asarray(self.thresholds)
            return [[self.labels[j]] for j in scores.argmax(axis=1)]
        return [[self.labels[j]] for j in P.argmax(axis=1)]
