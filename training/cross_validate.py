"""Cross-validate a single-label head's settings on its train (+ val) rows; never reads test files.

Usage:
    python training/cross_validate.py HEAD [--seed 0] [--folds 5] [--set head.C=2.0 ...]

Reads ``training/build/HEAD/train.jsonl`` and, if present, ``val.jsonl`` (written by
``training/prepare_data.py``), and ``training/configs/HEAD.toml`` with ``--set`` overrides
(``section.key=JSON``). Folds are stratified by label (and target, for ``alignment``); rows
of auxiliary sets (the SXSW brand-emotion sample for ``sentiment``) are always in the training
folds and never scored. Features are hashed once; each fold fits the head's column selection
and classifier. The score is that of the plain argmax (temperature calibration keeps it; class
offsets, tuned on validation data in real training, are left out): macro-recall for
``sentiment``, TweetEval's pooled stance F1 for ``alignment``. Prints one JSON line.

``--procedure`` scores a whole training procedure instead of one fit, by running the real
:func:`brandfit.train.fit_head` in each outer fold (calibration and class offsets included)
and scoring ``model.decide`` on the held-out fold:

* ``holdout``: the outer training rows minus a stratified ``--holdout`` (default 2,000, the
  size of TweetEval sentiment's val) are fitted; the holdout is the head's ``val`` file.
* ``all-rows``: every outer training row is fitted with no ``val`` file (calibration and
  class offsets come from 3-fold cross-validation on the training rows).

This is how the settings in ``training/configs/{sentiment,alignment}.toml`` were chosen on
2026-12-02 (their notes list the grid and the scores).
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
from pydantic import ValidationError
from sklearn.metrics import recall_score
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from prepare_data import DEFAULT_SHARED, sxsw_rows  # noqa: E402

from brandfit.config import TrainConfig  # noqa: E402
from brandfit.data import LabelledPosts, load_labelled  # noqa: E402
from brandfit.evaluate import _stance_metrics as stance_metrics  # noqa: E402
from brandfit.heads.build import build_featurizer, build_head_pipeline  # noqa: E402
from brandfit.heads.targets import condition_on_targets  # noqa: E402
from brandfit.train import fit_head  # noqa: E402


def load_config(head: str, overrides: list[str]) -> TrainConfig:
    raw: dict[str, Any] = tomllib.loads((HERE / "configs" / f"{head}.toml").read_text("utf-8"))
    for item in overrides:
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        try:
            if not (section and name and value):
                raise ValueError("expected section.key=JSON")
            raw.setdefault(section, {})[name] = json.loads(value)
        except ValueError as exc:
            raise SystemExit(
                f"--set {item!r}: {exc} (e.g. head.C=2.0, features.lexicon=null)"
            ) from None
    try:
        return TrainConfig.model_validate(raw)
    except ValidationError as exc:
        raise SystemExit(f"training/configs/{head}.toml with {overrides}: {exc}") from None


def auxiliary_texts(head: str, shared: Path) -> set[str]:
    """Texts of training rows that are not from the evaluated data set (never scored)."""
    if head == "sentiment" and shared.is_dir():
        return {row["text"] for row in sxsw_rows(shared, 1.0)}
    return set()


def score(head: str, y: np.ndarray, pred: np.ndarray, targets: list[str] | None) -> float:
    if head == "alignment":  # TweetEval's pooled stance score, as `brandfit evaluate` reports it
        assert targets is not None
        return float(stance_metrics(targets, y, pred)["stance_f1"])
    return float(recall_score(y, pred, average="macro"))


def procedure_predictions(
    head: str,
    config: TrainConfig,
    data: LabelledPosts,
    fit: np.ndarray,
    auxiliary: np.ndarray,
    held: np.ndarray,
    args: argparse.Namespace,
    strata: np.ndarray,
) -> list[str]:
    """Decided labels on rows ``held`` of a head trained by ``args.procedure`` on ``fit``.

    ``auxiliary`` rows are always training rows (never validation rows).
    """
    val = None
    if args.procedure == "holdout":
        splitter = StratifiedShuffleSplit(1, test_size=args.holdout, random_state=args.seed)
        keep, val_rows = next(splitter.split(fit, strata[fit]))
        val, fit = data.take(fit[val_rows]), fit[keep]
    model = fit_head(head, data.take(np.concatenate([fit, auxiliary])), config, val=val)
    held_data = data.take(held)
    return [row[0] for row in model.decide(model.predict_texts(held_data.texts, held_data.targets))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("head", choices=["sentiment", "alignment"])
    parser.add_argument("--build", type=Path, default=HERE / "build")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--procedure", choices=["argmax", "holdout", "all-rows"], default="argmax")
    parser.add_argument("--holdout", type=int, default=2000)
    args = parser.parse_args()
    config = load_config(args.head, args.overrides)
    folder = args.build / args.head
    parts = [load_labelled(folder / "train.jsonl", require_target=args.head == "alignment")]
    if (folder / "val.jsonl").exists():
        parts.append(load_labelled(folder / "val.jsonl", require_target=args.head == "alignment"))
    texts = [t for p in parts for t in p.texts]
    y = np.asarray([row[0] for p in parts for row in p.labels], dtype=object)
    weights = np.concatenate(
        [p.weights if p.weights is not None else np.ones(len(p)) for p in parts]
    )
    started = time.perf_counter()
    strata = y.astype(str)
    targets: list[str] | None = None
    if args.head == "alignment":
        targets = [t for p in parts for t in (p.targets or [])]
        strata = np.asarray([f"{t}|{lab}" for t, lab in zip(targets, y, strict=True)])
    if args.procedure == "argmax" and config.features.uses_encoder:
        sys.exit(
            "error: the plain argmax mode fits lexical columns only; for a config with the "
            "encoder block use --procedure holdout|all-rows or training/select_blocks.py"
        )
    if args.procedure == "argmax":  # one featurisation for all folds (fit_head does its own)
        X = build_featurizer(config.features).fit(texts).transform(texts).tocsr()
        if targets is not None:
            names = sorted(set(targets))
            X = condition_on_targets(X, [names.index(t) for t in targets], len(names)).tocsr()
    aux = auxiliary_texts(args.head, args.shared)
    scored = np.asarray([t not in aux for t in texts])
    scored_rows, aux_rows = np.flatnonzero(scored), np.flatnonzero(~scored)
    fit_rows = len(scored_rows) * (args.folds - 1) // args.folds
    if args.procedure == "holdout" and not 0 < args.holdout < fit_rows:
        raise SystemExit(
            f"--holdout {args.holdout}: must be between 1 and {fit_rows - 1} "
            f"(the {fit_rows:,} rows each outer fold trains on)"
        )
    pred = np.empty(len(texts), dtype=object)
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    data = LabelledPosts(
        texts=texts,
        labels=[[label] for label in y],
        multilabel=False,
        targets=targets,
        weights=weights,
        source="train+val",
    )
    for fit, held in folds.split(scored_rows, strata[scored_rows]):
        if args.procedure != "argmax":
            pred[scored_rows[held]] = procedure_predictions(
                args.head, config, data, scored_rows[fit], aux_rows, scored_rows[held], args, strata
            )
            continue
        rows = np.concatenate([scored_rows[fit], aux_rows])
        pipe = build_head_pipeline(
            config.head, multilabel=False, block_width=config.features.block_width
        )
        pipe.fit(X[rows], y[rows], clf__sample_weight=weights[rows])
        pred[scored_rows[held]] = pipe.predict(X[scored_rows[held]])
    result = {
        "head": args.head,
        "settings": args.overrides,
        "procedure": args.procedure,
        "seed": args.seed,
        "folds": args.folds,
        "rows_scored": int(scored.sum()),
        "rows_always_in_training": int((~scored).sum()),
        "cv_score": round(
            score(
                args.head,
                y[scored_rows],
                pred[scored_rows],
                None if targets is None else [targets[i] for i in scored_rows],
            ),
            4,
        ),
        "seconds": round(time.perf_counter() - started),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
