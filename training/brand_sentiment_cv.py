"""Sentiment toward brands, estimated by cross-validation over the SXSW brand tweets; never reads test.

Usage:
    python training/brand_sentiment_cv.py [--weights 1.0 3.0] [--folds 5] [--seed 0]
        [--build training/build] [--shared ../shared/data]

The sentiment head trains on TweetEval sentiment train plus the SXSW brand/product-emotion
tweets (70% sample, ``sxsw_weight``). Those tweets are the only ones here labelled with
sentiment toward a brand, so they are the estimate's ground: the SXSW rows are cut into
``--folds`` stratified folds; each fold's head is trained by the real
:func:`brandfit.train.fit_head` on TweetEval train plus the other folds' SXSW rows (at each
``--weights`` value), with TweetEval val as its validation data (calibration and class
offsets, as shipped), and scored on the held-out SXSW rows: macro-F1 over positive,
negative and neutral ("no emotion toward brand or product"). Prints one JSON line per weight.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from prepare_data import DEFAULT_SHARED, sxsw_rows  # noqa: E402

from brandfit.config import TrainConfig  # noqa: E402
from brandfit.data import LabelledPosts, combine_labelled, load_labelled  # noqa: E402
from brandfit.features.encoder_cache import (  # noqa: E402
    ENCODER_DIR_NAME,
    MemoEncoder,
    load_encoder,
)
from brandfit.settings import DEFAULT_MODELS_DIR  # noqa: E402
from brandfit.train import fit_head  # noqa: E402


def sxsw_posts(shared: Path, weight: float) -> LabelledPosts:
    rows = sxsw_rows(shared, weight)
    return LabelledPosts(
        texts=[r["text"] for r in rows],
        labels=[[r["label"]] for r in rows],
        multilabel=False,
        weights=np.full(len(rows), weight),
        source="sxsw",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=float, nargs="+", default=[1.0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--build", type=Path, default=HERE / "build")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    args = parser.parse_args(argv)

    folder = args.build / "sentiment"
    config = TrainConfig.model_validate(
        tomllib.loads((HERE / "configs" / "sentiment.toml").read_text("utf-8"))
    )
    brand_texts = {r["text"] for r in sxsw_rows(args.shared, 1.0)}
    everything = load_labelled(folder / "train.jsonl")
    tweeteval = everything.take([i for i, t in enumerate(everything.texts) if t not in brand_texts])
    val = load_labelled(folder / "val.jsonl")
    encoder = MemoEncoder(
        load_encoder(DEFAULT_MODELS_DIR / ENCODER_DIR_NAME), folder / "embeddings.npz"
    )
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    for weight in args.weights:
        started = time.perf_counter()
        brand = sxsw_posts(args.shared, weight)
        truth = [row[0] for row in brand.labels]
        scores = []
        for fit_rows, held_rows in folds.split(np.zeros(len(brand)), truth):
            train = combine_labelled([tweeteval, brand.take(fit_rows)])
            model = fit_head("sentiment", train, config, val=val, encoder=encoder)
            held = brand.take(held_rows)
            decided = model.decide(model.predict_texts(held.texts))
            scores.append(
                f1_score(
                    [row[0] for row in held.labels],
                    [row[0] for row in decided],
                    labels=["negative", "neutral", "positive"],
                    average="macro",
                )
            )
        print(
            json.dumps(
                {
                    "sxsw_weight": weight,
                    "brand_macro_f1": round(float(np.mean(scores)), 4),
                    "folds": [round(float(s), 4) for s in scores],
                    "tweeteval_rows": len(tweeteval),
                    "sxsw_rows": len(brand),
                    "seconds": round(time.perf_counter() - started),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
