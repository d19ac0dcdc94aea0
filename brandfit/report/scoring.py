"""Probabilities and decided labels of one head on labelled posts, in chunks."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from brandfit.data import LabelledPosts, indicator_matrix
from brandfit.heads.model import HeadModel

#: Posts featurised and scored at a time (bounds memory; one progress step each).
CHUNK = 2000


@dataclass(frozen=True)
class ScoredData:
    """A head's view of labelled posts: probabilities (n, k), decided labels, gold matrix."""

    labels: list[str]
    proba: np.ndarray
    decided: list[list[str]]
    gold: np.ndarray  # single-label: label index per row (-1 unknown); multi-label: 1/0/-1

    @property
    def multilabel(self) -> bool:
        """True when ``gold`` is an indicator matrix."""
        return self.gold.ndim == 2


def _noop(_: int) -> None:
    return None


def head_proba(
    model: HeadModel,
    texts: Sequence[str],
    targets: Sequence[str] | None = None,
    on_progress: Callable[[int], None] = _noop,
    chunk: int = CHUNK,
) -> np.ndarray:
    """Calibrated probabilities (n, k) of ``texts``, ``chunk`` posts at a time."""
    parts = []
    for start in range(0, len(texts), chunk):
        stop = min(start + chunk, len(texts))
        part = list(texts[start:stop])
        parts.append(model.predict_texts(part, None if targets is None else targets[start:stop]))
        on_progress(stop - start)
    return np.vstack(parts) if parts else np.zeros((0, len(model.labels)))


def score_labelled(
    model: HeadModel,
    data: LabelledPosts,
    on_progress: Callable[[int], None] = _noop,
    chunk: int = CHUNK,
) -> ScoredData:
    """Score ``data`` with ``model`` through its public API, calling ``on_progress(rows_done)``."""
    P = head_proba(model, data.texts, data.targets, on_progress, chunk)
    decided = model.decide(P)
    if model.kind == "multilabel":
        gold = indicator_matrix(data, model.labels)
    else:
        index = {name: j for j, name in enumerate(model.labels)}
        gold = np.asarray([index.get(row[0], -1) for row in data.labels], dtype=np.int64)
    return ScoredData(list(model.labels), P, decided, gold)
