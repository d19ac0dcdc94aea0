"""Frequent hashed columns, TF-IDF weighted and L2-normalised per feature block."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted, validate_data

from brandfit.features.frequent_columns import FrequentColumns


class TfidfColumns(FrequentColumns):
    """Keep columns with document frequency >= ``min_df``, then weight them by TF-IDF.

    With ``block_width`` set, the original hashed space is cut into blocks of that
    width (word n-grams, character n-grams, and for target-conditioned heads one pair
    per target) and each block of a row is L2-normalised on its own, so the many
    character n-grams do not drown the few word n-grams.
    """

    def __init__(
        self,
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        block_width: int | None = None,
    ) -> None:
        super().__init__(min_df=min_df, max_features=max_features)
        self.sublinear_tf = sublinear_tf
        self.block_width = block_width

    def fit(self, X: Any, y: Any = None) -> TfidfColumns:
        """Choose columns and learn their smoothed inverse document frequencies."""
        X = sp.csr_matrix(validate_data(self, X, accept_sparse="csr"))
        super().fit(X, y)
        df = np.bincount(X.indices, minlength=X.shape[1])[self.columns_]
        n = X.shape[0]
        self.idf_ = np.log((1 + n) / (1 + df)) + 1.0
        if self.block_width:
            self.column_blocks_ = (self.columns_ // self.block_width).astype(np.int32)
        else:
            self.column_blocks_ = np.zeros(self.columns_.size, dtype=np.int32)
        return self

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def transform(self, X: Any) -> sp.csr_matrix:
        """Selected columns as L2-normalised (per block) TF-IDF weights."""
        check_is_fitted(self, "idf_")
        return self._weight(super().transform(X))

    def transform_trusted(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """:meth:`transform` for a CSR matrix from brandfit's own featurizer (no re-validation)."""
        check_is_fitted(self, "idf_")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} columns, got {X.shape[1]}")
        return self._weight(self._select(sp.csr_matrix(X)))

    def _weight(self, selected: sp.csr_matrix) -> sp.csr_matrix:
        dtype = (
            selected.data.dtype if selected.data.dtype in (np.float32, np.float64) else np.float64
        )
        data = selected.data.astype(dtype)
        if self.sublinear_tf:  # sign-preserving, so signed inputs stay defined
            data = np.sign(data) * np.log1p(np.abs(data))
        data *= self.idf_[selected.indices].astype(dtype)
        rows = np.repeat(np.arange(selected.shape[0]), np.diff(selected.indptr))
        blocks = self.column_blocks_[selected.indices]
        n_blocks = int(self.column_blocks_.max()) + 1 if self.column_blocks_.size else 1
        keys = rows.astype(np.int64) * n_blocks + blocks
        sums = np.bincount(
            keys, weights=data.astype(np.float64) ** 2, minlength=selected.shape[0] * n_blocks
        )
        norms = np.sqrt(sums)[keys]
        data = np.divide(data, norms, out=np.zeros_like(data), where=norms > 0)
        return sp.csr_matrix((data, selected.indices, selected.indptr), shape=selected.shape)
