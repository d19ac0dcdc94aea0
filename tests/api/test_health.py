from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.persistence.registry import LoadedModels, ModelRegistry
from tests.api.conftest import make_settings


def test_health_livez_and_readyz_when_ready(client: TestClient, tiny_loaded: LoadedModels) -> None:
    assert client.get("/livez").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["model_versions"] == tiny_loaded.versions


def test_health_not_ready_without_models_but_alive(tmp_path: Path) -> None:
    registry = ModelRegistry(models_dir=tmp_path / "missing")
    with TestClient(create_app(make_settings(), registry)) as client:
        assert client.get("/livez").status_code == 200
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert "not found" in ready.json()["reason"]
        blocked = client.post("/v1/predict", json={"posts": [{"text": "hi"}]})
        assert blocked.status_code == 503
        assert blocked.headers["retry-after"] == "1"


def test_health_loads_models_in_background_then_ready(tiny_models_dir: Path) -> None:
    registry = ModelRegistry(models_dir=tiny_models_dir)
    with TestClient(create_app(make_settings(models_dir=tiny_models_dir), registry)) as client:
        for _ in range(200):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        assert client.get("/readyz").status_code == 200
        assert client.post("/v1/predict", json={"posts": [{"text": "leg day"}]}).status_code == 200


def test_health_models_endpoint_equals_manifests(
    client: TestClient, tiny_loaded: LoadedModels
) -> None:
    body = client.get("/v1/models").json()
    assert body["model_versions"] == tiny_loaded.versions
    assert body["heads"] == {name: dict(m) for name, m in tiny_loaded.manifests.items()}
    assert body["heads"]["niche"]["labels"] == list(tiny_loaded.heads["niche"].labels)


def test_health_docs_have_an_example_for_every_route(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            response = operation["responses"]["200"].get("content", {})
            has_example = bool(body.get("examples") or body.get("example")) or any(
                "example" in c or "examples" in c for c in response.values()
            )
            assert has_example, (method, path)
    assert client.get("/docs").status_code == 200
