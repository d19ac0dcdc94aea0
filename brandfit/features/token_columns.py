"""Per-token hashed columns, computed once per distinct token and kept in a bounded cache.

A post's unigram and character n-gram columns are the union of its tokens' columns, and
social text repeats the same tokens endlessly, so hashing them once per token (instead
of once per occurrence) removes most of the featurizer's work. Word n-grams of order 2
and more depend on neighbours and are hashed per post by the featurizer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction import FeatureHasher

try:  # the loop inside FeatureHasher.transform, without its validation and CSR building
    from sklearn.feature_extraction._hashing_fast import transform as _hashing_transform
except ImportError:  # pragma: no cover - scikit-learn is pinned; this guards a future move
    _hashing_transform = None

#: Distinct tokens a process keeps hashed columns for, per featurizer setting (~350 bytes each).
TOKEN_CACHE_SIZE = 30_000

#: (word units of the token, its unigram + character n-gram columns as int32 bytes)
TokenEntry = tuple[tuple[str, ...], bytes]


def hash_rows(features: Iterable[Sequence[str]], width: int) -> sp.csr_matrix:
    """Count matrix of hashed feature strings (one row per item), as FeatureHasher gives it."""
    hasher = FeatureHasher(n_features=width, input_type="string", alternate_sign=False)
    return hasher.transform(features).tocsr()


def hash_entries(features: Iterable[Sequence[str]], width: int) -> tuple[np.ndarray, np.ndarray]:
    """(column of every feature string, row pointer): :func:`hash_rows` before summing.

    Duplicates are kept (each occurrence is one entry of count 1), and no sparse matrix
    is built, which is most of the cost for a few posts.
    """
    if _hashing_transform is None:  # pragma: no cover
        counts = hash_rows(features, width)
        repeats = counts.data.astype(np.int64)
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        sizes = np.bincount(rows, weights=repeats, minlength=counts.shape[0]).astype(np.int64)
        return np.repeat(counts.indices, repeats), np.concatenate([[0], np.cumsum(sizes)])
    one = repeat(1)
    indices, indptr, _ = _hashing_transform(
        [zip(row, one, strict=False) for row in features], width, np.float32, False, 0
    )
    return indices, indptr


class TokenColumns:
    """Hashed columns of single tokens for one featurizer setting, cached and thread-safe."""

    def __init__(
        self,
        width: int,
        n_columns: int,
        unigram_offset: int | None,
        char_offsets: dict[int, int],
        word_units: Callable[[Sequence[str]], list[str]],
        char_ngrams: Callable[[Sequence[str], int], list[str]],
        has_char_ngrams: Callable[[str], bool],
    ) -> None:
        self.width = width
        self.unigram_offset = unigram_offset
        self.char_offsets = char_offsets
        self._word_units = word_units
        self._char_ngrams = char_ngrams
        self._has_char_ngrams = has_char_ngrams
        self.dtype = np.dtype(np.int32 if n_columns < 2**31 else np.int64)
        self._cache: dict[str, TokenEntry] = {}
        self._lock = threading.Lock()

    def entries(self, tokens: Iterable[str]) -> dict[str, TokenEntry]:
        """Entry of every distinct token in ``tokens`` (cached ones reused, the rest hashed now)."""
        cache = self._cache
        found: dict[str, TokenEntry] = {}
        missing: list[str] = []
        for token in tokens:
            if token in found:
                continue
            entry = cache.get(token)
            if entry is None:
                missing.append(token)
                found[token] = ((), b"")  # placeholder, filled below
            else:
                found[token] = entry
        if missing:
            fresh = self._compute(missing)
            found.update(fresh)
            with self._lock:
                room = TOKEN_CACHE_SIZE - len(cache)
                if room > 0:
                    cache.update(list(fresh.items())[:room])
        return found

    def _compute(self, tokens: list[str]) -> dict[str, TokenEntry]:
        units = [tuple(self._word_units([token])) for token in tokens]
        ids, cols = self._columns_python(tokens, units)
        if ids is None:
            return {token: (units[i], b"") for i, token in enumerate(tokens)}
        order = np.argsort(ids, kind="stable")  # per token: blocks in order, as before
        cols = cols[order]
        bounds = np.searchsorted(ids[order], np.arange(len(tokens) + 1))
        return {
            token: (units[i], cols[bounds[i] : bounds[i + 1]].tobytes())
            for i, token in enumerate(tokens)
        }

    def _columns_python(
        self, tokens: list[str], units: list[tuple[str, ...]]
    ) -> tuple[np.ndarray | None, np.ndarray]:
        """(token of each column, column): unigram and character n-gram strings hashed in one pass."""
        offsets: list[int] = []
        features: list[Sequence[str]] = []  # one row per (block, token), block-major
        if self.unigram_offset is not None:
            offsets.append(self.unigram_offset)
            features += units
        for order, offset in self.char_offsets.items():
            offsets.append(offset)
            features += [self._char_ngrams([token], order) for token in tokens]
        if not features:
            return None, np.empty(0, dtype=self.dtype)
        indices, indptr = hash_entries(features, self.width)  # one hashing pass, every block
        row_of_entry = np.repeat(np.arange(len(features)), np.diff(indptr))
        block, ids = np.divmod(row_of_entry, len(tokens))
        cols = (indices + np.asarray(offsets, dtype=np.int64)[block]).astype(self.dtype)
        return ids, cols
