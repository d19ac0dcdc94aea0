from __future__ import annotations

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from brandfit.features import FrequentColumns


def matrix() -> sp.csr_matrix:
    return sp.csr_matrix(
        np.array([[1, 0, 2, 0, 0], [1, 0, 0, 3, 0], [0, 0, 1, 1, 0], [0, 0, 0, 0, 0]], dtype=float)
    )


def test_frequent_columns_keeps_columns_seen_in_min_df_rows() -> None:
    sel = FrequentColumns(min_df=2).fit(matrix())
    assert sel.columns_.tolist() == [0, 2, 3]
    out = sel.transform(matrix()).toarray()
    assert out.tolist() == [[1, 2, 0], [1, 0, 3], [0, 1, 1], [0, 0, 0]]


def test_frequent_columns_known_counts_handle_empty_rows() -> None:
    sel = FrequentColumns(min_df=2).fit(matrix())
    new = sp.csr_matrix(np.array([[0, 5, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0, 0, 0, 0]], dtype=float))
    assert sel.known_counts(new).tolist() == [0, 3, 0]


def test_frequent_columns_max_features_keeps_most_frequent() -> None:
    sel = FrequentColumns(min_df=1, max_features=2).fit(matrix())
    assert sel.columns_.tolist() == [0, 2]  # ties (df 2) broken by column order


def test_frequent_columns_not_fitted_clone_and_joblib(tmp_path) -> None:
    with pytest.raises(NotFittedError):
        FrequentColumns().transform(matrix())
    sel = FrequentColumns(min_df=2).fit(matrix())
    assert clone(sel).get_params() == sel.get_params()
    joblib.dump(sel, tmp_path / "s.joblib")
    loaded = joblib.load(tmp_path / "s.joblib")
    assert (loaded.transform(matrix()) != sel.transform(matrix())).nnz == 0


def test_frequent_columns_rejects_wrong_width() -> None:
    sel = FrequentColumns().fit(matrix())
    with pytest.raises(ValueError, match="expected 5 columns"):
        sel.transform(sp.csr_matrix((1, 4)))


def test_tfidf_columns_normalise_each_block_on_its_own() -> None:
    from brandfit.features import TfidfColumns

    X = sp.csr_matrix(np.array([[1, 1, 0, 4], [1, 0, 1, 1], [1, 1, 1, 0]], dtype=float))
    out = TfidfColumns(min_df=1, block_width=2).fit(X).transform(X).toarray()
    for row in out:
        for block in (row[:2], row[2:]):
            norm = np.linalg.norm(block)
            assert norm == pytest.approx(1.0, abs=1e-6) or norm == 0
    whole = TfidfColumns(min_df=1).fit(X).transform(X).toarray()
    assert np.linalg.norm(whole, axis=1) == pytest.approx(1.0, abs=1e-6)


def test_tfidf_columns_rarer_columns_weigh_more() -> None:
    from brandfit.features import TfidfColumns

    X = sp.csr_matrix(np.array([[1, 1], [1, 0], [1, 0]], dtype=float))
    out = TfidfColumns(min_df=1, sublinear_tf=False).fit(X).transform(X).toarray()
    assert out[0, 1] > out[0, 0]
