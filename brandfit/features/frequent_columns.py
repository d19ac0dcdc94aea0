"""Keep only hashed columns seen often enough in a head's training data."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data


class FrequentColumns(TransformerMixin, BaseEstimator):
    """Select the columns of a sparse matrix whose document frequency is at least ``min_df``.

    Keeps a head small: its weights cover only the n-grams its data contains, not the
    whole hashed space. ``max_features`` keeps the most frequent ones when set.
    """

    def __init__(self, min_df: int = 2, max_features: int | None = None) -> None:
        self.min_df = min_df
        self.max_features = max_features

    def fit(self, X: Any, y: Any = None) -> FrequentColumns:
        """Count document frequencies and choose the columns to keep."""
        X = sp.csr_matrix(validate_data(self, X, accept_sparse="csr"))
        if self.min_df < 1:
            raise ValueError(f"min_df must be >= 1, got {self.min_df}")
        df = np.bincount(X.indices, minlength=X.shape[1])
        keep = np.flatnonzero(df >= self.min_df)
        if self.max_features is not None and keep.size > self.max_features:
            top = np.argsort(-df[keep], kind="stable")[: self.max_features]
            keep = np.sort(keep[top])
        self.n_features_in_ = X.shape[1]
        self.columns_ = keep.astype(np.int32)
        return self

    def _positions(self, indices: np.ndarray) -> np.ndarray:
        """Kept position of each original column index, or -1 (binary search, no big lookup table)."""
        pos = np.searchsorted(self.columns_, indices)
        pos = np.minimum(pos, max(self.columns_.size - 1, 0))
        hit = (
            self.columns_[pos] == indices
            if self.columns_.size
            else np.zeros(indices.shape, dtype=bool)
        )
        return np.where(hit, pos, -1).astype(np.int64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def transform(self, X: Any) -> sp.csr_matrix:
        """Return ``X`` restricted (and re-indexed) to the kept columns."""
        check_is_fitted(self, "columns_")
        if sp.issparse(X) and X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} columns, got {X.shape[1]}")
        X = sp.csr_matrix(validate_data(self, X, accept_sparse="csr", reset=False))
        return self._select(X)

    def _select(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """Column selection on a CSR matrix already known to be valid."""
        new_cols = self._positions(X.indices)
        kept = new_cols >= 0
        row_of = np.repeat(np.arange(X.shape[0], dtype=np.int64), np.diff(X.indptr))
        indptr = np.zeros(X.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of[kept], minlength=X.shape[0]), out=indptr[1:])
        return sp.csr_matrix(
            (X.data[kept], new_cols[kept], indptr), shape=(X.shape[0], self.columns_.size)
        )

    def known_counts(self, X: Any) -> np.ndarray:
        """Number of non-zero kept columns per row (how much of a post this head knows)."""
        check_is_fitted(self, "columns_")
        X = sp.csr_matrix(X)
        kept = self._positions(X.indices) >= 0
        row_of = np.repeat(np.arange(X.shape[0], dtype=np.int64), np.diff(X.indptr))
        return np.bincount(row_of[kept], minlength=X.shape[0])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the kept columns, as ``x<original column>`` unless names are given."""
        check_is_fitted(self, "columns_")
        if input_features is not None:
            return np.asarray(input_features, dtype=object)[self.columns_]
        return np.asarray([f"x{c}" for c in self.columns_], dtype=object)
