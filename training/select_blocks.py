"""Choose a head's feature blocks (lexical, encoder, both) on validation data; never reads test.

Usage:
    python training/select_blocks.py HEAD [--variants lexical encoder both:1 ...] [--seed 0]
        [--set section.key=JSON ...]   (applied to every variant, e.g. head.min_labels=1)

Reads ``training/build/HEAD/{train,val}.jsonl`` (from ``training/prepare_data.py``) and
``training/configs/HEAD.toml``. Each variant overrides ``features.blocks`` (and, for
``both:W``, ``head.encoder_weight = W``) and is scored by the real
:func:`brandfit.train.fit_head`:

* with a ``val`` file: the val rows are cut into two halves (seeded); the head is fitted on
  train with one half as its validation data (calibration, thresholds, offsets) and scored on
  the other, then the halves swap; the score is the mean of the two.
* without one (``alignment``, whose val rows are in train): ``--folds``-fold cross-validation
  on train, stratified by label and target, no validation data inside a fold.

Metric: macro-recall (sentiment), macro-F1 (safety, niche; micro-F1 printed too), TweetEval's
pooled stance F1 (alignment). Every post is embedded once (a memo shared by every fit, kept
in ``training/build/HEAD/embeddings.npz`` for the next run).
Prints one JSON line per variant and the winner (best mean score; ties within 0.002 go to
the variant listed first).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from brandfit.config import TrainConfig
from brandfit.data import LabelledPosts, load_labelled
from brandfit.evaluate import evaluate_head
from brandfit.features.encoder_cache import ENCODER_DIR_NAME, MemoEncoder, load_encoder
from brandfit.settings import DEFAULT_MODELS_DIR
from brandfit.train import fit_head

HERE = Path(__file__).resolve().parent
METRIC = {"sentiment": "macro_recall", "safety": "macro_f1", "niche": "macro_f1"}


def variant_config(head: str, variant: str, overrides: list[str] = ()) -> TrainConfig:
    raw: dict[str, Any] = tomllib.loads((HERE / "configs" / f"{head}.toml").read_text("utf-8"))
    for item in overrides:  # section.key=JSON, e.g. head.min_labels=1
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        raw.setdefault(section, {})[name] = json.loads(value)
    name, _, weight = variant.partition(":")
    blocks = {"lexical": ["lexical"], "encoder": ["encoder"], "both": ["lexical", "encoder"]}
    raw.setdefault("features", {})["blocks"] = blocks[name]
    if weight:
        raw.setdefault("head", {})["encoder_weight"] = float(weight)
    return TrainConfig.model_validate(raw)


def stratum(data: LabelledPosts) -> list[str]:
    first = [row[0] if row else "" for row in data.labels]
    if data.targets is not None:
        return [f"{t}|{y}" for t, y in zip(data.targets, first, strict=True)]
    return first


def score(head: str, model: Any, data: LabelledPosts) -> dict[str, float]:
    metrics = evaluate_head(model, data)
    if head == "alignment":
        return {"score": metrics["stance_f1"]}
    out = {"score": metrics[METRIC[head]]}
    if head == "niche":
        out["micro_f1"] = metrics["micro_f1"]
        out["labels_per_post"] = metrics["labels_per_post"]
        out["true_labels_per_post"] = metrics["true_labels_per_post"]
    return out


def run_variant(
    head: str,
    variant: str,
    train: LabelledPosts,
    val: LabelledPosts | None,
    encoder: MemoEncoder,
    seed: int,
    folds: int,
    overrides: list[str] = (),
) -> dict[str, Any]:
    config = variant_config(head, variant, overrides)
    started = time.perf_counter()
    results = []
    if val is not None:
        order = np.random.default_rng(seed).permutation(len(val))
        halves = [np.sort(order[: len(val) // 2]), np.sort(order[len(val) // 2 :])]
        for tune, held in (halves, halves[::-1]):
            model = fit_head(head, train, config, val=val.take(tune), encoder=encoder)
            results.append(score(head, model, val.take(held)))
    else:
        split = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for fit_rows, held_rows in split.split(np.zeros(len(train)), stratum(train)):
            model = fit_head(head, train.take(fit_rows), config, encoder=encoder)
            results.append(score(head, model, train.take(held_rows)))
    summary = {k: round(float(np.mean([r[k] for r in results])), 4) for k in results[0]}
    return {
        "head": head,
        "variant": variant,
        **summary,
        "parts": [r["score"] for r in results],
        "seconds": round(time.perf_counter() - started),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("head", choices=["sentiment", "safety", "niche", "alignment"])
    parser.add_argument("--variants", nargs="+", default=["lexical", "encoder", "both:1", "both:2"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--set", action="append", default=[], help="section.key=JSON override")
    parser.add_argument("--build", type=Path, default=HERE / "build")
    args = parser.parse_args(argv)
    folder = args.build / args.head
    target_col = "target" if args.head == "alignment" else None
    train = load_labelled(folder / "train.jsonl", target_col=target_col)
    val_path = folder / "val.jsonl"
    val = load_labelled(val_path, target_col=target_col) if val_path.is_file() else None
    encoder = MemoEncoder(
        load_encoder(DEFAULT_MODELS_DIR / ENCODER_DIR_NAME), folder / "embeddings.npz"
    )
    rows = []
    for variant in args.variants:
        row = run_variant(args.head, variant, train, val, encoder, args.seed, args.folds, args.set)
        print(json.dumps(row), flush=True)
        rows.append(row)
    best = rows[0]
    for row in rows[1:]:
        if row["score"] > best["score"] + 0.002:
            best = row
    print(json.dumps({"head": args.head, "chosen": best["variant"], "score": best["score"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
