from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.persistence import registry

from .conftest import make_settings


def test_server_serves_a_new_models_dir_over_the_shipped_heads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_models_dir: Path
) -> None:
    shipped = tmp_path / "shipped"
    shutil.copytree(tiny_models_dir, shipped)
    monkeypatch.setattr(registry, "DEFAULT_MODELS_DIR", shipped)
    mine = tmp_path / "mine"
    shutil.copytree(tiny_models_dir / "sentiment", mine / "sentiment")
    with TestClient(create_app(make_settings(models_dir=mine))) as client:
        for _ in range(200):
            if client.get("/readyz").status_code == 200:
                break
            time.sleep(0.05)
        listed = client.get("/v1/models").json()
        assert client.post("/v1/predict", json={"posts": [{"text": "leg day"}]}).status_code == 200
    assert set(listed["model_versions"]) == {"niche", "safety", "sentiment", "alignment"}


def test_without_layering_a_partial_dir_serves_only_its_heads(
    tmp_path: Path, tiny_models_dir: Path
) -> None:
    mine = tmp_path / "mine"
    shutil.copytree(tiny_models_dir / "sentiment", mine / "sentiment")
    loaded = registry.ModelRegistry(models_dir=mine).load()
    assert set(loaded.heads) == {"sentiment"}
