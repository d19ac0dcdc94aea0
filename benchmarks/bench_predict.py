"""Batch prediction speed: brandfit (all four heads) vs fastText (one head), same machine, same run.

Usage:
    python benchmarks/bench_predict.py [--rows 100000] [--models models] [--shared ../shared/data]

Builds N posts by sampling real texts from ../shared/data (TweetEval train splits,
Instagram captions), times ``Predictor.predict`` on all of them in chunks (the JSON
contract dicts, as ``brandfit predict`` and the API build them) and ``Predictor.score``
(column-wise arrays, what ``classify_frame`` and ``brandfit classify`` use), then trains
fastText on TweetEval offensive train inside this run and times its single-head
prediction on the same posts. Prints posts/second and the ratios, and, as the floor any
spaCy-tokenised pipeline stands on, spaCy's tokenizer alone (``spacy.blank("en")`` and
brandfit's social tokenizer) on the same posts. Needs the ``bench`` extra (``pip install -e ".[bench]"``).
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from peers import bench_fasttext  # benchmarks/ is on sys.path when run as a script
from texts import sample_texts

REPO = Path(__file__).resolve().parent.parent


def bench_brandfit(texts: list[str], models: Path, chunk: int) -> tuple[float, float]:
    """Posts/s of ``Predictor.predict`` and of ``Predictor.score`` over ``texts``."""
    from brandfit.predict import Predictor

    start = time.perf_counter()
    predictor = Predictor.from_dir(models)
    size_mb = sum(p.stat().st_size for p in models.rglob("*") if p.is_file()) / 1e6
    print(
        f"models: {models} ({size_mb:.1f} MB on disk), verified load in {time.perf_counter() - start:.2f} s"
    )
    predictor.predict(texts[:100])  # warm caches
    rates = []
    for method in (predictor.predict, predictor.score):
        start = time.perf_counter()
        for i in range(0, len(texts), chunk):
            method(texts[i : i + chunk])
        rates.append(len(texts) / (time.perf_counter() - start))
    return rates[0], rates[1]


def bench_spacy_tokenizers(texts: list[str]) -> dict[str, float]:
    """Posts/s of spaCy's blank English tokenizer and of brandfit's, alone, on normalised posts."""
    import spacy

    from brandfit.text.nlp import make_nlp
    from brandfit.text.normalize import normalize_text

    normalised = [normalize_text(t) for t in texts]
    rates = {}
    for name, nlp in (("spacy.blank('en')", spacy.blank("en")), ("brandfit social", make_nlp())):
        list(nlp.tokenizer.pipe(normalised[:20_000]))  # warm its cache as brandfit does
        start = time.perf_counter()
        with nlp.memory_zone():
            for _ in nlp.tokenizer.pipe(normalised):
                pass
        rates[name] = len(normalised) / (time.perf_counter() - start)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()
    texts = sample_texts(args.shared, args.rows)
    ours, columns = bench_brandfit(texts, args.models, args.chunk)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peer = bench_fasttext(texts, args.shared)
    print(f"posts: {len(texts):,}")
    print(
        f"brandfit, 4 heads (niche, safety, sentiment, alignment x5 values): {ours:,.0f} posts/s (peak RSS {peak_mb:,.0f} MB)"
    )
    print(f"fastText, 1 head (offensive):                                   {peer:,.0f} posts/s")
    print(
        f"brandfit Predictor.score (column-wise, the batch path), 4 heads: {columns:,.0f} posts/s"
    )
    print(f"ratio brandfit / fastText: {ours / peer:.3f} (predict), {columns / peer:.3f} (score)")
    for name, rate in bench_spacy_tokenizers(texts).items():
        print(f"spaCy tokenizer alone ({name}), no features or heads: {rate:,.0f} posts/s")


if __name__ == "__main__":
    main()
