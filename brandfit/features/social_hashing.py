"""Shared, stateless featurisation: social tokens -> hashed word and character n-grams.

Every head uses the same hashed feature space, so a post is tokenised and vectorised
once however many heads score it. Nothing is learned here (hashing needs no
vocabulary); what a head learns about these columns lives in the head itself.

Each n-gram order has its own block of columns: word orders first, then character
n-grams of word tokens (``char_wb`` style, padded with spaces).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from brandfit.features.token_columns import TokenColumns, hash_entries, hash_rows
from brandfit.text.sentiment_lexicon import lexicon_units
from brandfit.text.tokenizer import EMOJI_RE
from brandfit.text.tokens import TokenizedPost, strip_emoji_modifiers, tokenize_posts


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


#: One per-token column cache per featurizer setting, shared by every head and thread.
_TOKEN_TABLES: dict[tuple[tuple[int, ...], tuple[int, ...], int, str | None], TokenColumns] = {}


class SocialFeatureHasher(TransformerMixin, BaseEstimator):
    """Hash social-post word n-grams and character n-grams into a fixed sparse space.

    Each n-gram order gets its own block of ``block_width`` columns (word orders first,
    then character orders), so a head can weight and normalise each order separately.

    Parameters
    ----------
    word_ngram_range : tuple of int
        Smallest and largest word n-gram.
    char_ngram_range : tuple of int
        Smallest and largest character n-gram, taken inside word tokens; ``(0, 0)`` for none.
    block_width : int
        Columns per n-gram order.
    batch_size : int
        Posts per ``tokenizer.pipe`` batch.
    lexicon : str or None
        ``"vader"``: a word with a polarity rating is preceded by a pseudo-word for it
        (:mod:`brandfit.text.sentiment_lexicon`); ``None``: words only.
    """

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        block_width: int = 2**20,
        batch_size: int = 1000,
        lexicon: str | None = None,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.block_width = block_width
        self.batch_size = batch_size
        self.lexicon = lexicon

    def _orders(self) -> tuple[list[int], list[int]]:
        lo, hi = self.word_ngram_range
        clo, chi = self.char_ngram_range
        if not (1 <= lo <= hi) or not (0 <= clo <= chi) or (chi > 0 and clo < 1):
            raise ValueError(
                "n-gram ranges must be (min, max) with 1 <= min <= max (chars may be (0, 0))"
            )
        return list(range(lo, hi + 1)), (list(range(clo, chi + 1)) if chi > 0 else [])

    def fit(self, X: Any, y: Any = None) -> SocialFeatureHasher:
        """Validate parameters; hashing learns nothing from data."""
        self._orders()
        self.n_features_out_ = self.n_columns
        return self

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("lexicon", None)  # featurizers pickled before lexicons existed
        super().__setstate__(state)

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    @property
    def n_word_columns(self) -> int:
        """Columns ``[0, n_word_columns)`` hold word n-grams; the rest character n-grams."""
        words, _ = self._orders()
        return len(words) * self.block_width

    @property
    def n_columns(self) -> int:
        """Width of the whole hashed space."""
        words, chars = self._orders()
        return (len(words) + len(chars)) * self.block_width

    # -- analysis -----------------------------------------------------------------
    def word_units(self, tokens: Sequence[str]) -> list[str]:
        """Tokens as word units: ``#tag`` also yields ``tag``; emoji lose skin-tone modifiers.

        With a ``lexicon``, a rated word is preceded by its polarity pseudo-word.
        """
        polarity = lexicon_units(self.lexicon) if self.lexicon else None
        units: list[str] = []
        for token in tokens:
            if token[:1] == "#" and len(token) > 1:
                units.append(token)
                word = token[1:]
            elif EMOJI_RE.match(token):
                word = strip_emoji_modifiers(token)
            else:
                word = token
            if polarity is not None:
                unit = polarity.get(word)
                if unit is not None:
                    units.append(unit)
            units.append(word)
        return units

    def word_features(self, tokens: Sequence[str]) -> list[str]:
        """Word n-gram feature strings of one tokenised post (all orders)."""
        units = self.word_units(tokens)
        words, _ = self._orders()
        features: list[str] = []
        for n in words:
            features.extend(self._word_ngrams(units, n))
        return features

    @staticmethod
    def _word_ngrams(units: Sequence[str], n: int) -> list[str]:
        if n == 1:
            return list(units)
        return [" ".join(units[i : i + n]) for i in range(len(units) - n + 1)]

    @staticmethod
    def _has_char_ngrams(token: str) -> bool:
        """Character n-grams are taken of word-like tokens and hashtags only."""
        first = token[:1]
        return first.isalpha() or first == "#"

    @staticmethod
    def _char_ngrams(tokens: Sequence[str], n: int) -> list[str]:
        grams: list[str] = []
        for token in tokens:
            if not SocialFeatureHasher._has_char_ngrams(token):
                continue
            padded = f" {token} "
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
        return grams

    def _hash(self, features: Iterable[list[str]]) -> sp.csr_matrix:
        return hash_rows(features, self.block_width)

    def _token_columns(self) -> TokenColumns:
        """The process-wide per-token column cache for this setting."""
        words, chars = self._orders()
        key = (tuple(words), tuple(chars), self.block_width, self.lexicon)
        table = _TOKEN_TABLES.get(key)
        if table is None:
            table = TokenColumns(
                width=self.block_width,
                n_columns=self.n_columns,
                unigram_offset=words.index(1) * self.block_width if 1 in words else None,
                char_offsets={n: (len(words) + i) * self.block_width for i, n in enumerate(chars)},
                word_units=self.word_units,
                char_ngrams=self._char_ngrams,
                has_char_ngrams=self._has_char_ngrams,
            )
            table = _TOKEN_TABLES.setdefault(key, table)
        return table

    def transform_tokenized(self, posts: Sequence[TokenizedPost]) -> sp.csr_matrix:
        """Hash already tokenised posts (lets callers reuse tokens for flags)."""
        rows, cols = self.hashed_entries(posts)
        matrix = sp.csr_matrix(
            (np.ones(rows.size, dtype=np.float32), (rows, cols)),
            shape=(len(posts), self.n_columns),
            dtype=np.float32,
        )
        matrix.sum_duplicates()
        return matrix

    def hashed_entries(self, posts: Sequence[TokenizedPost]) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of every feature occurrence, unsummed: the count matrix as entries.

        Unigram and character n-gram columns come per distinct token from a cache;
        longer word n-grams are hashed per post. Callers that only need some columns
        filter before summing, which is cheaper than building
        the whole matrix.
        """
        check_is_fitted(self)
        words, _ = self._orders()
        table = self._token_columns()
        entries = table.entries(token for post in posts for token in post.tokens)
        pieces: list[bytes] = []
        sizes: list[int] = []
        units: list[list[str]] = []
        for post in posts:
            post_units: list[str] = []
            size = 0
            for token in post.tokens:
                token_units, columns = entries[token]
                post_units.extend(token_units)
                pieces.append(columns)
                size += len(columns)
            sizes.append(size // table.dtype.itemsize)
            units.append(post_units)
        post_ids = np.arange(len(posts), dtype=np.int64)
        rows = [np.repeat(post_ids, sizes)]
        cols = [np.frombuffer(b"".join(pieces), dtype=table.dtype).astype(np.int64)]
        for position, n in enumerate(words):
            if n == 1:
                continue
            indices, indptr = hash_entries(
                (self._word_ngrams(u, n) for u in units), self.block_width
            )
            rows.append(np.repeat(post_ids, np.diff(indptr)))
            cols.append(indices.astype(np.int64) + position * self.block_width)
        return np.concatenate(rows), np.concatenate(cols)

    def tokenize(self, X: Any) -> list[TokenizedPost]:
        """Normalise and tokenise texts in batches."""
        return tokenize_posts(_as_texts(X), batch_size=self.batch_size)

    def transform(self, X: Any) -> sp.csr_matrix:
        """Return the hashed count matrix of shape (n_posts, n_columns)."""
        check_is_fitted(self)
        return self.transform_tokenized(self.tokenize(X))

    def feature_index(self, feature: str, block: str = "word") -> int:
        """Column of a word n-gram (order = number of words) or character n-gram string."""
        words, chars = self._orders()
        if block == "word":
            position = words.index(len(feature.split(" ")))
        else:
            position = len(words) + chars.index(len(feature))
        column = int(self._hash([[feature]]).indices[0])
        return position * self.block_width + column

    def word_feature_indices(self, terms: Sequence[str]) -> np.ndarray:
        """Columns of many word n-gram strings at once (one hashing pass per order)."""
        words, _ = self._orders()
        out = np.full(len(terms), -1, dtype=np.int64)
        by_order: dict[int, list[int]] = {}
        for i, term in enumerate(terms):
            by_order.setdefault(len(term.split(" ")), []).append(i)
        for order, positions in by_order.items():
            if order not in words:
                continue
            hashed = self._hash([[terms[i]] for i in positions]).indices
            out[positions] = words.index(order) * self.block_width + hashed
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the hashed columns (hashing is one-way, so they are positional)."""
        words, chars = self._orders()
        names = [f"word{n}_hash_{i}" for n in words for i in range(self.block_width)]
        names += [f"char{n}_hash_{i}" for n in chars for i in range(self.block_width)]
        return np.asarray(names, dtype=object)
