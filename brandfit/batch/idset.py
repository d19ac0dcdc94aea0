"""A compact set of post ids for duplicate detection over archives of any size.

Ids are stored as 64-bit hashes (8 bytes per post, so 1M posts take 8 MB) in a few
sorted levels that merge like a log-structured tree: adding a chunk costs
O(chunk log n) amortised and a lookup is a binary search per level. Two distinct ids
share a hash with probability about n²/2⁶⁵ (3·10⁻⁸ for a million posts); such a pair
would be quarantined as ``duplicate id``, never lost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def hash_ids(ids: Sequence[str]) -> np.ndarray:
    """Stable 64-bit hashes of string ids (the same in every process and run).

    pandas 2 hashes a string only up to its first NUL ("a" and "a\\x00b" would share a
    hash), so ids are escaped first (backslash -> two, NUL -> backslash + "0"): a one-to-one
    mapping that leaves ids without either character unchanged.
    """
    escaped = [
        i.replace("\\", "\\\\").replace("\x00", "\\0") if "\x00" in i or "\\" in i else i
        for i in ids
    ]
    return pd.util.hash_array(np.asarray(escaped, dtype=object)).astype(np.uint64, copy=False)


class IdSet:
    """Ids seen so far; :meth:`add` reports which of a new batch were already seen."""

    def __init__(self) -> None:
        self._levels: list[np.ndarray] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def _contains(self, hashes: np.ndarray) -> np.ndarray:
        found = np.zeros(len(hashes), dtype=bool)
        for level in self._levels:
            pos = np.searchsorted(level, hashes)
            pos[pos == len(level)] = 0
            found |= level[pos] == hashes if len(level) else False
        return found

    def add(self, ids: Sequence[str]) -> np.ndarray:
        """Add ``ids`` in order; ``True`` where an id was seen before (earlier or in this batch)."""
        hashes = hash_ids(ids)
        duplicate = self._contains(hashes)
        _, first = np.unique(hashes, return_index=True)
        repeated = np.ones(len(hashes), dtype=bool)
        repeated[first] = False
        duplicate |= repeated
        fresh = np.sort(hashes[~duplicate])
        if len(fresh):
            self._levels.append(fresh)
            self._size += len(fresh)
            while len(self._levels) > 1 and len(self._levels[-2]) <= 2 * len(self._levels[-1]):
                top = self._levels.pop()
                self._levels[-1] = np.sort(
                    np.concatenate([self._levels[-1], top]), kind="mergesort"
                )
        return duplicate
