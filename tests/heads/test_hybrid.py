"""Heads over the sentence-encoder block: TF-IDF + embeddings, encoder only, and their checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from brandfit.config import FeatureConfig, HeadConfig, TrainConfig
from brandfit.data import LabelledPosts
from brandfit.errors import IncompatibleModelError
from brandfit.features import TfidfColumns
from brandfit.features.encoder_cache import load_encoder
from brandfit.heads.nb_linear import NBLinearClassifier
from brandfit.persistence.artifact import load_head, save_head
from brandfit.persistence.registry import LoadedModels
from brandfit.predict import Predictor
from brandfit.settings import DEFAULT_MODELS_DIR
from brandfit.train import fit_head

ENCODER_DIR = DEFAULT_MODELS_DIR / "encoder"

FOOD = [
    "two plates waiting on me, my aunt is cooking tonight",
    "this ramen broth is unreal, slurped every drop",
    "baked sourdough for the first time and the crust cracked perfectly",
    "tacos al pastor from the truck on fifth street, still dreaming about them",
    "grandma's lasagna recipe never fails",
    "brunch: eggs benedict, hash browns and way too much coffee",
    "the new sushi place downtown has the freshest salmon",
    "made a spicy curry with coconut milk and lime",
    "pancakes with blueberries and maple syrup this morning",
    "grilled burgers in the backyard, extra cheese",
    "homemade dumplings took three hours but worth it",
    "we ordered pizza again, pepperoni and mushrooms",
]
SPORT = [
    "what a goal in the 90th minute, the stadium went crazy",
    "our quarterback threw three touchdowns tonight",
    "marathon training: 18 miles done before sunrise",
    "the point guard dropped 40 points in the playoff game",
    "relegation battle is brutal this season, need three points saturday",
    "tennis final went to a fifth set tiebreak",
    "the pitcher struck out twelve batters in seven innings",
    "hat trick for the striker, unbelievable finishing",
    "overtime winner in the hockey game, the crowd erupted",
    "cycling the mountain stage of the tour today, legs are gone",
    "the coach got fired after the fourth straight loss",
    "boxing match ended with a knockout in round two",
]
#: No word of these occurs in the training posts above.
UNSEEN = [
    ("craving el tina, chicken strip basket is calling", "food"),
    ("sizzling fajitas and guacamole for dinner", "food"),
    ("freshly fried churros dusted with cinnamon sugar", "food"),
    ("slam dunk at the buzzer, arena erupts", "sport"),
    ("the midfielder scored a penalty kick", "sport"),
    ("swimmer breaks the world record in the 200m butterfly", "sport"),
]


@pytest.fixture(scope="module")
def encoder():
    if not ENCODER_DIR.is_dir():
        pytest.skip(f"needs the shipped sentence encoder at {ENCODER_DIR}")
    return load_encoder(ENCODER_DIR)


def _posts() -> LabelledPosts:
    texts = FOOD + SPORT
    labels = [["food"]] * len(FOOD) + [["sport"]] * len(SPORT)
    return LabelledPosts(texts, labels, multilabel=False, source="fixture")


def _config(blocks: tuple[str, ...]) -> TrainConfig:
    return TrainConfig(
        features=FeatureConfig(blocks=blocks),
        head=HeadConfig(min_df=1, calibration_cv=3, C=10.0),
    )


def test_dense_block_passes_through_scaled_and_is_never_selected() -> None:
    hashed = sp.csr_matrix(np.array([[1, 0, 2, 0], [0, 0, 1, 0], [3, 0, 0, 0]], dtype=float))
    dense = np.array([[-0.5, 0.25], [0.1, 0.0], [0.3, -0.2]])
    X = sp.hstack([hashed, sp.csr_matrix(dense)], format="csr")
    select = TfidfColumns(min_df=2, dense_columns=2, dense_weight=2.0).fit(X)
    out = select.transform(X).toarray()
    assert select.columns_.tolist() == [0, 2]  # column 1 and 3 are too rare; dense ones not counted
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out[:, 2:], 2.0 * dense)
    np.testing.assert_allclose(np.linalg.norm(out[:2, :2], axis=1), [1.0, 1.0])
    only_dense = TfidfColumns(min_df=1, dense_columns=2, lexical=False).fit(X)
    np.testing.assert_allclose(only_dense.transform(X).toarray(), dense)
    assert list(select.get_feature_names_out())[-2:] == ["dense0", "dense1"]


def test_nb_ratios_leave_signed_columns_alone() -> None:
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 3, size=(60, 5)).astype(float)
    y = np.array([0, 1] * 30)
    signed = rng.normal(size=(60, 2))
    X = sp.csr_matrix(np.hstack([counts, signed]))
    clf = NBLinearClassifier(C=1.0).fit(X, y)
    assert clf.signed_columns_.tolist() == [False] * 5 + [True] * 2
    Xb = sp.csr_matrix(X.copy())
    Xb.data[:] = 1.0
    ratio = clf._ratio(Xb, y == 1, np.ones(60))
    assert np.all(ratio[5:] == 1.0) and np.all(ratio[:5] != 1.0)


def test_config_rejects_empty_or_repeated_blocks() -> None:
    with pytest.raises(ValueError, match="blocks"):
        FeatureConfig(blocks=())
    with pytest.raises(ValueError, match="blocks"):
        FeatureConfig(blocks=("encoder", "encoder"))


def test_encoder_head_generalises_to_posts_without_a_known_word(encoder) -> None:
    model = fit_head("topic", _posts(), _config(("encoder",)), encoder=encoder)
    decided = model.decide(model.predict_texts([t for t, _ in UNSEEN]))
    assert [d[0] for d in decided] == [label for _, label in UNSEEN]


def test_hybrid_head_round_trips_with_its_encoder(encoder, tmp_path: Path) -> None:
    model = fit_head("topic", _posts(), _config(("lexical", "encoder")), encoder=encoder)
    models_dir = tmp_path / "models"
    shutil.copytree(ENCODER_DIR, models_dir / "encoder")
    manifest = save_head(model, models_dir)
    assert manifest["encoder_version"] == encoder.version
    loaded, _ = load_head(models_dir / "topic")
    texts = [t for t, _ in UNSEEN]
    np.testing.assert_allclose(loaded.predict_texts(texts), model.predict_texts(texts), atol=1e-6)


def test_head_refuses_a_different_encoder(encoder, tmp_path: Path) -> None:
    model = fit_head("topic", _posts(), _config(("lexical", "encoder")), encoder=encoder)
    models_dir = tmp_path / "models"
    save_head(model, models_dir)
    model.encoder_version = "another-encoder"
    save_head(model, tmp_path / "other")
    with pytest.raises(IncompatibleModelError, match="another-encoder"):
        load_head(tmp_path / "other" / "topic")


class _CountingEncoder:
    def __init__(self, inner) -> None:
        self.inner, self.version, self.dim, self.calls = inner, inner.version, inner.dim, 0

    def encode(self, texts):
        self.calls += 1
        return self.inner.encode(texts)


def test_predictor_encodes_each_batch_once_for_all_heads(encoder) -> None:
    posts = _posts()
    spy = _CountingEncoder(encoder)
    heads = {}
    for name, blocks in (("a", ("encoder",)), ("b", ("lexical", "encoder")), ("c", ("lexical",))):
        heads[name] = fit_head(name, posts, _config(blocks), encoder=encoder)
        if heads[name].uses_encoder:
            heads[name].encoder = spy
    scored = Predictor(LoadedModels(heads)).score([t for t, _ in UNSEEN])
    assert spy.calls == 1
    assert set(scored.heads) == {"a", "b", "c"}
