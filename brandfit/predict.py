"""Predictor: posts -> one prediction per post from every loaded head.

Posts are tokenised once and hashed once per distinct featurizer, however many heads
score them. The output shape is a stable contract shared by ``brandfit predict``,
the HTTP API and the batch classifier::

    {"id": ..., "niche": {"labels": [...], "scores": {label: p}}, "safety": {...},
     "sentiment": {...}, "alignment": {"<value>": {"labels": [...], "scores": {...}}},
     "flags": [...], "model_versions": {...}}
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from brandfit.heads.model import HeadModel
from brandfit.labels import canonical_target
from brandfit.persistence.registry import LoadedModels, load_models

SCORE_DIGITS = 4
#: Posts with these flags get no multi-label decisions (their scores are the model's prior).
NO_DECISION_FLAGS = frozenset({"empty_text", "no_signal"})


def _featurizer_key(model: HeadModel) -> tuple[Any, ...]:
    params = model.featurizer.get_params()
    return tuple(sorted((k, str(v)) for k, v in params.items() if k != "batch_size"))


class Predictor:
    """Score posts with a verified set of heads."""

    def __init__(self, models: LoadedModels) -> None:
        self.models = models

    @classmethod
    def from_dir(cls, models_dir: str | Path, heads: list[str] | None = None) -> Predictor:
        """Load and verify the heads under ``models_dir``."""
        return cls(load_models(models_dir, heads))

    @property
    def versions(self) -> dict[str, str]:
        """Model version per head."""
        return self.models.versions

    def default_targets(self) -> list[str]:
        """Every value the alignment head knows (empty if there is none)."""
        head = self.models.heads.get("alignment")
        return list(head.targets or []) if head is not None else []

    def resolve_targets(self, targets: Sequence[str] | None) -> list[str]:
        """Canonical target names, checked against the alignment head."""
        head = self.models.heads.get("alignment")
        if head is None:
            return []
        if targets is None:
            return list(head.targets or [])
        head.target_ids(targets)  # raises UnknownLabelError naming the known values
        return list(dict.fromkeys(canonical_target(t) for t in targets))

    def predict(
        self,
        texts: Sequence[str | None],
        ids: Sequence[Any] | None = None,
        targets: Sequence[str] | None = None,
        heads: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Predictions for ``texts`` in input order (``ids`` default to 0..n-1)."""
        n = len(texts)
        ids = list(ids) if ids is not None else list(range(n))
        if len(ids) != n:
            raise ValueError("ids and texts must have the same length")
        names = [h for h in (heads or list(self.models.heads)) if h in self.models.heads]
        for h in heads or []:
            self.models.head(h)  # unknown head -> UnknownHeadError
        value_names = self.resolve_targets(targets) if "alignment" in names else []
        out: list[dict[str, Any]] = [{"id": i} for i in ids]
        if n == 0:
            return out
        first = self.models.heads[names[0]] if names else None
        posts = first.featurizer.tokenize(list(texts)) if first else []
        flags = [list(p.weak_signal_flags) for p in posts]
        silent = np.asarray([bool(set(f) & NO_DECISION_FLAGS) for f in flags] or [False] * n)
        matrices: dict[tuple[Any, ...], sp.csr_matrix] = {}
        low_coverage = np.zeros(n, dtype=bool)
        for name in names:
            model = self.models.heads[name]
            key = _featurizer_key(model)
            if key not in matrices:
                matrices[key] = model.featurizer.transform_tokenized(posts)
            X = matrices[key]
            if model.targets is not None:
                self._alignment(model, X, value_names, out)
                continue
            P = model.predict_proba(X)
            decided = model.decide(P)
            if model.kind == "multilabel":  # no text, no topics or flags: never a bare guess
                decided = [[] if silent[i] else labels for i, labels in enumerate(decided)]
            low_coverage |= model.known_counts(X) < model.low_coverage_min_known
            for i in range(n):
                out[i][name] = {
                    "labels": decided[i],
                    "scores": {label: round(float(p), SCORE_DIGITS) for label, p in zip(model.labels, P[i], strict=True)},
                }
        versions = {name: self.versions[name] for name in names}
        for i in range(n):
            if low_coverage[i] and not flags[i]:
                flags[i].append("low_coverage")
            out[i]["flags"] = flags[i]
            out[i]["model_versions"] = versions
        return out

    @staticmethod
    def _alignment(model: HeadModel, X: sp.csr_matrix, values: list[str], out: list[dict[str, Any]]) -> None:
        n = X.shape[0]
        for i in range(n):
            out[i]["alignment"] = {}
        if not values:
            return
        rows = np.repeat(np.arange(n), len(values))
        pair_targets = values * n
        P = model.predict_proba(X[rows], pair_targets)
        decided = model.decide(P)
        for k, (i, value) in enumerate(zip(rows, pair_targets, strict=True)):
            out[i]["alignment"][value] = {
                "labels": decided[k],
                "scores": {label: round(float(p), SCORE_DIGITS) for label, p in zip(model.labels, P[k], strict=True)},
            }
