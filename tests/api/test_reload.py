from __future__ import annotations

import copy
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.heads.model import HeadModel
from brandfit.persistence.artifact import save_head
from brandfit.persistence.registry import ModelRegistry
from tests.api.conftest import make_settings


@pytest.fixture
def models_copy(tmp_path: Path, tiny_models_dir: Path) -> Path:
    target = tmp_path / "models"
    shutil.copytree(tiny_models_dir, target)
    return target


@pytest.fixture
def live(models_copy: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(make_settings(models_dir=models_copy), ModelRegistry(models_dir=models_copy))
    ) as client:
        for _ in range(400):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        yield client


def new_version(tiny_heads: dict[str, HeadModel], models_dir: Path, tag: str) -> str:
    """Save a copy of the sentiment head whose artefact (hence version) differs."""
    model = copy.deepcopy(tiny_heads["sentiment"])
    model.config = {**model.config, "note": tag}
    return str(save_head(model, models_dir)["model_version"])


def versions(client: TestClient) -> dict[str, str]:
    return dict(client.get("/v1/models").json()["model_versions"])


def test_reload_swaps_to_a_verified_new_set(
    live: TestClient, models_copy: Path, tiny_heads: dict[str, HeadModel]
) -> None:
    old = versions(live)
    fresh = new_version(tiny_heads, models_copy, "v2")
    response = live.post("/v1/admin/reload")
    assert response.status_code == 200
    body = response.json()
    assert body["reloaded"] is True and body["previous_versions"] == old
    assert body["model_versions"]["sentiment"] == fresh != old["sentiment"]
    assert (
        live.post("/v1/predict", json={"posts": [{"text": "x"}]}).json()["model_versions"][
            "sentiment"
        ]
        == fresh
    )


def test_reload_failure_keeps_old_models_and_says_why(live: TestClient, models_copy: Path) -> None:
    old = versions(live)
    before = live.post("/v1/predict", json={"posts": [{"text": "leg day at the gym"}]}).json()
    artefact = next((models_copy / "niche").glob("pipeline-*.joblib"))
    artefact.write_bytes(artefact.read_bytes()[:100])
    response = live.post("/v1/admin/reload")
    assert response.status_code == 409
    body = response.json()
    assert body["reloaded"] is False and body["model_versions"] == old
    assert "niche" in body["error"]
    assert live.get("/readyz").status_code == 200
    after = live.post("/v1/predict", json={"posts": [{"text": "leg day at the gym"}]}).json()
    assert after == before
    assert 'brandfit_model_reloads_total{outcome="failed"} 1.0' in live.get("/metrics").text


def test_reload_under_concurrent_requests_drops_none(
    live: TestClient, models_copy: Path, tiny_heads: dict[str, HeadModel]
) -> None:
    seen_sets = [versions(live)]
    results: list[tuple[int, Any]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def hammer(worker: int) -> None:
        i = 0
        while not stop.is_set() or i < 5:
            response = live.post(
                "/v1/predict",
                json={"posts": [{"id": f"{worker}-{i}", "text": "leg day at the gym"}]},
            )
            with lock:
                results.append((response.status_code, response.json()))
            i += 1

    threads = [threading.Thread(target=hammer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for tag in ("v2", "v3", "v4"):
        new_version(tiny_heads, models_copy, tag)
        reload = live.post("/v1/admin/reload")
        assert reload.status_code == 200, reload.json()
        seen_sets.append(reload.json()["model_versions"])
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    assert results and all(status == 200 for status, _ in results)
    allowed = [dict(s) for s in seen_sets]
    for _, body in results:
        assert body["model_versions"] in allowed
        assert body["predictions"][0]["model_versions"] == body["model_versions"]
    assert len({v["sentiment"] for v in allowed}) == 4
