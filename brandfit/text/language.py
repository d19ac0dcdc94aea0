"""Is a post English? lingua's language identifier with a confidence threshold.

The heads are trained on English posts, so a post in another language gets the
``non_english`` weak-signal flag rather than a trusted score. The identifier is
``lingua-language-detector`` (Apache-2.0): its n-gram models ship inside the wheel,
nothing is downloaded. It runs in low-accuracy mode (trigrams only; high-accuracy mode
was ~340 posts/s, too slow for every post) and chooses among :data:`LANGUAGES`, the
Latin-script languages most common on social platforms; a post is flagged only when lingua
gives English a confidence below :data:`NOT_ENGLISH_BELOW`, i.e. it is all but sure the
post is something else. Only the words outside @handles, #hashtags and links count, and a
post with fewer than :data:`MIN_WORDS` of them is never flagged (too little evidence).

Loaded, the 20 languages' models take ~49 MB RSS. Measured by
``benchmarks/bench_language.py`` (numbers in its docstring).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector

#: lingua language names the detector chooses among: English and the 19 other Latin-script
#: languages most common on social platforms. Posts mostly in another script are flagged by
#: the script rule before lingua is asked (``TokenizedPost.mostly_non_latin``); adding
#: Russian, Arabic, CJK and 8 more changed no figure of the benchmark but cost 22% more time
#: and ~24 MB more memory (72 vs 49 MB).
LANGUAGES = (
    "ENGLISH",
    "SPANISH",
    "PORTUGUESE",
    "FRENCH",
    "GERMAN",
    "ITALIAN",
    "DUTCH",
    "INDONESIAN",
    "TURKISH",
    "POLISH",
    "SWEDISH",
    "TAGALOG",
    "VIETNAMESE",
    "MALAY",
    "DANISH",
    "BOKMAL",
    "FINNISH",
    "CZECH",
    "ROMANIAN",
    "HUNGARIAN",
)
#: A post is ``non_english`` when lingua's confidence in English is below this.
NOT_ENGLISH_BELOW = 0.005
#: Posts with fewer words (outside handles, hashtags and links) are never flagged.
MIN_WORDS = 3
#: Only the first this many words are identified: enough to tell the language, and the
#: cost of a long caption stays bounded (lingua's time grows with the text).
MAX_WORDS = 40
#: A post with at least ENGLISH_HINT_MIN_WORDS words of which this share are English stop
#: words (spaCy's list plus chat words) is taken as English without asking lingua: it skips
#: ~57% of English tweets (2x faster) for 0.3 points of hit rate on non-English captions.
ENGLISH_HINT_SHARE = 0.4
ENGLISH_HINT_MIN_WORDS = 4

_NOT_PROSE = re.compile(r"(?:[@#$]\w+|https?://\S+|www\.\S+|\bhttpurl\b)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")
_lock = threading.Lock()
_detector: LanguageDetector | None = None


def prose_words(text: str) -> list[str]:
    """Words of two or more letters outside @handles, #hashtags, $cashtags and links."""
    return _WORD.findall(_NOT_PROSE.sub(" ", text))


def detector() -> LanguageDetector:
    """The process's lingua detector (built on first use; thread-safe)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                from lingua import Language, LanguageDetectorBuilder

                languages = [getattr(Language, name) for name in LANGUAGES]
                _detector = (
                    LanguageDetectorBuilder.from_languages(*languages)
                    .with_low_accuracy_mode()
                    .build()
                )
    return _detector


def english_confidence(text: str) -> float | None:
    """Lingua's confidence (0..1) that ``text`` is English, or None if it has too few words."""
    words = prose_words(text)
    if len(words) < MIN_WORDS:
        return None
    from lingua import Language

    prose = " ".join(words[:MAX_WORDS])
    return float(detector().compute_language_confidence(prose, Language.ENGLISH))


def warm_up() -> None:
    """Build the detector and load its language models (~0.5 s, ~49 MB) before traffic."""
    english_confidence("Der Zug kommt heute später an, leider")


def is_non_english(text: str) -> bool:
    """True when ``text`` has enough words and lingua is all but sure it is not English."""
    confidence = english_confidence(text)
    return confidence is not None and confidence < NOT_ENGLISH_BELOW


def non_english_flags(texts: Sequence[str]) -> list[bool]:
    """:func:`is_non_english` for each text."""
    return [is_non_english(text) for text in texts]
