"""``POST /v1/admin/reload``: verify a new model set, then swap; keep the old one on failure."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from brandfit.api.deps import RegistryDep
from brandfit.api.schemas import ErrorResponse, ReloadResponse
from brandfit.api.security import require_admin
from brandfit.api.warmup import warm_up
from brandfit.errors import ModelLoadError
from brandfit.persistence.registry import ModelRegistry

router = APIRouter(tags=["admin"], dependencies=[Depends(require_admin)])

RELOAD_BUSY = (
    "a model reload is already running (one at a time: it re-hashes, unpickles and warms "
    "every model); retry when it has finished"
)


def reload_gate(request: Request) -> threading.Lock:
    """The app's one-reload-at-a-time lock (made with the app)."""
    gate: threading.Lock = request.app.state.reload_gate
    return gate


@router.post(
    "/v1/admin/reload",
    response_model=ReloadResponse,
    summary="Reload models from the models directory",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "reloaded": True,
                        "model_versions": {"niche": "niche-20250102-def456"},
                        "previous_versions": {"niche": "niche-20250101-abc123"},
                    }
                }
            }
        },
        401: {"model": ErrorResponse},
        403: {"model": ErrorResponse},
        429: {
            "model": ErrorResponse,
            "content": {
                "application/json": {"example": {"detail": RELOAD_BUSY}},
            },
        },
        409: {
            "model": ReloadResponse,
            "content": {
                "application/json": {
                    "example": {
                        "reloaded": False,
                        "model_versions": {"niche": "niche-20250101-abc123"},
                        "error": "models/niche: sha256 mismatch",
                    }
                }
            },
        },
    },
)
def reload_models(registry: RegistryDep, request: Request) -> JSONResponse:
    """Load and verify every head under the configured models directory, warm it up, swap atomically.

    On failure (corrupt file, version skew, golden mismatch, missing directory) the
    old models keep serving and the answer is 409 with the reason. Reloads run one at a
    time: a reload sent while another runs gets 429 at once.
    """
    metrics = request.app.state.metrics
    gate = reload_gate(request)
    if not gate.acquire(blocking=False):
        metrics.rejected.labels("reload_busy").inc()
        return JSONResponse({"detail": RELOAD_BUSY}, status_code=429, headers={"Retry-After": "5"})
    try:
        return _reload(registry, request)
    finally:
        gate.release()


def _reload(registry: ModelRegistry, request: Request) -> JSONResponse:
    metrics = request.app.state.metrics
    previous = registry.models.versions if registry.ready else {}
    try:
        fresh = registry.reload()
    except ModelLoadError as exc:
        metrics.reloads.labels("failed").inc()
        return JSONResponse(
            {
                "reloaded": False,
                "model_versions": previous,
                "previous_versions": previous,
                "error": str(exc),
            },
            status_code=409,
        )
    warm_up(fresh)
    request.app.state.warm = True
    metrics.ready.set(1)
    metrics.reloads.labels("ok").inc()
    request.state.model_versions = fresh.versions
    return JSONResponse(
        {
            "reloaded": True,
            "model_versions": fresh.versions,
            "previous_versions": previous,
            "error": None,
        }
    )
