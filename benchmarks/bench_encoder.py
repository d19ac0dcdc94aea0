"""Throughput of the shipped sentence encoder on real tweets, per batch size.

Usage:
    python benchmarks/bench_encoder.py [--posts 2000] [--batch-sizes 32 64 128] [--threads N]
                                       [--rounds 2] [--shared ../shared/data]

Encodes the first ``--posts`` TweetEval sentiment validation tweets (2,000 there) with
``SentenceEncoder.encode`` in one process (onnxruntime's default threads unless
``--threads``), after one warm-up call. Prints posts/s by wall time (the best of
``--rounds``) and by CPU time, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from brandfit.data import read_jsonl_records
from brandfit.features.encoder import SentenceEncoder
from brandfit.settings import DEFAULT_MODELS_DIR, ENCODER_DIRNAME

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 64, 128])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    path = args.shared / "tweeteval" / "jsonl" / "sentiment" / "val.jsonl"
    if not path.is_file():
        raise SystemExit(f"{path}: not found; pass --shared DIR")
    texts = [str(r["text"]) for r in read_jsonl_records(path)][: args.posts]
    encoder = SentenceEncoder.load(DEFAULT_MODELS_DIR / ENCODER_DIRNAME, threads=args.threads)
    encoder.encode(texts[:256])  # warm-up
    threads = args.threads or "default"
    print(f"encoder {encoder.version}, {len(texts)} tweets, threads={threads}")
    for batch_size in args.batch_sizes:
        walls, cpus = [], []
        for _ in range(args.rounds):
            wall, cpu = time.perf_counter(), time.process_time()
            encoder.encode(texts, batch_size=batch_size)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        print(
            f"batch_size={batch_size:4d}: {len(texts) / min(walls):7.0f} posts/s wall, "
            f"{len(texts) / min(cpus):7.0f} posts/s per CPU second"
        )


if __name__ == "__main__":
    main()
