"""Shared, stateless featurisation: social tokens -> hashed word and character n-grams.

Every head uses the same hashed feature space, so a post is tokenised and vectorised
once however many heads score it. Nothing is learned here (hashing needs no
vocabulary); what a head learns about these columns lives in the head itself.

Columns ``[0, n_word_features)`` hold word n-grams, the rest character n-grams of
word tokens (``char_wb`` style, padded with spaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction import FeatureHasher
from sklearn.utils.validation import check_is_fitted

from brandfit.text.tokens import TokenizedPost, strip_emoji_modifiers, tokenize_posts
from brandfit.text.tokenizer import EMOJI_RE


def _as_texts(X: Any) -> list[str]:
    if isinstance(X, str):
        raise TypeError("expected an iterable of texts, got a single string; wrap it in a list")
    if hasattr(X, "columns"):  # a one-column DataFrame
        if X.shape[1] != 1:
            raise ValueError(f"expected one text column, got {X.shape[1]} columns")
        X = X.iloc[:, 0]
    if isinstance(X, np.ndarray) and X.ndim == 2:
        X = X.ravel()
    return [x if isinstance(x, str) else "" for x in X]


class SocialFeatureHasher(TransformerMixin, BaseEstimator):
    """Hash social-post word n-grams and character n-grams into a fixed sparse space.

    Parameters
    ----------
    word_ngram_range : tuple of int
        Smallest and largest word n-gram.
    char_ngram_range : tuple of int
        Smallest and largest character n-gram, taken inside word tokens.
    n_word_features, n_char_features : int
        Width of the word and character blocks.
    batch_size : int
        Posts per ``tokenizer.pipe`` batch.
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        n_word_features: int = 2**20,
        n_char_features: int = 2**20,
        batch_size: int = 1000,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.n_word_features = n_word_features
        self.n_char_features = n_char_features
        self.batch_size = batch_size

    def fit(self, X: Any, y: Any = None) -> SocialFeatureHasher:
        """Validate parameters; hashing learns nothing from data."""
        lo, hi = self.word_ngram_range
        clo, chi = self.char_ngram_range
        if not (1 <= lo <= hi) or not (0 <= clo <= chi):
            raise ValueError("n-gram ranges must be (min, max) with 1 <= min <= max")
        self.n_features_out_ = self.n_word_features + self.n_char_features
        return self

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    # -- analysis -----------------------------------------------------------------
    def word_features(self, tokens: Sequence[str]) -> list[str]:
        """Word n-gram feature strings of one tokenised post."""
        units: list[str] = []
        for token in tokens:
            if token[:1] == "#" and len(token) > 1:
                units.append(token)
                units.append(token[1:])
            elif EMOJI_RE.match(token):
                units.append(strip_emoji_modifiers(token))
            else:
                units.append(token)
        lo, hi = self.word_ngram_range
        features = units[:] if lo == 1 else []
        for n in range(max(lo, 2), hi + 1):
            features.extend(" ".join(units[i : i + n]) for i in range(len(units) - n + 1))
        return features

    def char_features(self, tokens: Sequence[str]) -> list[str]:
        """Character n-gram feature strings of one tokenised post (word tokens only)."""
        lo, hi = self.char_ngram_range
        if hi == 0:
            return []
        features: list[str] = []
        for token in tokens:
            if not token[:1].isalpha() and token[:1] != "#":
                continue
            padded = f" {token} "
            size = len(padded)
            for n in range(max(lo, 1), hi + 1):
                if n > size:
                    break
                features.extend(padded[i : i + n] for i in range(size - n + 1))
        return features

    def _hash(self, features: Iterable[list[str]], n_features: int) -> sp.csr_matrix:
        hasher = FeatureHasher(n_features=n_features, input_type="string", alternate_sign=False)
        return hasher.transform(features).tocsr()

    def transform_tokenized(self, posts: Sequence[TokenizedPost]) -> sp.csr_matrix:
        """Hash already tokenised posts (lets callers reuse tokens for flags)."""
        check_is_fitted(self)
        words = self._hash((self.word_features(p.tokens) for p in posts), self.n_word_features)
        chars = self._hash((self.char_features(p.tokens) for p in posts), self.n_char_features)
        matrix = sp.hstack([words, chars], format="csr", dtype=np.float32)
        matrix.sum_duplicates()
        return matrix

    def tokenize(self, X: Any) -> list[TokenizedPost]:
        """Normalise and tokenise texts in batches."""
        return tokenize_posts(_as_texts(X), batch_size=self.batch_size)

    def transform(self, X: Any) -> sp.csr_matrix:
        """Return the hashed count matrix of shape (n_posts, n_word + n_char features)."""
        check_is_fitted(self)
        return self.transform_tokenized(self.tokenize(X))

    def feature_index(self, feature: str, block: str = "word") -> int:
        """Column of ``feature`` (a word or character n-gram string) in the hashed space."""
        if block == "word":
            return int(self._hash([[feature]], self.n_word_features).indices[0])
        return self.n_word_features + int(
            self._hash([[feature]], self.n_char_features).indices[0]
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the hashed columns (hashing is one-way, so they are positional)."""
        names = [f"word_hash_{i}" for i in range(self.n_word_features)]
        names += [f"char_hash_{i}" for i in range(self.n_char_features)]
        return np.asarray(names, dtype=object)
