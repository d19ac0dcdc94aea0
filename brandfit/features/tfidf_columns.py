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

    With ``dense_columns`` set, the last that many input columns are a dense block (the
    sentence encoder's embedding): it is passed through after the TF-IDF columns, scaled
    by ``dense_weight``, never selected, weighted or normalised. ``lexical=False`` keeps
    no hashed column at all (an encoder-only head).
    """

    # defaults for models pickled before the encoder block existed
    dense_columns = 0
    dense_weight = 1.0
    lexical = True

    def __init__(
        self,
        min_df: int = 2,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        block_width: int | None = None,
        dense_columns: int = 0,
        dense_weight: float = 1.0,
        lexical: bool = True,
    ) -> None:
        super().__init__(min_df=min_df, max_features=max_features)
        self.sublinear_tf = sublinear_tf
        self.block_width = block_width
        self.dense_columns = dense_columns
        self.dense_weight = dense_weight
        self.lexical = lexical

    def fit(self, X: Any, y: Any = None) -> TfidfColumns:
        """Choose columns and learn their smoothed inverse document frequencies."""
        X = sp.csr_matrix(validate_data(self, X, accept_sparse="csr"))
        n_sparse = X.shape[1] - self.dense_columns
        if n_sparse < 0:
            raise ValueError(f"{self.dense_columns} dense columns but only {X.shape[1]} in all")
        hashed = X[:, :n_sparse] if self.dense_columns else X
        super().fit(hashed, y)
        self.n_features_in_ = X.shape[1]
        if not self.lexical:
            self.columns_ = np.zeros(0, dtype=np.int32)
        df = np.bincount(hashed.indices, minlength=n_sparse)[self.columns_]
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
        return self._with_dense(super().transform(X), X)

    def transform_trusted(self, X: sp.csr_matrix) -> sp.csr_matrix:
        """:meth:`transform` for a CSR matrix from brandfit's own featurizer (no re-validation)."""
        check_is_fitted(self, "idf_")
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"expected {self.n_features_in_} columns, got {X.shape[1]}")
        X = sp.csr_matrix(X)
        return self._with_dense(self._select(X), X)

    def _with_dense(self, selected: sp.csr_matrix, X: Any) -> sp.csr_matrix:
        weighted = self._weight(selected)
        if not self.dense_columns:
            return weighted
        dense = sp.csr_matrix(X)[:, self.n_features_in_ - self.dense_columns :]
        dense = dense.astype(weighted.dtype) * self.dense_weight
        return sp.hstack([weighted, dense], format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Kept hashed columns (``x<column>``), then ``dense<i>`` for the dense block."""
        names = super().get_feature_names_out(input_features)
        dense = np.asarray([f"dense{i}" for i in range(self.dense_columns)], dtype=object)
        return np.concatenate([names, dense])

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
