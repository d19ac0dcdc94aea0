from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from brandfit.persistence.registry import LoadedModels
from brandfit.predict import Predictor


def test_predict_matches_the_library_output(client: TestClient, tiny_loaded: LoadedModels) -> None:
    texts = ["leg day at the gym #fitness", "climate action cannot wait"]
    response = client.post(
        "/v1/predict", json={"posts": [{"id": "a", "text": texts[0]}, {"id": 7, "text": texts[1]}]}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["predictions"] == Predictor(tiny_loaded).predict(texts, ids=["a", 7])
    assert body["model_versions"] == tiny_loaded.versions


def test_predict_ids_default_to_position_and_weak_signals_are_flagged(client: TestClient) -> None:
    body = client.post(
        "/v1/predict", json={"posts": [{"text": ""}, {"text": "😀😀😀"}, {"text": "   "}]}
    ).json()
    assert [p["id"] for p in body["predictions"]] == [0, 1, 2]
    assert [p["flags"] for p in body["predictions"]] == [
        ["empty_text"],
        ["no_signal"],
        ["empty_text"],
    ]
    assert body["predictions"][0]["niche"]["labels"] == []


def test_predict_targets_and_brand_values_choose_alignment_values(
    client: TestClient, brand: dict[str, Any]
) -> None:
    only = client.post(
        "/v1/predict", json={"posts": [{"text": "x"}], "targets": ["feminism"]}
    ).json()
    assert list(only["predictions"][0]["alignment"]) == ["feminist"]
    both = client.post(
        "/v1/predict", json={"posts": [{"text": "x"}], "targets": ["feminist"], "brand": brand}
    ).json()
    assert list(both["predictions"][0]["alignment"]) == ["feminist", "climate"]
    default = client.post("/v1/predict", json={"posts": [{"text": "x"}]}).json()
    assert sorted(default["predictions"][0]["alignment"]) == ["climate", "feminist"]


@pytest.mark.parametrize(
    ("payload", "loc", "needle"),
    [
        (
            {"posts": [{"text": "x"}], "targets": ["climate", "veganism"]},
            ["body", "targets", 1],
            "veganism",
        ),
        (
            {"posts": [{"text": "x"}], "brand": {"name": "B", "niches": ["fashion"]}},
            ["body", "brand", "niches", 0],
            "fashion",
        ),
        (
            {"posts": [{"text": "x"}], "brand": {"name": "B", "values": ["climate", "veganism"]}},
            ["body", "brand", "values", 1],
            "veganism",
        ),
        (
            {"posts": [{"text": "x"}], "brand": {"name": "B", "avoid": ["nudity"]}},
            ["body", "brand", "avoid", 0],
            "nudity",
        ),
        ({"posts": [{"text": "x", "lang": "en"}]}, ["body", "posts", 0, "lang"], "Extra inputs"),
        ({"posts": [{"text": None}]}, ["body", "posts", 0, "text"], "string"),
        ({"post": []}, ["body", "posts"], "Field required"),
    ],
)
def test_predict_bad_input_is_422_naming_the_problem(
    client: TestClient, payload: dict[str, Any], loc: list[Any], needle: str
) -> None:
    response = client.post("/v1/predict", json=payload)
    assert response.status_code == 422
    details = response.json()["detail"]
    assert any(d["loc"] == loc and needle in d["msg"] for d in details), details


@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1, 2", b"", b"\xff\xfe", b"\xf3\x13\x80\x91", b"null", b"[]"]
)
def test_predict_malformed_json_is_422_not_500(client: TestClient, raw: bytes) -> None:
    response = client.post("/v1/predict", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


def test_predict_unknown_route_and_method(client: TestClient) -> None:
    assert client.get("/v1/predict").status_code == 405
    assert client.get("/v1/nothing").status_code == 404
