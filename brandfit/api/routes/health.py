"""Liveness, readiness and Prometheus metrics (no API key, no model work)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from brandfit.api.metrics import CONTENT_TYPE_LATEST
from brandfit.api.redact import redact_paths
from brandfit.api.schemas import Liveness, Readiness

router = APIRouter(tags=["health"])


@router.get(
    "/livez",
    response_model=Liveness,
    summary="Process is up",
    responses={200: {"content": {"application/json": {"example": {"status": "alive"}}}}},
)
async def livez() -> Liveness:
    """Answers at once; never touches models."""
    return Liveness(status="alive")


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Verified models are loaded and warm",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "status": "ready",
                        "model_versions": {"niche": "niche-20250101-abc123"},
                    }
                }
            }
        },
        503: {
            "model": Readiness,
            "content": {
                "application/json": {
                    "example": {"status": "loading", "reason": "models are still loading"}
                }
            },
        },
    },
)
async def readyz(request: Request) -> Response:
    """200 once verified models are loaded and warmed up; 503 while loading, after a failed load, or shutting down."""
    state = request.app.state
    registry = state.registry
    if state.shutting_down:
        return JSONResponse(
            {"status": "shutting_down", "reason": "server is shutting down"}, status_code=503
        )
    if registry.ready and state.warm:
        return JSONResponse({"status": "ready", "model_versions": registry.models.versions})
    if registry.last_error:
        status, reason = "failed", redact_paths(registry.last_error, state.settings.models_dir)
    elif registry.ready:
        status, reason = "warming", "models are loaded and warming up"
    else:
        status, reason = "loading", "models are still loading"
    return JSONResponse(
        {"status": status, "reason": reason},
        status_code=503,
        headers={"Retry-After": "1"},
    )


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={
        200: {
            "content": {
                "text/plain": {
                    "example": 'brandfit_http_requests_total{method="GET",route="/livez",status="200"} 1.0\n'
                }
            }
        }
    },
)
async def metrics(request: Request) -> Response:
    """Request counts and latency by route, inference time, items scored, rejected inputs by reason, reloads."""
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
