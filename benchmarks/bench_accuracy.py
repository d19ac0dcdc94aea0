"""Accuracy of the shipped heads on the public test splits, against a TF-IDF peer and the bars.

Usage:
    python training/prepare_data.py --out training/build      # once: the train/test files
    python benchmarks/bench_accuracy.py [--models models] [--build training/build]

For every head and test split it prints the shipped model's figure, that of a plain
TF-IDF (word 1-2-grams, sublinear tf) + logistic-regression peer trained in the same run
on the same training file (rows' weights and partial labels respected: a multi-label
peer fits each label on the rows that judge it), their ratio, and issue 15's bar.
Test splits are only read here, to report; nothing is chosen on them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from brandfit.data import LabelledPosts, indicator_matrix, load_labelled
from brandfit.evaluate import _multilabel_metrics, _single_label_metrics, evaluate_head
from brandfit.persistence.registry import load_models
from brandfit.text.normalize import normalize_text

REPO = Path(__file__).resolve().parent.parent
#: (head, test file, metric, bar)
CASES = [
    ("safety", "test_offensive.jsonl", "per_label.offensive.binary_macro_f1", 0.78),
    ("safety", "test_hate.jsonl", "per_label.hate.binary_macro_f1", 0.50),
    ("sentiment", "test.jsonl", "macro_recall", 0.67),
    ("alignment", "test.jsonl", "stance_f1", 0.69),
    ("niche", "test.jsonl", "macro_f1", None),
    ("niche", "test.jsonl", "micro_f1", None),
]


class _Peer:
    """TF-IDF + logistic regression with the head's decision rule (argmax or 0.5 per label)."""

    def __init__(self, train: LabelledPosts) -> None:
        self.vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        texts = [self._text(t, train, i) for i, t in enumerate(train.texts)]
        X = self.vectorizer.fit_transform(texts)
        w = train.weights if train.weights is not None else np.ones(len(train))
        self.multilabel = train.multilabel
        if train.multilabel:
            self.labels = train.label_set
            Y = indicator_matrix(train, self.labels)
            self.models = []
            for j in range(len(self.labels)):
                rows = Y[:, j] >= 0
                clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
                self.models.append(clf.fit(X[rows], Y[rows, j], sample_weight=w[rows]))
        else:
            y = [row[0] for row in train.labels]
            clf = LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)
            self.model = clf.fit(X, y, sample_weight=w)
            self.labels = [str(c) for c in clf.classes_]

    @staticmethod
    def _text(text: str, data: LabelledPosts, i: int) -> str:
        target = f"[{data.targets[i]}] " if data.targets is not None else ""
        return target + normalize_text(text).lower()

    def decide(self, data: LabelledPosts) -> list[list[str]]:
        X = self.vectorizer.transform([self._text(t, data, i) for i, t in enumerate(data.texts)])
        if self.multilabel:
            P = np.column_stack([m.predict_proba(X)[:, 1] for m in self.models])
            return [[self.labels[j] for j in np.flatnonzero(row >= 0.5)] for row in P]
        return [[label] for label in self.model.predict(X)]


def _pick(metrics: dict, key: str) -> float:
    value: object = metrics
    for part in key.split("."):
        value = value[part]  # type: ignore[index]
    return float(value)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, default=REPO / "models")
    parser.add_argument("--build", type=Path, default=REPO / "training" / "build")
    args = parser.parse_args(argv)
    models = load_models(args.models)
    peers: dict[str, _Peer] = {}
    rows = []
    for head, test_name, key, bar in CASES:
        folder = args.build / head
        target = "target" if head == "alignment" else None
        if head not in peers:
            started = time.perf_counter()
            peers[head] = _Peer(load_labelled(folder / "train.jsonl", target_col=target))
            print(
                f"# {head}: peer fitted in {time.perf_counter() - started:.0f} s", file=sys.stderr
            )
        test = load_labelled(folder / test_name, target_col=target)
        model = models.head(head)
        shipped = evaluate_head(model, test)
        peer_decided = peers[head].decide(test)
        if model.kind == "multilabel":
            peer_metrics = _multilabel_metrics(model, test, peer_decided)
        else:
            peer_metrics = _single_label_metrics(model, test, peer_decided)
        ours = _pick(shipped, key)
        theirs = _pick(peer_metrics, key)
        row = {
            "head": head,
            "test": test_name,
            "metric": key,
            "n": len(test),
            "brandfit": round(ours, 4),
            "tfidf_peer": round(theirs, 4),
            "ratio": round(ours / theirs, 3) if theirs else None,
            "bar": bar,
            "meets_bar": None if bar is None else ours >= bar,
            "model_version": models.versions[head],
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
