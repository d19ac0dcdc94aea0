"""What each speed part buys in the whole pipeline: Predictor.score with one part switched off.

Usage:
    python benchmarks/bench_parts.py [--rows 3000] [--rounds 3] [--models models] [--shared ../shared/data]

Scores the same real posts (TweetEval train texts and Instagram captions) with every
shipped head, the sentence encoder included, in chunks of 500, once per setting and
round, the settings alternating so machine noise hits them alike. Settings:

* ``all parts``: as shipped;
* ``no compiled heads``: the fused one-pass scoring of lexical heads off (they take the
  scikit-learn path with the fast calibrated read-out);
* ``no fast read-out``: scikit-learn's own ``predict_proba`` for every head;
* ``no C extension``: brandfit._native off (NumPy fallbacks);
* ``none of the three``: all three off together;
* ``encoder only``: just the sentence encoder on the same posts, the floor under every setting.

Prints posts/s (median over rounds) and each setting's throughput relative to ``all
parts``; a part is worth keeping only if switching it off costs 10% or more.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from texts import sample_texts  # benchmarks/ is on sys.path when run as a script

from brandfit.features import token_columns
from brandfit.features.encoder_input import encoder_texts
from brandfit.heads import compiled, model
from brandfit.persistence.registry import LoadedModels
from brandfit.predict import Predictor

REPO = Path(__file__).resolve().parent.parent
CHUNK = 500


@contextmanager
def patched(obj: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


class _NoCompiledHeads:
    """Stands in for LoadedModels.compiled: no head is compiled."""

    def __init__(self) -> None:
        self.heads: dict[str, Any] = {}


def _no_compiled() -> Any:
    return patched(LoadedModels, "compiled", property(lambda _self: _NoCompiledHeads()))


def _no_fast_readout(_estimator: Any, _inputs: Any) -> None:
    return None


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

    def score_all() -> None:
        for start in range(0, len(texts), CHUNK):
            predictor.score(texts[start : start + CHUNK])

    def encode_only() -> None:
        if encoder is None:
            return
        for start in range(0, len(texts), CHUNK):
            encoder.encode(encoder_texts(texts[start : start + CHUNK]))

    settings: dict[str, tuple[Callable[[], None], Callable[[], Any]]] = {
        "all parts": (score_all, nullcontext),
        "no compiled heads": (score_all, _no_compiled),
        "no fast read-out": (
            score_all,
            lambda: patched(model, "fast_predict_proba", _no_fast_readout),
        ),
        "no C extension": (
            score_all,
            lambda: _both(
                patched(token_columns, "_native", None), patched(compiled, "_native", None)
            ),
        ),
        "none of the three": (
            score_all,
            lambda: _all(
                _no_compiled(),
                patched(model, "fast_predict_proba", _no_fast_readout),
                patched(token_columns, "_native", None),
                patched(compiled, "_native", None),
            ),
        ),
        "encoder only": (encode_only, nullcontext),
    }
    predictor.score(texts[:CHUNK])  # warm caches and the encoder session
    times: dict[str, list[float]] = {name: [] for name in settings}
    for _ in range(args.rounds):
        for name, (run, switch) in settings.items():
            with switch():
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
    base = statistics.median(times["all parts"])
    print(
        f"{len(texts):,} posts, {args.rounds} rounds, heads: {', '.join(predictor.versions.values())}"
    )
    print(f"{'setting':<20} {'posts/s':>9} {'vs all parts':>13}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<20} {len(texts) / median:>9,.0f} {base / median:>13.3f}")
    return 0


@contextmanager
def _both(first: Any, second: Any) -> Iterator[None]:
    with first, second:
        yield


@contextmanager
def _all(*switches: Any) -> Iterator[None]:
    with contextlib.ExitStack() as stack:
        for switch in switches:
            stack.enter_context(switch)
        yield


if __name__ == "__main__":
    sys.exit(main())
