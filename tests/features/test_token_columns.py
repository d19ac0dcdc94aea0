"""The cached per-token featurizer gives exactly the matrix of plain per-post hashing."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from brandfit.features import SocialFeatureHasher, token_columns
from brandfit.features.token_columns import hash_rows

POSTS = [
    "Loving the new #fitness plan 💪🏽 @user https://t.co/x",
    "",
    "pasta night!!! {{URL}} sooooo good",
    "😀",
    "aaaa aaaa #aaaa",
    "Das ist ein deutscher Satz über Fußball",
    "$AAPL to the moon 🚀🚀 #stocks #ad",
]


def reference_matrix(hasher: SocialFeatureHasher, texts: list[str]) -> sp.csr_matrix:
    """Per-post hashing of every n-gram order, as the featurizer did before the token cache."""
    posts = hasher.tokenize(texts)
    words, chars = hasher._orders()
    units = [hasher.word_units(p.tokens) for p in posts]
    blocks = [
        hash_rows((hasher._word_ngrams(u, n) for u in units), hasher.block_width) for n in words
    ]
    blocks += [
        hash_rows((hasher._char_ngrams(p.tokens, n) for p in posts), hasher.block_width)
        for n in chars
    ]
    matrix = sp.hstack(blocks, format="csr", dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def assert_identical(a: sp.csr_matrix, b: sp.csr_matrix) -> None:
    assert a.shape == b.shape
    assert a.dtype == b.dtype == np.float32
    assert np.array_equal(a.indptr, b.indptr)
    assert np.array_equal(a.indices, b.indices)
    assert np.array_equal(a.data, b.data)


def test_token_cache_gives_the_reference_matrix() -> None:
    for hasher in (
        SocialFeatureHasher(),
        SocialFeatureHasher(word_ngram_range=(1, 3), char_ngram_range=(3, 4), block_width=2**12),
        SocialFeatureHasher(word_ngram_range=(2, 2), char_ngram_range=(0, 0), block_width=2**10),
    ):
        assert_identical(hasher.transform(POSTS), reference_matrix(hasher, POSTS))
        assert_identical(
            hasher.transform(POSTS), reference_matrix(hasher, POSTS)
        )  # now from the cache


def test_a_full_cache_still_hashes_new_tokens(monkeypatch) -> None:
    monkeypatch.setattr(token_columns, "TOKEN_CACHE_SIZE", 0)
    hasher = SocialFeatureHasher(block_width=2**14)
    assert_identical(
        hasher.transform([*POSTS, "brandnewtoken"]),
        reference_matrix(hasher, [*POSTS, "brandnewtoken"]),
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=5))
def test_token_cache_matches_reference_on_any_text(texts: list[str]) -> None:
    hasher = SocialFeatureHasher(block_width=2**16)
    assert_identical(hasher.transform(texts), reference_matrix(hasher, texts))


def test_hash_entries_are_featurehasher_counts_unsummed() -> None:
    from brandfit.features.token_columns import hash_entries

    rows = [["a", "b", "a"], [], ["über", "🔥", "a b"], ["a"]]
    indices, indptr = hash_entries(rows, 2**20)
    counts = hash_rows(rows, 2**20)
    assert indptr.tolist() == [0, 3, 3, 6, 7]
    expanded = sp.csr_matrix(
        (np.ones(indices.size, dtype=np.float32), indices, indptr), shape=counts.shape
    )
    expanded.sum_duplicates()
    assert_identical(expanded, counts.astype(np.float32))
