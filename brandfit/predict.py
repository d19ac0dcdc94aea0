"""Predictor: posts -> one prediction per post from every loaded head.

Posts are tokenised once and hashed once per distinct featurizer, however many heads
score them. The output shape is a stable contract shared by ``brandfit predict``,
the HTTP API and the batch classifier::

    {"id": ..., "niche": {"labels": [...], "scores": {label: p}}, "safety": {...},
     "sentiment": {...}, "alignment": {"<value>": {"labels": [...], "scores": {...}}},
     "flags": [...], "weak_signal": bool, "model_versions": {...}}

A post with a flag in :data:`NO_DECISION_FLAGS` gets no labels from any head and
``"weak_signal": true``: its scores are still reported but are not a decision.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from brandfit.errors import InvalidInputError
from brandfit.features.value_pairs import ValueSpec, value_name
from brandfit.heads.model import HeadModel
from brandfit.heads.value_head import ValueStanceHead
from brandfit.labels import canonical_target
from brandfit.persistence.registry import LoadedModels, ModelsLocation, load_models
from brandfit.text.tokens import TokenizedPost

SCORE_DIGITS = 4
#: Posts with these flags get no labels from any head (their scores stay, marked
#: ``weak_signal``): no text, no words, or not English (the heads know English only).
#: ``low_coverage`` posts keep their labels (English words, few of them known).
NO_DECISION_FLAGS = frozenset({"empty_text", "no_signal", "non_english"})


def is_weak_signal(flags: Sequence[str]) -> bool:
    """True if a post with these flags gets no labels (see :data:`NO_DECISION_FLAGS`)."""
    return not NO_DECISION_FLAGS.isdisjoint(flags)


@dataclass
class HeadScores:
    """One head's results for a batch: label names, probabilities (n, k), decided labels."""

    labels: list[str]
    proba: np.ndarray
    decided: list[list[str]]

    def rounded(self) -> np.ndarray:
        """Probabilities as reported (:data:`SCORE_DIGITS` decimals)."""
        return np.round(self.proba, SCORE_DIGITS)

    def as_dicts(self) -> list[dict[str, Any]]:
        """``{"labels": [...], "scores": {label: p}}`` per post (the predict contract)."""
        return [
            {"labels": labels, "scores": dict(zip(self.labels, scores, strict=True))}
            for labels, scores in zip(self.decided, self.rounded().tolist(), strict=True)
        ]


@dataclass
class ScoredPosts:
    """Column-wise results of :meth:`Predictor.score` (what batch jobs write)."""

    n: int
    heads: dict[str, HeadScores]
    alignment: dict[str, HeadScores]  # one entry per alignment value, in request order
    flags: list[list[str]]
    versions: dict[str, str]
    #: per post, the value named in its own input row (a ``target`` field) and its scores
    row_alignment: list[tuple[str, HeadScores] | None] = field(default_factory=list)


class Predictor:
    """Score posts with a verified set of heads."""

    def __init__(self, models: LoadedModels) -> None:
        self.models = models

    @classmethod
    def from_dir(cls, models_dir: ModelsLocation, heads: list[str] | None = None) -> Predictor:
        """Load and verify the heads under ``models_dir`` (or layers of directories)."""
        return cls(load_models(models_dir, heads))

    @property
    def versions(self) -> dict[str, str]:
        """Model version per head."""
        return self.models.versions

    def default_targets(self) -> list[str]:
        """Every value the alignment head knows (empty if there is none)."""
        head = self.models.heads.get("alignment")
        return list(head.targets or []) if head is not None else []

    def resolve_targets(self, targets: Sequence[str | ValueSpec] | None) -> list[Any]:
        """The values to judge, checked against the alignment head.

        A value-stance head takes any text, kept exactly as given (or value specs); a head
        trained on named targets gets canonical target names.
        """
        head = self.models.heads.get("alignment")
        if head is None:
            return []
        if targets is None:
            return list(head.targets or [])
        if isinstance(head, ValueStanceHead):
            specs = [ValueSpec.parse(t) for t in targets]  # raises on empty / malformed values
            unique = {spec.name: t for spec, t in zip(specs, targets, strict=True)}
            return list(unique.values())
        head.target_ids(targets)  # raises UnknownLabelError naming the known values
        return list(dict.fromkeys(canonical_target(t) for t in targets))

    def score(
        self,
        texts: Sequence[str | None],
        targets: Sequence[str | ValueSpec] | None = None,
        heads: Sequence[str] | None = None,
        row_targets: Sequence[str | None] | None = None,
    ) -> ScoredPosts:
        """Column-wise results for ``texts``: per head (and alignment value) probabilities and labels."""
        n = len(texts)
        names = [h for h in (heads or list(self.models.heads)) if h in self.models.heads]
        for h in heads or []:
            self.models.head(h)  # unknown head -> UnknownHeadError
        value_names = self.resolve_targets(targets) if "alignment" in names else []
        own = row_targets is not None and any(row_targets) and "alignment" in names
        if own and not isinstance(self.models.heads["alignment"], ValueStanceHead):
            raise InvalidInputError(
                "a row's own 'target' needs the value-stance alignment head "
                "(this models folder has a head for named targets only; use --target)"
            )
        result = ScoredPosts(
            n, {}, {}, [[] for _ in range(n)], {h: self.versions[h] for h in names}
        )
        if n == 0:
            return result
        first = self.models.heads[names[0]] if names else None
        posts = first.featurizer.tokenize(list(texts)) if first else []
        # every post is encoded once, whichever heads use the embeddings
        encoding = next(
            (self.models.heads[h] for h in names if self.models.heads[h].uses_encoder), None
        )
        embeddings = encoding.embed(texts) if encoding is not None else None
        flags = [list(p.weak_signal_flags) for p in posts]
        silent = [is_weak_signal(f) for f in flags]
        matrices: dict[tuple[Any, ...], sp.csr_matrix] = {}
        low_coverage = np.zeros(n, dtype=bool)
        for name in names:
            model = self.models.heads[name]
            if isinstance(model, ValueStanceHead):  # hashes through its known-target head
                result.alignment = self._value_alignment(
                    model, texts, embeddings, value_names, posts
                )
                result.row_alignment = self._row_alignment(
                    model, texts, embeddings, row_targets, posts
                )
                continue
            key = self.models.featurizer_keys[name]
            if key not in matrices:  # hashed once per distinct featurizer setting
                matrices[key] = model.featurizer.transform_tokenized(posts)
            X = matrices[key]
            if model.targets is not None:
                result.alignment = self._alignment(model, X, embeddings, value_names)
                continue
            P = model.predict_proba(X, embeddings=embeddings)
            known = model.known_counts(X) if model.uses_lexical else np.full(n, n)
            decided = model.decide(P)
            low_coverage |= known < model.low_coverage_min_known
            result.heads[name] = HeadScores(model.labels, P, decided)
        for i in range(n):
            if low_coverage[i] and not flags[i]:
                flags[i].append("low_coverage")
        for scores in (*result.heads.values(), *result.alignment.values()):
            scores.decided = [[] if silent[i] else d for i, d in enumerate(scores.decided)]
        for i, entry in enumerate(result.row_alignment):
            if entry is not None and silent[i]:
                entry[1].decided = [[]]
        result.flags = flags
        return result

    def predict(
        self,
        texts: Sequence[str | None],
        ids: Sequence[Any] | None = None,
        targets: Sequence[str | ValueSpec] | None = None,
        heads: Sequence[str] | None = None,
        row_targets: Sequence[str | None] | None = None,
    ) -> list[dict[str, Any]]:
        """Predictions for ``texts`` in input order (``ids`` default to 0..n-1).

        ``row_targets`` (optional, one per post) adds that post's own value to its
        ``alignment`` object, besides ``targets``.
        """
        n = len(texts)
        ids = list(ids) if ids is not None else list(range(n))
        if len(ids) != n:
            raise ValueError("ids and texts must have the same length")
        if row_targets is not None and len(row_targets) != n:
            raise ValueError("row_targets and texts must have the same length")
        scored = self.score(texts, targets=targets, heads=heads, row_targets=row_targets)
        out: list[dict[str, Any]] = [{"id": i} for i in ids]
        if n == 0:
            return out
        for name, head in scored.heads.items():
            for row, entry in zip(out, head.as_dicts(), strict=True):
                row[name] = entry
        if "alignment" in scored.versions:
            for row in out:
                row["alignment"] = {}
            for value, head in scored.alignment.items():
                for row, entry in zip(out, head.as_dicts(), strict=True):
                    row["alignment"][value] = entry
            for row, own in zip(out, scored.row_alignment, strict=False):
                if own is not None:
                    row["alignment"][own[0]] = own[1].as_dicts()[0]
        for row, flags in zip(out, scored.flags, strict=True):
            row["flags"] = flags
            row["weak_signal"] = is_weak_signal(flags)
            row["model_versions"] = scored.versions
        return out

    @staticmethod
    def _alignment(
        model: HeadModel, X: sp.csr_matrix, embeddings: np.ndarray | None, values: list[str]
    ) -> dict[str, HeadScores]:
        n = X.shape[0]
        if not values:
            return {}
        rows = np.repeat(np.arange(n), len(values))
        dense = embeddings[rows] if embeddings is not None and model.uses_encoder else None
        P = model.predict_proba(X[rows], values * n, dense).reshape(n, len(values), -1)
        return Predictor._per_value(model, values, P)

    @staticmethod
    def _value_alignment(
        model: ValueStanceHead,
        texts: Sequence[str | None],
        embeddings: np.ndarray | None,
        values: list[Any],
        tokenized: Sequence[TokenizedPost],
    ) -> dict[str, HeadScores]:
        if not values or embeddings is None:
            return {}
        P = model.score_values(texts, embeddings, values, tokenized)
        return Predictor._per_value(model, [value_name(v) for v in values], P)

    @staticmethod
    def _row_alignment(
        model: ValueStanceHead,
        texts: Sequence[str | None],
        embeddings: np.ndarray | None,
        row_targets: Sequence[str | None] | None,
        tokenized: Sequence[TokenizedPost],
    ) -> list[tuple[str, HeadScores] | None]:
        """Per post, its own value (a ``target`` field of its input row) and its scores."""
        if row_targets is None or embeddings is None:
            return []
        rows = [i for i, t in enumerate(row_targets) if t]
        out: list[tuple[str, HeadScores] | None] = [None] * len(texts)
        if not rows:
            return out
        values = [str(row_targets[i]) for i in rows]
        P = model.score_rows(
            [texts[i] for i in rows], embeddings[rows], values, [tokenized[i] for i in rows]
        )
        for k, i in enumerate(rows):
            out[i] = (values[k], HeadScores(model.labels, P[k : k + 1], model.decide(P[k : k + 1])))
        return out

    @staticmethod
    def _per_value(model: HeadModel, values: list[str], P: np.ndarray) -> dict[str, HeadScores]:
        out = {}
        for j, value in enumerate(values):
            out[value] = HeadScores(model.labels, P[:, j, :], model.decide(P[:, j, :]))
        return out
