"""Token facts come from a per-text cache; they must equal spaCy's own Token attributes.

The reference is a plain ``spacy.blank("en")`` with every lexical attribute getter, so the
tests also pin that brandfit's trimmed getters (``LEXEME_ATTRIBUTES``) change nothing.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.language import Language

from brandfit.text import tokens
from brandfit.text.nlp import LEXEME_ATTRIBUTES, make_nlp
from brandfit.text.normalize import normalize_text
from brandfit.text.tokenizer import build_social_tokenizer

EDGE = [
    "",
    "   ",
    "Leg day done 💪🏽 then a protein smoothie #fitness @coach",
    "loooooool this is sooooo good!!! https://x.co/abc",
    "Der Zug kommt heute später an, leider",
    "👨‍👩‍👧 🇬🇧 1️⃣ :-)",
    "I can't believe it's not butter $TSLA #ad",
    "line one\nline two\ttabbed",
]


@lru_cache(maxsize=1)
def _untrimmed_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.tokenizer = build_social_tokenizer(nlp)
    return nlp


def _reference(texts: list[str]) -> list[tokens.TokenizedPost]:
    """The same facts read from spaCy Token objects of an untrimmed pipeline, one at a time."""
    nlp = _untrimmed_nlp()
    out = []
    for text in texts:
        normalised = normalize_text(text)
        doc = nlp.tokenizer(normalised)
        kept, n_words, n_hints = [], 0, 0
        for token in doc:
            if token.is_space:
                continue
            lower = token.lower_
            kept.append(tokens._clean_token(lower))
            if token.is_alpha and lower not in tokens._PLACEHOLDERS:
                n_words += 1
                n_hints += token.is_stop or lower in tokens._ENGLISH_HINTS
        letters = tokens._letter_counts(normalised) if n_words else (0, 0)
        out.append(tokens.TokenizedPost(tuple(kept), *letters, n_words, n_hints))
    return out


def test_tokens_pipeline_computes_only_the_attributes_brandfit_reads() -> None:
    assert set(make_nlp().vocab.lex_attr_getters) == set(LEXEME_ATTRIBUTES)
    assert len(_untrimmed_nlp().vocab.lex_attr_getters) > len(LEXEME_ATTRIBUTES)


def test_tokens_cached_facts_equal_spacy_token_attributes() -> None:
    expected = _reference(EDGE)
    assert tokens.tokenize_posts(EDGE) == expected  # cache filling
    assert tokens.tokenize_posts(EDGE) == expected  # cache hits


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=5))
def test_tokens_cached_facts_equal_spacy_token_attributes_on_any_text(texts: list[str]) -> None:
    assert tokens.tokenize_posts(texts) == _reference(texts)


_SPACEY = st.lists(
    st.sampled_from(
        [
            "a",
            "B",
            "'",
            ".",
            "#",
            "@",
            "-",
            "é",
            "💪",
            "🏽",
            " ",
            "  ",
            "\n",
            "\t",
            "\u00a0",
            "\u2003",
            "\u3000",
            "\u200b",
            "can't",
            "gonna",
            "http://x.co/a b",
            ":)",
        ]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.lists(_SPACEY, max_size=6))
def test_tokens_cached_facts_equal_spacy_on_whitespace_and_emoticon_runs(texts: list[str]) -> None:
    """Whitespace of every kind and emoticons next to words.

    spaCy's special cases depend on neighbouring text (``":):)'@"`` alone starts with ``:)``,
    after ``"gonnacan't:) "`` with ``:`` and ``)``), so tokens must come from whole texts,
    never from whitespace-separated pieces tokenised apart (tried 2026-12-01, rejected).
    """
    assert tokens.tokenize_posts(texts) == _reference(texts)
    assert tokens.tokenize_posts(texts) == _reference(texts)  # token facts from the cache
