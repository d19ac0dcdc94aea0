from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from brandfit.api.app import create_app
from brandfit.persistence.registry import LoadedModels, ModelRegistry, load_models
from brandfit.settings import Settings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

#: Small limits so tests can hit them cheaply.
LIMITS = {
    "max_posts_per_request": 5,
    "max_text_chars": 60,
    "max_posts_per_influencer": 6,
    "max_influencers_per_rank": 3,
    "max_body_bytes": 20_000,
}


@pytest.fixture(scope="session")
def tiny_loaded(tiny_models_dir: Path) -> LoadedModels:
    return load_models(tiny_models_dir)


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "models_dir": Path("/nonexistent"),
        "api_key": None,
        "admin_key": None,
        "cors_origins": [],
        **LIMITS,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings() -> Settings:
    return make_settings()


@pytest.fixture
def registry(tiny_loaded: LoadedModels) -> ModelRegistry:
    return ModelRegistry(models=tiny_loaded)


@pytest.fixture
def client(settings: Settings, registry: ModelRegistry) -> Iterator[TestClient]:
    with TestClient(create_app(settings, registry)) as test_client:
        yield test_client


@pytest.fixture
def brand() -> dict[str, Any]:
    return {
        "name": "Loop Athletics",
        "aliases": ["@loopathletics"],
        "niches": ["fitness_&_health"],
        "values": ["climate"],
        "avoid": ["hate", "offensive"],
    }


@pytest.fixture
def candidates() -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for line in (EXAMPLES / "candidates.jsonl").read_text().splitlines()
        if line.strip()
    ]


def influencer(handle: str, texts: list[str]) -> dict[str, Any]:
    return {
        "handle": handle,
        "platform": "instagram",
        "followers": 5000,
        "posts": [{"id": f"{handle}-{i}", "text": t, "likes": 100} for i, t in enumerate(texts)],
    }
