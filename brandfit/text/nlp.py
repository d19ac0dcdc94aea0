"""The one cached spaCy pipeline brandfit uses: ``spacy.blank("en")`` + social tokenizer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Final

import spacy
from spacy.attrs import IS_ALPHA, IS_SPACE, IS_STOP, LOWER
from spacy.language import Language

from brandfit.text.tokenizer import TOKENIZER_NAME, build_social_tokenizer

#: Recorded in every model manifest; a model made under another version is refused.
TOKENIZER_VERSION: Final = TOKENIZER_NAME

#: The lexical attributes brandfit reads (tokens.py, the LOWER phrase matcher). spaCy computes
#: every registered attribute, with a Python call each, for every lexeme it creates, and
#: inside a memory zone it creates one for each unseen word of every post: keeping only
#: these four cut single-post tokenisation by about a quarter (benchmarks/profile_predict.py).
LEXEME_ATTRIBUTES: Final = (LOWER, IS_ALPHA, IS_SPACE, IS_STOP)


@lru_cache(maxsize=1)
def make_nlp() -> Language:
    """Return the shared blank English pipeline with the social tokenizer (nothing downloaded)."""
    nlp = spacy.blank("en")
    getters = nlp.vocab.lex_attr_getters
    nlp.vocab.lex_attr_getters = {a: getters[a] for a in LEXEME_ATTRIBUTES if a in getters}
    nlp.tokenizer = build_social_tokenizer(nlp)
    return nlp


#: Held by every thread that touches the shared StringStore outside a zone while others may be in one.
NLP_LOCK = threading.RLock()


@contextmanager
def memory_zone() -> Iterator[Language]:
    """Enter ``make_nlp().memory_zone()`` holding a process-wide lock; yield the pipeline.

    All zones share one StringStore: a zone exiting in one thread frees the strings
    another thread's zone is still reading (spaCy E018 under a threaded server), and
    strings another thread adds meanwhile would be transient too. So zones, and code
    that must add permanent strings (``with NLP_LOCK:``), run one thread at a time.
    """
    nlp = make_nlp()
    with NLP_LOCK, nlp.memory_zone():
        yield nlp
