from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from brandfit.persistence.registry import load_models
from brandfit.predict import Predictor


@pytest.fixture(scope="session")
def predictor(tiny_models_dir: Path) -> Predictor:
    return Predictor(load_models(tiny_models_dir))


@pytest.fixture
def brand() -> dict[str, Any]:
    """An activewear brand in the tiny models' vocabulary (fitness niche, climate value)."""
    return {
        "name": "Loop Athletics",
        "aliases": ["LoopAthletics", "@loopathletics"],
        "competitors": {"Strive": ["@strivewear"]},
        "niches": ["fitness_&_health"],
        "values": ["climate", {"name": "sustainability", "terms": ["recycled", "zero waste"]}],
        "avoid": ["hate", "offensive"],
    }


def creator(handle: str, texts: list[str], followers: int = 40_000, **extra: Any) -> dict[str, Any]:
    posts = [
        {"id": f"{handle}-{i}", "text": t, "likes": 1200, "comments": 60, "shares": 10}
        for i, t in enumerate(texts)
    ]
    return {
        "handle": handle,
        "platform": "instagram",
        "followers": followers,
        "posts": posts,
        **extra,
    }


FIT = [
    "leg day at the gym again #fitness",
    "hiit session with the crew #fitness",
    "climate action cannot wait, my kit is recycled",
    "love this so much, new @loopathletics leggings #ad #fitness",
    "yoga flow before work #fitness",
]
OFF_NICHE = [
    "homemade pasta with fresh basil 😋",
    "best ramen in town tonight 😋",
    "grandma's lasagna recipe 😋",
    "chocolate cake from scratch 😋",
    "brunch with pancakes and berries 😋",
]
UNSAFE = [
    "leg day at the gym again #fitness",
    "go to hell moron",
    "shut up you stupid clown",
    "you are a damn idiot",
    "those people are subhuman trash",
]
HOSTILE = [
    "leg day at the gym again #fitness",
    "hiit session with the crew #fitness",
    "@loopathletics worst experience ever, broken again, useless",
    "LoopAthletics terrible customer service, this is awful",
    "yoga flow before work #fitness",
]
