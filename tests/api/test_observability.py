from __future__ import annotations

import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from brandfit.persistence.registry import LoadedModels

SECRET_TEXT = "my very private caption about leg day"


def metric(text: str, name: str, **labels: str) -> float:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{(.*)\}})? ([0-9.e+-]+)$", re.MULTILINE)
    total = 0.0
    for found, value in pattern.findall(text):
        if all(part in found.split(",") for part in want.split(",") if part):
            total += float(value)
    return total


def test_observability_metrics_move_with_traffic(client: TestClient) -> None:
    before = client.get("/metrics").text
    client.post("/v1/predict", json={"posts": [{"text": "a"}, {"text": "b"}]})
    client.post("/v1/predict", json={"posts": [{"text": "a"}], "targets": ["nope"]})
    client.post("/v1/predict", json={"posts": [{"text": "a", "x": 1}]})
    after = client.get("/metrics").text
    assert (
        metric(after, "brandfit_http_requests_total", route="/v1/predict", status="200")
        == metric(before, "brandfit_http_requests_total", route="/v1/predict", status="200") + 1
    )
    assert (
        metric(after, "brandfit_items_scored_total", endpoint="predict")
        == metric(before, "brandfit_items_scored_total", endpoint="predict") + 2
    )
    assert metric(after, "brandfit_inference_duration_seconds_count", endpoint="predict") >= 1
    assert metric(after, "brandfit_rejected_inputs_total", reason="unknown_name") == 1
    assert metric(after, "brandfit_rejected_inputs_total", reason="validation") == 1
    assert metric(after, "brandfit_models_ready") == 1


def test_observability_one_json_access_line_per_request_without_text(
    client: TestClient, caplog: pytest.LogCaptureFixture, tiny_loaded: LoadedModels
) -> None:
    with caplog.at_level(logging.INFO, logger="brandfit.access"):
        response = client.post(
            "/v1/predict",
            json={"posts": [{"text": SECRET_TEXT}, {"text": "x"}]},
            headers={"X-Request-ID": "req-42"},
        )
        client.post("/v1/predict", json={"posts": [{"text": SECRET_TEXT, "bad": 1}]})
        client.get("/livez")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "brandfit.access"]
    assert len(lines) == 3
    first = lines[0]
    assert first["request_id"] == "req-42" == response.headers["x-request-id"]
    assert first["status"] == 200 and first["items"] == 2 and first["route"] == "/v1/predict"
    assert first["model_versions"] == tiny_loaded.versions
    assert first["latency_ms"] > 0
    assert lines[1]["status"] == 422
    assert SECRET_TEXT not in caplog.text


def test_observability_bad_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/livez", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])
