"""Weak-signal posts get no decisions; a creator without a scorable post gets no score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from brandfit.api.app import create_app
from brandfit.cli import app as cli
from brandfit.persistence.registry import ModelRegistry
from brandfit.predict import NO_DECISION_FLAGS, Predictor
from brandfit.scoring import rank_influencers, score_influencer
from tests.api.conftest import make_settings
from tests.scoring.conftest import FIT, creator

WEAK = ["", "   ", "😀😀🔥", "Der Zug kommt heute später an, leider"]


def test_empty_post_gets_empty_text_and_no_labels_from_any_head(predictor: Predictor) -> None:
    [row] = predictor.predict([""], targets=["climate", "feminist"])
    assert row["flags"] == ["empty_text"]
    assert row["weak_signal"] is True
    for head in ("niche", "safety", "sentiment"):
        assert row[head]["labels"] == [], head
        assert row[head]["scores"]  # scores stay, marked by weak_signal
    assert set(row["alignment"]) == {"climate", "feminist"}
    assert all(entry["labels"] == [] for entry in row["alignment"].values())


def test_every_no_decision_flag_silences_every_head(predictor: Predictor) -> None:
    rows = predictor.predict([*WEAK, "leg day at the gym, then pasta"], targets=["climate"])
    for row in rows[:-1]:
        assert NO_DECISION_FLAGS & set(row["flags"]), row["flags"]
        assert row["weak_signal"] is True
        labels = [row[h]["labels"] for h in ("niche", "safety", "sentiment")]
        labels += [entry["labels"] for entry in row["alignment"].values()]
        assert labels == [[]] * len(labels)
    assert rows[-1]["weak_signal"] is False and rows[-1]["sentiment"]["labels"]


def test_creator_with_only_weak_posts_is_not_scorable(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    card = score_influencer(creator("@quiet", WEAK), brand, predictor)
    assert card.score is None and card.scorable is False
    assert card.not_scorable is not None
    assert card.not_scorable.startswith("not scorable: none of the 4 posts can be scored")
    assert "empty_text 2" in card.not_scorable and "non_english 1" in card.not_scorable
    assert card.to_dict()["score"] is None


def test_not_scorable_creators_rank_last_with_no_score(
    predictor: Predictor, brand: dict[str, Any]
) -> None:
    ranking = rank_influencers(
        [creator("@aaa_quiet", WEAK), creator("@zzz_fit", FIT)], brand, predictor
    )
    assert [card.handle for card in ranking] == ["@zzz_fit", "@aaa_quiet"]
    frame = ranking.to_frame()
    assert list(frame["scorable"]) == [True, False]
    assert frame["score"].isna().tolist() == [False, True]


def test_api_score_says_not_scorable(tiny_models_dir: Path, brand: dict[str, Any]) -> None:
    registry = ModelRegistry(models_dir=tiny_models_dir)
    registry.load()
    with TestClient(create_app(make_settings(models_dir=tiny_models_dir), registry)) as client:
        response = client.post(
            "/v1/score",
            json={"brand": brand, "influencer": creator("@quiet", ["", "😀😀🔥"])},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["score"] is None and body["scorable"] is False
        assert body["not_scorable"].startswith("not scorable")
        predicted = client.post("/v1/predict", json={"posts": [{"text": ""}]}).json()
        [row] = predicted["predictions"]
        assert row["weak_signal"] is True and row["sentiment"]["labels"] == []


def test_cli_score_prints_not_scorable(
    tmp_path: Path, tiny_models_dir: Path, brand: dict[str, Any]
) -> None:
    brand_file = tmp_path / "brand.json"
    brand_file.write_text(json.dumps(brand))
    creators = tmp_path / "creators.jsonl"
    creators.write_text(json.dumps(creator("@quiet", ["", "😀😀🔥"])) + "\n")
    result = CliRunner().invoke(
        cli,
        ["score", str(creators), "--brand", str(brand_file), "--models", str(tiny_models_dir)],
        terminal_width=160,
    )
    assert result.exit_code == 0, result.output
    assert "not scorable" in result.output
