"""The shipped ``alignment`` head: stance toward any value text, saved through the model store.

:class:`ValueStanceHead` is a :class:`HeadModel` whose estimator is a
:class:`~brandfit.heads.value_stance.ValueStanceClassifier` (inside a one-step Pipeline, so
the lexical fast paths pass it by). Any non-empty text is a value; ``targets`` lists the
values it was trained on by name (the TweetEval targets), scored by default. Posts and
values are embedded by the shipped sentence encoder; a value's example posts, when given,
move its vector toward them. Evidence: the post's words whose removal lowers the decided
label's probability most (occlusion), after the value's own words found in the post.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from brandfit.errors import InvalidInputError
from brandfit.features.encoder_input import encoder_texts
from brandfit.features.value_pairs import ValueSpec, value_matches, value_vector
from brandfit.heads.model import HeadModel
from brandfit.heads.value_stance import ValueStanceClassifier, make_pairs
from brandfit.text.tokens import TokenizedPost

#: words scored by occlusion per post (the rest are kept, never dropped)
MAX_OCCLUDED_WORDS = 40
#: a word is evidence if removing it lowers the decided label's probability by more than this
MIN_DROP = 0.01
_TOKEN = re.compile(r"\S+")
#: (post, value) rows scored at a time, so memory stays flat however many posts x values
PAIR_BLOCK = 2048


class _ValueCache:
    """Least-recently-used (encoder version, value) -> (value vector, direction), thread-safe."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, ValueSpec], tuple[np.ndarray, np.ndarray]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ValueSpec]) -> tuple[np.ndarray, np.ndarray] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[str, ValueSpec], item: tuple[np.ndarray, np.ndarray]) -> None:
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


#: value vectors of the values scored lately (a brand profile's values, a server's targets)
_VALUE_CACHE = _ValueCache(4096)


def _blocks(rows: np.ndarray) -> list[np.ndarray]:
    return [rows[i : i + PAIR_BLOCK] for i in range(0, len(rows), PAIR_BLOCK)]


@dataclass
class ValueStanceHead(HeadModel):
    """Alignment head for free-text values (see module docstring).

    ``known_head`` (optional) is a target-conditioned head for the TweetEval targets; for
    a value naming one of them the probabilities are ``known_weight`` x its output plus the
    rest x the pair model's (the weight chosen by in-target cross-validation).
    """

    known_head: HeadModel | None = None
    known_weight: float = 0.0

    @property
    def classifier(self) -> ValueStanceClassifier:
        """The fitted pair classifier."""
        return self.estimator.steps[-1][1]

    @property
    def uses_lexical(self) -> bool:
        """False: no hashed n-gram weights (coverage flags come from the other heads)."""
        return False

    @property
    def open_values(self) -> bool:
        """True: any value text is accepted, not only ``targets``."""
        return True

    def target_ids(self, targets: Sequence[str]) -> np.ndarray:
        """Positions of ``targets`` after checking each is usable text (any text is a value)."""
        for target in targets:
            ValueSpec.parse(target)
            if not isinstance(target, str):
                raise InvalidInputError("a value must be text")
        return np.arange(len(targets), dtype=np.int64)

    def value_vectors(self, specs: Sequence[ValueSpec]) -> tuple[np.ndarray, np.ndarray]:
        """Per value its unit vector (wording, averaged with its examples) and its direction.

        Each value is encoded once per encoder and kept in a bounded cache: a server
        answering one post at a time would otherwise encode every value three times per
        request.
        """
        if self.encoder is None:
            self.embed([""])  # raises the clear "encoder not loaded" error
        encoder = self.encoder
        found = {spec: _VALUE_CACHE.get((encoder.version, spec)) for spec in dict.fromkeys(specs)}
        missing = [spec for spec, item in found.items() if item is None]
        if missing:
            wordings = encoder.encode([spec.wording() for spec in missing])
            pro = encoder.encode([spec.sides()[0] for spec in missing])
            con = encoder.encode([spec.sides()[1] for spec in missing])
            for i, spec in enumerate(missing):
                examples = encoder_texts(list(spec.examples)) if spec.examples else None
                vector = value_vector(wordings[i], encoder.encode(examples) if examples else None)
                found[spec] = (vector, pro[i] - con[i])
                _VALUE_CACHE.put((encoder.version, spec), found[spec])
        return (
            np.stack([found[spec][0] for spec in specs]),
            np.stack([found[spec][1] for spec in specs]),
        )

    def score_values(
        self,
        texts: Sequence[str | None],
        embeddings: np.ndarray,
        values: Sequence[Any],
        tokenized: Sequence[TokenizedPost] | None = None,
    ) -> np.ndarray:
        """Probabilities ``(n_posts, n_values, 3)`` of every post against every value.

        ``tokenized`` (optional, one per text) spares the known-target head a second
        tokenisation of the same posts.
        """
        specs = [ValueSpec.parse(v) for v in values]
        n, m = len(texts), len(specs)
        if n == 0 or m == 0:
            return np.zeros((n, m, len(self.labels)))
        rows = np.repeat(np.arange(n), m)
        posts = [tokenized[i] for i in rows] if tokenized is not None else None
        P = self.score_rows([texts[i] for i in rows], embeddings[rows], specs * n, posts)
        return P.reshape(n, m, -1)

    def score_rows(
        self,
        texts: Sequence[str | None],
        embeddings: np.ndarray,
        values: Sequence[Any],
        tokenized: Sequence[TokenizedPost] | None = None,
    ) -> np.ndarray:
        """Probabilities ``(n, 3)`` of post *i* against value *i* (``tokenized``: see score_values)."""
        if len(values) != len(texts):
            raise ValueError("one value per post is needed")
        specs = [ValueSpec.parse(v) for v in values]
        if not specs:
            return np.zeros((0, len(self.labels)))
        distinct = list(dict.fromkeys(specs))
        vvecs, dvecs = self.value_vectors(distinct)
        where = {spec: i for i, spec in enumerate(distinct)}
        slots = np.array([where[spec] for spec in specs])
        posts = [t or "" for t in texts]
        use_known = self.known_head is not None and self.known_weight > 0
        is_known = np.array([use_known and spec.known_target is not None for spec in specs])
        P = np.zeros((len(specs), len(self.labels)))
        # the pair model is skipped where the known-target head has all the weight
        pair_rows = np.flatnonzero(~is_known if self.known_weight >= 1 else np.ones_like(is_known))
        for rows in _blocks(pair_rows):
            batch = make_pairs(
                [posts[i] for i in rows],
                embeddings[rows],
                [specs[i] for i in rows],
                vvecs[slots[rows]],
                dvecs[slots[rows]],
            )
            P[rows] = self.classifier.predict_proba(batch)
        for rows in _blocks(np.flatnonzero(is_known)):
            own = [tokenized[i] for i in rows] if tokenized is not None else None
            X = self._known_matrix([posts[i] for i in rows], own)
            Pk = self.known_head.predict_proba(
                X, [specs[i].known_target or "" for i in rows], embeddings[rows]
            )
            P[rows] = self.known_weight * Pk + (1 - self.known_weight) * P[rows]
        return P

    def _known_matrix(
        self, posts: list[str], tokenized: list[TokenizedPost] | None
    ) -> sp.csr_matrix:
        """The known-target head's hashed rows for ``posts``, each distinct post hashed once."""
        first: dict[str, int] = {}
        for i, post in enumerate(posts):
            first.setdefault(post, i)
        distinct = list(first.values())
        featurizer = self.known_head.featurizer
        if tokenized is not None:
            X = featurizer.transform_tokenized([tokenized[i] for i in distinct])
        else:
            X = featurizer.transform([posts[i] for i in distinct])
        slot = {post: k for k, post in enumerate(first)}
        return X[[slot[post] for post in posts]]

    def predict_texts(
        self, texts: Sequence[str | None], targets: Sequence[str] | None = None
    ) -> np.ndarray:
        """Calibrated probabilities of post *i* against ``targets[i]`` (encoded here)."""
        if targets is None:
            raise InvalidInputError("the alignment head needs a value for every post")
        return self.score_rows(texts, self.embed(texts), list(targets))

    def evidence(self, text: str, value: Any, label: str, top: int = 3) -> list[tuple[str, float]]:
        """The words that decided ``label`` for ``text`` against ``value``, with their weight.

        The value's own words found in the post come first (weight 1); then the post's words
        whose removal lowers the probability of ``label`` most (weight = that drop).
        """
        spec = ValueSpec.parse(value)
        found: dict[str, float] = dict.fromkeys(value_matches(text, spec), 1.0)
        words = _TOKEN.findall(text)[:MAX_OCCLUDED_WORDS]
        if label in self.labels and len(words) >= 2:
            variants = [" ".join(words[:k] + words[k + 1 :]) for k in range(len(words))]
            variants.insert(0, text)
            P = self.score_rows(variants, self.embed(variants), [spec] * len(variants))
            j = self.labels.index(label)
            drops = P[0, j] - P[1:, j]
            for k in np.argsort(-drops, kind="stable"):
                word = words[k].strip(".,!?;:\"'()")
                if drops[k] > MIN_DROP and word and word not in found:
                    found[word] = round(float(drops[k]), 4)
        return list(found.items())[:top]
