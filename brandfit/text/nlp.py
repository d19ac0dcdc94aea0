"""The one cached spaCy pipeline brandfit uses: ``spacy.blank("en")`` + social tokenizer."""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import spacy
from spacy.language import Language

from brandfit.text.tokenizer import TOKENIZER_NAME, build_social_tokenizer

#: Recorded in every model manifest; a model made under another version is refused.
TOKENIZER_VERSION: Final = TOKENIZER_NAME


@lru_cache(maxsize=1)
def make_nlp() -> Language:
    """Return the shared blank English pipeline with the social tokenizer (nothing downloaded)."""
    nlp = spacy.blank("en")
    nlp.tokenizer = build_social_tokenizer(nlp)
    return nlp
