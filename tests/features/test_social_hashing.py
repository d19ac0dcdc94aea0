from __future__ import annotations

import joblib
import numpy as np
from sklearn.base import clone

from brandfit.features import SocialFeatureHasher

TEXTS = ["Loving the new #fitness plan 💪 @user", "", "pasta night!!! {{URL}}", "😀"]


def test_social_hashing_is_deterministic_and_stateless() -> None:
    a = SocialFeatureHasher().transform(TEXTS)
    b = SocialFeatureHasher().fit(["anything"]).transform(TEXTS)
    assert a.shape == (4, 6 * 2**20)  # word 1-2 + char 2-5, one block per order
    assert (a != b).nnz == 0


def test_social_hashing_clone_and_joblib_round_trip(tmp_path) -> None:
    hasher = SocialFeatureHasher(word_ngram_range=(1, 3), block_width=2**12)
    copy = clone(hasher)
    assert copy.get_params() == hasher.get_params()
    joblib.dump(hasher, tmp_path / "h.joblib")
    loaded = joblib.load(tmp_path / "h.joblib")
    assert (loaded.transform(TEXTS) != hasher.transform(TEXTS)).nnz == 0


def test_social_hashing_hashtag_gives_tag_and_word() -> None:
    hasher = SocialFeatureHasher()
    posts = hasher.tokenize(["#Fitness goals"])
    words = hasher.word_features(posts[0].tokens)
    assert "#fitness" in words
    assert "fitness" in words
    assert "fitness goals" in words


def test_social_hashing_empty_post_is_an_empty_row() -> None:
    X = SocialFeatureHasher().transform(["", "   "])
    assert X.nnz == 0


def test_social_hashing_feature_index_points_at_the_column() -> None:
    hasher = SocialFeatureHasher(block_width=2**12)
    X = hasher.transform(["gym class"])
    assert X[0, hasher.feature_index("gym")] >= 1
    assert X[0, hasher.feature_index("gym class")] >= 1
    assert X[0, hasher.feature_index(" gy", block="char")] >= 1
    assert hasher.word_feature_indices(["gym", "gym class"]).tolist() == [
        hasher.feature_index("gym"),
        hasher.feature_index("gym class"),
    ]


def test_social_hashing_rejects_a_bare_string() -> None:
    import pytest

    with pytest.raises(TypeError, match="single string"):
        SocialFeatureHasher().transform("just one post")


def test_social_hashing_each_order_has_its_own_block() -> None:
    hasher = SocialFeatureHasher(
        word_ngram_range=(1, 2), char_ngram_range=(3, 3), block_width=2**10
    )
    X = hasher.transform(["hello world"]).toarray()[0]
    unigrams, bigrams, trigrams = X[: 2**10], X[2**10 : 2**11], X[2**11 :]
    assert np.count_nonzero(unigrams) == 2
    assert np.count_nonzero(bigrams) == 1
    assert np.count_nonzero(trigrams) == len(" hello ") - 2 + len(" world ") - 2
    assert hasher.n_word_columns == 2**11


def test_social_hashing_lexicon_puts_a_polarity_word_before_rated_words() -> None:
    hasher = SocialFeatureHasher(lexicon="vader")
    tokens = hasher.tokenize(["Not good at all #happy"])[0].tokens
    units = hasher.word_units(tokens)
    assert units == ["not", "[lex:pos]", "good", "at", "all", "#happy", "[lex:pos+]", "happy"]
    # the bigram that generalises over every negated positive word
    assert "not [lex:pos]" in hasher.word_features(tokens)


def test_social_hashing_lexicon_adds_columns_and_none_keeps_the_old_matrix() -> None:
    plain = SocialFeatureHasher().transform([*TEXTS, "not good"])
    again = SocialFeatureHasher(lexicon=None).transform([*TEXTS, "not good"])
    assert (plain != again).nnz == 0
    lex = SocialFeatureHasher(lexicon="vader").transform([*TEXTS, "not good"])
    hasher = SocialFeatureHasher(lexicon="vader")
    pseudo = hasher.feature_index("[lex:pos]")
    bigram = hasher.feature_index("not [lex:pos]")
    assert lex[4, pseudo] == 1 and lex[4, bigram] == 1
    assert plain[4, pseudo] == 0 and plain[4, bigram] == 0
    # rows without rated words are the same either way (same process, separate token caches)
    assert (lex[1:4] != plain[1:4]).nnz == 0
    assert lex[0].nnz > plain[0].nnz  # "loving" is rated


def test_social_hashing_unpickled_without_lexicon_attribute_has_none(tmp_path) -> None:
    old = SocialFeatureHasher()
    del old.__dict__["lexicon"]  # as pickled before the parameter existed
    joblib.dump(old, tmp_path / "old.joblib")
    loaded = joblib.load(tmp_path / "old.joblib")
    assert loaded.lexicon is None
    assert (loaded.transform(TEXTS) != SocialFeatureHasher().transform(TEXTS)).nnz == 0
