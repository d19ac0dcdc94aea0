from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from brandfit.persistence.registry import LoadedModels
from brandfit.predict import Predictor
from brandfit.scoring import score_influencer
from tests.api.conftest import influencer


def test_influencers_score_returns_the_library_score_card(
    client: TestClient, brand: dict[str, Any], tiny_loaded: LoadedModels
) -> None:
    creator = influencer("@mia", ["leg day at the gym #fitness", "love this @loopathletics #ad"])
    response = client.post("/v1/score", json={"brand": brand, "influencer": creator})
    assert response.status_code == 200
    card = response.json()
    assert 0 <= card["score"] <= 100
    assert set(card["components"]) == {
        "niche",
        "values",
        "safety",
        "brand_sentiment",
        "competitor_sentiment",
        "engagement",
        "audience",
    }
    expected = score_influencer(creator, brand, Predictor(tiny_loaded)).to_dict()
    assert card == expected
    assert card["model_versions"] == tiny_loaded.versions


def test_influencers_rank_is_best_first_with_ranks(
    client: TestClient, candidates: list[dict[str, Any]]
) -> None:
    brand = {
        "name": "Loop Athletics",
        "aliases": ["@loopathletics"],
        "niches": ["fitness_&_health"],
    }
    trimmed = [
        dict(c, posts=[dict(p, text=p["text"][:60]) for p in c["posts"][:6]])
        for c in candidates[:3]
    ]
    response = client.post("/v1/rank", json={"brand": brand, "influencers": trimmed})
    assert response.status_code == 200
    ranking = response.json()["ranking"]
    assert [r["rank"] for r in ranking] == [1, 2, 3]
    assert ranking[0]["handle"] == "@mia.moves"
    scores = [r["score"] for r in ranking]
    assert scores == sorted(scores, reverse=True)


def test_influencers_unknown_flag_and_duplicate_handles_are_422(
    client: TestClient, brand: dict[str, Any]
) -> None:
    bad = client.post(
        "/v1/score",
        json={"brand": dict(brand, avoid=["violence"]), "influencer": influencer("@a", ["x"])},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "brand", "avoid", 0]
    assert "violence" in bad.json()["detail"][0]["msg"]
    dup = client.post(
        "/v1/rank",
        json={"brand": brand, "influencers": [influencer("@a", ["x"]), influencer("@a", ["y"])]},
    )
    assert dup.status_code == 422
    assert "duplicate influencer handle" in dup.json()["detail"][0]["msg"]


def test_influencers_missing_fields_are_422_with_path(
    client: TestClient, brand: dict[str, Any]
) -> None:
    response = client.post(
        "/v1/score", json={"brand": brand, "influencer": {"handle": "@a", "posts": []}}
    )
    assert response.status_code == 422
    assert ["body", "influencer", "followers"] in [d["loc"] for d in response.json()["detail"]]
