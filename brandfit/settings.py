"""Runtime settings from the environment (prefix ``BRANDFIT_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

#: The models shipped in this repository (``models/`` next to the package).
DEFAULT_MODELS_DIR = Path(__file__).resolve().parent.parent / "models"


class Settings(BaseSettings):
    """Where models live and how the server behaves; override with ``BRANDFIT_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="BRANDFIT_", extra="ignore")

    models_dir: Path = DEFAULT_MODELS_DIR


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests override with ``dependency_overrides``)."""
    return Settings()
