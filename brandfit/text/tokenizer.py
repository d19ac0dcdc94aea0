"""The social-post tokenizer: spaCy's English rules, tuned for posts.

Kept as single tokens: ``#hashtags``, ``@mentions``, ``$cashtags``, URLs (spaCy's
own ``url_match``), emoticons (spaCy's exceptions) and emoji sequences, including
skin-tone modifiers, ZWJ sequences, keycaps and flags. ``#ad!`` comes out as
``#ad`` + ``!`` because ``#`` is removed from the prefixes, not only matched.

A change to these rules is a new registered version: models record
``TOKENIZER_VERSION`` and refuse to load under another one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

TOKENIZER_NAME: Final = "brandfit.social_tokenizer.v1"

_EMOJI_CORE = (
    "[\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff"
    "\u25a0-\u25ff\u2900-\u297f\u3030\u303d\u3297\u3299\u00a9\u00ae\u203c\u2049\u2122\u2139\u24c2]"
)
_EMOJI_MODIFIERS = "[\ufe0f\ufe0e\U0001f3fb-\U0001f3ff\U000e0020-\U000e007f\u20e3]*"
#: One emoji grapheme: a flag pair, a keycap, or a core emoji with modifiers and ZWJ links.
EMOJI_SEQUENCE: Final = (
    "(?:[\U0001f1e6-\U0001f1ff]{2}"
    "|[0-9#*]\ufe0f?\u20e3"
    f"|{_EMOJI_CORE}{_EMOJI_MODIFIERS}(?:\u200d{_EMOJI_CORE}{_EMOJI_MODIFIERS})*)"
)
EMOJI_RE: Final = re.compile(EMOJI_SEQUENCE)

_SOCIAL_TOKEN = re.compile(
    r"(?:#[^\W_][\w]*|#_[\w]+|@\w{1,50}|\$[A-Za-z][A-Za-z0-9.]{0,9})\Z",
)


def _social_token_match(text: str) -> re.Match[str] | None:
    return _SOCIAL_TOKEN.match(text)


def _without(patterns: tuple[str, ...] | list[str], *unwanted: str) -> list[str]:
    return [p for p in patterns if p not in unwanted]


def build_social_tokenizer(nlp: Language) -> Tokenizer:
    """Return a tokenizer for ``nlp``'s vocab with the social-post rules."""
    defaults = nlp.Defaults
    prefixes = [EMOJI_SEQUENCE, *_without(defaults.prefixes or [], "#", r"\$")]
    suffixes = [EMOJI_SEQUENCE, *(defaults.suffixes or [])]
    infixes = [EMOJI_SEQUENCE, *(defaults.infixes or [])]
    default_url_match: Callable[[str], object] | None = defaults.url_match
    return Tokenizer(
        nlp.vocab,
        rules=defaults.tokenizer_exceptions,
        prefix_search=compile_prefix_regex(prefixes).search,
        suffix_search=compile_suffix_regex(suffixes).search,
        infix_finditer=compile_infix_regex(infixes).finditer,
        token_match=_social_token_match,
        url_match=default_url_match,
    )


@spacy.registry.tokenizers(TOKENIZER_NAME)
def create_social_tokenizer() -> Callable[[Language], Tokenizer]:
    """Registered factory, so a spaCy config can name ``brandfit.social_tokenizer.v1``."""
    return build_social_tokenizer
