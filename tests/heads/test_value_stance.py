"""The pair classifier: fit/predict on synthetic pairs, temperature, known-value blocks."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from brandfit.features.value_pairs import ValueSpec
from brandfit.heads.value_stance import ValueStanceClassifier, fit_temperature, make_pairs


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def _pairs(n: int, seed: int):
    """Posts on topic (close to the value) are for or against by their wording; others neutral."""
    rng = np.random.default_rng(seed)
    d = 16
    values = _unit(rng.normal(size=(n, d)))
    on = rng.random(n) < 0.5
    posts = _unit(
        np.where(on[:, None], values + 0.3 * rng.normal(size=(n, d)), rng.normal(size=(n, d)))
    )
    pro = rng.random(n) < 0.5
    texts = [
        ("I love this, wonderful" if p else "awful, I hate this") if o else "lunch today"
        for o, p in zip(on, pro, strict=True)
    ]
    y = np.where(on, np.where(pro, "supports", "opposes"), "neutral")
    specs = [ValueSpec("abortion" if i % 7 == 0 else f"topic {i}") for i in range(n)]
    return make_pairs(texts, posts, specs, values), y


def test_learns_topic_match_and_direction():
    X, y = _pairs(600, 0)
    Xt, yt = _pairs(300, 1)
    model = ValueStanceClassifier(C=1.0).fit(X, y)
    assert list(model.classes_) == ["neutral", "opposes", "supports"]
    assert (model.predict(Xt) == yt).mean() > 0.9
    P = model.predict_proba(Xt)
    assert P.shape == (300, 3) and np.allclose(P.sum(axis=1), 1.0)


def test_temperature_is_fitted_on_held_out_logits_and_keeps_the_argmax():
    X, y = _pairs(400, 2)
    Xt, yt = _pairs(400, 3)
    model = ValueStanceClassifier(C=100.0).fit(X, y)
    before = model.predict_proba(Xt).argmax(axis=1)
    model.calibrate(model.decision_function(Xt), yt)
    assert model.temperature_ != 1.0
    assert (model.predict_proba(Xt).argmax(axis=1) == before).all()


def test_fit_temperature_recovers_a_known_scale():
    rng = np.random.default_rng(0)
    true = rng.normal(size=(4000, 3)) * 2
    p = np.exp(true) / np.exp(true).sum(axis=1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    assert abs(fit_temperature(true * 3, y) - 3) < 0.3


def test_known_values_get_their_own_block_and_clone_keeps_params():
    X, _ = _pairs(200, 4)
    model = ValueStanceClassifier(known_values=("abortion",))
    assert model._columns(X).shape[1] == ValueStanceClassifier()._columns(X).shape[1] + 16
    assert clone(model).get_params()["known_values"] == ("abortion",)
    assert X.values[0] == "abortion" and X.values[1] is None


def test_probabilities_are_float64_so_reported_scores_round_cleanly():
    X, y = _pairs(100, 5)
    P = ValueStanceClassifier().fit(X, y).predict_proba(X)
    assert P.dtype == np.float64
    assert [round(float(v), 4) for v in np.round(P[0], 4)] == np.round(P[0], 4).tolist()
