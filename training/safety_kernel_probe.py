"""Does a non-linear head on the encoder's vectors add to the shipped safety head? Never reads test.

Usage:
    python training/safety_kernel_probe.py [--build training/build] [--folds 5] [--seed 0]

For each safety label, on the training rows that judge it (weight >= 1), ``--folds``-fold
stratified cross-validation gives out-of-fold scores of:

* ``linear``: logistic regression on the embeddings alone;
* ``rbf_svc``: an RBF-kernel SVM (``C=1``, ``gamma="scale"``) on the embeddings alone;
* ``hybrid``: the shipped head's classifier (``training/configs/safety.toml``: hashed
  n-grams + embeddings, NB-weighted logistic regression), before calibration;
* ``blend W``: ``W * z(rbf_svc) + (1 - W) * z(hybrid)``, z-scores of the pooled scores.

Each is scored by binary macro-F1 at its best threshold over the pooled out-of-fold scores
(the same optimism for every variant). Prints one JSON line per label, and the support
vectors an RBF SVM fitted on all those rows keeps (they would ship inside the model).
"""

from __future__ import annotations

import argparse
import json
import time
import tomllib
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import SVC

from brandfit.config import TrainConfig
from brandfit.data import load_labelled
from brandfit.features.encoder_cache import ENCODER_DIR_NAME, MemoEncoder, load_encoder
from brandfit.features.encoder_input import encoder_texts
from brandfit.heads.build import build_featurizer, build_head_pipeline
from brandfit.settings import DEFAULT_MODELS_DIR

HERE = Path(__file__).resolve().parent


def best_threshold_macro_f1(y: np.ndarray, scores: np.ndarray) -> float:
    """Binary macro-F1 at the best of 97 quantile thresholds."""
    cuts = np.quantile(scores, np.linspace(0.02, 0.98, 97))
    return max(f1_score(y, scores >= cut, average="macro") for cut in cuts)


def standardised(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean()) / scores.std()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=HERE / "build")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    raw = tomllib.loads((HERE / "configs" / "safety.toml").read_text("utf-8"))
    config = TrainConfig.model_validate(raw)
    folder = args.build / "safety"
    data = load_labelled(folder / "train.jsonl")
    memo = MemoEncoder(
        load_encoder(DEFAULT_MODELS_DIR / ENCODER_DIR_NAME), folder / "embeddings.npz"
    )
    vectors = memo.encode(encoder_texts(data.texts))
    hashed = build_featurizer(config.features).transform(list(data.texts))
    hybrid_inputs = sp.hstack([sp.csr_matrix(hashed), sp.csr_matrix(vectors)], format="csr")
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
    weights = np.ones(len(data.texts)) if data.weights is None else np.asarray(data.weights)

    for label in ("hate", "offensive"):
        started = time.perf_counter()
        known = data.known_labels or [None] * len(data.texts)  # None: every label judged
        rows = np.array(
            [i for i, k in enumerate(known) if (k is None or label in k) and weights[i] >= 1]
        )
        y = np.array([label in data.labels[i] for i in rows])
        hybrid = build_head_pipeline(
            config.head,
            multilabel=False,
            block_width=config.features.block_width,
            dense_columns=vectors.shape[1],
        )
        scores = {
            "linear": cross_val_predict(
                LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000),
                vectors[rows],
                y,
                cv=folds,
                method="decision_function",
            ),
            "rbf_svc": cross_val_predict(
                SVC(C=1.0, class_weight="balanced"),
                vectors[rows],
                y,
                cv=folds,
                method="decision_function",
                n_jobs=2,
            ),
            "hybrid": cross_val_predict(
                hybrid, hybrid_inputs[rows], y, cv=folds, method="decision_function"
            ),
        }
        for w in (0.3, 0.5, 0.7):
            scores[f"blend {w}"] = w * standardised(scores["rbf_svc"]) + (1 - w) * standardised(
                scores["hybrid"]
            )
        result = {name: round(best_threshold_macro_f1(y, s), 4) for name, s in scores.items()}
        kept = SVC(C=1.0, class_weight="balanced").fit(vectors[rows], y).n_support_.sum()
        result.update(
            label=label,
            rows=len(rows),
            support_vectors=int(kept),
            seconds=round(time.perf_counter() - started),
        )
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
