"""Pick the posts a head is least sure of, for a person to label (active learning).

Uncertainty per post:

* multi-class heads: ``1 - margin`` between the two most probable labels (``margin``)
  or the normalised entropy of the probabilities (``entropy``), after the head's tuned
  class offsets (the scores it decides on);
* binary and multi-label heads: closeness of a label's probability to its decision
  threshold (1 at the threshold, 0 at 0 or 1); a multi-label post counts by its least
  certain label.

Diversity: posts whose normalised text repeats an earlier one are dropped, then posts are
taken most-uncertain first, skipping any whose hashed word-n-gram vector has a cosine
above ``max_similarity`` with a post already taken (no near-duplicates in one batch).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from brandfit.heads.model import HeadModel
from brandfit.text.normalize import normalize_text

Strategy = Literal["margin", "entropy"]

#: Cosine above which two posts count as near-duplicates.
MAX_SIMILARITY = 0.8
#: Candidates (most uncertain first) examined by the greedy diversity pass, per post asked for.
POOL_PER_PICK = 50

_NON_WORD = re.compile(r"[^\w@#]+")
_DIGITS = re.compile(r"\d+")


def dedupe_key(text: str) -> str:
    """Text reduced to what makes two posts the same post: case, digits, punctuation dropped."""
    text = _DIGITS.sub("0", normalize_text(text).lower())
    return " ".join(_NON_WORD.sub(" ", text).split())


def _closeness(p: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """1 at the threshold, falling linearly to 0 at 0 and at 1."""
    span = np.where(p >= threshold, 1.0 - threshold, threshold)
    return 1.0 - np.abs(p - threshold) / np.maximum(span, 1e-9)


def uncertainty(model: HeadModel, P: np.ndarray, strategy: Strategy = "margin") -> np.ndarray:
    """How unsure ``model`` is of each row of its probabilities ``P`` (0 sure .. 1 unsure)."""
    if P.shape[0] == 0:
        return np.zeros(0)
    if model.kind == "multilabel":
        cut = np.asarray(model.thresholds or [0.5] * len(model.labels), dtype=float)
        return _closeness(P, cut[None, :]).max(axis=1)
    if model.kind == "binary" and model.thresholds and model.positive_label is not None:
        pos = model.labels.index(model.positive_label)
        return _closeness(P[:, pos], np.float64(model.thresholds[0]))
    if model.thresholds:  # multi-class: decided on log P + offsets, so measure there
        adjusted = np.exp(np.log(np.clip(P, 1e-12, 1.0)) + np.asarray(model.thresholds))
        P = adjusted / adjusted.sum(axis=1, keepdims=True)
    if strategy == "entropy":
        clipped = np.clip(P, 1e-12, 1.0)
        return -(clipped * np.log(clipped)).sum(axis=1) / np.log(P.shape[1])
    top = np.sort(P, axis=1)[:, ::-1]
    return 1.0 - (top[:, 0] - top[:, 1])


@dataclass(frozen=True)
class Selection:
    """Rows picked for labelling (indices into the input, most uncertain first)."""

    rows: list[int]
    scores: np.ndarray  # uncertainty of every input row
    duplicates: int  # rows dropped because their normalised text repeats an earlier row
    similar: int  # candidates skipped as near-duplicates of a picked row


def select_uncertain(
    texts: Sequence[str],
    scores: np.ndarray,
    n: int,
    max_similarity: float = MAX_SIMILARITY,
) -> Selection:
    """Up to ``n`` rows, most uncertain first, with no repeated or near-duplicate text."""
    seen: set[str] = set()
    unique = []
    for i, text in enumerate(texts):
        key = dedupe_key(text)
        if key in seen:
            continue
        seen.add(key)
        unique.append(i)
    duplicates = len(texts) - len(unique)
    order = sorted(unique, key=lambda i: (-scores[i], i))[: max(n * POOL_PER_PICK, n)]
    if not order:
        return Selection([], scores, duplicates, 0)
    vectors = HashingVectorizer(
        n_features=2**18, ngram_range=(1, 2), alternate_sign=False, norm="l2"
    ).transform([dedupe_key(texts[i]) for i in order])
    picked: list[int] = []
    similar = 0
    for position in range(len(order)):
        if len(picked) == n:
            break
        if picked:
            cosine = vectors[picked] @ vectors[position].T
            if cosine.max() > max_similarity:
                similar += 1
                continue
        picked.append(position)
    return Selection([order[p] for p in picked], scores, duplicates, similar)
