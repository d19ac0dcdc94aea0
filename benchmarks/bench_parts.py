"""Where the whole pipeline's time goes: Predictor.score with every head vs the encoder alone.

Usage:
    python benchmarks/bench_parts.py [--rows 3000] [--rounds 3] [--models models] [--shared ../shared/data]

Scores the same real posts (TweetEval train texts and Instagram captions) with every
shipped head, in chunks of 500, and runs the sentence encoder alone on the same posts,
alternating the two per round so machine noise hits them alike. Prints posts/s (median
over rounds) and the pipeline's throughput relative to the encoder's: the share of the
time that is not the encoder.

The 2026-12-04 version of this script also switched off, one at a time, the compiled
heads, the fast calibrated read-out and the C extension; each cost under 10% of
whole-pipeline throughput once the encoder was in, so all three were removed
(docs/experiments.md, "Benchmarks: every run").
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from texts import sample_texts  # benchmarks/ is on sys.path when run as a script

from brandfit.features.encoder_input import encoder_texts
from brandfit.predict import Predictor

REPO = Path(__file__).resolve().parent.parent
CHUNK = 500


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    texts = sample_texts(args.shared, args.rows)
    predictor = Predictor.from_dir(args.models)
    encoder = next((m.encoder for m in predictor.models.heads.values() if m.uses_encoder), None)
    if encoder is None:
        raise SystemExit("no loaded head uses the sentence encoder")
    chunks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
    runs = {
        "whole pipeline": lambda: [predictor.score(chunk) for chunk in chunks],
        "encoder only": lambda: [encoder.encode(encoder_texts(chunk)) for chunk in chunks],
    }
    predictor.score(texts[:CHUNK])  # warm caches and the encoder session
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(args.rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    print(
        f"{len(texts):,} posts, {args.rounds} rounds, heads: {', '.join(predictor.versions.values())}"
    )
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        print(f"{name:<16} {len(texts) / median:>9,.0f} posts/s")
    print(
        f"pipeline / encoder throughput: {medians['encoder only'] / medians['whole pipeline']:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
