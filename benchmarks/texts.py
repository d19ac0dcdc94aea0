"""Real post texts for the benchmarks: TweetEval train texts and Instagram captions from ../shared/data."""

from __future__ import annotations

import json
import random
from pathlib import Path


def text_pool(shared: Path) -> list[str]:
    """Every non-blank post of the pool (at most 10,000 characters each)."""
    if not (shared / "tweeteval").is_dir():
        raise SystemExit(f"{shared}: the shared data sets are not there; pass --shared DIR")
    pool: list[str] = []
    for task in ("sentiment", "offensive", "hate"):
        path = shared / "tweeteval" / task / "train_text.txt"
        pool += path.read_text(encoding="utf-8").split("\n")
    path = (
        shared / "niche_extra" / "instagram_influencer_posts" / "instagram_influencer_posts.jsonl"
    )
    pool += [
        json.loads(line)["text"]
        for line in path.read_text(encoding="utf-8").split("\n")
        if line.strip()
    ]
    return [t for t in pool if t.strip() and len(t) <= 10_000]


def sample_texts(shared: Path, rows: int, seed: int = 0) -> list[str]:
    """``rows`` posts drawn with replacement from :func:`text_pool` (same draw for a seed)."""
    pool = text_pool(shared)
    rng = random.Random(seed)
    return [rng.choice(pool) for _ in range(rows)]
