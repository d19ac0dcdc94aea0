"""Steady-state tokenisation cost per post: brandfit's pipeline vs the same with all spaCy getters.

Usage:
    python benchmarks/bench_tokenize.py [--posts 4000] [--rounds 4] [--shared ../shared/data]

Warms the tokenizer past its permanent warm cache (``WARM_CACHE_POSTS``), so every measured
post is tokenised inside a memory zone, where spaCy creates a lexeme (and calls every
registered lexical-attribute getter) for each word it has not kept. Then, in alternating
rounds on fresh real posts, one post per call, it times ``tokenize_posts`` with brandfit's
trimmed getters (``LEXEME_ATTRIBUTES``) and with the full set ``spacy.blank("en")`` has.
Prints CPU ms per post (process time, steadier than wall time on a shared machine) and the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import spacy
from texts import sample_texts  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=4_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    from brandfit.text.nlp import make_nlp
    from brandfit.text.tokens import WARM_CACHE_POSTS, tokenize_posts

    warm = WARM_CACHE_POSTS + 1_000
    texts = sample_texts(args.shared, warm + 2 * args.rounds * args.posts, seed=5)
    tokenize_posts(texts[:warm])
    vocab = make_nlp().vocab
    trimmed = dict(vocab.lex_attr_getters)
    full = dict(spacy.blank("en").vocab.lex_attr_getters)
    times: dict[str, list[float]] = {"brandfit (trimmed getters)": [], "all spaCy getters": []}
    start = warm
    for _ in range(args.rounds):
        for label, getters in (
            ("brandfit (trimmed getters)", trimmed),
            ("all spaCy getters", full),
        ):
            vocab.lex_attr_getters = getters
            chunk = texts[start : start + args.posts]
            start += args.posts
            began = time.process_time()
            for text in chunk:
                tokenize_posts([text])
            times[label].append((time.process_time() - began) / len(chunk) * 1000)
    vocab.lex_attr_getters = trimmed
    print(
        f"{args.posts:,} real posts x {args.rounds} rounds each, 1 post per call; CPU ms per post:"
    )
    for label, values in times.items():
        print(
            f"  {label:<28} median {statistics.median(values):.3f}  (rounds: "
            + ", ".join(f"{v:.3f}" for v in values)
            + ")"
        )
    ours, peer = (statistics.median(v) for v in times.values())
    print(f"  ratio brandfit / all getters: {ours / peer:.2f}")


if __name__ == "__main__":
    main()
