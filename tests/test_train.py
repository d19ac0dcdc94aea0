from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import recall_score

from brandfit.config import HeadConfig, TrainConfig
from brandfit.data import LabelledPosts, load_labelled
from brandfit.errors import InvalidInputError
from brandfit.evaluate import evaluate_head
from brandfit.heads.model import HeadModel
from brandfit.train import _cross_val_proba, _full_weight_out_of_fold, fit_head
from tests.conftest import TINY


def test_train_decides_the_head_kind_from_its_data(tiny_heads: dict[str, HeadModel]) -> None:
    assert tiny_heads["niche"].kind == "multilabel"
    assert tiny_heads["sentiment"].kind == "multiclass"
    assert tiny_heads["safety"].kind == "multilabel"
    assert tiny_heads["alignment"].kind == "multiclass"
    assert tiny_heads["alignment"].targets == ["climate", "feminist"]


def test_train_multilabel_tunes_one_threshold_per_label(tiny_heads: dict[str, HeadModel]) -> None:
    niche = tiny_heads["niche"]
    assert niche.thresholds is not None and len(niche.thresholds) == len(niche.labels) == 3


def test_train_binary_head_gets_a_positive_label_and_threshold(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    rows = (
        ["text,label"]
        + [f"you idiot number {i},offensive" for i in range(6)]
        + [f"lovely day number {i},clean" for i in range(12)]
    )
    path.write_text("\n".join(rows) + "\n")
    data = load_labelled(path)
    model = fit_head("safety_binary", data, TINY, val=data)
    assert model.kind == "binary"
    assert model.positive_label == "offensive"
    assert model.thresholds is not None and 0 < model.thresholds[0] < 1


def test_train_learns_the_tiny_tasks(tiny_heads: dict[str, HeadModel], data_dir: Path) -> None:
    niche = evaluate_head(tiny_heads["niche"], load_labelled(data_dir / "niche.jsonl"))
    assert niche["micro_f1"] > 0.9
    sentiment = evaluate_head(tiny_heads["sentiment"], load_labelled(data_dir / "sentiment.csv"))
    assert sentiment["macro_f1"] > 0.9
    alignment = evaluate_head(
        tiny_heads["alignment"], load_labelled(data_dir / "alignment.jsonl", require_target=True)
    )
    assert alignment["stance_f1"] > 0.9
    assert set(alignment["per_target"]) == {"climate", "feminist"}


def test_evaluate_reports_the_contract_keys(
    tiny_heads: dict[str, HeadModel], data_dir: Path
) -> None:
    metrics = evaluate_head(
        tiny_heads["sentiment"], load_labelled(data_dir / "sentiment.csv"), "sentiment-x"
    )
    assert {"n", "accuracy", "macro_f1", "micro_f1", "per_label", "model_version"} <= set(metrics)
    assert set(metrics["per_label"]["positive"]) == {"precision", "recall", "f1", "support"}
    assert metrics["model_version"] == "sentiment-x"


def test_train_multilabel_label_without_negatives_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text("".join(f'{{"text": "post {i}", "labels": ["music"]}}\n' for i in range(5)))
    with pytest.raises(InvalidInputError, match=r"label 'music' has a single class"):
        fit_head("niche", load_labelled(path), TINY)


def test_train_threshold_floor_and_lexicon_reach_the_fitted_head(data_dir: Path) -> None:
    niche = load_labelled(data_dir / "niche.jsonl")
    config = TINY.model_copy(
        update={
            "head": TINY.head.model_copy(update={"threshold_floor": 0.6}),
            "features": TINY.features.model_copy(update={"lexicon": "vader"}),
        }
    )
    model = fit_head("niche", niche, config, val=niche)
    assert min(model.thresholds) >= 0.6  # unfloored, this fit has a 0.5
    assert model.featurizer.lexicon == "vader"
    tokens = model.featurizer.tokenize(["great day"])[0].tokens
    assert "[lex:pos+]" in model.featurizer.word_units(tokens)


def _three_class_posts(seed: int, counts: dict[str, int]) -> LabelledPosts:
    """Posts of 8 words: each word is the class's own with probability 0.12, else shared."""
    rng = np.random.default_rng(seed)
    shared = [f"common{i}" for i in range(40)]
    texts, labels = [], []
    for label, n in counts.items():
        own = [f"{label}word{i}" for i in range(8)]
        for _ in range(n):
            words = [
                rng.choice(own) if rng.random() < 0.12 else rng.choice(shared) for _ in range(8)
            ]
            texts.append(" ".join(words))
            labels.append([label])
    return LabelledPosts(texts=texts, labels=labels, multilabel=False)


def test_train_multiclass_without_val_tunes_class_offsets_on_cross_validation() -> None:
    train = _three_class_posts(0, {"alpha": 150, "beta": 150, "gamma": 15})
    fresh = _three_class_posts(1, {"alpha": 300, "beta": 300, "gamma": 300})
    head = HeadConfig(
        min_df=1, class_weight=None, C=0.2, calibration_cv=3, class_offsets_metric="macro_recall"
    )
    model = fit_head("sentiment", train, TrainConfig(head=head))
    assert model.thresholds is not None and len(model.thresholds) == 3
    assert model.thresholds[model.labels.index("gamma")] > 0.5  # the rare class is lifted
    P = model.predict_proba(model.featurizer.transform(fresh.texts))
    truth = [row[0] for row in fresh.labels]
    plain = recall_score(truth, [model.labels[j] for j in P.argmax(axis=1)], average="macro")
    tuned = recall_score(truth, [row[0] for row in model.decide(P)], average="macro")
    assert tuned > plain + 0.03


def test_cross_val_proba_comes_from_models_that_never_saw_the_row() -> None:
    # every post is unique and its label random: a model scoring rows it was fitted on
    # would be near-perfect, out-of-fold predictions are at chance
    rng = np.random.default_rng(0)
    labels = [["neg"], ["neu"], ["pos"]] * 40
    texts = [f"token{i} other{i}" for i in range(len(labels))]
    order = rng.permutation(len(labels))
    data = LabelledPosts(texts=texts, labels=[labels[i] for i in order], multilabel=False)
    config = TrainConfig(head=HeadConfig(min_df=1, C=100.0, calibration_cv=3))
    model = fit_head("sentiment", data, config)
    X = model._inputs(model.featurizer.transform(texts), None)
    y = np.asarray([row[0] for row in data.labels], dtype=object)
    in_sample = (np.asarray(model.labels)[model.predict_proba(X).argmax(axis=1)] == y).mean()
    P = _cross_val_proba(model, X, y, config)
    out_of_fold = (np.asarray(model.labels)[P.argmax(axis=1)] == y).mean()
    assert in_sample > 0.9
    assert out_of_fold < 0.6
    assert np.allclose(P.sum(axis=1), 1.0)


def test_threshold_rows_from_train_cv_are_out_of_fold_and_fully_weighted_only() -> None:
    # unique posts with random topics: the head knows its training rows, so only
    # probabilities from models that never saw a row are at chance
    rng = np.random.default_rng(0)
    topics = [["a"], ["b"], ["c"]] * 30
    order = rng.permutation(len(topics))
    data = LabelledPosts(
        texts=[f"token{i} other{i}" for i in range(len(topics))],
        labels=[topics[i] for i in order],
        multilabel=True,
        weights=np.asarray([1.0] * 60 + [0.1] * 30),
    )
    head = HeadConfig(min_df=1, C=100.0, calibration_cv=3, thresholds_from="validation+train_cv")
    config = TrainConfig(head=head)
    model = fit_head("niche", data, config, val=data)
    assert model.thresholds is not None and len(model.thresholds) == 3
    X = model._inputs(model.featurizer.transform(data.texts), None)
    Y = np.asarray([[1 if t in row else 0 for t in model.labels] for row in data.labels])
    rows, P = _full_weight_out_of_fold(model, X, Y, data, data, Y, config)
    assert rows.tolist() == list(range(60))  # the rows at weight 0.1 are not used
    truth = Y[rows].argmax(axis=1)
    in_sample = (model.predict_proba(X[rows]).argmax(axis=1) == truth).mean()
    assert in_sample > 0.9
    assert (P.argmax(axis=1) == truth).mean() < 0.6


def test_cross_val_thresholds_without_validation_keep_the_row_weights() -> None:
    # every post shares one word; 30 fully weighted posts say "a", 90 posts at weight 0.01
    # say "b": out-of-fold probabilities favour "a" only if the folds honour the weights
    data = LabelledPosts(
        texts=[f"apple token{i}" for i in range(120)],
        labels=[["a"]] * 30 + [["b"]] * 90,
        multilabel=True,
        weights=np.asarray([1.0] * 30 + [0.01] * 90),
    )
    config = TrainConfig(head=HeadConfig(min_df=1, calibration_cv=3))
    model = fit_head("niche", data, config)
    X = model._inputs(model.featurizer.transform(data.texts), None)
    Y = np.asarray([[1 if t in row else 0 for t in model.labels] for row in data.labels])
    a, b = model.labels.index("a"), model.labels.index("b")
    weighted = _cross_val_proba(model, X, Y, config, data.weights)
    assert weighted[:, a].mean() > weighted[:, b].mean()
    unweighted = _cross_val_proba(model, X, Y, config, None)
    assert unweighted[:, a].mean() < unweighted[:, b].mean()
