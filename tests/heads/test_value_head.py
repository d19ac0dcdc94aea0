"""The alignment head for free-text values: fit on real embeddings, save, load, score, explain."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sklearn.pipeline import Pipeline

from brandfit.errors import InvalidInputError
from brandfit.features import SocialFeatureHasher
from brandfit.features.encoder_cache import load_encoder
from brandfit.features.value_pairs import ValueSpec
from brandfit.heads.value_head import ValueStanceHead
from brandfit.heads.value_stance import ValueStanceClassifier, make_pairs
from brandfit.persistence.artifact import load_head, save_head
from brandfit.settings import DEFAULT_MODELS_DIR

PRO = [
    ("We adopted a rescue dog from the shelter today, adopt don't shop", "pet adoption"),
    ("Solar panels on every roof, clean energy is the future", "clean energy"),
    ("Fur farms are cruel, animals deserve better", "animal welfare"),
    ("Vaccines save lives, get your shot", "vaccination"),
    ("Wind farms are amazing, cheap green power for everyone", "clean energy"),
    ("Shelter pets make the best friends, please adopt", "pet adoption"),
]
CON = [
    ("Shelter dogs are damaged, buy from a breeder instead", "pet adoption"),
    ("Solar is a scam, coal keeps the lights on", "clean energy"),
    ("Fur coats are beautiful and animal rights people are crazy", "animal welfare"),
    ("Vaccines are poison, never getting the shot", "vaccination"),
    ("Wind turbines are ugly useless junk that kill birds", "clean energy"),
    ("Adopting a rescue is a mistake, they are never trained", "pet adoption"),
]
OFF = [
    "Finally beat the final boss tonight",
    "Lunch was a cheese sandwich",
    "My flight got delayed again",
    "New episode of my favourite show tonight",
    "Went for a walk in the rain",
    "Birthday cake for my sister",
]


@pytest.fixture(scope="module")
def head() -> ValueStanceHead:
    encoder = load_encoder(DEFAULT_MODELS_DIR / "encoder")
    values = ["pet adoption", "clean energy", "animal welfare", "vaccination"]
    texts = [t for t, _ in PRO + CON] + OFF * 2
    names = [v for _, v in PRO + CON] + [values[i % 4] for i in range(len(OFF) * 2)]
    y = ["supports"] * len(PRO) + ["opposes"] * len(CON) + ["neutral"] * len(OFF) * 2
    specs = [ValueSpec(n) for n in names]
    sides = [s.sides() for s in specs]
    batch = make_pairs(
        texts,
        encoder.encode(texts),
        specs,
        encoder.encode([s.wording() for s in specs]),
        encoder.encode([a for a, _ in sides]) - encoder.encode([b for _, b in sides]),
    )
    clf = ValueStanceClassifier(C=1.0).fit(batch, y)
    model = ValueStanceHead(
        name="alignment",
        kind="multiclass",
        labels=[str(c) for c in clf.classes_],
        featurizer=SocialFeatureHasher(),
        estimator=Pipeline([("clf", clf)]),
        targets=["climate"],
        encoder_version=encoder.version,
    )
    model.encoder = encoder
    return model


def test_saves_and_loads_through_the_model_store(head: ValueStanceHead, tmp_path: Path) -> None:
    manifest = save_head(head, tmp_path)
    assert manifest["encoder_version"] == head.encoder_version
    assert manifest["golden"] and manifest["targets"] == ["climate"]
    loaded, _ = load_head(tmp_path / "alignment")  # golden outputs re-checked here
    assert isinstance(loaded, ValueStanceHead) and loaded.encoder is not None
    texts = ["Adopt a shelter cat today!", "lunch time"]
    assert np.allclose(
        loaded.predict_texts(texts, ["pet adoption"] * 2),
        head.predict_texts(texts, ["pet adoption"] * 2),
    )


def test_scores_every_post_against_every_value(head: ValueStanceHead) -> None:
    texts = ["Adopt, don't shop! Our rescue pup is home", "Coal forever, solar is a joke"]
    values = ["pet adoption", {"name": "clean energy", "examples": ["solar panels are great"]}]
    P = head.score_values(texts, head.embed(texts), values)
    assert P.shape == (2, 2, 3) and np.allclose(P.sum(axis=2), 1.0)
    assert head.score_values([], np.zeros((0, 384)), values).shape == (0, 2, 3)


def test_any_text_is_a_value_but_bad_values_fail_clearly(head: ValueStanceHead) -> None:
    assert head.target_ids(["animal welfare", "The COVID-19 vaccines are safe"]).tolist() == [0, 1]
    with pytest.raises(InvalidInputError):
        head.target_ids(["  "])
    with pytest.raises(InvalidInputError):
        head.predict_texts(["x"], None)


def test_evidence_names_words_of_the_post(head: ValueStanceHead) -> None:
    text = "Fur farms are cruel and disgusting"
    terms = head.evidence(text, "animal welfare", "supports")
    assert terms and all(w.lower() in text.lower() and weight > 0 for w, weight in terms)
