"""Texts -> normalised, lower-cased token lists, batched through ``tokenizer.pipe``.

This is the one place posts are tokenised on hot paths. Each chunk runs inside
``nlp.memory_zone()`` so a long-running server or batch job does not grow the
string store; only plain Python strings leave the zone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from spacy.attrs import ORTH
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.vocab import Vocab

from brandfit.text.language import ENGLISH_HINT_MIN_WORDS, ENGLISH_HINT_SHARE, is_non_english
from brandfit.text.nlp import NLP_LOCK, make_nlp, memory_zone
from brandfit.text.normalize import URL_PLACEHOLDER, USER_PLACEHOLDER, normalize_text

_REPEATS = re.compile(r"(.)\1{3,}")
_EMOJI_MODIFIERS = re.compile("[\ufe0f\ufe0e\U0001f3fb-\U0001f3ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")
_ANY_LETTER = re.compile(r"[^\W\d_]")
_PLACEHOLDERS = frozenset({URL_PLACEHOLDER, USER_PLACEHOLDER})
_ENGLISH_HINTS = frozenset(STOP_WORDS) | {"lol", "omg", "im", "u", "ur", "dont", "cant", "thx"}
_NOT_WORDS = re.compile(r"(?:[@#$]\w+|httpurl)")


@dataclass(frozen=True, slots=True)
class TokenizedPost:
    """One post after normalisation: its lower-cased tokens and weak-signal facts."""

    tokens: tuple[str, ...]
    n_letters: int
    n_latin_letters: int
    n_word_tokens: int
    n_english_hints: int
    #: the post as given (for the language identifier; not part of equality)
    text: str = field(default="", compare=False, repr=False)

    @property
    def weak_signal_flags(self) -> list[str]:
        """Flags that say why a prediction for this post should not be trusted.

        ``non_english``: most letters are in a non-Latin script, or the language
        identifier is all but sure the words are not English (run here, on demand, so
        training never pays for it). Posts full of English function words skip the
        identifier (:data:`~brandfit.text.language.ENGLISH_HINT_SHARE`).
        """
        if not self.tokens:
            return ["empty_text"]
        if self.n_word_tokens == 0:
            return ["no_signal"]
        if self.mostly_non_latin:
            return ["non_english"]
        if self.full_of_english_words or not is_non_english(self.text):
            return []
        return ["non_english"]

    @property
    def full_of_english_words(self) -> bool:
        """Enough words, and a large share of them English stop words or chat words."""
        return (
            self.n_word_tokens >= ENGLISH_HINT_MIN_WORDS
            and self.n_english_hints >= ENGLISH_HINT_SHARE * self.n_word_tokens
        )

    @property
    def mostly_non_latin(self) -> bool:
        """Most letters outside handles and hashtags are not Latin (a script fact, not a guess)."""
        return self.n_latin_letters < 0.5 * max(self.n_letters, 1)


def _clean_token(text: str) -> str:
    return _REPEATS.sub(r"\1\1\1", text) if len(text) > 3 else text


def _letter_counts(text: str) -> tuple[int, int]:
    """Letters and Latin letters of ``text`` outside handles, hashtags and placeholders."""
    plain = _NOT_WORDS.sub(" ", text)
    return len(_ANY_LETTER.findall(plain)), len(_LATIN_LETTER.findall(plain))


#: Posts a process tokenises outside a memory zone before all work moves into zones. Their
#: tokens stay in spaCy's cache for good: the tokenizer runs about 3x faster on a warm cache,
#: and the permanent growth of the string store is bounded by this many posts.
WARM_CACHE_POSTS = 5_000  # 20,000 was no faster on real posts and held ~10 MB more
_warm_left = WARM_CACHE_POSTS


#: Distinct token strings whose facts are remembered per process (~200 bytes each).
TOKEN_FACTS_CACHE_SIZE = 50_000
#: ORTH id (a hash of the token text, the same in every memory zone) -> (cleaned lower-cased
#: text or None for whitespace, 1 if a word, 1 if a word that hints at English)
_TOKEN_FACTS: dict[int, tuple[str | None, int, int]] = {}


def _token_facts(vocab: Vocab, orth: int) -> tuple[str | None, int, int]:
    lexeme = vocab[orth]
    if lexeme.is_space:
        return None, 0, 0
    lower = lexeme.lower_
    word = lexeme.is_alpha and lower not in _PLACEHOLDERS
    hint = word and (lexeme.is_stop or lower in _ENGLISH_HINTS)
    return _clean_token(lower), int(word), int(hint)


def _describe_docs(nlp: Language, texts: list[str], batch_size: int) -> list[TokenizedPost]:
    posts: list[TokenizedPost] = []
    facts = _TOKEN_FACTS
    vocab = nlp.vocab
    for text, doc in zip(texts, nlp.tokenizer.pipe(texts, batch_size=batch_size), strict=True):
        tokens: list[str] = []
        n_words = n_hints = 0
        for orth in doc.to_array(ORTH).tolist():  # no Token objects: facts per distinct text
            known = facts.get(orth)
            if known is None:
                known = _token_facts(vocab, orth)
                if len(facts) < TOKEN_FACTS_CACHE_SIZE:
                    facts[orth] = known
            clean, word, hint = known
            if clean is None:
                continue
            tokens.append(clean)
            n_words += word
            n_hints += hint
        n_letters, n_latin = _letter_counts(text) if n_words else (0, 0)
        posts.append(TokenizedPost(tuple(tokens), n_letters, n_latin, n_words, n_hints))
    return posts


def tokenize_posts(texts: Iterable[str], batch_size: int = 1000) -> list[TokenizedPost]:
    """Normalise and tokenise ``texts``; ``None`` or non-strings are treated as empty.

    The first :data:`WARM_CACHE_POSTS` posts of a process warm spaCy's tokenizer cache
    permanently; everything after runs inside a memory zone, so a long-running server or
    batch job does not grow the string store.
    """
    global _warm_left
    nlp = make_nlp()
    raw = [t if isinstance(t, str) else "" for t in texts]
    normalised = [normalize_text(t) for t in raw]
    posts: list[TokenizedPost] = []
    if _warm_left > 0:
        with NLP_LOCK:  # permanent strings: no zone may be open in another thread meanwhile
            take = min(_warm_left, len(normalised))
            _warm_left -= take
            posts = _describe_docs(nlp, normalised[:take], batch_size)
        normalised = normalised[take:]
    if normalised:
        with memory_zone():  # locked: zones share one StringStore
            posts += _describe_docs(nlp, normalised, batch_size)
    return [replace(post, text=text) for post, text in zip(posts, raw, strict=True)]


def strip_emoji_modifiers(token: str) -> str:
    """Return an emoji token without skin-tone and presentation modifiers."""
    return _EMOJI_MODIFIERS.sub("", token)
