"""Where the time of one prediction goes, stage by stage, on real posts.

Usage:
    python benchmarks/profile_predict.py [--posts 3000] [--batch 1] [--models models]
                                         [--warm 6000] [--shared ../shared/data]

Loads the shipped models, warms them on ``--warm`` posts (by default past spaCy's permanent
warm-cache budget, ``WARM_CACHE_POSTS``, so the measured posts are tokenised inside memory
zones, as in a server or batch job that has run for a while), then calls ``Predictor.predict`` on
``--posts`` other real posts (sampled as in the other benchmarks), ``--batch`` posts per
call, and prints the wall time per post of each stage: tokenisation (normalise + spaCy +
flag counts), hashing (and, inside it, tokens missing from the per-token cache), the
sentence encoder, and every head's column selection, classifier and calibration
(alignment over every value).
Stages are timed by wrapping the functions, so the figures include the wrappers' small cost.
"""

from __future__ import annotations

import argparse
import collections
import functools
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from texts import sample_texts  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent


def _timed(owner: Any, name: str, label: str, totals: collections.Counter[str]) -> None:
    inner: Callable[..., Any] = getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            totals[label] += time.perf_counter() - start

    setattr(owner, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=3_000)
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument(
        "--warm", type=int, default=None, help="warm-up posts (default: past the warm cache)"
    )
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    from brandfit.features.encoder import SentenceEncoder
    from brandfit.features.social_hashing import SocialFeatureHasher
    from brandfit.features.token_columns import TokenColumns
    from brandfit.heads.model import HeadModel
    from brandfit.predict import Predictor

    totals: collections.Counter[str] = collections.Counter()
    stages = [
        (Predictor, "predict", "Predictor.predict, in all"),
        (SocialFeatureHasher, "tokenize", "tokenisation"),
        (SocialFeatureHasher, "hashed_entries", "hashing"),
        (TokenColumns, "_compute", "  of which tokens not in the cache"),
        (SentenceEncoder, "encode", "sentence encoder"),
        (HeadModel, "predict_proba", "heads: selection + classifier + calibration"),
    ]
    for owner, name, label in stages:
        _timed(owner, name, label, totals)
    from brandfit.text.tokens import WARM_CACHE_POSTS

    warm = args.warm if args.warm is not None else WARM_CACHE_POSTS + 1_000
    texts = sample_texts(args.shared, warm + args.posts, seed=3)
    predictor = Predictor.from_dir(args.models)
    predictor.predict(texts[:warm])  # warm caches, as a running server or job is
    totals.clear()
    batch = max(args.batch, 1)
    for start in range(warm, len(texts), batch):
        predictor.predict(texts[start : start + batch])
    print(f"{args.posts:,} real posts, {batch} per call; wall ms per post:")
    for _, _, label in stages:
        print(f"  {label:<36} {totals[label] / args.posts * 1000:6.3f}")


if __name__ == "__main__":
    main()
