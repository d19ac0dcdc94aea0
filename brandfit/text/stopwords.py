"""Which evidence terms are only stop words (spaCy's English list) and so explain nothing.

An evidence term is a word n-gram of the featurizer: words joined by spaces, possibly
with placeholders such as ``@user`` or lexicon markers such as ``[lex:pos]``. A term
whose words are all stop words or bare punctuation (``"and"``, ``"is"``, ``"of the"``,
``"[lex:neg] not"``, ``". [lex:neg+]"``) is not shown as evidence; a term with at least
one other word (``"the gym"``, ``"💪"``) is, and so is a pure lexicon marker
(``"[lex:pos+]"``: the post hit the polarity lexicon).
"""

from __future__ import annotations

import unicodedata

from spacy.lang.en.stop_words import STOP_WORDS

from brandfit.text.normalize import USER_PLACEHOLDER


def _is_marker(token: str) -> bool:
    return token == USER_PLACEHOLDER or (token.startswith("[") and token.endswith("]"))


def _is_filler(token: str) -> bool:
    """A stop word, or a token of punctuation only."""
    return token in STOP_WORDS or all(unicodedata.category(ch).startswith("P") for ch in token)


def is_stop_term(term: str) -> bool:
    """True if ``term`` has a stop word (or punctuation) and no other word besides markers."""
    words = [token for token in term.lower().split() if not _is_marker(token)]
    return bool(words) and all(_is_filler(word) for word in words)
