from __future__ import annotations

import pytest

from brandfit.text.stopwords import is_stop_term


@pytest.mark.parametrize(
    "term", ["and", "is", "Not", "of the", "[lex:neg] not", ". [lex:neg+]", "@user the", "!"]
)
def test_stopwords_terms_of_stop_words_or_punctuation_alone_are_stop_terms(term: str) -> None:
    assert is_stop_term(term)


@pytest.mark.parametrize(
    "term", ["gym", "the gym", "#fitness", "[lex:pos+]", "[lex:pos] fitness", "💪", "new @user"]
)
def test_stopwords_terms_with_a_content_word_or_only_markers_are_kept(term: str) -> None:
    assert not is_stop_term(term)
