from __future__ import annotations

from pathlib import Path

import pytest

from brandfit.errors import UnknownHeadError, UnknownLabelError
from brandfit.predict import Predictor


@pytest.fixture(scope="module")
def predictor(tiny_models_dir: Path) -> Predictor:
    return Predictor.from_dir(tiny_models_dir)


def test_predict_output_shape_is_the_contract(predictor: Predictor) -> None:
    [row] = predictor.predict(["leg day at the gym, then pasta"], ids=["p1"])
    assert set(row) == {
        "id",
        "niche",
        "safety",
        "sentiment",
        "alignment",
        "flags",
        "weak_signal",
        "model_versions",
    }
    assert row["id"] == "p1"
    assert row["weak_signal"] is False
    for head in ("niche", "safety", "sentiment"):
        assert set(row[head]) == {"labels", "scores"}
        assert all(0.0 <= p <= 1.0 for p in row[head]["scores"].values())
    assert len(row["sentiment"]["labels"]) == 1
    assert set(row["alignment"]) == {"climate", "feminist"}
    assert row["alignment"]["climate"]["labels"][0] in {"supports", "neutral", "opposes"}
    assert row["model_versions"] == predictor.versions


def test_predict_keeps_input_order_and_default_ids(predictor: Predictor) -> None:
    rows = predictor.predict(["a gym post #fitness", "pasta dinner", "ranked matches tonight"])
    assert [r["id"] for r in rows] == [0, 1, 2]
    assert "fitness_&_health" in rows[0]["niche"]["labels"]
    assert "food_&_dining" in rows[1]["niche"]["labels"]
    assert "gaming" in rows[2]["niche"]["labels"]


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("", "empty_text"),
        ("   \n ", "empty_text"),
        ("😀😀🔥", "no_signal"),
        ("@user @user httpurl", "no_signal"),
        ("Das ist ein sehr schöner Tag und wir gehen heute in den Park", "non_english"),
        ("これは日本語の投稿です", "non_english"),
        ("the zorblax was quuxified by a flembic", "low_coverage"),
    ],
)
def test_predict_weak_signal_posts_are_flagged(predictor: Predictor, text: str, flag: str) -> None:
    [row] = predictor.predict([text])
    assert flag in row["flags"]
    assert "scores" in row["niche"]


def test_predict_empty_post_gets_no_multilabel_decisions(predictor: Predictor) -> None:
    [row] = predictor.predict([""])
    assert row["niche"]["labels"] == []
    assert row["safety"]["labels"] == []


def test_predict_target_aliases_and_unknown_values(predictor: Predictor) -> None:
    [row] = predictor.predict(["we must cut emissions now"], targets=["climate_action"])
    assert list(row["alignment"]) == ["climate"]
    assert row["alignment"]["climate"]["labels"] == ["supports"]
    with pytest.raises(
        UnknownLabelError, match=r"unknown value 'veganism'.*known values: climate, feminist"
    ):
        predictor.predict(["x"], targets=["veganism"])


def test_predict_none_text_is_treated_as_empty(predictor: Predictor) -> None:
    [row] = predictor.predict([None])
    assert row["flags"] == ["empty_text"]


def test_predict_unknown_head_is_refused(predictor: Predictor) -> None:
    with pytest.raises(UnknownHeadError, match="unknown head 'toxicity'; known heads: alignment, "):
        predictor.predict(["x"], heads=["toxicity"])


def test_predict_subset_of_heads(predictor: Predictor) -> None:
    [row] = predictor.predict(["pasta"], heads=["niche"])
    assert set(row) == {"id", "niche", "flags", "weak_signal", "model_versions"}
