from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from brandfit.heads.multilabel import PartialLabelOneVsRest
from brandfit.heads.targets import condition_on_targets
from brandfit.heads.thresholds import tune_binary_threshold, tune_label_thresholds


def test_targets_condition_duplicates_features_into_the_target_block() -> None:
    X = sp.csr_matrix(np.array([[1.0, 0, 2], [0, 3, 0]]))
    out = condition_on_targets(X, [1, 0], n_targets=2).toarray()
    assert out.shape == (2, 9)
    assert out[0].tolist() == [1, 0, 2, 0, 0, 0, 1, 0, 2]
    assert out[1].tolist() == [0, 3, 0, 0, 3, 0, 0, 0, 0]


def test_targets_condition_rejects_bad_ids() -> None:
    with pytest.raises(ValueError, match="out of range"):
        condition_on_targets(sp.csr_matrix((1, 3)), [2], n_targets=2)


def test_multilabel_ignores_unjudged_rows() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    Y = np.column_stack([(X[:, 0] > 0).astype(int), (X[:, 1] > 0).astype(int)])
    Y[:30, 1] = -1  # label 1 not judged for the first half
    model = PartialLabelOneVsRest(LogisticRegression()).fit(X, Y)
    P = model.predict_proba(X)
    assert P.shape == (60, 2)
    assert ((P[:, 0] > 0.5) == (X[:, 0] > 0)).mean() > 0.9


def test_multilabel_refuses_a_label_with_one_class() -> None:
    X = np.eye(4)
    Y = np.array([[1, 0], [1, 1], [1, 0], [1, 1]])
    with pytest.raises(ValueError, match="label column 0 has a single class"):
        PartialLabelOneVsRest(LogisticRegression()).fit(X, Y)


def test_thresholds_find_the_separating_cut() -> None:
    y = np.array([0, 0, 0, 1, 1])
    p = np.array([0.1, 0.2, 0.25, 0.3, 0.9])
    t = tune_binary_threshold(y, p, "macro_f1")
    assert 0.25 < t <= 0.3


def test_thresholds_skip_unknown_rows_and_pool_rare_labels() -> None:
    Y = np.array([[1, -1], [0, -1]])
    P = np.array([[0.4, 0.9], [0.1, 0.2]])
    t = tune_label_thresholds(Y, P, "f1", min_positives=1)
    assert 0.1 < t[0] <= 0.4
    assert t[1] == t[0]  # never judged: falls back to the pooled threshold


def test_thresholds_never_go_below_the_floor() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = np.where(y == 1, 0.08, 0.02) + rng.uniform(0, 0.01, 200)  # separable below 0.08
    assert tune_binary_threshold(y, p, "f1") < 0.1
    assert tune_binary_threshold(y, p, "f1", floor=0.15) >= 0.15
    Y = np.column_stack([y, y])
    P = np.column_stack([p, p])
    assert (tune_label_thresholds(Y, P, "f1", min_positives=5, floor=0.2) >= 0.2).all()
    assert (tune_label_thresholds(Y, P, "f1", min_positives=500, floor=0.2) >= 0.2).all()


def test_thresholds_labels_with_enough_positives_get_their_own() -> None:
    rng = np.random.default_rng(0)
    Y = (rng.random((400, 2)) < 0.5).astype(int)
    P = np.column_stack([np.where(Y[:, 0] == 1, 0.8, 0.7), np.where(Y[:, 1] == 1, 0.3, 0.2)])
    t = tune_label_thresholds(Y, P, "f1", min_positives=10)
    assert 0.7 < t[0] <= 0.8
    assert 0.2 < t[1] <= 0.3


@pytest.mark.parametrize("loss", ["logreg", "svc"])
def test_nb_linear_learns_binary_and_multiclass(loss: str) -> None:
    from brandfit.heads.nb_linear import NBLinearClassifier

    rng = np.random.default_rng(1)
    y = rng.integers(0, 3, size=300)
    dense = rng.poisson(0.3, size=(300, 30)).astype(float)
    dense[np.arange(300), y] += 3  # column k marks class k
    X = sp.csr_matrix(dense)
    multi = NBLinearClassifier(loss=loss).fit(X, y)
    assert (multi.predict(X) == y).mean() > 0.95
    assert multi.coef_.shape == (3, 30)
    assert multi.decision_function(X).shape == (300, 3)
    binary = NBLinearClassifier(loss=loss).fit(X, y == 2)
    assert binary.decision_function(X).shape == (300,)
    assert binary.coef_[0, 2] > 0 and binary.coef_.shape == (1, 30)


def test_nb_linear_calibrated_in_a_head(tmp_path) -> None:
    from brandfit.config import HeadConfig, TrainConfig
    from brandfit.data import load_labelled
    from brandfit.explain import top_terms
    from brandfit.train import fit_head
    from tests.conftest import DATA

    config = TrainConfig(head=HeadConfig(min_df=1, calibration_cv=3, classifier="nb_svc", C=0.5))
    model = fit_head("sentiment", load_labelled(DATA / "sentiment.csv"), config)
    P = model.predict_proba(
        model.featurizer.transform(["worst experience ever", "love this so much"])
    )
    assert np.allclose(P.sum(axis=1), 1.0)
    assert model.decide(P) == [["negative"], ["positive"]]
    [terms] = top_terms(model, ["worst experience ever"], "negative")
    assert any("worst" in t for t, _ in terms)


def test_thresholds_class_offsets_fix_a_prior_shift() -> None:
    from brandfit.heads.thresholds import tune_class_offsets

    # class 1 is always under-scored by 0.3 in log space: offsets must recover it
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, size=600)
    logits = rng.normal(size=(600, 3)) * 0.5
    logits[np.arange(600), y] += 1.0
    logits[:, 1] -= 0.6
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    before = ((P.argmax(axis=1)) == y)[y == 1].mean()
    offsets = tune_class_offsets(y, P, "macro_recall")
    after = ((np.log(P) + offsets).argmax(axis=1) == y)[y == 1].mean()
    assert offsets[0] == 0 and offsets[1] > 0.2
    assert after > before


def test_fast_path_matches_scikit_learn(tiny_heads) -> None:
    from brandfit.heads.fast import fast_predict_proba

    texts = [
        "leg day at the gym",
        "worst experience ever",
        "",
        "we must cut emissions now",
        "you idiot",
    ]
    for model in tiny_heads.values():
        X = model.featurizer.transform(texts)
        targets = [model.targets[0]] * len(texts) if model.targets else None
        inputs = model._inputs(X, targets)
        fast = fast_predict_proba(model.estimator, inputs)
        assert fast is not None, model.name
        slow = model.estimator.predict_proba(inputs)
        assert np.allclose(fast, slow, atol=1e-10), model.name


def test_compact_stores_float32_weights_and_keeps_scores(tiny_heads) -> None:
    import copy

    from brandfit.heads.compact import _linear_models, compact_weights

    model = copy.deepcopy(tiny_heads["sentiment"])
    X = model.featurizer.transform(["worst experience ever", "love this so much"])
    before = model.predict_proba(X)
    compact_weights(model.estimator.named_steps["clf"])
    linear = _linear_models(model.estimator.named_steps["clf"])
    assert linear and all(m.coef_.dtype == np.float32 for m in linear)
    assert np.allclose(model.predict_proba(X), before, atol=1e-5)


def test_min_labels_fills_in_the_labels_closest_to_their_thresholds(tiny_heads) -> None:
    import copy

    import numpy as np

    model = copy.copy(tiny_heads["niche"])
    k = len(model.labels)
    model.thresholds = [0.5] * k
    P = np.full((2, k), 0.1)
    P[0, 2] = 0.45  # nearest to its threshold, but below it
    P[1, [0, 1]] = 0.9  # two labels pass: nothing is added
    assert model.decide(P) == [[], [model.labels[0], model.labels[1]]]
    model.config = {**model.config, "head": {**model.config.get("head", {}), "min_labels": 1}}
    assert model.decide(P) == [[model.labels[2]], [model.labels[0], model.labels[1]]]
