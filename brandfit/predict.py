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

from brandfit.heads.compiled import CompiledHead
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
        compiled = self.models.compiled
        lookup: tuple[np.ndarray, np.ndarray] | None = None
        low_coverage = np.zeros(n, dtype=bool)
        for name in names:
            model = self.models.heads[name]
            key = _featurizer_key(model)
            if key not in matrices:
                matrices[key] = model.featurizer.transform_tokenized(posts)
            X = matrices[key]
            fast = compiled.heads.get(name)
            if fast is not None and lookup is None:
                lookup = compiled.lookup(X)
            if model.targets is not None:
                self._alignment(model, X, value_names, out, fast, lookup)
                continue
            if fast is not None and lookup is not None:
                P = fast.predict_proba(lookup[0], lookup[1], X.data, n)
                known = fast.known_counts(lookup[0], lookup[1], X.indices, n)
            else:
                P = model.predict_proba(X)
                known = model.known_counts(X)
            decided = model.decide(P)
            if model.kind == "multilabel":  # no text, no topics or flags: never a bare guess
                decided = [[] if silent[i] else labels for i, labels in enumerate(decided)]
            low_coverage |= known < model.low_coverage_min_known
            for i, scores in enumerate(_rounded(P)):
                out[i][name] = {
                    "labels": decided[i],
                    "scores": dict(zip(model.labels, scores, strict=True)),
                }
        versions = {name: self.versions[name] for name in names}
        for i in range(n):
            if low_coverage[i] and not flags[i]:
                flags[i].append("low_coverage")
            out[i]["flags"] = flags[i]
            out[i]["model_versions"] = versions
        return out

    @staticmethod
    def _alignment(
        model: HeadModel,
        X: sp.csr_matrix,
        values: list[str],
        out: list[dict[str, Any]],
        fast: CompiledHead | None,
        lookup: tuple[np.ndarray, np.ndarray] | None,
    ) -> None:
        n = X.shape[0]
        for i in range(n):
            out[i]["alignment"] = {}
        if not values:
            return
        if fast is not None and lookup is not None:
            P = fast.predict_proba_targets(
                lookup[0], lookup[1], X.data, n, model.target_ids(values)
            )
            P = P.reshape(n * len(values), -1)
        else:
            rows = np.repeat(np.arange(n), len(values))
            P = model.predict_proba(X[rows], values * n)
        decided = model.decide(P)
        scores = _rounded(P)
        k = 0
        for i in range(n):
            for value in values:
                out[i]["alignment"][value] = {
                    "labels": decided[k],
                    "scores": dict(zip(model.labels, scores[k], strict=True)),
                }
                k += 1


def _rounded(P: np.ndarray) -> list[list[float]]:
    """Probabilities rounded for output, as Python floats."""
    return np.round(P, SCORE_DIGITS).tolist()
