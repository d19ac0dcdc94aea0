"""Shared fixtures: tiny data files, models fitted on them in-test, the shared-data switch."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from brandfit.config import HeadConfig, TrainConfig
from brandfit.data import load_labelled
from brandfit.heads.model import HeadModel
from brandfit.persistence.artifact import save_head
from brandfit.settings import get_settings
from brandfit.train import fit_head

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BRANDFIT_SHARED_DATA", REPO.parent / "shared" / "data"))

#: Small, fast config for in-test fits.
TINY = TrainConfig(head=HeadConfig(min_df=1, calibration_cv=3, C=10.0))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED.is_dir():
        return
    skip = pytest.mark.skip(
        reason=f"needs the shared data sets at {SHARED} (absent on this machine)"
    )
    for item in items:
        if "shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _settings_do_not_leak() -> Iterator[None]:
    """Drop the cached settings after each test: a test that set BRANDFIT_* variables
    (monkeypatch restores them) must not leave e.g. its tiny models folder as the default."""
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def tiny_heads() -> dict[str, HeadModel]:
    """One fitted head of each kind, trained on the tiny fixtures."""
    niche = load_labelled(DATA / "niche.jsonl")
    sentiment = load_labelled(DATA / "sentiment.csv")
    safety = load_labelled(DATA / "safety.parquet")
    alignment = load_labelled(DATA / "alignment.jsonl", require_target=True)
    return {
        "niche": fit_head("niche", niche, TINY),
        "sentiment": fit_head("sentiment", sentiment, TINY, val=sentiment),
        "safety": fit_head("safety", safety, TINY, val=safety),
        "alignment": fit_head("alignment", alignment, TINY),
    }


@pytest.fixture(scope="session")
def tiny_models_dir(
    tmp_path_factory: pytest.TempPathFactory, tiny_heads: dict[str, HeadModel]
) -> Path:
    """A models directory holding the four tiny heads (treat as read-only)."""
    folder = tmp_path_factory.mktemp("models")
    for model in tiny_heads.values():
        save_head(model, folder, metrics={"test": {"n": 1, "macro_f1": 1.0}})
    return folder
