"""How often ``non_english`` fires on English posts and on non-English ones, and how fast.

English: the first N tweets of TweetEval sentiment test (``../shared/data/tweeteval``).
Non-English: Instagram influencer captions (``../shared/data/niche_extra``) whose ``lang``
field (langid.py 1.1.6's guess, made when the data set was built, so independent of lingua)
is one of :data:`NON_ENGLISH_LANGS` and that have at least :data:`MIN_PROSE_WORDS` words
outside hashtags, handles and links (hashtag-only captions and langid's frequent
``la``/``an``/``lb`` guesses on short English captions are left out); a seeded sample of N.
Both figures go through ``TokenizedPost.weak_signal_flags``, i.e. what predictions report.

    python benchmarks/bench_language.py            # N = 1000, seed 0

Measured 2026-12-04 (lingua-language-detector 2.1.1, low-accuracy mode, 20 Latin-script
languages, English confidence < 0.005, >= 3 words, first 40 words; posts mostly in another
script are flagged by the script rule; posts with >= 40% English stop words skip lingua):
4 of 1,000 English tweets flagged (0.4%; one of them, 'Partido para hoy ... Fecha', is
Spanish; the old stop-word rule flagged 44); 901 of 1,000 non-English captions flagged
(90.1%; most misses read as English or mixed English, e.g. 'Saturday is veggie burger
day', labelled nl by langid). Speed of the flag alone, best of 3, on a shared 2-core machine
(load average ~9, so figures are low and noisy): tweets 9,156 posts/s, long captions
1,840 posts/s. The 20 languages' models add ~49 MB RSS to a process once loaded (the
server loads them at warm-up); with 11 more (Russian, Arabic, CJK, ...) the figures were
the same (902 hits), 22% slower, 72 MB.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

from brandfit.text.language import prose_words
from brandfit.text.tokens import tokenize_posts

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
ENGLISH = SHARED / "tweeteval" / "jsonl" / "sentiment" / "test.jsonl"
CAPTIONS = (
    SHARED / "niche_extra" / "instagram_influencer_posts" / "instagram_influencer_posts.jsonl"
)
NON_ENGLISH_LANGS = frozenset(
    [
        "it",
        "es",
        "zh",
        "pt",
        "de",
        "fr",
        "ja",
        "ko",
        "nl",
        "ru",
        "pl",
        "sv",
        "ar",
        "he",
        "id",
        "tr",
        "fi",
        "da",
        "no",
        "cs",
    ]
)
MIN_PROSE_WORDS = 5


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def english_posts(n: int, path: Path = ENGLISH) -> list[str]:
    """The first ``n`` TweetEval sentiment test tweets."""
    return [row["text"] for row in _rows(path)[:n]]


def non_english_posts(n: int, seed: int, path: Path = CAPTIONS) -> list[str]:
    """A seeded sample of ``n`` captions langid called non-English, with real prose."""
    pool = [
        row["text"]
        for row in _rows(path)
        if row.get("lang") in NON_ENGLISH_LANGS and len(prose_words(row["text"])) >= MIN_PROSE_WORDS
    ]
    return random.Random(seed).sample(pool, min(n, len(pool)))


def flagged(texts: list[str]) -> list[bool]:
    """Whether each text gets the ``non_english`` flag."""
    return ["non_english" in post.weak_signal_flags for post in tokenize_posts(texts)]


def _timed(texts: list[str]) -> tuple[list[bool], float]:
    """Flags of ``texts`` and the best of three rates (posts/s) of the flag alone."""
    posts = tokenize_posts(texts)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        flags = ["non_english" in post.weak_signal_flags for post in posts]
        best = min(best, time.perf_counter() - start)
    return flags, len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=10, help="print this many examples of each")
    args = parser.parse_args()
    if not ENGLISH.is_file() or not CAPTIONS.is_file():
        sys.exit(f"needs {ENGLISH} and {CAPTIONS} (../shared/data)")
    english = english_posts(args.n)
    other = non_english_posts(args.n, args.seed)
    flagged(english[:50])  # build the detector and warm the tokenizer
    english_flags, english_rate = _timed(english)
    other_flags, other_rate = _timed(other)
    false = sum(english_flags)
    hits = sum(other_flags)
    print(
        f"English tweets flagged non_english: {false}/{len(english)} ({false / len(english):.1%})"
    )
    print(f"non-English captions flagged:        {hits}/{len(other)} ({hits / len(other):.1%})")
    print(
        f"flag speed (best of 3, tokenized posts, one core): tweets {english_rate:,.0f} posts/s, "
        f"captions {other_rate:,.0f} posts/s"
    )
    for label, texts, flags, want in (
        ("English flagged", english, english_flags, True),
        ("non-English missed", other, other_flags, False),
    ):
        shown = [t for t, f in zip(texts, flags, strict=True) if f is want][: args.show]
        print(f"-- {label} (first {len(shown)}):")
        for text in shown:
            print("  ", repr(text[:100]))


if __name__ == "__main__":
    main()
