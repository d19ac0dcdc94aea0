"""The compiled scoring path gives the scikit-learn path's probabilities, for every head kind."""

from __future__ import annotations

import numpy as np
import pytest

from brandfit.config import HeadConfig, TrainConfig
from brandfit.data import load_labelled
from brandfit.heads.compiled import CompiledHeads
from brandfit.persistence.registry import LoadedModels, load_models
from brandfit.predict import Predictor
from tests.conftest import DATA, REPO

EDGE_TEXTS = ["", "   ", "🔥🔥🔥", "zzqx unseenword", "Das ist ein deutscher Satz über Fußball"]


def _texts() -> list[str]:
    texts = []
    for name in ("niche.jsonl", "alignment.jsonl", "sentiment.csv", "safety.parquet"):
        texts += load_labelled(DATA / name, require_target=name == "alignment.jsonl").texts
    return EDGE_TEXTS + texts


def _assert_same(models: LoadedModels, texts: list[str]) -> None:
    compiled = models.compiled
    for name, model in models.heads.items():
        head = compiled.heads.get(name)
        assert head is not None, f"{name} was not compiled"
        X = model.featurizer.transform(texts)
        rows, union_pos = compiled.lookup(X)
        if model.targets is None:
            fast = head.predict_proba(rows, union_pos, X.data, X.shape[0])
            slow = model.predict_proba(X)
            assert np.array_equal(
                head.known_counts(rows, union_pos, X.indices, X.shape[0]), model.known_counts(X)
            ), name
        else:
            ids = list(range(len(model.targets)))
            fast = head.predict_proba_targets(rows, union_pos, X.data, X.shape[0], ids)
            slow = np.stack(
                [model.predict_proba(X, [t] * X.shape[0]) for t in model.targets], axis=1
            )
        assert fast.shape == slow.shape, name
        assert np.allclose(fast, slow, atol=1e-5), f"{name}: max diff {np.abs(fast - slow).max()}"


def test_compiled_matches_scikit_learn_on_tiny_heads(tiny_heads) -> None:
    texts = _texts()
    models = LoadedModels(tiny_heads)
    _assert_same(models, texts)  # big batch: sparse product
    for text in texts[:8]:  # one post: dense one-hot product
        _assert_same(models, [text])


@pytest.mark.parametrize(
    ("classifier", "calibration", "block_norm"),
    [
        ("logreg", "sigmoid", True),
        ("nb_svc", "temperature", False),
        ("nb_logreg", "auto", True),
        ("linear_svc", "sigmoid", False),
    ],
)
def test_compiled_matches_for_each_classifier_and_calibration(
    classifier, calibration, block_norm
) -> None:
    from brandfit.train import fit_head

    config = TrainConfig(
        head=HeadConfig(
            min_df=1,
            calibration_cv=3,
            classifier=classifier,
            calibration=calibration,
            block_norm=block_norm,
        )
    )
    sentiment = load_labelled(DATA / "sentiment.csv")
    alignment = load_labelled(DATA / "alignment.jsonl", require_target=True)
    heads = {
        "sentiment": fit_head("sentiment", sentiment, config, val=sentiment),
        "alignment": fit_head("alignment", alignment, config),
    }
    _assert_same(LoadedModels(heads), _texts())


def test_compiled_matches_on_the_shipped_models() -> None:
    models = load_models(REPO / "models")
    texts = _texts()
    _assert_same(models, texts)  # a batch: sparse product
    _assert_same(models, texts[5:6])


def test_predictor_output_is_the_same_with_and_without_compiled_heads(tiny_heads) -> None:
    texts = _texts()[:40]
    fast = Predictor(LoadedModels(tiny_heads)).predict(texts)
    slow_models = LoadedModels(tiny_heads)
    slow_models.__dict__["compiled"] = CompiledHeads({})  # nothing compiled: every head falls back
    slow = Predictor(slow_models).predict(texts)
    for a, b in zip(fast, slow, strict=True):
        assert a.keys() == b.keys()
        assert a["flags"] == b["flags"]
        for head in ("niche", "safety", "sentiment"):
            assert a[head]["labels"] == b[head]["labels"]
            assert np.allclose(
                list(a[head]["scores"].values()), list(b[head]["scores"].values()), atol=2e-4
            )
        assert a["alignment"].keys() == b["alignment"].keys()
        for value in a["alignment"]:
            assert a["alignment"][value]["labels"] == b["alignment"][value]["labels"]


def test_unrecognised_heads_are_left_to_scikit_learn(tiny_heads) -> None:
    from sklearn.dummy import DummyClassifier
    from sklearn.pipeline import Pipeline

    from brandfit.heads.model import HeadModel

    odd = tiny_heads["sentiment"]
    dummy = HeadModel(
        name="odd",
        kind=odd.kind,
        labels=odd.labels,
        featurizer=odd.featurizer,
        estimator=Pipeline(
            [("select", odd.estimator.named_steps["select"]), ("clf", DummyClassifier())]
        ),
    )
    compiled = CompiledHeads({"sentiment": odd, "odd": dummy})
    assert set(compiled.heads) == {"sentiment"}


def test_shipped_heads_hold_one_copy_of_their_weights() -> None:
    from brandfit.heads.compiled import _linear_part

    models = load_models(REPO / "models")
    for name, head in models.compiled.heads.items():
        _, _, _, sources = _linear_part(models.heads[name].estimator.named_steps["clf"])
        for owner, attribute, _ in sources:
            assert np.shares_memory(getattr(owner, attribute), head.weights), name
