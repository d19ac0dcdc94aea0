"""Batch prediction speed: brandfit (all four heads) vs fastText (one head), same machine, same run.

Usage:
    python benchmarks/bench_predict.py [--rows 100000] [--models models] [--shared ../shared/data]

Builds N posts by sampling real texts from ../shared/data (TweetEval train splits,
TweetTopic, Instagram captions), times ``Predictor.predict`` on all of them in chunks
(as ``brandfit predict`` does), then trains fastText on TweetEval offensive train inside
this run and times its single-head prediction on the same posts. Prints posts/second
and the ratio. Needs the ``bench`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time
from pathlib import Path

from peers import bench_fasttext  # benchmarks/ is on sys.path when run as a script

REPO = Path(__file__).resolve().parent.parent


def sample_texts(shared: Path, rows: int, seed: int = 0) -> list[str]:
    pool: list[str] = []
    for task in ("sentiment", "offensive", "hate"):
        pool += (shared / "tweeteval" / task / "train_text.txt").read_text(encoding="utf-8").split("\n")
    for name in ("instagram_influencer_posts",):
        path = shared / "niche_extra" / name / f"{name}.jsonl"
        pool += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    pool = [t for t in pool if t.strip()]
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(rows)]


def bench_brandfit(texts: list[str], models: Path, chunk: int) -> float:
    from brandfit.predict import Predictor

    start = time.perf_counter()
    predictor = Predictor.from_dir(models)
    size_mb = sum(p.stat().st_size for p in models.rglob("*") if p.is_file()) / 1e6
    print(f"models: {models} ({size_mb:.1f} MB on disk), verified load in {time.perf_counter() - start:.2f} s")
    predictor.predict(texts[:100])  # warm caches
    start = time.perf_counter()
    for i in range(0, len(texts), chunk):
        predictor.predict(texts[i : i + chunk])
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    texts = sample_texts(args.shared, args.rows)
    ours = bench_brandfit(texts, args.models, args.chunk)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peer = bench_fasttext(texts, args.shared)
    print(f"posts: {len(texts):,}")
    print(f"brandfit, 4 heads (niche, safety, sentiment, alignment x5 values): {ours:,.0f} posts/s (peak RSS {peak_mb:,.0f} MB)")
    print(f"fastText, 1 head (offensive):                                   {peer:,.0f} posts/s")
    print(f"ratio brandfit / fastText: {ours / peer:.3f}")


if __name__ == "__main__":
    main()
