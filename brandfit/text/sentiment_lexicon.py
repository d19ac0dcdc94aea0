"""Word polarity from the VADER lexicon, as pseudo-words the featurizer can add.

VADER (Hutto & Gilbert, ICWSM 2014; MIT licence, the ``vaderSentiment`` package) rates
about 7,500 social-media words, slang terms and emoticons from -4 to +4. A token with a
rating becomes, besides itself, one pseudo-word for its polarity and strength
(``[lex:pos]``, ``[lex:pos+]``, ``[lex:neg]``, ``[lex:neg+]``), placed before it, so word
bigrams such as ``not [lex:pos]`` generalise over every positive word a model never saw
negated. Pseudo-words contain brackets, which the tokenizer always splits off, so they
never collide with a real token. The lexicon file is read from the installed package.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from brandfit.errors import MissingDependencyError

LEXICONS = ("vader",)
#: |rating| at or above this is "strong" (VADER's scale is -4..4; "good" is 1.9, "great" 3.1)
STRONG = 2.0
#: ratings closer to 0 than this carry no polarity
WEAK = 0.5


@lru_cache(maxsize=1)
def vader_ratings() -> dict[str, float]:
    """Token -> mean VADER rating, read from the installed ``vaderSentiment`` package."""
    try:
        text = (
            resources.files("vaderSentiment")
            .joinpath("vader_lexicon.txt")
            .read_text(encoding="utf-8")
        )
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        raise MissingDependencyError(
            "the 'vader' lexicon needs the vaderSentiment package: pip install vaderSentiment"
        ) from exc
    ratings: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0]:
            ratings[parts[0].lower()] = float(parts[1])
    return ratings


def polarity_unit(rating: float) -> str | None:
    """The pseudo-word for a rating (``None`` for near-neutral ratings)."""
    if abs(rating) < WEAK:
        return None
    sign = "pos" if rating > 0 else "neg"
    return f"[lex:{sign}+]" if abs(rating) >= STRONG else f"[lex:{sign}]"


@lru_cache(maxsize=1)
def vader_units() -> dict[str, str]:
    """Token -> its polarity pseudo-word, for every rated token with a polarity."""
    out: dict[str, str] = {}
    for token, rating in vader_ratings().items():
        unit = polarity_unit(rating)
        if unit is not None:
            out[token] = unit
    return out


def lexicon_units(name: str) -> dict[str, str]:
    """Token -> pseudo-word table of lexicon ``name``."""
    if name != "vader":
        raise ValueError(f"unknown lexicon {name!r}; known: {', '.join(LEXICONS)}")
    return vader_units()
