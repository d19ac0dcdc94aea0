"""Typed dependencies: the registry, the current model set, the settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from brandfit.persistence.registry import LoadedModels, ModelRegistry
from brandfit.settings import Settings


def get_registry(request: Request) -> ModelRegistry:
    """Return the app's model registry (put on ``app.state`` by ``create_app``)."""
    registry: ModelRegistry = request.app.state.registry
    return registry


def get_app_settings(request: Request) -> Settings:
    """Return the settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_models(request: Request) -> LoadedModels:
    """One consistent snapshot of the loaded models for this request (503 until ready)."""
    registry = get_registry(request)
    if not (registry.ready and request.app.state.warm):
        reason = registry.last_error or "models are still loading"
        raise HTTPException(503, f"not ready: {reason}", headers={"Retry-After": "1"})
    return registry.models


RegistryDep = Annotated[ModelRegistry, Depends(get_registry)]
ModelsDep = Annotated[LoadedModels, Depends(get_models)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
