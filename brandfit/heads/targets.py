"""Target conditioning for the alignment head ("frustratingly easy" domain adaptation).

A post judged against value *t* gets its features twice: once in a shared block, once
in the block of *t*. Small targets borrow strength from the shared block while each
target still learns its own cues.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp


def condition_on_targets(
    X: sp.csr_matrix, target_ids: Sequence[int] | np.ndarray, n_targets: int
) -> sp.csr_matrix:
    """Return ``[X | X in block of each row's target]`` of width ``(1 + n_targets) * d``."""
    X = sp.csr_matrix(X)
    ids = np.asarray(target_ids, dtype=np.int64)
    if ids.shape[0] != X.shape[0]:
        raise ValueError("one target per row is needed")
    if ids.size and (ids.min() < 0 or ids.max() >= n_targets):
        raise ValueError("target id out of range")
    d = X.shape[1]
    lengths = np.diff(X.indptr)
    offsets = np.repeat((ids + 1) * d, lengths)
    rows = np.repeat(np.arange(X.shape[0]), lengths)
    data = np.concatenate([X.data, X.data])
    cols = np.concatenate([X.indices.astype(np.int64), X.indices + offsets])
    out = sp.csr_matrix(
        (data, (np.concatenate([rows, rows]), cols)), shape=(X.shape[0], (1 + n_targets) * d)
    )
    out.sort_indices()
    return out
